//! The report's size budget (`--max-report-calls`): how many tree calls and
//! aligned rows the report keeps, all trees and comparisons together.
//!
//! Every output is drawn from the one view, so cutting the view bounds them
//! all at once: report.json (about 150–250 bytes per call or row), the
//! page's data, trace.json's slices, the flame graphs, and the memory the
//! view holds. A report under the budget is built exactly as without one.
//!
//! Over it, the budget is shared fairly (water-filling: a small tree or
//! alignment is kept whole, the big ones share the rest), and within each
//! what the verdict rests on is kept first: in an alignment the rows
//! around the first divergence, its callers' rows and the error origin's;
//! in a tree the calls of those rows, the divergence, the error origin, its
//! chain and the suspects, each with its callers; then the first calls in
//! call order. What is cut is listed in `truncation` and said in every
//! output.

use std::{collections::HashMap, ops::Range};

use crate::{
    analyse::{Analysis, Comparison, RowKind},
    load::Capture,
    model::{CallTree, tree::NO_PARENT},
};

use crate::render::view::{RowsCut, TreeCut, Truncation};

/// Calls and aligned rows a report keeps by default: about 10 MB of
/// report.json; no real capture of the test corpus comes near it.
pub const DEFAULT_MAX_REPORT_CALLS: usize = 60_000;

/// Which calls of one tree are kept: each model node's id in the kept tree
/// (its pre-order position there), or [`CUT`].
#[derive(Debug)]
pub(super) struct TreeKeep {
    pub new_id: Vec<u32>,
}

/// A node not kept.
pub(super) const CUT: u32 = u32::MAX;

impl TreeKeep {
    pub fn kept(&self, i: usize) -> bool {
        self.new_id[i] != CUT
    }
}

/// What the report keeps.
#[derive(Debug, Default)]
pub(super) struct Plan {
    /// Per (capture, position in `trace.syscalls`): the kept calls, when
    /// the tree is cut.
    pub trees: HashMap<(usize, usize), TreeKeep>,
    /// Per comparison: the kept rows (original indices, ascending), when
    /// the alignment is cut.
    pub rows: Vec<Option<Vec<usize>>>,
    /// What was cut, for the report.
    pub truncation: Option<Truncation>,
}

impl Plan {
    /// A kept row's index among the kept rows (`None`: cut).
    pub fn row(&self, comparison: usize, row: usize) -> Option<usize> {
        match self.rows.get(comparison).and_then(Option::as_ref) {
            Some(kept) => kept.binary_search(&row).ok(),
            None => Some(row),
        }
    }
}

/// Shares of `budget` over `demands`: each gets its demand or an equal
/// share of what the smaller ones left, whichever is less.
pub fn fair_shares(demands: &[usize], budget: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..demands.len()).collect();
    order.sort_by_key(|&i| (demands[i], i));
    let mut left = budget;
    let mut out = vec![0; demands.len()];
    for (k, &i) in order.iter().enumerate() {
        let share = demands[i].min(left / (demands.len() - k));
        out[i] = share;
        left -= share;
    }
    out
}

/// The rows of an alignment of `n` rows kept under `cap`: the rows of
/// `must` (the divergence's callers, the origin), a window around `focus`
/// (a quarter of `cap` before it, half after), then the first rows not yet
/// kept up to `cap`. Sorted, merged ranges.
pub fn keep_rows(n: usize, cap: usize, focus: Option<usize>, must: &[usize]) -> Vec<Range<usize>> {
    if n <= cap {
        return std::iter::once(0..n).collect();
    }
    let mut ranges: Vec<Range<usize>> =
        must.iter().filter(|&&r| r < n).map(|&r| r..r + 1).collect();
    if let Some(d) = focus.filter(|&d| d < n) {
        ranges.push(d.saturating_sub(cap / 4)..(d + cap / 2).min(n));
    }
    let ranges = merge(ranges);
    let mut left = cap.saturating_sub(ranges.iter().map(|r| r.len()).sum());
    // Fill the gaps from the start.
    let mut fill = Vec::new();
    let mut at = 0;
    for r in ranges.iter().chain(std::iter::once(&(n..n))) {
        let take = (r.start - at.min(r.start)).min(left);
        fill.push(at..at + take);
        left -= take;
        at = at.max(r.end);
    }
    merge(ranges.into_iter().chain(fill).collect())
}

fn merge(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.retain(|r| !r.is_empty());
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut out: Vec<Range<usize>> = Vec::new();
    for r in ranges {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// The calls of `tree` kept under `cap`: every node of `must` with its
/// callers, then the first calls in pre-order (a pre-order prefix holds
/// its callers too) while the count is under `cap`. `None`: all fit.
pub fn keep_tree(tree: &CallTree, cap: usize, must: &[u32]) -> Option<TreeKeep> {
    let n = tree.len();
    if n <= cap {
        return None;
    }
    let mut keep = vec![false; n];
    // The root always: a tree with a cap of 0 (a budget spent on other
    // trees) is still shown, as its root with the rest counted as cut; a
    // cut root left the page's tree without its first node.
    keep[0] = true;
    let mut count = 1;
    for &m in must {
        let mut i = m;
        while (i as usize) < n && !keep[i as usize] {
            keep[i as usize] = true;
            count += 1;
            i = tree.nodes[i as usize].parent;
            if i == NO_PARENT {
                break;
            }
        }
    }
    for k in keep.iter_mut() {
        if count >= cap {
            break;
        }
        if !*k {
            *k = true;
            count += 1;
        }
    }
    let mut next = 0u32;
    let new_id = keep
        .iter()
        .map(|&k| {
            if k {
                next += 1;
                next - 1
            } else {
                CUT
            }
        })
        .collect();
    Some(TreeKeep { new_id })
}

/// The trees of the report: (capture, position in `trace.syscalls`) of
/// every non-empty kept tree.
fn trees(captures: &[Capture]) -> Vec<(usize, usize, &CallTree)> {
    let mut out = Vec::new();
    for (ci, c) in captures.iter().enumerate() {
        for (si, s) in c.trace.syscalls.iter().enumerate() {
            if let Some(t) = s.tree.as_ref().filter(|t| !t.is_empty()) {
                out.push((ci, si, t));
            }
        }
    }
    out
}

/// Plan the report under `max` calls and rows.
pub(super) fn plan(captures: &[Capture], analysis: &Analysis, max: usize) -> Plan {
    let trees = trees(captures);
    let tree_sizes: Vec<usize> = trees.iter().map(|t| t.2.len()).collect();
    let row_counts: Vec<usize> = analysis
        .comparisons
        .iter()
        .map(|c| c.alignment.rows.len())
        .collect();
    let (calls, rows): (usize, usize) = (tree_sizes.iter().sum(), row_counts.iter().sum());
    if calls + rows <= max {
        return Plan::default();
    }
    let groups = fair_shares(&[rows, calls], max);
    let row_caps = fair_shares(&row_counts, groups[0]);
    let tree_caps = fair_shares(&tree_sizes, groups[1]);
    let mut plan = Plan::default();
    let mut must: HashMap<(usize, usize), Vec<u32>> = HashMap::new();
    let mut cuts = Vec::new();
    for (k, c) in analysis.comparisons.iter().enumerate() {
        let kept = comparison_rows(c, row_caps[k]);
        let kept_rows: Vec<usize> = kept.iter().flat_map(Clone::clone).collect();
        verdict_nodes(c, &kept_rows, &mut must);
        if kept_rows.len() < c.alignment.rows.len() {
            let minors_left_out = c
                .alignment
                .minors
                .iter()
                .filter(|m| kept_rows.binary_search(&m.row).is_err())
                .count();
            cuts.push(RowsCut {
                comparison: k,
                kept: kept_rows.len(),
                rows: c.alignment.rows.len(),
                ranges: kept.iter().map(|r| [r.start, r.end]).collect(),
                minor_differences_left_out: minors_left_out,
            });
            plan.rows.push(Some(kept_rows));
        } else {
            plan.rows.push(None);
        }
    }
    let mut tree_cuts = Vec::new();
    for (k, &(ci, si, tree)) in trees.iter().enumerate() {
        let m = must.remove(&(ci, si)).unwrap_or_default();
        let m = if m.is_empty() {
            error_path(captures, ci, si, tree_caps[k] / 8)
        } else {
            m
        };
        if let Some(keep) = keep_tree(tree, tree_caps[k], &m) {
            let kept = keep.new_id.iter().filter(|&&i| i != CUT).count();
            tree_cuts.push(TreeCut {
                capture: ci,
                syscall: captures[ci].trace.syscalls[si].index,
                kept,
                calls: tree.len(),
            });
            plan.trees.insert((ci, si), keep);
        }
    }
    plan.truncation = Some(Truncation::new(max, calls + rows, tree_cuts, cuts));
    plan
}

/// The kept rows of one comparison under `cap`.
fn comparison_rows(c: &Comparison, cap: usize) -> Vec<Range<usize>> {
    let rows = &c.alignment.rows;
    let depth = |k: usize| {
        let r = &rows[k];
        if r.good.is_some() {
            r.good_depth
        } else {
            r.bad_depth
        }
    };
    let mut must = Vec::new();
    let focus = c.divergence.as_ref().map(|d| d.row.min(rows.len()));
    if let Some(d) = focus.filter(|&d| d < rows.len()) {
        // The callers' rows, as the diff excerpt walks them.
        let mut want = depth(d);
        for k in (0..d).rev() {
            if want == 0 {
                break;
            }
            if rows[k].kind == RowKind::Same && depth(k) < want {
                must.push(k);
                want = depth(k);
            }
        }
    }
    // The origin's rows, in one pass (its chain is as long as the stack).
    let mut origin: std::collections::HashSet<u32> = c.origin.chain.iter().copied().collect();
    origin.extend(c.origin.node);
    for (k, r) in rows.iter().enumerate() {
        if r.bad.is_some_and(|n| origin.remove(&n)) {
            must.push(k);
        }
    }
    keep_rows(rows.len(), cap, focus, &must)
}

/// The calls the verdict names, and those of the kept rows, per tree.
fn verdict_nodes(
    c: &Comparison,
    kept_rows: &[usize],
    must: &mut HashMap<(usize, usize), Vec<u32>>,
) {
    let mut g: Vec<u32> = Vec::new();
    let mut b: Vec<u32> = Vec::new();
    for &k in kept_rows {
        let r = &c.alignment.rows[k];
        g.extend(r.good);
        b.extend(r.bad);
    }
    if let Some(d) = &c.divergence {
        g.push(d.parent.0);
        b.push(d.parent.1);
        if let Some((lg, lb)) = d.last_common {
            g.push(lg);
            b.push(lb);
        }
        g.extend(d.good_next);
        b.extend(d.bad_next);
    }
    b.extend(c.origin.node);
    b.extend(c.origin.chain.iter().copied());
    g.extend(c.origin.good_node);
    b.extend(c.origin.candidates.iter().map(|k| k.node));
    b.extend(c.suspects.iter().map(|s| s.node));
    must.entry(c.plan.good).or_default().extend(g);
    must.entry(c.plan.bad).or_default().extend(b);
}

/// In a tree no comparison uses: the first `max` calls that returned the
/// syscall's error (with funcgraph-retval), the path it came up.
fn error_path(captures: &[Capture], ci: usize, si: usize, max: usize) -> Vec<u32> {
    let s = &captures[ci].trace.syscalls[si];
    let (Some(tree), Some(ret)) = (s.tree.as_ref(), s.ret.filter(|_| s.failed())) else {
        return Vec::new();
    };
    tree.nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| n.ret.is_some_and(|r| r.value() == ret))
        .map(|(i, _)| i as u32)
        .take(max)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fair_shares_keep_small_demands_whole() {
        assert_eq!(fair_shares(&[10, 1000, 50], 300), vec![10, 240, 50]);
        assert_eq!(fair_shares(&[100, 1000, 1000], 300), vec![100, 100, 100]);
        assert_eq!(fair_shares(&[10, 20], 300), vec![10, 20]);
        assert_eq!(fair_shares(&[], 300), Vec::<usize>::new());
        assert_eq!(fair_shares(&[500, 500], 100), vec![50, 50]);
    }

    /// One range, `0..n`.
    fn whole(n: usize) -> Vec<Range<usize>> {
        std::iter::once(0..n).collect()
    }

    #[test]
    fn rows_keep_the_divergence_window_and_its_callers() {
        // 1 000 rows, 100 kept: callers at 3 and 40, divergence at 700.
        let r = keep_rows(1000, 100, Some(700), &[3, 40]);
        assert_eq!(r, vec![0..24, 40..41, 675..750]);
        assert_eq!(r.iter().map(|r| r.len()).sum::<usize>(), 100);
        // A window at the start leaves the rest to the rows after it.
        let r = keep_rows(1000, 100, Some(10), &[]);
        assert_eq!(r, whole(100));
        // Everything fits: nothing cut.
        assert_eq!(keep_rows(50, 100, Some(7), &[]), whole(50));
        // No divergence: the first rows.
        assert_eq!(keep_rows(1000, 10, None, &[]), whole(10));
    }

    /// root(0) { a(1) { b(2) c(3) } d(4) { e(5) f(6) { g(7) } } }
    fn tree() -> CallTree {
        use crate::model::tree::Node;
        let spec = [
            (NO_PARENT, 8, 0),
            (0, 4, 1),
            (1, 3, 2),
            (1, 4, 2),
            (0, 8, 1),
            (4, 6, 2),
            (4, 8, 2),
            (6, 8, 3),
        ];
        CallTree {
            nodes: spec
                .iter()
                .enumerate()
                .map(|(i, &(p, e, d))| Node::bare(i as u32, p, e, d))
                .collect(),
        }
    }

    #[test]
    fn trees_keep_the_named_calls_with_their_callers_then_a_prefix() {
        let t = tree();
        assert!(keep_tree(&t, 8, &[7]).is_none());
        // g (7) with its callers f, d, root; then the prefix a, b.
        let k = keep_tree(&t, 6, &[7]).unwrap();
        let kept: Vec<usize> = (0..8).filter(|&i| k.kept(i)).collect();
        assert_eq!(kept, vec![0, 1, 2, 4, 6, 7]);
        // Ids are positions in the kept tree's pre-order.
        assert_eq!(k.new_id, vec![0, 1, 2, CUT, 3, CUT, 4, 5]);
        // The named calls are kept even beyond the cap.
        let k = keep_tree(&t, 2, &[7]).unwrap();
        assert_eq!((0..8).filter(|&i| k.kept(i)).count(), 4);
    }
}
