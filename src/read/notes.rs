//! `--notes FILE`: the user's Markdown, read whole (it is small and
//! trusted only as far as the renderer escapes it). Capped, and refused when
//! it holds a NUL byte: `--notes /dev/zero` must end at once, not fill memory.

use std::{io, path::Path};

/// The most the notes may hold: a write-up, not a data file.
pub const NOTES_MAX: u64 = 4 << 20;

/// The notes at `path` as UTF-8 text, at most [`NOTES_MAX`] bytes.
pub fn read_notes(path: &Path) -> io::Result<String> {
    super::limits::read_text_capped(&mut std::fs::File::open(path)?, NOTES_MAX)
}
