//! A kernel source index: function → defining file and line → the Kbuild
//! lines that build that file (up to the top) and the `#if` blocks around
//! the definition, plus ops tables (`xsk_map_ops` → `xsk_map_alloc`) and
//! the macro tables that register them (`include/linux/bpf_types.h`).
//!
//! Built once from a source tree (`tracereport index-kernel DIR -o FILE`, or
//! `--kernel-src DIR` per run), stored as zstd-compressed JSON of a few MB.

mod build;
pub mod cdefs;
pub mod ifdef;
pub mod kbuild;
mod lines;
pub mod tables;

use std::{io, path::Path};

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

pub use build::build;
pub use cdefs::Ops;
pub use ifdef::CondBlock;
pub use tables::TableEntry;

/// Bumped when the stored form changes; an index of another format is
/// refused (rebuild it).
pub const FORMAT: u32 = 1;

/// One Kbuild line on the way from the top to a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateStep {
    /// The Makefile or Kbuild, relative to the tree.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// The line as written.
    pub text: String,
    /// The `CONFIG_` symbols it needs.
    pub symbols: Vec<String>,
}

/// A source file that defines functions or holds a table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SrcFile {
    /// Path relative to the tree.
    pub path: String,
    /// Kbuild lines that build it, innermost first (empty: a header, or
    /// a file no Makefile names).
    pub gate: Vec<GateStep>,
    /// Its `#if` blocks that test `CONFIG_` symbols.
    pub conds: Vec<CondBlock>,
}

/// Where a function is defined: `(name, file id, line)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FnDef(pub String, pub u32, pub u32);

/// An ops table and its file: `(file id, ops)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpsDef(pub u32, pub Ops);

/// The index.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct KernelIndex {
    /// [`FORMAT`].
    pub format: u32,
    /// `VERSION.PATCHLEVEL.SUBLEVEL` from the top Makefile.
    pub version: String,
    /// Files, by id.
    pub files: Vec<SrcFile>,
    /// Function definitions.
    pub functions: Vec<FnDef>,
    /// Ops tables some macro table names.
    pub ops: Vec<OpsDef>,
    /// Macro-table lines that name an ops table.
    pub tables: Vec<TableEntry>,
    #[serde(skip)]
    lookup: Lookup,
}

#[derive(Debug, Clone, Default)]
struct Lookup {
    defs: FxHashMap<String, Vec<u32>>,
    ops_of_fn: FxHashMap<String, Vec<u32>>,
    tables_of: FxHashMap<String, Vec<u32>>,
}

impl KernelIndex {
    /// Build the lookup maps (after building or loading).
    pub fn prepare(&mut self) {
        let mut l = Lookup::default();
        for (i, d) in self.functions.iter().enumerate() {
            l.defs.entry(d.0.clone()).or_default().push(i as u32);
        }
        for (i, o) in self.ops.iter().enumerate() {
            for f in &o.1.functions {
                let v = l.ops_of_fn.entry(f.clone()).or_default();
                if !v.contains(&(i as u32)) {
                    v.push(i as u32);
                }
            }
        }
        for (i, t) in self.tables.iter().enumerate() {
            for a in &t.args {
                l.tables_of.entry(a.clone()).or_default().push(i as u32);
            }
        }
        self.lookup = l;
    }

    /// Definitions of `name` (a static name may be defined in several files).
    pub fn defs(&self, name: &str) -> impl Iterator<Item = &FnDef> {
        let base = name.split('.').next().unwrap_or(name); // `f.isra.0` → `f`
        self.lookup
            .defs
            .get(base)
            .into_iter()
            .flatten()
            .map(|&i| &self.functions[i as usize])
    }

    /// The file with id `id`.
    pub fn file(&self, id: u32) -> &SrcFile {
        &self.files[id as usize]
    }

    /// Ops tables that hold `func`.
    pub fn ops_with(&self, func: &str) -> impl Iterator<Item = &OpsDef> {
        self.lookup
            .ops_of_fn
            .get(func)
            .into_iter()
            .flatten()
            .map(|&i| &self.ops[i as usize])
    }

    /// Macro-table lines that name `symbol`.
    pub fn tables_with(&self, symbol: &str) -> impl Iterator<Item = &TableEntry> {
        self.lookup
            .tables_of
            .get(symbol)
            .into_iter()
            .flatten()
            .map(|&i| &self.tables[i as usize])
    }

    /// Write the index (zstd-compressed JSON).
    pub fn save(&self, w: impl io::Write) -> io::Result<()> {
        let mut enc = zstd::Encoder::new(w, 9)?;
        serde_json::to_writer(&mut enc, self)?;
        enc.finish()?;
        Ok(())
    }

    /// Read an index written by [`save`](Self::save).
    pub fn load(path: &Path) -> Result<KernelIndex, String> {
        let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
        let dec = zstd::Decoder::new(io::BufReader::new(file)).map_err(|e| e.to_string())?;
        let mut idx: KernelIndex =
            serde_json::from_reader(io::BufReader::new(dec)).map_err(|e| {
                format!("not a kernel index written by `tracereport index-kernel` ({e})")
            })?;
        if idx.format != FORMAT {
            return Err(format!(
                "a kernel index of format {} (this tracereport reads {FORMAT}): rebuild it with `tracereport index-kernel`",
                idx.format
            ));
        }
        idx.prepare();
        Ok(idx)
    }
}
