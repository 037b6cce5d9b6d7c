//! Ordered alignment of a good and a bad call tree.
//!
//! Top-down: the two roots are paired; for every paired call, the two child
//! lists are diffed by function name (Myers, via `similar`), and every pair
//! of matched children is aligned the same way. Three refinements make it
//! fit kernel traces:
//!
//! * **Identical subtrees** (same shape hash) are paired node by node without
//!   a diff.
//! * **Repeats**: consecutive siblings with the same shape are one element
//!   with a count, so 128 vs 129 `kfree()` reads as one row, not 129.
//! * **Transparent wrappers**: a call present on one side only, whose own
//!   children match calls of the other side (`__sys_bpf` traced on one kernel
//!   and inlined on the other), is replaced by its children before diffing.
//!
//! Interrupts are left out of the diff and shown where they happened.
//!
//! Cost model (what the diff minimises, per level): one unit per unmatched
//! element; a spliced wrapper costs nothing beyond its own row. The result
//! is not a global tree edit distance but the top-down alignment a person
//! does by eye, in O(Σ (m+n)·d) over paired calls (m, n children, d
//! differences), which is linear in tree size when the trees mostly agree.

mod myers;

use rustc_hash::{FxHashMap, FxHashSet};
use similar::DiffOp;

use self::myers::{Budget, DIFF_BUDGET, diff_ops};
use super::side::Side;

/// Which side a row shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RowKind {
    /// The same call in both runs.
    Same,
    /// Only the good run made this call.
    GoodOnly,
    /// Only the bad run made this call.
    BadOnly,
}

/// One row of the side-by-side view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Node in the good tree.
    pub good: Option<u32>,
    /// Node in the bad tree.
    pub bad: Option<u32>,
    /// Indentation on the good side.
    pub good_depth: u16,
    /// Indentation on the bad side.
    pub bad_depth: u16,
    /// Which side.
    pub kind: RowKind,
    /// Noise (never decides the split).
    pub noise: bool,
    /// A call level present in one run only whose callees align with the
    /// other run's (a wrapper inlined in the other kernel).
    pub wrapper: bool,
    /// Repeat counts `(good, bad)` when the row stands for a run of
    /// identical calls.
    pub fold: Option<(u32, u32)>,
}

/// A paired call whose children part and do not meet again under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The paired call `(good, bad)`.
    pub parent: (u32, u32),
    /// Its last paired non-noise child before the parting.
    pub last_common: Option<(u32, u32)>,
    /// First non-noise call only the good run makes after that.
    pub tail_good: Option<u32>,
    /// First non-noise call only the bad run makes after that.
    pub tail_bad: Option<u32>,
    /// Row where the parting starts.
    pub row: usize,
    /// Row after the parent's last row.
    pub end_row: usize,
}

/// A difference that meets again: after it, both runs make the same call
/// under the same parent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Minor {
    /// Its row.
    pub row: usize,
    /// The paired parent `(good, bad)`.
    pub parent: (u32, u32),
    /// The good-only call, if any.
    pub good: Option<u32>,
    /// The bad-only call, if any.
    pub bad: Option<u32>,
    /// Repeat counts that differ `(good, bad)`.
    pub counts: Option<(u32, u32)>,
}

/// The aligned trees.
#[derive(Debug, Clone, Default)]
pub struct Alignment {
    /// Rows in call order.
    pub rows: Vec<Row>,
    /// Partings, in call order.
    pub candidates: Vec<Candidate>,
    /// Differences that meet again, in call order.
    pub minors: Vec<Minor>,
    /// Non-noise calls only in the good run.
    pub good_only: usize,
    /// Non-noise calls only in the bad run.
    pub bad_only: usize,
    /// Non-noise calls paired.
    pub matched: usize,
}

impl Alignment {
    /// How far apart the two trees are (unpaired non-noise calls).
    pub fn cost(&self) -> usize {
        self.good_only + self.bad_only
    }
}

#[derive(Debug, Clone)]
struct Elem {
    node: u32,
    count: u32,
    depth: u16,
    via: Option<u32>,
    irq_after: Vec<u32>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Which {
    Good,
    Bad,
}

#[derive(Clone, Copy)]
enum Op {
    Match(usize, usize),
    Good(usize),
    Bad(usize),
}

/// How many rounds of wrapper splicing per level.
const SPLICE_ROUNDS: usize = 3;

struct Aligner<'s, 'a> {
    g: &'s Side<'a>,
    b: &'s Side<'a>,
    out: Alignment,
}

/// Align two syscall trees.
pub fn align(g: &Side<'_>, b: &Side<'_>) -> Alignment {
    let mut a = Aligner {
        g,
        b,
        out: Alignment::default(),
    };
    a.pair(0, 0, 0, 0, None);
    a.out
}

impl<'s, 'a> Aligner<'s, 'a> {
    fn side(&self, w: Which) -> &'s Side<'a> {
        match w {
            Which::Good => self.g,
            Which::Bad => self.b,
        }
    }

    fn pair(&mut self, g: u32, b: u32, gd: u16, bd: u16, fold: Option<(u32, u32)>) {
        let noise = self.g.noise[g as usize] || self.b.noise[b as usize];
        self.out.rows.push(Row {
            good: Some(g),
            bad: Some(b),
            good_depth: gd,
            bad_depth: bd,
            kind: RowKind::Same,
            noise,
            wrapper: false,
            fold,
        });
        if !noise {
            self.out.matched += 1;
        }
        if self.g.hash[g as usize] == self.b.hash[b as usize] {
            self.identical(g, b, gd, bd);
            return;
        }
        let (mut gseq, glead) = self.elems(Which::Good, g, gd + 1);
        let (mut bseq, blead) = self.elems(Which::Bad, b, bd + 1);
        let mut wrappers: FxHashMap<(bool, u32), (Option<u32>, u16)> = FxHashMap::default();
        let mut ops = diff(self.g, self.b, &gseq, &bseq);
        for _ in 0..SPLICE_ROUNDS {
            let g_before = gseq.clone();
            let gs = self.splice(Which::Good, &mut gseq, &bseq, &ops, true, &mut wrappers);
            let bs = self.splice(Which::Bad, &mut bseq, &g_before, &ops, false, &mut wrappers);
            if !(gs || bs) {
                break;
            }
            ops = diff(self.g, self.b, &gseq, &bseq);
        }
        for n in glead {
            self.side_only(Which::Good, n, gd + 1, None, true);
        }
        for n in blead {
            self.side_only(Which::Bad, n, bd + 1, None, true);
        }
        let (gside, bside) = (self.g, self.b);
        let sig = move |w: Which, e: &Elem| match w {
            Which::Good => !gside.noise[e.node as usize],
            Which::Bad => !bside.noise[e.node as usize],
        };
        let last_match = ops.iter().rposition(|op| match *op {
            Op::Match(i, j) => sig(Which::Good, &gseq[i]) && sig(Which::Bad, &bseq[j]),
            _ => false,
        });
        let tail_start = last_match.map_or(0, |k| k + 1);
        let mut cand = Candidate {
            parent: (g, b),
            last_common: last_match.map(|k| match ops[k] {
                Op::Match(i, j) => (gseq[i].node, bseq[j].node),
                _ => unreachable!("last_match points at a match"),
            }),
            tail_good: None,
            tail_bad: None,
            row: 0,
            end_row: 0,
        };
        let mut emitted: FxHashSet<(bool, u32)> = FxHashSet::default();
        for (k, op) in ops.iter().enumerate() {
            if k == tail_start {
                cand.row = self.out.rows.len();
            }
            match *op {
                Op::Match(i, j) => {
                    let (ge, be) = (&gseq[i], &bseq[j]);
                    self.wrappers_for(Which::Good, ge.via, &wrappers, &mut emitted);
                    self.wrappers_for(Which::Bad, be.via, &wrappers, &mut emitted);
                    let counts = (ge.count, be.count);
                    let f = (counts != (1, 1)).then_some(counts);
                    if counts.0 != counts.1 && sig(Which::Good, ge) && !noise {
                        self.out.minors.push(Minor {
                            row: self.out.rows.len(),
                            parent: (g, b),
                            good: Some(ge.node),
                            bad: Some(be.node),
                            counts: Some(counts),
                        });
                    }
                    self.pair(ge.node, be.node, ge.depth, be.depth, f);
                    for &n in &ge.irq_after {
                        self.side_only(Which::Good, n, ge.depth, None, true);
                    }
                    for &n in &be.irq_after {
                        self.side_only(Which::Bad, n, be.depth, None, true);
                    }
                }
                Op::Good(i) | Op::Bad(i) => {
                    let (w, e) = match *op {
                        Op::Good(_) => (Which::Good, &gseq[i]),
                        _ => (Which::Bad, &bseq[i]),
                    };
                    self.wrappers_for(w, e.via, &wrappers, &mut emitted);
                    let signal = sig(w, e) && !noise;
                    if signal {
                        let (gn, bn) = match w {
                            Which::Good => (Some(e.node), None),
                            Which::Bad => (None, Some(e.node)),
                        };
                        if k < tail_start {
                            self.out.minors.push(Minor {
                                row: self.out.rows.len(),
                                parent: (g, b),
                                good: gn,
                                bad: bn,
                                counts: None,
                            });
                        } else {
                            // The parting's row is its first call that
                            // decides, not a noise call before it.
                            if cand.tail_good.is_none() && cand.tail_bad.is_none() {
                                cand.row = self.out.rows.len();
                            }
                            cand.tail_good = cand.tail_good.or(gn);
                            cand.tail_bad = cand.tail_bad.or(bn);
                        }
                    }
                    let fold = (e.count > 1).then_some(match w {
                        Which::Good => (e.count, 0),
                        Which::Bad => (0, e.count),
                    });
                    self.side_only(w, e.node, e.depth, fold, false);
                    for &n in &e.irq_after {
                        self.side_only(w, n, e.depth, None, true);
                    }
                }
            }
        }
        if cand.tail_good.is_some() || cand.tail_bad.is_some() {
            cand.end_row = self.out.rows.len();
            self.out.candidates.push(cand);
        }
    }

    /// Both subtrees have the same shape: pair them node by node.
    fn identical(&mut self, g: u32, b: u32, gd: u16, bd: u16) {
        let gend = self.g.tree.nodes[g as usize].end;
        let bend = self.b.tree.nodes[b as usize].end;
        for (gi, bi) in (g + 1..gend).zip(b + 1..bend) {
            let noise = self.g.noise[gi as usize] || self.b.noise[bi as usize];
            if !noise {
                self.out.matched += 1;
            }
            let gdep =
                gd + self.g.tree.nodes[gi as usize].depth - self.g.tree.nodes[g as usize].depth;
            let bdep =
                bd + self.b.tree.nodes[bi as usize].depth - self.b.tree.nodes[b as usize].depth;
            self.out.rows.push(Row {
                good: Some(gi),
                bad: Some(bi),
                good_depth: gdep,
                bad_depth: bdep,
                kind: RowKind::Same,
                noise,
                wrapper: false,
                fold: None,
            });
        }
    }

    /// Emit a subtree that only one side has.
    fn side_only(
        &mut self,
        w: Which,
        n: u32,
        depth: u16,
        fold: Option<(u32, u32)>,
        forced_noise: bool,
    ) {
        let side = self.side(w);
        let end = side.tree.nodes[n as usize].end;
        let d0 = side.tree.nodes[n as usize].depth;
        for k in n..end {
            let noise = forced_noise || side.noise[k as usize];
            let d = depth + side.tree.nodes[k as usize].depth - d0;
            let count = fold.map_or(1, |(a, b)| a.max(b)) as usize;
            if !noise {
                match w {
                    Which::Good => self.out.good_only += count,
                    Which::Bad => self.out.bad_only += count,
                }
            }
            let (good, bad, kind) = match w {
                Which::Good => (Some(k), None, RowKind::GoodOnly),
                Which::Bad => (None, Some(k), RowKind::BadOnly),
            };
            self.out.rows.push(Row {
                good,
                bad,
                good_depth: if good.is_some() { d } else { 0 },
                bad_depth: if bad.is_some() { d } else { 0 },
                kind,
                noise,
                wrapper: false,
                fold: if k == n { fold } else { None },
            });
        }
    }

    /// The children of `p` as diff elements: interrupts set aside, runs of
    /// identical siblings folded.
    fn elems(&self, w: Which, p: u32, depth: u16) -> (Vec<Elem>, Vec<u32>) {
        let side = self.side(w);
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
                if last.irq_after.is_empty()
                    && side.hash[last.node as usize] == side.hash[c as usize]
                {
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

    /// Replace unmatched one-sided wrapper calls by their children.
    fn splice(
        &self,
        w: Which,
        seq: &mut Vec<Elem>,
        other: &[Elem],
        ops: &[Op],
        good_side: bool,
        wrappers: &mut FxHashMap<(bool, u32), (Option<u32>, u16)>,
    ) -> bool {
        let side = self.side(w);
        let other_side = self.side(if good_side { Which::Bad } else { Which::Good });
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
            wrappers.insert((good_side, e.node), (e.via, e.depth));
            let (mut kids, lead) = self.elems(w, e.node, e.depth + 1);
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

    /// Emit the rows of the spliced wrappers an element sits in, once.
    fn wrappers_for(
        &mut self,
        w: Which,
        via: Option<u32>,
        wrappers: &FxHashMap<(bool, u32), (Option<u32>, u16)>,
        emitted: &mut FxHashSet<(bool, u32)>,
    ) {
        let Some(node) = via else { return };
        let key = (w == Which::Good, node);
        if emitted.contains(&key) {
            return;
        }
        let Some(&(parent, depth)) = wrappers.get(&key) else {
            return;
        };
        self.wrappers_for(w, parent, wrappers, emitted);
        emitted.insert(key);
        let (good, bad, kind) = match w {
            Which::Good => (Some(node), None, RowKind::GoodOnly),
            Which::Bad => (None, Some(node), RowKind::BadOnly),
        };
        self.out.rows.push(Row {
            good,
            bad,
            good_depth: if good.is_some() { depth } else { 0 },
            bad_depth: if bad.is_some() { depth } else { 0 },
            kind,
            noise: false,
            wrapper: true,
            fold: None,
        });
    }
}

/// Diff two element lists by function name.
fn diff(g: &Side<'_>, b: &Side<'_>, gseq: &[Elem], bseq: &[Elem]) -> Vec<Op> {
    let gk: Vec<u32> = gseq.iter().map(|e| g.gid[e.node as usize]).collect();
    let bk: Vec<u32> = bseq.iter().map(|e| b.gid[e.node as usize]).collect();
    let mut ops = Vec::with_capacity(gk.len().max(bk.len()));
    // A child list of millions settles for an approximate answer after a
    // fixed amount of work (never after a time: see `myers`).
    for op in diff_ops(&gk, &bk, Budget(DIFF_BUDGET)) {
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
