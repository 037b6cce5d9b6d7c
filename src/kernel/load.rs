//! Kernel facts for a run: the files `--kernel`, `--filter-functions` and
//! sidecars name, each read and checked, and the source index. Errors name
//! the file and what it is; nothing is written when one is refused.

use std::{
    path::{Path, PathBuf},
    sync::Arc,
};

use super::{
    FactError, FactFile, FactKind, FactOrigin, KernelFacts, check_covers, index::KernelIndex,
    load_config, load_functions, sidecars, summarise_config, summarise_functions,
};
use crate::{Error, load::Capture, read::InputPath};

/// One file to read for a capture.
pub type FactSource = (FactKind, PathBuf, FactOrigin);

fn refuse(path: &Path, e: FactError) -> Error {
    match e {
        // Binary data or text without line breaks (`/dev/zero`) is named
        // at its line, as for captures.
        FactError::Io(source) => crate::load::input_error(path.display().to_string(), source),
        FactError::Wrong(message) => Error::KernelFile {
            path: path.display().to_string(),
            message,
        },
    }
}

/// The files for each capture: the given ones, and sidecars for the kinds
/// not given.
pub fn sources(
    inputs: &[(InputPath, String)],
    given: &[Vec<(FactKind, PathBuf)>],
) -> Vec<Vec<FactSource>> {
    inputs
        .iter()
        .enumerate()
        .map(|(i, (path, _))| {
            let mut out: Vec<FactSource> = given
                .get(i)
                .into_iter()
                .flatten()
                .map(|(k, p)| (*k, p.clone(), FactOrigin::Option))
                .collect();
            if let InputPath::File(capture) = path {
                for (k, p) in sidecars::find(capture) {
                    if !out.iter().any(|(g, _, _)| *g == k) {
                        out.push((k, p, FactOrigin::Sidecar));
                    }
                }
            }
            out
        })
        .collect()
}

/// Read every capture's kernel facts.
pub fn load(sources: &[Vec<FactSource>]) -> Result<Vec<KernelFacts>, Error> {
    sources
        .iter()
        .map(|files| {
            let mut facts = KernelFacts::default();
            for (kind, path, origin) in files {
                let summary = match kind {
                    FactKind::Functions => {
                        let l = load_functions(path).map_err(|e| refuse(path, e))?;
                        let s = summarise_functions(&l);
                        facts.functions = Some(l);
                        s
                    }
                    FactKind::Config => {
                        let c = load_config(path).map_err(|e| refuse(path, e))?;
                        let s = summarise_config(&c);
                        facts.config = Some(c);
                        s
                    }
                };
                facts.files.push(FactFile {
                    kind: *kind,
                    path: path.display().to_string(),
                    origin: *origin,
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
        check_covers(list, traced, &c.label).map_err(|message| Error::KernelFile {
            path: list.path.clone(),
            message,
        })?;
    }
    Ok(())
}

/// The source index: loaded from `index`, or built from the tree `src`.
pub fn index(index: Option<&Path>, src: Option<&Path>) -> Result<Option<Arc<KernelIndex>>, Error> {
    let wrong = |p: &Path, message: String| Error::KernelFile {
        path: p.display().to_string(),
        message,
    };
    if let Some(p) = index {
        let idx = KernelIndex::load(p).map_err(|m| wrong(p, m))?;
        return Ok(Some(Arc::new(idx)));
    }
    if let Some(dir) = src {
        let idx = super::index::build(dir).map_err(|m| wrong(dir, m))?;
        return Ok(Some(Arc::new(idx)));
    }
    Ok(None)
}

/// `--kernel LABEL:KIND=FILE` and `--filter-functions` → files per capture.
pub fn kernel_files(
    specs: &[String],
    filters: &[PathBuf],
    inputs: &[(InputPath, String)],
) -> Result<Vec<Vec<(FactKind, PathBuf)>>, Error> {
    let mut out = vec![Vec::new(); inputs.len()];
    for (i, p) in filters.iter().enumerate() {
        if p.as_os_str() != "none" {
            out[i].push((FactKind::Functions, p.clone()));
        }
    }
    for spec in specs {
        let bad = |why: &str| {
            Error::Usage(format!(
                "--kernel {spec:?}: {why} (expected LABEL:functions=FILE or LABEL:config=FILE)"
            ))
        };
        let (label, rest) = spec.split_once(':').ok_or_else(|| bad("no `:`"))?;
        let (kind, file) = rest.split_once('=').ok_or_else(|| bad("no `=`"))?;
        let kind = match kind {
            "functions" => FactKind::Functions,
            "config" => FactKind::Config,
            _ => return Err(bad(&format!("unknown kind `{kind}`"))),
        };
        let at = inputs
            .iter()
            .position(|(_, l)| l == label)
            .or_else(|| {
                label
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=inputs.len()).contains(n))
                    .map(|n| n - 1)
            })
            .ok_or_else(|| bad(&format!("no capture is labelled or numbered `{label}`")))?;
        if file.is_empty() {
            return Err(bad("no file"));
        }
        out[at].retain(|(k, _)| *k != kind);
        out[at].push((kind, PathBuf::from(file)));
    }
    Ok(out)
}
