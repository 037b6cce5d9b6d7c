//! Lines a mail client wrapped (issue 13): a public trace's long lines are
//! broken at their last space before column 72, as a mail client wraps
//! plain text (the space dropped). A break between a call and its `{` is
//! read back as the one line it was; a break inside the indentation lost
//! the call's depth, so both halves stay unreadable, as before.

use tracereport::model::{Trace, warnings::WarningKind};

use crate::fuzz_body::ingest;

const WIDTH: usize = 72;

/// Where a mail client breaks `line`: after its last space at or before
/// [`WIDTH`] that has text before it, or `None` for a short line.
fn break_at(line: &str) -> Option<usize> {
    if line.len() <= WIDTH {
        return None;
    }
    let cut = line[..=WIDTH].rfind(' ')?;
    (!line[..cut].trim().is_empty()).then_some(cut)
}

/// Whether the break falls between a call and its `{`.
fn in_call_text(line: &str, cut: usize) -> bool {
    line[..cut].ends_with("()") && line[cut..].trim() == "{"
}

/// Whether the break falls in the indentation, before the call.
fn in_indentation(line: &str, cut: usize) -> bool {
    line[..cut].trim_end().ends_with('|')
}

/// The text with the long lines broken (`which` picks them), and how many.
fn wrap(text: &str, which: impl Fn(&str, usize) -> bool) -> (String, u64) {
    let (mut out, mut n) = (String::new(), 0);
    for line in text.lines() {
        match break_at(line).filter(|&c| which(line, c)) {
            Some(c) => {
                n += 1;
                out.push_str(line[..c].trim_end());
                out.push('\n');
                out.push_str(line[c..].trim_start());
            }
            None => out.push_str(line),
        }
        out.push('\n');
    }
    (out, n)
}

/// Every tree as (function, depth, duration, return) rows: what wrapping
/// must not change (line numbers do change).
fn trees(t: &Trace) -> Vec<(String, u16, Option<u64>, Option<i64>)> {
    t.syscalls
        .iter()
        .filter_map(|s| s.tree.as_ref())
        .flat_map(|tree| tree.nodes.iter())
        .map(|n| {
            let name = t.names.name(n.func).to_string();
            (name, n.depth, n.duration_ns, n.ret.map(|r| r.raw))
        })
        .collect()
}

const TRACE: &str = "tests/fixtures/public/pt-funcgraph-abstime-headers.log";

#[test]
fn a_line_wrapped_in_its_call_text_is_read_as_one() {
    let text = std::fs::read_to_string(TRACE).unwrap();
    let original = ingest(text.clone().into_bytes(), None).unwrap().trace;
    let (wrapped, breaks) = wrap(&text, in_call_text);
    assert!(breaks > 10, "only {breaks} lines break in their call text");
    let read = ingest(wrapped.into_bytes(), None).unwrap().trace;
    assert_eq!(read.warnings.count(WarningKind::WrappedLine), breaks);
    assert_eq!(
        read.warnings.count(WarningKind::Unreadable),
        original.warnings.count(WarningKind::Unreadable)
    );
    assert_eq!(read.facts.records, original.facts.records);
    assert!(!trees(&original).is_empty());
    assert_eq!(trees(&read), trees(&original));
}

#[test]
fn a_line_wrapped_in_its_indentation_stays_unreadable() {
    let text = std::fs::read_to_string(TRACE).unwrap();
    let original = ingest(text.clone().into_bytes(), None).unwrap().trace;
    let (wrapped, breaks) = wrap(&text, in_indentation);
    assert!(
        breaks > 10,
        "only {breaks} lines break in their indentation"
    );
    let read = ingest(wrapped.into_bytes(), None).unwrap().trace;
    assert_eq!(read.warnings.count(WarningKind::WrappedLine), 0);
    assert_eq!(
        read.warnings.count(WarningKind::Unreadable),
        original.warnings.count(WarningKind::Unreadable) + 2 * breaks
    );
}
