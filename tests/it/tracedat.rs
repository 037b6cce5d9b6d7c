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
            for k in ["path", "digest", "bytes", "compression"] {
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
    assert_eq!(
        c["digest"]
            .as_str()
            .and_then(|d| d.strip_prefix("blake3:"))
            .map(str::len),
        Some(64)
    );
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
        let src = tracereport::read::open(
            &tracereport::read::InputPath::File(plain),
            None,
            Default::default(),
        )
        .unwrap();
        let mut got = Vec::new();
        std::io::Read::read_to_end(&mut { src.reader }, &mut got).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(&want.stdout),
            "{f:?}"
        );
    }
}

#[path = "../../bench/gen/dat.rs"]
#[allow(dead_code)]
mod gen_dat;

/// Two CPUs whose function-graph events interleave (a real capture's
/// events replayed on both at once, `bench/gen/dat.rs --stagger`): the
/// records read on every core are those of the text the one-thread reader
/// prints (itself checked against trace-cmd where it is installed), so an
/// entry is folded into a leaf exactly when its exit is the very next
/// event of all, across jobs and threads however the work is cut.
#[test]
fn interleaved_cpus_read_on_every_core_as_their_text() {
    use tracereport::{
        parse::{InputFormat, RecordKind, parse_line},
        read::tracedat::{parallel::Tuning, typed::DatKind},
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stagger.dat");
    let src = format!("{D}/qemu-6.1-bpf-map-create-unspec/ok.dat.gz");
    gen_dat::generate(&src, &path, 300_000, 2, 20_000).unwrap();
    let open = || {
        tracereport::read::open(
            &tracereport::read::InputPath::File(path.clone()),
            None,
            Default::default(),
        )
    };
    let mut text = Vec::new();
    std::io::Read::read_to_end(&mut { open().unwrap().reader }, &mut text).unwrap();
    if let Ok(o) = std::process::Command::new("trace-cmd")
        .args(["report", "-i"])
        .arg(&path)
        .output()
    {
        assert_eq!(
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&text)
        );
    }
    let tunings = [
        None,
        Some((1, 3, 2)),
        Some((2, 1, 1)),
        Some((3, 2, 3)),
        Some((1, 1, 0)),
    ];
    for t in tunings {
        let dat = open().unwrap().dat.unwrap();
        let mut r = match t {
            None => dat.records().unwrap(),
            Some((pages, depth, workers)) => dat
                .records_tuned(Tuning {
                    pages,
                    depth,
                    workers,
                })
                .unwrap(),
        };
        let names = r.names().unwrap();
        let mut lines = text.split(|&b| b == b'\n');
        let (mut leaves, mut split) = (0, 0);
        // Per CPU: the depth of its last record when that was an entry.
        let mut open_entry = std::collections::HashMap::new();
        let mut last_cpu = None;
        while let Some(b) = r.next_batch() {
            for it in &b.items {
                if let DatKind::Lines { start, end } = it.kind {
                    for l in b.text[start as usize..end as usize - 1].split(|&c| c == b'\n') {
                        assert_eq!(Some(l), lines.next(), "{t:?}");
                    }
                    open_entry.clear();
                    last_cpu = None;
                    continue;
                }
                let line = lines.next().unwrap();
                let rec = parse_line(InputFormat::TraceCmd, line).unwrap();
                let ctx = (t, String::from_utf8_lossy(line).into_owned());
                assert_eq!(rec.ts_ns, Some(it.ts_ns), "{ctx:?}");
                assert_eq!(rec.cpu, Some(it.cpu), "{ctx:?}");
                match (it.kind, rec.kind) {
                    (
                        DatKind::Entry { depth, func },
                        RecordKind::Entry {
                            depth: d, func: f, ..
                        },
                    ) => {
                        assert_eq!((depth, names.func(func)), (d, f), "{ctx:?}");
                    }
                    (
                        DatKind::Leaf { depth, func, .. },
                        RecordKind::Leaf {
                            depth: d, func: f, ..
                        },
                    ) => {
                        assert_eq!((depth, names.func(func)), (d, f), "{ctx:?}");
                        leaves += 1;
                    }
                    (
                        DatKind::Exit {
                            depth, duration_ns, ..
                        },
                        RecordKind::Exit { depth: d, .. },
                    ) => {
                        assert_eq!((depth, Some(duration_ns)), (d, rec.duration_ns), "{ctx:?}");
                        // An entry and its exit, apart: the other CPU came between.
                        if open_entry.get(&it.cpu) == Some(&depth) && last_cpu != Some(it.cpu) {
                            split += 1;
                        }
                    }
                    (DatKind::Event { .. }, RecordKind::Event { .. }) => {}
                    (a, b) => panic!("{ctx:?}: {a:?} read, the line is {b:?}"),
                }
                match it.kind {
                    DatKind::Entry { depth, .. } => open_entry.insert(it.cpu, depth),
                    _ => open_entry.remove(&it.cpu),
                };
                last_cpu = Some(it.cpu);
            }
        }
        assert_eq!(
            lines.next(),
            Some(&b""[..]),
            "{t:?}: text after the records"
        );
        // Both ways of an entry met: folded, and left open by the other CPU.
        assert!(
            leaves > 100 && split > 0,
            "{t:?}: {leaves} leaves, {split} split"
        );
    }
}
