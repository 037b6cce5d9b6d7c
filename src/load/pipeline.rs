//! One capture from reader to [`Builder`] on every core.
//!
//! Three stages overlap:
//!
//! 1. a reader thread pulls bytes (decompression, hashing and the progress
//!    bar happen there) and cuts them into [`Chunk`]s of whole lines;
//! 2. chunks are parsed in parallel (rayon): the parser is stateless per
//!    line, so a chunk's records need nothing from earlier chunks;
//! 3. the builder, which does need the lines in order (stacks, regions),
//!    takes the parsed chunks one after the other, while the next batch is
//!    being parsed.
//!
//! Memory in flight is bounded: [`QUEUE`] chunks waiting to be parsed, one
//! batch being parsed and one being built.

use std::{
    io::{self, BufRead},
    sync::mpsc,
};

use rayon::prelude::*;

use crate::{
    parse::{self, InputFormat, LineError, Record},
    read::chunks::{CHUNK_SIZE, Chunk, ChunkLine, Chunker},
};

use crate::model::Builder;

use super::feed::feed_line;

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

/// Parse one line (the part of the work that needs no order).
pub(crate) fn parse_one(format: InputFormat, line: ChunkLine<'_>) -> Parsed<'_> {
    let record = line
        .overlong
        .is_none()
        .then(|| parse::parse_line(format, line.bytes));
    // Nearly every line is ASCII; only the others need the full check.
    let utf8 = line.bytes.is_ascii() || std::str::from_utf8(line.bytes).is_ok();
    Parsed { line, record, utf8 }
}

type ParsedLines<'a> = Vec<Parsed<'a>>;

self_cell::self_cell!(
    /// A chunk together with its parsed lines, which borrow it: so a batch
    /// can be parsed on one thread and built on another later.
    pub(crate) struct ParsedChunk {
        owner: Chunk,
        #[covariant]
        dependent: ParsedLines,
    }
);

/// Parse a chunk's lines (on any thread).
pub(crate) fn parse_chunk(format: InputFormat, chunk: Chunk) -> ParsedChunk {
    ParsedChunk::new(chunk, |c| {
        // Exactly the lines (a parsed line is ~200 bytes: growing the
        // vector would copy them all again; short lines are common).
        let lines = memchr::memchr_iter(b'\n', &c.data).count() + 1;
        let mut out = Vec::with_capacity(lines);
        out.extend(c.lines().map(|l| parse_one(format, l)));
        out
    })
}

/// Feed a parsed chunk to the builder, in order; `number` is the number of
/// lines fed so far.
pub(crate) fn build_chunk(builder: &mut Builder, number: &mut u64, chunk: ParsedChunk) {
    for p in chunk.borrow_dependent() {
        *number += 1;
        builder.count_line(p.line.bytes.len());
        feed_line(builder, *number, p);
    }
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
/// order), then through `take` with the sink (one at a time, in order).
pub(crate) fn run<S: Send, T: Send>(
    reader: Box<dyn BufRead + Send>,
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
                let next = chunker.next_chunk().transpose();
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
        consume(&rx, sniff_lines, start, work, take)
    })
}

fn consume<S: Send, T: Send>(
    rx: &mpsc::Receiver<io::Result<Chunk>>,
    sniff_lines: usize,
    start: impl FnOnce(&[Vec<u8>]) -> Option<(S, InputFormat, u64)>,
    work: impl Fn(InputFormat, Chunk) -> T + Sync,
    mut take: impl FnMut(&mut S, T) + Send,
) -> io::Result<Ran<S>> {
    // Sniff: the first lines decide the format (and whether this is a capture).
    let mut held: Vec<Chunk> = Vec::new();
    let mut sniffed: Vec<Vec<u8>> = Vec::new();
    let mut first_text_line = None;
    let mut number = 0u64;
    let mut eof = false;
    let mut held_bytes = 0;
    while sniffed.len() < sniff_lines && held_bytes < SNIFF_MAX_BYTES {
        let Ok(chunk) = rx.recv() else {
            eof = true;
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
    let Some((mut sink, format, detected_at)) = start(&sniffed) else {
        return Ok(Ran {
            started: None,
            first_text_line,
        });
    };
    // Each round parses a batch (one chunk per thread) while the previous
    // batch goes to the sink.
    let batch_len = rayon::current_num_threads().max(1);
    let mut ready: Vec<T> = Vec::new();
    let mut batch: Vec<Chunk> = held;
    loop {
        while !eof && batch.len() < batch_len {
            match rx.recv() {
                Ok(c) => batch.push(c?),
                Err(_) => eof = true,
            }
        }
        if batch.is_empty() && ready.is_empty() {
            break;
        }
        let todo = std::mem::take(&mut batch);
        let ((), parsed) = rayon::join(
            || ready.drain(..).for_each(|t| take(&mut sink, t)),
            || {
                todo.into_par_iter()
                    .map(|c| work(format, c))
                    .collect::<Vec<_>>()
            },
        );
        ready = parsed;
    }
    Ok(Ran {
        started: Some((sink, detected_at)),
        first_text_line,
    })
}
