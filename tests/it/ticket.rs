//! Ticket- and mail-sized outputs: report.md fits a GitHub issue body
//! (≤ `MD_LIMIT` characters) on every capture, `--link-base` makes its links
//! absolute. The corpus tests call [`assert_fits_a_ticket`] on every
//! capture and pair they render.

use textwrap::core::display_width;
use tracereport::render::fit::MD_LIMIT;

use crate::common::{CAPTURES, Written, big, run};

/// report.md of `w` is within the limit, and says so when it was folded;
/// every line of report.txt is at most 80 columns.
pub fn assert_fits_a_ticket(what: &str, w: &Written) {
    let n = w.md.chars().count();
    assert!(n <= MD_LIMIT, "{what}: report.md has {n} characters");
    let txt = String::from_utf8(w.read("report.txt")).unwrap();
    let widest = txt.lines().map(display_width).max().unwrap_or(0);
    assert!(
        widest <= 80,
        "{what}: report.txt has a {widest}-column line"
    );
    assert!(
        !txt.contains("<details>") && !txt.contains("<sub>"),
        "{what}"
    );
    if std::env::var_os("TRACEREPORT_SIZES").is_some() {
        eprintln!("sizes {what}: md {n} chars, txt widest {widest}");
    }
    if w.md.contains("Shortened to fit a ticket") || w.md.contains("Cut here to fit a ticket") {
        assert!(w.md.contains("index.html"), "{what}");
    }
}

/// The captures whose full report.md is several times the limit: each is
/// folded, keeps its verdict and syscall table head, and says what went.
#[test]
fn busy_and_lost_event_captures_are_folded_to_fit() {
    // Unfolded: 123 780 and 397 466 characters (issue 15).
    for f in [
        "qemu-6.1/busy-2cpu/graph-syscalls.log.gz",
        "qemu-6.1/lost-events/trace_pipe.log.gz",
    ] {
        let w = run(&[&format!("{CAPTURES}/{f}")]);
        assert_fits_a_ticket(f, &w);
        assert!(w.md.contains("\n## Captures\n"), "{f}");
        assert!(w.md.contains("| # | syscall | result |"), "{f}");
        let note =
            w.md.lines()
                .find(|l| l.contains("Shortened to fit a ticket"))
                .unwrap_or_else(|| panic!("{f}: not folded?"));
        assert!(note.contains("left out"), "{note}");
        assert!(note.contains("[index.html](index.html)"), "{note}");
    }
}

/// The generated 150 000-call capture (`common::big`).
#[test]
fn a_generated_big_capture_fits() {
    let w = big();
    assert_fits_a_ticket("big", w);
    assert!(w.md.starts_with("# "));
}

/// A capture made here of 100 syscalls of 20 kinds, each 600 calls deep
/// enough that every kept tree is cut at its 400 lines: unfolded, about
/// 3 MB of Markdown.
fn many_big_syscalls() -> String {
    const KINDS: [&str; 20] = [
        "read", "write", "openat", "close", "mmap", "munmap", "brk", "ioctl", "pread64",
        "pwrite64", "readv", "writev", "access", "pipe", "select", "mremap", "msync", "mincore",
        "madvise", "dup",
    ];
    let mut s = String::from(
        "# tracer: function_graph\n#\n# CPU  DURATION                  FUNCTION CALLS\n\
         # |     |   |                     |   |   |   |\n",
    );
    for i in 0..100 {
        let k = KINDS[i % KINDS.len()];
        s.push_str(&format!(" 0)               |  /* sys_{k}(fd: {i:x}) */\n"));
        s.push_str(&format!(" 0)               |  __x64_sys_{k}() {{\n"));
        for j in 0..600 {
            s.push_str(&format!(
                " 0)   0.{:03} us    |    helper_number_{j}_of_{k}();\n",
                j % 1000
            ));
        }
        s.push_str(" 0) ! 612.000 us  |  }\n");
        let ret: i64 = if i % 7 == 0 { -22 } else { 0 };
        s.push_str(&format!(
            " 0)               |  /* sys_{k} -> {:#x} */\n",
            ret as u64
        ));
    }
    s
}

#[test]
fn a_generated_capture_of_many_big_syscalls_is_folded_to_fit() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("many.log");
    std::fs::write(&f, many_big_syscalls()).unwrap();
    let full = run(&[f.to_str().unwrap(), "--format", "json"]);
    let kept = full.json["captures"][0]["syscalls"]
        .as_array()
        .unwrap()
        .len();
    assert!(kept >= 90, "{kept} trees kept");
    let w = run(&[f.to_str().unwrap()]);
    assert_fits_a_ticket("many", &w);
    let note =
        w.md.lines()
            .find(|l| l.contains("Shortened to fit"))
            .unwrap();
    assert!(note.contains("collapsed blocks"), "{note}");
    // Every section's heading and the syscall table's head stay.
    assert!(w.md.contains("\n## Captures\n"));
    assert!(w.md.contains("| # | syscall | result |"));
    assert!(!w.md.contains("Cut here"));
}

#[test]
fn link_base_makes_report_md_links_absolute() {
    let x = format!("{CAPTURES}/xskmap-noxdpsockets-6.12");
    let base = "https://ci.example.org/job/42/report";
    let w = run(&[
        &format!("{x}/ok--funcgraph-retval.log"),
        &format!("{x}/bad--funcgraph-retval.log"),
        "--link-base",
        &format!("{base}/"),
    ]);
    let targets: Vec<&str> =
        w.md.split("](")
            .skip(1)
            .filter_map(|s| s.split(')').next())
            .collect();
    assert!(
        targets.iter().any(|t| t.contains("/flamegraphs/")),
        "{targets:?}"
    );
    assert!(targets.contains(&"https://ci.example.org/job/42/report/index.html"));
    for t in &targets {
        assert!(t.starts_with("https://"), "relative link {t}");
    }
    // Without it, the same links are relative.
    let w = run(&[
        &format!("{x}/ok--funcgraph-retval.log"),
        &format!("{x}/bad--funcgraph-retval.log"),
    ]);
    assert!(w.md.contains("](flamegraphs/"));
    assert!(!w.md.contains("https://ci.example.org"));
}

#[test]
fn link_base_must_be_a_plain_url() {
    use clap::Parser;
    for bad in [
        "ftp://x",
        "https://x/a)b",
        "https://x/ y",
        "javascript:alert(1)",
    ] {
        let r = tracereport::cli::Cli::try_parse_from([
            "tracereport",
            "a.log",
            "-o",
            "o",
            "--link-base",
            bad,
        ]);
        assert!(r.is_err(), "{bad}");
    }
}

/// report.txt of the seed case, as a reviewer reads it.
#[test]
fn report_txt_of_the_seed_case() {
    let x = format!("{CAPTURES}/xskmap-noxdpsockets-6.12");
    let w = run(&[
        &format!("{x}/ok--funcgraph-retval.log"),
        &format!("{x}/bad--funcgraph-retval.log"),
    ]);
    assert_fits_a_ticket("seed", &w);
    let txt = String::from_utf8(w.read("report.txt")).unwrap();
    for want in [
        "Result:  bpf(BPF_MAP_CREATE) returned -22 EINVAL in bad--funcgraph-retval",
        "blake3 ",
        "As `diff -u good bad`: '-' only in the good run",
        "Next capture",
        "echo function_graph > current_tracer",
    ] {
        assert!(txt.contains(want), "{want}\n{txt}");
    }
    // No Markdown or HTML left in the mail.
    for markup in ["**", "<details", "<sub", "](", "\\_"] {
        assert!(!txt.contains(markup), "{markup}\n{txt}");
    }
    insta::assert_snapshot!("seed_report_txt", txt);
}
