//! Walk a kernel source tree and build the [`KernelIndex`]: Makefiles
//! first (the gates), then every C file on all cores (definitions, ops,
//! `#if` blocks), then headers' macro tables that name an ops table.

use std::{
    collections::{BTreeMap, HashSet},
    path::{Path, PathBuf},
};

use rayon::prelude::*;

use super::{
    FORMAT, FnDef, GateStep, KernelIndex, OpsDef, SrcFile, TableEntry, cdefs::CParser, ifdef,
    kbuild, tables,
};

/// Top-level directories that hold no kernel code (or only other arches').
const SKIP: &[&str] = &[
    "Documentation",
    "tools",
    "samples",
    "scripts",
    "usr",
    "LICENSES",
    ".git",
    "debian",
];

/// The files of the tree the index reads, by kind.
#[derive(Default)]
struct Tree {
    makefiles: Vec<PathBuf>,
    c: Vec<PathBuf>,
    h: Vec<PathBuf>,
}

fn walk(root: &Path, rel: &Path, t: &mut Tree, depth: u32) {
    let Ok(rd) = std::fs::read_dir(root.join(rel)) else {
        return;
    };
    let mut entries: Vec<_> = rd.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        let r = rel.join(&name);
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() && depth < 12 {
            let top_skip = depth == 0 && SKIP.contains(&name.as_str());
            // Only x86 of the architectures: the function lists compared
            // are of x86 kernels (arm64 lists still get all generic code).
            let arch_skip = depth == 1 && rel == Path::new("arch") && name != "x86";
            if !top_skip && !arch_skip {
                walk(root, &r, t, depth + 1);
            }
        } else if ft.is_file() {
            if name == "Makefile" || name == "Kbuild" {
                t.makefiles.push(r);
            } else if name.ends_with(".c") {
                t.c.push(r);
            } else if name.ends_with(".h") {
                t.h.push(r);
            }
        }
    }
}

fn read(root: &Path, rel: &Path) -> String {
    std::fs::read(root.join(rel))
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

fn slash(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

type Makefiles = BTreeMap<String, Vec<(String, kbuild::MakeEntry)>>;

/// Kbuild lines that build `rel` (`net/xdp/xskmap.c`), innermost first.
fn gate(mk: &Makefiles, rel: &str) -> Vec<GateStep> {
    let (dir, file) = rel.rsplit_once('/').unwrap_or(("", rel));
    let obj = format!("{}.o", file.strip_suffix(".c").unwrap_or(file));
    let step = |(f, e): &(String, kbuild::MakeEntry)| GateStep {
        file: f.clone(),
        line: e.line,
        text: e.text.clone(),
        symbols: e.symbols.clone(),
    };
    let Some(entries) = mk.get(dir) else {
        return Vec::new();
    };
    let plain: Vec<kbuild::MakeEntry> = entries.iter().map(|(_, e)| e.clone()).collect();
    let chain = kbuild::object_chain(&plain, &obj);
    let mut steps: Vec<GateStep> = chain
        .iter()
        .filter_map(|c| entries.iter().find(|(_, e)| e == *c).map(step))
        .collect();
    if steps.is_empty() {
        return steps;
    }
    // Climb: the nearest ancestor Makefile that names this directory
    // (`obj-y += foo/` one level up, or `obj-y += foo/bar/` two).
    let mut child = dir.to_string();
    'climb: while !child.is_empty() {
        let mut anc = child.clone();
        loop {
            let up = anc
                .rsplit_once('/')
                .map_or(String::new(), |(u, _)| u.to_string());
            let item = match up.is_empty() {
                true => format!("{child}/"),
                false => format!("{}/", &child[up.len() + 1..]),
            };
            if let Some(e) = mk
                .get(&up)
                .and_then(|v| v.iter().find(|(_, e)| e.item == item))
            {
                steps.push(step(e));
                child = up;
                continue 'climb;
            }
            if up.is_empty() {
                break 'climb;
            }
            anc = up;
        }
    }
    steps
}

fn version(root: &Path) -> String {
    let top = read(root, Path::new("Makefile"));
    let get = |k: &str| {
        top.lines()
            .find_map(|l| {
                l.strip_prefix(k)?
                    .trim()
                    .strip_prefix('=')
                    .map(|v| v.trim().to_string())
            })
            .unwrap_or_default()
    };
    let v = [get("VERSION"), get("PATCHLEVEL"), get("SUBLEVEL")];
    if v[0].is_empty() {
        String::new()
    } else {
        v.join(".")
    }
}

/// One C file's share of the index.
struct CFile {
    rel: String,
    conds: Vec<ifdef::CondBlock>,
    defs: Vec<super::cdefs::Def>,
    ops: Vec<super::cdefs::Ops>,
}

fn parse_c(root: &Path, files: &[PathBuf]) -> Vec<CFile> {
    files
        .par_iter()
        .map_init(CParser::new, |p, rel| {
            let text = read(root, rel);
            let (defs, ops) = p.as_mut().map(|p| p.defs(&text)).unwrap_or_default();
            CFile {
                rel: slash(rel),
                conds: ifdef::scan(&text),
                defs,
                ops,
            }
        })
        .filter(|f| !f.defs.is_empty() || !f.ops.is_empty())
        .collect()
}

/// Build the index of the tree at `root`. `Err` when it is no kernel tree.
pub fn build(root: &Path) -> Result<KernelIndex, String> {
    if !root.join("Kbuild").is_file() && !root.join("Makefile").is_file() {
        return Err("not a kernel source tree (no Makefile or Kbuild at its top)".into());
    }
    let mut tree = Tree::default();
    walk(root, Path::new(""), &mut tree, 0);
    if tree.c.is_empty() {
        return Err("not a kernel source tree (no C files)".into());
    }
    let mut mk: Makefiles = BTreeMap::new();
    for m in &tree.makefiles {
        let dir = m.parent().map(slash).unwrap_or_default();
        let entries = kbuild::parse(&read(root, m));
        let v = mk.entry(dir).or_default();
        v.extend(entries.into_iter().map(|e| (slash(m), e)));
    }
    let mut idx = KernelIndex {
        format: FORMAT,
        version: version(root),
        ..Default::default()
    };
    let mut ops_all = Vec::new();
    for f in parse_c(root, &tree.c) {
        let id = idx.files.len() as u32;
        idx.functions
            .extend(f.defs.into_iter().map(|d| FnDef(d.name, id, d.line)));
        ops_all.extend(f.ops.into_iter().map(|o| OpsDef(id, o)));
        idx.files.push(SrcFile {
            gate: gate(&mk, &f.rel),
            path: f.rel,
            conds: f.conds,
        });
    }
    let symbols: HashSet<&str> = ops_all.iter().map(|o| o.1.symbol.as_str()).collect();
    let mut used: HashSet<String> = HashSet::new();
    for h in &tree.h {
        let text = read(root, h);
        let lines: Vec<_> = tables::scan(&text)
            .into_iter()
            .filter(|(_, _, _, args)| args.iter().any(|a| symbols.contains(a.as_str())))
            .collect();
        if lines.is_empty() {
            continue;
        }
        let conds = ifdef::scan(&text);
        let id = idx.files.len() as u32;
        for (line, text, table, args) in lines {
            used.extend(args.iter().cloned());
            let around = ifdef::around(&conds, line).cloned().collect();
            idx.tables.push(TableEntry {
                file: id,
                line,
                text,
                table,
                args,
                conds: around,
            });
        }
        idx.files.push(SrcFile {
            path: slash(h),
            gate: Vec::new(),
            conds: Vec::new(),
        });
    }
    idx.ops = ops_all
        .into_iter()
        .filter(|o| used.contains(&o.1.symbol))
        .collect();
    idx.functions.sort_by(|a, b| a.0.cmp(&b.0));
    idx.prepare();
    Ok(idx)
}
