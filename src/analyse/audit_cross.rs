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
                        "`{}` shows {} and this capture does not: the comparison cannot use them",
                        o.label, s.what
                    ),
                    Some(fix),
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
    if graph(c) {
        return;
    }
    if let Some(o) = others.iter().find(|o| graph(o)) {
        items.push(item(
            AuditStatus::Warn,
            "differs-tracer",
            format!(
                "`{}` was taken with function_graph, this capture with the function tracer: its trees are rebuilt and have no durations or returns, so differences in shape may be the tracer's",
                o.label
            ),
            Some("echo function_graph > /sys/kernel/tracing/current_tracer"),
        ));
    }
}

fn events_item(c: &Capture, others: &[&Capture], items: &mut Vec<AuditItem>) {
    let f = &c.trace.facts;
    if f.sys_enter_events > 0 {
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
