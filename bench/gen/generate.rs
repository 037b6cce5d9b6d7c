//! Large, realistic function_graph captures built out of real ones.
//!
//! The sources are real captures from `tests/fixtures/` in the kernel's
//! default graph layout (` 0)  DURATION  |  body`). They are cut into
//! *units*: one top-level call on one CPU with everything it called, with
//! the syscall events and trace markers around it (`/* sys_bpf(…) */` …
//! `/* sys_bpf -> 0x… */`). A unit is only taken when its lines nest
//! exactly (no lost events, no exit without entry, no context switch in the
//! middle), so the output has no damage the sources did not choose to show.
//!
//! The output replays units, picked at random, on `cpus` CPUs at once: every
//! CPU runs one task at a time (tasks with rewritten pids migrate between
//! CPUs), a change of task prints the kernel's context-switch block, and
//! lines of different CPUs are merged by a virtual clock, as the `trace` file
//! merges the per-CPU buffers by timestamp. Each line keeps its real
//! duration column and body; only the CPU column (and, when asked, the
//! `funcgraph-abstime` and `funcgraph-proc` columns) are written anew.
//!
//! The same run can write a `perf script` file of the same size from the
//! same call stacks (one sample per call, leaf frame first), the input of
//! `inferno-collapse-perf` in the benchmark.
//!
//! This file is shared by the `gen_capture` example and the test that checks
//! tracereport reads its output without a single warning.

use std::io::{self, BufRead, Read, Write};
use std::path::{Path, PathBuf};

use tracereport::parse::{InputFormat, RecordKind, parse_line};

/// Real captures in the default layout the units come from (relative to the
/// repository root). Between them: syscalls of a busy 2-CPU machine with
/// every function graphed, bpf/openat/mkdir calls that fail and succeed,
/// funcgraph-retval and funcgraph-tail trailers.
pub const DEFAULT_SOURCES: &[&str] = &[
    "tests/fixtures/captures/qemu-6.1/lost-events/trace_pipe.log.gz",
    "tests/fixtures/captures/qemu-6.1/busy-2cpu/graph-syscalls.log.gz",
    "tests/fixtures/captures/qemu-6.1/bpf-map-create-unspec/ok.log",
    "tests/fixtures/captures/qemu-6.1/bpf-map-create-unspec/bad.log",
    "tests/fixtures/captures/qemu-6.1/bpf-array-zerokey/ok.log",
    "tests/fixtures/captures/qemu-6.1/bpf-array-zerokey/bad.log",
    "tests/fixtures/captures/qemu-6.1/openat-enoent/ok.log",
    "tests/fixtures/captures/qemu-6.1/openat-enoent/bad.log",
    "tests/fixtures/captures/qemu-6.1/openat-enoent--funcgraph-tail/ok.log",
    "tests/fixtures/captures/qemu-6.1/openat-enoent--funcgraph-tail/bad.log",
    "tests/fixtures/captures/qemu-6.1/mkdir-eexist/ok.log",
    "tests/fixtures/captures/qemu-6.1/mkdir-eexist/bad.log",
    "tests/fixtures/captures/xskmap-noxdpsockets-6.12/ok--funcgraph-retval.log",
    "tests/fixtures/captures/xskmap-noxdpsockets-6.12/bad--funcgraph-retval.log",
    "tests/fixtures/captures/xskmap-noxdpsockets-6.12/ok--funcgraph-retval+funcgraph-tail.log",
    "tests/fixtures/captures/xskmap-noxdpsockets-6.12/bad--funcgraph-retval+funcgraph-tail.log",
];

/// What a unit's line is, for the clock, the call stack and the counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Entry,
    Leaf,
    Exit,
    Comment,
}

/// One line of a unit: its text after the CPU column, kept verbatim.
#[derive(Debug, Clone)]
struct ULine {
    /// Range of the text in [`Pool::text`].
    start: u32,
    len: u32,
    kind: Kind,
    /// The duration column (leaves and exits), ns; 0 when not printed.
    dur_ns: u32,
    /// For entries and leaves: index of the function name in [`Pool::names`].
    func: u32,
}

/// A top-level call with its subtree and the events around it.
#[derive(Debug, Clone)]
struct Unit {
    lines: Vec<ULine>,
}

/// The units of all sources.
#[derive(Debug, Default)]
pub struct Pool {
    text: Vec<u8>,
    names: Vec<String>,
    name_ids: std::collections::HashMap<Vec<u8>, u32>,
    units: Vec<Unit>,
    comms: Vec<String>,
}

/// How many units and lines each source gave.
#[derive(Debug, Clone)]
pub struct SourceStats {
    /// The file.
    pub path: PathBuf,
    /// Lines read.
    pub lines: u64,
    /// Units taken.
    pub units: u64,
}

/// A unit being cut out of a source on one CPU.
#[derive(Default)]
struct Open {
    lines: Vec<ULine>,
    depth: usize,
    calls: usize,
    /// A `sys_X(…)` event opened it and its `sys_X -> …` has not come.
    awaiting_exit: bool,
    /// A `sys_X(…)` event is in it (an exit event needs one).
    entered: bool,
}

impl Pool {
    /// Cut the sources (plain or gzip) into units.
    pub fn load(paths: &[PathBuf]) -> io::Result<(Pool, Vec<SourceStats>)> {
        let mut pool = Pool::default();
        let mut stats = Vec::new();
        for p in paths {
            let text = read_maybe_gzip(p)?;
            let before = pool.units.len();
            let lines = pool.add_source(&text);
            stats.push(SourceStats {
                path: p.clone(),
                lines,
                units: (pool.units.len() - before) as u64,
            });
        }
        if pool.units.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "no usable unit in the sources (default function_graph layout needed)",
            ));
        }
        if pool.comms.is_empty() {
            pool.comms.push("bpfcase".into());
        }
        pool.comms.sort();
        pool.comms.dedup();
        Ok((pool, stats))
    }

    /// Number of units cut out of the sources.
    pub fn units(&self) -> usize {
        self.units.len()
    }

    fn name_id(&mut self, name: &[u8]) -> u32 {
        if let Some(&id) = self.name_ids.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(String::from_utf8_lossy(name).into_owned());
        self.name_ids.insert(name.to_vec(), id);
        id
    }

    fn add_source(&mut self, text: &[u8]) -> u64 {
        let mut open: Vec<Option<Open>> = Vec::new();
        let mut n = 0u64;
        for line in text.split(|&b| b == b'\n') {
            n += 1;
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let Ok(rec) = parse_line(InputFormat::Graph, line) else {
                open.iter_mut().for_each(|o| *o = None);
                continue;
            };
            let cpu = match (&rec.kind, rec.cpu) {
                (RecordKind::Header(_) | RecordKind::Blank | RecordKind::Rule, _) => continue,
                (RecordKind::ContextSwitch { cpu, from, to }, _) => {
                    for t in [from, to] {
                        let comm = String::from_utf8_lossy(t.comm).into_owned();
                        if !comm.starts_with('<') && !self.comms.contains(&comm) {
                            self.comms.push(comm);
                        }
                    }
                    if let Some(o) = open.get_mut(*cpu as usize) {
                        *o = None; // the unit was interrupted: not self-contained
                    }
                    continue;
                }
                (RecordKind::Lost { .. } | RecordKind::BufferStarted { .. }, _) => {
                    open.iter_mut().for_each(|o| *o = None);
                    continue;
                }
                // Only the default layout: CPU column, no task, no abstime.
                (_, Some(cpu)) if rec.task.is_none() && rec.ts_ns.is_none() => cpu as usize,
                _ => continue,
            };
            if open.len() <= cpu {
                open.resize_with(cpu + 1, || None);
            }
            let Some(tail_at) = memchr::memchr(b')', line).map(|p| p + 1) else {
                continue;
            };
            let tail = line[tail_at..]
                .strip_prefix(b" ")
                .unwrap_or(&line[tail_at..]);
            let dur = rec.duration_ns.unwrap_or(0).min(u32::MAX as u64) as u32;
            let (kind, depth, func) = match rec.kind {
                RecordKind::Entry { depth, func, .. } => (Kind::Entry, depth as usize, Some(func)),
                RecordKind::Leaf { depth, func, .. } => (Kind::Leaf, depth as usize, Some(func)),
                RecordKind::Exit { depth, .. } => (Kind::Exit, depth as usize, None),
                RecordKind::Comment { closed: true, .. } => (Kind::Comment, 0, None),
                _ => {
                    open[cpu] = None;
                    continue;
                }
            };
            let sys = match rec.kind {
                RecordKind::Comment { text, .. } => sys_event(text),
                _ => None,
            };
            let slot = &mut open[cpu];
            // A new top-level line ends the previous unit unless that one
            // still waits for its syscall's exit event.
            let at_top = slot.as_ref().is_none_or(|o| o.depth == 0);
            if at_top {
                let starts_new = match (kind, sys) {
                    (Kind::Comment, Some(SysEv::Exit)) => false,
                    (Kind::Comment, _) => slot.as_ref().is_none_or(|o| o.calls > 0),
                    (Kind::Entry | Kind::Leaf, _) => slot
                        .as_ref()
                        .is_none_or(|o| o.calls > 0 && !o.awaiting_exit),
                    (Kind::Exit, _) => true,
                };
                if starts_new {
                    if let Some(done) = slot.take() {
                        self.finish(done);
                    }
                    if kind == Kind::Exit {
                        continue; // its entry is before the capture
                    }
                    *slot = Some(Open::default());
                }
            }
            let Some(o) = slot.as_mut() else { continue };
            let consistent = match kind {
                Kind::Entry | Kind::Leaf => depth == o.depth,
                Kind::Exit => o.depth > 0 && depth == o.depth - 1,
                Kind::Comment => true,
            };
            if !consistent {
                *slot = None;
                continue;
            }
            let func = func.map_or(u32::MAX, |f| self.name_id(f));
            let start = self.text.len() as u32;
            self.text.extend_from_slice(tail);
            o.lines.push(ULine {
                start,
                len: tail.len() as u32,
                kind,
                dur_ns: dur,
                func,
            });
            match kind {
                Kind::Entry => {
                    o.depth += 1;
                    o.calls += 1;
                }
                Kind::Leaf => o.calls += 1,
                Kind::Exit => o.depth -= 1,
                Kind::Comment => match sys {
                    Some(SysEv::Enter) => {
                        o.awaiting_exit = true;
                        o.entered = true;
                    }
                    Some(SysEv::Exit) if !o.entered => *slot = None,
                    Some(SysEv::Exit) => {
                        o.awaiting_exit = false;
                        if o.depth == 0 {
                            let done = slot.take().expect("open");
                            self.finish(done);
                        }
                    }
                    None => {}
                },
            }
        }
        for o in open.into_iter().flatten() {
            self.finish(o);
        }
        n
    }

    /// Keep a finished unit if it is complete: calls closed, and a syscall
    /// entry event answered by its exit event.
    fn finish(&mut self, o: Open) {
        if o.depth == 0 && o.calls > 0 && !o.awaiting_exit {
            self.units.push(Unit { lines: o.lines });
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SysEv {
    Enter,
    Exit,
}

/// `sys_bpf(cmd: 0, …)` or `sys_bpf -> 0x…`, as the kernel prints syscall
/// events inside graph output.
fn sys_event(text: &[u8]) -> Option<SysEv> {
    let rest = text.strip_prefix(b"sys_")?;
    let end = rest
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || b == b'_'))?;
    match &rest[end..] {
        t if t.starts_with(b" -> ") => Some(SysEv::Exit),
        t if t.starts_with(b"(") => Some(SysEv::Enter),
        _ => None,
    }
}

fn read_maybe_gzip(p: &Path) -> io::Result<Vec<u8>> {
    let mut f = io::BufReader::new(std::fs::File::open(p)?);
    let gz = f.fill_buf()?.starts_with(&[0x1f, 0x8b]);
    let mut out = Vec::new();
    if gz {
        flate2::bufread::MultiGzDecoder::new(f).read_to_end(&mut out)?;
    } else {
        f.read_to_end(&mut out)?;
    }
    Ok(out)
}

/// The generator's knobs.
#[derive(Debug, Clone)]
pub struct Options {
    /// Stop starting units once this many bytes are written.
    pub target_bytes: u64,
    /// CPUs (the CPU column).
    pub cpus: usize,
    /// Tasks sharing the CPUs.
    pub tasks: usize,
    /// Print `funcgraph-abstime`.
    pub abstime: bool,
    /// Print `funcgraph-proc`.
    pub proc: bool,
    /// Print the `trace` file's `#` header (else it looks like `trace_pipe`).
    pub header: bool,
    /// Seed of the unit and task choices.
    pub seed: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            target_bytes: 10 << 20,
            cpus: 4,
            tasks: 12,
            abstime: false,
            proc: false,
            header: true,
            seed: 1,
        }
    }
}

/// What was written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Bytes of the capture.
    pub bytes: u64,
    /// Lines of the capture.
    pub lines: u64,
    /// Units replayed.
    pub units: u64,
    /// Calls (entry and leaf lines).
    pub calls: u64,
    /// Context-switch blocks.
    pub switches: u64,
    /// `sys_X(…)` entry events.
    pub sys_enter: u64,
    /// `sys_X -> …` exit events.
    pub sys_exit: u64,
    /// Bytes of the perf-script file.
    pub perf_bytes: u64,
    /// Samples in it.
    pub perf_samples: u64,
}

/// splitmix64: a small deterministic generator, so a seed gives the same
/// file on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

struct Task {
    comm: String,
    pid: u32,
    /// Pre-formatted `funcgraph-proc` column (`  bpfcase-1201 `).
    proc_col: String,
}

/// What one CPU is replaying.
struct Cpu {
    task: usize,
    unit: usize,
    next: usize,
    clock_ns: u64,
    /// Entry times of the open calls, for the exit lines' clock.
    entered: Vec<u64>,
    /// Function ids of the open calls, for perf-script stacks.
    stack: Vec<u32>,
    cpu_col: String,
}

/// `print_graph_proc()`: `comm-pid` (comm cut to 7 bytes) centred in 14 columns.
fn proc_column(comm: &str, pid: u32) -> String {
    let comm: String = comm.chars().take(7).collect();
    let text = format!("{comm}-{pid}");
    let spaces = 14usize.saturating_sub(text.len());
    let half = spaces / 2;
    format!("{}{text}{}", " ".repeat(half), " ".repeat(spaces - half))
}

/// Write a capture (and optionally a perf-script file of the same size).
pub fn generate(
    pool: &Pool,
    opts: &Options,
    out: &mut dyn Write,
    perf: Option<&mut dyn Write>,
) -> io::Result<Summary> {
    let mut rng = Rng(opts.seed);
    let cpus = opts.cpus.max(1);
    let width = (cpus - 1).to_string().len();
    let tasks: Vec<Task> = (0..opts.tasks.max(cpus))
        .map(|k| {
            let comm = pool.comms[k % pool.comms.len()].clone();
            let pid = 1200 + 7 * k as u32;
            Task {
                proc_col: proc_column(&comm, pid),
                comm,
                pid,
            }
        })
        .collect();
    let mut sum = Summary::default();
    let mut w = Counting {
        inner: out,
        bytes: 0,
    };
    if opts.header {
        write_header(&mut w, opts)?;
        sum.lines += 4;
    }
    let mut running = vec![false; tasks.len()];
    let mut state: Vec<Cpu> = (0..cpus)
        .map(|c| {
            running[c] = true;
            Cpu {
                task: c,
                unit: rng.below(pool.units.len()),
                next: 0,
                clock_ns: 5_000_000_000 + rng.below(1_000_000) as u64,
                entered: Vec::new(),
                stack: Vec::new(),
                cpu_col: format!(" {c:>width$}) "),
            }
        })
        .collect();
    sum.units = cpus as u64;
    let mut done = vec![false; cpus];
    let mut stopping = false;
    let mut perf_w = perf.map(|p| Counting { inner: p, bytes: 0 });
    let mut ts = String::new();
    // The CPU whose next line is earliest, as `trace` merges buffers.
    while let Some(c) = (0..cpus)
        .filter(|&c| !done[c])
        .min_by_key(|&c| state[c].clock_ns)
    {
        let cpu = &mut state[c];
        let unit = &pool.units[cpu.unit];
        if cpu.next == unit.lines.len() {
            // The unit is over: stop, or pick the next one (maybe another task).
            if stopping || w.bytes >= opts.target_bytes {
                stopping = true;
                done[c] = true;
                continue;
            }
            cpu.unit = rng.below(pool.units.len());
            cpu.next = 0;
            cpu.clock_ns += 200 + rng.below(2000) as u64;
            sum.units += 1;
            if rng.below(4) == 0 {
                let idle: Vec<usize> = (0..tasks.len()).filter(|&t| !running[t]).collect();
                if !idle.is_empty() {
                    let to = idle[rng.below(idle.len())];
                    let from = cpu.task;
                    running[from] = false;
                    running[to] = true;
                    cpu.task = to;
                    sum.switches += 1;
                    sum.lines += 4;
                    let rule = " ------------------------------------------\n";
                    w.write_all(rule.as_bytes())?;
                    write!(
                        w,
                        "{}{} => {}\n{rule}\n",
                        cpu.cpu_col,
                        proc_column(&tasks[from].comm, tasks[from].pid),
                        proc_column(&tasks[to].comm, tasks[to].pid),
                    )?;
                }
            }
            continue;
        }
        let l = &unit.lines[cpu.next];
        cpu.next += 1;
        // The clock: a line costs a little; a leaf its duration; an exit
        // happens when its entry's time plus its duration says.
        match l.kind {
            Kind::Entry => {
                cpu.clock_ns += 120;
                cpu.entered.push(cpu.clock_ns);
                cpu.stack.push(l.func);
            }
            Kind::Leaf => cpu.clock_ns += 120 + l.dur_ns as u64,
            Kind::Exit => {
                let start = cpu.entered.pop().unwrap_or(cpu.clock_ns);
                cpu.clock_ns = (start + l.dur_ns as u64).max(cpu.clock_ns + 60);
                cpu.stack.pop();
            }
            Kind::Comment => cpu.clock_ns += 80,
        }
        if opts.abstime {
            ts.clear();
            use std::fmt::Write as _;
            let _ = write!(
                ts,
                "{:>5}.{:06} |  ",
                cpu.clock_ns / 1_000_000_000,
                cpu.clock_ns / 1000 % 1_000_000
            );
            w.write_all(ts.as_bytes())?;
        }
        w.write_all(cpu.cpu_col.as_bytes())?;
        if opts.proc {
            w.write_all(tasks[cpu.task].proc_col.as_bytes())?;
            w.write_all(b" | ")?;
        }
        w.write_all(&pool.text[l.start as usize..(l.start + l.len) as usize])?;
        w.write_all(b"\n")?;
        sum.lines += 1;
        match l.kind {
            Kind::Entry | Kind::Leaf => sum.calls += 1,
            Kind::Comment => {
                let text = &pool.text[l.start as usize..(l.start + l.len) as usize];
                let body = text
                    .iter()
                    .position(|&b| b == b'|')
                    .map_or(text, |p| &text[p + 1..]);
                let body = body.trim_ascii();
                let inner = body
                    .strip_prefix(b"/* ")
                    .and_then(|b| b.strip_suffix(b" */"))
                    .unwrap_or(body);
                match sys_event(inner) {
                    Some(SysEv::Enter) => sum.sys_enter += 1,
                    Some(SysEv::Exit) => sum.sys_exit += 1,
                    None => {}
                }
            }
            Kind::Exit => {}
        }
        // One perf sample per call while the perf file is not ahead of the
        // capture: both end at about the same size and span the same stream.
        if let (Some(p), Kind::Entry | Kind::Leaf) = (perf_w.as_mut(), l.kind) {
            if p.bytes < w.bytes {
                let task = &tasks[cpu.task];
                write_sample(p, pool, task, c, cpu.clock_ns, &cpu.stack, l)?;
                sum.perf_samples += 1;
            }
        }
    }
    sum.bytes = w.bytes;
    sum.perf_bytes = perf_w.map_or(0, |p| p.bytes);
    Ok(sum)
}

/// The `trace` file's header for the chosen columns
/// (`print_graph_headers_flags()`).
fn write_header(w: &mut dyn Write, opts: &Options) -> io::Result<()> {
    let mut top = String::from("#");
    let mut bar = String::from("#");
    if opts.abstime {
        top.push_str("     TIME       ");
        bar.push_str("      |         ");
    }
    top.push_str(" CPU");
    bar.push_str(" |  ");
    if opts.proc {
        top.push_str("  TASK/PID       ");
        bar.push_str("   |    |        ");
    }
    top.push_str("  DURATION   ");
    bar.push_str("   |   |      ");
    top.push_str("               FUNCTION CALLS\n");
    bar.push_str("               |   |   |   |\n");
    write!(w, "# tracer: function_graph\n#\n{top}{bar}")
}

/// One `perf script` sample: header, kernel frames leaf first, two user
/// frames, blank line.
fn write_sample(
    w: &mut dyn Write,
    pool: &Pool,
    task: &Task,
    cpu: usize,
    clock_ns: u64,
    stack: &[u32],
    line: &ULine,
) -> io::Result<()> {
    writeln!(
        w,
        "{} {:>5} [{cpu:03}] {:>6}.{:06}:     250000 cpu-clock:pppH: ",
        task.comm,
        task.pid,
        clock_ns / 1_000_000_000,
        clock_ns / 1000 % 1_000_000
    )?;
    let frame = |w: &mut dyn Write, f: u32, salt: u64| -> io::Result<()> {
        let name = &pool.names[f as usize];
        let h = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
        });
        let addr = 0xffff_ffff_8100_0000u64 + ((h >> 8) & 0xff_fff0);
        let off = 4 + (h ^ salt) % 0x1f0;
        writeln!(
            w,
            "\t{:016x} {name}+{off:#x} ([kernel.kallsyms])",
            addr + off
        )
    };
    if line.kind == Kind::Leaf {
        frame(w, line.func, 0)?;
    }
    for (k, &f) in stack.iter().rev().enumerate() {
        frame(w, f, k as u64 + 1)?;
    }
    writeln!(
        w,
        "\tffffffff82000099 entry_SYSCALL_64_after_hwframe+0x76 ([kernel.kallsyms])"
    )?;
    writeln!(
        w,
        "\t    7f3a52b1e88d syscall+0x1d (/usr/lib/x86_64-linux-gnu/libc.so.6)"
    )?;
    writeln!(
        w,
        "\t    55d1c0de1a2b main+0x13b (/usr/bin/{})\n",
        task.comm
    )
}

/// A writer that counts what passes.
struct Counting<'a> {
    inner: &'a mut dyn Write,
    bytes: u64,
}

impl Write for Counting<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
