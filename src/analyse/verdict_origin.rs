//! The verdict's sentence on where the error is born when no return value
//! says it: the first parting kept as its own finding, then the candidates
//! read from both runs' shape, worded as what they are (a ranked guess from
//! structure), never as a printed fact.

use super::{
    Prose,
    candidates::{MAX_SHOWN, OriginCandidate, Role, before_parting},
    verdict::Facts,
};

/// "The error is born at or after this first parting; … in one of: …"
/// (the parting itself was told just before).
pub fn structural(p: &mut Prose, f: &Facts<'_, '_>) {
    let cands = &f.origin.candidates;
    let earlier = f.divergence.is_some_and(|d| {
        cands
            .iter()
            .take(MAX_SHOWN)
            .any(|c| before_parting(f.b, c, d))
    });
    let first = f
        .divergence
        .is_some_and(|d| super::diverge::is_first(f.alignment, d));
    p.text(match (earlier, first) {
        (true, _) => {
            "The error may be born before this parting, at an earlier difference whose runs met again"
        }
        (false, true) => "The error is born at or after this first parting",
        (false, false) => "The error is born at or after this parting",
    });
    if cands.is_empty() {
        p.text(". ");
        return;
    }
    p.text("; no return value was captured, so from the shape of both runs it is born ");
    if cands.len() == 1 {
        p.text("in ");
        candidate(p, f, &cands[0]);
    } else {
        p.text("in one of (most likely first): ");
        for (k, c) in cands.iter().take(MAX_SHOWN).enumerate() {
            if k > 0 {
                p.text("; ");
            }
            candidate(p, f, c);
        }
        if cands.len() > MAX_SHOWN {
            p.text(format!(
                "; {} ranked lower in report.json (",
                cands.len() - MAX_SHOWN
            ))
            .code("error_origin.more_candidates")
            .text(")");
        }
    }
    p.text(". funcgraph-retval would show which function returned it. ");
}

fn candidate(p: &mut Prose, f: &Facts<'_, '_>, c: &OriginCandidate) {
    let b = f.b;
    let aside = "the bad run then makes calls the good run does not";
    match c.role {
        Role::LastShared => {
            // Not "the last call both runs make": they may share calls
            // after it (cleanup, `terminate_walk()`), and noise. What makes
            // it a candidate is what follows it.
            let earlier = f.divergence.is_some_and(|d| before_parting(b, c, d));
            p.func(b.name(c.node)).text(if earlier {
                " (both runs make it; the first difference between them comes after it"
            } else {
                " (both runs make it; after it the good run goes on to work the bad run skips"
            });
        }
        Role::OwnCode => {
            p.text("the own code of ").func(b.name(c.node));
            match c.after {
                Some(a) => p.text(" (after ").func(b.name(a)).text(" returned"),
                None => p.text(" (from its entry on"),
            };
        }
        Role::BelowDepth => {
            p.func(b.name(c.node))
                .text(" or one of its callees, which the capture does not show");
            return;
        }
        Role::BadNext => {
            p.func(b.name(c.node))
                .text(" or its callees (the call the bad run makes where the runs part)");
            return;
        }
        Role::BadOnly => {
            p.func(b.name(c.node))
                .text(" (a function the good run never calls: the bad run's own way");
            if let Some(a) = c.after {
                p.text(" after ").func(b.name(a)).text(" returned");
            }
        }
    }
    if c.turns_aside {
        p.text(format!("; {aside}"));
    }
    p.text(")");
}

/// Every traced call matches and no return value says more: "The decision
/// is inside `X()` …, or after it returned, in the own code of `P()` or
/// `Q()`", from the origin's candidates (the last common call, then its
/// callers from the deepest up). Naming only the last common call would
/// claim the decision lies below it, which the capture cannot tell from a
/// caller's inlined code run right after it.
pub fn hidden(p: &mut Prose, f: &Facts<'_, '_>) {
    let Some((first, callers)) = f.origin.candidates.split_first() else {
        return;
    };
    p.text("The decision is inside ").func(f.b.name(first.node));
    match first.role {
        Role::BelowDepth => {
            p.text(format!(
                ", whose callees the capture does not show (the capture goes {} levels deep: probably max_graph_depth)",
                f.b.trace.facts.max_depth + 1
            ));
        }
        _ => {
            p.text(" (code it runs that the capture does not show, or what it returned)");
        }
    }
    let callers: Vec<u32> = callers
        .iter()
        .filter(|c| c.role == Role::OwnCode)
        .map(|c| c.node)
        .collect();
    if !callers.is_empty() {
        p.text(", or after it returned, in the own code of ");
        for (k, &n) in callers.iter().take(MAX_SHOWN).enumerate() {
            if k > 0 {
                p.text(" or ");
            }
            p.func(f.b.name(n));
        }
        if callers.len() > MAX_SHOWN {
            p.text(" or a caller further up");
        }
        p.text(if callers.len() == 1 {
            " (callees inlined into it included)"
        } else {
            " (callees inlined into them included)"
        });
    }
    p.text(". ");
    if !f.b.tree.nodes.iter().any(|n| n.ret.is_some()) {
        p.text("funcgraph-retval would show which returned the error. ");
    }
}
