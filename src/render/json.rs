//! `report.json`: the [`Report`] view, pretty-printed. The schema is in
//! `docs/report-schema.md`.
//!
//! Pretty-printing indents each level of a nested call tree, so its size
//! grows with depth × calls: a tree deeper than [`PRETTY_MAX_DEPTH`] levels
//! (no real syscall's is) is written compact instead, the same JSON
//! without the whitespace; so is a report of more than
//! [`PRETTY_MAX_ITEMS`] calls, rows and groups.

use std::io::Write;

use super::view::{NodeView, Report};

/// The deepest kept tree written pretty-printed.
pub const PRETTY_MAX_DEPTH: usize = 64;

/// The most tree calls, aligned rows and syscall groups a pretty-printed
/// report.json holds (about 8 MB of it, at a call tree's usual depth); a
/// bigger report is written compact, about half the bytes.
pub const PRETTY_MAX_ITEMS: usize = 20_000;

/// Tree calls, aligned rows and syscall groups in the report: what its
/// JSON's size follows.
pub fn items(r: &Report) -> usize {
    let mut stack: Vec<&NodeView> = r
        .captures
        .iter()
        .flat_map(|c| &c.syscalls)
        .filter_map(|s| s.root.as_ref())
        .collect();
    let mut n = 0;
    while let Some(node) = stack.pop() {
        n += 1;
        stack.extend(&node.children);
    }
    n + r.comparisons.iter().map(|c| c.aligned.len()).sum::<usize>()
        + r.captures
            .iter()
            .map(|c| c.syscall_groups.len())
            .sum::<usize>()
}

/// The depth of the deepest kept call tree (iterative: trees are as deep as
/// the capture says, up to the model's cap).
pub fn max_tree_depth(r: &Report) -> usize {
    let mut stack: Vec<(&NodeView, usize)> = r
        .captures
        .iter()
        .flat_map(|c| &c.syscalls)
        .filter_map(|s| s.root.as_ref().map(|n| (n, 1)))
        .collect();
    let mut max = 0;
    while let Some((n, d)) = stack.pop() {
        max = max.max(d);
        stack.extend(n.children.iter().map(|c| (c, d + 1)));
    }
    max
}

/// Serialise the report.
pub fn render_json(r: &Report) -> serde_json::Result<String> {
    let mut s = serde_json::to_string_pretty(r)?;
    s.push('\n');
    Ok(s)
}

/// Serialise the report into `w` as it goes (a report with big trees is
/// hundreds of MB of JSON: never held whole in memory).
pub fn write_json(r: &Report, mut w: impl Write) -> serde_json::Result<()> {
    if max_tree_depth(r) > PRETTY_MAX_DEPTH || items(r) > PRETTY_MAX_ITEMS {
        serde_json::to_writer(&mut w, r)?;
    } else {
        serde_json::to_writer_pretty(&mut w, r)?;
    }
    w.write_all(b"\n").map_err(serde_json::Error::io)
}
