//! The report's headline: the first comparison's verdict, then one line per
//! further comparison (a report with two failures must not read as if it
//! had one), or, with no comparison, why not: a result that was not
//! captured is unknown, so "nothing failed" is only said when every result
//! is known, and otherwise the report counts the unknown ones and says what
//! would capture them.

use crate::{load::Capture, model::Outcome};

use super::{Comparison, Prose, origin::Evidence, prose::plural};

/// Syscalls (in all captures) whose result was not captured.
pub fn unknown_results(captures: &[Capture]) -> (u64, u64, Vec<String>) {
    let mut unknown = 0;
    let mut all = 0;
    let mut names: Vec<String> = Vec::new();
    for g in captures.iter().flat_map(|c| &c.trace.groups) {
        if g.root {
            continue;
        }
        all += g.count;
        if g.outcome == Outcome::Unknown {
            unknown += g.count;
            if !names.contains(&g.name) {
                names.push(g.name.clone());
            }
        }
    }
    (unknown, all, names)
}

/// The headline over every comparison.
pub fn headline(captures: &[Capture], comparisons: &[Comparison]) -> Prose {
    let Some(first) = comparisons.first() else {
        return no_comparison(captures);
    };
    let mut p = first.verdict.clone();
    if comparisons.len() > 1 {
        p.text(format!(
            " The report holds {} comparisons; the others: ",
            comparisons.len()
        ));
        for (k, c) in comparisons.iter().enumerate().skip(1) {
            if k > 1 {
                p.text("; ");
            }
            other(&mut p, captures, k, c);
        }
        p.text(".");
    }
    if let Some((count, failed)) = unkept_failures(captures) {
        p.gap().text("Not compared: ");
        say_unkept(&mut p, count, &failed);
        p.text(".");
    }
    p
}

fn other(p: &mut Prose, captures: &[Capture], k: usize, c: &Comparison) {
    let bs = &captures[c.plan.bad.0].trace.syscalls[c.plan.bad.1];
    p.text(format!("({}) ", k + 1)).code(c.title.as_str());
    match bs.errno_name() {
        Some(e) => p.text(format!(" failed with {e} in ")),
        None => p.text(" differs in "),
    };
    p.code(captures[c.plan.bad.0].label.as_str());
    if let Some(d) = &c.divergence {
        let tree = bs.tree.as_ref().expect("compared syscalls have trees");
        let name = captures[c.plan.bad.0]
            .trace
            .names
            .name(tree.nodes[d.parent.1 as usize].func);
        p.text(", the runs part in ").func(name);
    }
    match (c.origin.evidence, c.origin.node) {
        (Evidence::Retval, Some(n)) => {
            let tree = bs.tree.as_ref().expect("compared syscalls have trees");
            let name = captures[c.plan.bad.0]
                .trace
                .names
                .name(tree.nodes[n as usize].func);
            p.text(", the error is born in ").func(name);
        }
        _ if !c.origin.candidates.is_empty() => {
            let shown = c.origin.candidates.len().min(super::candidates::MAX_SHOWN);
            p.text(format!(
                ", {} from structure",
                plural(shown as u64, "candidate origin")
            ));
        }
        _ => {}
    }
}

fn no_comparison(captures: &[Capture]) -> Prose {
    let mut p = Prose::default();
    if let Some(p) = super::lone::lone_failure(captures) {
        return p;
    }
    let one = captures.len() == 1;
    let (the, hold) = if one {
        ("the capture", "holds")
    } else {
        ("the captures", "hold")
    };
    let below = if one {
        "the capture is summarised below."
    } else {
        "the captures are summarised below."
    };
    let (unknown, all, names) = unknown_results(captures);
    if all == 0 {
        let groups = || captures.iter().flat_map(|c| &c.trace.groups);
        let roots: u64 = groups().map(|g| g.count).sum();
        if roots == 0 {
            let records: u64 = captures.iter().map(|c| c.trace.facts.records).sum();
            p.text(format!(
                "No comparison: {the} {hold} no traced function call ({}, none of them a call: events, stack traces, markers), so there is no call tree to compare. To compare a failing call with a working one, capture it with the ",
                plural(records, "record")
            ))
            .code("function_graph")
            .text(" tracer (");
            return graph_advice(p, below);
        }
        let unknown: u64 = groups()
            .filter(|g| g.outcome == Outcome::Unknown)
            .map(|g| g.count)
            .sum();
        let results = if unknown == roots {
            format!(
                "whose results {the} {} not print",
                if one { "does" } else { "do" }
            )
        } else {
            "none of which failed where another succeeded".into()
        };
        p.text(format!(
            "No comparison: {the} {hold} no syscall, only {} rooted at the outermost traced call of a task ({}), {results}. To compare a failing call with a working one, capture the syscall itself (",
            plural(roots, "call tree"),
            roots_are(captures)
        ));
        return graph_advice(p, below);
    }
    if let Some(p) = failed_not_kept(captures, below) {
        return p;
    }
    if unknown == 0 {
        p.text(format!("No syscall failed in one capture and succeeded in another, so there is nothing to compare; {below}"));
        return p;
    }
    results_unknown(p, (unknown, all), &names, below)
}

/// "No comparison: N of M syscalls have no captured result …", with the
/// events that would give them.
fn results_unknown(
    mut p: Prose,
    (unknown, all): (u64, u64),
    names: &[String],
    below: &str,
) -> Prose {
    let (have, them) = if unknown == 1 {
        ("has", "it is not known to have")
    } else {
        ("have", "none of them is known to have")
    };
    p.text(format!(
        "No comparison: {unknown} of {} {have} no captured result (no exit event, no funcgraph-retval), so {them} failed or succeeded. ",
        plural(all, "syscall")
    ));
    p.text(if unknown == 1 {
        "To know it, enable "
    } else {
        "To know them, enable "
    });
    for (k, n) in names.iter().take(3).enumerate() {
        if k > 0 {
            p.text(", ");
        }
        p.code(format!("events/syscalls/sys_exit_{n}"));
    }
    p.text(" or ")
        .code("options/funcgraph-retval")
        .text(format!(" (Linux 6.5+) and capture again; {below}"));
    p
}

/// A failed syscall named in a sentence: title, errno, capture label.
type Failure<'a> = (&'a str, i32, &'a str);

/// Failed syscalls when none with a call tree in the report failed: their
/// calls were not traced (syscall events only) or their trees not kept (a
/// `--syscall` filter, `--keep 0`), so "no syscall failed" would be false.
/// Counted from the groups (every syscall); up to 3 named, as (title,
/// errno, capture label).
pub fn unkept_failures(captures: &[Capture]) -> Option<(u64, Vec<Failure<'_>>)> {
    let kept_failed = captures
        .iter()
        .flat_map(|c| &c.trace.syscalls)
        .any(|s| !s.root && s.failed() && s.tree.is_some());
    if kept_failed {
        return None;
    }
    let mut failed: Vec<Failure<'_>> = Vec::new();
    let mut count = 0;
    for c in captures {
        for g in c.trace.groups.iter().filter(|g| !g.root) {
            if let Outcome::Errno(e) = g.outcome {
                count += g.count;
                if failed.len() < 3 && !failed.iter().any(|f| f.0 == g.title && f.1 == e) {
                    failed.push((g.title.as_str(), e, c.label.as_str()));
                }
            }
        }
    }
    (count > 0).then_some((count, failed))
}

/// "a syscall failed, but no call tree of it is in the report (…): X
/// failed with …".
fn say_unkept(p: &mut Prose, count: u64, failed: &[Failure<'_>]) {
    p.text(if count == 1 {
        "a syscall failed, but no call tree of it is in the report (".to_string()
    } else {
        format!("{count} syscalls failed, but no call tree of them is in the report (")
    })
    .text("its calls were not traced, or ")
    .code("--syscall")
    .text(" or ")
    .code("--keep")
    .text(" did not keep it): ");
    for (k, (title, e, label)) in failed.iter().enumerate() {
        if k > 0 {
            p.text(", ");
        }
        let errno = crate::model::decode::errno_name(*e).map_or(String::new(), |n| format!(" {n}"));
        p.code(*title)
            .text(format!(" failed with -{e}{errno} in "))
            .code(*label);
    }
}

/// No comparison, and failures not kept: named instead of denied.
fn failed_not_kept(captures: &[Capture], below: &str) -> Option<Prose> {
    let (count, failed) = unkept_failures(captures)?;
    let mut p = Prose::default();
    p.text("No comparison: ");
    say_unkept(&mut p, count, &failed);
    p.text(format!("; {below}"));
    Some(p)
}

/// The end of the advice to graph the syscall itself.
fn graph_advice(mut p: Prose, below: &str) -> Prose {
    p.code("set_graph_function")
        .text(" on its ")
        .code("__x64_sys_NAME")
        .text(" wrapper, with ")
        .code("options/funcgraph-retval")
        .text(format!(" on Linux 6.5+); {below}"));
    p
}

/// What the roots of captures without syscalls are, in the verdict's words.
fn roots_are(captures: &[Capture]) -> &'static str {
    // No entry line at all: every tree is one return printed alone.
    if captures.iter().all(|c| c.trace.facts.calls == 0) {
        "each a return printed without its call: probably tracing_thresh, which prints only calls slower than it"
    } else {
        "a set_graph_function target, an interrupt, a call in progress when tracing started"
    }
}
