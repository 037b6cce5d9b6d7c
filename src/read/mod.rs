//! Stage 1: bytes in. Opens a capture (file, `-` for stdin, gzip or zstd
//! compressed, told apart by their magic bytes, not their names), hashes what
//! it reads, reports progress, and splits it into lines.
//!
//! Output: lines as byte slices with their 1-based numbers, through
//! [`lines::for_each_line`]. Nothing here holds more than one buffer and the
//! longest line.
//!
//! Invariant: this is the only module that opens inputs.

pub mod chunks;
mod digest;
pub mod gzip;
pub mod limits;
pub mod lines;
pub mod notes;
pub mod tracedat;

use digest::Hashing;
pub use digest::{CaptureDigest, DigestKind, Fingerprint};

use std::{
    fs::File,
    io::{self, BufRead, BufReader, Read},
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
};

/// Where a capture comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputPath {
    /// A file.
    File(PathBuf),
    /// Standard input (`-`).
    Stdin,
}

impl InputPath {
    /// `-` means stdin, anything else a file.
    pub fn from_arg(arg: &Path) -> Self {
        if arg.as_os_str() == "-" {
            InputPath::Stdin
        } else {
            InputPath::File(arg.to_path_buf())
        }
    }

    /// How the path is shown in messages and in the report.
    pub fn display(&self) -> String {
        match self {
            InputPath::File(p) => p.display().to_string(),
            InputPath::Stdin => "<stdin>".to_string(),
        }
    }

    /// The default label: the file name without `.log`/`.txt`/`.gz`/`.zst`.
    pub fn default_label(&self) -> String {
        match self {
            InputPath::Stdin => "stdin".to_string(),
            InputPath::File(p) => {
                let mut name = p
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| p.display().to_string());
                for ext in [".gz", ".zst", ".zstd", ".log", ".txt", ".trace", ".dat"] {
                    if let Some(stripped) = name.strip_suffix(ext) {
                        name = stripped.to_string();
                    }
                }
                name
            }
        }
    }
}

/// How the bytes were stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    /// Plain text.
    None,
    /// gzip (`1f 8b`).
    Gzip,
    /// zstd (`28 b5 2f fd`).
    Zstd,
}

/// Why a compressed stream stopped before its end, once it has: a capture
/// cut while it was being copied, or damaged bytes. The lines before it are
/// read; the report says where the rest was lost.
#[derive(Clone, Default)]
pub struct Damage(Arc<Mutex<Option<String>>>);

impl Damage {
    /// The decompressor's error, if the stream was damaged.
    pub fn get(&self) -> Option<String> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Record why the input ended early (the first reason is kept).
    pub fn set(&self, why: String) {
        let mut g = self.0.lock().unwrap_or_else(|e| e.into_inner());
        g.get_or_insert(why);
    }
}

/// A decompressor whose error ends the input instead of failing the run.
struct EndOnDamage<R> {
    inner: R,
    damage: Damage,
    done: bool,
}

impl<R> EndOnDamage<R> {
    fn new(inner: R, damage: &Damage) -> Self {
        EndOnDamage {
            inner,
            damage: damage.clone(),
            done: false,
        }
    }
}

impl<R: Read> Read for EndOnDamage<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.done {
            return Ok(0);
        }
        match self.inner.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Err(e),
            Err(e) => {
                self.done = true;
                *self.damage.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(e.to_string());
                Ok(0)
            }
            ok => ok,
        }
    }
}

/// An opened capture.
pub struct Source {
    /// Where it came from.
    pub path: InputPath,
    /// The decompressed text.
    pub reader: Box<dyn BufRead + Send>,
    /// How it was stored.
    pub compression: Compression,
    /// Set when the compressed stream ended early or was damaged.
    pub damage: Damage,
    /// Hash of the stored bytes, complete once the reader hit EOF.
    pub fingerprint: Fingerprint,
    /// Bytes after the last gzip member, ignored (complete at EOF).
    pub trailing: gzip::Trailing,
    /// Size of the stored file, when known.
    pub len: Option<u64>,
    /// The input is a trace-cmd trace.dat, read natively: `reader` gives
    /// the text `trace-cmd report` prints for it.
    pub tracedat: bool,
    /// The same trace.dat, for reading its events as typed records
    /// instead of `reader`'s text.
    pub dat: Option<tracedat::DatFile>,
}

/// Buffer size for reading. Smaller than a chunk
/// ([`chunks::CHUNK_SIZE`]): the chunker's reads then go straight into its
/// chunk instead of through this buffer (one copy less).
pub const BUF_SIZE: usize = 64 << 10;

/// Open a capture. `progress` is advanced by the stored bytes read.
pub fn open(
    path: &InputPath,
    progress: Option<indicatif::ProgressBar>,
    digest: DigestKind,
) -> io::Result<Source> {
    open_with(path, progress, Some(digest))
}

/// Open a capture without a digest (its [`Fingerprint`] gives none; the
/// byte count is right).
pub fn open_unhashed(
    path: &InputPath,
    progress: Option<indicatif::ProgressBar>,
) -> io::Result<Source> {
    open_with(path, progress, None)
}

fn open_with(
    path: &InputPath,
    progress: Option<indicatif::ProgressBar>,
    digest: Option<DigestKind>,
) -> io::Result<Source> {
    let (raw, len): (Box<dyn Read + Send>, Option<u64>) = match path {
        InputPath::File(p) => {
            let f = File::open(p)?;
            let meta = f.metadata()?;
            if meta.is_dir() {
                return Err(io::Error::new(
                    io::ErrorKind::IsADirectory,
                    "is a directory",
                ));
            }
            if is_tracedat_file(&f) {
                return open_tracedat_file(path, f, meta.len(), progress, digest);
            }
            (Box::new(f), Some(meta.len()))
        }
        InputPath::Stdin => (Box::new(io::stdin()), None),
    };
    from_reader_with(path.clone(), raw, len, progress, digest)
}

/// A capture whose stored bytes come from `raw` (a file or stdin for
/// [`open`]; bytes already in memory for the robustness tests and the fuzz
/// target, which feed hundreds of thousands of damaged captures through the
/// same decompression and line splitting as a real run). `path` only names it.
pub fn from_reader(
    path: InputPath,
    raw: Box<dyn Read + Send>,
    len: Option<u64>,
    progress: Option<indicatif::ProgressBar>,
) -> io::Result<Source> {
    from_reader_with(path, raw, len, progress, Some(DigestKind::default()))
}

fn from_reader_with(
    path: InputPath,
    raw: Box<dyn Read + Send>,
    len: Option<u64>,
    progress: Option<indicatif::ProgressBar>,
    digest: Option<DigestKind>,
) -> io::Result<Source> {
    let fingerprint = Fingerprint::new(digest);
    let damage = Damage::default();
    let trailing = gzip::Trailing::default();
    let mut stored = BufReader::with_capacity(
        BUF_SIZE,
        Hashing {
            inner: raw,
            fp: fingerprint.clone(),
            progress,
        },
    );
    let head = stored.fill_buf()?;
    let compression = if head.starts_with(&[0x1f, 0x8b]) {
        Compression::Gzip
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Compression::Zstd
    } else {
        Compression::None
    };
    let reader: Box<dyn BufRead + Send> = match compression {
        Compression::None => Box::new(stored),
        Compression::Gzip => Box::new(BufReader::with_capacity(
            BUF_SIZE,
            EndOnDamage::new(gzip::Members::new(stored, &trailing), &damage),
        )),
        Compression::Zstd => Box::new(BufReader::with_capacity(
            BUF_SIZE,
            EndOnDamage::new(zstd::Decoder::with_buffer(stored)?, &damage),
        )),
    };
    let mut reader = reader;
    if reader.fill_buf()?.starts_with(tracedat::MAGIC) {
        // A compressed or piped trace.dat: unpack it where it can be read
        // at any offset (bounded memory, whatever its size).
        let mut spill = tempfile::tempfile()?;
        io::copy(&mut reader, &mut spill)?;
        let dat = tracedat::DatFile::open(spill, &damage)?;
        return Ok(Source {
            path,
            reader: Box::new(dat.try_clone()?.text()),
            compression,
            damage,
            fingerprint,
            trailing,
            len,
            tracedat: true,
            dat: Some(dat),
        });
    }
    Ok(Source {
        path,
        reader,
        compression,
        damage,
        fingerprint,
        trailing,
        len,
        tracedat: false,
        dat: None,
    })
}

/// Whether a plain file starts like a trace.dat.
fn is_tracedat_file(f: &File) -> bool {
    use std::os::unix::fs::FileExt;
    let mut head = [0u8; 10];
    f.read_exact_at(&mut head, 0).is_ok() && head.starts_with(tracedat::MAGIC)
}

/// A plain trace.dat, read in place at random offsets. The hash (when
/// wanted) is taken in one pass over the file first.
fn open_tracedat_file(
    path: &InputPath,
    f: File,
    len: u64,
    progress: Option<indicatif::ProgressBar>,
    digest: Option<DigestKind>,
) -> io::Result<Source> {
    let fingerprint = Fingerprint::new(digest);
    let damage = Damage::default();
    let mut hashing = Hashing {
        inner: f.try_clone()?,
        fp: fingerprint.clone(),
        progress,
    };
    if digest.is_some() {
        io::copy(&mut hashing, &mut io::sink())?;
    } else {
        fingerprint.set_len(len);
    }
    let dat = tracedat::DatFile::open(f, &damage)?;
    Ok(Source {
        path: path.clone(),
        reader: Box::new(dat.try_clone()?.text()),
        compression: Compression::None,
        damage,
        fingerprint,
        trailing: gzip::Trailing::default(),
        len: Some(len),
        tracedat: true,
        dat: Some(dat),
    })
}
