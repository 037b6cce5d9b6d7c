//! The capture audit across captures: a diff of a good and a bad run is only
//! as good as the two captures are alike. A different tracer or a missing
//! option on one side makes calls look added or removed; a different kernel
//! moves inlining and traceable functions. Each capture gets the settings it
//! lacks compared with the others, with the `echo` that fixes its next
//! capture.

use crate::analyse::shell::quoted;
use crate::{load::Capture, model::CaptureFacts, parse::InputFormat};

use super::audit::{AuditItem, AuditStatus, item};

/// One tracer setting a capture shows or not.
struct Setting {
    topic: &'static str,
    what: &'static str,
    shown: fn(&CaptureFacts) -> bool,
    /// The fix for a capture in this format; `None` when the setting does
    /// not apply to it.
    fix: fn(Option<InputFormat>) -> Option<&'static str>,
}

/// `fix` for function_graph captures (kernel text or trace-cmd); the
/// function tracer has no such option.
fn graph_only(f: Option<InputFormat>, fix: &'static str) -> Option<&'static str> {
    matches!(f, Some(InputFormat::Graph | InputFormat::TraceCmd)).then_some(fix)
}

const SETTINGS: [Setting; 5] = [
    Setting {
        topic: "retval",
        what: "return values (funcgraph-retval)",
        shown: |f| f.retval,
        fix: |f| {
            graph_only(
                f,
                "echo 1 > /sys/kernel/tracing/options/funcgraph-retval   # Linux 6.5+",
            )
        },
    },
    Setting {
        topic: "args",
        what: "call arguments (funcgraph-args / func-args)",
        shown: |f| f.args,
        fix: |f| match f {
            Some(InputFormat::Function) => {
                Some("echo 1 > /sys/kernel/tracing/options/func-args   # Linux 6.15+")
            }
            _ => Some("echo 1 > /sys/kernel/tracing/options/funcgraph-args   # Linux 6.15+"),
        },
    },
    Setting {
        topic: "task",
        what: "the task column (funcgraph-proc)",
        shown: |f| f.col_proc,
        fix: |f| graph_only(f, "echo 1 > /sys/kernel/tracing/options/funcgraph-proc"),
    },
    Setting {
        topic: "abstime",
        what: "timestamps (funcgraph-abstime)",
        shown: |f| f.col_abstime,
        fix: |f| graph_only(f, "echo 1 > /sys/kernel/tracing/options/funcgraph-abstime"),
    },
    Setting {
        topic: "duration",
        what: "durations (funcgraph-duration)",
        shown: |f| f.col_duration,
        fix: |f| graph_only(f, "echo 1 > /sys/kernel/tracing/options/funcgraph-duration"),
    },
];

/// How many of the settings the audit compares two captures differ in
/// (tracer, options, syscall events): which of two equally close good runs
/// a bad run is compared with.
pub fn settings_apart(a: &CaptureFacts, b: &CaptureFacts) -> usize {
    let options = SETTINGS
        .iter()
        .filter(|s| (s.shown)(a) != (s.shown)(b))
        .count();
    options
        + usize::from(a.reconstructed != b.reconstructed)
        + usize::from((a.sys_enter_events > 0) != (b.sys_enter_events > 0))
}

/// Audit items comparing each capture with the others, in capture order.
pub fn cross_audit(captures: &[Capture]) -> Vec<Vec<AuditItem>> {
    let mut out: Vec<Vec<AuditItem>> = vec![Vec::new(); captures.len()];
    if captures.len() < 2 {
        return out;
    }
    for (i, c) in captures.iter().enumerate() {
        let f = &c.trace.facts;
        let others: Vec<&Capture> = captures
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, o)| o)
            .collect();
        let items = &mut out[i];
        tracer_item(c, &others, items);
        for s in &SETTINGS {
            let Some(fix) = (s.fix)(f.format) else {
                continue;
            };
            if (s.shown)(f) {
                continue;
            }
            // Only like with like: the function tracer's own columns say
            // nothing about a function_graph capture's options.
            let same_tracer = |o: &&&Capture| o.trace.facts.reconstructed == f.reconstructed;
            if let Some(o) = others
                .iter()
                .filter(same_tracer)
                .find(|o| (s.shown)(&o.trace.facts))
            {
                items.push(item(
                    AuditStatus::Warn,
                    &format!("differs-{}", s.topic),
                    format!(
                        "`{}` shows {} and this capture does not: a comparison of the two cannot use them",
                        o.label, s.what
                    ),
                    Some(fix),
                ));
            }
        }
        for s in &SETTINGS {
            // The other side of the above: this capture shows what another
            // lacks (its fix is in the other's audit).
            let lacks = |o: &&&Capture| {
                let of = &o.trace.facts;
                of.reconstructed == f.reconstructed
                    && (s.fix)(of.format).is_some()
                    && (s.shown)(f)
                    && !(s.shown)(of)
            };
            if let Some(o) = others.iter().find(lacks) {
                items.push(item(
                    AuditStatus::Warn,
                    &format!("differs-{}", s.topic),
                    format!(
                        "this capture shows {} and `{}` does not: a comparison of the two cannot use them",
                        s.what, o.label
                    ),
                    None,
                ));
            }
        }
        events_item(c, &others, items);
        kernel_item(c, &others, items);
        if items.is_empty() {
            let names: Vec<String> = others.iter().map(|o| format!("`{}`", o.label)).collect();
            items.push(item(
                AuditStatus::Ok,
                "same-settings",
                format!(
                    "same tracer, options and syscall event format as {}",
                    names.join(", ")
                ),
                None,
            ));
        }
    }
    out
}

fn tracer_item(c: &Capture, others: &[&Capture], items: &mut Vec<AuditItem>) {
    let graph = |x: &Capture| !x.trace.facts.reconstructed;
    let Some(o) = others.iter().find(|o| graph(o) != graph(c)) else {
        return;
    };
    let (fg, function) = if graph(c) {
        (String::from("this capture"), format!("`{}`", o.label))
    } else {
        (format!("`{}`", o.label), String::from("this capture"))
    };
    items.push(item(
        AuditStatus::Warn,
        "differs-tracer",
        format!(
            "{fg} was taken with function_graph, {function} with the function tracer: its trees are rebuilt and have no durations or returns, so differences in shape may be the tracer's"
        ),
        (!graph(c)).then_some("echo function_graph > /sys/kernel/tracing/current_tracer"),
    ));
}

fn events_item(c: &Capture, others: &[&Capture], items: &mut Vec<AuditItem>) {
    let f = &c.trace.facts;
    if f.sys_enter_events > 0 {
        // The other side of the warning below: its fix is in the other
        // capture's audit.
        let none = (!f.sys_event_args.is_empty())
            .then(|| others.iter().find(|o| o.trace.facts.sys_enter_events == 0))
            .flatten();
        if let Some(o) = none {
            items.push(item(
                AuditStatus::Warn,
                "differs-syscall-events",
                format!(
                    "this capture has syscall entry/exit events and `{}` has none: arguments and results are known on one side only",
                    o.label
                ),
                None,
            ));
        }
        return;
    }
    let Some((o, name)) = others.iter().find_map(|o| {
        o.trace
            .facts
            .sys_event_args
            .keys()
            .next()
            .map(|n| (o, n.clone()))
    }) else {
        return;
    };
    // The name comes from the other capture: into the shell line only as a
    // quoted kernel identifier.
    let path = |dir: &str| {
        quoted(
            &format!("/sys/kernel/tracing/events/syscalls/{dir}"),
            &name,
            "/enable",
        )
    };
    let fix = match (path("sys_enter_"), path("sys_exit_")) {
        (Some(enter), Some(exit)) => Some(format!("echo 1 > {enter}; echo 1 > {exit}")),
        _ => None,
    };
    items.push(AuditItem {
        status: AuditStatus::Warn,
        topic: "differs-syscall-events".into(),
        message: format!(
            "`{}` has syscall entry/exit events and this capture has none: arguments and results are known on one side only",
            o.label
        ),
        fix,
    });
}

/// Different kernels: named in latency-format headers, or told by the
/// arguments a syscall's entry event prints (they grew between releases:
/// `sys_bpf(cmd, uattr, size)` on 6.1, five arguments on 7.3).
fn kernel_item(c: &Capture, others: &[&Capture], items: &mut Vec<AuditItem>) {
    let f = &c.trace.facts;
    for o in others {
        let of = &o.trace.facts;
        if let (Some(a), Some(b)) = (&f.kernel, &of.kernel) {
            if a != b {
                items.push(kernel_warning(format!(
                    "this capture is from kernel {a}, `{}` from {b}",
                    o.label
                )));
                return;
            }
            continue;
        }
        let differs = f.sys_event_args.iter().find_map(|(name, args)| {
            of.sys_event_args
                .get(name)
                .filter(|other| *other != args)
                .map(|other| (name, args, other))
        });
        if let Some((name, args, other)) = differs {
            items.push(kernel_warning(format!(
                "`sys_{name}` events print `{args}` here and `{other}` in `{}`: the captures come from different kernels",
                o.label
            )));
            return;
        }
    }
}

fn kernel_warning(what: String) -> AuditItem {
    AuditItem {
        status: AuditStatus::Warn,
        topic: "differs-kernel".into(),
        message: format!(
            "{what}; inlining, traceable functions and code paths may differ too, so a difference can be the kernel's and not the failure's (`uname -r` on both machines; a capture from one kernel with and without the failure is the clean comparison)"
        ),
        fix: None,
    }
}
