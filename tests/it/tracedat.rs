//! trace.dat read natively gives the report its `trace-cmd report` text
//! gives (`tests/fixtures/tracedat/`, real files; the line-for-line
//! comparison of the text is in `src/read/tracedat/tests.rs`).

use serde_json::Value;

use crate::common::{Written, run};

const D: &str = "tests/fixtures/tracedat";

/// The report without what tells the stored files apart (name, hash,
/// size, compression).
fn strip(w: &Written) -> Value {
    let mut v = w.json.clone();
    if let Some(caps) = v["captures"].as_array_mut() {
        for c in caps {
            for k in ["path", "sha256", "bytes", "compression"] {
                c[k] = Value::Null;
            }
        }
    }
    v
}

#[test]
fn dat_pair_gives_the_verdict_of_its_report_text() {
    let q = format!("{D}/qemu-6.1-bpf-map-create-unspec");
    let labels = ["--label", "ok", "--label", "bad"];
    let dat = run(&[
        &labels[..],
        &[&format!("{q}/ok.dat.gz"), &format!("{q}/bad.dat.gz")],
    ]
    .concat());
    let txt = run(&[
        &labels[..],
        &[&format!("{q}/ok.report"), &format!("{q}/bad.report")],
    ]
    .concat());
    assert_eq!(strip(&dat), strip(&txt));
    let verdict = dat.json["verdict"].to_string();
    assert!(verdict.contains("EINVAL"), "{verdict}");
    assert_eq!(dat.json["captures"][0]["format"], "trace-cmd");
    // Every version and storage reads the same.
    let v6 = run(&["--label", "ok", &format!("{q}/ok.v6.dat.gz")]);
    let v7 = run(&["--label", "ok", &format!("{q}/ok.dat.gz")]);
    assert_eq!(strip(&v6), strip(&v7));
}

#[test]
fn plain_dat_read_in_place_with_its_hash() {
    let f = format!("{D}/host-openat-6.18/openat.dat");
    let w = run(&[&f]);
    let c = &w.json["captures"][0];
    let bytes = std::fs::read(&f).unwrap();
    assert_eq!(c["bytes"], bytes.len() as u64);
    assert_eq!(c["sha256"].as_str().map(str::len), Some(64));
    let openat = w.json["captures"][0]["syscalls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["name"] == "openat")
        .count();
    assert!(openat > 0, "{}", w.md);
}

/// Where Debian's trace-cmd is installed (`.ci/run` installs it), its
/// report of every fixture is what the reader gives.
#[test]
fn same_text_as_installed_trace_cmd() {
    let ok = std::process::Command::new("trace-cmd")
        .arg("--version")
        .output();
    if ok.is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install trace-cmd"
        );
        eprintln!("trace-cmd not installed: comparison with the stored reports only");
        return;
    }
    for f in crate::common::files_under(D, &["dat", "gz"]) {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("t.dat");
        let bytes = std::fs::read(&f).unwrap();
        let bytes = if f.extension().is_some_and(|e| e == "gz") {
            let mut out = Vec::new();
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut out)
                .unwrap();
            out
        } else {
            bytes
        };
        std::fs::write(&plain, bytes).unwrap();
        let want = std::process::Command::new("trace-cmd")
            .args(["report", "-i"])
            .arg(&plain)
            .output()
            .unwrap();
        assert!(want.status.success(), "{f:?}");
        let src =
            tracereport::read::open(&tracereport::read::InputPath::File(plain), None).unwrap();
        let mut got = Vec::new();
        std::io::Read::read_to_end(&mut { src.reader }, &mut got).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(&want.stdout),
            "{f:?}"
        );
    }
}
