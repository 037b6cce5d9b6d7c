//! One parsed line into the builder: damage (overlong, cut, unreadable,
//! non-UTF-8 lines) becomes warnings here, so the line ledger holds; a line
//! a mail client wrapped in two is joined.

use crate::{
    model::{Builder, WarningKind},
    parse::{self, InputFormat, Record, RecordKind, layout},
    read::{self, chunks::ChunkLine},
};

use super::pipeline::Parsed;

/// The lines fed so far, with an unreadable line held back: a mail client
/// wraps a long line at a space, and neither half parses, but the two joined
/// by that space do (`… cppc_cpufreq_get_rate` + `[cppc_cpufreq]() {`).
#[derive(Default)]
pub(crate) struct Feed {
    /// Lines fed so far (the number of the last one).
    pub number: u64,
    held: Option<Held>,
}

/// An unreadable line waiting to see whether the next one continues it.
struct Held {
    number: u64,
    bytes: Vec<u8>,
    expected: &'static str,
}

impl Feed {
    /// Hand one parsed line ([`super::pipeline::parse_chunk`]) to the
    /// builder.
    #[inline(always)]
    pub(crate) fn line(&mut self, b: &mut Builder, format: InputFormat, parsed: &Parsed<'_>) {
        self.number += 1;
        b.count_line(parsed.line.bytes.len());
        // Nearly every line: read whole, UTF-8, nothing held back. What
        // follows would only find that out step by step (in a function of
        // its own: its stack frame cost every line when inlined here).
        if let (Some(Ok(rec)), true, true, None) = (
            &parsed.record,
            parsed.line.terminated,
            parsed.utf8,
            &self.held,
        ) {
            b.push(self.number, rec);
            return;
        }
        self.uncommon_line(b, format, parsed);
    }

    #[inline(never)]
    fn uncommon_line(&mut self, b: &mut Builder, format: InputFormat, parsed: &Parsed<'_>) {
        let unreadable = matches!(parsed.record, Some(Err(_)))
            && parsed.line.terminated
            && !b.in_open_comment()
            && !layout::is_elision(parsed.line.bytes.trim_ascii());
        if let Some(held) = self.held.take() {
            if unreadable && join(b, format, &held, self.number, parsed.line.bytes) {
                return;
            }
            unreadable_warning(b, held.number, held.bytes.trim_ascii(), held.expected);
        }
        match &parsed.record {
            Some(Err(e)) if unreadable => {
                self.held = Some(Held {
                    number: self.number,
                    bytes: parsed.line.bytes.to_vec(),
                    expected: e.expected,
                });
            }
            _ => feed_line(b, self.number, parsed),
        }
    }

    /// A record that is no line of text (trace.dat): a held line is
    /// reported first.
    pub(crate) fn record(&mut self, b: &mut Builder, bytes: usize, rec: &Record<'_>) {
        self.finish(b);
        self.number += 1;
        b.count_line(bytes);
        b.push(self.number, rec);
    }

    /// The end of the input: a held line is reported.
    pub(crate) fn finish(&mut self, b: &mut Builder) {
        if let Some(h) = self.held.take() {
            unreadable_warning(b, h.number, h.bytes.trim_ascii(), h.expected);
        }
    }
}

/// Join `held` and line `number` (`second`) when they are a function_graph
/// line a mail client broke at one of the spaces of its call text, and say
/// so: the first half holds the columns and the call's start (a break in the
/// indentation lost the call's depth, and a guessed depth would build a
/// wrong tree), the second starts where such a space is followed (`{`, a
/// ` [module]`, a `/* … */` comment or return value), and the two joined by
/// one space parse as a call. Anything else (damage that split a line, the
/// other formats, whose halves often parse alone) is reported as before.
fn join(b: &mut Builder, format: InputFormat, held: &Held, number: u64, second: &[u8]) -> bool {
    let first = held.bytes.trim_ascii_end();
    let second = second.trim_ascii();
    let call_started = first
        .iter()
        .rposition(|&c| c == b'|')
        .is_some_and(|bar| !first[bar + 1..].trim_ascii().is_empty());
    let continues = [&b"{"[..], b"[", b"/*", b"*/", b"="]
        .iter()
        .any(|p| second.starts_with(p));
    if format != InputFormat::Graph || !call_started || !continues {
        return false;
    }
    let mut joined = Vec::with_capacity(first.len() + 1 + second.len());
    joined.extend_from_slice(first);
    joined.push(b' ');
    joined.extend_from_slice(second);
    let Ok(rec) = parse::parse_line(format, &joined) else {
        return false;
    };
    if !matches!(
        rec.kind,
        RecordKind::Entry { .. }
            | RecordKind::Leaf { .. }
            | RecordKind::Exit { .. }
            | RecordKind::Comment { closed: true, .. }
    ) {
        return false;
    }
    if std::str::from_utf8(&joined).is_err() {
        b.non_utf8(held.number, &joined, &rec);
    }
    b.push(held.number, &rec);
    b.line_continues();
    let first_line = held.number;
    b.warn(number, WarningKind::WrappedLine, || {
        format!("this line continues line {first_line} (a line a mail client wrapped): the two were read as one")
    });
    true
}

fn unreadable_warning(b: &mut Builder, number: u64, t: &[u8], expected: &str) {
    let shown: String = String::from_utf8_lossy(&t[..t.len().min(80)]).into_owned();
    b.warn(number, WarningKind::Unreadable, || {
        format!("expected {expected}, found `{shown}`")
    });
}

/// Hand one parsed line to the builder, turning damage into warnings.
fn feed_line(b: &mut Builder, number: u64, parsed: &Parsed<'_>) {
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
            if !terminated && !whole && layout::looks_cut(bytes) {
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
                b.comment_continues(layout::closes_comment(bytes));
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
            } else if layout::is_elision(t) {
                b.warn(number, WarningKind::Elision, || {
                    format!(
                        "`{}` is not ftrace output: someone cut the capture here",
                        String::from_utf8_lossy(t)
                    )
                });
            } else {
                unreadable_warning(b, number, t, e.expected);
            }
        }
    }
}
