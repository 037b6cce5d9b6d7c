//! Writing the report directory all at once.
//!
//! Files are written into a temporary directory next to the target (so on
//! the same filesystem), synced, and then swapped in with one rename: on
//! Linux an existing report is exchanged atomically (`renameat2`
//! `RENAME_EXCHANGE`), elsewhere (or where the filesystem refuses the
//! exchange) the old report is renamed aside first. An interrupted run
//! leaves the previous report or the new one, never a mix; what it can leave
//! is a `.tracereport-new-*` / `.tracereport-old-*` directory beside the
//! target, which a later run removes once its writer is gone ([`leftovers`]).
//!
//! A target that is not an earlier tracereport output (no `.tracereport`
//! marker) and not empty is refused unless forced; a file, a mount point,
//! the current directory or the home directory (or one above either), and a
//! directory holding one of the inputs (by device and inode, [`guard`]) are
//! always refused.
//!
//! Invariant: this is the only module that creates output files.

use std::{
    fs,
    io::Write,
    path::{Path, PathBuf},
};

use crate::error::Error;

mod guard;
mod leftovers;

use leftovers::{RunLock, remove_stale};

/// Name of the file that marks a directory as tracereport's output.
pub const MARKER: &str = ".tracereport";

/// Writes one file's contents; called once, with the file in the temporary
/// directory.
pub type WriteFn<'a> = Box<dyn FnOnce(&mut dyn Write) -> std::io::Result<()> + 'a>;

/// What goes into one file: bytes already rendered, or a writer for the big
/// ones (report.json, trace.json), so they stream to disk instead of being
/// held in memory whole beside the report they are made from.
enum Contents<'a> {
    Bytes(Vec<u8>),
    Streamed(WriteFn<'a>),
}

/// Files to write, by relative path.
#[derive(Default)]
pub struct OutputFiles<'a> {
    files: Vec<(PathBuf, Contents<'a>)>,
}

impl<'a> OutputFiles<'a> {
    /// Add a file.
    pub fn add(&mut self, rel: impl Into<PathBuf>, bytes: impl Into<Vec<u8>>) {
        self.files.push((rel.into(), Contents::Bytes(bytes.into())));
    }

    /// Add a file written by `write` when the directory is written.
    pub fn add_streamed(
        &mut self,
        rel: impl Into<PathBuf>,
        write: impl FnOnce(&mut dyn Write) -> std::io::Result<()> + 'a,
    ) {
        self.files
            .push((rel.into(), Contents::Streamed(Box::new(write))));
    }

    /// The files added so far.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.files.iter().map(|(p, _)| p.as_path())
    }
}

/// Where a report for `-o out` goes: an absolute path with symlinks
/// resolved, and its parent directory.
#[derive(Debug, Clone)]
pub struct Target {
    /// The report directory.
    pub dir: PathBuf,
    /// The directory it lives in (where the temporary directory is made).
    pub parent: PathBuf,
    shown: String,
}

impl Target {
    fn err(&self, message: impl Into<String>) -> Error {
        Error::Output {
            path: self.shown.clone(),
            message: message.into(),
        }
    }
}

/// Check `-o out` before anything is read: may it be (re)placed? Creates
/// nothing. `inputs` are the files the run reads (`-` for stdin); none may
/// be inside the target, which is replaced as a whole.
pub fn check_target(out: &Path, force: bool, inputs: &[&Path]) -> Result<Target, Error> {
    let t = resolve(out)?;
    if let Ok(cwd) = std::env::current_dir().and_then(fs::canonicalize) {
        if cwd.starts_with(&t.dir) {
            return Err(t.err(
                "is the current directory or contains it; give a directory for the report, e.g. `-o report/`",
            ));
        }
    }
    if guard::is_home_or_above(&t.dir) {
        return Err(t.err(
            "is the home directory or contains it; give a directory for the report, e.g. `-o report/`",
        ));
    }
    if let Some(g) = guard::holds_input(&t.dir, &guard::guarded(inputs)) {
        return Err(t.err(format!(
            "holds the input {}, and the report replaces the directory as a whole; write the report elsewhere",
            g.shown
        )));
    }
    match fs::symlink_metadata(&t.dir) {
        Err(_) => return Ok(t), // created later
        Ok(m) if !m.is_dir() => return Err(t.err("exists and is not a directory")),
        Ok(_) => {}
    }
    if is_mount_point(&t) {
        return Err(t.err(
            "is a mount point, which cannot be replaced by a rename; give a directory inside it",
        ));
    }
    if !force && !replaceable(&t.dir).map_err(|e| t.err(e.to_string()))? {
        return Err(t.err(
            "exists, is not empty and is not an earlier tracereport report; use --force to replace it",
        ));
    }
    Ok(t)
}

/// The absolute target: an existing path resolved through symlinks, else
/// its (resolved) parent joined with its name.
fn resolve(out: &Path) -> Result<Target, Error> {
    let shown = out.display().to_string();
    let fail = |message: String| Error::Output {
        path: shown.clone(),
        message,
    };
    let abs = if out.exists() {
        fs::canonicalize(out).map_err(|e| fail(e.to_string()))?
    } else {
        let name = out
            .file_name()
            .ok_or_else(|| fail("names no directory".into()))?;
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        // The parent may not exist yet (`-o new/dir/`): resolve the part that does.
        let mut existing = parent.clone();
        let mut missing = Vec::new();
        while !existing.exists() {
            let Some(n) = existing.file_name() else { break };
            missing.push(n.to_os_string());
            existing = match existing.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            };
        }
        let mut p = fs::canonicalize(&existing).map_err(|e| fail(e.to_string()))?;
        p.extend(missing.iter().rev());
        p.join(name)
    };
    let parent = abs
        .parent()
        .ok_or_else(|| fail("is the root directory".into()))?
        .to_path_buf();
    Ok(Target {
        dir: abs,
        parent,
        shown,
    })
}

#[cfg(unix)]
fn is_mount_point(t: &Target) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (fs::metadata(&t.dir), fs::metadata(&t.parent)) {
        (Ok(a), Ok(b)) => a.dev() != b.dev(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn is_mount_point(_: &Target) -> bool {
    false
}

/// Whether `dir` may be replaced: missing, empty, or marked as ours.
fn replaceable(dir: &Path) -> Result<bool, std::io::Error> {
    if !dir.exists() {
        return Ok(true);
    }
    if dir.join(MARKER).is_file() {
        return Ok(true);
    }
    Ok(fs::read_dir(dir)?.next().is_none())
}

/// Write `files` as the directory `-o out` (checked again with the same
/// `inputs`: the directory may have changed while the captures were read).
pub fn write_dir(
    out: &Path,
    files: OutputFiles<'_>,
    force: bool,
    inputs: &[&Path],
) -> Result<(), Error> {
    let t = check_target(out, force, inputs)?;
    fs::create_dir_all(&t.parent)
        .map_err(|e| t.err(format!("cannot create {}: {e}", t.parent.display())))?;
    remove_stale(&t.parent);
    let mut lock = RunLock::new_dir(&t.parent).map_err(|e| {
        t.err(format!(
            "cannot create a temporary directory in {}: {e}",
            t.parent.display()
        ))
    })?;
    let write_err = |e: std::io::Error| t.err(format!("cannot write the report: {e}"));
    for (rel, contents) in files.files {
        let p = lock.dir().join(rel);
        if let Some(d) = p.parent() {
            fs::create_dir_all(d).map_err(write_err)?;
        }
        let mut f =
            std::io::BufWriter::with_capacity(1 << 16, fs::File::create(&p).map_err(write_err)?);
        match contents {
            Contents::Bytes(b) => f.write_all(&b),
            Contents::Streamed(write) => write(&mut f),
        }
        .map_err(write_err)?;
        f.into_inner()
            .map_err(|e| write_err(e.into_error()))?
            .sync_all()
            .map_err(write_err)?;
    }
    let mut marker = fs::File::create(lock.dir().join(MARKER)).map_err(write_err)?;
    marker
        .write_all(concat!("tracereport ", env!("CARGO_PKG_VERSION"), "\n").as_bytes())
        .and_then(|_| marker.sync_all())
        .map_err(write_err)?;
    sync_dir(lock.dir());
    let tmp_path = lock.keep_dir();
    let swapped = if t.dir.exists() {
        replace(&t, &tmp_path, &lock.aside())
    } else {
        fs::rename(&tmp_path, &t.dir)
            .map_err(|e| t.err(format!("cannot rename the new report into place: {e}")))
    };
    if swapped.is_err() {
        let _ = fs::remove_dir_all(&tmp_path);
    }
    swapped?;
    sync_dir(&t.parent);
    Ok(())
}

/// Replace the existing report at `t.dir` with the one at `new` (the old
/// one moved to `aside` if it cannot be exchanged in one step).
fn replace(t: &Target, new: &Path, aside: &Path) -> Result<(), Error> {
    if exchange(new, &t.dir).is_ok() {
        // `new` now holds the old report.
        let _ = fs::remove_dir_all(new);
        return Ok(());
    }
    // No atomic exchange here: move the old report aside, the new one in.
    fs::rename(&t.dir, aside)
        .map_err(|e| t.err(format!("cannot move the old report aside: {e}")))?;
    if let Err(e) = fs::rename(new, &t.dir) {
        // Put the old report back rather than leave nothing.
        let _ = fs::rename(aside, &t.dir);
        return Err(t.err(format!("cannot rename the new report into place: {e}")));
    }
    let _ = fs::remove_dir_all(aside);
    Ok(())
}

/// Swap two directories in one step.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(std::io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// Make a directory's entries durable (best effort: not every platform can
/// open a directory).
fn sync_dir(dir: &Path) {
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::leftovers::{NEW_PREFIX, OLD_PREFIX, STALE_AFTER};
    use super::*;
    use std::time::{Duration, SystemTime};

    fn files() -> OutputFiles<'static> {
        let mut f = OutputFiles::default();
        f.add("report.md", "# new\n");
        f
    }

    /// A streamed file that fails half-way leaves neither a report nor a
    /// temporary directory; one that succeeds is written whole.
    #[test]
    fn streamed_files_are_written_or_nothing_is() {
        let d = tempfile::tempdir().unwrap();
        let out = d.path().join("out");
        let mut f = files();
        f.add_streamed("report.json", |w| {
            w.write_all(b"{\"half\":")?;
            Err(std::io::Error::other("serialiser failed"))
        });
        let e = write_dir(&out, f, false, &[]).unwrap_err().to_string();
        assert!(e.contains("serialiser failed"), "{e}");
        assert_eq!(fs::read_dir(d.path()).unwrap().count(), 0, "nothing left");
        let mut f = files();
        f.add_streamed("big/report.json", |w| w.write_all(b"{}\n"));
        write_dir(&out, f, false, &[]).unwrap();
        assert_eq!(fs::read(out.join("big/report.json")).unwrap(), b"{}\n");
    }

    #[test]
    fn an_existing_report_is_swapped_in_one_step() {
        let d = tempfile::tempdir().unwrap();
        let out = d.path().join("out");
        write_dir(&out, files(), false, &[]).unwrap();
        fs::write(out.join("index.html"), "old").unwrap();
        write_dir(&out, files(), false, &[]).unwrap();
        assert!(!out.join("index.html").exists(), "replaced as a whole");
        assert_eq!(
            fs::read_to_string(out.join("report.md")).unwrap(),
            "# new\n"
        );
        let left: Vec<_> = fs::read_dir(d.path()).unwrap().flatten().collect();
        assert_eq!(left.len(), 1, "no temporary directory left: {left:?}");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn exchange_swaps_two_directories() {
        let d = tempfile::tempdir().unwrap();
        let (a, b) = (d.path().join("a"), d.path().join("b"));
        fs::create_dir(&a).unwrap();
        fs::create_dir(&b).unwrap();
        fs::write(a.join("x"), "a").unwrap();
        exchange(&a, &b).unwrap();
        assert!(b.join("x").is_file() && !a.join("x").exists());
    }

    #[test]
    fn relative_and_nested_targets() {
        let d = tempfile::tempdir().unwrap();
        let out = d.path().join("a/b/report/");
        write_dir(&out, files(), false, &[]).unwrap();
        assert!(d.path().join("a/b/report/report.md").is_file());
    }

    #[test]
    fn refused_targets() {
        let d = tempfile::tempdir().unwrap();
        let file = d.path().join("f");
        fs::write(&file, "x").unwrap();
        let e = write_dir(&file, files(), true, &[])
            .unwrap_err()
            .to_string();
        assert!(e.ends_with("exists and is not a directory"), "{e}");
        let e = check_target(Path::new("/"), true, &[])
            .unwrap_err()
            .to_string();
        assert!(e.contains("root directory"), "{e}");
        let cwd = std::env::current_dir().unwrap();
        let e = check_target(&cwd, true, &[]).unwrap_err().to_string();
        assert!(e.contains("current directory"), "{e}");
        let out = d.path().join("out");
        fs::create_dir(&out).unwrap();
        fs::write(out.join(MARKER), "tracereport\n").unwrap();
        let input = out.join("trace.log");
        fs::write(&input, "x").unwrap();
        let e = check_target(&out, true, &[&input]).unwrap_err().to_string();
        assert!(e.contains("holds the input"), "{e}");
    }

    #[test]
    fn a_symlinked_target_is_written_where_it_points() {
        let d = tempfile::tempdir().unwrap();
        let real = d.path().join("real");
        fs::create_dir(&real).unwrap();
        let link = d.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_dir(&link, files(), false, &[]).unwrap();
        assert!(link.is_symlink(), "the link stays");
        assert!(real.join("report.md").is_file());
    }

    #[test]
    fn stale_leftovers_are_removed_young_ones_kept() {
        let d = tempfile::tempdir().unwrap();
        let stale = d.path().join(format!("{NEW_PREFIX}abc"));
        let young = d.path().join(format!("{OLD_PREFIX}def"));
        fs::create_dir(&stale).unwrap();
        fs::create_dir(&young).unwrap();
        let past = SystemTime::now() - STALE_AFTER - Duration::from_secs(60);
        fs::File::open(&stale).unwrap().set_modified(past).unwrap();
        write_dir(&d.path().join("out"), files(), false, &[]).unwrap();
        assert!(!stale.exists());
        assert!(young.exists());
    }
}
