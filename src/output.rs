//! Writing the report directory all at once.
//!
//! Files are written into a temporary directory next to the target and
//! renamed into place, so an interrupted run leaves the previous report or
//! none, never a mix. A non-empty target that is not an earlier
//! tracereport output is refused unless forced.
//!
//! Invariant: this is the only module that creates output files.

use std::{
    fs,
    io::Write,
    path::{Path, PathBuf},
};

use crate::error::Error;

/// Name of the file that marks a directory as tracereport's output.
pub const MARKER: &str = ".tracereport";

/// Files to write, by relative path.
#[derive(Debug, Default)]
pub struct OutputFiles {
    files: Vec<(PathBuf, Vec<u8>)>,
}

impl OutputFiles {
    /// Add a file.
    pub fn add(&mut self, rel: impl Into<PathBuf>, bytes: impl Into<Vec<u8>>) {
        self.files.push((rel.into(), bytes.into()));
    }

    /// The files added so far.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.files.iter().map(|(p, _)| p.as_path())
    }
}

/// Whether `dir` may be replaced: missing, empty, or marked as ours.
fn replaceable(dir: &Path) -> Result<bool, std::io::Error> {
    if !dir.exists() {
        return Ok(true);
    }
    if !dir.is_dir() {
        return Ok(false);
    }
    if dir.join(MARKER).is_file() {
        return Ok(true);
    }
    Ok(fs::read_dir(dir)?.next().is_none())
}

/// Write `files` as the directory `out`.
pub fn write_dir(out: &Path, files: &OutputFiles, force: bool) -> Result<(), Error> {
    let err = |e: std::io::Error| Error::output(out, e);
    if !force && !replaceable(out).map_err(err)? {
        return Err(Error::Output {
            path: out.display().to_string(),
            message: "exists, is not empty and is not an earlier tracereport report; use --force to replace it".into(),
        });
    }
    if out.exists() && !out.is_dir() {
        return Err(Error::Output {
            path: out.display().to_string(),
            message: "exists and is not a directory".into(),
        });
    }
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(err)?;
    let tmp = tempfile::Builder::new()
        .prefix(".tracereport-new-")
        .tempdir_in(&parent)
        .map_err(err)?;
    for (rel, bytes) in &files.files {
        let p = tmp.path().join(rel);
        if let Some(d) = p.parent() {
            fs::create_dir_all(d).map_err(err)?;
        }
        let mut f = fs::File::create(&p).map_err(err)?;
        f.write_all(bytes).map_err(err)?;
        f.sync_all().map_err(err)?;
    }
    fs::write(
        tmp.path().join(MARKER),
        concat!("tracereport ", env!("CARGO_PKG_VERSION"), "\n"),
    )
    .map_err(err)?;
    // Move the old report aside, the new one in, then drop the old one.
    let old = if out.exists() {
        let aside = tempfile::Builder::new()
            .prefix(".tracereport-old-")
            .tempdir_in(&parent)
            .map_err(err)?;
        let aside_path = aside.keep();
        fs::remove_dir(&aside_path).map_err(err)?;
        fs::rename(out, &aside_path).map_err(err)?;
        Some(aside_path)
    } else {
        None
    };
    let tmp_path = tmp.keep();
    if let Err(e) = fs::rename(&tmp_path, out) {
        // Put the old report back rather than leave nothing.
        if let Some(o) = &old {
            let _ = fs::rename(o, out);
        }
        let _ = fs::remove_dir_all(&tmp_path);
        return Err(err(e));
    }
    if let Some(o) = old {
        let _ = fs::remove_dir_all(o);
    }
    Ok(())
}
