//! Stage 4: good vs bad. Pairs the syscalls to compare, aligns their call
//! trees, finds the first divergence and the error's origin, flags
//! suspected inlined code, and words the verdict.
//!
//! Input: the captures' [`crate::model::Trace`]s. Output: an [`Analysis`]
//! whose comparisons point into those traces by index.
//!
//! Must not: read files (filter-function lists arrive loaded), or format for
//! a particular output (it produces [`prose::Prose`], which renderers escape).

pub mod align;
pub mod audit;
mod audit_cross;
mod audit_tool;
pub mod candidates;
pub mod cause_links;
pub mod cause_prose;
pub mod causes;
pub mod claims;
mod cross_origin;
pub mod diverge;
pub mod gaps;
pub mod headline;
pub mod kdiff;
pub mod knames;
pub mod lone;
pub mod lost;
pub mod next;
pub mod noise;
pub mod origin;
pub mod pair;
pub mod prose;
pub mod retval;
pub mod settings;
pub mod shell;
pub mod side;
mod verdict;
mod verdict_agree;
mod verdict_origin;

use rustc_hash::FxHashSet;
use std::sync::Arc;

use crate::{
    kernel::{KernelFacts, index::KernelIndex},
    load::Capture,
};

pub use align::{Alignment, Row, RowKind};
pub use diverge::Divergence;
pub use gaps::{GapThresholds, Suspect};
pub use next::NextCapture;
pub use noise::Noise;
pub use origin::ErrorOrigin;
pub use pair::{PairRequest, Plan};
pub use prose::Prose;

use side::{GlobalNames, Side};

/// A kernel's function list: what ftrace could trace there (or, from
/// kallsyms, what was built).
pub type FilterList = crate::kernel::FunctionList;

/// What the analysis can be told.
#[derive(Debug, Clone, Default)]
pub struct AnalyseOptions {
    /// `--ignore` changes to the noise list.
    pub ignore: Vec<String>,
    /// Gap thresholds.
    pub gaps: GapThresholds,
    /// `--pair` requests (replace the automatic pairing).
    pub pairs: Vec<PairRequest>,
    /// Kernel facts per capture (by capture index): function list, config.
    pub kernels: Vec<KernelFacts>,
    /// The kernel source index, if one was given.
    pub kernel_index: Option<Arc<KernelIndex>>,
}

/// A call the good run makes that the bad run does not, at the split: the
/// code around it is where the decision was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineCandidate {
    /// The function.
    pub func: String,
    /// A call level traced in one run only (inlined in the other kernel).
    pub wrapper: bool,
    /// In the good kernel's filter list (`None`: no list given).
    pub traceable_good: Option<bool>,
    /// In the bad kernel's filter list.
    pub traceable_bad: Option<bool>,
    /// The bad run calls a function of this name somewhere in its tree.
    pub in_bad: bool,
}

/// One good/bad comparison.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// Which syscalls, and why.
    pub plan: Plan,
    /// `bpf(BPF_MAP_CREATE)`.
    pub title: String,
    /// The aligned trees.
    pub alignment: Alignment,
    /// Where the runs part.
    pub divergence: Option<Divergence>,
    /// Where the error came from.
    pub origin: ErrorOrigin,
    /// Calls of the bad run with suspicious untraced time.
    pub suspects: Vec<Suspect>,
    /// Calls whose code (inlined or not reached) decided it.
    pub candidates: Vec<InlineCandidate>,
    /// The capture to take next.
    pub next_capture: Option<NextCapture>,
    /// How the two captures were taken differently (said before behaviour).
    pub settings: Vec<settings::SettingDiff>,
    /// The verdict paragraph.
    pub verdict: Prose,
    /// What differs between the two kernels (`None`: no kernel facts).
    pub kernel_diff: Option<kdiff::KernelDiff>,
    /// Config options ranked as the likely cause, best first.
    pub causes: Vec<causes::Cause>,
    /// What kernel facts to fetch, when some are missing.
    pub kernel_hint: Option<String>,
    /// bad node → paired good node.
    pub bad_to_good: Vec<Option<u32>>,
    /// good node → paired bad node.
    pub good_to_bad: Vec<Option<u32>>,
}

/// The result of comparing the captures.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    /// The comparisons, most important first.
    pub comparisons: Vec<Comparison>,
    /// The noise list used.
    pub noise: Vec<String>,
    /// Problems with the request (a `--pair` that does not resolve).
    pub notes: Vec<String>,
    /// Per capture, its audit: its own points, then what differs from the
    /// other captures.
    pub audits: Vec<Vec<audit::AuditItem>>,
    /// Kernel fact files per capture, as read.
    pub kernel_files: Vec<Vec<crate::kernel::FactFile>>,
    /// The report's headline: every comparison, or why there is none.
    pub headline: Prose,
}

/// Compare the captures.
pub fn analyse(captures: &[Capture], opts: &AnalyseOptions) -> Analysis {
    let noise = Noise::new(&opts.ignore);
    let mut names = GlobalNames::default();
    let mut notes = Vec::new();
    let work = align::AlignWork::default();
    let plans = if opts.pairs.is_empty() {
        pair::plan(captures, &mut names, &noise, &work)
    } else {
        opts.pairs
            .iter()
            .filter_map(|r| match pair::requested(captures, r) {
                Ok(p) => Some(p),
                Err(e) => {
                    notes.push(e);
                    None
                }
            })
            .collect()
    };
    let mut comparisons: Vec<Comparison> = plans
        .into_iter()
        .filter_map(|p| compare(captures, p, (&mut names, &noise, &work), opts))
        .collect();
    cross_origin::point_to_printed_origins(captures, &mut comparisons);
    notes.extend(work.note());
    let audits = captures
        .iter()
        .zip(audit_cross::cross_audit(captures))
        .map(|(c, cross)| audit::audit(&c.trace).into_iter().chain(cross).collect())
        .collect();
    Analysis {
        headline: headline::headline(captures, &comparisons),
        comparisons,
        noise: noise.entries(),
        notes,
        audits,
        kernel_files: opts.kernels.iter().map(|k| k.files.clone()).collect(),
    }
}

fn compare(
    captures: &[Capture],
    plan: Plan,
    (names, noise, work): (&mut GlobalNames, &Noise, &align::AlignWork),
    opts: &AnalyseOptions,
) -> Option<Comparison> {
    let (gc, bc) = (&captures[plan.good.0], &captures[plan.bad.0]);
    let gs = &gc.trace.syscalls[plan.good.1];
    let bs = &bc.trace.syscalls[plan.bad.1];
    let g = Side::new(&gc.trace, gs, names, noise)?;
    let b = Side::new(&bc.trace, bs, names, noise)?;
    let mut alignment = align::align(&g, &b, work);
    let (bad_to_good, good_to_bad) = pairing(&alignment, &g, &b);
    let divergence = diverge::first_divergence(&mut alignment, &g, &b);
    let origin = origin::error_origin(&origin::Inputs {
        g: &g,
        b: &b,
        div: divergence.as_ref(),
        al: &alignment,
        bad_to_good: &bad_to_good,
        good_to_bad: &good_to_bad,
    });
    let at_split = split_call(divergence.as_ref(), &origin);
    let suspects = gaps::suspects(&b, at_split.map(|s| s.0), opts.gaps);
    let filters = |c: usize| opts.kernels.get(c).and_then(|k| k.functions.as_ref());
    let candidates = candidates(
        &alignment,
        divergence.as_ref(),
        &g,
        &b,
        filters(plan.good.0),
        filters(plan.bad.0),
    );
    // Aimed at the call at the split: for a hidden split not cut by the
    // depth, the parent, whose return value tells its own code from the
    // last common call's.
    let next_capture =
        at_split.map(|split| next::for_split(&b, &origin, split, &bs.name, &bc.trace.facts));
    let lists = (filters(plan.good.0), filters(plan.bad.0));
    let settings = settings::compare(&g, &b, &good_to_bad, lists);
    let mut verdict = verdict::verdict(&verdict::Facts {
        settings: &settings,
        captures,
        plan: &plan,
        g: &g,
        b: &b,
        divergence: divergence.as_ref(),
        origin: &origin,
        suspects: &suspects,
        candidates: &candidates,
        alignment: &alignment,
    });
    let kernel = kernel_causes(
        opts,
        &plan,
        &alignment,
        divergence.as_ref(),
        (&g, &b, gc, bc),
    );
    cause_prose::append_likely_cause(&mut verdict, &kernel.causes);
    Some(Comparison {
        kernel_diff: kernel.diff,
        causes: kernel.causes,
        kernel_hint: kernel.hint,
        title: bs.title(),
        plan,
        alignment,
        divergence,
        origin,
        suspects,
        candidates,
        next_capture,
        settings,
        verdict,
        bad_to_good,
        good_to_bad,
    })
}

/// The call whose untraced time is "at the split": the call the runs part
/// under. For a hidden split that is the parent of the last common call,
/// whose own (maybe inlined) code ran after it; only when the capture's
/// depth cut that call's callees off (the origin's first candidate is below
/// the traced depth) is the leaf's own time the untraced code in question.
/// Also whether that call is the one cut by the depth (the next capture
/// then lifts `max_graph_depth`).
fn split_call(d: Option<&Divergence>, o: &ErrorOrigin) -> Option<(u32, bool)> {
    let d = d?;
    match o.candidates.first() {
        Some(c) if d.hidden && c.role == candidates::Role::BelowDepth => Some((c.node, true)),
        _ => Some((d.parent.1, false)),
    }
}

/// bad node → paired good node, and good node → paired bad node.
#[allow(clippy::type_complexity)]
fn pairing(al: &Alignment, g: &Side<'_>, b: &Side<'_>) -> (Vec<Option<u32>>, Vec<Option<u32>>) {
    let mut bad_to_good = vec![None; b.tree.len()];
    let mut good_to_bad = vec![None; g.tree.len()];
    for r in &al.rows {
        if let (Some(gn), Some(bn)) = (r.good, r.bad) {
            bad_to_good[bn as usize] = Some(gn);
            good_to_bad[gn as usize] = Some(bn);
        }
    }
    (bad_to_good, good_to_bad)
}

/// The good run's calls at the split that the bad run does not make, and
/// call levels traced in one run only.
fn candidates(
    al: &Alignment,
    div: Option<&Divergence>,
    g: &Side<'_>,
    b: &Side<'_>,
    gf: Option<&FilterList>,
    bf: Option<&FilterList>,
) -> Vec<InlineCandidate> {
    let mut out: Vec<InlineCandidate> = Vec::new();
    let mut push = |func: &str, wrapper: bool| {
        if out.iter().any(|c| c.func == func) || out.len() >= 12 {
            return;
        }
        out.push(InlineCandidate {
            func: func.to_string(),
            wrapper,
            traceable_good: gf.map(|f| f.contains(func)),
            traceable_bad: bf.map(|f| f.contains(func)),
            in_bad: false,
        });
    };
    for r in &al.rows {
        if r.wrapper {
            if let Some(n) = r.good {
                push(g.name(n), true);
            }
            if let Some(n) = r.bad {
                push(b.name(n), true);
            }
        }
    }
    // A hidden split has no call the good run makes and the bad run does
    // not: its last common call is made by both, and naming it here would
    // read as "called by the good run only".
    let Some(d) = div.filter(|d| !d.hidden) else {
        return out;
    };
    // The good-only calls right at the parting (the shallowest level of it).
    let end = al
        .candidates
        .iter()
        .find(|c| c.row == d.row && c.parent == d.parent)
        .map_or(al.rows.len(), |c| c.end_row);
    let tail: Vec<&Row> = al.rows[d.row..end]
        .iter()
        .filter(|r| r.kind == RowKind::GoodOnly && !r.noise && !r.wrapper)
        .collect();
    if let Some(top) = tail.iter().map(|r| r.good_depth).min() {
        for r in tail.iter().filter(|r| r.good_depth == top) {
            if let Some(n) = r.good {
                push(g.name(n), false);
            }
        }
    } else if let Some(n) = d.good_next {
        push(g.name(n), false);
    }
    rank_candidates(out, b)
}

/// Calls the bad run makes somewhere after all are no candidates (the good
/// run's `step_into()` when the bad run reaches it later); the rest ranked:
/// missing from the bad kernel first, call levels only one run shows last.
fn rank_candidates(out: Vec<InlineCandidate>, b: &Side<'_>) -> Vec<InlineCandidate> {
    let bad_names: FxHashSet<&str> = (0..b.tree.nodes.len())
        .filter(|&i| !b.irq[i])
        .map(|i| b.name(i as u32))
        .collect();
    let mut out: Vec<InlineCandidate> = out
        .into_iter()
        .map(|mut c| {
            c.in_bad = bad_names.contains(c.func.as_str());
            c
        })
        .filter(|c| c.wrapper || !c.in_bad)
        .collect();
    out.sort_by_key(|c| (c.wrapper, c.traceable_bad != Some(false)));
    out
}

/// Calls one run made past the split (its own calls only, noise aside).
fn past_split(
    al: &Alignment,
    div: Option<&Divergence>,
    side: &Side<'_>,
    kind: RowKind,
) -> Vec<causes::PastCall> {
    let Some(d) = div else { return Vec::new() };
    let mut out: Vec<causes::PastCall> = Vec::new();
    for r in al.rows[d.row.min(al.rows.len())..].iter() {
        let node = if kind == RowKind::GoodOnly {
            r.good
        } else {
            r.bad
        };
        let Some(n) = node.filter(|_| r.kind == kind && !r.noise && !r.wrapper) else {
            continue;
        };
        let func = side.name(n);
        if !out.iter().any(|c| c.func == func) {
            out.push(causes::PastCall {
                func: func.to_string(),
                line: side.tree.nodes[n as usize].line,
            });
        }
    }
    out
}

/// What the kernel facts say about one comparison.
struct KernelPart {
    diff: Option<kdiff::KernelDiff>,
    causes: Vec<causes::Cause>,
    hint: Option<String>,
}

/// Whole-kernel differences and ranked causes, when kernel facts are given;
/// what to fetch, when some are missing.
fn kernel_causes(
    opts: &AnalyseOptions,
    plan: &Plan,
    al: &Alignment,
    div: Option<&Divergence>,
    (g, b, gc, bc): (&Side<'_>, &Side<'_>, &Capture, &Capture),
) -> KernelPart {
    let none = KernelFacts::default();
    let gk = opts.kernels.get(plan.good.0).unwrap_or(&none);
    let bk = opts.kernels.get(plan.bad.0).unwrap_or(&none);
    let hint = cause_prose::facts_hint(gk, bk, (&gc.label, &bc.label));
    if gk.is_empty() && bk.is_empty() {
        return KernelPart {
            diff: None,
            causes: Vec::new(),
            hint,
        };
    }
    let index = opts.kernel_index.as_deref();
    let diff = kdiff::diff(gk, bk, index);
    let good_past = past_split(al, div, g, RowKind::GoodOnly);
    let bad_past = past_split(al, div, b, RowKind::BadOnly);
    let causes = causes::causes(&causes::CauseInput {
        good: gk,
        bad: bk,
        good_capture: &gc.path,
        good_past: &good_past,
        bad_past: &bad_past,
        diff: &diff,
        index,
    });
    KernelPart {
        diff: Some(diff),
        causes,
        hint,
    }
}
