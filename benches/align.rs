//! The aligner on real good/bad pairs.
//!
//! `align/*`: `align()` alone on the paired syscall trees of a fixture pair
//! (trees prepared once). `analyse/*`: the whole analysis of the pair
//! (pairing, alignment, divergence, origin, gaps, verdict).
//!
//! `align/100k-calls-each` is issue 3's bound (two captures of 100 000
//! calls each aligned in under a second): the real QEMU 6.1
//! `bpf(BPF_MAP_CREATE)` pair with the ok run's `__x64_sys_bpf()` body
//! (the kernel's lines as printed) repeated inside both runs' wrapper, the
//! bad run's own failing tail after it. In the bad run each copy lacks a
//! different leaf call, so no copy's subtree hash matches the good run's and
//! the diff runs through every level.

use std::{hint::black_box, path::Path};

use criterion::{Criterion, criterion_group, criterion_main};
use tracereport::{
    analyse::{
        self, AnalyseOptions, Noise,
        align::{AlignWork, align},
        side::GlobalNames,
        side::Side,
    },
    load::{Capture, CaptureInput, read_capture},
    model::BuildOptions,
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
    capture_at(&Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
}

fn capture_at(path: &Path) -> Capture {
    let input = CaptureInput {
        path: InputPath::File(path.to_path_buf()),
        label: path.file_name().unwrap().to_string_lossy().into_owned(),
        format: None,
        digest: Default::default(),
    };
    read_capture(&input, &BuildOptions::default(), None).unwrap()
}

/// The function column of a function_graph line (after the first `|`).
fn fn_column(line: &str) -> Option<&str> {
    (!line.starts_with('#')).then(|| line.split_once('|').map(|(_, f)| f))?
}

/// Index of the `__x64_sys_bpf() {` line and of its `}`.
fn wrapper(lines: &[&str]) -> (usize, usize) {
    let start = lines
        .iter()
        .position(|l| fn_column(l).is_some_and(|f| f.trim() == "__x64_sys_bpf() {"))
        .unwrap();
    let f = fn_column(lines[start]).unwrap();
    let indent = f.len() - f.trim_start().len();
    let end = (start + 1..lines.len())
        .find(|&i| {
            fn_column(lines[i]).is_some_and(|f| {
                f.trim().starts_with('}') && f.len() - f.trim_start().len() == indent
            })
        })
        .unwrap();
    (start, end)
}

/// Two captures of about `calls` calls each, written under `dir`.
fn big_pair(dir: &Path, calls: usize) -> (Capture, Capture) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/captures/qemu-6.1/bpf-map-create-unspec");
    let ok_text = std::fs::read_to_string(src.join("ok.log")).unwrap();
    let bad_text = std::fs::read_to_string(src.join("bad.log")).unwrap();
    let ok: Vec<&str> = ok_text.lines().collect();
    let bad: Vec<&str> = bad_text.lines().collect();
    let (start, end) = wrapper(&ok);
    let inner = &ok[start + 1..end];
    let is_call = |l: &&&str| {
        fn_column(l).is_some_and(|f| {
            let f = f.trim_end();
            (f.ends_with('{') || f.ends_with(';')) && !f.trim_start().starts_with("/*")
        })
    };
    let per_copy = inner.iter().filter(is_call).count();
    let leaves: Vec<usize> = (0..inner.len())
        .filter(|&i| fn_column(inner[i]).is_some_and(|f| f.trim_end().ends_with("();")))
        .collect();
    let reps = calls.div_ceil(per_copy);
    let mut good = ok[..=start].join("\n");
    let (bstart, _) = wrapper(&bad);
    let mut worse = bad[..=bstart].join("\n");
    for k in 0..reps {
        let skip = inner_index(&leaves, k);
        for (i, l) in inner.iter().enumerate() {
            good.push('\n');
            good.push_str(l);
            if i != skip {
                worse.push('\n');
                worse.push_str(l);
            }
        }
    }
    for l in &ok[end..] {
        good.push('\n');
        good.push_str(l);
    }
    for l in &bad[bstart + 1..] {
        worse.push('\n');
        worse.push_str(l);
    }
    let (g, b) = (dir.join("good.log"), dir.join("bad.log"));
    std::fs::write(&g, good + "\n").unwrap();
    std::fs::write(&b, worse + "\n").unwrap();
    (capture_at(&g), capture_at(&b))
}

/// The leaf line copy `k` of the bad run lacks.
fn inner_index(leaves: &[usize], k: usize) -> usize {
    leaves[k % leaves.len()]
}

/// The paired syscalls' trees of the first comparison, prepared.
fn sides<'a>(caps: &'a [Capture], names: &mut GlobalNames, noise: &Noise) -> (Side<'a>, Side<'a>) {
    let analysis = analyse::analyse(caps, &AnalyseOptions::default());
    let plan = &analysis.comparisons.first().expect("a comparison").plan;
    let gs = &caps[plan.good.0].trace.syscalls[plan.good.1];
    let bs = &caps[plan.bad.0].trace.syscalls[plan.bad.1];
    let g = Side::new(&caps[plan.good.0].trace, gs, names, noise).unwrap();
    let b = Side::new(&caps[plan.bad.0].trace, bs, names, noise).unwrap();
    (g, b)
}

fn benches(c: &mut Criterion) {
    let noise = Noise::new(&[]);
    for &(name, good, bad) in PAIRS {
        let caps = vec![capture(good), capture(bad)];
        let mut names = GlobalNames::default();
        let (g, b) = sides(&caps, &mut names, &noise);
        let nodes = g.tree.len() + b.tree.len();
        c.bench_function(&format!("align/{name} ({nodes} nodes)"), |bch| {
            bch.iter(|| align(black_box(&g), black_box(&b), &AlignWork::default()))
        });
        c.bench_function(&format!("analyse/{name}"), |bch| {
            bch.iter(|| analyse::analyse(black_box(&caps), &AnalyseOptions::default()))
        });
    }
    let dir = tempfile::tempdir().unwrap();
    let (g, b) = big_pair(dir.path(), 100_000);
    let caps = vec![g, b];
    let mut names = GlobalNames::default();
    let (g, b) = sides(&caps, &mut names, &noise);
    let mut group = c.benchmark_group("align/100k-calls-each");
    group.sample_size(10);
    group.bench_function(
        format!("{} + {} nodes", g.tree.len(), b.tree.len()),
        |bch| bch.iter(|| align(black_box(&g), black_box(&b), &AlignWork::default())),
    );
    group.bench_function("whole analysis", |bch| {
        bch.iter(|| analyse::analyse(black_box(&caps), &AnalyseOptions::default()))
    });
    group.finish();
}

criterion_group!(align_benches, benches);
criterion_main!(align_benches);
