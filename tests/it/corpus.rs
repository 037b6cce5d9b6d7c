//! Every real capture of the corpus: parses without unreadable lines, and its
//! reports are snapshotted so a reviewer sees what a change does to real output.

use std::path::Path;

use serde_json::{Value, json};

use crate::common::{CAPTURES, CAPTURES_NEW, COMPRESSED, files_under, run, snap_name};

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

/// Reports of every capture, one by one. Multi-megabyte captures get a
/// summary instead of the whole report.
#[test]
fn snapshots_of_every_capture() {
    let mut files = files_under(CAPTURES, &[".log", ".log.gz"]);
    files.extend(files_under(CAPTURES_NEW, &[".log", ".log.gz"]));
    files.extend(files_under(COMPRESSED, &[".log.zst"]));
    for f in files {
        let name = snap_name(&f);
        let w = run(&[f.to_str().unwrap()]);
        crate::ticket::assert_fits_a_ticket(&f.display().to_string(), &w);
        let big =
            std::fs::metadata(&f).unwrap().len() > 256 * 1024 || w.json.to_string().len() > 200_000;
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path("snapshots/captures");
        settings.set_prepend_module_to_snapshot(false);
        settings.bind(|| {
            if big {
                insta::assert_json_snapshot!(format!("{name}.summary"), summary(&w.json));
            } else {
                insta::assert_json_snapshot!(format!("{name}.json"), &w.json);
                insta::assert_snapshot!(format!("{name}.md"), &w.md);
            }
        });
    }
}

fn summary(r: &Value) -> Value {
    let c = &r["captures"][0];
    json!({
        "path": c["path"],
        "sha256": c["sha256"],
        "format": c["format"],
        "lines": c["lines"],
        "options": c["options"],
        "warning_counts": c["warning_counts"],
        "syscall_groups": c["syscall_groups"],
        "syscalls": c["syscalls"].as_array().unwrap().iter().take(10).map(|s| json!({
            "index": s["index"], "title": s["title"], "ret": s["ret"], "errno": s["errno"],
            "task": s["task"], "line": s["line"], "calls": s["calls"],
        })).collect::<Vec<_>>(),
        "tasks": c["tasks"].as_array().map(|t| t.len()),
    })
}

/// Reports of every good/bad pair of the corpus (Markdown: verdict, aligned view).
#[test]
fn snapshots_of_every_pair() {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for ok in files_under(CAPTURES, &["ok.log"]) {
        let bad = ok.with_file_name("bad.log");
        if bad.exists() {
            pairs.push((ok.display().to_string(), bad.display().to_string()));
        }
    }
    let x = format!("{CAPTURES}/xskmap-noxdpsockets-6.12");
    for o in [
        "default",
        "funcgraph-retval",
        "funcgraph-retval+funcgraph-tail",
        "funcgraph-proc+funcgraph-abstime+funcgraph-tail",
    ] {
        pairs.push((format!("{x}/ok--{o}.log"), format!("{x}/bad--{o}.log")));
    }
    for g in ["same-kernel-ok", "other-kernel-ok"] {
        pairs.push((
            format!("{CAPTURES}/blog-xskmap/{g}.log"),
            format!("{CAPTURES}/blog-xskmap/xskmap-einval.log"),
        ));
    }
    for (ok, bad) in pairs {
        let good_stem = Path::new(&ok)
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .to_string();
        let name = format!("{}__vs__{good_stem}", snap_name(Path::new(&bad)));
        let w = run(&[&ok, &bad]);
        crate::ticket::assert_fits_a_ticket(&bad, &w);
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path("snapshots/pairs");
        settings.set_prepend_module_to_snapshot(false);
        settings.bind(|| {
            let md =
                w.md.split("\n## Captures")
                    .next()
                    .unwrap_or(&w.md)
                    .to_string();
            insta::assert_snapshot!(format!("{name}.md"), md);
            insta::assert_json_snapshot!(
                format!("{name}.comparison"),
                json!({
                    "syscall": w.json["comparisons"][0]["syscall"],
                    "first_divergence": w.json["comparisons"][0]["first_divergence"],
                    "error_origin": w.json["comparisons"][0]["error_origin"],
                    "inlined_suspects": w.json["comparisons"][0]["inlined_suspects"],
                    "minor_differences": w.json["comparisons"][0]["minor_differences"],
                    "stats": w.json["comparisons"][0]["stats"],
                })
            );
        });
    }
}
