//! Myers' diff (linear space, divide and conquer) with a budget counted in
//! work instead of wall time, so a loaded machine cannot change a report.
//!
//! Adapted from `similar` 2.7.0 (`algorithms/myers.rs`, Apache-2.0, Armin
//! Ronacher), whose search is identical: only its `Instant` deadline is
//! replaced by [`Budget`]. While the budget lasts the answer is `similar`'s
//! exact one; once it is spent, each remaining range is answered as
//! "delete all, insert all" (as `similar` does past its deadline).

use std::ops::{Index, IndexMut, Range};

use similar::{
    DiffOp,
    algorithms::{Capture, Compact, DiffHook, Replace},
};

/// Work units one diff may spend: one per diagonal visited, one per element
/// compared. About half a second of work on a current CPU; the fixtures
/// need a few thousand at most.
pub const DIFF_BUDGET: u64 = 1 << 27;

/// Work left for one diff.
#[derive(Debug, Clone, Copy)]
pub struct Budget(pub u64);

impl Budget {
    fn spend(&mut self, units: usize) {
        self.0 = self.0.saturating_sub(units as u64);
    }

    /// Whether nothing is left.
    pub fn spent(&self) -> bool {
        self.0 == 0
    }
}

/// The diff of two key lists as `similar`'s ops (adjacent deletes and
/// inserts compacted and merged into replaces, as `similar::capture_diff`).
/// `budget` is what is left after it.
pub fn diff_ops(old: &[u32], new: &[u32], budget: &mut Budget) -> Vec<DiffOp> {
    let mut d = Compact::new(Replace::new(Capture::new()), old, new);
    let max_d = max_d(old.len(), new.len());
    let (mut vf, mut vb) = (V::new(max_d), V::new(max_d));
    let mut s = Search {
        old,
        new,
        vf: &mut vf,
        vb: &mut vb,
        budget: *budget,
    };
    // The hooks above never fail.
    let Ok(()) = s.conquer(&mut d, 0..old.len(), 0..new.len());
    *budget = s.budget;
    let Ok(()) = d.finish();
    d.into_inner().into_inner().into_ops()
}

struct V {
    offset: isize,
    v: Vec<usize>,
}

impl V {
    fn new(max_d: usize) -> Self {
        Self {
            offset: max_d as isize,
            v: vec![0; 2 * max_d],
        }
    }
}

impl Index<isize> for V {
    type Output = usize;
    fn index(&self, index: isize) -> &usize {
        &self.v[(index + self.offset) as usize]
    }
}

impl IndexMut<isize> for V {
    fn index_mut(&mut self, index: isize) -> &mut usize {
        &mut self.v[(index + self.offset) as usize]
    }
}

fn max_d(len1: usize, len2: usize) -> usize {
    (len1 + len2).div_ceil(2) + 1
}

fn prefix_len(old: &[u32], o: Range<usize>, new: &[u32], n: Range<usize>) -> usize {
    n.zip(o).take_while(|&(j, i)| new[j] == old[i]).count()
}

fn suffix_len(old: &[u32], o: Range<usize>, new: &[u32], n: Range<usize>) -> usize {
    n.rev()
        .zip(o.rev())
        .take_while(|&(j, i)| new[j] == old[i])
        .count()
}

struct Search<'a> {
    old: &'a [u32],
    new: &'a [u32],
    vf: &'a mut V,
    vb: &'a mut V,
    budget: Budget,
}

impl Search<'_> {
    fn conquer<D: DiffHook>(
        &mut self,
        d: &mut D,
        mut o: Range<usize>,
        mut n: Range<usize>,
    ) -> Result<(), D::Error> {
        let (old, new) = (self.old, self.new);
        let prefix = prefix_len(old, o.clone(), new, n.clone());
        if prefix > 0 {
            d.equal(o.start, n.start, prefix)?;
        }
        o.start += prefix;
        n.start += prefix;
        let suffix = suffix_len(old, o.clone(), new, n.clone());
        let suffix_at = (o.end - suffix, n.end - suffix);
        o.end -= suffix;
        n.end -= suffix;
        if o.is_empty() && n.is_empty() {
        } else if n.is_empty() {
            d.delete(o.start, o.len(), n.start)?;
        } else if o.is_empty() {
            d.insert(o.start, n.start, n.len())?;
        } else if let Some((x, y)) = self.middle_snake(o.clone(), n.clone()) {
            self.conquer(d, o.start..x, n.start..y)?;
            self.conquer(d, x..o.end, y..n.end)?;
        } else {
            d.delete(o.start, o.len(), n.start)?;
            d.insert(o.start, n.start, n.len())?;
        }
        if suffix > 0 {
            d.equal(suffix_at.0, suffix_at.1, suffix)?;
        }
        Ok(())
    }

    /// The middle snake's start, or `None` when the budget is spent.
    fn middle_snake(&mut self, o: Range<usize>, nr: Range<usize>) -> Option<(usize, usize)> {
        let (n, m) = (o.len(), nr.len());
        let delta = n as isize - m as isize;
        let odd = delta & 1 == 1;
        self.vf[1] = 0;
        self.vb[1] = 0;
        for d in 0..max_d(n, m) as isize {
            if self.budget.spent() {
                break;
            }
            if let Some(at) = self.forward(d, delta, odd, &o, &nr) {
                return Some(at);
            }
            if let Some(at) = self.backward(d, delta, odd, &o, &nr) {
                return Some(at);
            }
        }
        None
    }

    fn forward(
        &mut self,
        d: isize,
        delta: isize,
        odd: bool,
        o: &Range<usize>,
        nr: &Range<usize>,
    ) -> Option<(usize, usize)> {
        let (vf, vb) = (&mut *self.vf, &*self.vb);
        for k in (-d..=d).rev().step_by(2) {
            let mut x = if k == -d || (k != d && vf[k - 1] < vf[k + 1]) {
                vf[k + 1]
            } else {
                vf[k - 1] + 1
            };
            let y = (x as isize - k) as usize;
            let (x0, y0) = (x, y);
            let mut advance = 0;
            if x < o.len() && y < nr.len() {
                advance = prefix_len(self.old, o.start + x..o.end, self.new, nr.start + y..nr.end);
                x += advance;
            }
            self.budget.spend(1 + advance);
            vf[k] = x;
            if odd && (k - delta).abs() < d && vf[k] + vb[-(k - delta)] >= o.len() {
                return Some((x0 + o.start, y0 + nr.start));
            }
        }
        None
    }

    fn backward(
        &mut self,
        d: isize,
        delta: isize,
        odd: bool,
        o: &Range<usize>,
        nr: &Range<usize>,
    ) -> Option<(usize, usize)> {
        let (n, m) = (o.len(), nr.len());
        let (vb, vf) = (&mut *self.vb, &*self.vf);
        for k in (-d..=d).rev().step_by(2) {
            let mut x = if k == -d || (k != d && vb[k - 1] < vb[k + 1]) {
                vb[k + 1]
            } else {
                vb[k - 1] + 1
            };
            let mut y = (x as isize - k) as usize;
            let mut advance = 0;
            if x < n && y < m {
                advance = suffix_len(
                    self.old,
                    o.start..o.start + n - x,
                    self.new,
                    nr.start..nr.start + m - y,
                );
                x += advance;
                y += advance;
            }
            self.budget.spend(1 + advance);
            vb[k] = x;
            if !odd && (k - delta).abs() <= d && vb[k] + vf[-(k - delta)] >= n {
                return Some((n - x + o.start, m - y + nr.start));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ops(a: &[u32], b: &[u32], budget: u64) -> Vec<DiffOp> {
        diff_ops(a, b, &mut Budget(budget))
    }

    #[test]
    fn same_answer_as_similar_while_the_budget_lasts() {
        let cases: [(&[u32], &[u32]); 5] = [
            (&[0, 1, 2, 3, 4], &[0, 1, 2, 9, 4]),
            (&[0, 1, 2, 3, 4, 4, 4, 5], &[0, 1, 2, 8, 9, 4, 4, 7]),
            (&[0, 1, 3, 4, 5], &[0, 1, 4, 5, 8, 9]),
            (&[1, 2, 3, 1, 2, 2, 1], &[3, 2, 1, 2, 1, 3]),
            (&[], &[1, 2]),
        ];
        for (a, b) in cases {
            let want = similar::capture_diff_slices(similar::Algorithm::Myers, a, b);
            assert_eq!(ops(a, b, DIFF_BUDGET), want, "{a:?} vs {b:?}");
        }
    }

    #[test]
    fn a_spent_budget_replaces_the_middle_whole() {
        let a: Vec<u32> = (0..50).collect();
        let b: Vec<u32> = (0..50)
            .map(|i| if i % 3 == 0 { 100 + i } else { i })
            .collect();
        let got = ops(&a, &b, 0);
        // Common prefix and suffix still match; what lies between is one replace.
        assert_eq!(
            got,
            vec![
                DiffOp::Replace {
                    old_index: 0,
                    old_len: 49,
                    new_index: 0,
                    new_len: 49
                },
                DiffOp::Equal {
                    old_index: 49,
                    new_index: 49,
                    len: 1
                }
            ]
        );
        // The same input, the same answer, however loaded the machine is.
        assert_eq!(ops(&a, &b, 1000), ops(&a, &b, 1000));
    }
}
