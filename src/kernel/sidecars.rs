//! Kernel facts kept beside a capture: for `X.log` or `X--OPTS.log` (the
//! option variants of one run share one kernel), `X.config` and
//! `X.available_filter_functions[.gz|.zst]` in the same directory (`X.config.gz`:
//! what `tracereport record` saves from `/proc/config.gz`).

use std::path::{Path, PathBuf};

use super::FactKind;

/// The run's name: the file name up to `--`, else without extensions.
fn base_name(file: &str) -> &str {
    if let Some((base, _)) = file.split_once("--") {
        return base;
    }
    let mut name = file;
    for ext in [".gz", ".zst", ".zstd", ".log", ".txt", ".trace"] {
        name = name.strip_suffix(ext).unwrap_or(name);
    }
    name
}

/// Sidecar files that exist beside `capture`, at most one per kind.
pub fn find(capture: &Path) -> Vec<(FactKind, PathBuf)> {
    let Some(file) = capture.file_name().and_then(|f| f.to_str()) else {
        return Vec::new();
    };
    let base = base_name(file);
    if base.is_empty() {
        return Vec::new();
    }
    let dir = capture.parent().unwrap_or(Path::new(""));
    let candidates: [(FactKind, &[&str]); 2] = [
        (FactKind::Config, &["config", "config.gz"]),
        (
            FactKind::Functions,
            &[
                "available_filter_functions",
                "available_filter_functions.gz",
                "available_filter_functions.zst",
            ],
        ),
    ];
    let mut out = Vec::new();
    for (kind, exts) in candidates {
        let found = exts
            .iter()
            .map(|e| dir.join(format!("{base}.{e}")))
            .find(|p| p.is_file() && p != capture);
        if let Some(p) = found {
            out.push((kind, p));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_names() {
        assert_eq!(base_name("ok--funcgraph-retval.log"), "ok");
        assert_eq!(base_name("bad.log.gz"), "bad");
        assert_eq!(base_name("bad.log"), "bad");
    }

    #[test]
    fn finds_the_seed_examples_sidecars() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/captures/xskmap-noxdpsockets-6.12");
        let found = find(&dir.join("bad--funcgraph-retval.log"));
        let names: Vec<String> = found
            .iter()
            .map(|(k, p)| format!("{}={}", k.name(), p.file_name().unwrap().to_string_lossy()))
            .collect();
        assert_eq!(
            names,
            [
                "config=bad.config",
                "functions=bad.available_filter_functions.gz"
            ]
        );
        assert!(find(&dir.join("nothing-here.log")).is_empty());
    }
}
