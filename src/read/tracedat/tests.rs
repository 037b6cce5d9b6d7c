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
    let src = read::open(&InputPath::File(fixture(rel)), None, Default::default()).unwrap();
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

/// Damage anywhere (a cut, flipped bytes in the metadata or the pages)
/// gives an error or a shorter text, never a panic or a hang.
#[test]
fn damaged_dat_files_never_panic() {
    let good = std::fs::read(fixture("host-openat-6.18/openat.dat")).unwrap();
    let len = good.len();
    let mut cases: Vec<Vec<u8>> = (1..12).map(|i| good[..len * i / 12].to_vec()).collect();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..24 {
        let mut b = good.clone();
        for _ in 0..8 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            // Half the flips in the first 4 KiB (header, options), half anywhere.
            let at = if seed & 1 == 0 {
                seed as usize % 4096
            } else {
                seed as usize % len
            };
            b[at] ^= (seed >> 8) as u8 | 1;
        }
        cases.push(b);
    }
    for bytes in cases {
        let mut f = tempfile::tempfile().unwrap();
        std::io::Write::write_all(&mut f, &bytes).unwrap();
        let damage = read::Damage::default();
        let Ok(dat) = super::DatFile::open(f, &damage) else {
            continue;
        };
        // Damage past the header ends the events (or fails the first
        // read), never panics: as text and as typed records.
        let mut t = dat.try_clone().unwrap().text();
        let mut out = Vec::new();
        let _ = t.read_to_end(&mut out);
        if let Ok(mut r) = dat.records() {
            while r.next_batch().is_some() {}
        }
    }
}
