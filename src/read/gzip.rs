//! gzip members one after another, as `gzip -d` reads them: bytes after the
//! last complete member that do not start another member are *trailing
//! data* (a tool padded the file, or appended something), counted and
//! ignored, not damage: nothing of the capture is lost. flate2's
//! `MultiGzDecoder` instead fails on them, which read as a cut capture.

use std::{
    io::{self, BufRead, Read},
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
};

use flate2::bufread::GzDecoder;

/// Bytes found after the gzip data (shared with the [`super::Source`]).
#[derive(Clone, Default, Debug)]
pub struct Trailing(Arc<AtomicU64>);

impl Trailing {
    /// How many bytes followed the last gzip member.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// gzip members in sequence; see the module doc.
pub(super) struct Members<R: BufRead> {
    dec: Option<GzDecoder<R>>,
    trailing: Trailing,
}

impl<R: BufRead> Members<R> {
    pub(super) fn new(inner: R, trailing: &Trailing) -> Self {
        Members {
            dec: Some(GzDecoder::new(inner)),
            trailing: trailing.clone(),
        }
    }
}

impl<R: BufRead> Read for Members<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let Some(dec) = self.dec.as_mut() else {
                return Ok(0);
            };
            let n = dec.read(buf)?;
            if n > 0 || buf.is_empty() {
                return Ok(n);
            }
            // A member ended: another member, the end, or trailing bytes.
            let Some(mut inner) = self.dec.take().map(GzDecoder::into_inner) else {
                return Ok(0);
            };
            let head = inner.fill_buf()?;
            if head.is_empty() {
                return Ok(0);
            }
            if head.starts_with(&[0x1f, 0x8b]) {
                self.dec = Some(GzDecoder::new(inner));
                continue;
            }
            // Read to the end (the hash covers the whole stored file).
            let n = io::copy(&mut inner, &mut io::sink())?;
            self.trailing.0.store(n, Ordering::Relaxed);
            return Ok(0);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn gz(text: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(text).unwrap();
        e.finish().unwrap()
    }

    fn read(stored: &[u8]) -> (io::Result<Vec<u8>>, u64) {
        let t = Trailing::default();
        let mut out = Vec::new();
        let r = Members::new(stored, &t).read_to_end(&mut out).map(|_| out);
        (r, t.get())
    }

    #[test]
    fn members_in_sequence_and_trailing_bytes_counted_not_lost() {
        let mut two = gz(b"a\n");
        two.extend(gz(b"b\n"));
        assert_eq!(read(&two).0.unwrap(), b"a\nb\n");
        assert_eq!(read(&two).1, 0);
        let mut padded = two.clone();
        padded.extend([0u8; 700]);
        padded.extend(b"garbage");
        let (text, trailing) = read(&padded);
        assert_eq!(text.unwrap(), b"a\nb\n");
        assert_eq!(trailing, 707);
    }

    #[test]
    fn a_cut_member_is_an_error() {
        let one = gz(&b"line\n".repeat(1000));
        assert!(read(&one[..one.len() - 5]).0.is_err());
        let mut cut_second = gz(b"a\n");
        cut_second.extend(&one[..one.len() / 2]);
        assert!(read(&cut_second).0.is_err());
    }
}
