//! One comparison's view: the aligned rows, the divergence, the origin and
//! the suspects, each call named from its run's tree.

use crate::{
    analyse::{
        Comparison, Divergence,
        candidates::{MAX_SHOWN, Role},
        retval,
    },
    load::Capture,
    model::CallTree,
};

use super::{
    super::view::*,
    SharedNames,
    budget::{Plan, TreeKeep},
};

/// One run of a comparison: its capture and compared syscall's tree, and
/// which of its calls the report keeps.
struct Run<'a> {
    cap: &'a Capture,
    tree: &'a CallTree,
    keep: Option<&'a TreeKeep>,
}

impl Run<'_> {
    fn name(&self, n: u32) -> String {
        let node = &self.tree.nodes[n as usize];
        self.cap.trace.names.name(node.func).to_string()
    }

    fn line(&self, n: u32) -> u64 {
        self.tree.nodes[n as usize].line
    }

    /// The line of the call's `}`, or of its entry when none was printed.
    fn last_line(&self, n: u32) -> u64 {
        let p = &self.tree.nodes[n as usize];
        if p.exit_line != 0 {
            p.exit_line
        } else {
            p.line
        }
    }

    fn ret(&self, n: u32) -> Option<RetJson> {
        self.tree.nodes[n as usize].ret.map(|r| RetJson(r.value()))
    }

    fn cell(&self, names: &mut SharedNames<'_>, n: u32, depth: u16) -> Cell {
        let node = &self.tree.nodes[n as usize];
        Cell {
            id: NodeId(self.keep.map_or(n, |k| k.new_id[n as usize])),
            func: names.get(node.func),
            depth,
            duration: node.duration_ns.map(Nanos),
            ret: node.ret.map(|r| RetJson(r.value())),
            ret_kind: node.ret.map(|r| retval::kind(r.value())),
            line: node.line,
            has_children: self.tree.children(n as usize).next().is_some(),
            inferred: node.flags.has(crate::model::NodeFlags::ENTRY_MISSING)
                && (node.exit_line == 0 || node.flags.has(crate::model::NodeFlags::RECONSTRUCTED)),
        }
    }
}

pub(super) fn comparison_view(
    captures: &[Capture],
    c: &Comparison,
    k: usize,
    plan: &Plan,
) -> ComparisonView {
    let run = |(ci, sys): (usize, usize)| {
        let cap = &captures[ci];
        let s = &cap.trace.syscalls[sys];
        let tree = s.tree.as_ref().expect("compared syscalls have trees");
        let keep = plan.trees.get(&(ci, sys));
        (s.index, Run { cap, tree, keep })
    };
    // A row number of the alignment as the report's (`None`: cut).
    let total = c.alignment.rows.len();
    let kept = plan
        .rows
        .get(k)
        .and_then(Option::as_ref)
        .map_or(total, Vec::len);
    let row = |r: usize| {
        if r >= total {
            Some(kept + r - total)
        } else {
            plan.row(k, r)
        }
    };
    let (good_syscall, g) = run(c.plan.good);
    let (bad_syscall, b) = run(c.plan.bad);
    ComparisonView {
        good: c.plan.good.0,
        bad: c.plan.bad.0,
        good_syscall,
        bad_syscall,
        syscall: c.title.clone(),
        reason: c.plan.reason.clone(),
        verdict: crate::render::prose::plain(&c.verdict),
        verdict_prose: c.verdict.clone(),
        settings_differences: c
            .settings
            .iter()
            .map(|s| SettingView {
                topic: s.topic,
                message: s.message.clone(),
                evidence: s.evidence,
            })
            .collect(),
        first_divergence: c
            .divergence
            .as_ref()
            .map(|d| divergence_view(c, d, &g, &b, row)),
        error_origin: origin_view(c, &g, &b),
        inlined_suspects: suspect_views(c, &b),
        minor_differences: minor_views(c, &g, &b, row),
        aligned: aligned_rows(c, &g, &b, plan.rows.get(k).and_then(Option::as_deref)),
        stats: AlignStats {
            matched: c.alignment.matched,
            good_only: c.alignment.good_only,
            bad_only: c.alignment.bad_only,
        },
        next_capture: c.next_capture.as_ref().map(|n| NextCaptureView {
            tracefs: n.tracefs.clone(),
            trace_cmd: n.trace_cmd.clone(),
            why: n.why.clone(),
            recipe: n.recipe.clone(),
        }),
        causes: c.causes.clone(),
        kernel_diff: c.kernel_diff.as_ref().map(crate::render::kernel::diff_view),
        kernel_facts_hint: c.kernel_hint.clone(),
    }
}

/// The minor differences whose rows the report keeps (`row` maps a row
/// number to the report's, `None` when cut).
fn minor_views(
    c: &Comparison,
    g: &Run<'_>,
    b: &Run<'_>,
    row: impl Fn(usize) -> Option<usize>,
) -> Vec<MinorView> {
    c.alignment
        .minors
        .iter()
        .filter_map(|m| {
            Some(MinorView {
                parent: g.name(m.parent.0),
                good: m.good.map(|n| g.name(n)),
                bad: m.bad.map(|n| b.name(n)),
                counts: m.counts.map(Pair::from),
                row: row(m.row)?,
            })
        })
        .collect()
}

/// The aligned rows, or those of `kept` (row numbers, ascending).
fn aligned_rows(
    c: &Comparison,
    g: &Run<'_>,
    b: &Run<'_>,
    kept: Option<&[usize]>,
) -> Vec<AlignedRow> {
    let mut gnames = SharedNames::new(&g.cap.trace);
    let mut bnames = SharedNames::new(&b.cap.trace);
    let div_row = c.divergence.as_ref().map(|d| d.row);
    let rows = &c.alignment.rows;
    let picked: Box<dyn Iterator<Item = (usize, &crate::analyse::align::Row)>> = match kept {
        Some(kept) => Box::new(kept.iter().map(|&k| (k, &rows[k]))),
        None => Box::new(rows.iter().enumerate()),
    };
    let mut prev: Option<usize> = None;
    let mut out: Vec<AlignedRow> = picked
        .map(|(k, r)| AlignedRow {
            kind: r.kind,
            good: r.good.map(|n| g.cell(&mut gnames, n, r.good_depth)),
            bad: r.bad.map(|n| b.cell(&mut bnames, n, r.bad_depth)),
            noise: r.noise,
            wrapper: r.wrapper,
            fold: r.fold.map(Pair::from),
            divergence: div_row == Some(k),
            // A kept row whose predecessor in the alignment was cut.
            cut_before: prev.replace(k).map_or(k > 0, |p| k > p + 1),
            cut_after: false,
        })
        .collect();
    if let (Some(last), Some(p)) = (out.last_mut(), prev) {
        last.cut_after = p + 1 < rows.len();
    }
    out
}

/// `row` maps a row number of the alignment to the report's (rows the
/// budget cut: `None`).
fn divergence_view(
    c: &Comparison,
    d: &Divergence,
    g: &Run<'_>,
    b: &Run<'_>,
    row: impl Fn(usize) -> Option<usize>,
) -> DivergenceView {
    let (gp, bp) = d.parent;
    let parent_row = c.alignment.rows[..d.row.min(c.alignment.rows.len())]
        .iter()
        .rposition(|r| r.good == Some(gp) && r.bad == Some(bp));
    let last = d.last_common.unwrap_or(d.parent);
    DivergenceView {
        parent: b.name(bp),
        last_common: b.name(last.1),
        good_next: d.good_next.map(|n| g.name(n)),
        bad_next: d.bad_next.map(|n| b.name(n)),
        good_line: d.good_next.map_or_else(|| g.last_line(gp), |n| g.line(n)),
        bad_line: d.bad_next.map_or_else(|| b.last_line(bp), |n| b.line(n)),
        bad_return: b.ret(bp),
        last_common_lines: Pair {
            good: g.line(last.0),
            bad: b.line(last.1),
        },
        path: b
            .tree
            .path(bp as usize)
            .into_iter()
            .map(|i| b.name(i as u32))
            .collect(),
        good_next_inside_parent: d.good_next_inside,
        hidden: d.hidden,
        reconverges: d.reconverges,
        row: row(d.row).unwrap_or(0),
        parent_row: parent_row.and_then(&row),
    }
}

fn origin_view(c: &Comparison, g: &Run<'_>, b: &Run<'_>) -> OriginView {
    let mut candidates = origin_candidates(c, b);
    let more_candidates = candidates.split_off(candidates.len().min(MAX_SHOWN));
    OriginView {
        func: c.origin.node.map(|n| b.name(n)),
        line: c.origin.node.map(|n| b.line(n)),
        chain: c.origin.chain.iter().map(|&n| b.name(n)).collect(),
        span: c.origin.span.clone(),
        errno: c
            .origin
            .errno
            .and_then(crate::model::decode::errno_name)
            .map(str::to_string),
        good_ret: c.origin.good_node.and_then(|n| g.ret(n)),
        evidence: c.origin.evidence,
        candidates,
        candidates_folded: more_candidates.len(),
        more_candidates,
    }
}

/// The origin's candidates as the report names them, all of them.
fn origin_candidates(c: &Comparison, b: &Run<'_>) -> Vec<OriginCandidateView> {
    if let Some(n) = c.origin.node {
        return vec![OriginCandidateView {
            func: b.name(n),
            line: b.line(n),
            role: "returned",
            after: None,
            turns_aside: false,
        }];
    }
    c.origin
        .candidates
        .iter()
        .map(|k| OriginCandidateView {
            func: b.name(k.node),
            line: b.line(k.node),
            role: match k.role {
                Role::LastShared => "last-shared",
                Role::OwnCode => "own-code",
                Role::BelowDepth => "below-depth",
                Role::BadOnly => "bad-only",
                Role::BadNext => "bad-next",
            },
            after: k.after.map(|a| b.name(a)),
            turns_aside: k.turns_aside,
        })
        .collect()
}

fn suspect_views(c: &Comparison, b: &Run<'_>) -> Vec<SuspectView> {
    let candidates: Vec<CandidateView> = c
        .candidates
        .iter()
        .map(|k| CandidateView {
            func: k.func.clone(),
            wrapper: k.wrapper,
            traceable_good: k.traceable_good,
            traceable_bad: k.traceable_bad,
        })
        .collect();
    c.suspects
        .iter()
        .map(|s| SuspectView {
            func: b.name(s.node),
            line: b.line(s.node),
            gap: Nanos(s.gap_ns),
            duration: Nanos(s.duration_ns),
            at_divergence: s.at_divergence,
            location: s.location.clone(),
            candidates: if s.at_divergence {
                candidates.clone()
            } else {
                Vec::new()
            },
        })
        .collect()
}
