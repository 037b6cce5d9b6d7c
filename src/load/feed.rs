//! One parsed line into the builder: damage (overlong, cut, unreadable,
//! non-UTF-8 lines) becomes warnings here, so the line ledger holds.

use crate::{
    model::{Builder, WarningKind},
    parse::{RecordKind, layout},
    read::{self, chunks::ChunkLine},
};

use super::pipeline::Parsed;

/// Hand one parsed line ([`pipeline::parse_chunk`]) to the builder, turning
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
                let shown: String = String::from_utf8_lossy(&t[..t.len().min(80)]).into_owned();
                b.warn(number, WarningKind::Unreadable, || {
                    format!("expected {}, found `{shown}`", e.expected)
                });
            }
        }
    }
}
