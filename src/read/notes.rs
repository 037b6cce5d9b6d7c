//! `--notes FILE`: the user's Markdown, read whole (it is small and
//! trusted only as far as the renderer escapes it).

use std::{io, path::Path};

/// The notes at `path` as UTF-8 text.
pub fn read_notes(path: &Path) -> io::Result<String> {
    std::fs::read_to_string(path)
}
