//! Files beside the capture for the kernel-aware analysis: the kernel's
//! traceable functions (`--filter-functions`) and its build config.

use std::path::{Path, PathBuf};

use super::tracefs::Tracefs;

/// The sidecars written, and the ones that could not be.
#[derive(Debug, Default)]
pub struct Sidecars {
    /// `CAPTURE.available_filter_functions`, when readable.
    pub filter_functions: Option<PathBuf>,
    /// `CAPTURE.config.gz` or `CAPTURE.config`.
    pub config: Option<PathBuf>,
    /// Why one is missing.
    pub notes: Vec<String>,
}

/// `c.log` → `c.SUFFIX`.
pub fn beside(capture: &Path, suffix: &str) -> PathBuf {
    let stem = capture
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "capture".into());
    capture.with_file_name(format!("{stem}.{suffix}"))
}

/// Copy both sidecars next to `capture`.
pub fn write(fs: &Tracefs, capture: &Path, release: &str) -> Sidecars {
    let mut s = Sidecars::default();
    let aff = beside(capture, "available_filter_functions");
    match copy(&fs.path("available_filter_functions"), &aff) {
        Ok(()) => s.filter_functions = Some(aff),
        Err(e) => {
            let _ = std::fs::remove_file(&aff);
            s.notes.push(format!(
                "available_filter_functions not saved ({e}): the report cannot tell inlined functions from untraceable ones"
            ));
        }
    }
    let sources = [
        (PathBuf::from("/proc/config.gz"), "config.gz"),
        (PathBuf::from(format!("/boot/config-{release}")), "config"),
    ];
    for (src, suffix) in sources {
        let dst = beside(capture, suffix);
        if copy(&src, &dst).is_ok() {
            s.config = Some(dst);
            break;
        }
        let _ = std::fs::remove_file(&dst);
    }
    if s.config.is_none() {
        s.notes.push(format!(
            "kernel config not saved: neither /proc/config.gz (CONFIG_IKCONFIG_PROC) nor /boot/config-{release} exists"
        ));
    }
    s
}

/// Read whole, then write: tracefs and procfs files report size 0, which
/// defeats copy_file_range-based copying.
fn copy(src: &Path, dst: &Path) -> std::io::Result<()> {
    let bytes = std::fs::read(src)?;
    std::fs::write(dst, bytes)
}
