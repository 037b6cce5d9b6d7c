//! Kernel facts (function lists, configs, the source index) and the causes
//! they rank, on the real seed case (`xskmap-noxdpsockets-6.12`: one 6.12
//! source built with and without CONFIG_XDP_SOCKETS), the blog pair, and
//! the 6.1-vs-6.12 kernels (thousands of options differ).

use std::process::Command;

use serde_json::Value;

use crate::common::{CAPTURES, run};

const SEED: &str = "tests/fixtures/captures/xskmap-noxdpsockets-6.12";
const EXTRACT: &str = "tests/fixtures/kernel-src-extract";
const K61: &str = "tests/fixtures/captures/available-filter-functions";

fn seed(extra: &[&str]) -> Value {
    let mut args = vec![
        format!("{SEED}/ok--funcgraph-retval.log"),
        format!("{SEED}/bad--funcgraph-retval.log"),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    run(&a).json["comparisons"][0].clone()
}

/// Each evidence item as `kind text file:line`, a line each.
pub(crate) fn evidence_text(c: &Value) -> String {
    c["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{} {} {}:{}\n", e["kind"], e["text"], e["file"], e["line"]))
        .collect()
}

#[test]
fn seed_sidecars_rank_xdp_sockets_first() {
    let c = seed(&[]);
    let top = &c["causes"][0];
    assert_eq!(top["config"], "CONFIG_XDP_SOCKETS", "{:#}", c["causes"]);
    assert_eq!(top["good_value"], "y");
    assert_eq!(top["bad_value"], "is not set");
    assert_eq!(top["basis"], "names");
    let ev = evidence_text(top);
    assert!(
        ev.contains("`xsk_map_alloc` is absent from the bad kernel's function list"),
        "{ev}"
    );
    assert!(ev.contains("bad.available_filter_functions.gz"), "{ev}");
    assert!(
        ev.contains("# CONFIG_XDP_SOCKETS is not set") && ev.contains("bad.config\":769"),
        "{ev}"
    );
    assert!(
        ev.contains("CONFIG_XDP_SOCKETS=y") && ev.contains("ok.config\":769"),
        "{ev}"
    );
    // The only other option that differs is a version string: not a cause.
    assert_eq!(
        c["causes"].as_array().unwrap().len(),
        1,
        "{:#}",
        c["causes"]
    );
    let verdict = c["verdict"].as_str().unwrap();
    assert!(verdict.contains("CONFIG_XDP_SOCKETS"), "{verdict}");
}

#[test]
fn seed_with_source_extract_cites_makefile_and_bpf_types() {
    let c = seed(&["--kernel-src", EXTRACT]);
    let top = &c["causes"][0];
    assert_eq!(top["config"], "CONFIG_XDP_SOCKETS");
    assert_eq!(top["basis"], "source");
    let ev = evidence_text(top);
    assert!(ev.contains("\"net/xdp/Makefile\":2"), "{ev}");
    assert!(ev.contains("\"include/linux/bpf_types.h\":119"), "{ev}");
    assert!(ev.contains("#if defined(CONFIG_XDP_SOCKETS)"), "{ev}");
    assert!(ev.contains("\"net/xdp/xskmap.c\":64"), "{ev}");
}

/// The full 6.12 tree (Debian's linux-source-6.12 unpacked); skipped when
/// absent. `TRACEREPORT_KERNEL_SRC` names it.
#[test]
fn seed_with_full_source_tree() {
    let dir = std::env::var("TRACEREPORT_KERNEL_SRC")
        .unwrap_or_else(|_| "/usr/src/linux-source-6.12".into());
    if !std::path::Path::new(&dir)
        .join("net/xdp/xskmap.c")
        .is_file()
    {
        eprintln!("SKIPPED: no kernel source tree at {dir} (set TRACEREPORT_KERNEL_SRC)");
        return;
    }
    let c = seed(&["--kernel-src", &dir]);
    let top = &c["causes"][0];
    assert_eq!(top["config"], "CONFIG_XDP_SOCKETS", "{:#}", c["causes"]);
    let ev = evidence_text(top);
    assert!(ev.contains("\"net/xdp/Makefile\":2"), "{ev}");
    assert!(ev.contains("\"include/linux/bpf_types.h\":119"), "{ev}");
}

#[test]
fn index_kernel_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let idx = dir.path().join("k.idx");
    let o = Command::new(env!("CARGO_BIN_EXE_tracereport"))
        .args(["index-kernel", EXTRACT, "-o"])
        .arg(&idx)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("Linux 6.12.117"));
    let c = seed(&["--kernel-index", idx.to_str().unwrap()]);
    let ev = evidence_text(&c["causes"][0]);
    assert!(ev.contains("\"include/linux/bpf_types.h\":119"), "{ev}");
}

/// Rank with the given kernel facts, past the CLI's check that each list
/// belongs to its capture's kernel (these pairs mix kernels on purpose).
fn causes_with(good: &str, bad: &str, facts: [(&str, &str); 2]) -> (Vec<Value>, usize) {
    use clap::Parser;
    use tracereport::{analyse, kernel};
    let cfg = tracereport::cli::Cli::try_parse_from(["tracereport", good, bad, "--stats"])
        .unwrap()
        .into_config()
        .unwrap();
    let captures = tracereport::read_captures(&cfg).unwrap();
    let kernels = facts
        .iter()
        .map(|(f, c)| kernel::KernelFacts {
            functions: Some(kernel::load_functions(std::path::Path::new(f)).unwrap()),
            config: Some(kernel::load_config(std::path::Path::new(c)).unwrap()),
            files: Vec::new(),
        })
        .collect();
    let opts = analyse::AnalyseOptions {
        kernels,
        ..Default::default()
    };
    let a = analyse::analyse(&captures, &opts);
    let c = &a.comparisons[0];
    let causes = c
        .causes
        .iter()
        .map(|x| serde_json::to_value(x).unwrap())
        .collect();
    (causes, c.kernel_diff.as_ref().unwrap().config.len())
}

fn rank_of(causes: &[Value], option: &str) -> Option<usize> {
    for (i, c) in causes.iter().enumerate().take(5) {
        eprintln!(
            "{} {} {} ({})",
            i + 1,
            c["config"],
            c["score"],
            c["function"]
        );
    }
    causes.iter().position(|x| x["config"] == option)
}

/// The blog's other-kernel pair with the 6.1 kernel's facts for the good
/// run and the 6.12 no-XDP-sockets kernel's for the bad one: thousands of
/// options differ, and the good run created an ARRAY map, so no xsk
/// function is on its path; the culprit must still rank in the top three.
#[test]
fn blog_other_kernel_pair_with_6_1_vs_6_12_facts() {
    let (causes, differ) = causes_with(
        &format!("{CAPTURES}/blog-xskmap/other-kernel-ok.log"),
        &format!("{CAPTURES}/blog-xskmap/xskmap-einval.log"),
        [
            (
                &format!("{K61}/6.1.txt.gz"),
                &format!("{K61}/config-6.1.gz"),
            ),
            (
                &format!("{SEED}/bad.available_filter_functions.gz"),
                &format!("{SEED}/bad.config"),
            ),
        ],
    );
    assert!(differ > 1000, "{differ} options differ");
    let at = rank_of(&causes, "CONFIG_XDP_SOCKETS");
    assert!(matches!(at, Some(0..=2)), "{causes:#?}");
}

/// The seed pair's runs with the 6.1 kernel's facts as the good kernel:
/// the good run called `xsk_map_alloc` itself, so the tie is direct.
#[test]
fn seed_pair_with_6_1_vs_6_12_facts() {
    let (causes, differ) = causes_with(
        &format!("{SEED}/ok--funcgraph-retval.log"),
        &format!("{SEED}/bad--funcgraph-retval.log"),
        [
            (
                &format!("{K61}/6.1.txt.gz"),
                &format!("{K61}/config-6.1.gz"),
            ),
            (
                &format!("{SEED}/bad.available_filter_functions.gz"),
                &format!("{SEED}/bad.config"),
            ),
        ],
    );
    assert!(differ > 1000, "{differ} options differ");
    assert!(
        matches!(rank_of(&causes, "CONFIG_XDP_SOCKETS"), Some(0..=2)),
        "{causes:#?}"
    );
}

fn refused(args: &[&str]) -> String {
    let (o, written) = crate::common::run_bin(args);
    assert_eq!(o.status.code(), Some(2), "{args:?}");
    assert!(!written);
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn wrong_files_are_refused_naming_what_they_are() {
    let tmp = tempfile::tempdir().unwrap();
    let hello = tmp.path().join("hello.txt");
    std::fs::write(&hello, "hello world\n").unwrap();
    let one = tmp.path().join("one.txt");
    std::fs::write(&one, "hello\n").unwrap();
    let (ok, bad) = (
        format!("{SEED}/ok--funcgraph-retval.log"),
        format!("{SEED}/bad--funcgraph-retval.log"),
    );
    let h = hello.to_str().unwrap();
    let e = refused(&[&ok, &bad, "--kernel", &format!("2:functions={h}")]);
    assert!(
        e.contains("not a function list") && e.contains("\"hello world\""),
        "{e}"
    );
    let e = refused(&[
        &ok,
        &bad,
        "--kernel",
        &format!("bad--funcgraph-retval:functions={SEED}/bad.config"),
    ]);
    assert!(
        e.contains("bad.config: not a function list") && e.contains("a kernel config"),
        "{e}"
    );
    let e = refused(&[
        &ok,
        &bad,
        "--filter-functions",
        &format!("{SEED}/ok.config"),
    ]);
    assert!(e.contains("a kernel config"), "{e}");
    let e = refused(&[
        &ok,
        &bad,
        "--kernel",
        &format!("1:config={SEED}/ok.available_filter_functions.gz"),
    ]);
    assert!(
        e.contains("not a kernel config") && e.contains("a function list"),
        "{e}"
    );
    let e = refused(&[&ok, &bad, "--kernel", &format!("1:config={ok}")]);
    assert!(
        e.contains("not a kernel config") && e.contains("an ftrace capture"),
        "{e}"
    );
    let e = refused(&[
        &ok,
        &bad,
        "--kernel",
        &format!("1:functions={}", one.display()),
    ]);
    assert!(
        e.contains("lacks") && e.contains("not the list of the kernel"),
        "{e}"
    );
    let e = refused(&[&ok, &bad, "--kernel", &format!("3:config={SEED}/ok.config")]);
    assert!(e.contains("no capture is labelled or numbered `3`"), "{e}");
}

#[test]
fn without_kernel_facts_the_report_says_what_would_sharpen_it() {
    let w = run(&[
        &format!("{CAPTURES}/blog-xskmap/same-kernel-ok.log"),
        &format!("{CAPTURES}/blog-xskmap/xskmap-einval.log"),
    ]);
    let c = &w.json["comparisons"][0];
    assert!(c["causes"].as_array().unwrap().is_empty());
    let hint = c["kernel_facts_hint"].as_str().unwrap();
    assert!(hint.contains("zcat /proc/config.gz"), "{hint}");
    assert!(hint.contains("available_filter_functions"), "{hint}");
    assert!(w.md.contains("zcat /proc/config.gz"));
    assert!(w.html.contains("zcat /proc/config.gz"));
}

#[test]
fn sidecars_are_listed_in_the_report() {
    let w = run(&[
        &format!("{SEED}/ok--funcgraph-retval.log"),
        &format!("{SEED}/bad--funcgraph-retval.log"),
    ]);
    let files = &w.json["captures"][1]["kernel_files"];
    let s = files.to_string();
    assert!(s.contains("bad.config") && s.contains("sidecar"), "{s}");
    assert!(s.contains("bad.available_filter_functions.gz"), "{s}");
    assert!(w.md.contains("bad.available_filter_functions.gz"));
}
