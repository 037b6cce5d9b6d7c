//! Hostile inputs, each generated here (never a committed huge file): exit
//! 0 with warnings or exit 2 with `error: FILE:LINE: …`, never a signal,
//! and a bounded report. Timing belongs to the benchmarks; these tests only
//! check that each case ends, with the right status and size.

use std::process::{Command, Output};

use crate::common::CAPTURES;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tracereport"));
    c.arg("-q");
    c
}

const GOOD: &str = "xskmap-noxdpsockets-6.12/ok--funcgraph-retval.log";

/// Run with `args` (`-o` added), expecting exit 2 and one `error:` line
/// naming `file:line`; nothing is written.
fn refused(args: &[&std::ffi::OsStr], file_line: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o: Output = bin().args(args).arg("-o").arg(&out).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert!(
        err.starts_with(&format!("error: {file_line}: ")),
        "{args:?}: {err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!out.exists());
    err
}

fn os(s: &str) -> &std::ffi::OsStr {
    std::ffi::OsStr::new(s)
}

#[test]
fn dev_zero_is_refused_as_capture_function_list_and_notes() {
    let good = format!("{CAPTURES}/{GOOD}");
    let err = refused(&[os("/dev/zero")], "/dev/zero:1");
    assert!(err.contains("binary data"), "{err}");
    refused(
        &[os(&good), os("--filter-functions"), os("/dev/zero")],
        "/dev/zero:1",
    );
    refused(&[os(&good), os("--notes"), os("/dev/zero")], "/dev/zero:1");
}

#[test]
fn text_without_line_breaks_or_with_zero_blocks_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read(format!("{CAPTURES}/{GOOD}")).unwrap();
    let lines = good.iter().filter(|&&b| b == b'\n').count();
    // 5 MiB of text without a line break.
    let long = dir.path().join("long.log");
    std::fs::write(&long, vec![b'x'; 5 << 20]).unwrap();
    let err = refused(&[long.as_os_str()], &format!("{}:1", long.display()));
    assert!(err.contains("no line break"), "{err}");
    // A real capture, then a zero-filled block (a file preallocated and
    // never written): refused at the line the block starts.
    let padded = dir.path().join("padded.log");
    let mut bytes = good.clone();
    bytes.extend(vec![0u8; 1 << 20]);
    std::fs::write(&padded, bytes).unwrap();
    let err = refused(
        &[padded.as_os_str()],
        &format!("{}:{}", padded.display(), lines + 1),
    );
    assert!(err.contains("zero bytes"), "{err}");
    // NUL in the notes.
    let notes = dir.path().join("notes.md");
    std::fs::write(&notes, b"# ok\n\nline two\0\n").unwrap();
    let g = format!("{CAPTURES}/{GOOD}");
    refused(
        &[os(&g), os("--notes"), notes.as_os_str()],
        &format!("{}:3", notes.display()),
    );
}

#[test]
fn oversized_notes_and_function_lists_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let g = format!("{CAPTURES}/{GOOD}");
    let notes = dir.path().join("notes.md");
    std::fs::write(&notes, "word ".repeat(1 << 20)).unwrap();
    let o = bin()
        .args([os(&g), os("--notes"), notes.as_os_str(), os("-o")])
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("larger than 4 MiB"));
    let list = dir.path().join("funcs.txt");
    let mut text = String::new();
    let mut i = 0u64;
    while text.len() < 65 << 20 {
        text += &format!("function_{i:012}\n");
        i += 1;
    }
    std::fs::write(&list, text).unwrap();
    let o = bin()
        .args([os(&g), os("--filter-functions"), list.as_os_str(), os("-o")])
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not an available_filter_functions list"));
}

/// function_graph text: a header, then `(depth, body, duration)` lines.
fn graph(lines: impl IntoIterator<Item = (usize, String, &'static str)>) -> Vec<u8> {
    let mut s = String::from(
        "# tracer: function_graph\n#\n# CPU  DURATION                  FUNCTION CALLS\n# |     |   |                     |   |   |   |\n",
    );
    for (depth, body, dur) in lines {
        s += &format!(" 0) {dur:>10} |  {}{body}\n", "  ".repeat(depth));
    }
    s.into_bytes()
}

/// Run on `captures` (written to files), expecting exit 0: the report
/// directory's size and report.md.
fn reported(captures: &[Vec<u8>], extra: &[&str]) -> (u64, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut c = bin();
    for (i, bytes) in captures.iter().enumerate() {
        let p = dir.path().join(format!("c{i}.log"));
        std::fs::write(&p, bytes).unwrap();
        c.arg(p);
    }
    let out = dir.path().join("out");
    let o = c.args(extra).arg("-o").arg(&out).output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let size = crate::common::files_under(out.to_str().unwrap(), &[""])
        .iter()
        .map(|p| std::fs::metadata(p).unwrap().len())
        .sum();
    (
        size,
        std::fs::read_to_string(out.join("report.md")).unwrap(),
    )
}

/// The `depth-cap` warnings report.md counts (`- N × depth-cap: …`).
fn depth_cap_warnings(md: &str) -> u64 {
    md.lines()
        .filter_map(|l| l.strip_prefix("- ")?.split_once(" × depth-cap:"))
        .map(|(n, _)| n.parse::<u64>().unwrap())
        .sum()
}

const MIB: u64 = 1 << 20;

/// One line 14 000 levels under the syscall (28 KB) overflowed the stack.
#[test]
fn one_line_far_too_deep_is_capped() {
    let cap = graph([
        (0, "__x64_sys_bpf() {".into(), ""),
        (14_000, "f();".into(), "0.100 us"),
        (0, "}".into(), "1.000 us"),
    ]);
    let (size, json) = reported(&[cap], &[]);
    assert_eq!(depth_cap_warnings(&json), 1);
    assert!(size < 5 * MIB, "{size} bytes");
}

/// At the cap itself: a call 1 000 levels deep, every walk of its tree
/// (placeholders, folding, alignment, rendering, JSON) goes that deep.
#[test]
fn a_call_at_the_cap_is_reported_in_bounded_size() {
    let at = |ret: &str| {
        graph([
            (0, "__x64_sys_bpf() {".into(), ""),
            (tracereport::model::MAX_DEPTH, "f();".into(), "0.100 us"),
            (0, format!("}} /* __x64_sys_bpf = {ret} */"), "1.000 us"),
        ])
    };
    let (size, json) = reported(&[at("0"), at("-22")], &[]);
    assert_eq!(depth_cap_warnings(&json), 0);
    assert!(size < 50 * MIB, "{size} bytes");
}

/// Lines alternating between depth 0 and far below it: the cost of each
/// is bounded by the cap, not by its depth.
#[test]
fn alternating_depths_cost_at_most_the_cap() {
    let mut lines = Vec::new();
    for _ in 0..8 {
        lines.push((0, "__x64_sys_bpf() {".to_string(), ""));
        lines.push((30_000, "f();".to_string(), "0.1 us"));
    }
    for _ in 0..100 {
        lines.push((0, "__x64_sys_bpf() {".to_string(), ""));
        lines.push((tracereport::model::MAX_DEPTH, "f();".to_string(), "0.1 us"));
    }
    let (size, json) = reported(&[graph(lines)], &[]);
    assert_eq!(depth_cap_warnings(&json), 8);
    assert!(size < 50 * MIB, "{size} bytes");
}

/// Issue 11's smaller items.
#[test]
fn an_unknown_pair_label_is_a_wrong_argument() {
    let g = format!("{CAPTURES}/{GOOD}");
    let dir = tempfile::tempdir().unwrap();
    let o = bin()
        .args([
            g.as_str(),
            g.as_str(),
            "--pair",
            "nosuch#0:ok--funcgraph-retval#0",
        ])
        .arg("-o")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("no capture labelled `nosuch`"), "{err}");
    assert!(!dir.path().join("out").exists());
}

#[test]
fn gzip_with_trailing_garbage_loses_nothing_and_passes_strict() {
    use std::io::Write;
    let text = std::fs::read(format!("{CAPTURES}/{GOOD}")).unwrap();
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(&text).unwrap();
    let mut gz = e.finish().unwrap();
    gz.extend([0u8; 512]);
    gz.extend(b"appended by some tool\n");
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("padded.log.gz");
    std::fs::write(&p, &gz).unwrap();
    let out = dir.path().join("out");
    let o = bin()
        .arg(&p)
        .args(["--strict", "-f", "json", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    let json = std::fs::read_to_string(out.join("report.json")).unwrap();
    assert!(!json.contains("truncated-input"));
    assert!(json.contains("534 bytes after the end of the gzip data were ignored"));
}

#[test]
fn a_sys_exit_value_out_of_range_is_warned() {
    let cap = b"# tracer: function_graph\n#\n 0)               |  /* sys_bpf(cmd: 0, uattr: 0, size: 90) */\n 0)               |  __x64_sys_bpf() {\n 0)   0.300 us    |    security_bpf();\n 0)   1.000 us    |  }\n 0)               |  /* sys_bpf -> 0x1ffffffffffffffea */\n".to_vec();
    let (_, md) = reported(&[cap], &[]);
    assert!(md.contains("bad-return-value"), "{md}");
}
