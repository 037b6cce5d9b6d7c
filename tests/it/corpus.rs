//! Every real capture of the corpus: parses without unreadable lines, and its
//! reports are snapshotted so a reviewer sees what a change does to real output.

use std::{
    path::Path,
    sync::{Mutex, MutexGuard},
};

use serde_json::{Value, json};

use crate::common::{CAPTURES, files_under, run};

/// The function_graph captures (the fn-* and tracecmd-* folders are other formats).
fn graph_captures() -> Vec<std::path::PathBuf> {
    files_under(CAPTURES, &[".log", ".log.gz"])
        .into_iter()
        .filter(|p| {
            let s = p.to_string_lossy();
            !s.contains("/fn-") && !s.contains("/tracecmd-")
        })
        .collect()
}

fn count(c: &Value, kind: &str) -> u64 {
    c["warning_counts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["kind"] == kind)
        .map_or(0, |w| w["count"].as_u64().unwrap())
}

#[test]
fn every_graph_capture_parses_without_unreadable_lines() {
    let files = graph_captures();
    assert!(files.len() >= 60, "{} files", files.len());
    for f in files {
        let w = run(&[f.to_str().unwrap()]);
        let c = &w.json["captures"][0];
        assert_eq!(c["format"], "function_graph", "{f:?}");
        assert_eq!(count(c, "unreadable"), 0, "{f:?}: {}", c["warnings"]);
        assert_eq!(count(c, "truncated-line"), 0, "{f:?}");
        // Only the blog's cut excerpts carry a `...` line (MANIFEST: not ftrace output).
        let elided = count(c, "elision");
        let is_excerpt =
            f.to_string_lossy().contains("blog-xskmap") && f.to_string_lossy().contains("-ok");
        assert_eq!(elided, is_excerpt as u64, "{f:?}");
    }
}

#[test]
fn lost_events_are_read_and_reported() {
    let f = format!("{CAPTURES}/qemu-6.1/lost-events/trace_pipe.log.gz");
    let w = run(&[&f]);
    let c = &w.json["captures"][0];
    assert_eq!(count(c, "unreadable"), 0);
    let lost = count(c, "lost-events");
    assert!(lost > 1000, "{lost}");
    assert!(c["options"]["lost_events"].as_u64().unwrap() > 1_000_000);
    let first = c["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["kind"] == "lost-events")
        .unwrap();
    assert_eq!(first["line"], 1);
    assert!(w.md.contains("LOST") || w.md.contains("lost"));
    assert!(
        c["audit"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["topic"] == "lost-events" && a["status"] == "warn")
    );
}

/// Every bad.log of the 6.1 set: the errno its MANIFEST row states.
#[test]
fn every_qemu_6_1_bad_log_has_its_manifest_errno() {
    let mut n = 0;
    for f in files_under(&format!("{CAPTURES}/qemu-6.1"), &["bad.log"]) {
        let folder = f
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .to_string();
        let want = if folder.starts_with("openat") || folder.starts_with("fn-openat") {
            ("openat", "ENOENT", -2)
        } else if folder.starts_with("mkdir") {
            ("mkdir", "EEXIST", -17)
        } else {
            ("bpf", "EINVAL", -22)
        };
        let w = run(&[f.to_str().unwrap()]);
        let sys = w.json["captures"][0]["syscalls"].as_array().unwrap();
        let s = sys
            .iter()
            .find(|s| s["name"] == want.0)
            .unwrap_or_else(|| panic!("{f:?}: no {}", want.0));
        assert_eq!(s["errno"], want.1, "{f:?}");
        assert_eq!(s["ret"], want.2, "{f:?}");
        n += 1;
    }
    assert!(n >= 30, "{n}");
}

/// Captures whose whole report (report.json and report.md) is snapshotted:
/// one of each kind of input and of each part of the report a change could
/// break. Every other capture gets a [`summary`], so a change to one field
/// of the view moves a dozen snapshots, not two hundred.
const FULL: &[&str] = &[
    // the seed case (README quick start), funcgraph-retval
    "captures/xskmap-noxdpsockets-6.12/ok--funcgraph-retval.log",
    "captures/xskmap-noxdpsockets-6.12/bad--funcgraph-retval.log",
    // the blog case, an excerpt with `...` lines
    "captures/blog-xskmap/same-kernel-ok.log",
    "captures/blog-xskmap/xskmap-einval.log",
    // openat ENOENT, no return values
    "captures/qemu-6.1/openat-enoent/ok.log",
    "captures/qemu-6.1/openat-enoent/bad.log",
    // the function tracer, trace-cmd report
    "captures/qemu-6.1/fn-bpf-map-create-unspec/bad.log",
    "captures/qemu-6.1/tracecmd-bpf-map-create-unspec/bad.log",
    // two CPUs, every function, interrupts nested (gzip)
    "captures/qemu-6.1/busy-2cpu/all-depth2.log.gz",
    // LOST events
    "captures/qemu-6.1/lost-events/trace.log",
    // hostile task names, latency-format columns
    "captures-new/hostile-comm-graph-bpf-map-create-unspec-6.1/bad.log",
    "captures-new/latency-format-graph-bpf-map-create-unspec-6.1/bad.log",
];

/// Pairs whose Markdown (down to the per-capture part) and comparison are
/// snapshotted in full; the others get a [`summary`].
const FULL_PAIRS: &[&str] = &[
    "captures/xskmap-noxdpsockets-6.12/ok--funcgraph-retval.log",
    "captures/blog-xskmap/same-kernel-ok.log",
    "captures/qemu-6.1/openat-enoent/ok.log",
    "captures/qemu-6.1/fn-openat-enoent/ok.log",
    "captures/qemu-6.1/tracecmd-bpf-map-create-unspec/ok.log",
];

/// `tests/fixtures/…` of a file `insta::glob!` found (it gives the path
/// through this file's folder), as the report names it.
fn fixture(path: &Path) -> String {
    let p = path.to_string_lossy().replace('\\', "/");
    let rel = p.rsplit_once("/fixtures/").map_or(p.as_str(), |(_, r)| r);
    format!("tests/fixtures/{rel}")
}

fn settings(dir: &str) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(dir);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings
}

/// insta keeps the collectors of running `glob!`s on one global stack, so
/// two globs at once count each other's failures: a snapshot that changed
/// under one test was reported as the failure of another. One at a time.
fn one_glob_at_a_time() -> MutexGuard<'static, ()> {
    static GLOB: Mutex<()> = Mutex::new(());
    GLOB.lock().unwrap_or_else(|e| e.into_inner())
}

/// The report of every capture, each its own snapshot (a mismatch in one
/// does not hide the others; `INSTA_GLOB_FILTER=**/openat-enoent/*` runs
/// some).
#[test]
fn snapshots_of_every_capture() {
    let _one = one_glob_at_a_time();
    insta::glob!(
        "../fixtures",
        "{captures,captures-new,compressed}/**/*.{log,log.gz,log.zst}",
        |path| {
            let f = fixture(path);
            let w = run(&[&f]);
            crate::ticket::assert_fits_a_ticket(&f, &w);
            let full = FULL.iter().any(|k| f.ends_with(k));
            settings("snapshots/captures").bind(|| {
                if full {
                    insta::assert_json_snapshot!("json", &w.json);
                    insta::assert_snapshot!("md", &w.md);
                } else {
                    insta::assert_snapshot!("summary", summary(&w.json));
                }
            });
        }
    );
}

/// The bad capture compared with `good` (`ok.log` → `bad.log`,
/// `ok--OPTS.log` → `bad--OPTS.log`, the blog's `*-kernel-ok.log` →
/// `xskmap-einval.log`).
fn bad_of(good: &Path) -> Option<std::path::PathBuf> {
    let name = good.file_name()?.to_str()?;
    let bad = if let Some(opts) = name.strip_prefix("ok--") {
        format!("bad--{opts}")
    } else if name == "ok.log" {
        "bad.log".into()
    } else {
        "xskmap-einval.log".into()
    };
    Some(good.with_file_name(bad)).filter(|b| b.exists())
}

/// Reports of the same cases on kernels the analysis was not built on
/// (`captures-unseen`; summaries: the verdict and origin per pair).
#[test]
fn snapshots_of_every_unseen_kernel_pair() {
    let _one = one_glob_at_a_time();
    insta::glob!("../fixtures", "captures-unseen/**/ok.log", |path| {
        let bad = path.with_file_name("bad.log");
        let (ok, bad) = (fixture(path), fixture(&bad));
        let w = run(&[&ok, &bad]);
        crate::ticket::assert_fits_a_ticket(&bad, &w);
        settings("snapshots/pairs-unseen").bind(|| {
            insta::assert_snapshot!("summary", summary(&w.json));
        });
    });
}

/// Reports of every good/bad pair of the corpus.
#[test]
fn snapshots_of_every_pair() {
    let _one = one_glob_at_a_time();
    insta::glob!(
        "../fixtures",
        "captures/**/{ok.log,ok--*.log,*-kernel-ok.log}",
        |path| {
            let Some(bad) = bad_of(path) else { return };
            let (ok, bad) = (fixture(path), fixture(&bad));
            let w = run(&[&ok, &bad]);
            crate::ticket::assert_fits_a_ticket(&bad, &w);
            let full = FULL_PAIRS.iter().any(|k| ok.ends_with(k));
            settings("snapshots/pairs").bind(|| {
                if !full {
                    insta::assert_snapshot!("summary", summary(&w.json));
                    return;
                }
                let md =
                    w.md.split("\n## Captures")
                        .next()
                        .unwrap_or(&w.md)
                        .to_string();
                insta::assert_snapshot!("md", md);
                let c = &w.json["comparisons"][0];
                insta::assert_json_snapshot!(
                    "comparison",
                    json!({
                        "syscall": c["syscall"],
                        "first_divergence": c["first_divergence"],
                        "error_origin": c["error_origin"],
                        "inlined_suspects": c["inlined_suspects"],
                        "minor_differences": c["minor_differences"],
                        "stats": c["stats"],
                    })
                );
            });
        }
    );
}

/// A report in a few lines: what each capture holds (format, lines,
/// warnings, audit, syscalls), then per comparison the verdict, the split,
/// the origin, the suspects and the counts. Read from report.json, whose
/// schema is stable.
fn summary(r: &Value) -> String {
    let mut out = String::new();
    for c in r["captures"].as_array().into_iter().flatten() {
        capture_summary(c, &mut out);
    }
    if let Some(v) = r["verdict"].as_str().filter(|v| !v.is_empty()) {
        out.push_str(&format!("verdict: {v}\n"));
    }
    for c in r["comparisons"].as_array().into_iter().flatten() {
        comparison_summary(c, &mut out);
    }
    out
}

/// A JSON value in one line: strings bare, `null` as `-`.
fn v(x: &Value) -> String {
    match x {
        Value::Null => "-".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `key value` pairs of `o`, in one line.
fn fields(o: &Value, keys: &[&str]) -> String {
    keys.iter()
        .map(|k| format!("{k} {}", v(&o[*k])))
        .collect::<Vec<_>>()
        .join("; ")
}

fn capture_summary(c: &Value, out: &mut String) {
    let list = |key: &str, f: &dyn Fn(&Value) -> String| -> String {
        let items: Vec<String> = c[key].as_array().into_iter().flatten().map(f).collect();
        if items.is_empty() {
            "-".into()
        } else {
            items.join(", ")
        }
    };
    out.push_str(&format!(
        "capture {}: {}\n",
        v(&c["label"]),
        fields(
            c,
            &[
                "format",
                "tracer",
                "kernel",
                "lines",
                "calls_outside_syscalls"
            ]
        )
    ));
    out.push_str(&format!("  options: {}\n", c["options"]));
    out.push_str(&format!(
        "  warnings: {}\n",
        list("warning_counts", &|w| format!(
            "{} {}",
            v(&w["kind"]),
            v(&w["count"])
        ))
    ));
    out.push_str(&format!(
        "  audit: {}\n",
        list("audit", &|a| format!(
            "{} {}",
            v(&a["topic"]),
            v(&a["status"])
        ))
    ));
    out.push_str(&format!(
        "  groups: {}\n",
        list("syscall_groups", &|g| format!(
            "{} {} ×{} (kept {})",
            v(&g["title"]),
            v(&g["outcome"]),
            v(&g["count"]),
            v(&g["kept"])
        ))
    ));
    let tasks = c["tasks"].as_array().map_or(0, Vec::len);
    let syscalls = c["syscalls"].as_array().map_or(&[][..], Vec::as_slice);
    out.push_str(&format!("  tasks {tasks}; syscalls {}\n", syscalls.len()));
    for s in syscalls.iter().take(10) {
        out.push_str(&format!(
            "  #{} {} = {} {} ({}); {} calls; line {}\n",
            v(&s["index"]),
            v(&s["title"]),
            v(&s["ret"]),
            v(&s["errno"]),
            v(&s["ret_source"]),
            v(&s["calls"]),
            v(&s["line"])
        ));
    }
}

fn comparison_summary(c: &Value, out: &mut String) {
    out.push_str(&format!(
        "comparison {}: {}\n",
        v(&c["syscall"]),
        fields(&c["stats"], &["matched", "good_only", "bad_only"])
    ));
    let d = &c["first_divergence"];
    if d.is_null() {
        out.push_str("  split: -\n");
    } else {
        out.push_str(&format!(
            "  split: {}\n",
            fields(
                d,
                &[
                    "parent",
                    "last_common",
                    "good_next",
                    "bad_next",
                    "good_line",
                    "bad_line",
                    "hidden",
                    "reconverges"
                ]
            )
        ));
    }
    let o = &c["error_origin"];
    out.push_str(&format!(
        "  origin: {}\n",
        fields(o, &["func", "line", "errno", "good_ret"])
    ));
    out.push_str(&format!("    {}\n", v(&o["span"])));
    for s in c["inlined_suspects"].as_array().into_iter().flatten() {
        out.push_str(&format!(
            "  suspect: {}\n",
            fields(
                s,
                &["func", "line", "duration_us", "gap_us", "at_divergence"]
            )
        ));
    }
    let minors = c["minor_differences"].as_array().map_or(0, Vec::len);
    out.push_str(&format!("  minor differences {minors}\n"));
}
