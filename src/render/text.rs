//! Plain-text pieces shared by the Markdown and HTML renderers: call trees
//! as indented text, the aligned view as a diff, numbers.

use crate::analyse::{RowKind, prose::plural};

use super::{
    format::{duration, ret as fmt_ret},
    view::{AlignedRow, Cell, ComparisonView, NodeFlags, NodeView},
};

/// How many lines of one call tree the text renderings show.
pub const TREE_LINES: usize = 400;

/// A call tree as indented text, repeats folded, cut at `limit` lines.
pub fn tree_text(root: &NodeView, limit: usize) -> String {
    let mut out = Vec::new();
    let mut total = 0usize;
    tree_lines(root, 0, 1, &mut out, &mut total, limit);
    let mut s = out.join("\n");
    if total > out.len() {
        s.push_str(&format!(
            "\n… {} more lines (the whole tree is in report.json and index.html)",
            total - out.len()
        ));
    }
    s
}

fn tree_lines(
    n: &NodeView,
    depth: usize,
    repeat: usize,
    out: &mut Vec<String>,
    total: &mut usize,
    limit: usize,
) {
    *total += 1;
    if out.len() < limit {
        let mut meta = Vec::new();
        if let Some(d) = n.duration {
            meta.push(duration(d));
        }
        if let Some(s) = n.self_time.filter(|_| !n.children.is_empty()) {
            meta.push(format!("self {}", duration(s)));
        }
        if let Some(r) = n.ret {
            meta.push(format!("= {}", fmt_ret(r)));
        }
        for f in n.flags.iter() {
            if let Some(label) = flag_label(f) {
                meta.push(label.to_string());
            }
        }
        meta.push(format!("L{}", n.line));
        let rep = if repeat > 1 {
            format!(" ×{repeat}")
        } else {
            String::new()
        };
        let args = n.args.as_deref().unwrap_or("");
        let body = if n.children.is_empty() && n.cut == 0 {
            format!("{}{}({args});{rep}", "  ".repeat(depth), n.func)
        } else {
            format!("{}{}({args}) {{{rep}", "  ".repeat(depth), n.func)
        };
        out.push(format!("{body:<60} {}", meta.join("  ")));
    }
    let mut i = 0;
    while i < n.children.len() {
        let c = &n.children[i];
        let mut run = 1;
        while i + run < n.children.len() && same_shape(c, &n.children[i + run]) {
            run += 1;
        }
        tree_lines(c, depth + 1, run, out, total, limit);
        i += run;
    }
    if n.cut > 0 {
        // A cut tree must not read as complete where it is shown.
        *total += 1;
        if out.len() < limit {
            out.push(format!(
                "{}… {} cut by --max-report-calls",
                "  ".repeat(depth + 1),
                plural(n.cut, "call")
            ));
        }
    }
    if !n.children.is_empty() || n.cut > 0 {
        *total += 1;
        if out.len() < limit {
            out.push(format!("{}}}", "  ".repeat(depth)));
        }
    }
}

/// How a node flag reads in a text tree (`None`: not worth a word there).
fn flag_label(flag: NodeFlags) -> Option<&'static str> {
    Some(match flag {
        NodeFlags::LEAF => return None,
        NodeFlags::EXIT_MISSING => "exit not captured",
        NodeFlags::ENTRY_MISSING => "entry not captured",
        NodeFlags::IRQ => "irq",
        NodeFlags::RECONSTRUCTED => "reconstructed",
        NodeFlags::LOST_EVENTS => "events lost",
        NodeFlags::OPEN_AT_SYSCALL_EXIT => "open at syscall exit",
        NodeFlags::SYNTHETIC => "synthetic",
        _ => return None,
    })
}

/// Same function and same callees, recursively (times ignored).
fn same_shape(a: &NodeView, b: &NodeView) -> bool {
    a.func == b.func
        && a.args == b.args
        && a.children.len() == b.children.len()
        && a.children
            .iter()
            .zip(&b.children)
            .all(|(x, y)| same_shape(x, y))
}

/// One index past the last row of the subtree that starts at `k`.
fn row_end(rows: &[AlignedRow], k: usize) -> usize {
    let r = &rows[k];
    let gd = r.good.as_ref().map(|c| c.depth);
    let bd = r.bad.as_ref().map(|c| c.depth);
    // A call only one run makes ends where the other run's calls resume at
    // its level or above: they are not inside it (a bad-only call right
    // after a good-only one is its sibling, and the diff must show it).
    let other_resumes = |own: Option<u16>, x_own: Option<&Cell>, x_other: Option<&Cell>| {
        x_other.is_some() && own.is_some_and(|d| x_own.is_none_or(|c| c.depth <= d))
    };
    rows[k + 1..]
        .iter()
        .position(|x| {
            let g_out = matches!((gd, &x.good), (Some(d), Some(c)) if c.depth <= d);
            let b_out = matches!((bd, &x.bad), (Some(d), Some(c)) if c.depth <= d);
            g_out
                || b_out
                || (gd.is_none() && other_resumes(bd, x.bad.as_ref(), x.good.as_ref()))
                || (bd.is_none() && other_resumes(gd, x.good.as_ref(), x.bad.as_ref()))
        })
        .map_or(rows.len(), |p| k + 1 + p)
}

/// Whether [`diff_text`] folded calls (`×N`, `{ … N calls }`), so the
/// legend beside it explains them.
pub fn diff_folds(diff: &str) -> bool {
    diff.lines()
        .any(|l| l.contains("{ … ") || l.contains("  ×"))
}

/// The aligned view around the split as a `diff` block body: the path to
/// the parent, the parent's calls with deeper subtrees collapsed. `+` is the
/// good run only, `-` the bad run only.
pub fn diff_text(c: &ComparisonView) -> String {
    let rows = &c.aligned;
    if rows.is_empty() {
        return String::new();
    }
    // The call the runs part under, as the analysis found it; without a
    // split, the parent of the first difference that meets again (else a
    // deep difference would be folded away under the root).
    let parent_row = c
        .first_divergence
        .as_ref()
        .map_or_else(|| first_minor_parent(c), |d| d.parent_row)
        .unwrap_or(0);
    let parent_end = row_end(rows, parent_row);
    let path = ancestors(rows, parent_row);
    let mut out: Vec<String> = path
        .iter()
        .map(|&k| diff_line(&rows[k], false, Inner::Open, rows[k].divergence))
        .collect();
    out.push(diff_line(&rows[parent_row], false, Inner::Open, false));
    parent_calls(rows, parent_row, parent_end, &mut out);
    parent_return(c, &rows[parent_row], &mut out);
    after_the_parent(rows, &path, parent_row, parent_end, &mut out);
    out.join("\n")
}

/// Lines after the parent's return given to its callers' next calls, all
/// levels together.
const NEXT_LINES: usize = 30;

/// What each run does next under each caller of the parent, innermost
/// first, then that caller's `}`: the verdict's "the good run returns from
/// `__d_lookup()` and goes on to `d_alloc()`" can be several levels up
/// (6.1 mkdir: `d_alloc()` and the bad run's `dput()` lie under
/// `lookup_one_qstr_excl()` and `filename_create()`; 6.1 openat: the bad
/// run's `put_unused_fd()` under `do_sys_openat2()`). At most 6 calls a
/// level and [`NEXT_LINES`] in all; the rest is `…`.
fn after_the_parent(
    rows: &[AlignedRow],
    path: &[usize],
    parent_row: usize,
    parent_end: usize,
    out: &mut Vec<String>,
) {
    let (mut child_end, mut child_depth) = (parent_end, row_depth(&rows[parent_row]) as usize);
    let mut budget = NEXT_LINES;
    for &k in path.iter().rev() {
        let end = row_end(rows, k);
        if budget > 0 {
            let before = out.len();
            next_under(rows, (child_end, end), child_depth, budget.min(6), out);
            budget = budget.saturating_sub(out.len() - before);
        } else if child_end < end {
            out.push(format!(" {}…", "  ".repeat(child_depth + 1)));
        }
        let depth = row_depth(&rows[k]) as usize;
        out.push(format!(" {}}}", "  ".repeat(depth + 1)));
        (child_end, child_depth) = (end, depth);
    }
}

/// The row of the call the first difference that meets again lies under.
fn first_minor_parent(c: &ComparisonView) -> Option<usize> {
    let k = c.minor_differences.first()?.row;
    let depth = row_depth(c.aligned.get(k)?);
    c.aligned[..k]
        .iter()
        .rposition(|r| r.kind == RowKind::Same && row_depth(r) < depth)
}

fn row_depth(r: &AlignedRow) -> u16 {
    r.good.as_ref().or(r.bad.as_ref()).map_or(0, |c| c.depth)
}

/// The rows of the parent's callers, outermost first.
fn ancestors(rows: &[AlignedRow], parent_row: usize) -> Vec<usize> {
    let mut path = Vec::new();
    let mut want = row_depth(&rows[parent_row]);
    for (k, r) in rows[..parent_row].iter().enumerate().rev() {
        if r.kind == RowKind::Same && row_depth(r) < want {
            path.push(k);
            want = row_depth(r);
        }
    }
    path.reverse();
    path
}

/// The parent's direct calls (and the split), deeper subtrees folded; at
/// most 60 lines.
fn parent_calls(rows: &[AlignedRow], parent_row: usize, parent_end: usize, out: &mut Vec<String>) {
    let pr = &rows[parent_row];
    let (pg, pb) = (
        pr.good.as_ref().map(|c| c.depth),
        pr.bad.as_ref().map(|c| c.depth),
    );
    let mut k = parent_row + 1;
    let mut shown = 0usize;
    while k < parent_end {
        let r = &rows[k];
        let end = row_end(rows, k);
        let direct = match (r.good.as_ref(), r.bad.as_ref()) {
            (Some(g), _) if r.wrapper || pg.is_some_and(|p| g.depth <= p + 1) => true,
            (_, Some(b)) if r.wrapper || pb.is_some_and(|p| b.depth <= p + 1) => true,
            _ => r.wrapper,
        };
        let inner = if r.wrapper {
            Inner::Nothing
        } else {
            calls_under(rows, k, end)
        };
        if r.cut_before && k > parent_row + 1 && shown < 60 {
            out.push(cut_line(pg.or(pb).unwrap_or(0) as usize + 1));
        }
        if direct || r.divergence {
            if shown < 60 {
                out.push(diff_line(
                    r,
                    differs_inside(rows, k, end),
                    inner,
                    r.divergence,
                ));
            }
            shown += 1;
        }
        k = if r.wrapper { k + 1 } else { end.max(k + 1) };
    }
    if shown > 60 {
        out.push(format!("  … {} more calls under this parent", shown - 60));
    }
    if cut_at_end(rows, parent_end) {
        out.push(cut_line(pg.or(pb).unwrap_or(0) as usize + 1));
    }
}

/// Whether the size budget cut rows right after the span ending at row
/// `end` (exclusive; at least one row in the span).
fn cut_at_end(rows: &[AlignedRow], end: usize) -> bool {
    let end = end.min(rows.len());
    rows.get(end)
        .map_or(rows[end - 1].cut_after, |x| x.cut_before)
}

/// Where the size budget cut rows (`--max-report-calls`): said, not hidden.
fn cut_line(depth: usize) -> String {
    format!(
        " {}… (rows cut by --max-report-calls)",
        "  ".repeat(depth + 1)
    )
}

/// Where the parent returns: marked when the bad run returns there.
fn parent_return(c: &ComparisonView, pr: &AlignedRow, out: &mut Vec<String>) {
    match (&c.first_divergence, pr.bad.as_ref()) {
        (Some(d), Some(b)) if d.bad_next.is_none() && !d.hidden => {
            let ret = d
                .bad_return
                .map(|v| format!(" = {}", fmt_ret(v)))
                .unwrap_or_default();
            out.push(format!(
                "-{}}} /* {}{} */   <- bad run returns here",
                "  ".repeat(b.depth as usize + 1),
                b.func,
                ret
            ));
        }
        _ => out.push(format!(" {}}}", "  ".repeat(row_depth(pr) as usize + 1))),
    }
}

/// What each run does next at depth `pd` in rows `from..to` (at most
/// `max` calls, then `…`).
fn next_under(
    rows: &[AlignedRow],
    (from, to): (usize, usize),
    pd: usize,
    max: usize,
    out: &mut Vec<String>,
) {
    let mut k = from;
    let mut n = 0;
    while k < to && n < max {
        let r = &rows[k];
        let end = row_end(rows, k);
        if row_depth(r) as usize == pd {
            out.push(diff_line(
                r,
                !r.wrapper && differs_inside(rows, k, end),
                if r.wrapper {
                    Inner::Nothing
                } else {
                    calls_under(rows, k, end)
                },
                r.divergence,
            ));
            n += 1;
        }
        k = if r.wrapper { k + 1 } else { end.max(k + 1) };
    }
    if k < to {
        out.push(format!(" {}…", "  ".repeat(pd + 1)));
    }
}

/// Whether a folded call's subtree holds a call one run makes and the
/// other does not, or makes a different number of times (the analysis'
/// `claims::differs`): then the call is made by both, but not alike.
fn differs_inside(rows: &[AlignedRow], k: usize, end: usize) -> bool {
    rows[k + 1..end.min(rows.len())]
        .iter()
        .any(|x| !x.noise && (x.kind != RowKind::Same || x.fold.is_some_and(|f| f.good != f.bad)))
}

/// What a diff line shows of the calls under its call.
#[derive(Clone, Copy)]
enum Inner {
    /// An open `{`: its calls follow on lines of their own.
    Open,
    /// Nothing folded (a leaf, or a level whose calls follow).
    Nothing,
    /// Folded: the traced calls under it in the good and the bad run, and
    /// whether the size budget cut some of them (the counts are at least).
    Calls(u64, u64, bool),
}

/// The calls under row `k` (rows `k+1..end`), per run: a row folded `×N`
/// is N calls of its run, so the count is of calls, not of lines.
fn calls_under(rows: &[AlignedRow], k: usize, end: usize) -> Inner {
    let (mut g, mut b) = (0u64, 0u64);
    // A caller the capture prints no line of is no traced call.
    let printed = |c: &Option<crate::render::view::Cell>| c.as_ref().is_some_and(|c| !c.inferred);
    let n = |side: bool, count: Option<u32>| u64::from(side) * u64::from(count.unwrap_or(1));
    for x in &rows[k + 1..end.min(rows.len())] {
        g += n(printed(&x.good), x.fold.map(|f| f.good));
        b += n(printed(&x.bad), x.fold.map(|f| f.bad));
    }
    // Rows cut inside the call's span, or right after its last kept row.
    let end = end.min(rows.len());
    // (a leaf has nothing under it to cut).
    let parent = &rows[k];
    let has_calls = [&parent.good, &parent.bad]
        .iter()
        .any(|c| c.as_ref().is_some_and(|c| c.has_children));
    let cut = has_calls && (rows[k + 1..end].iter().any(|x| x.cut_before) || cut_at_end(rows, end));
    Inner::Calls(g, b, cut)
}

fn folded_text(kind: RowKind, g: u64, b: u64, cut: bool) -> Option<String> {
    let calls = |n: u64| plural(n, "call");
    let kept = match kind {
        RowKind::Same => g.max(b),
        RowKind::GoodOnly => g,
        RowKind::BadOnly => b,
    };
    if cut && kept == 0 {
        // "at least 0 calls" says nothing: the count is not known here.
        return Some(" { … calls cut by --max-report-calls }".into());
    }
    let least = if cut { "at least " } else { "" };
    match kind {
        RowKind::Same if g != b => Some(format!(
            " {{ … {least}{} good, {} bad }}",
            calls(g),
            calls(b)
        )),
        RowKind::Same | RowKind::GoodOnly if g > 0 || cut => {
            Some(format!(" {{ … {least}{} }}", calls(g)))
        }
        RowKind::BadOnly if b > 0 || cut => Some(format!(" {{ … {least}{} }}", calls(b))),
        _ => None,
    }
}

fn diff_line(r: &AlignedRow, differs: bool, inner: Inner, divergence: bool) -> String {
    let (sign, cell) = match r.kind {
        RowKind::Same => (' ', r.good.as_ref().or(r.bad.as_ref())),
        RowKind::GoodOnly => ('+', r.good.as_ref()),
        RowKind::BadOnly => ('-', r.bad.as_ref()),
    };
    let Some(cell) = cell else {
        return String::new();
    };
    let mut s = format!(
        "{sign}{}{}()",
        "  ".repeat(cell.depth as usize + 1),
        cell.func
    );
    let folded = match inner {
        Inner::Calls(g, b, cut) => folded_text(r.kind, g, b, cut),
        _ => None,
    };
    if matches!(inner, Inner::Open) {
        s.push_str(" {");
    } else if let Some(f) = folded {
        s.push_str(&f);
    } else if cell.has_children && r.wrapper {
        s.push_str(" {");
    } else {
        s.push(';');
    }
    match (r.kind, r.fold) {
        (RowKind::Same, Some(f)) => s.push_str(&format!("  ×{} good / ×{} bad", f.good, f.bad)),
        (_, Some(f)) => s.push_str(&format!("  ×{}", f.good.max(f.bad))),
        _ => {}
    }
    let mut note = Vec::new();
    let (gr, br) = (
        r.good.as_ref().and_then(|c| c.ret),
        r.bad.as_ref().and_then(|c| c.ret),
    );
    // "both" speaks of the call; a value is shared only when both printed it
    // alike, else each run's value is named.
    let same = r.kind == RowKind::Same;
    match (gr, br) {
        (Some(g), Some(b)) if g != b && same => {
            note.push(format!("= {} good, = {} bad", fmt_ret(g), fmt_ret(b)));
        }
        (Some(g), Some(_)) => note.push(format!("= {}", fmt_ret(g))),
        (Some(v), None) | (None, Some(v)) if !same => note.push(format!("= {}", fmt_ret(v))),
        (Some(v), None) => note.push(format!("= {} good", fmt_ret(v))),
        (None, Some(v)) => note.push(format!("= {} bad", fmt_ret(v))),
        (None, None) => {}
    }
    note.push(match r.kind {
        RowKind::Same if r.noise => "both (noise)".to_string(),
        RowKind::Same if differs => "both, not alike inside".to_string(),
        RowKind::Same => "both".to_string(),
        RowKind::GoodOnly if r.wrapper => "good only: level inlined in bad".to_string(),
        RowKind::GoodOnly => "good only".to_string(),
        RowKind::BadOnly if r.wrapper => "bad only: level inlined in good".to_string(),
        RowKind::BadOnly if r.noise => "bad only (noise)".to_string(),
        RowKind::BadOnly => "bad only".to_string(),
    });
    if divergence {
        note.push("<- runs part here".to_string());
    }
    format!("{s:<58} /* {} */", note.join(", "))
}
