//! Where the error came from.
//!
//! With funcgraph-retval: follow the syscall's errno down the bad tree, the
//! way retsnoop does live: from the root, into the callee that returned the
//! same error, as deep as the chain goes. The deepest function of the
//! deepest chain is the origin; if none of its traced callees returned the
//! error, it was born in its own code (or in a callee the capture does not show).
//!
//! Without return values: a ranked set of candidates read from both runs'
//! shape ([`super::candidates`]), and the span from the split on in which
//! the error must have been decided.

use super::{
    align::Alignment,
    candidates::{self, OriginCandidate},
    diverge::Divergence,
    side::Side,
};

/// What a claim rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Evidence {
    /// A printed return value (funcgraph-retval, an exit event).
    Retval,
    /// What was called, in what order, in both runs.
    Structure,
    /// Durations.
    Timing,
    /// Reasoning past what the capture shows (a depth limit).
    Inferred,
    /// Nothing to claim (the bad run did not fail).
    None,
}

/// The error's origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorOrigin {
    /// The deepest function returning the error (bad tree node), when
    /// return values were captured.
    pub node: Option<u32>,
    /// The chain from the root to `node`.
    pub chain: Vec<u32>,
    /// The errno (positive).
    pub errno: Option<i32>,
    /// Where the decision was made, in words.
    pub span: String,
    /// The same function in the good run (node), if it was called there.
    pub good_node: Option<u32>,
    /// What `node` or `candidates` rest on.
    pub evidence: Evidence,
    /// Without return values: where it may be born, ranked (all of them;
    /// the report names the first [`candidates::MAX_SHOWN`]).
    pub candidates: Vec<OriginCandidate>,
}

/// What the origin search is given.
pub struct Inputs<'a, 'b> {
    /// The good run.
    pub g: &'a Side<'b>,
    /// The bad run.
    pub b: &'a Side<'b>,
    /// Where they first part.
    pub div: Option<&'a Divergence>,
    /// The aligned trees.
    pub al: &'a Alignment,
    /// bad node → paired good node.
    pub bad_to_good: &'a [Option<u32>],
    /// good node → paired bad node.
    pub good_to_bad: &'a [Option<u32>],
}

/// Whether a return value is an error: in the errno range, or NULL where the
/// good run's same call returned a kernel pointer.
fn is_error_like(
    ret: Option<crate::parse::RetVal>,
    good_ret: Option<crate::parse::RetVal>,
) -> bool {
    match ret {
        Some(r) if r.errno().is_some() => true,
        Some(r) if r.raw == 0 => {
            good_ret.is_some_and(|g| (g.raw as u64) >= 0xffff_0000_0000_0000 && g.errno().is_none())
        }
        _ => false,
    }
}

/// Find the origin. `bad_to_good` maps bad nodes to their paired good nodes.
pub fn error_origin(x: &Inputs<'_, '_>) -> ErrorOrigin {
    let (g, b, div, bad_to_good) = (x.g, x.b, x.div, x.bad_to_good);
    let errno = b.syscall.errno();
    if errno.is_none() {
        return ErrorOrigin {
            node: None,
            chain: Vec::new(),
            errno,
            span: "the bad run did not fail (or its result was not captured): no error to trace"
                .into(),
            good_node: None,
            evidence: Evidence::None,
            candidates: Vec::new(),
        };
    }
    let tree = b.tree;
    let has_retval = tree.nodes.iter().any(|n| n.ret.is_some());
    let good_ret = |n: u32| {
        bad_to_good
            .get(n as usize)
            .copied()
            .flatten()
            .and_then(|gn| g.tree.nodes[gn as usize].ret)
    };
    if let Some((chain, mut span)) = errno.filter(|_| has_retval).and_then(|e| errno_chain(b, e)) {
        let node = *chain.last().expect("chain has its root");
        span.push_str(&null_clue(b, node, &good_ret));
        return ErrorOrigin {
            node: Some(node),
            good_node: bad_to_good.get(node as usize).copied().flatten(),
            chain,
            errno,
            span,
            evidence: Evidence::Retval,
            candidates: Vec::new(),
        };
    }
    let candidates = candidates::structural(g, b, x.al, x.good_to_bad, bad_to_good, div);
    let evidence = match candidates.first() {
        Some(c) if c.role == candidates::Role::BelowDepth => Evidence::Inferred,
        Some(_) => Evidence::Structure,
        None => Evidence::None,
    };
    ErrorOrigin {
        node: None,
        chain: Vec::new(),
        errno,
        span: span_without_retval(b, div, &candidates, x.al),
        good_node: None,
        evidence,
        candidates,
    }
}

/// The origin found from return values, in words.
fn retval_span(b: &Side<'_>, node: u32, e: i32) -> String {
    let name = b.name(node);
    let ename = crate::model::decode::errno_name(e).unwrap_or("?");
    let traced_callees = b
        .tree
        .children(node as usize)
        .filter(|&c| !b.irq[c])
        .count();
    if traced_callees == 0 {
        format!(
            "`{name}()` returned -{e} ({ename}) and has no traced callee: the error was made in its own code or in a callee the capture does not show (inlined, notrace, or beyond max_graph_depth)"
        )
    } else {
        let callees = if traced_callees == 1 {
            "its one traced callee did not return it".to_string()
        } else {
            format!("none of its {traced_callees} traced callees returned it")
        };
        format!(
            "`{name}()` returned -{e} ({ename}) although {callees}: the error was made in its own code or in a callee the capture does not show (inlined, notrace, or beyond max_graph_depth)"
        )
    }
}

/// One run alone (no run where the call succeeds to pair it with): the
/// deepest chain of traced calls that returned the syscall's errno, and the
/// sentence for its last call. `None` without an errno or return values.
pub fn lone_chain(b: &Side<'_>) -> Option<(Vec<u32>, String)> {
    errno_chain(b, b.syscall.errno()?)
}

/// The deepest chain of traced calls that returned `-e` (a NULL is no part
/// of it: a lookup's NULL is often a miss on the way, not the error, and a
/// span must never say a call returned what it did not).
fn errno_chain(b: &Side<'_>, e: i32) -> Option<(Vec<u32>, String)> {
    let want = -(e as i64);
    let tree = b.tree;
    let m = |n: u32| {
        tree.nodes[n as usize]
            .ret
            .is_some_and(|r| r.value() == want)
    };
    let chain = tree
        .roots()
        .map(|r| r as u32)
        .filter(|&r| m(r))
        .map(|r| deepest_chain(b, r, &m))
        .max_by_key(|c| c.len())?;
    let node = *chain.last()?;
    Some((chain, retval_span(b, node, e)))
}

/// A traced callee of the origin that returned NULL where the good run's
/// same call returned a kernel pointer: said as a clue, not as the origin.
fn null_clue(
    b: &Side<'_>,
    node: u32,
    good_ret: &dyn Fn(u32) -> Option<crate::parse::RetVal>,
) -> String {
    b.tree
        .children(node as usize)
        .filter(|&c| !b.irq[c])
        .find(|&c| {
            let r = b.tree.nodes[c].ret;
            r.is_some_and(|r| r.raw == 0) && is_error_like(r, good_ret(c as u32))
        })
        .map(|c| {
            format!(
                "; its callee `{}()` returned NULL where the good run's returned a pointer, which may be where the failure starts",
                b.name(c as u32)
            )
        })
        .unwrap_or_default()
}

/// The chain from `n` down through callees returning the error, choosing the
/// deepest chain (later callee on ties).
fn deepest_chain(b: &Side<'_>, n: u32, matches_err: &dyn Fn(u32) -> bool) -> Vec<u32> {
    let mut best: Vec<u32> = Vec::new();
    for c in b.tree.children(n as usize) {
        let c = c as u32;
        if b.irq[c as usize] || !matches_err(c) {
            continue;
        }
        let chain = deepest_chain(b, c, matches_err);
        if chain.len() >= best.len() {
            best = chain;
        }
    }
    let mut out = vec![n];
    out.extend(best);
    out
}

fn span_without_retval(
    b: &Side<'_>,
    div: Option<&Divergence>,
    cands: &[OriginCandidate],
    al: &Alignment,
) -> String {
    let Some(d) = div else {
        return "no return values and no traced difference: the capture cannot place the decision"
            .into();
    };
    if d.hidden {
        let differ = super::claims::first_difference(al, usize::MAX).is_some();
        return hidden_span(b, cands, differ);
    }
    let parent = b.name(d.parent.1);
    let after = match d.last_common {
        Some((_, bn)) if bn != d.parent.1 => format!("after `{}()` returned", b.name(bn)),
        _ => "right after it was entered".to_string(),
    };
    let earlier = shown(cands)
        .iter()
        .any(|c| candidates::before_parting(b, c, d));
    let which = if super::diverge::is_first(al, d) {
        "the first parting"
    } else {
        "the parting"
    };
    let lead = if earlier {
        format!("before or at {which}")
    } else {
        format!("at or after {which}")
    };
    let mut s = format!("{lead} (in `{parent}()`, {after})");
    if !cands.is_empty() {
        s.push_str(&format!("; in one of: {}", one_of(b, cands, false)));
    }
    s
}

/// The candidates a span names.
fn shown(cands: &[OriginCandidate]) -> &[OriginCandidate] {
    &cands[..cands.len().min(candidates::MAX_SHOWN)]
}

/// The named candidates in the span's words (see [`candidate_words`]),
/// and those left unnamed said.
fn one_of(b: &Side<'_>, cands: &[OriginCandidate], hidden: bool) -> String {
    let shown = shown(cands);
    let named: Vec<String> = shown
        .iter()
        .map(|c| candidate_words(b, c, shown, hidden))
        .collect();
    format!("{}{}", named.join(", "), more(cands))
}

/// `c` (the bad run's call where the runs part) calls the function the
/// shared call before it called: "`f()`, `f()` or its callees" would name
/// one function twice for two different calls.
fn repeats_shared(b: &Side<'_>, c: &OriginCandidate, shown: &[OriginCandidate]) -> bool {
    shown.iter().any(|o| {
        o.role == candidates::Role::LastShared
            && o.node != c.node
            && b.name(o.node) == b.name(c.node)
    })
}

/// The candidates the span does not name, said: "in one of" the named ones
/// would be false when the error is born in one of those.
fn more(cands: &[OriginCandidate]) -> String {
    match cands.len().saturating_sub(candidates::MAX_SHOWN) {
        0 => String::new(),
        1 => ", or one ranked lower (listed in report.json)".into(),
        n => format!(", or one of {n} ranked lower (listed in report.json)"),
    }
}

/// No traced call parts the runs (`differ`: though a repeat count or a call
/// level differs, so not "every traced call matches"): the decision is in
/// code the capture does not
/// show, below the last common call or after it returned in a caller's own
/// code. Saying only "inside the last call" would place it where a leaf
/// that returned normally (the seed case's `bpf_check_uarg_tail_zero()`)
/// was never the cause.
fn hidden_span(b: &Side<'_>, cands: &[OriginCandidate], differ: bool) -> String {
    format!(
        "{}, so the decision is made in code the capture does not show (inlined, notrace, or below max_graph_depth); in one of: {}",
        if differ {
            "no traced call parts the runs"
        } else {
            "every traced call matches"
        },
        one_of(b, cands, true)
    )
}

/// A candidate in the span's words; `hidden` (every traced call matches)
/// names the callee after which a call's own code is meant, and the
/// untraced callees of the last common call. `shown`, the candidates named
/// with it, tells two calls of one function apart.
fn candidate_words(
    b: &Side<'_>,
    c: &OriginCandidate,
    shown: &[OriginCandidate],
    hidden: bool,
) -> String {
    let f = b.name(c.node);
    match (c.role, c.after) {
        (candidates::Role::OwnCode, Some(a)) if hidden => {
            format!("the own code of `{f}()` after `{}()` returned", b.name(a))
        }
        (candidates::Role::OwnCode, _) => format!("the own code of `{f}()`"),
        (candidates::Role::BelowDepth, _) => format!("`{f}()` or its untraced callees"),
        (candidates::Role::BadNext, _) if repeats_shared(b, c, shown) => {
            format!("`{f}()` again (the bad run's call where the runs part) or its callees")
        }
        (candidates::Role::BadNext, _) => format!("`{f}()` or its callees"),
        (candidates::Role::LastShared, _) if hidden => format!("`{f}()` or its untraced callees"),
        (candidates::Role::LastShared | candidates::Role::BadOnly, _) => format!("`{f}()`"),
    }
}
