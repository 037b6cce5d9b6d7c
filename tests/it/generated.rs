//! The benchmark's capture generator (`bench/gen/`) makes what it claims:
//! tracereport reads its output without a single warning and counts the
//! same lines, calls, context switches and syscall events it wrote. So the
//! benchmark files are realistic captures, not noise the parser rejects.

#[path = "../../bench/gen/generate.rs"]
#[allow(dead_code)]
mod generate;

use std::path::PathBuf;

use tracereport::{
    load::{Capture, CaptureInput, read_capture},
    model::BuildOptions,
    read::InputPath,
};

fn sources() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    generate::DEFAULT_SOURCES
        .iter()
        .map(|p| root.join(p))
        .collect()
}

fn check(opts: &generate::Options) {
    let (pool, stats) = generate::Pool::load(&sources()).unwrap();
    assert!(stats.iter().all(|s| s.units > 0), "{stats:?}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gen.log");
    let mut out = Vec::new();
    let mut perf = Vec::new();
    let sum = generate::generate(&pool, opts, &mut out, Some(&mut perf)).unwrap();
    std::fs::write(&path, &out).unwrap();
    assert_eq!(sum.bytes, out.len() as u64);
    assert!(sum.bytes >= opts.target_bytes);
    assert!(sum.perf_bytes * 10 >= sum.bytes * 9, "{sum:?}");
    assert!(sum.sys_enter > 0 && sum.switches > 0, "{sum:?}");

    let input = CaptureInput {
        path: InputPath::File(path),
        label: "gen".into(),
        format: None,
        digest: Default::default(),
    };
    let c = read_capture(&input, &BuildOptions::default(), None).unwrap();
    let f = &c.trace.facts;
    assert_eq!(c.trace.warnings.total(), 0, "{:?}", c.trace.warnings.kept());
    assert_eq!(f.lines, sum.lines);
    assert_eq!(f.calls, sum.calls);
    assert_eq!(f.context_switches, sum.switches);
    assert_eq!(f.sys_enter_events, sum.sys_enter);
    assert_eq!(f.sys_exit_events, sum.sys_exit);
    assert_eq!(f.cpus.len(), opts.cpus);
    assert_eq!(f.col_proc, opts.proc);
    assert_eq!(f.col_abstime, opts.abstime);
    // Failing syscalls of the sources come through with their errno.
    assert!(
        c.trace
            .groups
            .iter()
            .any(|g| g.outcome != tracereport::model::Outcome::Ok)
    );
    // The perf-script stacks are real `perf script` samples.
    let text = String::from_utf8(perf).unwrap();
    let first = text.lines().next().unwrap();
    assert!(first.contains("cpu-clock:"), "{first}");
    assert!(text.contains("\t") && text.contains("([kernel.kallsyms])"));
}

#[test]
fn default_layout_reads_without_warnings() {
    check(&generate::Options {
        target_bytes: 2_000_000,
        ..generate::Options::default()
    });
}

#[test]
fn proc_and_abstime_columns_read_without_warnings() {
    check(&generate::Options {
        target_bytes: 1_000_000,
        cpus: 12,
        tasks: 30,
        abstime: true,
        proc: true,
        seed: 7,
        ..generate::Options::default()
    });
}

/// A capture of `read()` calls, one per return value in `rets` (as the
/// exit event prints it), each making `calls` traced calls (the wrapper and
/// `calls - 1` leaves), read with `max_tree_calls`.
fn big_reads(rets: &[&str], calls: usize, max_tree_calls: usize) -> Capture {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("reads.log");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    for ret in rets {
        writeln!(
            f,
            " 0)               |  /* sys_read(fd: 3, buf: 7ffd0, count: 1000) */"
        )
        .unwrap();
        writeln!(f, " 0)               |  __x64_sys_read() {{").unwrap();
        for _ in 1..calls {
            writeln!(f, " 0)   0.211 us    |    kfree();").unwrap();
        }
        writeln!(f, " 0) ! 999.999 us  |  }}").unwrap();
        writeln!(f, " 0)               |  /* sys_read -> {ret} */").unwrap();
    }
    drop(f);
    let input = CaptureInput {
        path: InputPath::File(path),
        label: "reads".into(),
        format: None,
        digest: Default::default(),
    };
    let opts = BuildOptions {
        max_tree_calls,
        ..BuildOptions::default()
    };
    read_capture(&input, &opts, None).unwrap()
}

/// A syscall with more calls than a tree keeps: the tree is cut (a
/// pre-order prefix), every call is still counted, and a warning says so.
#[test]
fn a_huge_syscall_tree_is_cut_and_counted() {
    let max = 5_000;
    let n = max + 1000;
    let c = big_reads(&["0x3e8"], n, max);
    let s = &c.trace.syscalls[0];
    assert_eq!(s.ret, Some(1000));
    assert_eq!(s.calls, n as u64);
    let tree = s.tree.as_ref().unwrap();
    assert_eq!(tree.len(), max);
    assert_eq!(tree.nodes[0].end as usize, tree.len());
    assert_eq!(tree.nodes[0].duration_ns, Some(999_999));
    let w = tracereport::model::WarningKind::TreeTruncated;
    assert_eq!(c.trace.warnings.count(w), 1);
}

/// Kept trees share a budget of calls: big successful syscalls fill it, a
/// failing one still gets in by displacing the latest successful one.
#[test]
fn kept_trees_share_a_budget_of_calls() {
    let max = 5_000;
    let budget = BuildOptions {
        max_tree_calls: max,
        ..BuildOptions::default()
    }
    .kept_calls_budget();
    let c = big_reads(
        &["0x3e8", "0x3e8", "0xfffffffffffffff2"],
        budget * 2 / 5,
        max,
    );
    let kept: Vec<_> = c.trace.syscalls.iter().map(|s| (s.index, s.ret)).collect();
    assert_eq!(kept, vec![(0, Some(1000)), (2, Some(-14))]);
    let total: u64 = c.trace.groups.iter().map(|g| g.count).sum();
    assert_eq!(total, 3);
}
