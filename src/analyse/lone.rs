//! One capture with a failure and no run where the call succeeds: nothing
//! to compare, but printed return values still lead from the failing call
//! down to the deepest traced call that returned the error first (what the
//! kernel's own documentation of funcgraph-retval suggests doing by eye).

use crate::{load::Capture, model::syscall::RetSource};

use super::{
    Prose,
    noise::Noise,
    origin::lone_chain,
    side::{GlobalNames, Side},
};

/// The first failing syscall or root (in capture and file order) whose
/// return values show where its error came from, as a verdict.
pub fn lone_failure(captures: &[Capture]) -> Option<Prose> {
    let noise = Noise::default();
    let mut names = GlobalNames::default();
    let mut first_failure = None;
    for c in captures {
        for s in &c.trace.syscalls {
            if s.errno().is_none() {
                continue;
            }
            first_failure.get_or_insert((c, s));
            let Some(side) = Side::new(&c.trace, s, &mut names, &noise) else {
                continue;
            };
            let Some((chain, span)) = lone_chain(&side) else {
                continue;
            };
            return Some(sentence(c, s, &side, &chain, &span));
        }
    }
    let (c, s) = first_failure?;
    let mut p = failed(c, s);
    p.text(". Where the error was made cannot be placed: ");
    match &s.tree {
        None if c.trace.facts.calls == 0 => p.text(
            "the capture holds no traced call at all (syscall events only: a function_graph capture shows them)",
        ),
        // Its events enclose no traced call: the functions it ran were not
        // graphed (a set_graph_function filter elsewhere), not dropped.
        None if s.calls == 0 => p
            .text("the capture holds no traced call inside it (graph it with ")
            .code("set_graph_function")
            .text(" on its wrapper)"),
        None => p
            .text("its call tree was not kept (")
            .code("--keep")
            .text(" keeps more)"),
        Some(t) if t.nodes.iter().all(|n| n.ret.is_none()) => p
            .text("the calls inside it have no return values (")
            .code("options/funcgraph-retval")
            .text(", Linux 6.5+)"),
        Some(_) => p.text("no traced call inside it returned that errno"),
    };
    p.text(", and no run where the call succeeds was given; capture one and run ")
        .code("tracereport good.log bad.log")
        .text(".");
    Some(p)
}

/// "The `bpf` syscall failed with -22 EINVAL in `bad` (its sys_exit event)".
fn failed(c: &Capture, s: &crate::model::Syscall) -> Prose {
    let mut p = Prose::default();
    let e = s.errno().unwrap_or(0);
    let ename = crate::model::decode::errno_name(e).unwrap_or("?");
    if s.root {
        p.func(&s.name);
    } else {
        p.text("The ").code(s.name.as_str()).text(" syscall");
    }
    let basis = match s.ret_source {
        Some(RetSource::ExitEvent) => "its sys_exit event",
        _ => "its printed return value",
    };
    p.text(format!(" failed with -{e} {ename} in "))
        .code(c.label.as_str())
        .text(format!(" ({basis})"));
    p
}

fn sentence(
    c: &Capture,
    s: &crate::model::Syscall,
    side: &Side<'_>,
    chain: &[u32],
    span: &str,
) -> Prose {
    let mut p = failed(c, s);
    p.text(". Followed down by return values: ");
    for (k, &n) in chain.iter().enumerate() {
        if k > 0 {
            p.text(" → ");
        }
        p.func(side.name(n));
    }
    p.text(". ");
    p.extend(Prose::from_ticks(span));
    p.text(". No capture of a run where the call succeeds was given, so the report cannot say which condition differs; capture one (same kernel, same tracing options) and run ")
        .code("tracereport good.log bad.log")
        .text(".");
    p
}
