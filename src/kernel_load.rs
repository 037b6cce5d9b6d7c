//! Kernel facts for a run: the files `--kernel`, `--filter-functions` and
//! sidecars name, each read and checked, and the source index. Errors name
//! the file and what it is; nothing is written when one is refused.

use std::{path::Path, sync::Arc};

use crate::{
    Error,
    cli::Config,
    model::ingest::Capture,
    read::{
        InputPath,
        kernel::{self, FactError, FactFile, FactKind, FactOrigin, KernelFacts},
        kindex::KernelIndex,
    },
};

fn refuse(path: &Path, e: FactError) -> Error {
    match e {
        FactError::Io(source) => Error::Input {
            path: path.display().to_string(),
            source,
        },
        FactError::Wrong(message) => Error::KernelFile {
            path: path.display().to_string(),
            message,
        },
    }
}

/// Every kernel file the run will read (the output directory must not hold
/// one of them).
pub fn kernel_paths(cfg: &Config) -> Vec<std::path::PathBuf> {
    let mut v: Vec<std::path::PathBuf> = (0..cfg.inputs.len())
        .flat_map(|i| files_for(cfg, i).into_iter().map(|(_, p, _)| p))
        .collect();
    v.extend(cfg.cli.kernel_index.clone());
    v
}

/// The files for capture `i`: given ones first, sidecars for the kinds not given.
fn files_for(cfg: &Config, i: usize) -> Vec<(FactKind, std::path::PathBuf, FactOrigin)> {
    let given = cfg.cli.kernel_files.get(i).cloned().unwrap_or_default();
    let mut out: Vec<_> = given
        .into_iter()
        .map(|(k, p)| (k, p, FactOrigin::Option))
        .collect();
    if let InputPath::File(capture) = &cfg.inputs[i].0 {
        for (k, p) in kernel::sidecars::find(capture) {
            if !out.iter().any(|(g, _, _)| *g == k) {
                out.push((k, p, FactOrigin::Sidecar));
            }
        }
    }
    out
}

/// Read every capture's kernel facts.
pub fn load(cfg: &Config) -> Result<Vec<KernelFacts>, Error> {
    (0..cfg.inputs.len())
        .map(|i| {
            let mut facts = KernelFacts::default();
            for (kind, path, origin) in files_for(cfg, i) {
                let summary = match kind {
                    FactKind::Functions => {
                        let l = kernel::load_functions(&path).map_err(|e| refuse(&path, e))?;
                        let s = kernel::summarise_functions(&l);
                        facts.functions = Some(l);
                        s
                    }
                    FactKind::Config => {
                        let c = kernel::load_config(&path).map_err(|e| refuse(&path, e))?;
                        let s = kernel::summarise_config(&c);
                        facts.config = Some(c);
                        s
                    }
                };
                facts.files.push(FactFile {
                    kind,
                    path: path.display().to_string(),
                    origin,
                    summary,
                });
            }
            Ok(facts)
        })
        .collect()
}

/// Refuse a function list that lacks most of what its capture traced.
pub fn check(captures: &[Capture], facts: &[KernelFacts]) -> Result<(), Error> {
    for (c, f) in captures.iter().zip(facts) {
        let Some(list) = &f.functions else { continue };
        let names = &c.trace.names;
        let traced = (0..names.len() as u32).map(|i| names.name(crate::model::intern::FuncId(i)));
        kernel::check_covers(list, traced, &c.label).map_err(|message| Error::KernelFile {
            path: list.path.clone(),
            message,
        })?;
    }
    Ok(())
}

/// The source index: loaded, or built from a tree.
pub fn index(cfg: &Config) -> Result<Option<Arc<KernelIndex>>, Error> {
    if let Some(p) = &cfg.cli.kernel_index {
        let idx = KernelIndex::load(p).map_err(|message| Error::KernelFile {
            path: p.display().to_string(),
            message,
        })?;
        return Ok(Some(Arc::new(idx)));
    }
    if let Some(dir) = &cfg.cli.kernel_src {
        let idx = crate::read::kindex::build(dir).map_err(|message| Error::KernelFile {
            path: dir.display().to_string(),
            message,
        })?;
        return Ok(Some(Arc::new(idx)));
    }
    Ok(None)
}
