//! The verdict's sentences on what both runs share before the split: "Both
//! runs agree inside … up to X" only when no call differs before it, else
//! "make the same calls … apart from" what does differ, each part named
//! in the verdict itself ([`claims::earlier`] sorts them), so a pasted
//! verdict never points at a list it does not carry.

use super::{
    Prose,
    align::{Minor, RowKind},
    claims::{self, Earlier},
    diverge::Divergence,
    side::Side,
    verdict::{Facts, minor_words},
};

/// "Both runs agree inside … up to X", said only as far as it is true:
/// earlier differences are owned up to, and a difference inside X itself
/// is named instead of hidden.
pub fn agree(p: &mut Prose, f: &Facts<'_, '_>, d: &Divergence) {
    let (g, b) = (f.g, f.b);
    let path = matched_path(b, d.parent.1);
    let e = claims::earlier(f.alignment, g, b, d.row);
    p.text(if e.first.is_none() {
        "Both runs agree inside "
    } else {
        "Both runs make the same calls inside "
    });
    for (k, n) in path.iter().enumerate() {
        if k > 0 {
            p.text(" → ");
        }
        p.func(b.name(*n));
    }
    let Some((gl, bl)) = d.last_common else {
        // "make the same calls" owns up to what differs here too.
        if e.first.is_some() {
            apart(p, f, &e);
        }
        p.text(", and part right after entering ")
            .func(b.name(d.parent.1))
            .text(". ");
        return;
    };
    p.text(" up to ").func(b.name(bl));
    if let Some(r) = b.tree.nodes[bl as usize].ret {
        p.text(format!(
            " (which returned {} in the bad run)",
            super::retval::show(r.value())
        ));
    }
    shared_noise_after(p, f, bl, d.row);
    match e.first {
        Some(k) if claims::row_inside(f.alignment, k, g, b, (gl, bl)) => {
            p.text(", whose calls are not alike: inside it ");
            let r = &f.alignment.rows[k];
            match (r.kind, r.good, r.bad) {
                (RowKind::BadOnly, _, Some(n)) => {
                    p.text("the bad run also calls ").func(b.name(n));
                }
                (RowKind::GoodOnly, Some(n), _) => {
                    p.text("only the good run calls ").func(g.name(n));
                }
                _ => row_words(p, f, k),
            }
        }
        Some(_) => apart(p, f, &e),
        None => {}
    }
    p.text(". ");
}

/// The noise calls both runs make after the last shared call `bl` and
/// before the parting, at its level: "up to X" alone would read as if the
/// runs parted right after X (the seed case: both then call
/// `__might_fault()`).
fn shared_noise_after(p: &mut Prose, f: &Facts<'_, '_>, bl: u32, until: usize) {
    let names = shared_noise(f, bl, until);
    let Some((last, rest)) = names.split_last() else {
        return;
    };
    p.text(" (then both call ");
    for (k, name) in rest.iter().enumerate() {
        if k > 0 {
            p.text(", ");
        }
        p.func(name);
    }
    if !rest.is_empty() {
        p.text(" and ");
    }
    p.func(last).text(", on the noise list: never decisive)");
}

/// The names of the noise calls both runs make after the bad run's call
/// `bl`, at its level, before row `until`.
fn shared_noise<'f>(f: &Facts<'f, '_>, bl: u32, until: usize) -> Vec<&'f str> {
    let (b, rows) = (f.b, &f.alignment.rows);
    let Some(start) = rows.iter().position(|r| r.bad == Some(bl)) else {
        return Vec::new();
    };
    // The last shared call's row comes before the parting's; should it
    // not (a split picked from a difference that met again), there is
    // nothing between them to name.
    let Some(between) = rows.get(start + 1..until.min(rows.len())) else {
        return Vec::new();
    };
    let parent = b.tree.nodes[bl as usize].parent;
    let mut names: Vec<&str> = Vec::new();
    for r in between {
        let Some(n) = r.bad.filter(|_| r.kind == RowKind::Same && r.noise) else {
            continue;
        };
        let name = b.name(n);
        if b.tree.nodes[n as usize].parent == parent && !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// " (apart from …)": the differences that meet again (counted, first
/// named, by [`differences`]) and call levels one run shows (each
/// named by the verdict's candidates) are said to be named below, in this
/// same verdict; anything else is named here.
fn apart(p: &mut Prose, f: &Facts<'_, '_>, e: &Earlier<'_>) {
    let n = e.minors.len();
    let mut parts = Vec::new();
    if n > 0 {
        let (s, verb) = if n == 1 { ("", "meets") } else { ("s", "meet") };
        parts.push(format!("{n} difference{s} that {verb} again"));
    }
    match e.wrappers {
        0 => {}
        1 => parts.push("a call level only one run shows".to_string()),
        _ => parts.push("call levels only one run shows".to_string()),
    }
    p.text(" (apart from ");
    if !parts.is_empty() {
        p.text(format!("{}, named below", parts.join(" and ")));
    }
    if let Some(k) = e.unlisted {
        p.text(if parts.is_empty() { "" } else { "; and " })
            .text("an earlier difference: ");
        row_words(p, f, k);
    }
    p.text(")");
}

/// A row that differs, in the words of a difference that meets again.
fn row_words(p: &mut Prose, f: &Facts<'_, '_>, k: usize) {
    let r = &f.alignment.rows[k];
    let m = Minor {
        row: k,
        parent: (0, 0),
        good: r.good.filter(|_| r.kind != RowKind::BadOnly),
        bad: r.bad.filter(|_| r.kind != RowKind::GoodOnly),
        counts: r.fold.filter(|&(a, b)| a != b && r.kind == RowKind::Same),
    };
    minor_words(p, f, &m);
}

/// The differences that meet again before row `until`: how many, and the
/// first. Never "they did not decide it": an error path that skips a block
/// and then runs the cleanup both runs share meets again too (7.3's
/// `map_create()`), so the capture's shape cannot rule them out.
pub fn differences(p: &mut Prose, f: &Facts<'_, '_>, until: usize) {
    let minors = claims::minors_before(f.alignment, until);
    let Some(m) = minors.first() else { return };
    let n = minors.len();
    p.text(format!(
        "{n} earlier difference{} meet{} again (first: ",
        if n == 1 { "" } else { "s" },
        if n == 1 { "s" } else { "" },
    ));
    minor_words(p, f, m);
    p.text(").");
}

/// The call levels only one run shows, by name (the verdict's candidates).
pub fn wrapper_names(p: &mut Prose, f: &Facts<'_, '_>) {
    for (k, c) in f.candidates.iter().filter(|c| c.wrapper).enumerate() {
        if k > 0 {
            p.text(", ");
        }
        p.func(&c.func);
    }
}

/// The paired ancestors of a bad node, root first, noise left out.
fn matched_path(b: &Side<'_>, n: u32) -> Vec<u32> {
    b.tree
        .path(n as usize)
        .into_iter()
        .map(|i| i as u32)
        .filter(|&i| !b.noise[i as usize])
        .collect()
}
