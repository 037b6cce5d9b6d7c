//! `docs/report-schema.md` against real `report.json` files: every field a
//! report holds is documented in its section, and every field a section's
//! table names exists in some report. A field added to the view without a
//! line in the schema (or a documented field that is gone) fails here.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::common::{CAPTURES, CAPTURES_NEW, run};

/// Where an object sits in the schema: the section that documents it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Section {
    Report,
    Capture,
    Syscall,
    Node,
    Comparison,
}

/// Field paths (`options.cpu`, arrays without indexes) per section.
type Fields = BTreeMap<Section, BTreeSet<String>>;

/// The sections' own objects are walked as their section; any other
/// object's keys are nested fields of the section it is in.
fn walk(v: &Value, sec: Section, prefix: &str, out: &mut Fields) {
    match v {
        Value::Array(items) => items.iter().for_each(|x| walk(x, sec, prefix, out)),
        Value::Object(map) => {
            for (k, x) in map {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                out.entry(sec).or_default().insert(path.clone());
                let child = match (sec, prefix, k.as_str()) {
                    (Section::Report, "", "captures") => Some(Section::Capture),
                    (Section::Report, "", "comparisons") => Some(Section::Comparison),
                    (Section::Capture, "", "syscalls" | "roots") => Some(Section::Syscall),
                    (Section::Syscall, "", "root") | (Section::Node, "", "children") => {
                        Some(Section::Node)
                    }
                    // Free-form maps: their keys are data, not fields.
                    (Section::Syscall, "", "args") => continue,
                    _ => None,
                };
                match child {
                    Some(s) => walk(x, s, "", out),
                    None => walk(x, sec, &path, out),
                }
            }
        }
        _ => {}
    }
}

/// The backticked words of a text (`a`, `b[]` → `a`, `b`).
fn ticked(s: &str) -> Vec<String> {
    s.split('`')
        .skip(1)
        .step_by(2)
        .map(|w| w.trim_end_matches("[]").to_string())
        .collect()
}

/// Per section: top-level fields (a table's first column, or the JSON
/// block's keys for the report) and, per field, the words its row says.
fn documented(doc: &str) -> BTreeMap<Section, BTreeMap<String, String>> {
    let mut out: BTreeMap<Section, BTreeMap<String, String>> = BTreeMap::new();
    let mut sec = Some(Section::Report);
    for line in doc.lines() {
        if let Some(h) = line.strip_prefix("## ") {
            sec = match h.trim() {
                "Capture" => Some(Section::Capture),
                "Syscall" => Some(Section::Syscall),
                "Node" => Some(Section::Node),
                "Comparison" => Some(Section::Comparison),
                _ => None,
            };
            continue;
        }
        let Some(sec) = sec else { continue };
        let fields = out.entry(sec).or_default();
        if sec == Section::Report {
            // `  "key": value,  // comment`
            if let Some(rest) = line.trim_start().strip_prefix('"')
                && let Some((key, _)) = rest.split_once("\":")
            {
                fields.insert(key.to_string(), line.to_string());
            }
        } else if line.starts_with("| `") {
            let cols: Vec<&str> = line.split(" | ").collect();
            for f in ticked(cols[0]) {
                fields.insert(f, line.to_string());
            }
        }
    }
    out
}

fn reports() -> Vec<Value> {
    let x = format!("{CAPTURES}/xskmap-noxdpsockets-6.12");
    let args = format!("{CAPTURES_NEW}/bpf-map-create-unspec--funcgraph-args-7.3");
    let q = format!("{CAPTURES}/qemu-6.1");
    let runs: [Vec<String>; 5] = [
        vec![
            format!("{x}/ok--funcgraph-retval.log"),
            format!("{x}/bad--funcgraph-retval.log"),
            "--filter-functions".into(),
            format!("{x}/ok.available_filter_functions.gz"),
            "--filter-functions".into(),
            format!("{x}/bad.available_filter_functions.gz"),
            "--kernel-version".into(),
            "6.12".into(),
        ],
        vec![format!("{args}/ok.log"), format!("{args}/bad.log")],
        // Cut by the size budget: `truncation`, a node's `cut`.
        vec![
            format!("{args}/ok.log"),
            format!("{args}/bad.log"),
            "--max-report-calls".into(),
            "40".into(),
        ],
        vec![
            format!("{q}/bpf-array-zerokey--funcgraph-proc/ok.log"),
            format!("{q}/bpf-array-zerokey--funcgraph-proc/bad.log"),
        ],
        vec![format!("{q}/lost-events/trace.log")],
    ];
    runs.iter()
        .map(|a| run(&a.iter().map(String::as_str).collect::<Vec<_>>()).json)
        .collect()
}

/// What the doc and the reports disagree on.
fn problems(doc: &str, reports: &[Value]) -> Vec<String> {
    let docs = documented(doc);
    let mut seen = Fields::new();
    for r in reports {
        walk(r, Section::Report, "", &mut seen);
    }
    let mut problems = Vec::new();
    for (sec, paths) in &seen {
        let fields = docs.get(sec).cloned().unwrap_or_default();
        for p in paths {
            let (top, rest) = p.split_once('.').unwrap_or((p, ""));
            match fields.get(top) {
                None => problems.push(format!("{sec:?}: `{p}` is not documented")),
                // A nested field is named in its parent's row.
                Some(row) if !rest.is_empty() => {
                    let last = rest.rsplit('.').next().unwrap_or(rest);
                    if !ticked(row).iter().any(|w| w == last) {
                        problems.push(format!("{sec:?}: `{p}` is not in `{top}`'s row"));
                    }
                }
                Some(_) => {}
            }
        }
    }
    for (sec, fields) in &docs {
        let have = seen.get(sec).cloned().unwrap_or_default();
        for f in fields.keys() {
            if !have.contains(f) {
                problems.push(format!("{sec:?}: documented `{f}` is in no report"));
            }
        }
    }
    problems
}

#[test]
fn schema_doc_matches_the_reports() {
    let doc = std::fs::read_to_string("docs/report-schema.md").unwrap();
    let p = problems(&doc, &reports());
    assert!(p.is_empty(), "{}", p.join("\n"));
}

/// The check itself can fail: an undocumented field, a nested field its
/// parent's row does not name, and a documented field no report has.
#[test]
fn schema_check_catches_drift() {
    let doc = "```jsonc\n{\n  \"a\": {},     // `x`\n  \"gone\": 2\n}\n```\n";
    let report = serde_json::json!({"a": {"x": 1, "y": 2}, "new": 2});
    assert_eq!(
        problems(doc, &[report]),
        vec![
            "Report: `a.y` is not in `a`'s row",
            "Report: `new` is not documented",
            "Report: documented `gone` is in no report",
        ]
    );
}
