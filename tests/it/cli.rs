//! The binary as users run it: the README's commands, exit codes, bad input.

use std::process::Command;

use crate::common::CAPTURES;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tracereport"));
    c.arg("-q");
    c
}

/// The README's quick-start report command, as written there.
#[test]
fn readme_quick_start_command_works() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let line = readme
        .lines()
        .find(|l| l.starts_with("cargo run --release -- examples/"))
        .expect("README quick start names a command on examples/");
    let args: Vec<&str> = line
        .trim_start_matches("cargo run --release -- ")
        .split_whitespace()
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut argv: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let o = argv.iter().position(|a| a == "-o").unwrap();
    argv[o + 1] = out.display().to_string();
    let st = bin().args(&argv).status().unwrap();
    assert!(st.success());
    for f in ["index.html", "report.md", "report.json"] {
        assert!(out.join(f).is_file(), "{f}");
    }
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("-22 EINVAL"));
    // The README's second command is the test command .ci/run runs.
    assert!(readme.contains("\ncargo test\n"));
    let ci = std::fs::read_to_string(".ci/run").unwrap();
    assert!(ci.lines().any(|l| l.trim() == "cargo test"));
}

#[test]
fn help_explains_options_with_examples_and_exit_codes() {
    let out = bin().arg("--help").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "--label",
        "--syscall",
        "--format",
        "--keep",
        "--pair",
        "--ignore",
        "Example",
        "Exit codes",
    ] {
        assert!(text.contains(needle), "{needle} missing from --help");
    }
}

fn expect_error(input: &std::path::Path, needle: &str) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = bin().arg(input).arg("-o").arg(&out).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{input:?}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().count(), 1, "one-line error: {err}");
    assert!(err.contains(&input.display().to_string()), "{err}");
    assert!(err.contains(needle), "{err}");
    assert!(!out.exists(), "no output directory after an error");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(
        leftovers.is_empty(),
        "temporary directories left: {leftovers:?}"
    );
}

#[test]
fn binary_input_is_refused() {
    expect_error(std::path::Path::new("/bin/ls"), "binary data");
}

/// The binary file `trace-cmd record` writes, cut after its first 8 KiB
/// (gzipped as users keep them): read natively, its header points past the
/// cut, and the error says so (whole ones are read: `tests/it/tracedat.rs`).
#[test]
fn cut_trace_cmd_data_file_is_refused_with_why() {
    expect_error(
        std::path::Path::new(&format!(
            "{}/tracecmd-dat-6.1/bad.dat.head.gz",
            crate::common::DERIVED
        )),
        "a trace-cmd trace.dat whose header cannot be read: ",
    );
    expect_error(
        std::path::Path::new(&format!(
            "{}/tracecmd-dat-6.1/bad.dat.head.gz",
            crate::common::DERIVED
        )),
        "the file is cut",
    );
}

#[test]
fn empty_and_json_input_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "").unwrap();
    expect_error(&empty, ":1: empty input");
    let json = dir.path().join("report.json");
    std::fs::write(&json, "{\"captures\": []}\n").unwrap();
    expect_error(&json, ":1: expected an ftrace capture");
}

#[test]
fn stdin_is_read_with_dash() {
    let bad = std::fs::read(format!(
        "{CAPTURES}/xskmap-noxdpsockets-6.12/bad--default.log"
    ))
    .unwrap();
    let json = report_from_stdin(&bad);
    assert_eq!(json["captures"][0]["label"], "stdin");
    assert_eq!(json["captures"][0]["syscalls"][0]["errno"], "EINVAL");
}

#[test]
fn existing_foreign_directory_is_not_replaced_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("thesis.tex"), "keep me").unwrap();
    let cap = format!("{CAPTURES}/xskmap-noxdpsockets-6.12/bad--default.log");
    let o = bin().arg(&cap).arg("-o").arg(&out).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(out.join("thesis.tex").exists());
    // An earlier report is replaced.
    let out2 = dir.path().join("out2");
    assert!(
        bin()
            .arg(&cap)
            .arg("-o")
            .arg(&out2)
            .status()
            .unwrap()
            .success()
    );
    assert!(
        bin()
            .arg(&cap)
            .arg("--format")
            .arg("md")
            .arg("-o")
            .arg(&out2)
            .status()
            .unwrap()
            .success()
    );
    assert!(
        !out2.join("index.html").exists(),
        "the old report was replaced as a whole"
    );
    assert!(out2.join("report.md").exists());
    // --force replaces anything.
    assert!(
        bin()
            .arg(&cap)
            .arg("--force")
            .arg("-o")
            .arg(&out)
            .status()
            .unwrap()
            .success()
    );
    assert!(!out.join("thesis.tex").exists());
}

#[test]
fn strict_makes_warnings_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = bin()
        .arg(format!("{CAPTURES}/blog-xskmap/same-kernel-ok.log"))
        .arg("--strict")
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3));
}

/// Issue 4, as written: `tracereport /bin/ls -o out/` and `tracereport
/// empty.txt -o out/` (relative paths, trailing slash) exit 2 with one line
/// naming the file, and leave no `out/`, nor any temporary directory; an
/// earlier report at `out/` is left as it was.
#[test]
fn not_a_capture_exits_2_and_leaves_no_out_dir() {
    let cwd = tempfile::tempdir().unwrap();
    std::fs::write(cwd.path().join("empty.txt"), "").unwrap();
    for input in ["/bin/ls", "empty.txt"] {
        let o = bin()
            .current_dir(cwd.path())
            .args([input, "-o", "out/"])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{input}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(err.lines().count(), 1, "{input}: {err}");
        assert!(err.starts_with(&format!("error: {input}:1: ")), "{err}");
        let left: Vec<_> = std::fs::read_dir(cwd.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, ["empty.txt"], "{input}: left behind");
    }
    // An earlier report survives a failed run untouched.
    let cap = std::fs::canonicalize(format!(
        "{CAPTURES}/xskmap-noxdpsockets-6.12/bad--default.log"
    ))
    .unwrap();
    let ok = bin()
        .current_dir(cwd.path())
        .arg(&cap)
        .args(["-o", "out/"])
        .status()
        .unwrap();
    assert!(ok.success());
    let before = std::fs::read(cwd.path().join("out/report.json")).unwrap();
    let o = bin()
        .current_dir(cwd.path())
        .args(["empty.txt", "-o", "out/"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        std::fs::read(cwd.path().join("out/report.json")).unwrap(),
        before
    );
}

/// A compressed capture cut while it was copied: what decompresses is read,
/// the rest is named as lost; exit 0 (3 with --strict). Cut before the first
/// record it is an error.
#[test]
fn cut_compressed_capture_is_read_up_to_the_damage() {
    let dir = tempfile::tempdir().unwrap();
    let gz = std::fs::read(format!(
        "{}/perf-ftrace-fn-bpf-map-create-unspec-6.1/bad.log.gz",
        crate::common::CAPTURES_NEW
    ))
    .unwrap();
    let cut = dir.path().join("cut.log.gz");
    std::fs::write(&cut, &gz[..30_000]).unwrap();
    let out = dir.path().join("out");
    let o = bin().arg(&cut).arg("-o").arg(&out).output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let c = &json["captures"][0];
    let lost = c["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["kind"] == "truncated-input")
        .unwrap();
    assert_eq!(lost["line"], c["lines"]);
    assert!(
        lost["message"]
            .as_str()
            .unwrap()
            .starts_with("the gzip stream ends after this line")
    );
    // Without -q, on stderr too, as FILE:LINE, beside the first warning of
    // each other kind.
    let o = Command::new(env!("CARGO_BIN_EXE_tracereport"))
        .args(["--force", "-o"])
        .arg(&out)
        .arg(&cut)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    let said = format!(
        "warning: {}:{}: truncated-input: the gzip stream ends after this line",
        cut.display(),
        c["lines"]
    );
    assert!(stderr.contains(&said), "{stderr}");
    let cut_item = c["audit"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["topic"] == "cut")
        .unwrap();
    assert_eq!(cut_item["status"], "warn");
    let o = bin()
        .arg(&cut)
        .args(["--strict", "-o"])
        .arg(dir.path().join("strict"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3));

    let tiny = dir.path().join("tiny.log.gz");
    std::fs::write(&tiny, &gz[..60]).unwrap();
    expect_error(&tiny, "the gzip stream is damaged or cut before any ftrace");
}

/// Damage in the middle of a real capture: a report, the damaged lines as
/// warnings with their numbers, exit 0; `--strict` exit 3.
#[test]
fn partially_readable_capture_gives_a_report_and_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let text =
        std::fs::read_to_string(format!("{CAPTURES}/qemu-6.1/openat-enoent/bad.log")).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines.insert(40, "Segmentation fault (core dumped)");
    lines.insert(41, "\u{1b}[0m$ ");
    let p = dir.path().join("bad.log");
    std::fs::write(&p, lines.join("\n") + "\n").unwrap();
    let out = dir.path().join("out");
    let o = bin().arg(&p).arg("-o").arg(&out).output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let w: Vec<u64> = json["captures"][0]["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["kind"] == "unreadable")
        .map(|w| w["line"].as_u64().unwrap())
        .collect();
    assert_eq!(w, [41, 42]);
    assert_eq!(json["captures"][0]["syscalls"][0]["errno"], "ENOENT");
    let o = bin()
        .arg(&p)
        .args(["--strict", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3));
    assert!(
        out.join("report.json").is_file(),
        "--strict still writes the report"
    );
}

/// Output directories that must never be replaced, whatever the flags.
#[test]
fn output_that_would_destroy_inputs_or_the_working_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let cap = format!("{CAPTURES}/xskmap-noxdpsockets-6.12/bad--default.log");
    assert!(
        bin()
            .arg(&cap)
            .arg("-o")
            .arg(&out)
            .status()
            .unwrap()
            .success()
    );
    // A capture kept inside an earlier report: replacing it would delete it.
    let inside = out.join("bad.log");
    std::fs::copy(&cap, &inside).unwrap();
    let o = bin()
        .arg(&inside)
        .args(["--force", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("holds the input"), "{err}");
    assert!(inside.is_file());
    // The current directory.
    let o = bin()
        .current_dir(&out)
        .arg(std::fs::canonicalize(&cap).unwrap())
        .args(["--force", "-o", "."])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("current directory"));
    // A file.
    let f = dir.path().join("notes.txt");
    std::fs::write(&f, "mine").unwrap();
    let o = bin()
        .arg(&cap)
        .args(["--force", "-o"])
        .arg(&f)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&f).unwrap(), "mine");
}

/// Usage errors are exit 2 too, as documented.
#[test]
fn usage_errors_exit_2() {
    let o = bin().output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let o = bin()
        .args(["a.log", "--label", "x", "--label", "y", "-o", "out"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}

/// `trace-cmd report | gzip | tracereport -`: compression is told by the
/// bytes, on stdin too.
#[test]
fn compressed_stdin_is_read() {
    let gz = std::fs::read(format!(
        "{}/tracecmd-fn-bpf-map-create-unspec-6.1/bad.log.gz",
        crate::common::CAPTURES_NEW
    ))
    .unwrap();
    let json = report_from_stdin(&gz);
    let c = &json["captures"][0];
    assert_eq!(c["compression"], "gzip");
    assert_eq!(c["format"], "trace-cmd");
    assert_eq!(c["path"], "<stdin>");
}

/// `tracereport - -o out` with `bytes` on stdin; it must succeed. Returns
/// its report.json.
fn report_from_stdin(bytes: &[u8]) -> serde_json::Value {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut child = bin()
        .args(["-", "-o"])
        .arg(&out)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(bytes).unwrap();
    assert!(child.wait().unwrap().success());
    serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap()
}

/// The summary printed per capture counts syscalls from every one seen and
/// call trees from the kept ones: a capture of syscall events alone once
/// read "1 syscall with trees", and a depth-2 capture "0 failing" with no
/// word that no result was captured.
#[test]
fn the_summary_counts_syscalls_and_trees_truly() {
    let run = |args: &[&str]| {
        let (o, _) = crate::common::run_bin(args);
        assert!(o.status.success());
        String::from_utf8(o.stderr).unwrap()
    };
    let nop = "tests/fixtures/captures-new/record-nop-openat-enoent-6.18/cat-nonexistent.log";
    let err = run(&[nop]);
    assert!(
        err.contains(
            "cat-nonexistent: 78 lines, 34 syscalls (17 failing), 0 call trees kept, 0 warnings"
        ),
        "{err}"
    );
    let x = format!("{CAPTURES}/xskmap-noxdpsockets-6.12");
    let err = run(&[&format!("{x}/ok--default.log")]);
    // One bpf() syscall, and a tree outside syscalls (`mutex_unlock()`).
    assert!(err.contains("ok--default: "), "{err}");
    assert!(
        err.contains(", 1 syscall (0 failing), 2 call trees kept, "),
        "{err}"
    );
    let err = run(&[&format!("{CAPTURES}/qemu-6.1/busy-2cpu/all-depth2.log.gz")]);
    assert!(
        err.contains(" failing, ") && err.contains(" with no result captured)"),
        "{err}"
    );
}

/// `--stats` counts in words that agree with the numbers ("1 syscall",
/// "1 task"; it once printed "1 syscalls" and "1 tasks").
#[test]
fn stats_count_in_singular_and_plural() {
    let x = format!("{CAPTURES}/xskmap-noxdpsockets-6.12/bad--funcgraph-retval.log");
    let (o, _) = crate::common::run_bin(&["--stats", &x]);
    assert!(o.status.success());
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(
        out.contains(
            "bad--funcgraph-retval: 667 bytes, 14 lines, 10 records, 4 calls, 1 syscall (1 failing), 2 call trees kept, 1 task, 5 functions, 4 call paths, 0 warnings"
        ),
        "{out}"
    );
}
