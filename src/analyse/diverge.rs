//! Where the runs part: the first parting in call order that matters.
//!
//! The aligner lists every paired call whose children part and do not meet
//! again under it. Not all of them are the split on the error path: a slab
//! slow path in one run parts too, then both runs go on identically. So a
//! parting is *consequential* when the parent's return values differ in kind
//! (error vs success, with funcgraph-retval), or, without return values,
//! when the runs do not meet again right after the parent returns. The split
//! is the first consequential parting. Cleanup both runs do later, higher
//! up, does not undo it.
//!
//! When no parting stays apart, whether there is a split at all depends on
//! the bad run's result. If it failed, the error was decided somewhere, and
//! the last parting (marked `reconverges`), the first difference that meets
//! again, or the last call both runs make (`hidden`) is the only lead to
//! that place. If nothing failed (or the result is unknown), there is no
//! decision to place: calling the last paired call a hidden split invents
//! one, and every gap, candidate and origin span hung on it would be a
//! claim about a failure that did not happen. Then there is no split; the
//! partings that met again are differences like any other that meets again.
//! So are the partings before a split: the verdict's "apart from differences
//! that meet again" counts them, and the report lists them.

use super::{
    align::{Alignment, Candidate, Minor, RowKind},
    side::Side,
};

/// The split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Divergence {
    /// The paired call under which the runs part `(good, bad)`.
    pub parent: (u32, u32),
    /// The last paired non-noise call before the parting (`None`: they part
    /// right after entering `parent`).
    pub last_common: Option<(u32, u32)>,
    /// What the good run calls next (inside `parent`, or after it returned).
    pub good_next: Option<u32>,
    /// Whether `good_next` is still inside `parent`.
    pub good_next_inside: bool,
    /// What the bad run calls instead (`None`: it returns from `parent`).
    pub bad_next: Option<u32>,
    /// Row of the parting in the aligned view.
    pub row: usize,
    /// No traced call differs: the decision is below the traced depth or
    /// in code ftrace cannot see.
    pub hidden: bool,
    /// The runs part here but meet again later (no parting that stays
    /// apart was found, so the only difference is reported).
    pub reconverges: bool,
}

/// Whether `d` is the first place the runs differ at all: no difference
/// that met again comes before it (then it is only "the parting"; a report
/// called a 6.12 unlink's last parting "the first" with two differences
/// before it).
pub fn is_first(al: &Alignment, d: &Divergence) -> bool {
    !al.minors.iter().any(|m| m.row < d.row)
}

/// Pick the split from the aligner's partings. The partings before it
/// (all of them when there is none) met again: they join the alignment's
/// minors, so the report lists every difference the verdict counts.
pub fn first_divergence(al: &mut Alignment, g: &Side<'_>, b: &Side<'_>) -> Option<Divergence> {
    let split = pick(al, g, b);
    // The partings before the split met again (a paired call follows
    // them: the split's parent or an ancestor's later call), so they are
    // listed with the other differences that meet again; without a split,
    // all of them.
    partings_to_minors(al, split.as_ref().map_or(usize::MAX, |d| d.row));
    split
}

fn pick(al: &Alignment, g: &Side<'_>, b: &Side<'_>) -> Option<Divergence> {
    if let Some(c) = al.candidates.iter().find(|c| consequential(al, c, g, b)) {
        return Some(from_candidate(c, g));
    }
    // Nothing failed: no decision to place.
    b.syscall.errno()?;
    match al.candidates.last() {
        Some(c) => Some(Divergence {
            reconverges: true,
            ..from_candidate(c, g)
        }),
        None => first_minor(al).or_else(|| hidden(al)),
    }
}

/// The partings before row `until` met again after their parent returned:
/// each is a difference that meets again, one level up (in call order with
/// the aligner's own minors).
fn partings_to_minors(al: &mut Alignment, until: usize) {
    let moved = al
        .candidates
        .iter()
        .filter(|c| c.row < until)
        .map(|c| Minor {
            row: c.row,
            parent: c.parent,
            good: c.tail_good,
            bad: c.tail_bad,
            counts: None,
        });
    let mut minors: Vec<Minor> = al.minors.drain(..).chain(moved).collect();
    minors.sort_by_key(|m| m.row);
    al.minors = minors;
}

fn consequential(al: &Alignment, c: &Candidate, g: &Side<'_>, b: &Side<'_>) -> bool {
    let gr = g.tree.nodes[c.parent.0 as usize].ret;
    let br = b.tree.nodes[c.parent.1 as usize].ret;
    if let (Some(gr), Some(br)) = (gr, br) {
        return gr.errno().is_some() != br.errno().is_some();
    }
    // Without return values: do both runs make the same call right after
    // the parent returns?
    let next = al.rows[c.end_row.min(al.rows.len())..]
        .iter()
        .find(|r| !r.noise);
    !matches!(next, Some(r) if r.kind == RowKind::Same)
}

fn from_candidate(c: &Candidate, g: &Side<'_>) -> Divergence {
    let (good_next, inside) = match c.tail_good {
        Some(n) => (Some(n), true),
        None => (g.next_after_subtree(c.parent.0), false),
    };
    Divergence {
        parent: c.parent,
        last_common: c.last_common,
        good_next,
        good_next_inside: inside,
        bad_next: c.tail_bad,
        row: c.row,
        hidden: false,
        reconverges: false,
    }
}

/// No parting that stays apart: the first difference that meets again is
/// the only lead (a depth-limited capture shows `fd_install()` vs
/// `put_unused_fd()` before both call `putname()`).
fn first_minor(al: &Alignment) -> Option<Divergence> {
    let m = al.minors.iter().find(|m| m.counts.is_none())?;
    let start = m.row;
    let depth = |r: &super::align::Row| {
        if r.good.is_some() {
            r.good_depth
        } else {
            r.bad_depth
        }
    };
    let d0 = depth(&al.rows[start]);
    let mut good_next = m.good;
    let mut bad_next = m.bad;
    for r in &al.rows[start..] {
        if r.kind == RowKind::Same && depth(r) <= d0 {
            break;
        }
        if r.noise || depth(r) != d0 {
            continue;
        }
        good_next = good_next.or(if r.kind == RowKind::GoodOnly {
            r.good
        } else {
            None
        });
        bad_next = bad_next.or(if r.kind == RowKind::BadOnly {
            r.bad
        } else {
            None
        });
    }
    let last_common = al.rows[..start]
        .iter()
        .rev()
        .find(|r| r.kind == RowKind::Same && !r.noise && depth(r) == d0)
        .and_then(|r| Some((r.good?, r.bad?)))
        .filter(|&(gn, _)| {
            al.rows[..start].iter().any(|r| r.good == Some(m.parent.0)) && gn != m.parent.0
        });
    Some(Divergence {
        parent: m.parent,
        last_common,
        good_next,
        good_next_inside: true,
        bad_next,
        row: start,
        hidden: false,
        reconverges: true,
    })
}

/// No parting at all: every traced call pairs. Report the last paired call,
/// under its parent.
fn hidden(al: &Alignment) -> Option<Divergence> {
    let (k, last) = al
        .rows
        .iter()
        .enumerate()
        .rev()
        .find(|(_, r)| r.kind == RowKind::Same && !r.noise)?;
    let (gl, bl) = (last.good?, last.bad?);
    // The parent is the closest earlier Same row one level up.
    let parent = al.rows[..k]
        .iter()
        .rev()
        .find(|r| r.kind == RowKind::Same && r.good_depth + 1 == last.good_depth)
        .and_then(|r| Some((r.good?, r.bad?)))
        .unwrap_or((gl, bl));
    Some(Divergence {
        parent,
        last_common: Some((gl, bl)),
        good_next: None,
        good_next_inside: false,
        bad_next: None,
        row: k,
        hidden: true,
        reconverges: false,
    })
}
