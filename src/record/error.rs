//! What can stop a recording, each with the words that tell the user what to
//! change (which privilege, which kernel option, which flag).

use std::{io, path::PathBuf};

/// A recording that could not be made (tracefs settings are restored first).
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// No tracefs, and it cannot be mounted.
    #[error("no tracefs: {0}")]
    NoTracefs(String),
    /// Not allowed to use tracefs: not root, lockdown, a container.
    #[error("{0}")]
    Denied(String),
    /// Another tracer is active and `--force` was not given.
    #[error("{0}")]
    Busy(String),
    /// A tracefs file could not be read or written.
    #[error("{}: {source}{}", path.display(), hint)]
    Tracefs {
        /// The file.
        path: PathBuf,
        /// The error.
        #[source]
        source: io::Error,
        /// What it means, e.g. a kernel option (may be empty).
        hint: String,
    },
    /// Nothing can be recorded on this kernel with what was asked.
    #[error("{0}")]
    Unsupported(String),
    /// The command could not be started.
    #[error("cannot run `{cmd}`: {message}")]
    Command {
        /// The program.
        cmd: String,
        /// Why.
        message: String,
    },
    /// Writing the capture or a sidecar failed.
    #[error("{}: {source}", path.display())]
    Output {
        /// The file.
        path: PathBuf,
        /// The error.
        #[source]
        source: io::Error,
    },
    /// Ctrl-C or SIGTERM while setting up: nothing was recorded.
    #[error("interrupted by {0} before the command started; tracefs restored")]
    Interrupted(&'static str),
    /// The arguments do not fit together.
    #[error("{0}")]
    Usage(String),
    /// Restoring a setting failed (the message lists what is left changed).
    #[error("could not restore tracefs: {0}")]
    Restore(String),
    /// `--report`: the analysis failed.
    #[error("{0}")]
    Report(#[from] crate::Error),
}

impl RecordError {
    /// A tracefs file error with no extra hint.
    pub fn tracefs(path: impl Into<PathBuf>, source: io::Error) -> Self {
        let path = path.into();
        let hint = denied_hint(&source);
        RecordError::Tracefs { path, source, hint }
    }
}

/// Why EPERM/EACCES on tracefs, in words.
pub fn denied_hint(e: &io::Error) -> String {
    if !matches!(e.kind(), io::ErrorKind::PermissionDenied) {
        return String::new();
    }
    if !rustix::process::geteuid().is_root() {
        return " (tracefs needs root: run with sudo, or CAP_SYS_ADMIN and write access to tracefs)"
            .into();
    }
    match std::fs::read_to_string("/sys/kernel/security/lockdown") {
        Ok(l) if l.contains("[confidentiality]") => {
            " (kernel lockdown=confidentiality forbids tracing; boot with lockdown=none or integrity)"
                .into()
        }
        _ => String::new(),
    }
}
