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
