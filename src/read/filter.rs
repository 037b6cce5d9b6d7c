//! A kernel's `available_filter_functions` (or `…_addrs`): the functions
//! ftrace can trace there. A function missing from it was inlined, marked
//! notrace, or not built.

use std::io;

use rustc_hash::FxHashSet;

use super::{InputPath, lines::for_each_line, open};

/// The most text a list may hold: a kernel's lists are a few MB (about
/// 80 000 names); more is not such a list, and would only fill memory.
pub const MAX_LIST_BYTES: u64 = 64 << 20;

/// Read the list at `path` (plain, gzip or zstd).
pub fn read_filter_functions(path: &InputPath) -> io::Result<FxHashSet<String>> {
    let mut src = open(path, None)?;
    let mut names = FxHashSet::default();
    let mut bytes = 0u64;
    for_each_line(&mut *src.reader, |l| {
        bytes += l.bytes.len() as u64 + 1;
        if bytes > MAX_LIST_BYTES {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "more than {} MiB of text: not an available_filter_functions list",
                    MAX_LIST_BYTES >> 20
                ),
            ));
        }
        // "name", "name [module]", or "ffffffff81001000 name [module]" (_addrs)
        let text = String::from_utf8_lossy(l.bytes);
        let name = text
            .split_whitespace()
            .rfind(|t| !t.starts_with('['))
            .unwrap_or("");
        if !name.is_empty() && !name.starts_with('#') {
            names.insert(name.to_string());
        }
        Ok(())
    })?;
    if names.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "no function names in it",
        ));
    }
    Ok(names)
}
