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

mod level;
mod myers;
mod work;

use rustc_hash::FxHashSet;

pub use self::work::{ALIGN_BUDGET, AlignWork};

use self::level::{Elem, Level, Op, Spliced, level};
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
/// under the same parent (or, for a parting before the split, or of a run
/// without one, that [`super::diverge`] moved here, a call after the
/// parent returns).
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

#[derive(Clone, Copy, PartialEq, Eq)]
enum Which {
    Good,
    Bad,
}

/// The paired call whose children are being emitted.
#[derive(Clone, Copy)]
struct Under {
    /// `(good, bad)`.
    parent: (u32, u32),
    /// Either side of it is noise: nothing under it decides.
    noise: bool,
}

/// The spliced wrappers of a level and those whose row is out already.
struct Wrappers {
    spliced: Spliced,
    emitted: FxHashSet<(bool, u32)>,
}

struct Aligner<'s, 'a> {
    g: &'s Side<'a>,
    b: &'s Side<'a>,
    work: &'s AlignWork,
    out: Alignment,
}

/// Align two syscall trees, drawing on the analysis' total `work` budget.
pub fn align(g: &Side<'_>, b: &Side<'_>, work: &AlignWork) -> Alignment {
    let mut a = Aligner {
        g,
        b,
        work,
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

    /// Pair `g` with `b` (a row), then align their children.
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
        let lv = level((self.g, self.b), (g, gd + 1), (b, bd + 1), self.work);
        for &n in &lv.glead {
            self.side_only(Which::Good, n, gd + 1, None, true);
        }
        for &n in &lv.blead {
            self.side_only(Which::Bad, n, bd + 1, None, true);
        }
        let under = Under {
            parent: (g, b),
            noise,
        };
        self.children(under, lv);
    }

    /// A call that can decide the split (not noise).
    fn significant(&self, w: Which, e: &Elem) -> bool {
        !self.side(w).noise[e.node as usize]
    }

    /// Emit the diffed children of a paired call: the differences before
    /// its last paired call are minors (they meet again); one after it is
    /// a candidate parting.
    fn children(&mut self, under: Under, lv: Level) {
        let Level {
            gseq,
            bseq,
            ops,
            spliced,
            ..
        } = lv;
        let last_match = ops.iter().rposition(|op| match *op {
            Op::Match(i, j) => {
                self.significant(Which::Good, &gseq[i]) && self.significant(Which::Bad, &bseq[j])
            }
            _ => false,
        });
        let tail_start = last_match.map_or(0, |k| k + 1);
        let mut cand = Candidate {
            parent: under.parent,
            last_common: last_match.map(|k| match ops[k] {
                Op::Match(i, j) => (gseq[i].node, bseq[j].node),
                _ => unreachable!("last_match points at a match"),
            }),
            tail_good: None,
            tail_bad: None,
            row: 0,
            end_row: 0,
        };
        let mut wr = Wrappers {
            spliced,
            emitted: FxHashSet::default(),
        };
        for (k, op) in ops.iter().enumerate() {
            if k == tail_start {
                cand.row = self.out.rows.len();
            }
            let tail = (k >= tail_start).then_some(&mut cand);
            match *op {
                Op::Match(i, j) => self.matched_child(under, &gseq[i], &bseq[j], &mut wr),
                Op::Good(i) => self.one_sided_child(under, Which::Good, &gseq[i], tail, &mut wr),
                Op::Bad(i) => self.one_sided_child(under, Which::Bad, &bseq[i], tail, &mut wr),
            }
        }
        if cand.tail_good.is_some() || cand.tail_bad.is_some() {
            cand.end_row = self.out.rows.len();
            self.out.candidates.push(cand);
        }
    }

    /// Children paired by the diff: a minor when their repeat counts
    /// differ, then aligned in turn.
    fn matched_child(&mut self, under: Under, ge: &Elem, be: &Elem, wr: &mut Wrappers) {
        self.wrappers_for(Which::Good, ge.via, wr);
        self.wrappers_for(Which::Bad, be.via, wr);
        let counts = (ge.count, be.count);
        let f = (counts != (1, 1)).then_some(counts);
        if counts.0 != counts.1 && self.significant(Which::Good, ge) && !under.noise {
            self.out.minors.push(Minor {
                row: self.out.rows.len(),
                parent: under.parent,
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

    /// A child only side `w` has: a minor before the parent's last paired
    /// call, else part of the parting (`tail`).
    fn one_sided_child(
        &mut self,
        under: Under,
        w: Which,
        e: &Elem,
        tail: Option<&mut Candidate>,
        wr: &mut Wrappers,
    ) {
        self.wrappers_for(w, e.via, wr);
        if self.significant(w, e) && !under.noise {
            let (gn, bn) = match w {
                Which::Good => (Some(e.node), None),
                Which::Bad => (None, Some(e.node)),
            };
            match tail {
                None => self.out.minors.push(Minor {
                    row: self.out.rows.len(),
                    parent: under.parent,
                    good: gn,
                    bad: bn,
                    counts: None,
                }),
                Some(cand) => {
                    // The parting's row is its first call that decides,
                    // not a noise call before it.
                    if cand.tail_good.is_none() && cand.tail_bad.is_none() {
                        cand.row = self.out.rows.len();
                    }
                    cand.tail_good = cand.tail_good.or(gn);
                    cand.tail_bad = cand.tail_bad.or(bn);
                }
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
            self.out.rows.push(Row {
                noise,
                fold: if k == n { fold } else { None },
                ..one_sided(w, k, d)
            });
        }
    }

    /// Emit the rows of the spliced wrappers an element sits in, once.
    fn wrappers_for(&mut self, w: Which, via: Option<u32>, wr: &mut Wrappers) {
        let Some(node) = via else { return };
        let key = (w == Which::Good, node);
        if wr.emitted.contains(&key) {
            return;
        }
        let Some(&(parent, depth)) = wr.spliced.get(&key) else {
            return;
        };
        self.wrappers_for(w, parent, wr);
        wr.emitted.insert(key);
        self.out.rows.push(Row {
            wrapper: true,
            ..one_sided(w, node, depth)
        });
    }
}

/// The row of a call only side `w` has, at `depth` (not noise, no fold).
fn one_sided(w: Which, node: u32, depth: u16) -> Row {
    let (good, bad, kind) = match w {
        Which::Good => (Some(node), None, RowKind::GoodOnly),
        Which::Bad => (None, Some(node), RowKind::BadOnly),
    };
    Row {
        good,
        bad,
        good_depth: if good.is_some() { depth } else { 0 },
        bad_depth: if bad.is_some() { depth } else { 0 },
        kind,
        noise: false,
        wrapper: false,
        fold: None,
    }
}
