//! `--parse-only`: read and parse a capture, count what the grammar
//! accepts, build no model.

use std::io;

use crate::{
    error::Error,
    parse::{self, InputFormat},
    read::{self, chunks::Chunk},
};

use super::{
    CaptureInput, SNIFF_LINES, decide_format, not_a_capture,
    pipeline::{self, Recycler},
};

/// What `--parse-only` reports about a capture.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParseSummary {
    /// The label.
    pub label: String,
    /// The format the lines were parsed as.
    pub format: Option<InputFormat>,
    /// Lines read.
    pub lines: u64,
    /// Bytes of those lines (decompressed, with their newlines).
    pub bytes: u64,
    /// Lines the grammar accepted (headers and blank lines included).
    pub parsed: u64,
    /// Lines it did not accept (continuations of multi-line comments
    /// included: telling them apart needs the model).
    pub unreadable: u64,
    /// Lines longer than tracereport reads.
    pub overlong: u64,
}

impl ParseSummary {
    /// Parse a chunk's lines and count them (on any thread).
    pub(crate) fn count(format: InputFormat, chunk: Chunk, recycler: &Recycler) -> ParseSummary {
        let mut sum = ParseSummary::default();
        for l in chunk.lines() {
            sum.lines += 1;
            sum.bytes += l.bytes.len() as u64 + 1;
            if l.overlong.is_some() {
                sum.overlong += 1;
            } else if parse::parse_line(format, l.bytes).is_ok() {
                sum.parsed += 1;
            } else {
                sum.unreadable += 1;
            }
        }
        recycler.give_bytes(chunk.data);
        sum
    }

    pub(crate) fn add(&mut self, o: ParseSummary) {
        self.lines += o.lines;
        self.bytes += o.bytes;
        self.parsed += o.parsed;
        self.unreadable += o.unreadable;
        self.overlong += o.overlong;
    }
}

/// Read and parse one capture without building its model (`--parse-only`):
/// the parser's share of the work, for timing it and for checking a
/// capture's lines.
pub fn parse_capture(
    input: &CaptureInput,
    progress: Option<indicatif::ProgressBar>,
) -> Result<ParseSummary, Error> {
    let display = input.path.display();
    let io_err = |e: io::Error| super::input_error(display.clone(), e);
    // Nothing shows a fingerprint here: no need to hash.
    let mut source = read::open_unhashed(&input.path, progress).map_err(io_err)?;
    let tracedat = source.tracedat;
    if let Some(dat) = super::typed_dat(&mut source, input) {
        let sum = ParseSummary {
            label: input.label.clone(),
            format: Some(InputFormat::TraceCmd),
            ..ParseSummary::default()
        };
        let ran = super::dat::run(dat, sum, super::dat::count_batch).map_err(io_err)?;
        return match ran.started {
            Some((sum, _)) if sum.parsed > 0 => Ok(sum),
            _ => Err(not_a_capture(&display, ran.first_text_line)),
        };
    }
    let recycler = Recycler::default();
    let ran = pipeline::run(
        source.reader,
        &recycler,
        SNIFF_LINES,
        |sniffed| {
            let (format, at) = decide_format(input, tracedat, sniffed)?;
            let sum = ParseSummary {
                label: input.label.clone(),
                format: Some(format),
                ..ParseSummary::default()
            };
            Some((sum, format, at))
        },
        |format, chunk| ParseSummary::count(format, chunk, &recycler),
        ParseSummary::add,
    )
    .map_err(io_err)?;
    match ran.started {
        Some((sum, _)) if sum.parsed > 0 => Ok(sum),
        _ => Err(not_a_capture(&display, ran.first_text_line)),
    }
}
