//! What text may be: a line break at least every [`MAX_NO_BREAK`] bytes, and
//! no run of [`MAX_LINE`] zero bytes (a zero-filled block, `/dev/zero`, a
//! file preallocated and never written). Input that breaks either rule is
//! binary, refused with the line it starts on, instead of being read
//! forever as one endless line; and the small inputs read whole
//! (`--notes`, function lists) have a size cap.

use std::{fmt, io};

use super::lines::MAX_LINE;

/// The most bytes a capture may go without a line break (a kernel line is
/// bounded by a page; 64 KiB lines are already cut and warned about).
pub const MAX_NO_BREAK: u64 = 4 << 20;

/// Input that is not text, at a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotText {
    /// The 1-based line where it starts.
    pub line: u64,
    /// What was found.
    pub what: String,
}

impl fmt::Display for NotText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.line, self.what)
    }
}

impl std::error::Error for NotText {}

impl NotText {
    /// As an I/O error (what readers return), recognised by [`NotText::of`].
    pub fn into_io(self) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, self)
    }

    /// The `NotText` an I/O error carries, if it is one.
    pub fn of(e: &io::Error) -> Option<&NotText> {
        e.get_ref()?.downcast_ref::<NotText>()
    }
}

/// Whether a line whose first `head` bytes are known, `len` bytes long so
/// far, is binary: too long without a break, or a block of zero bytes.
pub fn check_long_line(line: u64, head: &[u8], len: u64) -> io::Result<()> {
    if head.len() >= MAX_LINE && head.iter().all(|&b| b == 0) {
        return Err(NotText {
            line,
            what: "binary data (a block of zero bytes where text must be)".into(),
        }
        .into_io());
    }
    if len > MAX_NO_BREAK {
        return Err(NotText {
            line,
            what: format!("binary data (no line break in {} MiB)", MAX_NO_BREAK >> 20),
        }
        .into_io());
    }
    Ok(())
}

/// Read at most `cap` bytes of `r` as UTF-8 text: more is refused, and so is
/// a NUL byte (with its line).
pub fn read_text_capped(r: &mut dyn io::Read, cap: u64) -> io::Result<String> {
    let mut bytes = Vec::new();
    io::Read::read_to_end(&mut io::Read::take(r, cap + 1), &mut bytes)?;
    if let Some(p) = memchr::memchr(0, &bytes) {
        let line = memchr::memchr_iter(b'\n', &bytes[..p]).count() as u64 + 1;
        return Err(NotText {
            line,
            what: "binary data (a zero byte where text must be)".into(),
        }
        .into_io());
    }
    if bytes.len() as u64 > cap {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("larger than {} MiB", cap >> 20),
        ));
    }
    String::from_utf8(bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_lines_and_capped_text() {
        let zeros = vec![0u8; MAX_LINE];
        let e = check_long_line(3, &zeros, MAX_LINE as u64).unwrap_err();
        assert_eq!(NotText::of(&e).unwrap().line, 3);
        assert!(check_long_line(1, &[b'a'; MAX_LINE], MAX_NO_BREAK).is_ok());
        assert!(check_long_line(1, b"a", MAX_NO_BREAK + 1).is_err());
        let e = read_text_capped(&mut &b"a\nb\0"[..], 10).unwrap_err();
        assert_eq!(NotText::of(&e).unwrap().line, 2);
        assert!(read_text_capped(&mut io::repeat(b'a'), 1 << 20).is_err());
        assert_eq!(read_text_capped(&mut &b"# x\n"[..], 4).unwrap(), "# x\n");
    }
}
