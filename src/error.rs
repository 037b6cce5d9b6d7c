//! The errors that stop tracereport. Damage inside a capture is not one of
//! them: it becomes a warning in the report (see `model::warnings`).

use std::io;

/// Why a run could not produce a report.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading an input failed.
    #[error("{path}: {source}")]
    Input {
        /// The input.
        path: String,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// The input is not an ftrace capture at all.
    #[error("{path}:{line}: {message}")]
    NotACapture {
        /// The input.
        path: String,
        /// The line that showed it (1-based).
        line: u64,
        /// What was expected and what was found.
        message: String,
    },
    /// Writing the report failed.
    #[error("{path}: {message}")]
    Output {
        /// The output path.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// The arguments do not make sense together.
    #[error("{0}")]
    Usage(String),
}

impl Error {
    /// An output error from an I/O error.
    pub fn output(path: &std::path::Path, e: impl std::fmt::Display) -> Self {
        Error::Output {
            path: path.display().to_string(),
            message: e.to_string(),
        }
    }
}
