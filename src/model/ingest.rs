//! One capture from bytes to [`Trace`]: read lines, guess the format from
//! the first ones, parse each line and feed the builder. Lines that do not
//! parse become warnings; only input with no ftrace line at all is an error.

use std::io;

use crate::{
    error::Error,
    parse::{InputFormat, RecordKind, detect_format},
    read::{
        self, Compression, InputPath,
        chunks::{Chunk, ChunkLine},
    },
};

use super::{
    BuildOptions, Builder, Trace, WarningKind,
    pipeline::{self, Parsed},
};

/// What the caller knows about an input before reading it.
#[derive(Debug, Clone)]
pub struct CaptureInput {
    /// Where to read.
    pub path: InputPath,
    /// The name used for it in the report.
    pub label: String,
    /// Force a format instead of guessing.
    pub format: Option<InputFormat>,
}

/// A capture read into a model.
#[derive(Debug, Clone)]
pub struct Capture {
    /// The path as given.
    pub path: String,
    /// The label.
    pub label: String,
    /// SHA-256 of the stored bytes.
    pub sha256: String,
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
const SNIFF_LINES: usize = 200;

/// Read one capture.
pub fn read_capture(
    input: &CaptureInput,
    opts: &BuildOptions,
    progress: Option<indicatif::ProgressBar>,
) -> Result<Capture, Error> {
    let source = read::open(&input.path, progress).map_err(|source| Error::Input {
        path: input.path.display(),
        source,
    })?;
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
    let io_err = |source: io::Error| Error::Input {
        path: display.clone(),
        source,
    };
    let (compression, fingerprint) = (source.compression, source.fingerprint.clone());
    let damage = source.damage.clone();
    let tracedat = source.tracedat;
    let mut lines = 0;
    let ran = pipeline::run(
        source.reader,
        SNIFF_LINES,
        |sniffed| {
            let (format, at) = decide_format(input, tracedat, sniffed)?;
            Some((Builder::new(format, opts.clone()), format, at))
        },
        pipeline::parse_chunk,
        |b, chunk| pipeline::build_chunk(b, &mut lines, chunk),
    )
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
    if let Some(d) = damage {
        let last = builder.lines_read();
        builder.warn(last.max(1), WarningKind::TruncatedInput, || {
            format!(
                "the {stream} stream ends after this line ({d}): the rest of the capture is lost"
            )
        });
    }
    let trace = builder.finish();
    if trace.facts.records == 0 {
        if trace.warnings.count(WarningKind::TruncatedInput) > 0 {
            return Err(io_err(io::Error::other(format!(
                "the {stream} stream is damaged or cut before any ftrace record"
            ))));
        }
        return Err(not_a_capture(&display, first_text_line));
    }
    let (sha256, stored_bytes) = fingerprint.finish();
    Ok(Capture {
        path: display,
        label: input.label.clone(),
        sha256,
        stored_bytes,
        compression,
        detected_at,
        trace,
    })
}

/// The forced format, or the one the first lines show (with the line that
/// decided it).
fn decide_format(
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
    fn count(format: InputFormat, chunk: Chunk) -> ParseSummary {
        let mut sum = ParseSummary::default();
        for l in chunk.lines() {
            sum.lines += 1;
            sum.bytes += l.bytes.len() as u64 + 1;
            if l.overlong.is_some() {
                sum.overlong += 1;
            } else if crate::parse::parse_line(format, l.bytes).is_ok() {
                sum.parsed += 1;
            } else {
                sum.unreadable += 1;
            }
        }
        sum
    }

    fn add(&mut self, o: ParseSummary) {
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
    let io_err = |source: io::Error| Error::Input {
        path: display.clone(),
        source,
    };
    // Nothing shows a fingerprint here: no need to hash.
    let source = read::open_unhashed(&input.path, progress).map_err(io_err)?;
    let tracedat = source.tracedat;
    let ran = pipeline::run(
        source.reader,
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
        ParseSummary::count,
        ParseSummary::add,
    )
    .map_err(io_err)?;
    match ran.started {
        Some((sum, _)) if sum.parsed > 0 => Ok(sum),
        _ => Err(not_a_capture(&display, ran.first_text_line)),
    }
}

/// How a trace-cmd `trace.dat` begins (`tracecmd/trace-output.c`: 0x17
/// 0x08 'D' "tracing").
const TRACE_CMD_DAT_MAGIC: &[u8] = b"\x17\x08Dtracing";

fn not_a_capture(path: &str, first: Option<(u64, Vec<u8>)>) -> Error {
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

/// Hand one parsed line ([`pipeline::parse_one`]) to the builder, turning
/// damage into warnings.
pub(crate) fn feed_line(b: &mut Builder, number: u64, parsed: &Parsed<'_>) {
    let ChunkLine {
        bytes,
        terminated,
        overlong,
    } = parsed.line;
    if let Some(len) = overlong {
        b.warn(number, WarningKind::LineTooLong, || {
            format!(
                "line of {len} bytes; only the first {} were read",
                read::lines::MAX_LINE
            )
        });
        return;
    }
    if !terminated {
        b.unterminated_last_line();
    }
    let Some(record) = &parsed.record else {
        return;
    };
    match record {
        Ok(rec) => {
            // A cut-off last line may still parse (`  func(` never does, but
            // ` 0)   1.2` could); only trust it if it is complete on its own.
            // Lines whose kind is whole once it parses (a header, the
            // interrupt arrows, a context switch) are never cut.
            let whole = matches!(
                rec.kind,
                RecordKind::Blank
                    | RecordKind::Header(_)
                    | RecordKind::IrqEnter
                    | RecordKind::IrqExit
                    | RecordKind::Rule
                    | RecordKind::ContextSwitch { .. }
            );
            if !terminated && !whole && looks_cut(bytes) {
                b.warn(number, WarningKind::TruncatedLine, || {
                    "the capture ends inside this line; it was not used".into()
                });
                return;
            }
            if !parsed.utf8 {
                b.non_utf8(number, bytes, rec);
            }
            b.push(number, rec);
        }
        Err(e) => {
            if b.in_open_comment() {
                b.comment_continues(bytes.trim_ascii_end().ends_with(b"*/"));
                return;
            }
            let t = bytes.trim_ascii();
            if !terminated {
                b.warn(number, WarningKind::TruncatedLine, || {
                    format!(
                        "the capture ends inside this line (expected {})",
                        e.expected
                    )
                });
            } else if t.iter().all(|&c| c == b'.') || t == "…".as_bytes() {
                b.warn(number, WarningKind::Elision, || {
                    format!(
                        "`{}` is not ftrace output: someone cut the capture here",
                        String::from_utf8_lossy(t)
                    )
                });
            } else {
                let shown: String = String::from_utf8_lossy(&t[..t.len().min(80)]).into_owned();
                b.warn(number, WarningKind::Unreadable, || {
                    format!("expected {}, found `{shown}`", e.expected)
                });
            }
        }
    }
}

/// A last line without `\n` whose body is not a complete statement.
fn looks_cut(bytes: &[u8]) -> bool {
    let t = bytes.trim_ascii_end();
    !(t.ends_with(b";")
        || t.ends_with(b"{")
        || t.ends_with(b"}")
        || t.ends_with(b"*/")
        || t.ends_with(b"]"))
        && memchr::memchr(b'|', t).is_some()
}
