//! How one config option is tied to one function: by the source index
//! (Makefile lines that build its file, `#if` blocks around its definition,
//! a macro table that registers the ops table holding it) or, without an
//! index, by name. Each tie comes with the facts a reader can check.

use serde::Serialize;

use crate::kernel::index::{KernelIndex, ifdef};

use super::knames;

/// What a piece of evidence is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EvidenceKind {
    /// A line of a kernel config.
    Config,
    /// A function list entry, or its absence.
    FunctionList,
    /// A call in a capture.
    Trace,
    /// Where the source defines a function.
    Definition,
    /// A Kbuild line that builds a file.
    Makefile,
    /// An `#if`/`#ifdef` line around code.
    Ifdef,
    /// An ops table that holds a function.
    Ops,
    /// A macro-table line that registers an ops table.
    Table,
    /// Only the names match (weaker).
    Name,
}

/// One checkable fact.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// What it is.
    pub kind: EvidenceKind,
    /// The fact, in words.
    pub text: String,
    /// The file it is in (a config, a function list, a capture, a source file).
    pub file: Option<String>,
    /// 1-based line in `file`.
    pub line: Option<u32>,
}

impl Evidence {
    /// A fact at `file:line`.
    pub fn at(kind: EvidenceKind, text: String, file: &str, line: Option<u32>) -> Self {
        Evidence {
            kind,
            text,
            file: Some(file.to_string()),
            line,
        }
    }
}

/// How strongly `option` gates `func` in the source (0..1) and the facts
/// that show it; `None` when the index ties them in no way.
pub fn source_link(idx: &KernelIndex, option: &str, func: &str) -> Option<(f64, Vec<Evidence>)> {
    let mut best = 0.0f64;
    let mut ev: Vec<Evidence> = Vec::new();
    for def in idx.defs(func) {
        let file = idx.file(def.1);
        let mut hit: Vec<Evidence> = Vec::new();
        let mut w = 0.0f64;
        for (k, step) in file.gate.iter().enumerate() {
            if step.symbols.iter().any(|s| s == option) {
                w = w.max(0.8f64.powi(k as i32));
                hit.push(Evidence::at(
                    EvidenceKind::Makefile,
                    format!(
                        "`{}` puts {} on the build only with {option}",
                        step.text, file.path
                    ),
                    &step.file,
                    Some(step.line),
                ));
            }
        }
        for c in ifdef::around(&file.conds, def.2) {
            if c.symbols.iter().any(|s| s == option) {
                w = w.max(if c.negated { 0.5 } else { 1.0 });
                hit.push(Evidence::at(
                    EvidenceKind::Ifdef,
                    format!("`{}` encloses the definition of `{func}`", c.text),
                    &file.path,
                    Some(c.line),
                ));
            }
        }
        if w > 0.0 {
            hit.insert(
                0,
                Evidence::at(
                    EvidenceKind::Definition,
                    format!("`{func}` is defined in {}", file.path),
                    &file.path,
                    Some(def.2),
                ),
            );
            best = best.max(w);
            ev.extend(hit);
        }
    }
    if let Some((w, t)) = table_link(idx, option, func) {
        best = best.max(w);
        ev.extend(t);
    }
    (best > 0.0).then_some((best, ev))
}

/// `func` is in an ops table that a macro table registers only under a
/// condition on `option` (`xsk_map_ops` in `bpf_types.h`).
fn table_link(idx: &KernelIndex, option: &str, func: &str) -> Option<(f64, Vec<Evidence>)> {
    for ops in idx.ops_with(func) {
        let ops_file = &idx.file(ops.0).path;
        for t in idx.tables_with(&ops.1.symbol) {
            let Some(c) = t
                .conds
                .iter()
                .rev()
                .find(|c| c.symbols.iter().any(|s| s == option))
            else {
                continue;
            };
            let tfile = &idx.file(t.file).path;
            let ev = vec![
                Evidence::at(
                    EvidenceKind::Ops,
                    format!("`{}` holds `{func}`", ops.1.symbol),
                    ops_file,
                    Some(ops.1.line),
                ),
                Evidence::at(
                    EvidenceKind::Table,
                    format!("`{}` registers `{}`", t.text, ops.1.symbol),
                    tfile,
                    Some(t.line),
                ),
                Evidence::at(
                    EvidenceKind::Ifdef,
                    format!("`{}` encloses that table entry", c.text),
                    tfile,
                    Some(c.line),
                ),
            ];
            return Some((if c.negated { 0.5 } else { 1.0 }, ev));
        }
    }
    None
}

/// Table entries that sit beside the one registering a function the good
/// run called: `array_map_alloc` → `array_map_ops` → `bpf_types.h:87`; its
/// neighbours in `bpf_types.h` (same macro) and their ops' functions.
pub fn table_siblings<'a>(idx: &'a KernelIndex, func: &str) -> Vec<(&'a str, String, Vec<String>)> {
    let mut out = Vec::new();
    for ops in idx.ops_with(func) {
        for t in idx.tables_with(&ops.1.symbol) {
            for other in idx
                .tables
                .iter()
                .filter(|o| o.file == t.file && o.table == t.table && o.line != t.line)
            {
                for a in &other.args {
                    let funcs: Vec<String> = idx
                        .ops
                        .iter()
                        .filter(|o| &o.1.symbol == a)
                        .flat_map(|o| o.1.functions.iter().cloned())
                        .collect();
                    if !funcs.is_empty() {
                        out.push((t.text.as_str(), a.clone(), funcs));
                    }
                }
            }
        }
    }
    out
}

/// How strongly the names tie `option` to `func`, with the fact.
pub fn name_link(
    option_toks: &[String],
    option: &str,
    func: &str,
    vocab: &knames::Vocab,
) -> Option<(f64, Evidence)> {
    let (w, why) = knames::link(option_toks, func, vocab)?;
    Some((
        w,
        Evidence {
            kind: EvidenceKind::Name,
            text: format!(
                "{why} (a name match: weaker than a Makefile or `#if` line; {option} ↔ `{func}`)"
            ),
            file: None,
            line: None,
        },
    ))
}
