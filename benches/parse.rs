//! The line parser and the reader on real fixture lines.
//!
//! `parse_line/*`: every line of a real capture through `parse_line`, per
//! format (throughput in bytes of text). `read_capture/*`: the whole reading
//! stage (split, parse, build tasks, syscalls, trees and call paths) on the
//! same capture, decompressed into a temporary file first.

use std::{hint::black_box, io::Read, path::Path};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tracereport::{
    load::{CaptureInput, read_capture},
    model::BuildOptions,
    parse::{InputFormat, parse_line},
    read::InputPath,
};

/// Real captures, one per format and layout.
const SAMPLES: &[(&str, InputFormat, &str)] = &[
    (
        "graph-default",
        InputFormat::Graph,
        "tests/fixtures/captures/qemu-6.1/lost-events/trace_pipe.log.gz",
    ),
    (
        "graph-proc-abstime",
        InputFormat::Graph,
        "tests/fixtures/captures/qemu-6.1/busy-2cpu/graph-syscalls-proc-abstime.log.gz",
    ),
    (
        "function",
        InputFormat::Function,
        "tests/fixtures/captures-new/perf-ftrace-fn-bpf-map-create-unspec-6.1/ok.log.gz",
    ),
    (
        "trace-cmd-function",
        InputFormat::TraceCmd,
        "tests/fixtures/captures-new/tracecmd-fn-openat-enoent-6.1/ok.log.gz",
    ),
];

fn load(path: &str) -> Vec<u8> {
    let raw = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap();
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .unwrap();
        out
    } else {
        raw
    }
}

fn parse_lines(c: &mut Criterion) {
    let mut g = c.benchmark_group("parse_line");
    for &(name, format, path) in SAMPLES {
        let text = load(path);
        let lines: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
        // The bench is only meaningful if the lines are the format's.
        let ok = lines
            .iter()
            .filter(|l| parse_line(format, l).is_ok())
            .count();
        assert!(ok * 10 >= lines.len() * 9, "{name}: {ok}/{}", lines.len());
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function(name, |b| {
            b.iter(|| {
                for l in &lines {
                    let _ = black_box(parse_line(format, black_box(l)));
                }
            })
        });
    }
    g.finish();
}

fn read_captures(c: &mut Criterion) {
    let mut g = c.benchmark_group("read_capture");
    g.sample_size(20);
    let dir = tempfile::tempdir().unwrap();
    for &(name, _, path) in SAMPLES {
        let text = load(path);
        let file = dir.path().join(format!("{name}.log"));
        std::fs::write(&file, &text).unwrap();
        let input = CaptureInput {
            path: InputPath::File(file),
            label: name.into(),
            format: None,
            digest: Default::default(),
        };
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function(name, |b| {
            b.iter(|| read_capture(&input, &BuildOptions::default(), None).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, parse_lines, read_captures);
criterion_main!(benches);
