//! The capture audit: before anyone trusts a diff, what does the capture
//! itself say about how it was taken, and which `echo` fixes each gap?
//! The judgements (was the buffer too small, did max_graph_depth cut the
//! trees, which option was off) are made here; render only prints them.

use serde::Serialize;

use crate::{
    model::{CaptureFacts, Trace, WarningKind},
    parse::InputFormat,
};

use super::{
    lost::{self, Loss},
    prose::plural,
};

/// A capture audit point's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AuditStatus {
    /// Nothing to fix.
    Ok,
    /// Usable, with a caveat.
    Warn,
    /// An option that would have answered the question was off.
    Missing,
}

impl AuditStatus {
    /// The schema's word (also the page's CSS class).
    pub fn name(self) -> &'static str {
        match self {
            AuditStatus::Ok => "ok",
            AuditStatus::Warn => "warn",
            AuditStatus::Missing => "missing",
        }
    }
}

impl std::fmt::Display for AuditStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One point of the capture audit.
#[derive(Debug, Clone, Serialize)]
pub struct AuditItem {
    /// `ok`, `warn` or `missing`.
    pub status: AuditStatus,
    /// What it is about (`lost-events`, `retval`, …).
    pub topic: String,
    /// What the capture shows.
    pub message: String,
    /// The command that fixes it for the next capture.
    pub fix: Option<String>,
}

/// One audit point.
pub(super) fn item(
    status: AuditStatus,
    topic: &str,
    message: String,
    fix: Option<&str>,
) -> AuditItem {
    AuditItem {
        status,
        topic: topic.to_string(),
        message,
        fix: fix.map(str::to_string),
    }
}

/// Audit one capture.
pub fn audit(t: &Trace) -> Vec<AuditItem> {
    let f = &t.facts;
    let mut out = Vec::new();
    lost_items(t, &mut out);
    damage_items(t, &mut out);
    tracer_items(f, &mut out);
    column_items(f, &mut out);
    if let Some(r) = &f.recorded {
        recorded_items(r, &mut out);
    }
    if f.format == Some(InputFormat::TraceCmd) {
        for i in &mut out {
            if let Some(fix) = i.fix.as_deref().and_then(super::audit_tool::for_trace_cmd) {
                i.fix = Some(fix);
            }
        }
    }
    if f.trailing_bytes > 0 {
        out.push(item(
            AuditStatus::Ok,
            "trailing-data",
            format!(
                "{} after the end of the gzip data {} ignored (as `gzip -d` does): the capture itself is complete",
                plural(f.trailing_bytes, "byte"),
                if f.trailing_bytes == 1 { "was" } else { "were" }
            ),
            None,
        ));
    }
    out
}

/// Lost or overwritten events, told by kind ([`super::lost`]).
fn lost_items(t: &Trace, out: &mut Vec<AuditItem>) {
    let loss = lost::diagnose(t);
    let (status, topic) = match loss {
        Loss::None => (AuditStatus::Ok, "lost-events"),
        Loss::Dropped { .. } => (AuditStatus::Warn, "lost-events"),
        Loss::Overwritten { .. } => (AuditStatus::Warn, "overwritten"),
    };
    out.push(item(status, topic, lost::message(loss), lost::fix(loss)));
}

/// Returns and no call entry at all: what function_graph prints with
/// `tracing_thresh` set (perf-tools' funcslower), the return of each call
/// slower than the threshold; starting mid-call cannot explain a capture
/// that never shows an entry.
fn returns_only(returns: u64) -> AuditItem {
    item(
        AuditStatus::Warn,
        "exits-without-entry",
        format!(
            "only returns are printed ({}) and no call entry at all: probably a tracing_thresh capture (funcslower), which prints a call's return only when it took longer than the threshold; no call inside them is shown",
            plural(returns, "return")
        ),
        Some("echo 0 > /sys/kernel/tracing/tracing_thresh   # every call, with its entry"),
    )
}

/// Calls cut at either end, a cut file, lines that are not ftrace output.
fn damage_items(t: &Trace, out: &mut Vec<AuditItem>) {
    let f = &t.facts;
    let w = &t.warnings;
    // With events lost, missing entries and returns are the buffer's doing.
    let loss = lost::diagnose(t);
    let overflowed = loss != Loss::None;
    let bigger_buffer = lost::fix(loss).unwrap_or_default();
    let (unseen, mismatch) = (
        w.count(WarningKind::ExitWithoutEntry),
        w.count(WarningKind::NameMismatch),
    );
    if f.calls == 0 && unseen > 0 && f.format == Some(InputFormat::Graph) {
        out.push(returns_only(unseen));
    } else if unseen + mismatch > 0 {
        let kinds = if mismatch > 0 {
            format!(" ({unseen} exit-without-entry and {mismatch} name-mismatch warnings)")
        } else {
            String::new()
        };
        out.push(item(
            AuditStatus::Warn,
            "exits-without-entry",
            format!(
                "entry lines are missing at {}{kinds}: a `}}` without its call, or calls below callers whose entry is not shown; tracing started mid-call or entries were lost",
                plural(unseen + mismatch, "place")
            ),
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
            AuditStatus::Warn,
            "exits-not-captured",
            format!(
                "{} never returned in the capture (a caller whose entry is not shown either counts too): tracing stopped mid-call or returns were lost",
                plural(no_exit, "call")
            ),
            Some(if overflowed {
                bigger_buffer
            } else {
                "echo 0 > /sys/kernel/tracing/tracing_on   # only after the call returned"
            }),
        ));
    }
    if w.count(WarningKind::TruncatedInput) > 0 {
        out.push(item(
            AuditStatus::Warn,
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
            AuditStatus::Warn,
            "unreadable-lines",
            format!(
                "{} {} not ftrace output (edited, cut, or another format mixed in)",
                plural(unreadable, "line"),
                if unreadable == 1 { "is" } else { "are" }
            ),
            None,
        ));
    }
}

/// What the tracer cannot show, when it is not function_graph.
fn tracer_lacks(f: &CaptureFacts) -> Option<&'static str> {
    if f.tracer.as_deref() == Some("nop") {
        Some("nop tracer: events only, no kernel functions, so no call trees")
    } else if f.reconstructed && f.calls == 0 {
        // Kprobe, tracepoint or stack-trace lines in the function layout:
        // no call of any tracer's, so nothing was rebuilt either.
        Some(
            "events only (kprobes, tracepoints, stack traces): no traced function call, so no call trees",
        )
    } else if f.reconstructed {
        Some(
            "function tracer: call trees are rebuilt from `<-parent` or trace-cmd's indentation (inferred: a call whose caller is not traced goes under the innermost open call) and have no durations or returns",
        )
    } else {
        None
    }
}

/// The start of the note `tracereport record` writes in a capture's
/// header when the kernel lists no `tracer` (`record/setup.rs`): the audit
/// and the verdict read it back.
pub fn tracer_missing_note(tracer: &str) -> String {
    format!("{tracer} tracer not available")
}

/// `tracereport record` noted that the recording kernel offers no
/// function_graph tracer: no switch gives this capture call trees, only
/// another kernel build.
pub(crate) fn kernel_lacks_graph(f: &CaptureFacts) -> bool {
    let note = tracer_missing_note("function_graph");
    f.recorded
        .as_ref()
        .is_some_and(|r| r.notes.iter().any(|n| n.starts_with(&note)))
}

/// What the tracer cannot show, with the switch that fixes it: none where
/// the kernel offers no function_graph tracer ([`kernel_lacks_graph`]).
fn tracer_item(f: &CaptureFacts) -> Option<AuditItem> {
    let text = tracer_lacks(f)?;
    let (text, fix) = if kernel_lacks_graph(f) {
        (
            format!(
                "{text}; the recording kernel offers no function_graph tracer (see below), so call trees need a capture on a kernel built with CONFIG_FUNCTION_GRAPH_TRACER"
            ),
            None,
        )
    } else {
        (
            text.to_string(),
            Some("echo function_graph > /sys/kernel/tracing/current_tracer"),
        )
    };
    Some(item(AuditStatus::Missing, "tracer", text, fix))
}

/// The tracer, a depth cut, and the graph options that were off.
fn tracer_items(f: &CaptureFacts, out: &mut Vec<AuditItem>) {
    let graph = matches!(
        f.format,
        Some(crate::parse::InputFormat::Graph) | Some(crate::parse::InputFormat::TraceCmd)
    ) && !f.reconstructed;
    out.extend(tracer_item(f));
    if !graph {
        return;
    }
    if depth_cut(f) {
        out.push(item(
                AuditStatus::Warn,
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
            AuditStatus::Ok,
            "retval",
            "return values printed (funcgraph-retval)".into(),
            None,
        ));
    } else {
        out.push(item(
                AuditStatus::Missing,
                "retval",
                "no return values: which callee produced the errno cannot be seen".into(),
                Some("echo 1 > /sys/kernel/tracing/options/funcgraph-retval   # Linux 6.5+, CONFIG_FUNCTION_GRAPH_RETVAL"),
            ));
    }
    if !f.col_duration {
        out.push(item(
            AuditStatus::Missing,
            "duration",
            "no durations: untraced (inlined) time cannot be measured".into(),
            Some("echo 1 > /sys/kernel/tracing/options/funcgraph-duration"),
        ));
    }
    if !f.col_abstime {
        out.push(item(
            AuditStatus::Missing,
            "abstime",
            "no timestamps: untraced time cannot be placed between callees".into(),
            Some("echo 1 > /sys/kernel/tracing/options/funcgraph-abstime"),
        ));
    } else if stalled_clock(f) {
        out.push(item(
            AuditStatus::Warn,
            "abstime",
            format!("all {} calls show one and the same timestamp although they have durations: the clock did not advance in this capture (seen on a 7.3 guest with funcgraph-abstime alone), so the timestamps place no untraced time", f.calls),
            None,
        ));
    }
}

/// Every timestamp of a capture of timed calls is the same: the printed
/// times stood still (a real 7.3 QEMU capture), so they place nothing.
fn stalled_clock(f: &CaptureFacts) -> bool {
    f.col_duration && f.calls >= 10 && f.first_ts_ns.is_some() && f.first_ts_ns == f.last_ts_ns
}

/// The task column and syscall events.
fn column_items(f: &CaptureFacts, out: &mut Vec<AuditItem>) {
    if f.col_proc {
        out.push(item(
            AuditStatus::Ok,
            "task",
            "task names and pids printed".into(),
            None,
        ));
    } else {
        let many = f.cpus.len() > 1 || f.context_switches > 0;
        out.push(item(
            if many { AuditStatus::Warn } else { AuditStatus::Missing },
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
            AuditStatus::Missing,
            "syscall-events",
            "no syscall events: arguments and results are unknown unless funcgraph-retval shows them".into(),
            Some("echo 1 > /sys/kernel/tracing/events/syscalls/sys_enter_NAME/enable; echo 1 > /sys/kernel/tracing/events/syscalls/sys_exit_NAME/enable"),
        ));
    } else {
        out.push(item(
            AuditStatus::Ok,
            "syscall-events",
            format!(
                "{} syscall entry and {} exit events",
                f.sys_enter_events, f.sys_exit_events
            ),
            None,
        ));
    }
}

/// Whether `max_graph_depth` probably cut the trees: the deepest calls of
/// any tree are leaves, and a depth cut shows as most of all leaves
/// sitting at that one shallow depth.
pub(crate) fn depth_cut(f: &CaptureFacts) -> bool {
    f.max_depth <= 10
        && f.calls_at_max_depth >= 3
        && f.leaves_at_max_depth == f.calls_at_max_depth
        && f.leaves_at_max_depth * 2 >= f.leaves
}

/// What `tracereport record`'s header says: the command, and each fallback
/// (a tracer that could not run, an option the kernel lacks) as a warning.
fn recorded_items(r: &crate::model::RecordedFacts, out: &mut Vec<AuditItem>) {
    // Header text is untrusted: no backtick may open or close a code span.
    let plain = |s: &str| s.replace('`', "'");
    let cmd = plain(r.command.as_deref().unwrap_or("?"));
    out.push(item(
        AuditStatus::Ok,
        "recorded",
        format!("recorded by `tracereport record` running `{cmd}`"),
        None,
    ));
    for n in &r.notes {
        out.push(item(AuditStatus::Warn, "record-note", plain(n), None));
    }
}
