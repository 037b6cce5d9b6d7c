//! Damaged captures made from the real ones: the inputs of the mutation
//! test (`mutation.rs`).
//!
//! A mutant is a list of [`Piece`]s: lines kept from the original, and new
//! lines (damaged, duplicated, inserted, cut). Building mutants line-wise
//! keeps the answer to "which lines of this input are damaged, and which
//! original line is each other line" exact, so the test can demand that
//! every damaged line is accounted for at its own line number.

use std::{
    io::Read,
    path::{Path, PathBuf},
};

use proptest::{prelude::RngExt, test_runner::TestRng};

use crate::common::{CAPTURES, CAPTURES_NEW, files_under};

/// A real capture, decompressed, split into lines.
pub struct Fixture {
    /// Where it came from, and which excerpt.
    pub name: String,
    /// Its lines, without `\n`.
    pub lines: Vec<Vec<u8>>,
    /// Whether the last line ended with `\n`.
    pub terminated: bool,
}

/// The multi-megabyte captures (more lines than this) are cut into
/// excerpts (a real `trace_pipe` read started and stopped mid-run), so that
/// a hundred thousand mutants fit in CI's time.
pub const LARGE: usize = 2000;

/// Lines of an excerpt of a large capture; the first excerpt keeps the header.
pub const EXCERPT_LINES: usize = 100;

/// Excerpts taken from each large capture.
pub const EXCERPTS_PER_LARGE: usize = 8;

/// At most this many lines of a capture are dropped and doubled (one
/// mutant each), spread evenly over it.
pub const DROPS_PER_CAPTURE: usize = 100;

/// Every real capture of the corpus (both fixture folders), large ones as
/// excerpts at fixed pseudo-random places.
pub fn fixtures() -> Vec<Fixture> {
    let mut files = files_under(CAPTURES, &[".log", ".log.gz"]);
    files.extend(files_under(CAPTURES_NEW, &[".log", ".log.gz"]));
    let mut rng = TestRng::deterministic_rng(proptest::test_runner::RngAlgorithm::ChaCha);
    let mut out = Vec::new();
    for f in files {
        let bytes = decompressed(&f);
        let terminated = bytes.ends_with(b"\n");
        let mut lines: Vec<Vec<u8>> = bytes.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
        if terminated {
            lines.pop();
        }
        let name = f.display().to_string();
        if lines.len() <= LARGE {
            out.push(Fixture {
                name,
                lines,
                terminated,
            });
            continue;
        }
        for k in 0..EXCERPTS_PER_LARGE {
            let start = if k == 0 {
                0
            } else {
                rng.random_range(0..lines.len() - EXCERPT_LINES)
            };
            out.push(Fixture {
                name: format!("{name} lines {}..{}", start + 1, start + EXCERPT_LINES),
                lines: lines[start..start + EXCERPT_LINES].to_vec(),
                terminated: true,
            });
        }
    }
    out
}

fn decompressed(p: &Path) -> Vec<u8> {
    let raw = std::fs::read(p).unwrap();
    if !raw.starts_with(&[0x1f, 0x8b]) {
        return raw;
    }
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(&raw[..])
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// One line of a mutant.
#[derive(Debug, Clone)]
pub enum Piece {
    /// Line `i` (0-based) of the original, unchanged.
    Orig(usize),
    /// A line that is not in the original (damaged, inserted).
    New(Vec<u8>),
}

/// What was done to the original.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// Cut after a whole line (Ctrl-C between two reads).
    TruncateAtLine,
    /// Cut at any byte (Ctrl-C mid-line, a partial last write).
    TruncateAtByte,
    /// Random bits flipped in one to eight bytes.
    FlipBytes,
    /// A line twice.
    DuplicateLine,
    /// A line gone.
    DropLine,
    /// A line of 1 MiB (no newline inside) inserted.
    InsertHugeLine,
    /// A line of random bytes inserted.
    InsertGarbage,
}

/// A damaged capture.
#[derive(Debug, Clone)]
pub struct Mutant {
    /// How it was made.
    pub kind: Kind,
    /// Its lines.
    pub pieces: Vec<Piece>,
    /// Whether the last line ends with `\n`.
    pub terminated: bool,
    /// The original line (0-based) dropped or doubled.
    pub line: Option<usize>,
    /// A short description for failure messages.
    pub what: String,
}

impl Mutant {
    /// The bytes a reader sees.
    pub fn bytes(&self, fx: &Fixture) -> Vec<u8> {
        let mut out = Vec::new();
        for (k, p) in self.pieces.iter().enumerate() {
            out.extend_from_slice(match p {
                Piece::Orig(i) => &fx.lines[*i],
                Piece::New(b) => b,
            });
            if k + 1 < self.pieces.len() || self.terminated {
                out.push(b'\n');
            }
        }
        out
    }
}

fn orig(range: std::ops::Range<usize>) -> impl Iterator<Item = Piece> {
    range.map(Piece::Orig)
}

/// `bytes` as pieces: a new line for each `\n`-separated part.
fn new_lines(bytes: &[u8]) -> impl Iterator<Item = Piece> + '_ {
    bytes.split(|&b| b == b'\n').map(|l| Piece::New(l.to_vec()))
}

/// Every truncation at a line boundary, and one inside each line at a
/// random byte.
pub fn truncations(fx: &Fixture, rng: &mut TestRng) -> Vec<Mutant> {
    let n = fx.lines.len();
    let mut out = Vec::new();
    for keep in 0..n {
        out.push(Mutant {
            kind: Kind::TruncateAtLine,
            pieces: orig(0..keep).collect(),
            terminated: true,
            line: None,
            what: format!("cut after line {keep}"),
        });
        // A cut inside line `keep + 1` (at a random byte of it).
        let line = &fx.lines[keep];
        if line.is_empty() {
            continue;
        }
        let at = rng.random_range(0..line.len());
        out.push(Mutant {
            kind: Kind::TruncateAtByte,
            pieces: orig(0..keep)
                .chain(std::iter::once(Piece::New(line[..at].to_vec())))
                .collect(),
            terminated: false,
            line: None,
            what: format!("cut inside line {} after {at} bytes", keep + 1),
        });
    }
    out
}

/// Lines dropped, and lines doubled: every line of a capture of up to
/// [`DROPS_PER_CAPTURE`] lines, else that many spread over it.
pub fn drops_and_duplicates(fx: &Fixture) -> Vec<Mutant> {
    let n = fx.lines.len();
    let stride = n.div_ceil(DROPS_PER_CAPTURE).max(1);
    let mut out = Vec::new();
    for i in (0..n).step_by(stride) {
        out.push(Mutant {
            kind: Kind::DropLine,
            pieces: orig(0..i).chain(orig(i + 1..n)).collect(),
            terminated: fx.terminated,
            line: Some(i),
            what: format!("line {} dropped", i + 1),
        });
        out.push(Mutant {
            kind: Kind::DuplicateLine,
            pieces: orig(0..i + 1)
                .chain(std::iter::once(Piece::New(fx.lines[i].clone())))
                .chain(orig(i + 1..n))
                .collect(),
            terminated: fx.terminated,
            line: Some(i),
            what: format!("line {} doubled", i + 1),
        });
    }
    out
}

/// `count` mutants with random bits flipped in one to eight bytes of one
/// line (a flip may make a `\n`, splitting the line).
pub fn flips(fx: &Fixture, rng: &mut TestRng, count: usize) -> Vec<Mutant> {
    let n = fx.lines.len();
    let mut out = Vec::new();
    while out.len() < count && n > 0 {
        let i = rng.random_range(0..n);
        let mut line = fx.lines[i].clone();
        if line.is_empty() {
            continue;
        }
        let flips = rng.random_range(1..=8);
        for _ in 0..flips {
            let at = rng.random_range(0..line.len());
            line[at] ^= rng.random_range(1..=255u8);
        }
        if line == fx.lines[i] {
            continue;
        }
        out.push(Mutant {
            kind: Kind::FlipBytes,
            pieces: orig(0..i)
                .chain(new_lines(&line))
                .chain(orig(i + 1..n))
                .collect(),
            terminated: fx.terminated,
            line: None,
            what: format!("{flips} byte(s) flipped in line {}", i + 1),
        });
    }
    out
}

/// `count` mutants with a line of random bytes, and `huge` with a 1 MiB
/// line, inserted at random places.
pub fn insertions(fx: &Fixture, rng: &mut TestRng, count: usize, huge: usize) -> Vec<Mutant> {
    let n = fx.lines.len();
    let mut out = Vec::new();
    for k in 0..count + huge {
        let i = rng.random_range(0..=n);
        let (kind, line) = if k < huge {
            (Kind::InsertHugeLine, huge_line(rng))
        } else {
            let len = rng.random_range(0..200);
            let line: Vec<u8> = (0..len)
                .map(|_| match rng.random_range(0..4) {
                    0 => rng.random::<u8>(),
                    _ => b" 0123456789|{}();/*=-[]:.+!#<>abcdefx_"[rng.random_range(0..38)],
                })
                .filter(|&b| b != b'\n')
                .collect();
            (Kind::InsertGarbage, line)
        };
        out.push(Mutant {
            kind,
            pieces: orig(0..i)
                .chain(std::iter::once(Piece::New(line)))
                .chain(orig(i..n))
                .collect(),
            terminated: fx.terminated,
            line: None,
            what: format!("{kind:?} before line {}", i + 1),
        });
    }
    out
}

/// 1 MiB without a newline: a whole capture pasted without line breaks,
/// or a binary blob, starting like a real line half the time.
fn huge_line(rng: &mut TestRng) -> Vec<u8> {
    let fill = if rng.random() { b' ' } else { b'x' };
    let mut line = vec![fill; 1 << 20];
    let head = b" 0)   1.262 us    |      f() {";
    line[..head.len()].copy_from_slice(head);
    let tail = line.len() - 4;
    line[tail..].copy_from_slice(b"();\r");
    line
}

/// Where a failing mutant is written for a rerun with
/// `tracereport FILE -o out/`.
pub fn save_failure(fx: &Fixture, m: &Mutant) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("mutants");
    std::fs::create_dir_all(&dir).unwrap();
    let safe: String = format!("{} {}", fx.name, m.what)
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let p = dir.join(format!("{}.log", &safe[safe.len().saturating_sub(120)..]));
    std::fs::write(&p, m.bytes(fx)).unwrap();
    p
}
