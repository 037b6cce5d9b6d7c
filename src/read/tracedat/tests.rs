//! The native reader against `trace-cmd report` on every trace.dat fixture
//! (`tests/fixtures/tracedat/`, real files; their `.report` is
//! trace-cmd 3.1.6's output for them).

use std::{io::Read, path::PathBuf};

use crate::read::{self, InputPath};

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tracedat")
        .join(rel)
}

/// The text the reader gives for a fixture (through `read::open`, as a run
/// reads it: plain files in place, gzip-wrapped ones unpacked first).
fn text_of(rel: &str) -> (String, Option<String>) {
    let src = read::open(&InputPath::File(fixture(rel)), None).unwrap();
    assert!(src.tracedat, "{rel} not recognised as trace.dat");
    let mut out = String::new();
    let mut r = src.reader;
    r.read_to_string(&mut out).unwrap();
    (out, src.damage.get())
}

fn assert_same(rel: &str, report: &str) {
    let (got, damage) = text_of(rel);
    assert_eq!(damage, None, "{rel}");
    let want = std::fs::read_to_string(fixture(report)).unwrap();
    for (n, (g, w)) in got.lines().zip(want.lines()).enumerate() {
        assert_eq!(g, w, "{rel} line {}", n + 1);
    }
    assert_eq!(
        got.lines().count(),
        want.lines().count(),
        "{rel}: line count"
    );
}

#[test]
fn v7_zstd_funcgraph_as_trace_cmd_report() {
    let d = "qemu-6.1-bpf-map-create-unspec";
    assert_same(&format!("{d}/ok.dat.gz"), &format!("{d}/ok.report"));
    assert_same(&format!("{d}/bad.dat.gz"), &format!("{d}/bad.report"));
}

#[test]
fn v6_and_v7_uncompressed_as_trace_cmd_report() {
    let d = "qemu-6.1-bpf-map-create-unspec";
    assert_same(&format!("{d}/ok.v6.dat.gz"), &format!("{d}/ok.report"));
    assert_same(
        &format!("{d}/bad.v7-none.dat.gz"),
        &format!("{d}/bad.report"),
    );
}

#[test]
fn two_cpus_merged_in_time_order() {
    assert_same(
        "host-openat-6.18/openat.dat",
        "host-openat-6.18/openat.report",
    );
}
