//! One level of the alignment: the children of a paired call on each side
//! as diff elements (interrupts set aside, repeats folded), diffed by
//! function name, with one-sided wrappers spliced out (their children take
//! their place) until the diff stops changing.

use rustc_hash::{FxHashMap, FxHashSet};
use similar::DiffOp;

use super::{myers::diff_ops, work::AlignWork};
use crate::analyse::side::Side;

/// A child in a diffed list: a call, or a run of `count` identical calls.
#[derive(Debug, Clone)]
pub(super) struct Elem {
    pub(super) node: u32,
    pub(super) count: u32,
    pub(super) depth: u16,
    /// The spliced wrapper it stands in, if any.
    pub(super) via: Option<u32>,
    /// Interrupts that came right after it.
    pub(super) irq_after: Vec<u32>,
}

/// One step of the diff of two element lists (indices into them).
#[derive(Clone, Copy)]
pub(super) enum Op {
    Match(usize, usize),
    Good(usize),
    Bad(usize),
}

/// The spliced wrappers, `(good side?, node)` → (the wrapper it sits in,
/// its depth).
pub(super) type Spliced = FxHashMap<(bool, u32), (Option<u32>, u16)>;

/// How many rounds of wrapper splicing per level.
const SPLICE_ROUNDS: usize = 3;

/// The children of a paired call, diffed.
pub(super) struct Level {
    pub(super) gseq: Vec<Elem>,
    pub(super) bseq: Vec<Elem>,
    /// Interrupts before the first call, per side.
    pub(super) glead: Vec<u32>,
    pub(super) blead: Vec<u32>,
    pub(super) ops: Vec<Op>,
    pub(super) spliced: Spliced,
}

/// Diff the children of `g` and `b` (each with the depth its children are
/// shown at), splicing one-sided wrappers out.
pub(super) fn level(
    (gs, bs): (&Side<'_>, &Side<'_>),
    (g, gd): (u32, u16),
    (b, bd): (u32, u16),
    work: &AlignWork,
) -> Level {
    let (mut gseq, glead) = elems(gs, g, gd);
    let (mut bseq, blead) = elems(bs, b, bd);
    let mut spliced = Spliced::default();
    let mut ops = diff(gs, bs, &gseq, &bseq, work);
    for _ in 0..SPLICE_ROUNDS {
        // Splicing re-diffs the level: not once the budget is spent.
        if work.exhausted() {
            break;
        }
        let g_before = gseq.clone();
        let g_changed = splice((gs, bs), &mut gseq, &bseq, &ops, true, &mut spliced);
        let b_changed = splice((bs, gs), &mut bseq, &g_before, &ops, false, &mut spliced);
        if !(g_changed || b_changed) {
            break;
        }
        ops = diff(gs, bs, &gseq, &bseq, work);
    }
    Level {
        gseq,
        bseq,
        glead,
        blead,
        ops,
        spliced,
    }
}

/// The children of `p` as diff elements: interrupts set aside, runs of
/// identical siblings folded.
fn elems(side: &Side<'_>, p: u32, depth: u16) -> (Vec<Elem>, Vec<u32>) {
    let mut out: Vec<Elem> = Vec::new();
    let mut lead = Vec::new();
    for c in side.tree.children(p as usize) {
        let c = c as u32;
        if side.irq[c as usize] {
            match out.last_mut() {
                Some(last) => last.irq_after.push(c),
                None => lead.push(c),
            }
            continue;
        }
        if let Some(last) = out.last_mut() {
            if last.irq_after.is_empty() && side.hash[last.node as usize] == side.hash[c as usize] {
                last.count += 1;
                continue;
            }
        }
        out.push(Elem {
            node: c,
            count: 1,
            depth,
            via: None,
            irq_after: Vec::new(),
        });
    }
    (out, lead)
}

/// Replace unmatched one-sided wrapper calls of `seq` (on `sides.0`) by
/// their children.
fn splice(
    (side, other_side): (&Side<'_>, &Side<'_>),
    seq: &mut Vec<Elem>,
    other: &[Elem],
    ops: &[Op],
    good_side: bool,
    spliced: &mut Spliced,
) -> bool {
    let other_names: FxHashSet<u32> = other
        .iter()
        .map(|e| other_side.gid[e.node as usize])
        .collect();
    let mut unmatched_self = FxHashSet::default();
    let mut unmatched_other = FxHashSet::default();
    for op in ops {
        match (*op, good_side) {
            (Op::Good(i), true) | (Op::Bad(i), false) => {
                unmatched_self.insert(i);
            }
            (Op::Bad(j), true) | (Op::Good(j), false) => {
                unmatched_other.insert(other_side.gid[other[j].node as usize]);
            }
            _ => {}
        }
    }
    let mut changed = false;
    let mut out = Vec::with_capacity(seq.len());
    for (i, e) in seq.drain(..).enumerate() {
        let spliceable = unmatched_self.contains(&i)
            && e.count == 1
            && !side.noise[e.node as usize]
            && !other_names.contains(&side.gid[e.node as usize])
            && side
                .tree
                .children(e.node as usize)
                .any(|c| !side.irq[c] && unmatched_other.contains(&side.gid[c]));
        if !spliceable {
            out.push(e);
            continue;
        }
        changed = true;
        spliced.insert((good_side, e.node), (e.via, e.depth));
        let (mut kids, lead) = elems(side, e.node, e.depth + 1);
        for k in &mut kids {
            k.via = Some(e.node);
        }
        // Interrupts inside the wrapper stay with the wrapper's calls.
        if let Some(first) = kids.first_mut() {
            first.irq_after.splice(0..0, lead);
        }
        if let Some(last) = kids.last_mut() {
            last.irq_after.extend(e.irq_after);
        }
        out.extend(kids);
    }
    *seq = out;
    changed
}

/// Diff two element lists by function name.
fn diff(g: &Side<'_>, b: &Side<'_>, gseq: &[Elem], bseq: &[Elem], work: &AlignWork) -> Vec<Op> {
    let gk: Vec<u32> = gseq.iter().map(|e| g.gid[e.node as usize]).collect();
    let bk: Vec<u32> = bseq.iter().map(|e| b.gid[e.node as usize]).collect();
    let mut ops = Vec::with_capacity(gk.len().max(bk.len()));
    // A child list of millions settles for an approximate answer after a
    // fixed amount of work (never after a time: see `myers`), and so do
    // all lists once the analysis' total is spent (`work`).
    let given = work.take();
    let mut left = given;
    let diffed = diff_ops(&gk, &bk, &mut left);
    let unpaired_middle = diffed.iter().any(|op| matches!(op, DiffOp::Replace { .. }));
    work.done(given, left, left.spent() && unpaired_middle);
    for op in diffed {
        match op {
            DiffOp::Equal {
                old_index,
                new_index,
                len,
            } => ops.extend((0..len).map(|k| Op::Match(old_index + k, new_index + k))),
            DiffOp::Delete {
                old_index, old_len, ..
            } => ops.extend((old_index..old_index + old_len).map(Op::Good)),
            DiffOp::Insert {
                new_index, new_len, ..
            } => ops.extend((new_index..new_index + new_len).map(Op::Bad)),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                ops.extend((old_index..old_index + old_len).map(Op::Good));
                ops.extend((new_index..new_index + new_len).map(Op::Bad));
            }
        }
    }
    ops
}
