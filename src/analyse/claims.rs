//! Checks a sentence must pass before the verdict says it: each claim is
//! tested against the trees it speaks of, so "never reaches", "agree up
//! to" and "both" are only said when they are true.

use super::{
    align::{Alignment, Minor, Row, RowKind},
    side::Side,
};

/// Whether the bad run calls a function of this name anywhere in its tree
/// (interrupts aside): only then may a sentence say it "never reaches" it.
pub fn bad_calls(b: &Side<'_>, gid: u32) -> bool {
    b.gid.iter().zip(&b.irq).any(|(&g, &irq)| g == gid && !irq)
}

/// Whether row `k` is a difference between the runs: a (non-noise) call
/// one run makes and the other does not, or a repeat the runs make a
/// different number of times. The one predicate behind "agree", "the same
/// calls … apart from" and the counts of [`Earlier`].
pub fn differs(al: &Alignment, k: usize) -> bool {
    let r = &al.rows[k];
    !r.noise && (r.kind != RowKind::Same || counts_differ(r))
}

fn counts_differ(r: &Row) -> bool {
    r.fold.is_some_and(|(g, b)| g != b)
}

/// The first row before `until` where the runs differ ([`differs`]):
/// `None` when both runs agree call for call up to there.
pub fn first_difference(al: &Alignment, until: usize) -> Option<usize> {
    (0..until.min(al.rows.len())).find(|&k| differs(al, k))
}

/// The differences that meet again before row `until`, in call order.
pub fn minors_before(al: &Alignment, until: usize) -> Vec<&Minor> {
    al.minors.iter().filter(|m| m.row < until).collect()
}

/// What differs before a row, sorted by how the verdict can name it.
pub struct Earlier<'a> {
    /// The first row that differs.
    pub first: Option<usize>,
    /// The differences that meet again before the row (the alignment's
    /// minors: the report lists them, the verdict counts them).
    pub minors: Vec<&'a Minor>,
    /// Call levels one run shows and the other inlines, before the row
    /// (the verdict names each).
    pub wrappers: usize,
    /// The first row that differs and is neither a wrapper nor inside a
    /// listed difference (`None` while the aligner's lists are complete).
    pub unlisted: Option<usize>,
}

/// Sort what differs before row `until` ([`differs`]) into what the report
/// lists (minors), what the verdict names (wrappers) and anything else.
pub fn earlier<'a>(al: &'a Alignment, g: &Side<'_>, b: &Side<'_>, until: usize) -> Earlier<'a> {
    let until = until.min(al.rows.len());
    let minors = minors_before(al, until);
    let mut out = Earlier {
        first: None,
        minors: Vec::new(),
        wrappers: 0,
        unlisted: None,
    };
    let mut latest: Option<&Minor> = None;
    let mut next = minors.iter().peekable();
    for k in 0..until {
        while let Some(m) = next.next_if(|m| m.row <= k) {
            latest = Some(m);
        }
        if !differs(al, k) {
            continue;
        }
        out.first.get_or_insert(k);
        let r = &al.rows[k];
        if r.wrapper {
            out.wrappers += 1;
        } else if !latest.is_some_and(|m| in_minor(m, r, g, b)) {
            out.unlisted.get_or_insert(k);
        }
    }
    out.minors = minors;
    out
}

/// Whether a row at or after a minor's lies under the minor's parent: the
/// minor names the first call of its parting (a parting moved from the
/// aligner's list stands for all the one-sided calls that end its parent).
fn in_minor(m: &Minor, r: &Row, g: &Side<'_>, b: &Side<'_>) -> bool {
    let within = |n: Option<u32>, side: &Side<'_>, top: u32| {
        n.is_some_and(|n| n > top && n < side.tree.nodes[top as usize].end)
    };
    within(r.good, g, m.parent.0) || within(r.bad, b, m.parent.1)
}

/// Whether row `k` lies inside the subtree of the call `(good, bad)`.
pub fn row_inside(al: &Alignment, k: usize, g: &Side<'_>, b: &Side<'_>, call: (u32, u32)) -> bool {
    let r = &al.rows[k];
    let within =
        |n: u32, side: &Side<'_>, top: u32| n > top && n < side.tree.nodes[top as usize].end;
    r.good.is_some_and(|n| within(n, g, call.0)) || r.bad.is_some_and(|n| within(n, b, call.1))
}
