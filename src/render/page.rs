//! The data `index.html`'s script draws its call trees and aligned views
//! from, embedded once as JSON.
//!
//! Nested JSON costs ~150 bytes per call, so a capture of a million calls
//! would make a page of hundreds of MB. Instead each tree is a handful of
//! columns in pre-order (one value per call), each column LEB128 varints
//! (small deltas take one byte) in base64: ~8 bytes per call. Names and
//! return values are indexes into one string table. The script decodes a
//! tree only when it is first shown and renders only the rows on screen.
//! Above [`super::html::GZIP_ABOVE`] the whole JSON is embedded gzipped.
//!
//! Column layout (all unsigned varints; "zz" = zigzag-signed):
//! - tree `f`: name index; `d`: zz depth change from the previous call;
//!   `t`: duration ns + 1 (0 = not printed); `l`: zz line change;
//!   `x`: flag bits ([`FLAG_NAMES`] order); `r` (only with return values):
//!   string index of the printed value + 1 (0 = none).
//! - aligned rows: `k` one char per row (`s` same, `g` good only, `b` bad
//!   only); `g`/`b`: zz node id change, for rows with that side; `gd`/`bd`:
//!   zz (row depth − node depth) for rows with that side; `x`: bits 1 noise,
//!   2 wrapper, 4 divergence; `fold`: `[row, good count, bad count, …]`.

use std::collections::HashMap;

use base64::Engine as _;
use serde::Serialize;

use crate::analyse::RowKind;

use super::{
    format::ret as fmt_ret,
    units::FLAG_NAMES,
    view::{ComparisonView, NodeView, Report},
};

/// Everything the page script needs.
#[derive(Debug, Serialize)]
pub struct PageData {
    /// Function names and printed return values.
    strings: Vec<String>,
    /// Flag names for the `x` bits.
    flags: [&'static str; 8],
    /// Per capture: its label and, per kept syscall, the tree index.
    captures: Vec<CapturePage>,
    /// Every kept tree.
    trees: Vec<TreeData>,
    /// Per comparison.
    comparisons: Vec<CompPage>,
    /// `--kernel-version` link base.
    link_base: Option<String>,
}

#[derive(Debug, Serialize)]
struct CapturePage {
    label: String,
    syscalls: Vec<SyscallPage>,
}

#[derive(Debug, Serialize)]
struct SyscallPage {
    index: usize,
    title: String,
    tree: Option<usize>,
}

#[derive(Debug, Serialize)]
struct TreeData {
    cap: usize,
    sys: usize,
    n: usize,
    f: String,
    d: String,
    t: String,
    l: String,
    x: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    r: Option<String>,
}

#[derive(Debug, Serialize)]
struct CompPage {
    good: usize,
    bad: usize,
    good_tree: Option<usize>,
    bad_tree: Option<usize>,
    n: usize,
    k: String,
    g: String,
    b: String,
    gd: String,
    bd: String,
    x: String,
    fold: Vec<u32>,
    div: Option<usize>,
}

/// Interns strings.
#[derive(Default)]
struct Strings {
    list: Vec<String>,
    index: HashMap<String, u64>,
}

impl Strings {
    fn id(&mut self, s: &str) -> u64 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = self.list.len() as u64;
        self.list.push(s.to_string());
        self.index.insert(s.to_string(), i);
        i
    }
}

/// A column of varints.
#[derive(Default)]
struct Col(Vec<u8>);

impl Col {
    fn u(&mut self, mut v: u64) {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.0.push(b);
                return;
            }
            self.0.push(b | 0x80);
        }
    }

    fn i(&mut self, v: i64) {
        self.u(((v << 1) ^ (v >> 63)) as u64);
    }

    fn b64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(&self.0)
    }
}

/// Build the page data.
pub fn page_data(r: &Report) -> PageData {
    let mut strings = Strings::default();
    let mut trees = Vec::new();
    // Per kept tree, its node depths (the aligned rows are encoded relative
    // to them).
    let mut tree_of: HashMap<(usize, usize), usize> = HashMap::new();
    let mut depths: Vec<Vec<i64>> = Vec::new();
    let captures = r
        .captures
        .iter()
        .map(|c| CapturePage {
            label: c.label.clone(),
            syscalls: c
                .syscalls
                .iter()
                .map(|s| {
                    let tree = s.root.as_ref().map(|root| {
                        let (tree, d) = encode_tree(c.index, s.index, root, &mut strings);
                        trees.push(tree);
                        depths.push(d);
                        tree_of.insert((c.index, s.index), trees.len() - 1);
                        trees.len() - 1
                    });
                    SyscallPage {
                        index: s.index,
                        title: s.title.clone(),
                        tree,
                    }
                })
                .collect(),
        })
        .collect();
    let comparisons = r
        .comparisons
        .iter()
        .map(|c| {
            let good_tree = tree_of.get(&(c.good, c.good_syscall)).copied();
            let bad_tree = tree_of.get(&(c.bad, c.bad_syscall)).copied();
            let of = |t: Option<usize>| t.map(|t| depths[t].as_slice());
            encode_rows(c, good_tree, bad_tree, of(good_tree), of(bad_tree))
        })
        .collect();
    PageData {
        strings: strings.list,
        flags: FLAG_NAMES,
        captures,
        trees,
        comparisons,
        link_base: r.source_link_base.clone(),
    }
}

/// The tree's columns, and each node's depth.
fn encode_tree(
    cap: usize,
    sys: usize,
    root: &NodeView,
    strings: &mut Strings,
) -> (TreeData, Vec<i64>) {
    let mut cols: [Col; 6] = Default::default();
    let mut depths = Vec::new();
    let mut state = (0i64, 0i64, 0usize, false);
    let mut stack = vec![(root, 0i64)];
    while let Some((n, depth)) = stack.pop() {
        debug_assert_eq!(n.id.0 as usize, state.2, "node ids are pre-order");
        depths.push(depth);
        let [f, d, t, l, x, r] = &mut cols;
        f.u(strings.id(&n.func));
        d.i(depth - state.0);
        t.u(n.duration.map_or(0, |d| d.0.saturating_add(1)));
        l.i(n.line as i64 - state.1);
        x.u(u64::from(n.flags.bits()));
        match n.ret {
            Some(v) => {
                r.u(strings.id(&fmt_ret(v)) + 1);
                state.3 = true;
            }
            None => r.u(0),
        }
        state = (depth, n.line as i64, state.2 + 1, state.3);
        for c in n.children.iter().rev() {
            stack.push((c, depth + 1));
        }
    }
    let [f, d, t, l, x, r] = cols;
    let tree = TreeData {
        cap,
        sys,
        n: state.2,
        f: f.b64(),
        d: d.b64(),
        t: t.b64(),
        l: l.b64(),
        x: x.b64(),
        r: state.3.then(|| r.b64()),
    };
    (tree, depths)
}

fn encode_rows(
    c: &ComparisonView,
    good_tree: Option<usize>,
    bad_tree: Option<usize>,
    gdep: Option<&[i64]>,
    bdep: Option<&[i64]>,
) -> CompPage {
    let mut k = String::with_capacity(c.aligned.len());
    let (mut g, mut b, mut gd, mut bd, mut x) = Default::default();
    let (mut gprev, mut bprev) = (-1i64, -1i64);
    let mut fold = Vec::new();
    let mut div = None;
    let side = |col: &mut Col,
                dcol: &mut Col,
                prev: &mut i64,
                id: u32,
                depth: u16,
                deps: Option<&[i64]>| {
        col.i(id as i64 - *prev);
        *prev = id as i64;
        let node_depth = deps.and_then(|d| d.get(id as usize).copied()).unwrap_or(0);
        dcol.i(depth as i64 - node_depth);
    };
    for (row, r) in c.aligned.iter().enumerate() {
        k.push(match r.kind {
            RowKind::Same => 's',
            RowKind::GoodOnly => 'g',
            RowKind::BadOnly => 'b',
        });
        if let Some(cell) = &r.good {
            side(&mut g, &mut gd, &mut gprev, cell.id.0, cell.depth, gdep);
        }
        if let Some(cell) = &r.bad {
            side(&mut b, &mut bd, &mut bprev, cell.id.0, cell.depth, bdep);
        }
        let bits = u64::from(r.noise) | u64::from(r.wrapper) << 1 | u64::from(r.divergence) << 2;
        Col::u(&mut x, bits);
        if r.divergence {
            div = Some(row);
        }
        if let Some(f) = r.fold {
            fold.extend([row as u32, f.good, f.bad]);
        }
    }
    CompPage {
        good: c.good,
        bad: c.bad,
        good_tree,
        bad_tree,
        n: c.aligned.len(),
        k,
        g: g.b64(),
        b: b.b64(),
        gd: gd.b64(),
        bd: bd.b64(),
        x: x.b64(),
        fold,
        div,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_and_zigzag() {
        let mut c = Col::default();
        c.u(0);
        c.u(127);
        c.u(128);
        c.i(-1);
        c.i(1);
        assert_eq!(c.0, vec![0, 0x7f, 0x80, 0x01, 0x01, 0x02]);
    }
}
