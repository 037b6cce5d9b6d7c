//! The digest that names a capture in its report, taken of the bytes as
//! stored (before decompression) while they are read: whoever holds the
//! capture and the report can check that one was made from the other.
//!
//! BLAKE3 by default: on a capture of many short syscalls read by two
//! cores, SHA-256 (with the CPU's SHA instructions) took 13 % of the full
//! report's CPU time, BLAKE3 a third of that; both are cryptographic, so
//! a forged capture cannot pass for another. `--digest sha256` gives the
//! digest `sha256sum` prints, for those who check with that.

use std::{
    io::{self, Read},
    sync::{Arc, Mutex},
};

use sha2::Digest as _;

/// Which digest a report gives for its captures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DigestKind {
    /// BLAKE3 (256 bits), as `b3sum` prints it.
    #[default]
    Blake3,
    /// SHA-256, as `sha256sum` prints it.
    Sha256,
}

impl DigestKind {
    /// The name used in reports and in the `name:hex` form (as OCI image
    /// digests are written).
    pub fn name(self) -> &'static str {
        match self {
            DigestKind::Blake3 => "blake3",
            DigestKind::Sha256 => "sha256",
        }
    }

    /// The algorithm as its authors write it.
    pub fn title(self) -> &'static str {
        match self {
            DigestKind::Blake3 => "BLAKE3",
            DigestKind::Sha256 => "SHA-256",
        }
    }
}

/// A capture's digest, once its bytes are all read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureDigest {
    /// The algorithm.
    pub kind: DigestKind,
    /// Lowercase hex, 64 digits.
    pub hex: String,
}

impl CaptureDigest {
    /// The algorithm's name (`blake3`, `sha256`).
    pub fn name(&self) -> &'static str {
        self.kind.name()
    }

    /// The first 12 hex digits, enough to tell captures apart in a table.
    pub fn short(&self) -> &str {
        &self.hex[..12.min(self.hex.len())]
    }
}

impl std::fmt::Display for CaptureDigest {
    /// `name:hex`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.kind.name(), self.hex)
    }
}

/// As `name:hex` (report.json, trace.json).
impl serde::Serialize for CaptureDigest {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

enum Hasher {
    /// Count only (nothing will show the digest).
    None,
    Blake3(Box<blake3::Hasher>),
    Sha256(sha2::Sha256),
}

/// The digest of the bytes read so far and their count, shared with the
/// reader that computes it.
#[derive(Clone)]
pub struct Fingerprint(Arc<Mutex<(Hasher, u64)>>);

impl Fingerprint {
    /// A fingerprint taking `kind`'s digest, or only counting (`None`).
    pub(super) fn new(kind: Option<DigestKind>) -> Self {
        let h = match kind {
            None => Hasher::None,
            Some(DigestKind::Blake3) => Hasher::Blake3(Box::default()),
            Some(DigestKind::Sha256) => Hasher::Sha256(sha2::Sha256::new()),
        };
        Fingerprint(Arc::new(Mutex::new((h, 0))))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (Hasher, u64)> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Take `bytes` in.
    fn update(&self, bytes: &[u8]) {
        let mut g = self.lock();
        match &mut g.0 {
            Hasher::None => {}
            Hasher::Blake3(h) => {
                h.update(bytes);
            }
            Hasher::Sha256(h) => h.update(bytes),
        }
        g.1 += bytes.len() as u64;
    }

    /// Count `n` bytes not hashed.
    pub(super) fn set_len(&self, n: u64) {
        self.lock().1 = n;
    }

    /// The digest (`None` when only counting) and the byte count of
    /// everything read.
    pub fn finish(&self) -> (Option<CaptureDigest>, u64) {
        let g = self.lock();
        let hex = |b: &[u8]| b.iter().map(|b| format!("{b:02x}")).collect::<String>();
        let digest = match &g.0 {
            Hasher::None => None,
            Hasher::Blake3(h) => Some(CaptureDigest {
                kind: DigestKind::Blake3,
                hex: hex(h.finalize().as_bytes()),
            }),
            Hasher::Sha256(h) => Some(CaptureDigest {
                kind: DigestKind::Sha256,
                hex: hex(&h.clone().finalize()),
            }),
        };
        (digest, g.1)
    }
}

/// Reader that hashes and counts the bytes passing through, and moves a
/// progress bar.
pub(super) struct Hashing<R> {
    pub(super) inner: R,
    pub(super) fp: Fingerprint,
    pub(super) progress: Option<indicatif::ProgressBar>,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n > 0 {
            self.fp.update(&buf[..n]);
            if let Some(p) = &self.progress {
                p.inc(n as u64);
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest_of(kind: DigestKind, parts: &[&[u8]]) -> (String, u64) {
        let fp = Fingerprint::new(Some(kind));
        for p in parts {
            fp.update(p);
        }
        let (d, n) = fp.finish();
        (d.expect("a digest").to_string(), n)
    }

    #[test]
    fn digests_are_those_the_check_commands_print() {
        // `printf 'abc' | sha256sum` and `printf 'abc' | b3sum`.
        assert_eq!(
            digest_of(DigestKind::Sha256, &[b"a", b"bc"]),
            (
                "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad".into(),
                3
            )
        );
        assert_eq!(
            digest_of(DigestKind::Blake3, &[b"ab", b"c"]),
            (
                "blake3:6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85".into(),
                3
            )
        );
    }

    #[test]
    fn counting_only_gives_no_digest() {
        let fp = Fingerprint::new(None);
        fp.update(b"abc");
        assert_eq!(fp.finish(), (None, 3));
    }
}
