//! Checks a sentence must pass before the verdict says it: each claim is
//! tested against the trees it speaks of, so "never reaches", "agree up
//! to" and "both" are only said when they are true.

use super::{
    align::{Alignment, RowKind},
    side::Side,
};

/// Whether the bad run calls a function of this name anywhere in its tree
/// (interrupts aside): only then may a sentence say it "never reaches" it.
pub fn bad_calls(b: &Side<'_>, gid: u32) -> bool {
    b.gid.iter().zip(&b.irq).any(|(&g, &irq)| g == gid && !irq)
}

/// The first row before `until` where one run makes a (non-noise) call the
/// other does not: `None` when both runs agree call for call up to there.
pub fn first_difference(al: &Alignment, until: usize) -> Option<usize> {
    al.rows[..until.min(al.rows.len())]
        .iter()
        .position(|r| r.kind != RowKind::Same && !r.noise)
}

/// Whether row `k` lies inside the subtree of the call `(good, bad)`.
pub fn row_inside(al: &Alignment, k: usize, g: &Side<'_>, b: &Side<'_>, call: (u32, u32)) -> bool {
    let r = &al.rows[k];
    let within =
        |n: u32, side: &Side<'_>, top: u32| n > top && n < side.tree.nodes[top as usize].end;
    r.good.is_some_and(|n| within(n, g, call.0)) || r.bad.is_some_and(|n| within(n, b, call.1))
}
