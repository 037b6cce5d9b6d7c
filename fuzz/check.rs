//! The body of the `parser` fuzz target, shared by two runners:
//!
//! - `fuzz/fuzz_targets/parser.rs`: `cargo +nightly fuzz run parser` (libFuzzer,
//!   explores new inputs, writes crashes to `fuzz/artifacts/parser/`);
//! - `tests/it/fuzz_corpus.rs`: every file of `fuzz/corpus/parser/` on stable
//!   Rust in `cargo test`, so each input the fuzzer ever kept (and each
//!   crash, once fixed and copied into the corpus) is checked by CI.
//!
//! The mutation and property tests use the same helpers, so "an input
//! tracereport survives" means one thing everywhere: no panic, and every line
//! accounted for (see [`assert_ledger`]).

use std::io::Cursor;

use tracereport::{
    Error,
    load::{Capture, CaptureInput, read_source},
    model::BuildOptions,
    parse::{InputFormat, Record, RecordKind, TaskRef, detect_format, parse_line},
    read::{self, InputPath},
};

/// Every format, for the per-line checks.
pub const FORMATS: [InputFormat; 3] = [
    InputFormat::Graph,
    InputFormat::Function,
    InputFormat::TraceCmd,
];

/// Run `data` through everything a capture meets before the analysis.
pub fn check(data: &[u8]) {
    for line in data.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        for f in FORMATS {
            if let Ok(rec) = parse_line(f, line) {
                assert_borrows_from(line, &rec);
            }
        }
    }
    let _ = detect_format(data.split(|&b| b == b'\n').take(200));
    for format in [None, Some(InputFormat::Graph), Some(InputFormat::Function)] {
        if let Ok(c) = ingest(data.to_vec(), format) {
            assert_ledger(&c);
        }
    }
}

/// Read `bytes` as a capture, the way `tracereport FILE` reads a file
/// (decompression, line splitting, format detection unless `format` forces
/// one, parsing, model).
pub fn ingest(bytes: Vec<u8>, format: Option<InputFormat>) -> Result<Capture, Error> {
    let len = bytes.len() as u64;
    let path = InputPath::File("mutant.log".into());
    let source = read::from_reader(path.clone(), Box::new(Cursor::new(bytes)), Some(len), None)
        .map_err(|e| Error::Input {
            path: path.display(),
            source: e,
        })?;
    let input = CaptureInput {
        path,
        label: "mutant".into(),
        format,
        digest: Default::default(),
    };
    read_source(source, &input, &BuildOptions::default())
}

/// Every line read is a record, a layout line (blank, header, rule), the
/// continuation of a multi-line comment, or rejected with a warning: none
/// is lost silently. Kept warnings never exceed their counts.
pub fn assert_ledger(c: &Capture) {
    let f = &c.trace.facts;
    let w = &c.trace.warnings;
    let rejected = w.rejected_lines();
    assert_eq!(
        f.lines,
        f.records + f.layout_lines + f.continued_lines + rejected,
        "line ledger: {} lines = {} records + {} layout + {} continued + {} rejected",
        f.lines,
        f.records,
        f.layout_lines,
        f.continued_lines,
        rejected
    );
    for (kind, &n) in w.counts() {
        let kept = w.kept().iter().filter(|k| k.kind == *kind).count() as u64;
        assert!(kept <= n, "{kind:?}: {kept} kept of {n}");
        assert!(n == 0 || kept > 0, "{kind:?}: counted but none kept");
    }
    for k in w.kept() {
        assert!(
            k.line <= f.lines,
            "warning past the last line: {k:?} ({} lines)",
            f.lines
        );
    }
    for s in &c.trace.syscalls {
        if let Some(t) = &s.tree {
            assert_preorder(&t.nodes);
        }
    }
}

/// The call tree arena is a well-formed pre-order: each subtree
/// `i..end` nests inside its parent's, depths follow parents.
fn assert_preorder(nodes: &[tracereport::model::Node]) {
    use tracereport::model::tree::NO_PARENT;
    for (i, n) in nodes.iter().enumerate() {
        let i = i as u32;
        assert!(
            n.end > i && n.end as usize <= nodes.len(),
            "node {i}: end {}",
            n.end
        );
        if n.parent == NO_PARENT {
            assert_eq!(n.depth, 0, "root {i} at depth {}", n.depth);
            continue;
        }
        assert!(n.parent < i, "node {i}: parent {} after it", n.parent);
        let p = &nodes[n.parent as usize];
        assert!(n.end <= p.end, "node {i} ends after its parent");
        assert_eq!(n.depth, p.depth + 1, "node {i}: depth");
    }
}

/// Records are zero-copy: every slice they carry lies inside the line
/// (the only exceptions are the two constant event names the parser
/// supplies itself).
pub fn assert_borrows_from(line: &[u8], rec: &Record<'_>) {
    let inside = |s: &[u8], what: &str| {
        let (lo, hi) = (line.as_ptr() as usize, line.as_ptr() as usize + line.len());
        let (a, b) = (s.as_ptr() as usize, s.as_ptr() as usize + s.len());
        assert!(
            s.is_empty() || (lo <= a && b <= hi),
            "{what} does not borrow from the line {:?}",
            String::from_utf8_lossy(line)
        );
    };
    let task = |t: &TaskRef<'_>, what: &str| inside(t.comm, what);
    if let Some(t) = &rec.task {
        task(t, "task");
    }
    if let Some(f) = rec.flags {
        inside(f, "flags");
    }
    match &rec.kind {
        RecordKind::Entry { func, .. } | RecordKind::Leaf { func, .. } => inside(func, "func"),
        RecordKind::Exit { func, .. } => func.iter().for_each(|f| inside(f, "exit name")),
        RecordKind::Comment { text, .. } => inside(text, "comment"),
        RecordKind::Event { name, text } => {
            if !matches!(*name, b"stack" | b"") {
                inside(name, "event name");
            }
            inside(text, "event text");
        }
        RecordKind::Call { func, parent, .. } => {
            inside(func, "func");
            parent.iter().for_each(|p| inside(p, "parent"));
        }
        RecordKind::ContextSwitch { from, to, .. } => {
            task(from, "from");
            task(to, "to");
        }
        // Kinds without slices, and any added later.
        _ => {}
    }
}

/// Run `data` through the whole report: read as a capture (alone, and as
/// both sides of a pair with a damaged copy of itself), analysed, and
/// rendered by every renderer (JSON, Markdown, text, HTML, flame graphs,
/// trace.json) into memory. No panic, and the JSON parses back.
pub fn check_report(data: &[u8]) {
    use tracereport::{
        analyse::{AnalyseOptions, analyse},
        render::{
            ReportOptions, build_report,
            exporter::{Body, Flamegraphs, Html, Json, Markdown, Perfetto, Render, RenderInput},
            flamegraph, mail,
        },
    };
    let Ok(one) = ingest(data.to_vec(), None) else {
        return;
    };
    // The second side: the same capture with its second half left out.
    let half = data.len() / 2;
    let cut = data[..half]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let mut caps = vec![one];
    if let Ok(two) = ingest(data[..cut].to_vec(), None) {
        caps.push(two);
    }
    for n in 1..=caps.len() {
        let caps = &caps[..n];
        let an = analyse(caps, &AnalyseOptions::default());
        let report = build_report(caps, &an, &ReportOptions::default());
        let flames = flamegraph::build(&report);
        let input = RenderInput {
            report: &report,
            captures: caps,
            notes: None,
            flames: &flames,
            flames_written: true,
            link_base: None,
        };
        let renderers: [&dyn Render; 6] = [
            &Json,
            &Markdown,
            &mail::Text,
            &Html,
            &Flamegraphs,
            &Perfetto,
        ];
        for r in renderers {
            for file in r.render(&input).expect("renders") {
                let bytes = match file.body {
                    Body::Bytes(b) => b,
                    Body::Streamed(w) => {
                        let mut v = Vec::new();
                        w(&mut v).expect("writes to memory");
                        v
                    }
                };
                if file.path == "report.json" {
                    serde_json::from_slice::<serde_json::Value>(&bytes)
                        .expect("report.json parses");
                }
            }
        }
    }
}
