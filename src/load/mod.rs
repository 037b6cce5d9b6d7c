//! Stage wiring read → parse → model: one capture from bytes to a
//! [`Capture`]. Reads lines, guesses the format from the first ones, parses
//! each line and feeds the builder. Lines that do not parse become warnings;
//! only input with no ftrace line at all is an error.
//!
//! `model` knows nothing of reading and `parse` nothing of the model: this
//! stage is the only one that drives both.

mod dat;
mod feed;
mod flow;
mod parse_only;
mod pipeline;

use std::io;

use crate::{
    error::Error,
    model::{BuildOptions, Builder, Trace, WarningKind},
    parse::{InputFormat, detect_format},
    read::{self, DigestKind, InputPath},
};

/// How a capture was stored and its digest, as [`Capture`] carries them.
pub use crate::read::{CaptureDigest, Compression};
pub use parse_only::{ParseSummary, parse_capture};

/// What the caller knows about an input before reading it.
#[derive(Debug, Clone)]
pub struct CaptureInput {
    /// Where to read.
    pub path: InputPath,
    /// The name used for it in the report.
    pub label: String,
    /// Force a format instead of guessing.
    pub format: Option<InputFormat>,
    /// The digest that names it in the report.
    pub digest: DigestKind,
}

/// A capture read into a model.
#[derive(Debug, Clone)]
pub struct Capture {
    /// The path as given.
    pub path: String,
    /// The label.
    pub label: String,
    /// Digest of the stored bytes.
    pub digest: CaptureDigest,
    /// Size of the stored bytes.
    pub stored_bytes: u64,
    /// How the bytes were stored.
    pub compression: Compression,
    /// The 1-based line whose grammar decided the format.
    pub detected_at: u64,
    /// What was in it.
    pub trace: Trace,
}

/// How many lines are looked at to guess the format.
pub(crate) const SNIFF_LINES: usize = 200;

/// Read one capture.
pub fn read_capture(
    input: &CaptureInput,
    opts: &BuildOptions,
    progress: Option<indicatif::ProgressBar>,
) -> Result<Capture, Error> {
    let source = read::open(&input.path, progress, input.digest)
        .map_err(|e| input_error(input.path.display(), e))?;
    read_source(source, input, opts)
}

/// Read one capture from an opened [`read::Source`] (from [`read::open`], or
/// [`read::from_reader`] over bytes in memory).
pub fn read_source(
    source: read::Source,
    input: &CaptureInput,
    opts: &BuildOptions,
) -> Result<Capture, Error> {
    let display = source.path.display();
    let io_err = |e: io::Error| input_error(display.clone(), e);
    let (compression, fingerprint) = (source.compression, source.fingerprint.clone());
    let damage = source.damage.clone();
    let trailing = source.trailing.clone();
    let tracedat = source.tracedat;
    let mut feed = feed::Feed::default();
    let mut source = source;
    let recycler = pipeline::Recycler::default();
    let ran = match typed_dat(&mut source, input) {
        Some(dat) => {
            let b = Builder::new(InputFormat::TraceCmd, opts.clone());
            dat::run(dat, b, |b, names, batch| {
                dat::build_batch(b, &mut feed, names, batch);
            })
        }
        None => pipeline::run(
            source.reader,
            &recycler,
            SNIFF_LINES,
            |sniffed| {
                let (format, at) = decide_format(input, tracedat, sniffed)?;
                Some((Builder::new(format, opts.clone()), format, at))
            },
            |format, chunk| pipeline::parse_chunk(format, chunk, &recycler),
            |b, chunk| pipeline::build_chunk(b, &mut feed, chunk, &recycler),
        ),
    }
    .map_err(io_err)?;
    let first_text_line = ran.first_text_line;
    // A decompressor error ends the input (see `read::Damage`): what came
    // before it is a capture with a warning, nothing before it an error.
    let damage = damage.get();
    let stream = format!("{compression:?}").to_lowercase();
    let Some((mut builder, detected_at)) = ran.started else {
        if let Some(d) = damage {
            return Err(io_err(io::Error::other(format!(
                "the {stream} stream is damaged or cut before any ftrace line: {d}"
            ))));
        }
        return Err(not_a_capture(&display, first_text_line));
    };
    feed.finish(&mut builder);
    if let Some(d) = damage {
        let last = builder.lines_read();
        builder.warn(last.max(1), WarningKind::TruncatedInput, || {
            format!(
                "the {stream} stream ends after this line ({d}): the rest of the capture is lost"
            )
        });
    }
    let mut trace = builder.finish();
    trace.facts.trailing_bytes = trailing.get();
    if trace.facts.records == 0 {
        if trace.warnings.count(WarningKind::TruncatedInput) > 0 {
            return Err(io_err(io::Error::other(format!(
                "the {stream} stream is damaged or cut before any ftrace record"
            ))));
        }
        return Err(not_a_capture(&display, first_text_line));
    }
    let (digest, stored_bytes) = fingerprint.finish();
    // Only `--parse-only` opens captures without a digest, and it builds none.
    let digest =
        digest.ok_or_else(|| io_err(io::Error::other("opened without a digest (a bug)")))?;
    Ok(Capture {
        path: display,
        label: input.label.clone(),
        digest,
        stored_bytes,
        compression,
        detected_at,
        trace,
    })
}

/// A trace.dat read as typed records (unless another format than
/// trace-cmd's is forced on it, which only its text can honour).
fn typed_dat(source: &mut read::Source, input: &CaptureInput) -> Option<read::tracedat::DatFile> {
    if input.format.is_some_and(|f| f != InputFormat::TraceCmd) {
        return None;
    }
    source.dat.take()
}

/// The forced format, or the one the first lines show (with the line that
/// decided it).
pub(crate) fn decide_format(
    input: &CaptureInput,
    tracedat: bool,
    sniffed: &[Vec<u8>],
) -> Option<(InputFormat, u64)> {
    match input.format {
        Some(f) => Some((f, 1)),
        // A trace.dat is read as the text trace-cmd report prints for it.
        None if tracedat => Some((InputFormat::TraceCmd, 1)),
        None => {
            let d = detect_format(sniffed.iter().map(Vec::as_slice))?;
            Some((d.format, d.line))
        }
    }
}

/// How a trace-cmd `trace.dat` begins (`tracecmd/trace-output.c`: 0x17
/// 0x08 'D' "tracing").
const TRACE_CMD_DAT_MAGIC: &[u8] = b"\x17\x08Dtracing";

pub(crate) fn not_a_capture(path: &str, first: Option<(u64, Vec<u8>)>) -> Error {
    let expected = "expected an ftrace capture (function_graph or function tracer text from `trace`/`trace_pipe`, `trace-cmd report`, or `perf ftrace`)";
    match first {
        None => Error::NotACapture {
            path: path.to_string(),
            line: 1,
            message: format!("empty input: {expected}"),
        },
        Some((line, bytes)) => {
            let binary = bytes
                .iter()
                .any(|&b| b == 0 || (b < 0x20 && !b"\t\r\x0c".contains(&b)));
            let found = if bytes.starts_with(TRACE_CMD_DAT_MAGIC) {
                // The binary file `trace-cmd record` writes: its text is one
                // command away, so say which.
                "a trace-cmd data file (trace.dat): give tracereport its text, \
                 `trace-cmd report -i FILE > FILE.txt`"
                    .to_string()
            } else if binary {
                "binary data".to_string()
            } else {
                format!("`{}`", String::from_utf8_lossy(&bytes).trim())
            };
            Error::NotACapture {
                path: path.to_string(),
                line,
                message: format!("{expected}, found {found}"),
            }
        }
    }
}

/// The error for reading input `path`: binary data found by the reader
/// ([`read::limits::NotText`]) names its line, like any input that is not a
/// capture (`FILE:LINE: …`).
pub fn input_error(path: String, e: io::Error) -> Error {
    match read::limits::NotText::of(&e) {
        Some(n) => Error::NotACapture {
            path,
            line: n.line,
            message: n.what.clone(),
        },
        None => Error::Input { path, source: e },
    }
}

#[cfg(test)]
mod lanes;
