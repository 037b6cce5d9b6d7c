//! What `-o` may never replace, told by device and inode rather than by
//! path: a bind mount or a second path to the same directory (and stdin,
//! which has no path on the command line) must not let the report's
//! directory swallow one of its own inputs.

use std::path::{Path, PathBuf};

#[cfg(unix)]
use std::os::unix::fs::MetadataExt;

/// A file or directory, as the filesystem knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileId {
    dev: u64,
    ino: u64,
}

impl FileId {
    #[cfg(unix)]
    fn of(m: &std::fs::Metadata) -> FileId {
        FileId {
            dev: m.dev(),
            ino: m.ino(),
        }
    }

    #[cfg(not(unix))]
    fn of(_: &std::fs::Metadata) -> FileId {
        FileId { dev: 0, ino: 0 }
    }

    /// The identity of `p` (through symlinks), if it exists.
    pub fn of_path(p: &Path) -> Option<FileId> {
        std::fs::metadata(p).ok().map(|m| FileId::of(&m))
    }
}

/// One input and every directory above it, by identity: replacing any of
/// those directories would remove the input.
#[derive(Debug, Clone)]
pub struct Guarded {
    /// How the input is named in messages.
    pub shown: String,
    /// The input itself, then its parent, up to the root.
    pub chain: Vec<FileId>,
}

/// The identities to guard for `inputs` (`-` is stdin: the file it was
/// opened from, found through `/proc/self/fd/0`, when it is one).
pub fn guarded(inputs: &[&Path]) -> Vec<Guarded> {
    inputs
        .iter()
        .filter_map(|&p| {
            if p.as_os_str() == "-" {
                return stdin_guarded();
            }
            let real = std::fs::canonicalize(p).ok()?;
            Some(Guarded {
                shown: p.display().to_string(),
                chain: chain(&real),
            })
        })
        .collect()
}

/// `p` and each of its ancestors that can be looked at.
fn chain(p: &Path) -> Vec<FileId> {
    p.ancestors().filter_map(FileId::of_path).collect()
}

/// Standard input when it is a file: its identity from `fstat`, and the
/// directories above it when the kernel names its path.
#[cfg(unix)]
fn stdin_guarded() -> Option<Guarded> {
    use std::os::fd::AsFd;
    let fd = std::io::stdin().as_fd().try_clone_to_owned().ok()?;
    let id = FileId::of(&std::fs::File::from(fd).metadata().ok()?);
    let mut chain = vec![id];
    if let Ok(path) = std::fs::read_link("/proc/self/fd/0") {
        // Only a path that still names the same file (not `pipe:[…]`, not
        // a file since deleted and replaced).
        if FileId::of_path(&path) == Some(id) {
            if let Some(parent) = path.parent() {
                chain.extend(self::chain(&resolve_dir(parent)));
            }
        }
    }
    Some(Guarded {
        shown: "<stdin>".into(),
        chain,
    })
}

#[cfg(not(unix))]
fn stdin_guarded() -> Option<Guarded> {
    None
}

fn resolve_dir(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// The input that replacing `dir` would remove, if any.
pub fn holds_input<'a>(dir: &Path, inputs: &'a [Guarded]) -> Option<&'a Guarded> {
    let id = FileId::of_path(dir)?;
    inputs.iter().find(|g| g.chain.contains(&id))
}

/// Whether `dir` is the home directory or above it (`-o ~ --force` would
/// wipe the home directory).
pub fn is_home_or_above(dir: &Path) -> bool {
    let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) else {
        return false;
    };
    let Some(id) = FileId::of_path(dir) else {
        return false;
    };
    chain(&resolve_dir(Path::new(&home))).contains(&id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_above_an_input_holds_it() {
        let d = tempfile::tempdir().unwrap();
        let sub = d.path().join("a/b");
        std::fs::create_dir_all(&sub).unwrap();
        let input = sub.join("x.log");
        std::fs::write(&input, "x").unwrap();
        let g = guarded(&[input.as_path()]);
        assert!(holds_input(&d.path().join("a"), &g).is_some());
        assert!(holds_input(&sub, &g).is_some());
        let other = d.path().join("c");
        std::fs::create_dir(&other).unwrap();
        assert!(holds_input(&other, &g).is_none());
        // The same directory by another name.
        let link = d.path().join("link");
        std::os::unix::fs::symlink(d.path().join("a"), &link).unwrap();
        assert!(holds_input(&link, &g).is_some());
    }

    #[test]
    fn the_root_is_above_home() {
        if std::env::var_os("HOME").is_some_and(|h| Path::new(&h).is_dir()) {
            assert!(is_home_or_above(Path::new("/")));
        }
        let d = tempfile::tempdir().unwrap();
        assert!(!is_home_or_above(d.path()));
    }
}
