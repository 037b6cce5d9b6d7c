//! The view of one good/bad comparison: where the runs part, where the
//! error came from, the suspects, and the aligned rows.

use std::sync::Arc;

use serde::Serialize;

use crate::analyse::{Prose, RowKind};

use super::{Evidence, Nanos, NodeId, Pair, RetJson, RetKind};

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
    /// How the two captures were taken differently (tracer options,
    /// kernel, traced depth, traceable functions, sleep-time): said before
    /// any difference in behaviour.
    pub settings_differences: Vec<SettingView>,
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
    /// Config options ranked as the cause, best first (both configs needed).
    pub causes: Vec<crate::analyse::causes::Cause>,
    /// What differs between the two kernels (`null`: no kernel facts).
    pub kernel_diff: Option<crate::render::kernel::KernelDiffView>,
    /// Which kernel facts are missing and how to fetch them.
    pub kernel_facts_hint: Option<String>,
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
    pub bad_return: Option<RetJson>,
    /// Lines of `last_common` in the good and bad capture.
    pub last_common_lines: Pair<u64>,
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
    /// Row of the aligned view that shows `parent` in both runs.
    #[serde(skip)]
    pub parent_row: Option<usize>,
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
    pub good_ret: Option<RetJson>,
    /// What the origin rests on: `retval` (a printed return value: `func`
    /// is exact), `structure` (the shape of both runs: `func` is null and
    /// `candidates` holds it), `inferred` (below the traced depth), `none`
    /// (the bad run did not fail).
    pub evidence: Evidence,
    /// Where the error may be born, most likely first: the origin itself
    /// with `retval`; at most three otherwise.
    pub candidates: Vec<OriginCandidateView>,
    /// How many candidates rank below the three shown.
    pub candidates_folded: usize,
    /// Those candidates, most likely first: the verdict names the three
    /// above and sends the reader here for the rest.
    pub more_candidates: Vec<OriginCandidateView>,
}

impl ComparisonView {
    /// Whether any shown row differs: a (non-noise) call of one run only,
    /// or a repeat made a different number of times (as
    /// `analyse::claims::differs`), so "every traced call matches" is said
    /// only when it holds.
    pub fn calls_differ(&self) -> bool {
        self.aligned.iter().any(|r| {
            !r.noise
                && (r.kind != RowKind::Same || r.fold.as_ref().is_some_and(|f| f.good != f.bad))
        })
    }

    /// Whether any suspected inlined stretch is placed in time (abstime
    /// captures): the suspects' "where" column is shown only then, never
    /// empty.
    pub fn suspects_located(&self) -> bool {
        self.inlined_suspects.iter().any(|x| x.location.is_some())
    }
}

impl OriginView {
    /// What the origin rests on, in words.
    pub fn evidence_words(&self) -> &'static str {
        match self.evidence {
            Evidence::Retval => "from printed return values",
            Evidence::Structure => "from the shape of both runs; no return values",
            Evidence::Timing => "from durations",
            Evidence::Inferred => "inferred: below what the capture shows",
            Evidence::None => "none: the bad run did not fail",
        }
    }
}

/// A place the error may be born.
#[derive(Debug, Clone, Serialize)]
pub struct OriginCandidateView {
    /// The function.
    pub func: String,
    /// Its line in the bad capture.
    pub line: u64,
    /// `last-shared` (a call both runs make after which the good run goes
    /// on to work the bad run skips), `own-code` (its code after `after` returned, or inlined
    /// callees), `below-depth` (its callees are not traced), `bad-only`
    /// (a function the good run never calls, on the bad run's own way
    /// after `after`), `bad-next` (the bad run's call where the runs part),
    /// `returned` (with retval: it returned the error).
    pub role: &'static str,
    /// For `own-code` and `bad-only`: the callee after which.
    pub after: Option<String>,
    /// The bad run makes calls the good run does not right there.
    pub turns_aside: bool,
}

/// A difference in how two captures were taken.
#[derive(Debug, Clone, Serialize)]
pub struct SettingView {
    /// `options`, `kernel`, `depth`, `tracer`, `traceable`, `sleep-time`.
    pub topic: &'static str,
    /// What differs (code in backticks).
    pub message: String,
    /// What it rests on (`structure`, `timing`, `inferred`).
    pub evidence: Evidence,
}

/// A call of the bad run with untraced time.
#[derive(Debug, Clone, Serialize)]
pub struct SuspectView {
    /// The function.
    pub func: String,
    /// Its line in the bad capture.
    pub line: u64,
    /// Untraced time (µs in JSON).
    #[serde(rename = "gap_us")]
    pub gap: Nanos,
    /// Duration (µs in JSON).
    #[serde(rename = "duration_us")]
    pub duration: Nanos,
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
    pub counts: Option<Pair<u32>>,
    /// Row in the aligned view.
    pub row: usize,
}

/// One row of the side-by-side view.
#[derive(Debug, Clone, Serialize)]
pub struct AlignedRow {
    /// `same`, `good-only`, `bad-only`.
    pub kind: RowKind,
    /// The good side.
    pub good: Option<Cell>,
    /// The bad side.
    pub bad: Option<Cell>,
    /// Noise: shown, never decisive.
    pub noise: bool,
    /// A level only one run traces, aligned through.
    pub wrapper: bool,
    /// Repeat counts `[good, bad]`.
    pub fold: Option<Pair<u32>>,
    /// This row is where the runs part.
    pub divergence: bool,
    /// The size budget cut rows right before this one (`--max-report-calls`):
    /// a count of the calls under a row that spans the cut is a lower bound.
    #[serde(skip)]
    pub cut_before: bool,
    /// The budget cut rows right after this one (set on the last row).
    #[serde(skip)]
    pub cut_after: bool,
}

/// One side of an aligned row.
#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    /// Node id in that side's tree.
    pub id: NodeId,
    /// The function.
    pub func: Arc<str>,
    /// Indentation.
    pub depth: u16,
    /// Duration (µs in JSON).
    #[serde(rename = "duration_us")]
    pub duration: Option<Nanos>,
    /// Return value.
    pub ret: Option<RetJson>,
    /// What `ret` can be (omitted without `ret`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ret_kind: Option<RetKind>,
    /// Line.
    pub line: u64,
    /// It has callees.
    pub has_children: bool,
    /// A caller the capture prints no line of (its entry and return are
    /// not in it, or the function tracer named it as a `<-parent` only):
    /// not one of the traced calls a folded line counts.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub inferred: bool,
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
    /// The settings as data (`tracereport record --from-report` reads them).
    pub recipe: crate::analyse::next::Recipe,
}
