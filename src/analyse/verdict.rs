//! The verdict: one paragraph a kernel engineer can paste into a ticket.

use crate::{load::Capture, model::decode::errno_name};

use super::{
    InlineCandidate, Prose, align::Alignment, claims, diverge::Divergence, gaps::Suspect,
    origin::ErrorOrigin, pair::Plan, side::Side, verdict_agree,
};

/// Everything the verdict is made from.
pub struct Facts<'a, 'b> {
    pub settings: &'a [super::settings::SettingDiff],
    pub captures: &'a [Capture],
    pub plan: &'a Plan,
    pub g: &'a Side<'b>,
    pub b: &'a Side<'b>,
    pub divergence: Option<&'a Divergence>,
    pub origin: &'a ErrorOrigin,
    pub suspects: &'a [Suspect],
    pub candidates: &'a [InlineCandidate],
    pub alignment: &'a Alignment,
}

fn ret_text(v: i64) -> String {
    super::retval::show(v)
}

/// Write the verdict: the story, then what in the captures limits it.
pub fn verdict(f: &Facts<'_, '_>) -> Prose {
    let mut p = story(f);
    caveats(&mut p, f);
    p
}

/// Where the runs part and why ftrace cannot show it.
fn story(f: &Facts<'_, '_>) -> Prose {
    let mut p = Prose::default();
    results(&mut p, f);
    settings_first(&mut p, f);
    let Some(d) = f.divergence else {
        no_split(&mut p, f);
        return p;
    };
    if d.hidden {
        hidden(&mut p, f, d);
        return p;
    }
    verdict_agree::agree(&mut p, f, d);
    next_calls(&mut p, f, d);
    origin(&mut p, f);
    untraced_at_split(&mut p, f);
    candidates(&mut p, f, true);
    verdict_agree::differences(&mut p, f, d.row);
    p
}

/// How each run ended: the bad run first, then the good run.
fn results(p: &mut Prose, f: &Facts<'_, '_>) {
    let (g, b) = (f.g, f.b);
    let (glabel, blabel) = (
        &f.captures[f.plan.good.0].label,
        &f.captures[f.plan.bad.0].label,
    );
    let title = b.syscall.title();
    match b.syscall.ret {
        Some(r) if b.syscall.failed() => p.strong(format!("{title} failed with {}", ret_text(r))),
        Some(r) => p.strong(format!("{title} returned {}", ret_text(r))),
        None => p.strong(format!("{title} (result not captured)")),
    };
    p.text(" in ").code(blabel.as_str());
    if let Some(d) = b.syscall.duration_ns {
        p.text(" after ").duration(d);
    }
    match g.syscall.ret {
        Some(r) => p
            .text("; in ")
            .code(glabel.as_str())
            .text(format!(" it returned {}. ", ret_text(r))),
        None if g.syscall.exit_missing => p
            .text("; in ")
            .code(glabel.as_str())
            .text(" it had not returned where that capture ends (result unknown). "),
        None => p
            .text("; in ")
            .code(glabel.as_str())
            .text(" its result was not captured (no exit event, no funcgraph-retval): unknown. "),
    };
}

/// What each run does right after the last call they share.
fn next_calls(p: &mut Prose, f: &Facts<'_, '_>, d: &Divergence) {
    let (g, b) = (f.g, f.b);
    if met_again(p, f, d) {
        return;
    }
    let parent = b.name(d.parent.1);
    match (d.good_next, d.good_next_inside) {
        (Some(n), true) => {
            p.text("Then the good run calls ").func(g.name(n));
        }
        (Some(n), false) => {
            p.text("Then the good run returns from ")
                .func(g.name(d.parent.0))
                .text(" and goes on to ")
                .func(g.name(n));
        }
        (None, _) => {
            p.text("Then the good run returns");
        }
    };
    match d.bad_next {
        Some(n) => {
            p.text(", while the bad run calls ")
                .func(b.name(n))
                .text(" instead. ");
        }
        None => {
            p.text(if irq_after_split(f, d) {
                ", while the bad run makes no further traced call outside interrupts: "
            } else {
                ", while the bad run makes no further traced call: "
            })
            .func(parent)
            .text(" returns");
            if let Some(r) = b.tree.nodes[d.parent.1 as usize].ret {
                p.text(format!(" {}", ret_text(r.value())));
            }
            if let Some(s) = f.suspects.iter().find(|s| s.at_divergence) {
                p.text(" after ").duration(s.duration_ns);
            }
            p.text(". ");
        }
    }
}

/// A split taken although the runs meet again (the bad run failed, no
/// parting stays apart): the good run's next call after the parent is one
/// the bad run makes too, so "the bad run calls X instead" would be false;
/// say where they meet instead.
fn met_again(p: &mut Prose, f: &Facts<'_, '_>, d: &Divergence) -> bool {
    let (g, b) = (f.g, f.b);
    let (Some(gn), Some(bn)) = (d.good_next, d.bad_next) else {
        return false;
    };
    let both = f
        .alignment
        .rows
        .iter()
        .any(|r| r.kind == super::align::RowKind::Same && r.good == Some(gn));
    if !d.reconverges || d.good_next_inside || !both {
        return false;
    }
    p.text("Then the good run returns from ")
        .func(g.name(d.parent.0))
        .text(", while the bad run first calls ")
        .func(b.name(bn))
        .text("; both then go on to ")
        .func(g.name(gn))
        .text(", where the runs meet again. ");
    true
}

/// Whether an interrupt's calls are nested in the bad run's parent after
/// the last shared call (they are no call of the syscall's own).
fn irq_after_split(f: &Facts<'_, '_>, d: &Divergence) -> bool {
    let b = f.b;
    let after = d.last_common.map_or(d.parent.1, |(_, n)| n);
    b.tree
        .children(d.parent.1 as usize)
        .any(|c| c > after as usize && b.irq[c])
}

/// Untraced time at the split from which it may as well be time the task
/// did not run: a millisecond is thousands of functions' worth of code.
const LONG_UNTRACED_NS: u64 = 1_000_000;

/// The parent's time in no traced callee at the split (timing evidence).
fn untraced_at_split(p: &mut Prose, f: &Facts<'_, '_>) {
    let b = f.b;
    if let Some(s) = f.suspects.iter().find(|s| s.at_divergence && s.gap_ns > 0) {
        p.func(b.name(s.node)).text(" spent ").duration(s.gap_ns);
        p.text(" of its ").duration(s.duration_ns);
        p.text(" in no traced callee");
        if let Some(loc) = &s.location {
            // The location names functions in backticks: code spans here.
            p.text(" (").extend(Prose::from_ticks(loc)).text(")");
        }
        // Durations are wall time: an interrupt's untraced entry work,
        // preemption or a hypervisor's pause count too. Said when it can
        // matter: an interrupt is nested there, or the stretch is long.
        let away =
            f.divergence.is_some_and(|d| irq_after_split(f, d)) || s.gap_ns >= LONG_UNTRACED_NS;
        p.text(if away {
            " (timing): code ftrace does not show ran there (inlined callees or its own), or the task was not running then (an interrupt's untraced entry, preemption, a hypervisor's pause); the capture cannot tell which. "
        } else {
            " (timing): code ftrace does not show ran there, inlined callees or its own. "
        });
    }
}

fn origin(p: &mut Prose, f: &Facts<'_, '_>) {
    let b = f.b;
    match f.origin.node {
        Some(n) => {
            let name = b.name(n);
            let e = f.origin.errno.unwrap_or(0);
            p.text("The error is born in ").func(name);
            if let Some(gn) = f.origin.good_node {
                if let Some(r) = f.g.tree.nodes[gn as usize].ret {
                    p.text(format!(
                        " (in the good run it returned {})",
                        ret_text(r.value())
                    ));
                }
            }
            p.text(format!(
                ": it returned -{e} ({}) and ",
                errno_name(e).unwrap_or("?")
            ));
            if b.tree.children(n as usize).next().is_none() {
                p.text("made no traced call");
            } else {
                p.text("none of its traced callees did");
            }
            p.text(", so the deciding code is its own or in a callee the capture does not show: inlined, notrace, or below max_graph_depth");
            p.text(". ");
        }
        None if f.origin.evidence == super::origin::Evidence::None => {}
        None => super::verdict_origin::structural(p, f),
    }
}

fn candidates(p: &mut Prose, f: &Facts<'_, '_>, list_reached: bool) {
    let reached: Vec<&InlineCandidate> = f
        .candidates
        .iter()
        .filter(|c| !c.wrapper && !c.in_bad)
        .collect();
    if list_reached && !reached.is_empty() {
        p.text("Calls the good run makes there that the bad run never makes: ");
        for (k, c) in reached.iter().take(3).enumerate() {
            if k > 0 {
                p.text(", ");
            }
            p.func(&c.func);
        }
        if reached.len() > 3 {
            p.text(format!(" and {} more", reached.len() - 3));
        }
        p.text(". ");
    }
    for c in f
        .candidates
        .iter()
        .filter(|c| c.traceable_bad == Some(false))
    {
        p.func(&c.func)
            .text(" is not in the bad kernel's traceable functions");
        if c.traceable_good == Some(true) {
            p.text(" (it is in the good kernel's)");
        }
        p.text(": inlined, notrace, or not built there. ");
    }
    for c in f.candidates.iter().filter(|c| c.wrapper) {
        p.func(&c.func)
            .text(" is a call level only one run shows; it is inlined (or absent) in the other and was aligned through. ");
    }
}

/// A compared tree that is not the whole call: events lost, or cut at
/// `--max-tree-calls`. Either can fake a "the bad run makes no further
/// call", so the verdict says so. (A call whose end is not captured is said
/// in the first sentence already.)
fn caveats(p: &mut Prose, f: &Facts<'_, '_>) {
    for (side, run, capture) in [(f.b, "bad", f.plan.bad.0), (f.g, "good", f.plan.good.0)] {
        let s = side.syscall;
        let label = &f.captures[capture].label;
        let kept = s.tree.as_ref().map_or(0, |t| {
            t.nodes
                .iter()
                .filter(|n| !n.flags.has(crate::model::NodeFlags::SYNTHETIC))
                .count() as u64
        });
        let said = |p: &mut Prose, what: &str| {
            p.gap()
                .text(format!("Caution: the {run} run's tree ("))
                .code(label.as_str());
            p.text(format!(") {what}. "));
        };
        if s.lost_events {
            said(
                p,
                "lost events while the call ran, so calls may be missing from it (a larger buffer_size_kb avoids that)",
            );
        }
        if s.calls > kept && s.tree.is_some() {
            said(
                p,
                &format!(
                    "keeps the first {kept} of its {} calls (--max-tree-calls): what follows is not compared",
                    s.calls
                ),
            );
        }
    }
    let rebuilt = [f.plan.good.0, f.plan.bad.0]
        .iter()
        .any(|&c| f.captures[c].trace.facts.reconstructed);
    if rebuilt {
        p.gap()
            .text("Caution: the function tracer prints calls but no returns, so the nesting above is inferred (from each call's parent, or trace-cmd's indentation): a call whose caller is not open (not traced, or returned unseen) is placed under the innermost open call, which may not be where it was called, and returns are inferred from the calls that follow. ")
            .code("function_graph")
            .text(" shows both. ");
    }
}

/// Differences in how the captures were taken, before any behaviour.
fn settings_first(p: &mut Prose, f: &Facts<'_, '_>) {
    if f.settings.is_empty() {
        return;
    }
    // A kernel's version or traceable functions are no way of taking a
    // capture: said as what differs.
    let kernel = |s: &&super::settings::SettingDiff| matches!(s.topic, "kernel" | "traceable");
    p.text(if f.settings.iter().all(|s| kernel(&s)) {
        "The kernels differ, so read what follows with that in mind: "
    } else if f.settings.iter().any(|s| kernel(&s)) {
        "The captures were taken differently and on different kernels, so read what follows with that in mind: "
    } else {
        "The captures were taken differently, so read what follows with that in mind: "
    });
    for (k, s) in f.settings.iter().enumerate() {
        if k > 0 {
            p.text("; ");
        }
        s.say(p);
    }
    p.text(". ");
}

/// No split: nothing failed and every difference met again (or, when the
/// bad run failed, no traced call pairs at all). A run that did not fail
/// has no decision to place, so only the match, or the differences that
/// met again, are said.
fn no_split(p: &mut Prose, f: &Facts<'_, '_>) {
    if f.b.syscall.failed() {
        p.text("The two call trees could not be told apart.");
        return;
    }
    let minors = &f.alignment.minors;
    let Some(m) = minors.first() else {
        if claims::first_difference(f.alignment, usize::MAX).is_some() {
            // No minor, yet a row differs: call levels one run shows.
            p.text("Every traced call pairs between the runs (noise aside) once the call levels only one run shows are aligned through: ");
            verdict_agree::wrapper_names(p, f);
            p.text(". ");
            return;
        }
        p.text("Every traced call matches between the runs (noise aside)");
        if f.settings.is_empty() {
            p.text("; they differ only in durations. ");
        } else {
            p.text(": the difference is in how they were traced, not in what ran. ");
        }
        return;
    };
    let n = minors.len();
    p.text(if n == 1 {
        "The runs do not part: 1 difference between them meets again (".to_string()
    } else {
        format!("The runs do not part: {n} differences between them meet again (first: ")
    });
    minor_words(p, f, m);
    if f.b.syscall.ret.is_some() {
        p.text("), and the bad run did not fail: there is no error to trace. ");
    } else {
        p.text("); the bad run's result was not captured, so whether it failed is unknown. ");
    }
}

/// One difference that meets again, as "`f()` only in the bad run".
pub(super) fn minor_words(p: &mut Prose, f: &Facts<'_, '_>, m: &super::align::Minor) {
    let (g, b) = (f.g, f.b);
    match (m.good, m.bad, m.counts) {
        (Some(gn), _, Some((cg, cb))) => {
            p.func(g.name(gn))
                .text(format!(" ×{cg} in good vs ×{cb} in bad"));
        }
        (Some(gn), None, None) => {
            p.func(g.name(gn)).text(" only in the good run");
        }
        (None, Some(bn), _) => {
            p.func(b.name(bn)).text(" only in the bad run");
        }
        (Some(gn), Some(bn), None) => {
            p.func(g.name(gn))
                .text(" in the good run where the bad run calls ")
                .func(b.name(bn));
        }
        (None, None, _) => {
            p.text("a call level");
        }
    }
}

/// Every traced call matches and the bad run failed: the decision is in
/// code the capture does not show. Where it may be is the origin's to say
/// (the exact chain with return values; otherwise below the last common
/// call, or after it returned in a caller's own code).
fn hidden(p: &mut Prose, f: &Facts<'_, '_>, d: &Divergence) {
    let (g, b) = (f.g, f.b);
    let differ = claims::first_difference(f.alignment, usize::MAX).is_some();
    p.text(if differ {
        // Repeats made a different number of times, or call levels one
        // run shows: said after the candidates.
        "Both runs make the same traced calls"
    } else {
        "Every traced call matches between the runs"
    });
    if let Some((gn, bn)) = d.last_common {
        let (gd, bd) = (
            g.tree.nodes[gn as usize].duration_ns,
            b.tree.nodes[bn as usize].duration_ns,
        );
        p.text(", down to ").func(b.name(bn));
        if let (Some(gd), Some(bd)) = (gd, bd) {
            p.text(", which took ")
                .duration(gd)
                .text(" in the good run and ")
                .duration(bd)
                .text(" in the bad run");
        }
        p.text(". ");
        if f.origin.node.is_some() {
            origin(p, f);
        } else {
            super::verdict_origin::hidden(p, f);
        }
    }
    candidates(p, f, false);
    if differ {
        verdict_agree::differences(p, f, usize::MAX);
    }
}
