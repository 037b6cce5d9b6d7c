//! Every line form the parser knows, each with real lines: copied byte for
//! byte from the captures under `tests/fixtures/` (file and line given), or,
//! where the corpus has no example, from a public source named next to it.
//! Each line is checked against the whole [`Record`] it must give.

use super::{
    HeaderLine, InputFormat, Record, RecordKind, RetVal, TaskRef, detect_format, parse_line,
};

use InputFormat::{Function as Fn, Graph, TraceCmd as Tc};

/// A record under construction: the kind plus the columns a line printed.
#[derive(Clone)]
struct R(Record<'static>);

fn rec(kind: RecordKind<'static>) -> R {
    R(Record::bare(kind))
}

impl R {
    fn cpu(mut self, c: u32) -> Self {
        self.0.cpu = Some(c);
        self
    }
    fn task(mut self, comm: &'static [u8], pid: u32) -> Self {
        self.0.task = Some(TaskRef { comm, pid });
        self
    }
    fn ts(mut self, ns: u64) -> Self {
        self.0.ts_ns = Some(ns);
        self
    }
    fn dur(mut self, ns: u64) -> Self {
        self.0.duration_ns = Some(ns);
        self
    }
    fn flags(mut self, f: &'static [u8]) -> Self {
        self.0.flags = Some(f);
        self
    }
}

fn entry(depth: u32, func: &'static [u8]) -> RecordKind<'static> {
    RecordKind::Entry {
        depth,
        func,
        args: None,
    }
}

fn entry_args(depth: u32, func: &'static [u8], args: &'static [u8]) -> RecordKind<'static> {
    RecordKind::Entry {
        depth,
        func,
        args: Some(args),
    }
}

fn leaf(depth: u32, func: &'static [u8]) -> RecordKind<'static> {
    RecordKind::Leaf {
        depth,
        func,
        ret: None,
        args: None,
    }
}

fn leaf_ret(depth: u32, func: &'static [u8], raw: i64, hex: bool) -> RecordKind<'static> {
    RecordKind::Leaf {
        depth,
        func,
        ret: Some(RetVal { raw, hex }),
        args: None,
    }
}

fn exit(depth: u32) -> RecordKind<'static> {
    RecordKind::Exit {
        depth,
        func: None,
        ret: None,
    }
}

fn exit_named(depth: u32, func: &'static [u8]) -> RecordKind<'static> {
    RecordKind::Exit {
        depth,
        func: Some(func),
        ret: None,
    }
}

fn exit_ret(depth: u32, func: &'static [u8], raw: i64) -> RecordKind<'static> {
    RecordKind::Exit {
        depth,
        func: Some(func),
        ret: Some(RetVal { raw, hex: false }),
    }
}

fn comment(text: &'static [u8]) -> RecordKind<'static> {
    RecordKind::Comment { text, closed: true }
}

fn event(name: &'static [u8], text: &'static [u8]) -> RecordKind<'static> {
    RecordKind::Event { name, text }
}

fn call(func: &'static [u8], parent: &'static [u8]) -> RecordKind<'static> {
    RecordKind::Call {
        func,
        parent: Some(parent),
        indent: None,
        args: None,
    }
}

fn tc_call(func: &'static [u8], parent: Option<&'static [u8]>, indent: u32) -> RecordKind<'static> {
    RecordKind::Call {
        func,
        parent,
        indent: Some(indent),
        args: None,
    }
}

/// `(source, format, line, expected)`.
type Case = (&'static str, InputFormat, &'static [u8], R);

fn check(cases: &[Case]) {
    for (src, format, line, want) in cases {
        assert_in_fixture(src, line);
        let got = parse_line(*format, line)
            .unwrap_or_else(|e| panic!("{src}: {:?} did not parse: {e:?}", line.escape_ascii()));
        assert_eq!(got, want.0, "{src}: {}", line.escape_ascii());
    }
}

/// A case that names a fixture must quote one of its lines exactly (the
/// kernel docs' examples keep their reStructuredText indentation instead).
fn assert_in_fixture(src: &str, line: &[u8]) {
    let Some(rest) = src
        .strip_prefix("captures-new/")
        .map(|r| format!("{NEW}/{r}"))
        .or_else(|| {
            src.strip_prefix("captures/")
                .map(|r| format!("tests/fixtures/captures/{r}"))
        })
    else {
        return;
    };
    let file = rest.split([':', ' ']).next().unwrap_or(&rest);
    let path = format!("{}/{file}", env!("CARGO_MANIFEST_DIR"));
    let raw = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let text = if file.ends_with(".gz") {
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(&raw[..]), &mut out)
            .unwrap();
        out
    } else {
        raw
    };
    let found = text.split(|&b| b == b'\n').position(|l| l == line);
    let Some(found) = found else {
        panic!("{src}: line not in {file}: {}", line.escape_ascii());
    };
    if let Some(n) = rest
        .strip_prefix(file)
        .and_then(|r| r.strip_prefix(':'))
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse::<usize>().ok())
    {
        assert_eq!(found + 1, n, "{src}: the line is line {}", found + 1);
    }
}

const QEMU: &str = "tests/fixtures/captures/qemu-6.1";
const NEW: &str = "tests/fixtures/captures-new";

#[test]
fn function_graph_default_columns() {
    check(&[
        (
            "captures-new/bpf-map-create-unspec-7.3/ok.log:5",
            Graph,
            b" 0) + 51.927 us   |  mutex_unlock();",
            rec(leaf(0, b"mutex_unlock")).cpu(0).dur(51_927),
        ),
        (
            "captures-new/bpf-map-create-unspec-7.3/ok.log:8",
            Graph,
            b" 0)               |  __x64_sys_bpf() {",
            rec(entry(0, b"__x64_sys_bpf")).cpu(0),
        ),
        (
            "captures-new/bpf-map-create-unspec-7.3/ok.log:6",
            Graph,
            b" 0)               |  /* bpfcase map_array begin */",
            rec(comment(b"bpfcase map_array begin")).cpu(0),
        ),
        (
            "captures-new/bpf-map-create-unspec-7.3/ok.log:7 (7.3: hex with 0x, 5 arguments)",
            Graph,
            b" 0)               |  /* sys_bpf(cmd: 0, uattr: 0x7ffd574f3c60, size: 0x90, uattr_common: 2, size_common: 0x7ffd574f3c60) */",
            rec(comment(b"sys_bpf(cmd: 0, uattr: 0x7ffd574f3c60, size: 0x90, uattr_common: 2, size_common: 0x7ffd574f3c60)")).cpu(0),
        ),
        (
            "captures-new/bpf-map-create-unspec-7.3/ok.log (`#` mark: over 1 ms)",
            Graph,
            b" 0) # 1032.768 us |  }",
            rec(exit(0)).cpu(0).dur(1_032_768),
        ),
        (
            "captures/blog-xskmap/xskmap-einval.log:1 (trace_pipe, 6.x without 0x)",
            Graph,
            b" 0)               |  /* sys_bpf(cmd: 0, uattr: c000097058, size: 40) */",
            rec(comment(b"sys_bpf(cmd: 0, uattr: c000097058, size: 40)")).cpu(0),
        ),
        (
            "captures/blog-xskmap/xskmap-einval.log:3",
            Graph,
            b" 0)   0.239 us    |    bpf_check_uarg_tail_zero();",
            rec(leaf(1, b"bpf_check_uarg_tail_zero")).cpu(0).dur(239),
        ),
        (
            "captures/blog-xskmap/xskmap-einval.log:6 (exit named: entry not matched by the reader)",
            Graph,
            b" 0)   0.602 us    |    } /* __check_object_size */",
            rec(exit_named(1, b"__check_object_size")).cpu(0).dur(602),
        ),
        (
            "captures/qemu-6.1/lost-events/trace_pipe.log.gz:1",
            Graph,
            b"CPU:1 [LOST 71400 EVENTS]",
            rec(RecordKind::Lost {
                cpu: 1,
                count: Some(71_400),
            }),
        ),
        (
            "captures/qemu-6.1/busy-2cpu/graph-syscalls.log.gz:5979",
            Graph,
            b" 0)     ls-104     =>  bpfcase-102  ",
            rec(RecordKind::ContextSwitch {
                cpu: 0,
                from: TaskRef {
                    comm: b"ls",
                    pid: 104,
                },
                to: TaskRef {
                    comm: b"bpfcase",
                    pid: 102,
                },
            })
            .cpu(0),
        ),
        (
            "captures/qemu-6.1/busy-2cpu/graph-syscalls.log.gz:5978",
            Graph,
            b" ------------------------------------------",
            rec(RecordKind::Rule),
        ),
        (
            "captures-new/perf-ftrace-graph-bpf-map-create-unspec-6.1/ok.log:82 (perf's chunked trace_pipe read names the exit)",
            Graph,
            b" 0) ! 372.743 us  |        } /* __hrtimer_run_queues */",
            rec(exit_named(3, b"__hrtimer_run_queues")).cpu(0).dur(372_743),
        ),
    ]);
}

#[test]
fn function_graph_retval_6_12_and_kernel_docs() {
    check(&[
        (
            "captures/xskmap-noxdpsockets-6.12/bad--funcgraph-retval.log:5 (pointer in hex)",
            Graph,
            b" 0) + 11.046 us   |  mutex_unlock(); /* = 0xff110000023ba980 */",
            rec(leaf_ret(
                0,
                b"mutex_unlock",
                0xff110000023ba980u64 as i64,
                true,
            ))
            .cpu(0)
            .dur(11_046),
        ),
        (
            "captures/xskmap-noxdpsockets-6.12/bad--funcgraph-retval.log:10",
            Graph,
            b" 0)   1.092 us    |      bpf_check_uarg_tail_zero(); /* = 0x0 */",
            rec(leaf_ret(2, b"bpf_check_uarg_tail_zero", 0, true))
                .cpu(0)
                .dur(1_092),
        ),
        (
            "captures/xskmap-noxdpsockets-6.12/bad--funcgraph-retval.log:11 (errno in decimal)",
            Graph,
            b" 0)   4.887 us    |    } /* __sys_bpf = -22 */",
            rec(exit_ret(1, b"__sys_bpf", -22)).cpu(0).dur(4_887),
        ),
        (
            "captures/xskmap-noxdpsockets-6.12/bad--funcgraph-retval.log:13",
            Graph,
            b" 0)               |  /* sys_bpf -> 0xffffffffffffffea */",
            rec(comment(b"sys_bpf -> 0xffffffffffffffea")).cpu(0),
        ),
        (
            "torvalds/linux Documentation/trace/ftrace.rst, \"Example with funcgraph-retval\"",
            Graph,
            b"    1)   2.335 us    |        } /* cpu_cgroup_can_attach = -22 */",
            rec(exit_ret(3, b"cpu_cgroup_can_attach", -22))
                .cpu(1)
                .dur(2_335),
        ),
        (
            "torvalds/linux Documentation/trace/ftrace.rst, \"Example with funcgraph-retval\"",
            Graph,
            b"    1)   1.232 us    |          } /* cgroup_taskset_first = 0xffff93fc8fb20000 */",
            rec(RecordKind::Exit {
                depth: 4,
                func: Some(b"cgroup_taskset_first"),
                ret: Some(RetVal {
                    raw: 0xffff93fc8fb20000u64 as i64,
                    hex: true,
                }),
            })
            .cpu(1)
            .dur(1_232),
        ),
        (
            "perf ftrace -G vfs_write --graph-opts retval,retaddr (LKML perf-ftrace patch, 2025): retaddr on an entry",
            Graph,
            b" 5)               |  mutex_unlock() { /* <-rb_simple_write+0xda/0x150 */",
            rec(entry(0, b"mutex_unlock")).cpu(5),
        ),
        (
            "perf ftrace --graph-opts retval,retaddr (LKML, 2025): `ret=` syntax after the retaddr",
            Graph,
            b" 5)   0.123 us    |        preempt_count_add(); /* <-_raw_spin_lock_irqsave+0x23/0x90 ret=0x0 */",
            rec(leaf_ret(3, b"preempt_count_add", 0, true)).cpu(5).dur(123),
        ),
        (
            "perf ftrace --graph-opts retval,retaddr (LKML, 2025)",
            Graph,
            b" 5)   0.188 us    |    local_clock(); /* <-lock_release+0x2ad/0x440 ret=0x3bf2a3cf90e */",
            rec(leaf_ret(1, b"local_clock", 0x3bf2a3cf90e, true)).cpu(5).dur(188),
        ),
        (
            "torvalds/linux Documentation/trace/ftrace.rst, overhead marks (`@` over 100 ms)",
            Graph,
            b"    1) @ 119760.2 us |  }",
            rec(exit(0)).cpu(1).dur(119_760_200),
        ),
        (
            "torvalds/linux Documentation/trace/ftrace.rst, overhead marks (`$` over 1 s)",
            Graph,
            b"    2) $ 3594274 us  |  }",
            rec(exit(0)).cpu(2).dur(3_594_274_000),
        ),
        (
            "torvalds/linux Documentation/trace/ftrace.rst, funcgraph-proc example",
            Graph,
            b"    0)    sh-4802     |               |                  d_free() {",
            rec(entry(8, b"d_free")).cpu(0).task(b"sh", 4802),
        ),
    ]);
}

#[test]
fn function_graph_proc_abstime_tail_args() {
    check(&[
        (
            "captures-new/bpf-map-create-unspec--funcgraph-args+funcgraph-proc+funcgraph-abstime+funcgraph-tail-7.3/bad.log:5",
            Graph,
            b"  264.868558 |   0)  bpfcase-432   | + 49.283 us   |  mutex_unlock(lock=0xffffffffb0204d60);",
            rec(RecordKind::Leaf {
                depth: 0,
                func: b"mutex_unlock",
                ret: None,
                args: Some(b"lock=0xffffffffb0204d60"),
            })
            .ts(264_868_558_000)
            .cpu(0)
            .task(b"bpfcase", 432)
            .dur(49_283),
        ),
        (
            "captures-new/bpf-map-create-unspec--funcgraph-args+funcgraph-proc+funcgraph-abstime+funcgraph-tail-7.3/bad.log:9 (BTF args with enum, struct, `...`)",
            Graph,
            b"  264.869059 |   0)  bpfcase-432   |               |    __sys_bpf(cmd=0 [BPF_MAP_CREATE], uattr=(STRUCT)[0x7ffef6ef9a70:0x0], size=0x90, uattr_common=(STRUCT)[0x0:0x0], ...) {",
            rec(entry_args(
                1,
                b"__sys_bpf",
                b"cmd=0 [BPF_MAP_CREATE], uattr=(STRUCT)[0x7ffef6ef9a70:0x0], size=0x90, uattr_common=(STRUCT)[0x0:0x0], ...",
            ))
            .ts(264_869_059_000)
            .cpu(0)
            .task(b"bpfcase", 432),
        ),
        (
            "captures-new/bpf-map-create-unspec--funcgraph-args+funcgraph-proc+funcgraph-abstime+funcgraph-tail-7.3/bad.log:10",
            Graph,
            b"  264.869065 |   0)  bpfcase-432   |   4.578 us    |      bpf_check_uarg_tail_zero(uaddr=(STRUCT)[0x7ffef6ef9a70:0x0], expected_size=0xa8, actual_size=0x90);",
            rec(RecordKind::Leaf {
                depth: 2,
                func: b"bpf_check_uarg_tail_zero",
                ret: None,
                args: Some(b"uaddr=(STRUCT)[0x7ffef6ef9a70:0x0], expected_size=0xa8, actual_size=0x90"),
            })
            .ts(264_869_065_000)
            .cpu(0)
            .task(b"bpfcase", 432)
            .dur(4_578),
        ),
        (
            "captures-new/bpf-map-create-unspec--funcgraph-args+funcgraph-proc+funcgraph-abstime+funcgraph-tail-7.3/bad.log:25 (funcgraph-tail)",
            Graph,
            b"  264.869192 |   0)  bpfcase-432   | ! 133.370 us  |    } /* __sys_bpf */",
            rec(exit_named(1, b"__sys_bpf"))
                .ts(264_869_192_000)
                .cpu(0)
                .task(b"bpfcase", 432)
                .dur(133_370),
        ),
        (
            "captures-new/hostile-comm-graph-bpf-map-create-unspec-7.3/bad.log:8 (comm cut at 7 bytes, not UTF-8)",
            Graph,
            b" 0)  <b>\xff\xe2\"x-246   |               |  __x64_sys_bpf() {",
            rec(entry(0, b"__x64_sys_bpf"))
                .cpu(0)
                .task(b"<b>\xff\xe2\"x", 246),
        ),
    ]);
}

#[test]
fn function_graph_latency_format_and_perf_verbose() {
    check(&[
        (
            "captures-new/latency-format-graph-bpf-map-create-unspec-6.1/bad.log:20",
            Graph,
            b" 0)  ...1. |               |  __x64_sys_bpf() {",
            rec(entry(0, b"__x64_sys_bpf")).cpu(0).flags(b"...1."),
        ),
        (
            "captures-new/latency-format-graph-bpf-map-create-unspec-7.3/bad.log:17",
            Graph,
            b" 0)  ...1. | + 26.951 us   |  mutex_unlock();",
            rec(leaf(0, b"mutex_unlock"))
                .cpu(0)
                .flags(b"...1.")
                .dur(26_951),
        ),
        (
            "captures-new/perf-ftrace-graph-verbose-bpf-map-create-unspec-6.1/bad.log:4 (--graph-opts verbose)",
            Graph,
            b"   55.522457 |   0)  bpfcase-257   |  ...1. |               |  /* sys_bpf(cmd: 0, uattr: 7ffe48029570, size: 90) */",
            rec(comment(b"sys_bpf(cmd: 0, uattr: 7ffe48029570, size: 90)"))
                .ts(55_522_457_000)
                .cpu(0)
                .task(b"bpfcase", 257)
                .flags(b"...1."),
        ),
        (
            "captures-new/perf-ftrace-graph-verbose-bpf-map-create-unspec-6.1/ok.log:100",
            Graph,
            b"   45.938934 |   0)  bpfcase-225   |  d.h5. | + 77.496 us   |                                      } /* enqueue_task_fair */",
            rec(exit_named(18, b"enqueue_task_fair"))
                .ts(45_938_934_000)
                .cpu(0)
                .task(b"bpfcase", 225)
                .flags(b"d.h5.")
                .dur(77_496),
        ),
    ]);
}

#[test]
fn function_tracer_lines() {
    check(&[
        (
            "captures/qemu-6.1/fn-bpf-map-create-unspec/bad.log (irq-info on, 5 flags)",
            Fn,
            b"         bpfcase-884     [000] .....   237.041247: __x64_sys_bpf <-do_syscall_64",
            rec(call(b"__x64_sys_bpf", b"do_syscall_64"))
                .task(b"bpfcase", 884)
                .cpu(0)
                .flags(b".....")
                .ts(237_041_247_000),
        ),
        (
            "captures-new/fn-bpf-map-create-unspec--func-args-7.3/bad.log:416 (func-args)",
            Fn,
            b"         bpfcase-512     [000] ...1.   312.888636: __sys_bpf(cmd=0 [BPF_MAP_CREATE], uattr=(STRUCT)[0x7ffeef0ad290:0x0], size=0x90, uattr_common=(STRUCT)[0x0:0x0], ...) <-__x64_sys_bpf",
            rec(RecordKind::Call {
                func: b"__sys_bpf",
                parent: Some(b"__x64_sys_bpf"),
                indent: None,
                args: Some(b"cmd=0 [BPF_MAP_CREATE], uattr=(STRUCT)[0x7ffeef0ad290:0x0], size=0x90, uattr_common=(STRUCT)[0x0:0x0], ..."),
            })
            .task(b"bpfcase", 512)
            .cpu(0)
            .flags(b"...1.")
            .ts(312_888_636_000),
        ),
        (
            "captures-new/fn-bpf-map-create-unspec--func-args-7.3/bad.log:414 (syscall entry event)",
            Fn,
            b"         bpfcase-512     [000] .....   312.888625: sys_bpf(cmd: 0, uattr: 0x7ffeef0ad290, size: 0x90, uattr_common: 0, size_common: 0x7ffeef0ad290)",
            rec(event(b"", b"sys_bpf(cmd: 0, uattr: 0x7ffeef0ad290, size: 0x90, uattr_common: 0, size_common: 0x7ffeef0ad290)"))
                .task(b"bpfcase", 512)
                .cpu(0)
                .flags(b".....")
                .ts(312_888_625_000),
        ),
        (
            "captures-new/noirqinfo-fn-bpf-map-create-unspec-6.1/bad.log:336 (irq-info=0: no flags)",
            Fn,
            b"         bpfcase-196     [000]     58.691134: sys_bpf(cmd: 0, uattr: 7ffcf1c790d0, size: 90)",
            rec(event(b"", b"sys_bpf(cmd: 0, uattr: 7ffcf1c790d0, size: 90)"))
                .task(b"bpfcase", 196)
                .cpu(0)
                .ts(58_691_134_000),
        ),
        (
            "captures-new/hostile-comm-fn-bpf-map-create-unspec-7.3/bad.log:140 (whole 11-byte hostile comm)",
            Fn,
            b"     <b>\xff\xe2\"x</b>-286     [000] d.h3.   149.919903: __remove_hrtimer <-__hrtimer_run_queues",
            rec(call(b"__remove_hrtimer", b"__hrtimer_run_queues"))
                .task(b"<b>\xff\xe2\"x</b>", 286)
                .cpu(0)
                .flags(b"d.h3.")
                .ts(149_919_903_000),
        ),
        (
            "captures-new/latency-format-fn-bpf-map-create-unspec-6.1/bad.log:19 (latency-format, `+` delay mark)",
            Fn,
            b" bpfcase-156       0..... 11955us+: mutex_unlock <-rb_simple_write",
            rec(call(b"mutex_unlock", b"rb_simple_write"))
                .task(b"bpfcase", 156)
                .cpu(0)
                .flags(b".....")
                .ts(11_955_000),
        ),
        (
            "captures-new/latency-format-fn-bpf-map-create-unspec-6.1/bad.log:348",
            Fn,
            b" bpfcase-156       0...1. 12863us+: sys_bpf(cmd: 0, uattr: 7fff966d56f0, size: 90)",
            rec(event(b"", b"sys_bpf(cmd: 0, uattr: 7fff966d56f0, size: 90)"))
                .task(b"bpfcase", 156)
                .cpu(0)
                .flags(b"...1.")
                .ts(12_863_000),
        ),
        (
            "torvalds/linux Documentation/trace/ftrace.rst, function tracer (4 flags)",
            Fn,
            b"              bash-1977  [000] .... 17284.993652: sys_close <-system_call_fastpath",
            rec(call(b"sys_close", b"system_call_fastpath"))
                .task(b"bash", 1977)
                .cpu(0)
                .flags(b"....")
                .ts(17_284_993_652_000),
        ),
    ]);
}

#[test]
fn trace_cmd_report_lines() {
    check(&[
        (
            "captures-new/tracecmd-fn-bpf-map-create-unspec-6.1/bad.log.gz:1",
            Tc,
            b"cpus=1",
            rec(RecordKind::Header(HeaderLine::Other(b"cpus=1"))),
        ),
        (
            "captures-new/tracecmd-fn-bpf-map-create-unspec-6.1/bad.log.gz:15771 (plugin indent 0)",
            Tc,
            b"         bpfcase-149   [000]    33.621218: function:             __x64_sys_bpf",
            rec(tc_call(b"__x64_sys_bpf", None, 0))
                .task(b"bpfcase", 149)
                .cpu(0)
                .ts(33_621_218_000),
        ),
        (
            "captures-new/tracecmd-fn-bpf-map-create-unspec-6.1/bad.log.gz:15774 (plugin indent 3)",
            Tc,
            b"         bpfcase-149   [000]    33.621250: function:                      security_capable",
            rec(tc_call(b"security_capable", None, 3))
                .task(b"bpfcase", 149)
                .cpu(0)
                .ts(33_621_250_000),
        ),
        (
            "captures-new/tracecmd-fn-bpf-map-create-unspec-6.1/bad.log.gz:15769",
            Tc,
            b"         bpfcase-149   [000]    33.621189: sys_enter_bpf:        cmd: 0x00000000, uattr: 0x7fff93a18ae0, size: 0x00000090",
            rec(event(
                b"sys_enter_bpf",
                b"cmd: 0x00000000, uattr: 0x7fff93a18ae0, size: 0x00000090",
            ))
            .task(b"bpfcase", 149)
            .cpu(0)
            .ts(33_621_189_000),
        ),
        (
            "captures-new/tracecmd-fn-bpf-map-create-unspec-6.1/bad.log.gz:15785",
            Tc,
            b"         bpfcase-149   [000]    33.621377: sys_exit_bpf:         0xffffffffffffffea",
            rec(event(b"sys_exit_bpf", b"0xffffffffffffffea"))
                .task(b"bpfcase", 149)
                .cpu(0)
                .ts(33_621_377_000),
        ),
        (
            "captures/qemu-6.1/tracecmd-bpf-map-create-unspec/bad.log:7",
            Tc,
            b"         bpfcase-126   [000]    18.207425: funcgraph_entry:        2.053 us   |          cap_capable();",
            rec(leaf(4, b"cap_capable"))
                .task(b"bpfcase", 126)
                .cpu(0)
                .ts(18_207_425_000)
                .dur(2_053),
        ),
        (
            "captures/qemu-6.1/tracecmd-bpf-map-create-unspec/bad.log:10",
            Tc,
            b"         bpfcase-126   [000]    18.207444: funcgraph_exit:       + 23.515 us  |        }",
            rec(exit(3))
                .task(b"bpfcase", 126)
                .cpu(0)
                .ts(18_207_444_000)
                .dur(23_515),
        ),
        (
            "rostedt/trace-cmd Documentation/trace-cmd/trace-cmd-record.1.txt (function with parent)",
            Tc,
            b"           trace-cmd-13586 [003] 106467.860314: function:             up_read <-- do_page_fault",
            rec(tc_call(b"up_read", Some(b"do_page_fault"), 0))
                .task(b"trace-cmd", 13586)
                .cpu(3)
                .ts(106_467_860_314_000),
        ),
        (
            "rostedt/trace-cmd Documentation/trace-cmd/trace-cmd-record.1.txt (graph)",
            Tc,
            b"              <idle>-0     [000] 157412.933969: funcgraph_entry:                  |  do_IRQ() {",
            rec(entry(0, b"do_IRQ"))
                .task(b"<idle>", 0)
                .cpu(0)
                .ts(157_412_933_969_000),
        ),
        (
            "rostedt/trace-cmd Documentation/trace-cmd/trace-cmd-record.1.txt (event)",
            Tc,
            b"              <idle>-0     [000] 157412.933974: irq_handler_entry:    irq=48 name=eth0",
            rec(event(b"irq_handler_entry", b"irq=48 name=eth0"))
                .task(b"<idle>", 0)
                .cpu(0)
                .ts(157_412_933_974_000),
        ),
    ]);
}

#[test]
fn headers() {
    check(&[
        (
            "captures-new/perf-ftrace-fn-bpf-map-create-unspec-6.1/bad.log.gz:3",
            Fn,
            b"# entries-in-buffer/entries-written: 0/0   #P:1",
            rec(RecordKind::Header(HeaderLine::Entries {
                in_buffer: 0,
                written: 0,
                cpus: Some(1),
            })),
        ),
        (
            "captures-new/latency-format-fn-bpf-map-create-unspec-6.1/bad.log:3",
            Fn,
            b"# function latency trace v1.1.5 on 6.1.0-56-amd64",
            rec(RecordKind::Header(HeaderLine::LatencyTrace {
                tracer: b"function",
                kernel: b"6.1.0-56-amd64",
            })),
        ),
        (
            "captures-new/latency-format-graph-bpf-map-create-unspec-7.3/bad.log:3",
            Graph,
            b"# function_graph latency trace v1.1.5 on 7.3.4+deb13-amd64",
            rec(RecordKind::Header(HeaderLine::LatencyTrace {
                tracer: b"function_graph",
                kernel: b"7.3.4+deb13-amd64",
            })),
        ),
        (
            "captures-new/bpf-map-create-unspec-7.3/ok.log:1",
            Graph,
            b"# tracer: function_graph",
            rec(RecordKind::Header(HeaderLine::Tracer(b"function_graph"))),
        ),
        (
            "captures-new/record-nop-openat-enoent-6.18/cat-nonexistent.log:3",
            Fn,
            b"# tracereport-kernel: 6.18.44-fc-v595",
            rec(RecordKind::Header(HeaderLine::Recorded {
                key: b"kernel",
                value: b"6.18.44-fc-v595",
            })),
        ),
        (
            "captures-new/record-nop-openat-enoent-6.18/cat-nonexistent.log:4",
            Fn,
            b"# tracereport-command: cat /nonexistent",
            rec(RecordKind::Header(HeaderLine::Recorded {
                key: b"command",
                value: b"cat /nonexistent",
            })),
        ),
    ]);
}

/// Lines the corpus has no real example of, built from the kernel's printf
/// formats (`kernel/trace/trace.c`, `trace_functions_graph.c`).
#[test]
fn control_lines_from_the_kernel_formats() {
    check(&[
        (
            "test_cpu_buff_start(): \"##### CPU %u buffer started ####\"",
            Graph,
            b"##### CPU 2 buffer started ####",
            rec(RecordKind::BufferStarted { cpu: 2 }),
        ),
        (
            "print_trace_line(): \"CPU:%d [LOST EVENTS]\" (count unknown)",
            Fn,
            b"CPU:0 [LOST EVENTS]",
            rec(RecordKind::Lost {
                cpu: 0,
                count: None,
            }),
        ),
        (
            "trace-cmd: \"CPU:%d [%llu EVENTS DROPPED]\"",
            Tc,
            b"CPU:3 [1234 EVENTS DROPPED]",
            rec(RecordKind::Lost {
                cpu: 3,
                count: Some(1234),
            }),
        ),
        (
            "print_graph_irq(): arrows",
            Graph,
            b" 0)   ==========> |",
            rec(RecordKind::IrqEnter).cpu(0),
        ),
        (
            "print_graph_irq(): arrows",
            Graph,
            b" 0)   <========== |",
            rec(RecordKind::IrqExit).cpu(0),
        ),
        (
            "funcgraph-overrun",
            Graph,
            b" (Overruns: 12)",
            rec(RecordKind::Overrun(12)),
        ),
    ]);
}

#[test]
fn lines_that_are_not_ftrace_are_errors() {
    for (format, line) in [
        (Graph, &b"..."[..]),
        (Graph, b"{\"schema_version\": 1}"),
        (Fn, b"total 12"),
        (Tc, b"drwxr-xr-x 2 root root 4096 Nov 25 14:28 .ci"),
        (Graph, b" 0)   1.262 us    |      bpf_check_uarg_tail_zero("),
    ] {
        assert!(parse_line(format, line).is_err(), "{}", line.escape_ascii());
    }
}

/// A comm containing `us` must not be taken for the latency time column.
#[test]
fn latency_format_comm_with_us_in_it() {
    let line = b" busybox-77        0..... 12067us : find_vma <-lock_mm_and_find_vma";
    let r = parse_line(Fn, line).unwrap();
    assert_eq!(
        r.task,
        Some(TaskRef {
            comm: b"busybox",
            pid: 77
        })
    );
    assert_eq!(r.ts_ns, Some(12_067_000));
}

/// The first lines of every real capture decide its format.
#[test]
fn every_fixture_is_detected_as_its_format() {
    let cases: [(&str, InputFormat); 12] = [
        ("bpf-map-create-unspec-7.3/ok.log", Graph),
        ("perf-ftrace-graph-bpf-map-create-unspec-6.1/ok.log", Graph),
        (
            "perf-ftrace-graph-verbose-bpf-map-create-unspec-6.1/ok.log",
            Graph,
        ),
        (
            "latency-format-graph-bpf-map-create-unspec-6.1/ok.log",
            Graph,
        ),
        ("hostile-comm-graph-bpf-map-create-unspec-6.1/ok.log", Graph),
        ("fn-bpf-map-create-unspec-7.3/ok.log", Fn),
        ("fn-bpf-map-create-unspec--func-args-7.3/ok.log", Fn),
        ("noirqinfo-fn-bpf-map-create-unspec-6.1/ok.log", Fn),
        ("latency-format-fn-bpf-map-create-unspec-7.3/ok.log", Fn),
        ("hostile-comm-fn-bpf-map-create-unspec-7.3/ok.log", Fn),
        (
            "bpf-map-create-unspec--funcgraph-args+funcgraph-proc+funcgraph-abstime+funcgraph-tail-7.3/ok.log",
            Graph,
        ),
        ("latency-format-fn-bpf-map-create-unspec-6.1/bad.log", Fn),
    ];
    for (file, want) in cases {
        let path = format!("{}/{NEW}/{file}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read(&path).unwrap();
        let lines: Vec<&[u8]> = text.split(|&b| b == b'\n').take(200).collect();
        let got = detect_format(lines).map(|d| d.format);
        assert_eq!(got, Some(want), "{file}");
    }
    let path = format!(
        "{}/{QEMU}/tracecmd-bpf-map-create-unspec/bad.log",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read(path).unwrap();
    let lines: Vec<&[u8]> = text.split(|&b| b == b'\n').take(200).collect();
    assert_eq!(detect_format(lines).map(|d| d.format), Some(Tc));
}
