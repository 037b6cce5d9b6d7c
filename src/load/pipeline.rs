//! One capture from reader to [`Builder`] on every core.
//!
//! Three stages overlap:
//!
//! 1. a reader thread pulls bytes (decompression, hashing and the progress
//!    bar happen there) and cuts them into [`Chunk`]s of whole lines;
//! 2. chunks are parsed on one thread fewer than the machine has, and on
//!    the builder's whenever its next chunk is not ready ([`flow`]): the
//!    parser is stateless per line, so a chunk's records need nothing from
//!    earlier chunks;
//! 3. the builder, which does need the lines in order (stacks, regions),
//!    takes the parsed chunks one after the other on a thread of its own.
//!
//! Memory in flight is bounded: [`QUEUE`] chunks waiting to be parsed, and
//! `flow`'s window of chunks being parsed or parsed and waiting for the
//! builder.

use std::{
    io::{self, BufRead},
    sync::{Mutex, mpsc},
};

use crate::{
    parse::{self, InputFormat, LineError, Record},
    read::chunks::{CHUNK_SIZE, Chunk, ChunkLine, Chunker},
};

use crate::model::Builder;

use super::{feed::Feed, flow};

/// Chunks read ahead of the parsers.
pub const QUEUE: usize = 2;

/// Bytes of chunks held while the first lines are sniffed, and bytes of
/// each sniffed line copied: a capture of 64 KiB lines must not hold its
/// first `sniff_lines` lines twice (the format shows at a line's start).
const SNIFF_MAX_BYTES: usize = 4 << 20;
const SNIFF_LINE_BYTES: usize = 4 << 10;

/// One line with what the parser made of it.
pub(crate) struct Parsed<'a> {
    /// The line.
    pub line: ChunkLine<'a>,
    /// `None` for an overlong line, which is not parsed.
    pub record: Option<Result<Record<'a>, LineError>>,
    /// The line is valid UTF-8.
    pub utf8: bool,
}

/// Nearly every line is ASCII; only the others need the full check.
fn is_utf8(bytes: &[u8]) -> bool {
    bytes.is_ascii() || std::str::from_utf8(bytes).is_ok()
}

type ParsedLines<'a> = Vec<Parsed<'a>>;

self_cell::self_cell!(
    /// A chunk together with its parsed lines, which borrow it: so a chunk
    /// can be parsed on one thread and built on another later.
    pub(crate) struct ParsedChunk {
        owner: Chunk,
        #[covariant]
        dependent: ParsedLines,
    }
);

/// Buffers of chunks done with, for the next chunks: a fresh chunk and its
/// parsed lines (~1 MiB) fault in new pages, and freeing them makes the
/// allocator hand pages back to the kernel: 7 % of a full report's time on a
/// capture of short lines before they were reused.
#[derive(Default)]
pub(crate) struct Recycler {
    parsed: Mutex<Vec<Vec<Parsed<'static>>>>,
    bytes: Mutex<Vec<Vec<u8>>>,
}

/// Buffers of each kind kept: more than the chunks in flight (see the
/// module's head) ever need on machines of up to a few cores; a buffer
/// beyond them is freed.
const RECYCLED: usize = 16;

impl Recycler {
    fn take<T>(pool: &Mutex<Vec<Vec<T>>>) -> Vec<T> {
        pool.lock()
            .ok()
            .and_then(|mut p| p.pop())
            .unwrap_or_default()
    }

    fn give<T>(pool: &Mutex<Vec<Vec<T>>>, v: Vec<T>) {
        if let Ok(mut p) = pool.lock() {
            if p.len() < RECYCLED {
                p.push(v);
            }
        }
    }

    /// Hand back a chunk's bytes.
    pub(crate) fn give_bytes(&self, data: Vec<u8>) {
        Self::give(&self.bytes, data);
    }

    /// Hand back a chunk that was built: its bytes and its parsed lines.
    pub(crate) fn give_chunk(&self, mut chunk: ParsedChunk) {
        let parsed = chunk.with_dependent_mut(|_, lines| {
            let mut lines = std::mem::take(lines);
            lines.clear();
            // Same size and alignment: collected in place, the allocation
            // is kept (only the lifetime changes, and there are no lines).
            lines
                .into_iter()
                .map(|_| unreachable!("cleared"))
                .collect::<Vec<Parsed<'static>>>()
        });
        Self::give(&self.parsed, parsed);
        self.give_bytes(chunk.into_owner().data);
    }
}

/// Parse a chunk's lines (on any thread).
pub(crate) fn parse_chunk(format: InputFormat, chunk: Chunk, recycler: &Recycler) -> ParsedChunk {
    ParsedChunk::new(chunk, |c| {
        // One pass over the chunk answers for nearly every chunk; checking
        // each short line alone cost a tenth of the parsers' time.
        let ascii = c.data.is_ascii();
        let mut out: Vec<Parsed<'_>> = Recycler::take(&recycler.parsed);
        if out.capacity() == 0 {
            // Exactly the lines (a parsed line is ~200 bytes: growing the
            // vector would copy them all again). A reused vector has grown
            // to its chunks already: no count.
            out.reserve(memchr::memchr_iter(b'\n', &c.data).count() + 1);
        }
        for line in c.lines() {
            out.push(Parsed {
                line,
                record: None,
                utf8: ascii || is_utf8(line.bytes),
            });
            if line.overlong.is_none() {
                if let Some(p) = out.last_mut() {
                    parse::parse_line_into(format, line.bytes, &mut p.record);
                }
            }
        }
        out
    })
}

/// Feed a parsed chunk to the builder, in order; `number` is the number of
/// lines fed so far.
pub(crate) fn build_chunk(
    builder: &mut Builder,
    feed: &mut Feed,
    chunk: ParsedChunk,
    recycler: &Recycler,
) {
    let format = builder.format();
    for p in chunk.borrow_dependent() {
        feed.line(builder, format, p);
    }
    recycler.give_chunk(chunk);
}

/// What reading found.
pub(crate) struct Ran<S> {
    /// The sink fed with every chunk, and the line that decided the format.
    pub started: Option<(S, u64)>,
    /// The first non-blank line (number, first bytes), for the error message
    /// when the input is not a capture.
    pub first_text_line: Option<(u64, Vec<u8>)>,
}

/// Read `reader` to the end (or until the first `sniff_lines` lines show it
/// is no capture). `start` gets those first lines and says in which format
/// to parse, what takes the chunks (the sink) and which line decided the
/// format; or `None`. Every chunk goes through `work` (in parallel, any
/// order), then through `take` with the sink (one at a time, in order, on
/// the sink's thread).
pub(crate) fn run<S: Send, T: Send>(
    reader: Box<dyn BufRead + Send>,
    recycler: &Recycler,
    sniff_lines: usize,
    start: impl FnOnce(&[Vec<u8>]) -> Option<(S, InputFormat, u64)>,
    work: impl Fn(InputFormat, Chunk) -> T + Sync,
    take: impl FnMut(&mut S, T) + Send,
) -> io::Result<Ran<S>> {
    std::thread::scope(|s| {
        let (tx, rx) = mpsc::sync_channel::<io::Result<Chunk>>(QUEUE);
        s.spawn(move || {
            let mut chunker = Chunker::new(reader, CHUNK_SIZE);
            loop {
                let next = chunker
                    .next_chunk_in(Recycler::take(&recycler.bytes))
                    .transpose();
                let stop = !matches!(next, Some(Ok(_)));
                // A closed channel means the consumer stopped early.
                if let Some(item) = next {
                    if tx.send(item).is_err() {
                        return;
                    }
                }
                if stop {
                    return;
                }
            }
        });
        consume(rx, sniff_lines, start, work, take)
    })
}

fn consume<S: Send, T: Send>(
    rx: mpsc::Receiver<io::Result<Chunk>>,
    sniff_lines: usize,
    start: impl FnOnce(&[Vec<u8>]) -> Option<(S, InputFormat, u64)>,
    work: impl Fn(InputFormat, Chunk) -> T + Sync,
    take: impl FnMut(&mut S, T) + Send,
) -> io::Result<Ran<S>> {
    // Sniff: the first lines decide the format (and whether this is a capture).
    let mut held: Vec<Chunk> = Vec::new();
    let mut sniffed: Vec<Vec<u8>> = Vec::new();
    let mut first_text_line = None;
    let mut number = 0u64;
    let mut held_bytes = 0;
    while sniffed.len() < sniff_lines && held_bytes < SNIFF_MAX_BYTES {
        // The end of the input (the parsers find it too).
        let Ok(chunk) = rx.recv() else {
            break;
        };
        let chunk = chunk?;
        for l in chunk.lines() {
            if sniffed.len() >= sniff_lines {
                break;
            }
            number += 1;
            if first_text_line.is_none() && !l.bytes.trim_ascii().is_empty() {
                first_text_line = Some((number, l.bytes.iter().copied().take(60).collect()));
            }
            held_bytes += l.bytes.len();
            sniffed.push(l.bytes[..l.bytes.len().min(SNIFF_LINE_BYTES)].to_vec());
        }
        held.push(chunk);
    }
    let Some((sink, format, detected_at)) = start(&sniffed) else {
        return Ok(Ran {
            started: None,
            first_text_line,
        });
    };
    // `flow` runs at least one parser.
    let parsers = rayon::current_num_threads().saturating_sub(1);
    let sink = flow::run(rx, held, parsers, |c| work(format, c), (sink, take))?;
    Ok(Ran {
        started: Some((sink, detected_at)),
        first_text_line,
    })
}
