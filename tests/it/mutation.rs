//! The mutation test: every real capture of the corpus, damaged every way a
//! capture gets damaged in the field — cut at every line and inside lines,
//! bytes flipped, lines doubled and dropped, 1 MiB lines and garbage
//! inserted — must be read without a panic, in bounded memory, with every
//! damaged line accounted for at its own line number. More than 100 000
//! mutants in all (each test asserts its share); each is read exactly as
//! `tracereport FILE` reads a file, and every 97th goes on through the
//! analysis and all three renderers.
//!
//! A failing mutant is written to `target/tmp/mutants/` for a rerun.

use std::{
    collections::BTreeSet,
    panic::{AssertUnwindSafe, catch_unwind},
};

use proptest::test_runner::{RngAlgorithm, TestRng};
use tracereport::{
    Error,
    analyse::{AnalyseOptions, analyse},
    load::Capture,
    model::{NodeFlags, WarningKind},
    parse::{InputFormat, RecordKind, parse_line},
    read::lines::MAX_LINE,
    render::{
        ReportOptions, build_report, flamegraph, html::render_html, json::render_json,
        markdown::render_markdown,
    },
};

use crate::{
    alloc::peak_during,
    fuzz_body::{assert_ledger, ingest},
    mutants::{
        Fixture, Kind, Mutant, Piece, drops_and_duplicates, fixtures, flips, insertions,
        save_failure, truncations,
    },
};

/// A mutant may hold at most this much heap above what the undamaged
/// capture held: the reader's buffers and one capped line, not a 1 MiB line.
const EXTRA_HEAP: usize = 512 << 10;

/// What the undamaged capture gave.
struct Base {
    format: InputFormat,
    /// 0-based lines rejected with a warning.
    rejected: BTreeSet<usize>,
    /// Whether `rejected` is every rejected line (all warnings kept) and
    /// no comment spans lines (so each line's fate is its own).
    exact: bool,
    /// Lines that are records (not layout) in `format`.
    record: Vec<bool>,
    /// Structural warnings: calls without entry or exit.
    structural: u64,
    peak: usize,
    capture: Capture,
}

fn structural(c: &Capture) -> u64 {
    let w = &c.trace.warnings;
    w.count(WarningKind::ExitNotCaptured)
        + w.count(WarningKind::ExitWithoutEntry)
        + w.count(WarningKind::NameMismatch)
}

fn rejected_lines(c: &Capture) -> (BTreeSet<u64>, bool) {
    let w = &c.trace.warnings;
    let set: BTreeSet<u64> = w
        .kept()
        .iter()
        .filter(|k| k.kind.rejects_line())
        .map(|k| k.line)
        .collect();
    let complete = set.len() as u64 == w.rejected_lines();
    (set, complete)
}

fn base(fx: &Fixture) -> Base {
    let whole = Mutant {
        kind: Kind::DropLine,
        pieces: (0..fx.lines.len()).map(Piece::Orig).collect(),
        terminated: fx.terminated,
        line: None,
        what: "undamaged".into(),
    };
    let (c, peak) = peak_during(|| ingest(whole.bytes(fx), None));
    let c = c.unwrap_or_else(|e| panic!("{}: {e}", fx.name));
    assert_ledger(&c);
    let format = c.trace.facts.format.expect("format");
    let (set, complete) = rejected_lines(&c);
    let record = fx
        .lines
        .iter()
        .map(|l| is_record(format, l))
        .collect::<Vec<_>>();
    Base {
        format,
        rejected: set.iter().map(|&l| l as usize - 1).collect(),
        exact: complete && c.trace.facts.continued_lines == 0,
        record,
        structural: structural(&c),
        peak,
        capture: c,
    }
}

fn is_record(format: InputFormat, line: &[u8]) -> bool {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    parse_line(format, line).is_ok_and(|r| {
        !matches!(
            r.kind,
            RecordKind::Header(_) | RecordKind::Blank | RecordKind::Rule
        )
    })
}

/// What must become of a new line: rejected, used, or either (a last line
/// without `\n` that parses is kept only if it looks complete).
#[derive(PartialEq, Eq)]
enum Fate {
    Rejected,
    Used,
    Either,
    /// An unclosed `/* …`: the next lines' fate depends on it.
    OpensComment,
}

fn fate(format: InputFormat, line: &[u8], last_unterminated: bool) -> Fate {
    if line.len() > MAX_LINE {
        return Fate::Rejected;
    }
    let l = line.strip_suffix(b"\r").unwrap_or(line);
    match parse_line(format, l) {
        Err(_) => Fate::Rejected,
        Ok(r) if matches!(r.kind, RecordKind::Comment { closed: false, .. }) => Fate::OpensComment,
        Ok(_) if last_unterminated => Fate::Either,
        Ok(_) => Fate::Used,
    }
}

/// Check one mutant; `Err` says what went wrong.
fn check(fx: &Fixture, b: &Base, m: &Mutant, forced: bool, full: bool) -> Result<(), String> {
    let bytes = m.bytes(fx);
    let len = bytes.len();
    let format = forced.then_some(b.format);
    let (res, peak) = peak_during(|| catch_unwind(AssertUnwindSafe(|| ingest(bytes, format))));
    let res = res.map_err(|p| format!("panic: {}", panic_text(&p)))?;
    let limit = b.peak
        + EXTRA_HEAP
        + if m.kind == Kind::InsertHugeLine {
            0
        } else {
            len
        };
    if peak > limit {
        return Err(format!(
            "held {peak} bytes of heap; the undamaged capture held {}",
            b.peak
        ));
    }
    let last = m.pieces.len().checked_sub(1);
    let drops_last =
        !m.terminated && matches!(m.pieces.last(), Some(Piece::New(l)) if l.is_empty());
    let c = match res {
        Ok(c) => c,
        Err(Error::NotACapture { .. }) if forced => {
            // Only right when no line is left that the format reads as a record.
            let any_record = m.pieces.iter().enumerate().any(|(j, p)| match p {
                Piece::Orig(i) => b.record[*i] && (m.terminated || Some(j) != last),
                Piece::New(l) => Some(j) != last && is_record(b.format, l),
            });
            return if any_record {
                Err("refused as not a capture, but records are left".into())
            } else {
                Ok(())
            };
        }
        Err(Error::NotACapture { .. }) => return Ok(()),
        Err(e) => return Err(format!("error: {e}")),
    };
    catch_unwind(|| assert_ledger(&c)).map_err(|p| panic_text(&p))?;
    let want_lines = m.pieces.len() - drops_last as usize;
    if c.trace.facts.lines != want_lines as u64 {
        return Err(format!(
            "{} lines read of {want_lines}",
            c.trace.facts.lines
        ));
    }
    if forced {
        damaged_lines_accounted(fx, b, m, &c)?;
        unfinished_calls_named(b, m, &c)?;
        structure_damage_counted(fx, b, m, &c)?;
    }
    if full {
        full_pipeline(&c)?;
    }
    Ok(())
}

/// Each rejected line of the mutant has its warning at its line number:
/// exactly the original's rejected lines that are still there, plus the
/// new lines the parser refuses. Two refused lines that read as one line a
/// mail client wrapped (a flipped byte can be a newline inside a call's
/// text) are joined instead: a `wrapped-line` warning at the second
/// accounts for both.
fn damaged_lines_accounted(fx: &Fixture, b: &Base, m: &Mutant, c: &Capture) -> Result<(), String> {
    let (actual, complete) = rejected_lines(c);
    if !b.exact || !complete {
        return Ok(());
    }
    let joined: BTreeSet<u64> = c
        .trace
        .warnings
        .kept()
        .iter()
        .filter(|w| w.kind == WarningKind::WrappedLine)
        .flat_map(|w| [w.line - 1, w.line])
        .collect();
    let n = m.pieces.len();
    let mut must = BTreeSet::new();
    let mut may = BTreeSet::new();
    for (j, p) in m.pieces.iter().enumerate() {
        let line_no = j as u64 + 1;
        let last_unterminated = j + 1 == n && !m.terminated;
        let f = match p {
            Piece::Orig(i) if b.rejected.contains(i) => Fate::Rejected,
            Piece::Orig(i) if last_unterminated => fate(b.format, &fx.lines[*i], true),
            Piece::Orig(_) => Fate::Used,
            Piece::New(l) => fate(b.format, l, last_unterminated),
        };
        match f {
            Fate::Rejected => {
                must.insert(line_no);
            }
            Fate::Either => {
                may.insert(line_no);
            }
            Fate::Used => {}
            // The lines after it may be its continuation: no exact answer.
            Fate::OpensComment => return Ok(()),
        }
    }
    let missing: Vec<_> = must
        .difference(&actual)
        .filter(|l| !joined.contains(l))
        .collect();
    let extra: Vec<_> = actual
        .iter()
        .filter(|l| !must.contains(l) && !may.contains(l))
        .collect();
    if missing.is_empty() && extra.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "damaged lines without their warning: {missing:?}; lines warned as unreadable that are not: {extra:?}"
        ))
    }
}

/// A cut inside a syscall leaves it "exit not captured", with a warning
/// that names it or its open calls.
fn unfinished_calls_named(b: &Base, m: &Mutant, c: &Capture) -> Result<(), String> {
    // The function tracer (also through trace-cmd) prints no returns: its
    // trees are rebuilt and never hold an open root.
    if !matches!(m.kind, Kind::TruncateAtLine | Kind::TruncateAtByte)
        || b.format == InputFormat::Function
        || b.capture.trace.facts.reconstructed
    {
        return Ok(());
    }
    // The last whole line kept.
    let cut = m.pieces.len() as u64 - (m.kind == Kind::TruncateAtByte) as u64;
    for s in &b.capture.trace.syscalls {
        let root = s.tree.as_ref().and_then(|t| t.nodes.first());
        let returned = root.is_some_and(|r| r.exit_line > 0 && r.exit_line <= cut);
        if s.exit_missing || !(s.line <= cut && cut < s.end_line) || returned {
            continue;
        }
        let Some(ms) = c.trace.syscalls.iter().find(|x| x.line == s.line) else {
            continue; // not kept this time (the keep policy counts what is there)
        };
        let first = ms.tree.as_ref().and_then(|t| t.nodes.first());
        // A root's tree starts at the first call the capture shows (callers
        // neither entered nor returned in it are not shown): cut after that
        // call returned, the tree is whole.
        if ms.root && first.is_some_and(|r| !r.flags.has(NodeFlags::EXIT_MISSING)) {
            continue;
        }
        let root_open = first.is_none_or(|r| {
            r.flags.has(NodeFlags::EXIT_MISSING) || r.flags.has(NodeFlags::SYNTHETIC)
        });
        if !(root_open && ms.exit_missing) {
            return Err(format!(
                "syscall at line {} is cut before its end at line {}, but not marked exit not captured",
                s.line, s.end_line
            ));
        }
        if c.trace.warnings.count(WarningKind::ExitNotCaptured) == 0 {
            return Err("a syscall was cut mid-call, but no exit-not-captured warning".into());
        }
    }
    Ok(())
}

/// In function_graph text a call's entry and exit are both lines: in a
/// capture where every call has both, dropping or doubling one makes a call
/// without entry or without exit, and is counted.
fn structure_damage_counted(fx: &Fixture, b: &Base, m: &Mutant, c: &Capture) -> Result<(), String> {
    if b.format != InputFormat::Graph || !matches!(m.kind, Kind::DropLine | Kind::DuplicateLine) {
        return Ok(());
    }
    let Some(line) = m.line.and_then(|i| fx.lines.get(i)) else {
        return Ok(());
    };
    let kind = parse_line(b.format, line).map(|r| r.kind);
    if !matches!(kind, Ok(RecordKind::Entry { .. } | RecordKind::Exit { .. })) {
        return Ok(());
    }
    // An entry whose next line is an interrupt's first function: without
    // it, the lines look exactly like the kernel's own layout of an
    // interrupt (printed one level below the interrupted call).
    let next = m.line.and_then(|i| fx.lines.get(i + 1));
    let irq_next = next.is_some_and(|l| match parse_line(b.format, l).map(|r| r.kind) {
        Ok(RecordKind::Entry { func, .. } | RecordKind::Leaf { func, .. }) => {
            func.starts_with(b"irq_enter") || func.starts_with(b"__sysvec_")
        }
        _ => false,
    });
    if irq_next && m.kind == Kind::DropLine {
        return Ok(());
    }
    // Only exact on a capture without such faults of its own: where calls
    // already lack entries or exits (an excerpt starting mid-call), a
    // dropped line can also remove or move those warnings.
    if b.structural > 0 {
        return Ok(());
    }
    if structural(c) <= b.structural {
        return Err(format!(
            "a call's entry or exit line was {}, but the warnings do not count it ({} structural warnings, {} before)",
            if m.kind == Kind::DropLine {
                "dropped"
            } else {
                "doubled"
            },
            structural(c),
            b.structural
        ));
    }
    Ok(())
}

/// Analysis and the three renderers on a damaged capture.
fn full_pipeline(c: &Capture) -> Result<(), String> {
    let caps = std::slice::from_ref(c);
    catch_unwind(AssertUnwindSafe(|| {
        let a = analyse(caps, &AnalyseOptions::default());
        let r = build_report(caps, &a, &ReportOptions::default());
        let json = render_json(&r).unwrap();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(
            v["captures"][0]["warnings_total"].as_u64(),
            Some(c.trace.warnings.total())
        );
        let flames = flamegraph::build(&r);
        render_markdown(&r, None, &flames).unwrap();
        render_html(&r, None, &flames, false).unwrap();
    }))
    .map_err(|p| format!("report: {}", panic_text(&p)))
}

fn panic_text(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "?".into())
}

/// Run `make` over every fixture, check every mutant, return how many.
fn run(name: &str, make: impl Fn(&Fixture, &mut TestRng) -> Vec<Mutant>) -> usize {
    // Panics are caught and reported per mutant; keep the hook quiet.
    let mut rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
    let mut total = 0;
    let (mut failures, mut failed) = (Vec::new(), 0);
    let mut kinds = std::collections::BTreeMap::new();
    for fx in fixtures() {
        let b = base(&fx);
        for (k, m) in make(&fx, &mut rng).into_iter().enumerate() {
            total += 1;
            *kinds.entry(m.kind).or_insert(0usize) += 1;
            // Most mutants are read as the undamaged capture's format (so
            // the answer is exact); every fourth is left to detection.
            let forced = k % 4 != 3;
            if let Err(e) = check(&fx, &b, &m, forced, total % 97 == 0) {
                failed += 1;
                if failures.len() < 20 {
                    let p = save_failure(&fx, &m);
                    failures.push(format!(
                        "{} ({}): {e}\n  saved as {}",
                        fx.name,
                        m.what,
                        p.display()
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{name}: {failed} failing mutants, first ones:\n{}",
        failures.join("\n")
    );
    eprintln!("{name}: {total} mutants {kinds:?}");
    total
}

#[test]
fn mutants_cut_at_every_line_and_inside_lines() {
    let n = run("truncations", truncations);
    assert!(n >= 50_000, "{n}"); // with the two below: over 100 000
}

#[test]
fn mutants_with_each_line_dropped_or_doubled() {
    let n = run("drops and duplicates", |fx, _| drops_and_duplicates(fx));
    assert!(n >= 30_000, "{n}");
}

#[test]
fn mutants_with_flipped_bytes_and_inserted_lines() {
    let n = run("flips and insertions", |fx, rng| {
        let lines = fx.lines.len();
        let mut m = flips(fx, rng, lines.min(100));
        m.extend(insertions(fx, rng, lines / 6 + 1, 2));
        m
    });
    assert!(n >= 20_000, "{n}");
}

/// A compressed capture cut off while it was written (Ctrl-C during
/// `gzip`/`zstd`): the lines before the cut are read, the report says where
/// the stream ends, and nothing panics. Every small capture, gzip and zstd,
/// cut at random bytes; and one multi-megabyte real `.gz` cut in half.
#[test]
fn compressed_captures_cut_at_random_bytes() {
    use std::io::Write;

    use proptest::prelude::RngExt;

    let mut rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
    let mut stored: Vec<(String, Vec<u8>, usize)> = Vec::new();
    for fx in fixtures().iter().filter(|f| !f.name.contains(" lines ")) {
        let text = Mutant {
            kind: Kind::TruncateAtByte,
            pieces: (0..fx.lines.len()).map(Piece::Orig).collect(),
            terminated: fx.terminated,
            line: None,
            what: String::new(),
        }
        .bytes(fx);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&text).unwrap();
        stored.push((
            format!("{}.gz", fx.name),
            gz.finish().unwrap(),
            fx.lines.len(),
        ));
        let zst = zstd::encode_all(&text[..], 3).unwrap();
        stored.push((format!("{}.zst", fx.name), zst, fx.lines.len()));
    }
    let big = format!(
        "{}/qemu-6.1/busy-2cpu/all-depth2-noirqs.log.gz",
        crate::common::CAPTURES
    );
    let raw = std::fs::read(&big).unwrap();
    stored.push((big, raw, usize::MAX));
    let mut n = 0;
    for (name, bytes, lines) in &stored {
        let cuts = if *lines == usize::MAX { 1 } else { 3 };
        for _ in 0..cuts {
            let at = if *lines == usize::MAX {
                bytes.len() / 2
            } else {
                rng.random_range(1..bytes.len())
            };
            n += 1;
            let r = catch_unwind(AssertUnwindSafe(|| ingest(bytes[..at].to_vec(), None)))
                .unwrap_or_else(|p| panic!("{name} cut at byte {at}: {}", panic_text(&p)));
            // What a decoder gets out of the cut stream before it fails.
            let text = decodable(&bytes[..at], name.ends_with(".zst"));
            let want_lines = text.split(|&b| b == b'\n').count()
                - text.ends_with(b"\n") as usize
                - text.is_empty() as usize;
            match r {
                Ok(c) => {
                    assert_ledger(&c);
                    assert_eq!(
                        c.trace.warnings.count(WarningKind::TruncatedInput),
                        1,
                        "{name} cut at byte {at}"
                    );
                    assert_eq!(
                        c.trace.facts.lines as usize, want_lines,
                        "{name} cut at byte {at}"
                    );
                }
                // Nothing decodable, or no record before the cut (said so).
                Err(Error::Input { .. }) if want_lines == 0 => {}
                Err(Error::Input { source, .. })
                    if source.to_string().contains("before any ftrace") => {}
                Err(Error::NotACapture { .. }) => {}
                Err(e) => {
                    panic!("{name} cut at byte {at}: {e} ({want_lines} lines were decodable)")
                }
            }
        }
    }
    assert!(n > 500, "{n}");
}

fn decodable(bytes: &[u8], zstd: bool) -> Vec<u8> {
    use std::io::Read;
    let mut r: Box<dyn Read> = if zstd {
        match zstd::Decoder::new(bytes) {
            Ok(d) => Box::new(d),
            Err(_) => return Vec::new(),
        }
    } else {
        Box::new(flate2::read::MultiGzDecoder::new(bytes))
    };
    let (mut out, mut buf) = (Vec::new(), [0u8; 4096]);
    while let Ok(n) = r.read(&mut buf) {
        if n == 0 {
            break;
        }
        out.extend_from_slice(&buf[..n]);
    }
    out
}
