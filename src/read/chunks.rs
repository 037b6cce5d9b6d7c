//! A capture cut into chunks of whole lines, so the lines of one file can be
//! parsed on several threads (the parser is per line and keeps no state).
//!
//! A [`Chunk`] holds about [`CHUNK_SIZE`] bytes ending at a newline; the
//! partial line after the last newline is carried into the next chunk. The
//! lines it yields ([`Chunk::lines`]) are exactly those of
//! [`super::lines::for_each_line`]: one `\r` stripped, the last line of the
//! capture unterminated when it has no `\n`, lines capped at
//! [`MAX_LINE`] with their real length. A line longer than a whole chunk is
//! cut while reading, so memory stays bounded by the chunk size whatever
//! the input.

use std::io::{self, BufRead};

use super::{
    limits::check_long_line,
    lines::{MAX_LINE, finish},
};

/// Bytes per chunk: large enough that a thread parses for a while (and
/// that reads bypass the reader's own buffer), small enough that a few
/// chunks in flight cost little memory.
pub const CHUNK_SIZE: usize = 256 << 10;

/// Whole lines of a capture.
#[derive(Debug, Default)]
pub struct Chunk {
    /// The lines, each ending in `\n` except perhaps the capture's last.
    pub data: Vec<u8>,
    /// The chunk is one line longer than the chunk size, cut to
    /// [`MAX_LINE`] bytes; this is its real length.
    pub overlong: Option<u64>,
}

/// One line of a chunk (the number is counted by whoever reads the chunks
/// in order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkLine<'a> {
    /// The bytes, without `\n` and one trailing `\r`, at most [`MAX_LINE`].
    pub bytes: &'a [u8],
    /// `false` for a last line without `\n`.
    pub terminated: bool,
    /// The real length of a line longer than [`MAX_LINE`].
    pub overlong: Option<u64>,
}

impl Chunk {
    /// The chunk's lines, in order.
    pub fn lines(&self) -> impl Iterator<Item = ChunkLine<'_>> {
        let data = &self.data[..];
        let forced = self.overlong;
        let mut rest = data;
        std::iter::from_fn(move || {
            if rest.is_empty() {
                return None;
            }
            let (line, terminated) = match memchr::memchr(b'\n', rest) {
                Some(p) => {
                    let l = &rest[..p];
                    rest = &rest[p + 1..];
                    (l, true)
                }
                None => {
                    let l = rest;
                    rest = &[];
                    (l, false)
                }
            };
            let (bytes, overlong) = finish(line, forced.unwrap_or(line.len() as u64));
            Some(ChunkLine {
                bytes,
                terminated,
                overlong,
            })
        })
    }
}

/// Cuts a reader into [`Chunk`]s.
pub struct Chunker<R> {
    reader: R,
    size: usize,
    carry: Vec<u8>,
    eof: bool,
    /// Lines handed out so far (for the line number of binary data).
    lines: u64,
}

impl<R: BufRead> Chunker<R> {
    /// Chunks of about `size` bytes (at least [`MAX_LINE`]).
    pub fn new(reader: R, size: usize) -> Self {
        Chunker {
            reader,
            size: size.max(MAX_LINE + 1),
            carry: Vec::new(),
            eof: false,
            lines: 0,
        }
    }

    /// The next chunk, `None` at the end of the input.
    pub fn next_chunk(&mut self) -> io::Result<Option<Chunk>> {
        self.next_chunk_in(Vec::new())
    }

    /// [`Chunker::next_chunk`] in `data`, the buffer of a chunk done with
    /// (its bytes are dropped): a long capture's chunks reuse a few buffers
    /// rather than fault in fresh pages for each.
    pub fn next_chunk_in(&mut self, mut data: Vec<u8>) -> io::Result<Option<Chunk>> {
        // Read over the old bytes: only what the buffer never held is zeroed.
        let mut filled = self.carry.len();
        if data.len() < self.size.max(filled) {
            data.resize(self.size.max(filled), 0);
        }
        data[..filled].copy_from_slice(&self.carry);
        self.carry.clear();
        while filled < self.size && !self.eof {
            let n = loop {
                match self.reader.read(&mut data[filled..self.size]) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
            };
            filled += n;
            self.eof = n == 0;
        }
        data.truncate(filled);
        if data.is_empty() {
            return Ok(None);
        }
        if self.eof {
            return Ok(Some(Chunk {
                data,
                overlong: None,
            }));
        }
        match memchr::memrchr(b'\n', &data) {
            Some(p) => {
                self.carry.extend_from_slice(&data[p + 1..]);
                data.truncate(p + 1);
                self.lines += memchr::memchr_iter(b'\n', &data).count() as u64;
                Ok(Some(Chunk {
                    data,
                    overlong: None,
                }))
            }
            None => self.giant_line(data).map(Some),
        }
    }

    /// `data` is the start of a line longer than a chunk: keep its first
    /// [`MAX_LINE`] bytes and skip the rest of it.
    fn giant_line(&mut self, mut data: Vec<u8>) -> io::Result<Chunk> {
        let mut total = data.len() as u64;
        self.lines += 1;
        check_long_line(self.lines, &data, total)?;
        data.truncate(MAX_LINE);
        loop {
            check_long_line(self.lines, &[], total)?;
            let buf = match self.reader.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if buf.is_empty() {
                self.eof = true;
                break;
            }
            match memchr::memchr(b'\n', buf) {
                Some(p) => {
                    total += p as u64;
                    self.reader.consume(p + 1);
                    data.push(b'\n');
                    break;
                }
                None => {
                    total += buf.len() as u64;
                    let n = buf.len();
                    self.reader.consume(n);
                }
            }
        }
        Ok(Chunk {
            data,
            overlong: Some(total),
        })
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::read::lines::for_each_line;

    type Owned = (Vec<u8>, bool, Option<u64>);

    fn by_chunks(input: &[u8], size: usize, buf: usize) -> Vec<Owned> {
        let mut ch = Chunker::new(io::BufReader::with_capacity(buf, input), size);
        let mut out = Vec::new();
        while let Some(c) = ch.next_chunk().unwrap() {
            assert!(c.data.len() <= size.max(MAX_LINE + 1) + 1);
            out.extend(
                c.lines()
                    .map(|l| (l.bytes.to_vec(), l.terminated, l.overlong)),
            );
        }
        out
    }

    fn by_lines(input: &[u8]) -> Vec<Owned> {
        let mut r = io::BufReader::with_capacity(4096, input);
        let mut out = Vec::new();
        for_each_line(&mut r, |l| {
            out.push((l.bytes.to_vec(), l.terminated, l.overlong));
            Ok(())
        })
        .unwrap();
        out
    }

    #[test]
    fn real_capture_gives_the_same_lines() {
        let text = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/captures/qemu-6.1/openat-enoent/bad.log"
        ))
        .unwrap();
        let want = by_lines(&text);
        assert!(want.len() > 100);
        for size in [MAX_LINE + 1, 100_000, CHUNK_SIZE] {
            assert_eq!(by_chunks(&text, size, 8192), want, "chunk size {size}");
        }
    }

    #[test]
    fn giant_lines_are_cut_and_measured() {
        let mut text = b"first\n".to_vec();
        text.extend(std::iter::repeat_n(b'x', MAX_LINE * 5));
        text.extend_from_slice(b"\r\nlast");
        let got = by_chunks(&text, MAX_LINE + 1, 1000);
        assert_eq!(got, by_lines(&text));
        assert_eq!(got[1].2, Some(MAX_LINE as u64 * 5 + 1));
        assert_eq!(got[2], (b"last".to_vec(), false, None));
    }

    proptest! {
        #[test]
        fn same_lines_as_for_each_line(
            parts in proptest::collection::vec((0usize..3, 0usize..200), 0..60),
            big in 0usize..3,
        ) {
            // Lines of assorted lengths, some over MAX_LINE, CRLF and a
            // possibly unterminated end.
            let mut text = Vec::new();
            for (k, (kind, len)) in parts.iter().enumerate() {
                let len = if k % 17 == big { MAX_LINE + len } else { *len };
                text.extend(std::iter::repeat_n(b'a' + (k % 26) as u8, len));
                match kind {
                    0 => text.push(b'\n'),
                    1 => text.extend_from_slice(b"\r\n"),
                    _ => {}
                }
            }
            let want = by_lines(&text);
            prop_assert_eq!(by_chunks(&text, MAX_LINE + 1, 777), want.clone());
            prop_assert_eq!(by_chunks(&text, 3 * MAX_LINE, 1 << 16), want);
        }
    }
}
