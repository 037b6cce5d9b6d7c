//! The report as data: one owned, sorted view built once from the captures
//! and the analysis. `report.json` is this struct serialised; the Markdown
//! and HTML templates read the same values, so the three cannot disagree.
//!
//! The schema is documented in `docs/report-schema.md`; fields are only ever
//! added.

use serde::Serialize;

use crate::{
    analyse::Prose,
    load::{CaptureDigest, Compression},
    model::WarningKind,
    parse::InputFormat,
};

mod compare;
mod trees;

pub use compare::*;
pub use trees::*;

pub use super::units::{GroupOutcome, Nanos, NodeFlags, NodeId, Pair};
pub use crate::analyse::{
    audit::{AuditItem, AuditStatus},
    origin::Evidence,
    retval::{RetJson, RetKind},
};

/// Version of the JSON schema (bumped only on incompatible change).
pub const SCHEMA_VERSION: u32 = 2;

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Schema version.
    pub schema_version: u32,
    /// `tracereport x.y.z`.
    pub generator: String,
    /// The report's title.
    pub title: String,
    /// The first comparison's verdict as text (empty without comparison).
    pub verdict: String,
    /// The verdict with code spans marked, for renderers.
    #[serde(skip)]
    pub verdict_prose: Prose,
    /// The inputs.
    pub captures: Vec<CaptureView>,
    /// The good/bad comparisons.
    pub comparisons: Vec<ComparisonView>,
    /// The noise list used to decide divergences.
    pub noise: Vec<String>,
    /// Problems with the request itself (an unresolvable `--pair`).
    pub notes: Vec<String>,
    /// Source-link base (`--kernel-version`), e.g. `https://elixir.bootlin.com/linux/v6.1.90/A/ident/`.
    pub source_link_base: Option<String>,
    /// `--kernel-version` as given, without a leading `v` (the page names it).
    #[serde(skip)]
    pub kernel_version: Option<String>,
    /// What the size budget cut (`--max-report-calls`); omitted when
    /// nothing was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub truncation: Option<Truncation>,
}

impl Report {
    /// The kernels the captures name themselves (a latency-format header,
    /// `tracereport record`'s `# tracereport-kernel:`), each with its
    /// capture's label: `6.18.44 (bad)`.
    pub fn kernels_named(&self) -> Vec<String> {
        self.captures
            .iter()
            .filter_map(|c| c.kernel.as_ref().map(|k| format!("{k} ({})", c.label)))
            .collect()
    }
}

/// What the report's size budget cut: the trees and alignments it keeps
/// only part of.
#[derive(Debug, Clone, Serialize)]
pub struct Truncation {
    /// The budget: calls and aligned rows kept, all together.
    pub max_report_calls: usize,
    /// Calls and aligned rows there were.
    pub total: usize,
    /// What the report says about it.
    pub message: String,
    /// Trees kept in part.
    pub trees: Vec<TreeCut>,
    /// Alignments kept in part.
    pub aligned: Vec<RowsCut>,
}

impl Truncation {
    /// The record and its sentence.
    pub fn new(max: usize, total: usize, trees: Vec<TreeCut>, aligned: Vec<RowsCut>) -> Self {
        let cut: usize = trees.iter().map(|t| t.calls - t.kept).sum::<usize>()
            + aligned.iter().map(|a| a.rows - a.kept).sum::<usize>();
        let message = format!(
            "This report keeps {} of the {total} calls and aligned rows of its trees and \
             alignments: {} and {} are cut to the budget of {max} \
             (`--max-report-calls` raises it; the calls the kept rows show are kept beyond \
             it). Kept first, as far as the budget goes: the rows around the first divergence, the calls on the way to \
             it and to the error origin, then the first calls in call order. The analysis \
             used every call; report.json's `truncation` lists each cut.",
            total.saturating_sub(cut),
            crate::analyse::prose::plural(trees.len() as u64, "tree"),
            crate::analyse::prose::plural(aligned.len() as u64, "alignment"),
        );
        Truncation {
            max_report_calls: max,
            total,
            message,
            trees,
            aligned,
        }
    }
}

/// One tree kept in part.
#[derive(Debug, Clone, Serialize)]
pub struct TreeCut {
    /// Capture index.
    pub capture: usize,
    /// Syscall `#N`.
    pub syscall: usize,
    /// Calls kept.
    pub kept: usize,
    /// Calls in the capture's tree.
    pub calls: usize,
}

/// One comparison's aligned rows kept in part.
#[derive(Debug, Clone, Serialize)]
pub struct RowsCut {
    /// Comparison index.
    pub comparison: usize,
    /// Rows kept.
    pub kept: usize,
    /// Rows of the whole alignment.
    pub rows: usize,
    /// The kept rows as `[start, end)` row numbers of the whole alignment,
    /// in order: `aligned` holds exactly these.
    pub ranges: Vec<[usize; 2]>,
    /// Minor differences whose rows were cut (left out of
    /// `minor_differences`).
    pub minor_differences_left_out: usize,
}

/// One input capture.
#[derive(Debug, Clone, Serialize)]
pub struct CaptureView {
    /// Position on the command line (0-based).
    pub index: usize,
    /// The path as given.
    pub path: String,
    /// The label.
    pub label: String,
    /// Digest of the file as stored, serialised `name:hex` (`blake3:…`,
    /// or `sha256:…` with `--digest sha256`).
    pub digest: CaptureDigest,
    /// Size as stored.
    pub bytes: u64,
    /// `none`, `gzip`, `zstd`.
    pub compression: Compression,
    /// `function_graph`, `function`, `trace-cmd` (empty when not told).
    #[serde(serialize_with = "serialize_format")]
    pub format: Option<InputFormat>,
    /// `# tracer:` when the header was present.
    pub tracer: Option<String>,
    /// The kernel release when the capture names it (latency-format header).
    pub kernel: Option<String>,
    /// Lines read.
    pub lines: u64,
    /// Options and columns the capture shows.
    pub options: OptionsView,
    /// The capture audit: what to trust and what to change next time.
    pub audit: Vec<AuditItem>,
    /// Warnings kept with their lines (the first ones of each kind).
    pub warnings: Vec<WarningView>,
    /// Warnings per kind, kept or not.
    pub warning_counts: Vec<WarningCount>,
    /// All warnings.
    pub warnings_total: u64,
    /// Syscalls with their call trees (failing first, then by order), and
    /// the roots (trees at a call that is no syscall): in the JSON two
    /// arrays, `syscalls` and `roots`, of one node schema; the page, the
    /// Markdown and the flame graphs show both alike.
    #[serde(flatten)]
    pub syscalls: Trees,
    /// Every syscall of the capture, grouped (also those without a kept tree).
    pub syscall_groups: Vec<GroupView>,
    /// Calls outside any syscall.
    pub calls_outside_syscalls: u64,
    /// Traced calls in the whole capture (syscall events are none).
    #[serde(skip)]
    pub traced_calls: u64,
    /// Tasks seen.
    pub tasks: Vec<String>,
    /// Kernel fact files read for this capture (given or found beside it).
    pub kernel_files: Vec<crate::kernel::FactFile>,
}

impl CaptureView {
    /// The compression's name, when the file was compressed.
    pub fn compressed(&self) -> Option<&'static str> {
        match self.compression {
            Compression::None => None,
            Compression::Gzip => Some("gzip"),
            Compression::Zstd => Some("zstd"),
        }
    }

    /// The format's name (empty when not told).
    pub fn format_name(&self) -> &'static str {
        self.format.map_or("", InputFormat::name)
    }

    /// Syscalls (and roots) counted whose tree the report does not keep
    /// (the keep policy, `--keep`, `--syscall`): the table of kept ones
    /// must not read as all of them.
    pub fn not_kept(&self) -> u64 {
        let all: u64 = self.syscall_groups.iter().map(|g| g.count).sum();
        all.saturating_sub(self.syscalls.len() as u64)
    }

    /// What the grouped table counts: syscalls, and call trees rooted
    /// outside syscalls when there are any.
    pub fn groups_are(&self) -> &'static str {
        let roots = self.syscall_groups.iter().any(|g| g.root);
        let syscalls = self.syscall_groups.iter().any(|g| !g.root);
        match (syscalls, roots) {
            (true, true) => "syscalls and call trees outside syscalls",
            (false, true) => "call trees (no syscall)",
            _ => "syscalls",
        }
    }

    /// ` (N traced calls outside them)` after the grouped table's title;
    /// nothing when there are none (a capture of syscall events alone
    /// has no traced call anywhere).
    pub fn outside_groups(&self) -> String {
        match self.calls_outside_syscalls {
            0 => String::new(),
            1 => " (1 traced call outside them)".into(),
            n => format!(" ({n} traced calls outside them)"),
        }
    }

    /// Whether any traced function call is in the capture (in a syscall's
    /// tree or outside one): kprobe or stack-trace lines have none.
    pub fn has_calls(&self) -> bool {
        self.traced_calls > 0
    }

    /// Whether some listed syscall has a call tree to draw (a capture of
    /// syscall events lists them with none: the page gives it no tree box).
    pub fn has_trees(&self) -> bool {
        self.syscalls.iter().any(|x| x.root.is_some())
    }

    /// Whether trees were rebuilt from a function-tracer capture: only when
    /// it holds traced calls (a nop capture of syscall events is read as
    /// the function format, and rebuilds nothing).
    pub fn reconstructed(&self) -> bool {
        self.options.reconstructed && self.has_calls()
    }

    /// The columns and options the capture shows, by the names that make
    /// them: function_graph's own options for its columns; the function
    /// tracer and trace-cmd print a task, a timestamp and irq-info's flags
    /// without them (the funcgraph-* names were wrong there, and flags are
    /// latency-format's only in function_graph).
    pub fn shown_options(&self) -> Vec<&'static str> {
        let o = &self.options;
        let graph = self.format == Some(InputFormat::Graph);
        let pick = |g: &'static str, other: &'static str| if graph { g } else { other };
        [
            (o.cpu, "cpu"),
            (o.proc, pick("funcgraph-proc", "task")),
            (o.abstime, pick("funcgraph-abstime", "timestamp")),
            (o.duration, "funcgraph-duration"),
            (o.tail, "funcgraph-tail"),
            (o.retval, "funcgraph-retval"),
            (o.latency_flags, pick("latency-format", "irq-info flags")),
            (o.syscall_events, "syscall events"),
            (o.header, "trace header"),
            (self.reconstructed(), "reconstructed trees"),
        ]
        .into_iter()
        .filter_map(|(on, n)| on.then_some(n))
        .collect()
    }
}

/// Which options the capture was taken with, as far as it shows.
#[derive(Debug, Clone, Serialize)]
pub struct OptionsView {
    /// CPU column.
    pub cpu: bool,
    /// Task column (funcgraph-proc).
    pub proc: bool,
    /// Absolute timestamps.
    pub abstime: bool,
    /// Durations.
    pub duration: bool,
    /// funcgraph-tail.
    pub tail: bool,
    /// funcgraph-retval.
    pub retval: bool,
    /// latency-format flags.
    pub latency_flags: bool,
    /// Syscall events seen.
    pub syscall_events: bool,
    /// `# tracer:` header present (`trace`, not `trace_pipe`).
    pub header: bool,
    /// Deepest call depth seen (0-based).
    pub max_depth: u32,
    /// CPUs seen.
    pub cpus: Vec<u32>,
    /// Events lost.
    pub lost_events: u64,
    /// Trees rebuilt from the function tracer's `<-parent`.
    pub reconstructed: bool,
}

/// A warning.
#[derive(Debug, Clone, Serialize)]
pub struct WarningView {
    /// 1-based line.
    pub line: u64,
    /// Kind (`lost-events`, `unreadable`, …).
    pub kind: WarningKind,
    /// What happened.
    pub message: String,
}

/// Count of one warning kind.
#[derive(Debug, Clone, Serialize)]
pub struct WarningCount {
    /// Kind.
    pub kind: WarningKind,
    /// How many.
    pub count: u64,
    /// What the kind means.
    pub explanation: String,
}

fn serialize_format<S: serde::Serializer>(
    f: &Option<InputFormat>,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.serialize_str(f.map_or("", InputFormat::name))
}
