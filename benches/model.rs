//! The model builder alone, on records parsed beforehand: the one stage of
//! a full report that cannot use more than one core (issue 11 measures it
//! on a capture of many short syscalls, which `bench/run.sh short`
//! times end to end).

use std::{hint::black_box, io::Read, path::Path};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tracereport::{
    model::{BuildOptions, Builder},
    parse::{InputFormat, Record, parse_line},
};

/// A real 2-CPU capture at `max_graph_depth` 2: a syscall every few lines.
const SHORT: &str = "tests/fixtures/captures/qemu-6.1/busy-2cpu/all-depth2.log.gz";

/// Times the capture is fed per iteration (~1.6 MB of text each).
const REPEAT: usize = 8;

fn load(path: &str) -> Vec<u8> {
    let raw = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap();
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(&raw[..])
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn build(c: &mut Criterion) {
    let text = load(SHORT);
    let records: Vec<(usize, Record<'_>)> = text
        .split(|&b| b == b'\n')
        .filter_map(|l| Some((l.len(), parse_line(InputFormat::Graph, l).ok()?)))
        .collect();
    let mut g = c.benchmark_group("build");
    g.sample_size(20);
    g.throughput(Throughput::Bytes((text.len() * REPEAT) as u64));
    g.bench_function("many-short-syscalls", |b| {
        b.iter(|| {
            let mut builder = Builder::new(InputFormat::Graph, BuildOptions::default());
            let mut line = 0;
            for _ in 0..REPEAT {
                for (len, rec) in &records {
                    line += 1;
                    builder.count_line(*len);
                    builder.push(line, black_box(rec));
                }
            }
            builder.finish()
        })
    });
    g.finish();
}

criterion_group!(benches, build);
criterion_main!(benches);
