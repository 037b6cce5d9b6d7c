//! The aligner on real good/bad pairs.
//!
//! `align/*`: `align()` alone on the paired syscall trees of a fixture pair
//! (trees prepared once). `analyse/*`: the whole analysis of the pair
//! (pairing, alignment, divergence, origin, gaps, verdict).

use std::{hint::black_box, path::Path};

use criterion::{Criterion, criterion_group, criterion_main};
use tracereport::{
    analyse::{self, AnalyseOptions, Noise, align::align, side::GlobalNames, side::Side},
    model::{
        BuildOptions,
        ingest::{Capture, CaptureInput, read_capture},
    },
    read::InputPath,
};

/// Good/bad pairs from the real corpus, small to large trees.
const PAIRS: &[(&str, &str, &str)] = &[
    (
        "bpf-xskmap-6.12-retval",
        "tests/fixtures/captures/xskmap-noxdpsockets-6.12/ok--funcgraph-retval+funcgraph-tail.log",
        "tests/fixtures/captures/xskmap-noxdpsockets-6.12/bad--funcgraph-retval+funcgraph-tail.log",
    ),
    (
        "openat-enoent",
        "tests/fixtures/captures/qemu-6.1/openat-enoent/ok.log",
        "tests/fixtures/captures/qemu-6.1/openat-enoent/bad.log",
    ),
    (
        "mkdir-eexist",
        "tests/fixtures/captures/qemu-6.1/mkdir-eexist/ok.log",
        "tests/fixtures/captures/qemu-6.1/mkdir-eexist/bad.log",
    ),
    (
        "busy-2cpu-vs-lost-events",
        "tests/fixtures/captures/qemu-6.1/busy-2cpu/graph-syscalls.log.gz",
        "tests/fixtures/captures/qemu-6.1/lost-events/trace_pipe.log.gz",
    ),
];

fn capture(path: &str) -> Capture {
    let input = CaptureInput {
        path: InputPath::File(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)),
        label: path.rsplit('/').next().unwrap_or(path).into(),
        format: None,
    };
    read_capture(&input, &BuildOptions::default(), None).unwrap()
}

fn benches(c: &mut Criterion) {
    let noise = Noise::new(&[]);
    for &(name, good, bad) in PAIRS {
        let caps = vec![capture(good), capture(bad)];
        let analysis = analyse::analyse(&caps, &AnalyseOptions::default());
        let plan = &analysis
            .comparisons
            .first()
            .unwrap_or_else(|| panic!("{name}: no comparison"))
            .plan;
        let mut names = GlobalNames::default();
        let gs = &caps[plan.good.0].trace.syscalls[plan.good.1];
        let bs = &caps[plan.bad.0].trace.syscalls[plan.bad.1];
        let g = Side::new(&caps[plan.good.0].trace, gs, &mut names, &noise).unwrap();
        let b = Side::new(&caps[plan.bad.0].trace, bs, &mut names, &noise).unwrap();
        let nodes = g.tree.len() + b.tree.len();
        c.bench_function(&format!("align/{name} ({nodes} nodes)"), |bch| {
            bch.iter(|| align(black_box(&g), black_box(&b)))
        });
        c.bench_function(&format!("analyse/{name}"), |bch| {
            bch.iter(|| analyse::analyse(black_box(&caps), &AnalyseOptions::default()))
        });
    }
}

criterion_group!(align_benches, benches);
criterion_main!(align_benches);
