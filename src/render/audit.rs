//! The capture audit: before anyone trusts a diff, what does the capture
//! itself say about how it was taken, and which `echo` fixes each gap?

use crate::{
    analyse::lost::{self, Loss},
    model::{Trace, WarningKind},
};

use super::view::AuditItem;

/// One audit point.
pub(super) fn item(status: &str, topic: &str, message: String, fix: Option<&str>) -> AuditItem {
    AuditItem {
        status: status.to_string(),
        topic: topic.to_string(),
        message,
        fix: fix.map(str::to_string),
    }
}

/// Audit one capture.
pub fn audit(t: &Trace) -> Vec<AuditItem> {
    let f = &t.facts;
    let w = &t.warnings;
    let graph = matches!(
        f.format,
        Some(crate::parse::InputFormat::Graph) | Some(crate::parse::InputFormat::TraceCmd)
    ) && !f.reconstructed;
    let mut out = Vec::new();

    let loss = crate::analyse::lost::diagnose(t);
    let (status, topic) = match loss {
        Loss::None => ("ok", "lost-events"),
        Loss::Dropped { .. } => ("warn", "lost-events"),
        Loss::Overwritten { .. } => ("warn", "overwritten"),
    };
    out.push(item(status, topic, lost::message(loss), lost::fix(loss)));

    // With events lost, missing entries and returns are the buffer's doing.
    let overflowed = loss != Loss::None;
    let bigger_buffer = lost::fix(loss).unwrap_or_default();
    let no_entry = w.count(WarningKind::ExitWithoutEntry) + w.count(WarningKind::NameMismatch);
    if no_entry > 0 {
        out.push(item(
            "warn",
            "exits-without-entry",
            format!("{no_entry} return(s) without their call: tracing started mid-call or entries were lost"),
            Some(if overflowed {
                bigger_buffer
            } else {
                "echo 1 > /sys/kernel/tracing/tracing_on   # before the program starts the call"
            }),
        ));
    }
    let no_exit = w.count(WarningKind::ExitNotCaptured);
    if no_exit > 0 {
        out.push(item(
            "warn",
            "exits-not-captured",
            format!("{no_exit} call(s) never returned in the capture: tracing stopped mid-call or returns were lost"),
            Some(if overflowed {
                bigger_buffer
            } else {
                "echo 0 > /sys/kernel/tracing/tracing_on   # only after the call returned"
            }),
        ));
    }
    if w.count(WarningKind::TruncatedInput) > 0 {
        out.push(item(
            "warn",
            "cut",
            format!(
                "the compressed file ends early after line {}: the rest of the capture is lost",
                f.lines
            ),
            None,
        ));
    }
    let unreadable = w.count(WarningKind::Unreadable)
        + w.count(WarningKind::Elision)
        + w.count(WarningKind::TruncatedLine);
    if unreadable > 0 {
        out.push(item(
            "warn",
            "unreadable-lines",
            format!("{unreadable} line(s) are not ftrace output (edited, cut, or another format mixed in)"),
            None,
        ));
    }

    if f.reconstructed {
        out.push(item(
            "missing",
            "tracer",
            "function tracer: call trees are rebuilt from `<-parent` and have no durations or returns".into(),
            Some("echo function_graph > /sys/kernel/tracing/current_tracer"),
        ));
    }
    if graph {
        // The deepest calls of any tree are leaves; a max_graph_depth cut
        // shows as most of all leaves sitting at that one shallow depth.
        let cut = f.max_depth <= 10
            && f.calls_at_max_depth >= 3
            && f.leaves_at_max_depth == f.calls_at_max_depth
            && f.leaves_at_max_depth * 2 >= f.leaves;
        if cut {
            out.push(item(
                "warn",
                "depth",
                format!(
                    "every call at depth {} is a leaf and none is deeper: max_graph_depth probably cut the trees",
                    f.max_depth + 1
                ),
                Some("echo 0 > /sys/kernel/tracing/max_graph_depth"),
            ));
        }
        if f.retval {
            out.push(item(
                "ok",
                "retval",
                "return values printed (funcgraph-retval)".into(),
                None,
            ));
        } else {
            out.push(item(
                "missing",
                "retval",
                "no return values: which callee produced the errno cannot be seen".into(),
                Some("echo 1 > /sys/kernel/tracing/options/funcgraph-retval   # Linux 6.5+, CONFIG_FUNCTION_GRAPH_RETVAL"),
            ));
        }
        if !f.col_duration {
            out.push(item(
                "missing",
                "duration",
                "no durations: untraced (inlined) time cannot be measured".into(),
                Some("echo 1 > /sys/kernel/tracing/options/funcgraph-duration"),
            ));
        }
        if !f.col_abstime {
            out.push(item(
                "missing",
                "abstime",
                "no timestamps: untraced time cannot be placed between callees".into(),
                Some("echo 1 > /sys/kernel/tracing/options/funcgraph-abstime"),
            ));
        }
    }
    if f.col_proc {
        out.push(item(
            "ok",
            "task",
            "task names and pids printed".into(),
            None,
        ));
    } else {
        let many = f.cpus.len() > 1 || f.context_switches > 0;
        out.push(item(
            if many { "warn" } else { "missing" },
            "task",
            if many {
                "no task column on a multi-CPU/multi-task capture: tasks are told apart only by context-switch blocks".into()
            } else {
                "no task column: lines are attributed to their CPU".into()
            },
            Some("echo 1 > /sys/kernel/tracing/options/funcgraph-proc"),
        ));
    }
    if f.sys_enter_events + f.sys_exit_events == 0 {
        out.push(item(
            "missing",
            "syscall-events",
            "no syscall events: arguments and results are unknown unless funcgraph-retval shows them".into(),
            Some("echo 1 > /sys/kernel/tracing/events/syscalls/sys_enter_NAME/enable; echo 1 > /sys/kernel/tracing/events/syscalls/sys_exit_NAME/enable"),
        ));
    } else {
        out.push(item(
            "ok",
            "syscall-events",
            format!(
                "{} syscall entry and {} exit events",
                f.sys_enter_events, f.sys_exit_events
            ),
            None,
        ));
    }
    out
}
