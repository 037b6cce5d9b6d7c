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
            return Some(sentence(captures, (c, s), &side, &chain, &span));
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
    p.text(", and ");
    no_good_run(
        &mut p,
        captures,
        (c, s),
        "no run where the call succeeds was given; capture one and run ",
    );
    Some(p)
}

/// The end of a lone failure's verdict: no run where the call succeeds was
/// given, or one was but the keep policy kept none of its trees (`--keep 1`
/// may keep a tree outside syscalls first), which is then said instead.
fn no_good_run(
    p: &mut Prose,
    captures: &[Capture],
    (c, s): (&Capture, &crate::model::Syscall),
    none: &str,
) {
    // The groups a comparison would have paired with: same title (name
    // and key argument: `bpf(BPF_MAP_CREATE)`, not any `bpf`).
    let title = s.title();
    let ok = captures.iter().find_map(|c| {
        let (n, calls) = (c.trace.groups.iter())
            .filter(|g| !g.root && g.title == title && g.outcome == crate::model::Outcome::Ok)
            .fold((0, 0), |(n, calls), g| (n + g.count, calls + g.calls));
        (n > 0).then_some((c, n, calls))
    });
    match ok {
        Some((c, n, calls)) => {
            let them = if n == 1 { "it" } else { "them" };
            p.code(c.label.as_str())
                .text(format!(" holds {n} "))
                .code(title.as_str())
                .text(if n == 1 { " syscall" } else { " syscalls" });
            if calls == 0 {
                // Syscall events alone: nothing of them could be kept.
                p.text(format!(
                    " that did not fail, but no traced call inside {them}; capture a working and a failing run with the "
                ))
                .code("function_graph")
                .text(" tracer");
                if captures
                    .iter()
                    .any(|c| super::audit::kernel_lacks_graph(&c.trace.facts))
                {
                    // The recording kernel has none: no switch would do.
                    p.text(" on a kernel built with ")
                        .code("CONFIG_FUNCTION_GRAPH_TRACER")
                        .text(" (the recording kernel offers no such tracer)");
                }
                p.text(" and run ")
                    .code("tracereport good.log bad.log")
                    .text(".");
                return;
            }
            p.text(format!(
                " that did not fail, but the keep policy kept no call tree of {them} ("
            ))
            .code("--keep")
            .text(", ")
            .code("--max-tree-calls")
            .text("), so nothing was compared; raise ")
            .code("--keep")
            .text(" (or ")
            .code("--max-tree-calls")
            .text(") and run again.");
        }
        None => match other_key(captures, s) {
            Some(ok) => other_key_words(p, ok, (c, s)),
            None => {
                p.text(none).code("tracereport good.log bad.log").text(".");
            }
        },
    }
}

/// A syscall of the same name that did not fail, with another key argument
/// (`socket(0x1)` beside a failing `socket(0x2e)`): pairing goes by title,
/// so the two were not compared; the sentence says so and how to compare
/// them anyway, instead of asking for a run that was given.
fn other_key<'c>(
    captures: &'c [Capture],
    s: &crate::model::Syscall,
) -> Option<(&'c Capture, &'c crate::model::Syscall)> {
    captures.iter().find_map(|c| {
        let ok = c.trace.syscalls.iter().find(|k| {
            !k.root && k.name == s.name && k.ret.is_some() && !k.failed() && k.tree.is_some()
        })?;
        Some((c, ok))
    })
}

fn other_key_words(
    p: &mut Prose,
    (gc, gs): (&Capture, &crate::model::Syscall),
    (bc, bs): (&Capture, &crate::model::Syscall),
) {
    p.code(gc.label.as_str())
        .text(" holds ")
        .code(gs.title().as_str())
        .text(" (")
        .code(format!("#{}", gs.index).as_str())
        .text("), which did not fail, but with another key argument than ")
        .code(bs.title().as_str())
        .text(" (")
        .code(format!("#{}", bs.index).as_str())
        .text("), so the two were not compared; ");
    // Labels come from file names: the command is offered only when both
    // are plain words (`--pair` splits at `:` and `#`; a shell at worst).
    if super::shell::is_ident(&gc.label) && super::shell::is_ident(&bc.label) {
        let arg = format!("{}#{}:{}#{}", gc.label, gs.index, bc.label, bs.index);
        p.code(format!("--pair '{arg}'").as_str())
            .text(" compares them.");
    } else {
        p.code("--pair")
            .text(" with those two numbers compares them.");
    }
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
    captures: &[Capture],
    (c, s): (&Capture, &crate::model::Syscall),
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
    p.text(". ");
    no_good_run(
        &mut p,
        captures,
        (c, s),
        "No capture of a run where the call succeeds was given, so the report cannot say which condition differs; capture one (same kernel, same tracing options) and run ",
    );
    p
}
