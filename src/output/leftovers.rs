//! Directories that killed runs leave beside the target
//! (`.tracereport-new-*`, `.tracereport-old-*`, up to a whole report each),
//! removed by the next run as soon as their writer is gone.
//!
//! Each run holds a lock file, `.tracereport-new-ID.lock` beside its
//! temporary directory `.tracereport-new-ID` (and its old report moved
//! aside, `.tracereport-old-ID`), with its pid inside and an exclusive
//! `flock` on it for as long as it runs. The kernel drops the lock when the
//! process dies, however it dies: a leftover whose lock can be taken has no
//! writer. A run takes its lock before it makes its directory, so a run
//! killed in between leaves only a lock file; a leftover without a lock
//! file (from an older version) is removed once it is an hour old.

use std::{
    fs,
    path::{Path, PathBuf},
    time::{Duration, SystemTime},
};

/// Prefix of the directory a report is written into before it is renamed.
pub const NEW_PREFIX: &str = ".tracereport-new-";
/// Prefix of the directory an old report is moved to before it is removed.
pub const OLD_PREFIX: &str = ".tracereport-old-";
/// Leftovers without a lock file older than this are removed.
pub const STALE_AFTER: Duration = Duration::from_secs(3600);
const LOCK_SUFFIX: &str = ".lock";

/// A run's hold on its temporary directories; dropping it releases them
/// (and removes its new directory, unless [`RunLock::keep_dir`] took it).
#[derive(Debug)]
pub struct RunLock {
    path: PathBuf,
    _file: fs::File,
    dir: Option<PathBuf>,
}

impl RunLock {
    /// Lock the temporary directory `new` (named `NEW_PREFIX` + ID).
    #[cfg(test)]
    pub fn take(new: &Path) -> std::io::Result<RunLock> {
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(true)
            .write(true)
            .open(lock_path(new))?;
        Self::hold(file, lock_path(new))
    }

    fn hold(mut file: fs::File, path: PathBuf) -> std::io::Result<RunLock> {
        use std::io::Write as _;
        if !try_lock(&file) {
            return Err(std::io::Error::other("locked by another run"));
        }
        writeln!(file, "{}", std::process::id())?;
        Ok(RunLock {
            path,
            _file: file,
            dir: None,
        })
    }

    /// A new temporary directory in `parent`, made once its lock is held.
    pub fn new_dir(parent: &Path) -> std::io::Result<RunLock> {
        let (file, path) = tempfile::Builder::new()
            .prefix(NEW_PREFIX)
            .suffix(LOCK_SUFFIX)
            .tempfile_in(parent)?
            .keep()
            .map_err(|e| e.error)?;
        let mut lock = Self::hold(file, path)?;
        let name = lock.path.file_name().unwrap_or_default().to_string_lossy();
        let dir = parent.join(name.trim_end_matches(LOCK_SUFFIX));
        fs::create_dir(&dir)?;
        lock.dir = Some(dir);
        Ok(lock)
    }

    /// The new directory ([`RunLock::new_dir`]).
    pub fn dir(&self) -> &Path {
        self.dir.as_deref().unwrap_or(Path::new(""))
    }

    /// The new directory, no longer removed with the lock.
    pub fn keep_dir(&mut self) -> PathBuf {
        self.dir.take().unwrap_or_default()
    }

    /// Where the old report goes aside for this run.
    pub fn aside(&self) -> PathBuf {
        let name = self.path.file_name().unwrap_or_default().to_string_lossy();
        let id = name
            .trim_start_matches(NEW_PREFIX)
            .trim_end_matches(LOCK_SUFFIX);
        self.path.with_file_name(format!("{OLD_PREFIX}{id}"))
    }
}

impl Drop for RunLock {
    fn drop(&mut self) {
        if let Some(d) = &self.dir {
            let _ = fs::remove_dir_all(d);
        }
        let _ = fs::remove_file(&self.path);
    }
}

#[cfg(test)]
fn lock_path(new: &Path) -> PathBuf {
    let mut name = new.file_name().unwrap_or_default().to_os_string();
    name.push(LOCK_SUFFIX);
    new.with_file_name(name)
}

/// Take the exclusive lock without waiting.
#[cfg(target_os = "linux")]
fn try_lock(f: &fs::File) -> bool {
    use rustix::fs::{FlockOperation, flock};
    flock(f, FlockOperation::NonBlockingLockExclusive).is_ok()
}

/// No `flock` here: every lock is taken, leftovers go by age only.
#[cfg(not(target_os = "linux"))]
fn try_lock(_: &fs::File) -> bool {
    true
}

/// Whether the run that wrote `lock` is gone: the lock can be taken.
fn writer_gone(lock: &Path) -> Option<bool> {
    let f = fs::OpenOptions::new().write(true).open(lock).ok()?;
    Some(cfg!(target_os = "linux") && try_lock(&f))
}

/// Remove the leftovers of runs that are gone from `parent`.
pub fn remove_stale(parent: &Path) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    let now = SystemTime::now();
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let id = match name
            .strip_prefix(NEW_PREFIX)
            .or_else(|| name.strip_prefix(OLD_PREFIX))
        {
            Some(id) => id,
            None => continue,
        };
        if let Some(id) = id.strip_suffix(LOCK_SUFFIX) {
            // A lock whose directories are gone: its writer died after
            // the swap, or is finishing now (then the lock is held).
            let dirs_gone = [NEW_PREFIX, OLD_PREFIX]
                .iter()
                .all(|p| !parent.join(format!("{p}{id}")).exists());
            if dirs_gone && writer_gone(&e.path()) == Some(true) {
                let _ = fs::remove_file(e.path());
            }
            continue;
        }
        if !e.path().is_dir() {
            continue;
        }
        let lock = parent.join(format!("{NEW_PREFIX}{id}{LOCK_SUFFIX}"));
        let stale = match writer_gone(&lock) {
            Some(gone) => gone,
            None => e
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|m| now.duration_since(m).ok())
                .is_some_and(|age| age > STALE_AFTER),
        };
        if stale {
            // Both directories of the run, then its lock.
            for p in [NEW_PREFIX, OLD_PREFIX] {
                let _ = fs::remove_dir_all(parent.join(format!("{p}{id}")));
            }
            let _ = fs::remove_file(&lock);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unlocked_leftovers_are_removed_locked_ones_kept() {
        let d = tempfile::tempdir().unwrap();
        let live = d.path().join(format!("{NEW_PREFIX}live"));
        let dead = d.path().join(format!("{NEW_PREFIX}dead"));
        fs::create_dir(&live).unwrap();
        fs::create_dir(&dead).unwrap();
        let lock = RunLock::take(&live).unwrap();
        // A killed writer leaves its lock file, and the kernel has dropped
        // its lock.
        fs::write(lock_path(&dead), "4194304\n").unwrap();
        let dead_aside = d.path().join(format!("{OLD_PREFIX}dead"));
        fs::create_dir(&dead_aside).unwrap();
        assert_eq!(fs::read_dir(d.path()).unwrap().count(), 5);
        remove_stale(d.path());
        if cfg!(target_os = "linux") {
            assert!(!dead.exists() && !dead_aside.exists() && !lock_path(&dead).exists());
        }
        assert!(
            live.exists() && lock_path(&live).exists(),
            "a running writer's"
        );
        assert_eq!(lock.aside(), d.path().join(format!("{OLD_PREFIX}live")));
        assert!(RunLock::take(&live).is_err() || !cfg!(target_os = "linux"));
        drop(lock);
        assert!(!lock_path(&live).exists());
    }
}
