//! Stage 3: records in order → tasks, syscalls and their call trees.
//!
//! Input: [`crate::parse::Record`]s of one capture, in file order (through
//! [`Builder`]). Output: a [`Trace`]: the syscalls found (with call trees
//! for those the keep policy selects), per-path time aggregated over the
//! whole capture, the capture's observed options, and its warnings.
//!
//! Must not: know about text layout (that is `parse`), or compare captures
//! (that is `analyse`).

mod builder;
mod cpumap;
pub mod decode;
mod funcinfo;
mod groups;
pub mod intern;
mod irq_order;
pub mod paths;
mod recent;
pub mod syscall;
mod tasks;
pub mod tree;
pub mod warnings;

use serde::Serialize;

#[cfg(test)]
pub(crate) use builder::general_path_only;
pub use builder::{BuildOptions, Builder, DEFAULT_MAX_TASKS, DEFAULT_MAX_TREE_CALLS, MAX_DEPTH};
pub use groups::{KEEP_PER_GROUP, Outcome, SyscallGroup};
pub use intern::{FuncId, Interner};
pub use paths::PathTable;
pub use syscall::Syscall;
pub use tasks::TaskInfo;
pub use tree::{CallTree, Node, NodeFlags};
pub use warnings::{Warning, WarningKind, Warnings};

use crate::parse::InputFormat;

/// `CPU:N [LOST M EVENTS]` as found in a capture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LostEvents {
    /// The line.
    pub line: u64,
    /// The CPU whose buffer overflowed.
    pub cpu: u32,
    /// How many events, when printed.
    pub count: Option<u64>,
}

/// The `# tracereport-*` header `tracereport record` writes.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RecordedFacts {
    /// The command traced, shell-quoted.
    pub command: Option<String>,
    /// `file=value` settings written, in order.
    pub settings: Option<String>,
    /// Fallbacks and refusals while setting up.
    pub notes: Vec<String>,
}

/// What the capture itself shows about how it was taken: which columns and
/// options were on, what it lacks. The capture audit is made from this.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CaptureFacts {
    /// The format the lines were read as.
    pub format: Option<InputFormat>,
    /// `# tracer: NAME` when the header was present.
    pub tracer: Option<String>,
    /// The kernel release, when the capture names it (latency-format
    /// header `# … latency trace v1.1.5 on 6.1.0-56-amd64`).
    pub kernel: Option<String>,
    /// Per syscall, the argument names its entry event prints
    /// (`bpf` → `cmd, uattr, size`): they change between kernel versions.
    pub sys_event_args: std::collections::BTreeMap<String, String>,
    /// Calls carried their arguments (funcgraph-args / func-args).
    pub args: bool,
    /// Whether a `#` header was present (`trace`), or not (`trace_pipe`).
    pub has_header: bool,
    /// `# entries-in-buffer/entries-written: IN/WRITTEN #P:CPUS`.
    pub entries_in_buffer: Option<u64>,
    /// See `entries_in_buffer`.
    pub entries_written: Option<u64>,
    /// `#P:` CPUs.
    pub header_cpus: Option<u64>,
    /// Lines read.
    pub lines: u64,
    /// Lines that were records (not blank, not header).
    ///
    /// Every line read is exactly one of: a record, a layout line, a
    /// continued line, or a rejected line (one warning whose kind
    /// [`WarningKind::rejects_line`]). So no line is ever lost silently; the
    /// robustness tests check this ledger on every damaged capture.
    pub records: u64,
    /// Lines that only lay the text out: blank lines, `#` headers, rules.
    pub layout_lines: u64,
    /// Lines that continue a multi-line `/* … */` comment (a trace_marker
    /// message with newlines).
    pub continued_lines: u64,
    /// Bytes read (decompressed).
    pub bytes: u64,
    /// Bytes after the end of the gzip data, ignored as `gzip -d` ignores
    /// them (padding or an appended file): nothing of the capture is lost.
    pub trailing_bytes: u64,
    /// The CPU column was printed (funcgraph-cpu).
    pub col_cpu: bool,
    /// The task column was printed (funcgraph-proc, or a non-graph format).
    pub col_proc: bool,
    /// Absolute timestamps were printed (funcgraph-abstime, or a non-graph format).
    pub col_abstime: bool,
    /// Durations were printed (funcgraph-duration).
    pub col_duration: bool,
    /// Latency flags were printed (latency-format).
    pub col_flags: bool,
    /// `} /* name */` on most exits whose entry was seen (funcgraph-tail,
    /// or funcgraph-retval on 6.5–6.12, which always names the function).
    pub tail: bool,
    /// Return values were printed (funcgraph-retval).
    pub retval: bool,
    /// Syscall entry events seen.
    pub sys_enter_events: u64,
    /// Syscall exit events seen.
    pub sys_exit_events: u64,
    /// Context-switch blocks seen.
    pub context_switches: u64,
    /// `==========>` arrows seen.
    pub irq_arrows: u64,
    /// Events lost in all (sum of the counts printed).
    pub lost_events: u64,
    /// `LOST` lines.
    pub lost_lines: u64,
    /// `##### CPU N buffer started ####` lines.
    pub buffer_started: u64,
    /// Deepest call depth seen.
    pub max_depth: u32,
    /// Calls seen in all.
    pub calls: u64,
    /// Leaf calls at the deepest depth (a max_graph_depth cut looks like
    /// many leaves, all at the same depth).
    pub leaves_at_max_depth: u64,
    /// Calls at the deepest depth.
    pub calls_at_max_depth: u64,
    /// Leaf calls (`f();`) at any depth.
    pub leaves: u64,
    /// Trees were rebuilt from `<-parent` (function tracer).
    pub reconstructed: bool,
    /// CPUs that appear in the capture.
    pub cpus: Vec<u32>,
    /// First timestamp seen, ns.
    pub first_ts_ns: Option<u64>,
    /// Last timestamp seen, ns.
    pub last_ts_ns: Option<u64>,
    /// Some timestamp has digits below the µs. ftrace's default clocks
    /// print µs: without such digits a duration taken between two
    /// timestamps is known to the µs only.
    #[serde(skip)]
    pub ts_sub_us: bool,
    /// The last line had no newline.
    pub unterminated_last_line: bool,
    /// Lines that are not valid UTF-8.
    pub non_utf8_lines: u64,
    /// How `tracereport record` took it (its `# tracereport-*` header).
    pub recorded: Option<RecordedFacts>,
    /// Interrupts the kernel printed out of place (before the entry of the
    /// call they hit, or at the level of a call that was returning); put
    /// back under their call, not warned about (see `irq_order`).
    pub irq_out_of_place: u64,
}

/// Everything tracereport learned from one capture.
#[derive(Debug, Clone)]
pub struct Trace {
    /// What the capture showed about itself.
    pub facts: CaptureFacts,
    /// Function names.
    pub names: Interner,
    /// Tasks, indexed by `Syscall::task`.
    pub tasks: Vec<TaskInfo>,
    /// Syscalls kept in full (with call trees), in order of start.
    pub syscalls: Vec<Syscall>,
    /// Every syscall, grouped by name, key argument and outcome.
    pub groups: Vec<SyscallGroup>,
    /// Time per call path over the whole capture.
    pub paths: PathTable,
    /// Problems found.
    pub warnings: Warnings,
    /// `LOST` lines.
    pub lost: Vec<LostEvents>,
    /// Calls outside any syscall (interrupts in idle, kernel threads, the
    /// tail of the tracer's own write).
    pub calls_outside_syscalls: u64,
}
