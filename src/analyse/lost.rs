//! Lost events, told by kind, because each kind has its own fix.
//!
//! * **Dropped in a pipe**: `CPU:N [LOST n EVENTS]` lines. The reader of
//!   `trace_pipe` (or trace-cmd) fell behind the writer: a bigger per-CPU
//!   buffer, or fewer events (narrower `set_graph_function`,
//!   `set_ftrace_pid`), keeps them.
//! * **Overwritten**: the ring buffer wrapped while nobody read it (the
//!   default overwrite mode, `trace` read after the run): only the *end*
//!   survived. The header's `entries-in-buffer/entries-written` counters
//!   say so, or `##### CPU N buffer started ####`, or, with neither, the
//!   data starting in the middle of a call (its first line returns from a
//!   call whose entry is gone) with no `LOST` line. Starting tracing earlier
//!   does not help there: a bigger buffer, or reading `trace_pipe` while it
//!   runs, does.

use crate::model::{Trace, WarningKind};

/// How a capture lost events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loss {
    /// Nothing lost that the capture shows.
    None,
    /// `LOST` lines: events dropped while read from a pipe.
    Dropped {
        /// Events, summed from the lines.
        events: u64,
        /// `LOST` lines.
        lines: u64,
    },
    /// The buffer wrapped: the start is gone (events, when counted).
    Overwritten {
        /// Events overwritten by the header's counters.
        counted: Option<u64>,
        /// Only the data's start in the middle of a call says so, which a
        /// capture started while the call ran shows as well.
        inferred: bool,
    },
}

/// Tell how `t` lost events.
pub fn diagnose(t: &Trace) -> Loss {
    let f = &t.facts;
    if f.lost_events > 0 || f.lost_lines > 0 {
        return Loss::Dropped {
            events: f.lost_events,
            lines: f.lost_lines,
        };
    }
    let counted = f
        .entries_written
        .zip(f.entries_in_buffer)
        .filter(|(wr, ib)| wr > ib)
        .map(|(wr, ib)| wr - ib);
    let marked = counted.is_some() || f.buffer_started > 0;
    if marked || starts_mid_call(t) {
        return Loss::Overwritten {
            counted,
            inferred: !marked,
        };
    }
    Loss::None
}

/// A `trace` file (with its header) whose first data line returns from a
/// call that is not in the capture.
fn starts_mid_call(t: &Trace) -> bool {
    let f = &t.facts;
    f.has_header
        && t.warnings
            .kept()
            .iter()
            .find(|w| w.kind == WarningKind::ExitWithoutEntry)
            .is_some_and(|w| w.line <= f.layout_lines + 1)
}

/// The fix for the next capture.
pub fn fix(l: Loss) -> Option<&'static str> {
    match l {
        Loss::None => None,
        Loss::Dropped { .. } => Some(
            "echo 16384 > /sys/kernel/tracing/buffer_size_kb   # per CPU; and/or fewer events: a narrower set_graph_function, set_ftrace_pid",
        ),
        Loss::Overwritten { .. } => Some(
            "echo 16384 > /sys/kernel/tracing/buffer_size_kb   # per CPU; or read while it runs: cat /sys/kernel/tracing/trace_pipe > trace.log",
        ),
    }
}

/// What happened, in words.
pub fn message(l: Loss) -> String {
    match l {
        Loss::None => "no events lost".into(),
        Loss::Dropped { events, lines } => format!(
            "{events} events lost in {} (the reader fell behind): trees near them are incomplete",
            super::prose::plural(lines, "`LOST` line")
        ),
        Loss::Overwritten {
            counted: Some(n), ..
        } => format!(
            "the ring buffer wrapped and overwrote older events ({n} by the header's counters): only the end of the run survived"
        ),
        Loss::Overwritten {
            counted: None,
            inferred: false,
        } => "the ring buffer wrapped (overwrite mode; `##### CPU N buffer started ####`): a CPU's older events were overwritten, only the end of the run survived".into(),
        Loss::Overwritten {
            counted: None,
            inferred: true,
        } => "the capture starts in the middle of a call: the ring buffer may have wrapped (overwrite mode) and kept only the end of the run, or tracing began while the call ran; this capture cannot tell which".into(),
    }
}
