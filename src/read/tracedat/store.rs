//! Where a trace.dat's bytes are read from, by offset: the file itself, or
//! (for a compressed or piped trace.dat) an unnamed temporary file it was
//! unpacked into. Offsets and sizes come from the file, so each read is
//! checked against its length first.

use std::{fs::File, io, os::unix::fs::FileExt};

use super::cursor::bad;

/// Metadata sections (kallsyms is the largest: a few MiB) are refused above
/// this size, so a damaged size field cannot ask for gigabytes.
pub const MAX_SECTION: u64 = 256 << 20;

/// A trace.dat opened for reads at any offset.
pub struct Store {
    file: File,
    len: u64,
}

impl Store {
    /// Read from `file` (its length is taken once, now).
    pub fn new(file: File) -> io::Result<Self> {
        let len = file.metadata()?.len();
        Ok(Store { file, len })
    }

    /// A second handle on the file (reads are by offset, so both work).
    pub fn try_clone(&self) -> io::Result<Self> {
        Ok(Store {
            file: self.file.try_clone()?,
            len: self.len,
        })
    }

    /// The file's length.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the file is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// `n` bytes at `off`; an error when they are not all in the file.
    pub fn read(&self, off: u64, n: u64, what: &str) -> io::Result<Vec<u8>> {
        if n > MAX_SECTION {
            return Err(bad(format!("{what}: size {n} is not believable")));
        }
        let mut buf = vec![0; self.check(off, n, what)?];
        self.file.read_exact_at(&mut buf, off)?;
        Ok(buf)
    }

    /// Fill `buf` from `off`.
    pub fn read_into(&self, off: u64, buf: &mut [u8], what: &str) -> io::Result<()> {
        self.check(off, buf.len() as u64, what)?;
        self.file.read_exact_at(buf, off)
    }

    fn check(&self, off: u64, n: u64, what: &str) -> io::Result<usize> {
        match off.checked_add(n) {
            Some(end) if end <= self.len => Ok(n as usize),
            _ => Err(bad(format!(
                "{what}: {n} bytes at offset {off} are past the end of the file ({} bytes): the file is cut",
                self.len
            ))),
        }
    }
}

/// The compression of a version 7 file's sections (its header names it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    /// `zstd`.
    Zstd,
    /// `zlib`.
    Zlib,
}

impl Codec {
    /// The codec a header names; `none` is `Ok(None)`.
    pub fn from_name(name: &[u8]) -> io::Result<Option<Codec>> {
        match name {
            b"none" | b"" => Ok(None),
            b"zstd" => Ok(Some(Codec::Zstd)),
            b"zlib" => Ok(Some(Codec::Zlib)),
            other => Err(bad(format!(
                "compression `{}` is not one trace-cmd writes (zstd, zlib)",
                String::from_utf8_lossy(other)
            ))),
        }
    }

    /// Unpack `data` to exactly `size` bytes (the size the file announces;
    /// never more than [`MAX_SECTION`]).
    pub fn decompress(self, data: &[u8], size: u32, what: &str) -> io::Result<Vec<u8>> {
        let size = size as usize;
        let out = match self {
            Codec::Zstd => {
                zstd::bulk::decompress(data, size).map_err(|e| bad(format!("{what}: zstd: {e}")))?
            }
            Codec::Zlib => {
                use std::io::Read;
                let mut out = Vec::with_capacity(size.min(data.len().saturating_mul(16)));
                flate2::read::ZlibDecoder::new(data)
                    .take(size as u64)
                    .read_to_end(&mut out)
                    .map_err(|e| bad(format!("{what}: zlib: {e}")))?;
                out
            }
        };
        if out.len() != size {
            return Err(bad(format!(
                "{what}: unpacked to {} bytes, the file says {size}",
                out.len()
            )));
        }
        Ok(out)
    }
}
