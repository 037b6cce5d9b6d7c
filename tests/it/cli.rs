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
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let bad = std::fs::read(format!(
        "{CAPTURES}/xskmap-noxdpsockets-6.12/bad--default.log"
    ))
    .unwrap();
    let mut child = bin()
        .args(["-", "-o"])
        .arg(&out)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(&bad).unwrap();
    assert!(child.wait().unwrap().success());
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
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
