//! One capture from bytes to [`Trace`]: read lines, guess the format from
//! the first ones, parse each line and feed the builder. Lines that do not
//! parse become warnings; only input with no ftrace line at all is an error.

use std::io;

use crate::{
    error::Error,
    parse::{self, InputFormat, RecordKind, detect_format},
    read::{self, Compression, InputPath, lines::for_each_line},
};

use super::{BuildOptions, Builder, Trace, WarningKind};

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
    mut source: read::Source,
    input: &CaptureInput,
    opts: &BuildOptions,
) -> Result<Capture, Error> {
    let display = source.path.display();
    let io_err = |source: io::Error| Error::Input {
        path: display.clone(),
        source,
    };
    let mut sniffed: Vec<(Vec<u8>, bool, Option<u64>)> = Vec::new();
    let mut state: Option<(Builder, u64)> = None;
    let mut first_text_line: Option<(u64, Vec<u8>)> = None;
    let mut lines_read = 0u64;

    let feed =
        |b: &mut Builder, number: u64, bytes: &[u8], terminated: bool, overlong: Option<u64>| {
            b.count_line(bytes.len());
            feed_line(b, number, bytes, terminated, overlong);
        };

    let read = for_each_line(&mut *source.reader, |line| {
        lines_read = line.number;
        if let Some((b, _)) = &mut state {
            feed(b, line.number, line.bytes, line.terminated, line.overlong);
            return Ok(());
        }
        if first_text_line.is_none() && !line.bytes.trim_ascii().is_empty() {
            first_text_line = Some((line.number, line.bytes.iter().copied().take(60).collect()));
        }
        sniffed.push((line.bytes.to_vec(), line.terminated, line.overlong));
        if sniffed.len() >= SNIFF_LINES {
            state = start(input, opts, &sniffed);
            if let Some((b, _)) = &mut state {
                for (k, (bytes, term, over)) in sniffed.drain(..).enumerate() {
                    feed(b, k as u64 + 1, &bytes, term, over);
                }
            } else {
                return Err(io::Error::other(NotFtrace));
            }
        }
        Ok(())
    });
    match read {
        Ok(()) => {}
        Err(e) if e.get_ref().is_some_and(|i| i.is::<NotFtrace>()) => {}
        Err(e) => return Err(io_err(e)),
    }

    if state.is_none() {
        state = start(input, opts, &sniffed);
        if let Some((b, _)) = &mut state {
            for (k, (bytes, term, over)) in sniffed.drain(..).enumerate() {
                feed(b, k as u64 + 1, &bytes, term, over);
            }
        }
    }
    let damage = source.damage.get();
    let stream = format!("{:?}", source.compression).to_lowercase();
    let Some((mut builder, detected_at)) = state else {
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
    let (sha256, stored_bytes) = source.fingerprint.finish();
    Ok(Capture {
        path: display,
        label: input.label.clone(),
        sha256,
        stored_bytes,
        compression: source.compression,
        detected_at,
        trace,
    })
}

/// Marker error: the sniffed lines are no ftrace format; stop reading.
#[derive(Debug)]
struct NotFtrace;

impl std::fmt::Display for NotFtrace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not an ftrace capture")
    }
}

impl std::error::Error for NotFtrace {}

fn start(
    input: &CaptureInput,
    opts: &BuildOptions,
    sniffed: &[(Vec<u8>, bool, Option<u64>)],
) -> Option<(Builder, u64)> {
    let (format, at) = match input.format {
        Some(f) => (f, 1),
        None => {
            let d = detect_format(sniffed.iter().map(|(l, _, _)| l.as_slice()))?;
            (d.format, d.line)
        }
    };
    Some((Builder::new(format, opts.clone()), at))
}

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
            let found = if binary {
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

/// Parse one line and hand it to the builder, turning damage into warnings.
fn feed_line(b: &mut Builder, number: u64, bytes: &[u8], terminated: bool, overlong: Option<u64>) {
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
    match parse::parse_line(b.format(), bytes) {
        Ok(rec) => {
            // A cut-off last line may still parse (`  func(` never does, but
            // ` 0)   1.2` could); only trust it if it is complete on its own.
            if !terminated && !matches!(rec.kind, RecordKind::Blank) && looks_cut(bytes) {
                b.warn(number, WarningKind::TruncatedLine, || {
                    "the capture ends inside this line; it was not used".into()
                });
                return;
            }
            if std::str::from_utf8(bytes).is_err() {
                b.non_utf8(number, bytes, &rec);
            }
            b.push(number, &rec);
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
