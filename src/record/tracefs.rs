//! Where tracefs is, mounting it when nobody has, and reading and writing
//! its files exactly as `cat` and `echo >` do (open with O_TRUNC, one write),
//! so a fake tree of plain files behaves the same in the tests.

use std::{
    fs::OpenOptions,
    io::{self, Write},
    path::{Path, PathBuf},
};

use super::error::RecordError;

/// The usual mount points, newest first: `/sys/kernel/debug/tracing` is
/// where older kernels and distributions put it (through debugfs).
pub const MOUNT_POINTS: [&str; 2] = ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"];

/// A tracefs root (the real one, or a fake tree in tests).
#[derive(Debug, Clone)]
pub struct Tracefs {
    /// The root directory (`…/tracing`).
    pub root: PathBuf,
    /// We mounted it, so we unmount it when done.
    pub mounted_here: bool,
}

impl Tracefs {
    /// A tree at `root`, as found (tests give a temporary directory).
    pub fn at(root: impl Into<PathBuf>) -> Self {
        Tracefs {
            root: root.into(),
            mounted_here: false,
        }
    }

    /// Find the mounted tracefs, or mount it at `/sys/kernel/tracing`.
    pub fn find_or_mount() -> Result<Self, RecordError> {
        if let Some(root) = mounted() {
            return Ok(Tracefs::at(root));
        }
        if !rustix::process::geteuid().is_root() {
            return Err(RecordError::Denied(
                "tracefs is not mounted and mounting it needs root (CAP_SYS_ADMIN): run with sudo, or `sudo mount -t tracefs nodev /sys/kernel/tracing` first".into(),
            ));
        }
        let target = Path::new(MOUNT_POINTS[0]);
        if !target.is_dir() {
            return Err(RecordError::NoTracefs(format!(
                "{} does not exist: the kernel was built without CONFIG_TRACING (ftrace)",
                target.display()
            )));
        }
        match rustix::mount::mount(
            "nodev",
            target,
            "tracefs",
            rustix::mount::MountFlags::empty(),
            None,
        ) {
            Ok(()) => Ok(Tracefs {
                root: target.into(),
                mounted_here: true,
            }),
            Err(e) if e == rustix::io::Errno::NODEV => Err(RecordError::NoTracefs(
                "the kernel has no tracefs file system (CONFIG_TRACING is off)".into(),
            )),
            Err(e) if e == rustix::io::Errno::PERM || e == rustix::io::Errno::ACCESS => {
                Err(RecordError::Denied(format!(
                    "cannot mount tracefs at {}: {} — in an unprivileged container? Run on the host, or give the container CAP_SYS_ADMIN or a bind mount of /sys/kernel/tracing",
                    target.display(),
                    io::Error::from(e)
                )))
            }
            Err(e) => Err(RecordError::NoTracefs(format!(
                "cannot mount tracefs at {}: {}",
                target.display(),
                io::Error::from(e)
            ))),
        }
    }

    /// A file under the root.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// Unmount it if we mounted it (busy: left mounted, and said so).
    pub fn release(&self) -> Option<String> {
        if !self.mounted_here {
            return None;
        }
        match rustix::mount::unmount(&self.root, rustix::mount::UnmountFlags::empty()) {
            Ok(()) => None,
            Err(e) => Some(format!(
                "tracefs mounted at {} stays mounted: {}",
                self.root.display(),
                io::Error::from(e)
            )),
        }
    }
}

/// Where tracefs is mounted now (`/proc/mounts`, `/sys/kernel/tracing`
/// first). Only a kernel without `/sys/kernel/tracing` gets a look at
/// `/sys/kernel/debug/tracing`, since that look alone makes the kernel
/// automount tracefs there, a mount nobody would unmount.
fn mounted() -> Option<PathBuf> {
    let mounts = std::fs::read_to_string("/proc/mounts").unwrap_or_default();
    let mut found: Vec<PathBuf> = mounts
        .lines()
        .filter_map(|l| {
            let mut f = l.split_ascii_whitespace();
            let (_, dir, kind) = (f.next()?, f.next()?, f.next()?);
            (kind == "tracefs").then(|| PathBuf::from(dir.replace("\\040", " ")))
        })
        .collect();
    found.sort_by_key(|p| p != Path::new(MOUNT_POINTS[0]));
    if let Some(p) = found.into_iter().next() {
        return Some(p);
    }
    let old = Path::new(MOUNT_POINTS[1]);
    (!Path::new(MOUNT_POINTS[0]).is_dir() && old.join("tracing_on").exists()).then(|| old.into())
}

/// Read a tracefs file whole.
pub fn read(path: &Path) -> io::Result<Vec<u8>> {
    std::fs::read(path)
}

/// Read a file as trimmed text (`nop`, `1`).
pub fn read_text(path: &Path) -> io::Result<String> {
    Ok(String::from_utf8_lossy(&read(path)?).trim().to_string())
}

/// `echo VALUE > path`: open with O_TRUNC (never create), one write.
/// An empty value only truncates, which is how a pid list or filter is cleared.
pub fn write(path: &Path, value: &[u8]) -> io::Result<()> {
    let mut f = OpenOptions::new().write(true).truncate(true).open(path)?;
    if !value.is_empty() {
        f.write_all(value)?;
    }
    Ok(())
}
