//! The report as data: one owned, sorted view built once from the captures
//! and the analysis. `report.json` is this struct serialised; the Markdown
//! and HTML templates read the same values, so the three cannot disagree.
//!
//! The schema is documented in `docs/report-schema.md`; fields are only ever
//! added.

use std::sync::Arc;

use serde::Serialize;

use crate::analyse::Prose;

/// Version of the JSON schema (bumped only on incompatible change).
pub const SCHEMA_VERSION: u32 = 1;

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
    /// SHA-256 of the file as stored.
    pub sha256: String,
    /// Size as stored.
    pub bytes: u64,
    /// `none`, `gzip`, `zstd`.
    pub compression: String,
    /// `function_graph`, `function`, `trace-cmd`.
    pub format: String,
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
    /// Tasks seen.
    pub tasks: Vec<String>,
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

/// One point of the capture audit.
#[derive(Debug, Clone, Serialize)]
pub struct AuditItem {
    /// `ok`, `warn` or `missing`.
    pub status: String,
    /// What it is about (`lost-events`, `retval`, …).
    pub topic: String,
    /// What the capture shows.
    pub message: String,
    /// The command that fixes it for the next capture.
    pub fix: Option<String>,
}

/// A warning.
#[derive(Debug, Clone, Serialize)]
pub struct WarningView {
    /// 1-based line.
    pub line: u64,
    /// Kind (`lost-events`, `unreadable`, …).
    pub kind: String,
    /// What happened.
    pub message: String,
}

/// Count of one warning kind.
#[derive(Debug, Clone, Serialize)]
pub struct WarningCount {
    /// Kind.
    pub kind: String,
    /// How many.
    pub count: u64,
    /// What the kind means.
    pub explanation: String,
}

/// A syscall with its tree.
#[derive(Debug, Clone, Serialize)]
pub struct SyscallView {
    /// A root (a tree at a call that is no syscall), listed in `roots`.
    #[serde(skip)]
    pub is_root: bool,
    /// Its number in the capture (`#N` in the report, for `--pair`).
    pub index: usize,
    /// `bpf`.
    pub name: String,
    /// `bpf(BPF_MAP_CREATE)`.
    pub title: String,
    /// Arguments as printed by the entry event.
    pub args: serde_json::Map<String, serde_json::Value>,
    /// The result (`null` when not captured).
    pub ret: Option<i64>,
    /// `EINVAL` when `ret` is an error.
    pub errno: Option<String>,
    /// `exit-event` or `retval`.
    pub ret_source: Option<String>,
    /// `bpfcase-95` or `CPU 0 (task not printed)`.
    pub task: String,
    /// The pid, when printed.
    pub pid: Option<u32>,
    /// The CPU it started on.
    pub cpu: Option<u32>,
    /// First line.
    pub line: u64,
    /// Last line.
    pub end_line: u64,
    /// Duration, µs.
    pub duration_us: Option<f64>,
    /// Traced calls inside.
    pub calls: u64,
    /// Events were lost while it ran.
    pub lost_events: bool,
    /// Its exit is not in the capture.
    pub exit_missing: bool,
    /// The trace_marker text just before it.
    pub marker_before: Option<String>,
    /// Markers and comments inside it.
    pub markers: Vec<MarkerView>,
    /// The call tree.
    pub root: Option<NodeView>,
}

/// A trace marker inside a syscall.
#[derive(Debug, Clone, Serialize)]
pub struct MarkerView {
    /// Line.
    pub line: u64,
    /// Text.
    pub text: String,
}

/// One call in a tree.
#[derive(Debug, Clone, Serialize)]
pub struct NodeView {
    /// Pre-order index in its syscall's tree (deep links use it).
    pub id: u32,
    /// The function (one string shared by every call of it: big trees
    /// call few distinct functions many times).
    pub func: Arc<str>,
    /// Duration, µs (`null` when the exit was not captured or not timed).
    pub duration_us: Option<f64>,
    /// Time not spent in traced children, µs.
    pub self_us: Option<f64>,
    /// Return value with funcgraph-retval.
    pub ret: Option<i64>,
    /// The line of the entry.
    pub line: u64,
    /// The line of the `}`, when there is one.
    pub exit_line: Option<u64>,
    /// `leaf`, `exit-missing`, `entry-missing`, `irq`, `reconstructed`,
    /// `lost-events`, `open-at-syscall-exit`, `synthetic`.
    pub flags: Vec<&'static str>,
    /// The arguments as printed by funcgraph-args / func-args (Linux 6.15+),
    /// without the parentheses; omitted when the capture has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub args: Option<String>,
    /// `n` when this node stands for `n` identical consecutive calls
    /// (only in folded views; 1 otherwise and omitted).
    #[serde(skip_serializing_if = "is_one")]
    pub repeat: u32,
    /// Callees in call order.
    pub children: Vec<NodeView>,
}

fn is_one(n: &u32) -> bool {
    *n == 1
}

/// A group of syscalls.
#[derive(Debug, Clone, Serialize)]
pub struct GroupView {
    /// `bpf(BPF_MAP_CREATE)`.
    pub title: String,
    /// `ok`, `EINVAL`, or `unknown`.
    pub outcome: String,
    /// How many.
    pub count: u64,
    /// How many kept a tree.
    pub kept: u64,
    /// Total duration, µs.
    pub total_us: f64,
    /// Shortest, µs.
    pub min_us: Option<f64>,
    /// Longest, µs.
    pub max_us: Option<f64>,
    /// Line of the first.
    pub first_line: u64,
    /// How many lack their exit.
    pub exit_missing: u64,
    /// How many saw lost events.
    pub lost_events: u64,
}

/// One good/bad comparison.
#[derive(Debug, Clone, Serialize)]
pub struct ComparisonView {
    /// Index of the good capture.
    pub good: usize,
    /// Index of the bad capture.
    pub bad: usize,
    /// Syscall number (`#N`) in the good capture.
    pub good_syscall: usize,
    /// Syscall number in the bad capture.
    pub bad_syscall: usize,
    /// `bpf(BPF_MAP_CREATE)`.
    pub syscall: String,
    /// Why these two were compared.
    pub reason: String,
    /// The verdict paragraph.
    pub verdict: String,
    /// The verdict with code spans marked.
    #[serde(skip)]
    pub verdict_prose: Prose,
    /// Where the runs part.
    pub first_divergence: Option<DivergenceView>,
    /// Where the error came from.
    pub error_origin: OriginView,
    /// Calls with suspicious untraced time.
    pub inlined_suspects: Vec<SuspectView>,
    /// Differences that meet again (did not decide).
    pub minor_differences: Vec<MinorView>,
    /// The aligned trees, row by row.
    pub aligned: Vec<AlignedRow>,
    /// Counts of the alignment.
    pub stats: AlignStats,
    /// The capture that would answer the open question.
    pub next_capture: Option<NextCaptureView>,
}

/// Where the runs part.
#[derive(Debug, Clone, Serialize)]
pub struct DivergenceView {
    /// The call under which they part.
    pub parent: String,
    /// The last call both make before parting (the parent itself when they
    /// part right after entering it).
    pub last_common: String,
    /// What the good run calls next.
    pub good_next: Option<String>,
    /// What the bad run calls instead (`null`: it returns from `parent`).
    pub bad_next: Option<String>,
    /// Line in the good capture where it goes on (`good_next`, or the
    /// parent's last line).
    pub good_line: u64,
    /// Line in the bad capture where it does something else (`bad_next`, or
    /// where the parent returns).
    pub bad_line: u64,
    /// The bad run's return value of `parent`, when printed.
    pub bad_return: Option<i64>,
    /// Lines of `last_common` in the good and bad capture.
    pub last_common_lines: (u64, u64),
    /// The ancestors of `parent` in the bad run, root first.
    pub path: Vec<String>,
    /// `good_next` is still inside `parent` (else the good run returned first).
    pub good_next_inside_parent: bool,
    /// No traced call differs (depth limit or untraceable code).
    pub hidden: bool,
    /// The runs part here and meet again later under the same parent.
    pub reconverges: bool,
    /// Row of the aligned view where it happens.
    pub row: usize,
}

/// Where the error came from.
#[derive(Debug, Clone, Serialize)]
pub struct OriginView {
    /// The deepest function returning the errno (with funcgraph-retval).
    pub func: Option<String>,
    /// Its line in the bad capture.
    pub line: Option<u64>,
    /// The chain of functions passing it up, root first.
    pub chain: Vec<String>,
    /// Where the error was decided, in words.
    pub span: String,
    /// The errno name.
    pub errno: Option<String>,
    /// What the same function returned in the good run.
    pub good_ret: Option<i64>,
}

/// A call of the bad run with untraced time.
#[derive(Debug, Clone, Serialize)]
pub struct SuspectView {
    /// The function.
    pub func: String,
    /// Its line in the bad capture.
    pub line: u64,
    /// Untraced time, µs.
    pub gap_us: f64,
    /// Duration, µs.
    pub duration_us: f64,
    /// It is the call the runs part in.
    pub at_divergence: bool,
    /// Where the untraced stretch lies (with abstime).
    pub location: Option<String>,
    /// Functions whose code may be what ran there.
    pub candidates: Vec<CandidateView>,
}

impl SuspectView {
    /// Whether any candidate was checked against a filter-function list.
    pub fn has_filter_info(&self) -> bool {
        self.candidates
            .iter()
            .any(|k| k.traceable_good.is_some() || k.traceable_bad.is_some())
    }
}

/// A function that may hold the deciding code.
#[derive(Debug, Clone, Serialize)]
pub struct CandidateView {
    /// The function.
    pub func: String,
    /// A call level one run shows and the other does not.
    pub wrapper: bool,
    /// In the good kernel's `available_filter_functions` (`null`: not given).
    pub traceable_good: Option<bool>,
    /// In the bad kernel's list.
    pub traceable_bad: Option<bool>,
}

/// A difference that meets again.
#[derive(Debug, Clone, Serialize)]
pub struct MinorView {
    /// Under which call.
    pub parent: String,
    /// Good-only call.
    pub good: Option<String>,
    /// Bad-only call.
    pub bad: Option<String>,
    /// Repeat counts that differ.
    pub counts: Option<(u32, u32)>,
    /// Row in the aligned view.
    pub row: usize,
}

/// One row of the side-by-side view.
#[derive(Debug, Clone, Serialize)]
pub struct AlignedRow {
    /// `same`, `good-only`, `bad-only`.
    pub kind: &'static str,
    /// The good side.
    pub good: Option<Cell>,
    /// The bad side.
    pub bad: Option<Cell>,
    /// Noise: shown, never decisive.
    pub noise: bool,
    /// A level only one run traces, aligned through.
    pub wrapper: bool,
    /// Repeat counts `[good, bad]`.
    pub fold: Option<(u32, u32)>,
    /// This row is where the runs part.
    pub divergence: bool,
}

/// One side of an aligned row.
#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    /// Node id in that side's tree.
    pub id: u32,
    /// The function.
    pub func: Arc<str>,
    /// Indentation.
    pub depth: u16,
    /// Duration, µs.
    pub duration_us: Option<f64>,
    /// Return value.
    pub ret: Option<i64>,
    /// Line.
    pub line: u64,
    /// It has callees.
    pub has_children: bool,
}

/// Counts of an alignment.
#[derive(Debug, Clone, Serialize)]
pub struct AlignStats {
    /// Paired non-noise calls.
    pub matched: usize,
    /// Non-noise calls only in the good run.
    pub good_only: usize,
    /// Non-noise calls only in the bad run.
    pub bad_only: usize,
}

/// Shell snippets for the next capture.
#[derive(Debug, Clone, Serialize)]
pub struct NextCaptureView {
    /// tracefs commands.
    pub tracefs: String,
    /// trace-cmd equivalent.
    pub trace_cmd: String,
    /// Why.
    pub why: Vec<String>,
}

/// A capture's trees: syscalls and roots in one list (every renderer draws
/// them alike), serialized as `"syscalls": [...]` and `"roots": [...]`.
#[derive(Debug, Clone, Default)]
pub struct Trees(pub Vec<SyscallView>);

impl std::ops::Deref for Trees {
    type Target = Vec<SyscallView>;
    fn deref(&self) -> &Vec<SyscallView> {
        &self.0
    }
}

impl<'a> IntoIterator for &'a Trees {
    type Item = &'a SyscallView;
    type IntoIter = std::slice::Iter<'a, SyscallView>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl Serialize for Trees {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let of = |root: bool| self.0.iter().filter(move |v| v.is_root == root);
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("syscalls", &of(false).collect::<Vec<_>>())?;
        m.serialize_entry("roots", &of(true).collect::<Vec<_>>())?;
        m.end()
    }
}
