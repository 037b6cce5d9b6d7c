//! Every input format tracereport reads, each with at least two real
//! captures: detected on its own, read with no unreadable line, the failing
//! syscall found with the errno its MANIFEST row states, and what is special
//! about the format visible in the report. (Each file's whole report is also
//! snapshotted by `corpus::snapshots_of_every_capture`.)

use serde_json::Value;

use crate::common::{CAPTURES, CAPTURES_NEW, COMPRESSED, Written, run};

const Q: &str = "tests/fixtures/captures/qemu-6.1";
const N: &str = CAPTURES_NEW;

/// One format: its fixtures, the `format` the report must name, and what
/// else its report must show.
struct Format {
    name: &'static str,
    files: Vec<String>,
    format: &'static str,
    check: fn(&Written, &str),
}

fn c(w: &Written) -> &Value {
    &w.json["captures"][0]
}

fn opt(w: &Written, key: &str) -> bool {
    c(w)["options"][key].as_bool().unwrap()
}

/// The syscall under test in a fixture (bpf, or openat for the openat cases).
fn target<'a>(w: &'a Written, file: &str) -> &'a Value {
    let name = if file.contains("openat") {
        "openat"
    } else {
        "bpf"
    };
    c(w)["syscalls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["name"] == name)
        .find(|s| !s["ret"].is_null())
        .unwrap_or_else(|| panic!("{file}: no {name} syscall with a result"))
}

fn all_nodes(n: &Value) -> Vec<&Value> {
    let mut out = vec![n];
    for ch in n["children"].as_array().unwrap() {
        out.extend(all_nodes(ch));
    }
    out
}

fn pair(dir: &str) -> Vec<String> {
    vec![format!("{dir}/ok.log"), format!("{dir}/bad.log")]
}

fn pair_gz(dir: &str) -> Vec<String> {
    vec![format!("{dir}/ok.log.gz"), format!("{dir}/bad.log.gz")]
}

fn formats() -> Vec<Format> {
    vec![
        Format {
            name: "function_graph, kernel `trace` file",
            files: pair(&format!("{Q}/bpf-map-create-unspec")),
            format: "function_graph",
            check: |w, _| {
                assert!(opt(w, "header") && opt(w, "duration") && opt(w, "cpu"));
                assert_eq!(c(w)["tracer"], "function_graph");
            },
        },
        Format {
            name: "function_graph, `trace_pipe` (no header, leaves split)",
            files: pair(&format!("{Q}/bpf-map-create-unspec--pipe")),
            format: "function_graph",
            check: |w, _| assert!(!opt(w, "header")),
        },
        Format {
            name: "function_graph with funcgraph-proc, -abstime and -tail",
            files: pair(&format!(
                "{Q}/openat-enoent--funcgraph-proc+funcgraph-abstime+funcgraph-tail"
            )),
            format: "function_graph",
            check: |w, _| assert!(opt(w, "proc") && opt(w, "abstime") && opt(w, "tail")),
        },
        Format {
            name: "function_graph with funcgraph-retval (6.12)",
            files: vec![
                format!("{CAPTURES}/xskmap-noxdpsockets-6.12/ok--funcgraph-retval.log"),
                format!("{CAPTURES}/xskmap-noxdpsockets-6.12/bad--funcgraph-retval.log"),
                format!(
                    "{CAPTURES}/xskmap-noxdpsockets-6.12/bad--funcgraph-retval+funcgraph-tail.log"
                ),
            ],
            format: "function_graph",
            check: |w, file| {
                assert!(opt(w, "retval"));
                let s = target(w, file);
                let nodes = all_nodes(&s["root"]);
                assert!(nodes.iter().filter(|n| !n["ret"].is_null()).count() > 1);
                if file.contains("bad") {
                    assert_eq!(s["root"]["ret"], -22, "{file}: the wrapper returns -EINVAL");
                }
            },
        },
        Format {
            name: "function_graph with funcgraph-args (7.3)",
            files: vec![
                format!("{N}/bpf-map-create-unspec--funcgraph-args-7.3/ok.log"),
                format!("{N}/bpf-map-create-unspec--funcgraph-args-7.3/bad.log"),
                format!(
                    "{N}/bpf-map-create-unspec--funcgraph-args+funcgraph-proc+funcgraph-abstime+funcgraph-tail-7.3/bad.log"
                ),
            ],
            format: "function_graph",
            check: |w, file| {
                let s = target(w, file);
                let sys_bpf = &s["root"]["children"][0];
                assert_eq!(sys_bpf["func"], "__sys_bpf");
                let args = sys_bpf["args"].as_str().unwrap();
                assert!(
                    args.starts_with("cmd=0 [BPF_MAP_CREATE], uattr=(STRUCT)["),
                    "{args}"
                );
                assert!(w.md.contains("__sys_bpf(cmd=0 [BPF_MAP_CREATE]"));
            },
        },
        Format {
            name: "function_graph, latency-format columns (6.1, 7.3)",
            files: vec![
                format!("{N}/latency-format-graph-bpf-map-create-unspec-6.1/bad.log"),
                format!("{N}/latency-format-graph-bpf-map-create-unspec-7.3/ok.log"),
            ],
            format: "function_graph",
            check: |w, file| {
                assert!(opt(w, "latency_flags") && opt(w, "duration"));
                let k = c(w)["kernel"].as_str().unwrap();
                let want = if file.contains("6.1") {
                    "6.1.0-56-amd64"
                } else {
                    "7.3.4+deb13-amd64"
                };
                assert_eq!(k, want);
            },
        },
        Format {
            name: "function tracer (irq-info on)",
            files: vec![
                format!("{Q}/fn-bpf-map-create-unspec/ok.log"),
                format!("{Q}/fn-bpf-map-create-unspec/bad.log"),
                format!("{N}/fn-bpf-map-create-unspec-7.3/bad.log"),
            ],
            format: "function",
            check: |w, file| {
                assert!(opt(w, "reconstructed") && opt(w, "latency_flags"));
                let s = target(w, file);
                let nodes = all_nodes(&s["root"]);
                assert!(
                    nodes.iter().all(|n| n["duration_us"].is_null()
                        && n["flags"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .any(|f| f == "reconstructed")),
                    "{file}: reconstructed, no durations"
                );
                assert_eq!(s["root"]["func"], "__x64_sys_bpf");
                assert_eq!(s["root"]["children"][0]["func"], "__sys_bpf");
            },
        },
        Format {
            name: "function tracer with irq-info=0",
            files: pair(&format!("{N}/noirqinfo-fn-bpf-map-create-unspec-6.1")),
            format: "function",
            check: |w, _| assert!(opt(w, "reconstructed") && !opt(w, "latency_flags")),
        },
        Format {
            name: "function tracer with func-args (7.3)",
            files: pair(&format!("{N}/fn-bpf-map-create-unspec--func-args-7.3")),
            format: "function",
            check: |w, file| {
                let s = target(w, file);
                assert_eq!(s["root"]["children"][0]["func"], "__sys_bpf");
                assert!(
                    s["root"]["children"][0]["args"]
                        .as_str()
                        .unwrap()
                        .starts_with("cmd=0 [BPF_MAP_CREATE]")
                );
            },
        },
        Format {
            name: "function tracer, latency-format columns (6.1, 7.3)",
            files: vec![
                format!("{N}/latency-format-fn-bpf-map-create-unspec-6.1/ok.log"),
                format!("{N}/latency-format-fn-bpf-map-create-unspec-7.3/bad.log"),
            ],
            format: "function",
            check: |w, file| {
                assert!(opt(w, "latency_flags") && opt(w, "reconstructed"));
                assert!(c(w)["kernel"].as_str().is_some());
                let s = target(w, file);
                assert_eq!(s["root"]["func"], "__x64_sys_bpf");
            },
        },
        Format {
            name: "trace-cmd report, function_graph",
            files: pair(&format!("{Q}/tracecmd-bpf-map-create-unspec")),
            format: "trace-cmd",
            check: |w, file| {
                assert!(!opt(w, "reconstructed") && opt(w, "duration"));
                let s = target(w, file);
                assert!(!s["root"]["duration_us"].is_null());
            },
        },
        Format {
            name: "trace-cmd report, function tracer",
            files: [
                pair_gz(&format!("{N}/tracecmd-fn-bpf-map-create-unspec-6.1")),
                pair_gz(&format!("{N}/tracecmd-fn-openat-enoent-6.1")),
            ]
            .concat(),
            format: "trace-cmd",
            check: |w, file| {
                assert!(opt(w, "reconstructed"));
                let s = target(w, file);
                let root = &s["root"];
                let kids: Vec<&str> = root["children"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|n| n["func"].as_str().unwrap())
                    .collect();
                if file.contains("bpf") {
                    assert_eq!(root["func"], "__x64_sys_bpf");
                    assert_eq!(kids, ["__sys_bpf"]);
                    let sys: Vec<&str> = root["children"][0]["children"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|n| n["func"].as_str().unwrap())
                        .collect();
                    // The same tree as the kernel's own function tracer text.
                    assert_eq!(
                        &sys[..5],
                        [
                            "capable",
                            "bpf_check_uarg_tail_zero",
                            "__check_object_size",
                            "security_bpf",
                            "map_create"
                        ]
                    );
                } else {
                    assert_eq!(root["func"], "__x64_sys_openat");
                    assert!(
                        s["calls"].as_u64().unwrap() > 50,
                        "{file}: a whole openat tree"
                    );
                }
            },
        },
        Format {
            name: "perf ftrace (function_graph; kernel header + trace_pipe)",
            files: pair(&format!("{N}/perf-ftrace-graph-bpf-map-create-unspec-6.1")),
            format: "function_graph",
            check: |w, _| {
                assert!(opt(w, "header"));
                assert_eq!(c(w)["warnings_total"], 0);
            },
        },
        Format {
            name: "perf ftrace --graph-opts verbose",
            files: pair(&format!(
                "{N}/perf-ftrace-graph-verbose-bpf-map-create-unspec-6.1"
            )),
            format: "function_graph",
            check: |w, _| assert!(opt(w, "proc") && opt(w, "abstime") && opt(w, "latency_flags")),
        },
        Format {
            name: "perf ftrace -t function",
            files: pair_gz(&format!("{N}/perf-ftrace-fn-bpf-map-create-unspec-6.1")),
            format: "function",
            check: |w, file| {
                assert!(opt(w, "reconstructed") && !opt(w, "latency_flags"));
                assert_eq!(target(w, file)["root"]["children"][0]["func"], "__sys_bpf");
            },
        },
        Format {
            name: "gzip",
            files: vec![
                format!("{N}/tracecmd-fn-openat-enoent-6.1/bad.log.gz"),
                format!("{N}/perf-ftrace-fn-bpf-map-create-unspec-6.1/ok.log.gz"),
            ],
            format: "",
            check: |w, _| assert_eq!(c(w)["compression"], "gzip"),
        },
        Format {
            name: "zstd",
            files: vec![
                format!("{COMPRESSED}/openat-enoent-6.1-ok.log.zst"),
                format!("{COMPRESSED}/openat-enoent-6.1-bad.log.zst"),
                format!("{COMPRESSED}/perf-ftrace-fn-bpf-map-create-unspec-6.1-bad.log.zst"),
            ],
            format: "",
            check: |w, _| assert_eq!(c(w)["compression"], "zstd"),
        },
    ]
}

/// The errno the MANIFEST rows state for every bad capture used here.
fn expected_errno(file: &str) -> Option<(&'static str, i64)> {
    if !file.contains("bad") {
        return None;
    }
    Some(if file.contains("openat") {
        ("ENOENT", -2)
    } else {
        ("EINVAL", -22)
    })
}

#[test]
fn every_format_reads_its_real_captures() {
    let all = formats();
    for f in &all {
        assert!(f.files.len() >= 2, "{}: at least two real fixtures", f.name);
        for file in &f.files {
            let w = run(&[file]);
            let cap = c(&w);
            if !f.format.is_empty() {
                assert_eq!(cap["format"], f.format, "{}: {file}", f.name);
            }
            let unreadable = cap["warning_counts"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|k| {
                    ["unreadable", "truncated-line", "line-too-long"]
                        .contains(&k["kind"].as_str().unwrap())
                })
                .count();
            assert_eq!(unreadable, 0, "{}: {file}: {}", f.name, cap["warnings"]);
            let s = target(&w, file);
            match expected_errno(file) {
                Some((errno, ret)) => {
                    assert_eq!(s["errno"], errno, "{}: {file}", f.name);
                    assert_eq!(s["ret"], ret, "{}: {file}", f.name);
                }
                None => assert!(s["ret"].as_i64().unwrap() >= 0, "{}: {file}", f.name),
            }
            (f.check)(&w, file);
        }
    }
}

/// A format is chosen from the content alone: the same bytes under a name
/// that says nothing (and through stdin) give the same report.
#[test]
fn compressed_captures_read_like_their_sources() {
    for (zst, src) in [
        (
            format!("{COMPRESSED}/openat-enoent-6.1-bad.log.zst"),
            format!("{Q}/openat-enoent/bad.log"),
        ),
        (
            format!("{COMPRESSED}/perf-ftrace-fn-bpf-map-create-unspec-6.1-bad.log.zst"),
            format!("{N}/perf-ftrace-fn-bpf-map-create-unspec-6.1/bad.log.gz"),
        ),
    ] {
        let a = run(&["--label", "x", &zst]);
        let b = run(&["--label", "x", &src]);
        let strip = |w: &Written| {
            let mut v = c(w).clone();
            for k in ["path", "digest", "bytes", "compression"] {
                v[k] = Value::Null;
            }
            v
        };
        assert_eq!(strip(&a), strip(&b), "{zst}");
        assert_eq!(c(&a)["compression"], "zstd");
    }
}

/// `--input-format` forces a grammar: the right one reads the file as auto
/// detection does, a wrong one finds nothing it can read.
#[test]
fn input_format_override() {
    let f = format!("{N}/noirqinfo-fn-bpf-map-create-unspec-6.1/bad.log");
    let auto = run(&[&f]);
    let forced = run(&["--input-format", "function", &f]);
    assert_eq!(c(&auto)["syscalls"], c(&forced)["syscalls"]);
    let g = format!("{Q}/tracecmd-bpf-map-create-unspec/bad.log");
    let forced = run(&["--input-format", "trace-cmd", &g]);
    assert_eq!(c(&forced)["format"], "trace-cmd");
    let dir = tempfile::tempdir().unwrap();
    let argv = [
        "tracereport",
        "-q",
        "--input-format",
        "function",
        &format!("{Q}/bpf-map-create-unspec/bad.log"),
        "-o",
        dir.path().join("out").to_str().unwrap(),
    ]
    .map(String::from);
    let cfg = <tracereport::cli::Cli as clap::Parser>::try_parse_from(argv)
        .unwrap()
        .into_config()
        .unwrap();
    let err = tracereport::run(&cfg).unwrap_err().to_string();
    assert!(
        err.contains("bad.log:1: expected an ftrace capture"),
        "{err}"
    );
    assert!(!dir.path().join("out").exists());
}
