//! Reading numbers and strings out of a trace.dat's metadata, in the file's
//! byte order, with every length checked against what is there: the file is
//! untrusted, so a damaged size ends the read with an error, never a panic or
//! an allocation sized by the input.

use std::io;

/// The file's byte order (the header's endian flag).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endian {
    /// Flag 0.
    Little,
    /// Flag 1.
    Big,
}

impl Endian {
    /// A 2-byte number.
    pub fn u16(self, b: [u8; 2]) -> u16 {
        match self {
            Endian::Little => u16::from_le_bytes(b),
            Endian::Big => u16::from_be_bytes(b),
        }
    }

    /// A 4-byte number.
    pub fn u32(self, b: [u8; 4]) -> u32 {
        match self {
            Endian::Little => u32::from_le_bytes(b),
            Endian::Big => u32::from_be_bytes(b),
        }
    }

    /// An 8-byte number.
    pub fn u64(self, b: [u8; 8]) -> u64 {
        match self {
            Endian::Little => u64::from_le_bytes(b),
            Endian::Big => u64::from_be_bytes(b),
        }
    }

    /// An unsigned number of 1, 2, 4 or 8 bytes at the start of `b`; `None`
    /// when `b` is shorter or the size is another.
    pub fn uint(self, b: &[u8], size: usize) -> Option<u64> {
        let b = b.get(..size)?;
        Some(match size {
            1 => u64::from(b[0]),
            2 => u64::from(self.u16(b.try_into().ok()?)),
            4 => u64::from(self.u32(b.try_into().ok()?)),
            8 => self.u64(b.try_into().ok()?),
            _ => return None,
        })
    }
}

/// A damaged or unexpected trace.dat, as an I/O error carrying `what`.
pub fn bad(what: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.into())
}

/// A read position in a metadata buffer.
pub struct Cur<'a> {
    buf: &'a [u8],
    pos: usize,
    endian: Endian,
}

impl<'a> Cur<'a> {
    /// Read `buf` from its start.
    pub fn new(buf: &'a [u8], endian: Endian) -> Self {
        Cur {
            buf,
            pos: 0,
            endian,
        }
    }

    /// Bytes not read yet.
    pub fn rest(&self) -> &'a [u8] {
        &self.buf[self.pos..]
    }

    /// The next `n` bytes.
    pub fn bytes(&mut self, n: u64, what: &str) -> io::Result<&'a [u8]> {
        let left = (self.buf.len() - self.pos) as u64;
        if n > left {
            return Err(bad(format!(
                "{what}: {n} bytes announced, {left} left in the section"
            )));
        }
        let s = &self.buf[self.pos..self.pos + n as usize];
        self.pos += n as usize;
        Ok(s)
    }

    fn array<const N: usize>(&mut self, what: &str) -> io::Result<[u8; N]> {
        let b = self.bytes(N as u64, what)?;
        Ok(b.try_into().unwrap_or([0; N]))
    }

    /// A 2-byte number.
    pub fn u16(&mut self, what: &str) -> io::Result<u16> {
        Ok(self.endian.u16(self.array(what)?))
    }

    /// A 4-byte number.
    pub fn u32(&mut self, what: &str) -> io::Result<u32> {
        Ok(self.endian.u32(self.array(what)?))
    }

    /// An 8-byte number.
    pub fn u64(&mut self, what: &str) -> io::Result<u64> {
        Ok(self.endian.u64(self.array(what)?))
    }

    /// A NUL-terminated string (without its NUL).
    pub fn cstr(&mut self, what: &str) -> io::Result<&'a [u8]> {
        let rest = self.rest();
        let n = memchr::memchr(0, rest).ok_or_else(|| bad(format!("{what}: no NUL")))?;
        self.pos += n + 1;
        Ok(&rest[..n])
    }

    /// A block preceded by its 4-byte size.
    pub fn sized32(&mut self, what: &str) -> io::Result<&'a [u8]> {
        let n = self.u32(what)?;
        self.bytes(u64::from(n), what)
    }
}

/// A source of metadata read front to back: a buffer ([`Cur`]) or, for
/// version 6, the file itself ([`Seq`]).
pub trait Src {
    /// The file's byte order.
    fn endian(&self) -> Endian;
    /// The next `n` bytes.
    fn take(&mut self, n: u64, what: &str) -> io::Result<Vec<u8>>;

    /// A 4-byte number.
    fn u32(&mut self, what: &str) -> io::Result<u32> {
        let b = self.take(4, what)?;
        Ok(self.endian().u32(b[..4].try_into().unwrap_or([0; 4])))
    }

    /// An 8-byte number.
    fn u64(&mut self, what: &str) -> io::Result<u64> {
        let b = self.take(8, what)?;
        Ok(self.endian().u64(b[..8].try_into().unwrap_or([0; 8])))
    }

    /// A NUL-terminated string (at most 4 KiB) without its NUL.
    fn cstr(&mut self, what: &str) -> io::Result<Vec<u8>> {
        let mut s = Vec::new();
        loop {
            match self.take(1, what)?[0] {
                0 => return Ok(s),
                _ if s.len() >= 4096 => return Err(bad(format!("{what}: no NUL"))),
                b => s.push(b),
            }
        }
    }

    /// A block preceded by its 4-byte size.
    fn sized32(&mut self, what: &str) -> io::Result<Vec<u8>> {
        let n = Src::u32(self, what)?;
        self.take(u64::from(n), what)
    }

    /// A block preceded by its 8-byte size.
    fn sized64(&mut self, what: &str) -> io::Result<Vec<u8>> {
        let n = Src::u64(self, what)?;
        self.take(n, what)
    }
}

impl Src for Cur<'_> {
    fn endian(&self) -> Endian {
        self.endian
    }

    fn take(&mut self, n: u64, what: &str) -> io::Result<Vec<u8>> {
        Ok(self.bytes(n, what)?.to_vec())
    }
}

/// The file read front to back from an offset (version 6 metadata).
pub struct Seq<'s> {
    /// The file.
    pub store: &'s super::store::Store,
    /// The next offset.
    pub pos: u64,
    /// Its byte order.
    pub endian: Endian,
}

impl Src for Seq<'_> {
    fn endian(&self) -> Endian {
        self.endian
    }

    fn take(&mut self, n: u64, what: &str) -> io::Result<Vec<u8>> {
        let v = self.store.read(self.pos, n, what)?;
        self.pos += n;
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_beyond_the_buffer_are_errors() {
        let mut c = Cur::new(&[5, 0, 0, 0, b'a'], Endian::Little);
        assert!(c.sized32("x").is_err());
        let mut c = Cur::new(&[0, 0, 0, 1, b'a'], Endian::Big);
        assert_eq!(c.sized32("x").unwrap(), b"a");
        assert!(Cur::new(b"abc", Endian::Little).cstr("s").is_err());
        assert_eq!(Endian::Big.uint(&[1, 2], 2), Some(0x102));
        assert_eq!(Endian::Little.uint(&[1, 2], 3), None);
    }
}
