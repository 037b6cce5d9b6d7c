//! Records in file order → per-task stacks → syscalls with call trees.
//!
//! Every task has a stack of open calls. A syscall *region* starts at a
//! syscall entry event (`sys_bpf(…)`) or, without events, at a call of a
//! syscall's arch wrapper (`__x64_sys_bpf`), and ends at the exit event or
//! when the wrapper returns. Only calls inside a region become tree nodes;
//! every call, inside or not, adds its time to the path table. So memory
//! holds the open stacks, the current regions and the kept trees, never the
//! whole capture.
//!
//! Faults are repaired by depth, which ftrace prints reliably: an entry at a
//! depth shallower than the open stack proves the deeper calls returned
//! unseen ("exit not captured"); a `}` deeper than the stack means the trace
//! began inside that call ("entry not captured", named by `/* name */` when
//! printed).

mod irq;
mod reconstruct;
mod region;

use rustc_hash::FxHashMap;

use irq::DepthUse;
use reconstruct::ReconstructedCall;

use crate::parse::{HeaderLine, InputFormat, Record, RecordKind, RetVal};

use super::{
    CaptureFacts, LostEvents, Trace,
    funcinfo::FuncInfos,
    groups::Groups,
    intern::{FuncId, Interner},
    irq_order,
    paths::{NO_PATH, PathId, PathTable, TASK_ROOT},
    syscall::{
        RetSource, SysEnter, SysEvent, SysExit, Syscall, parse_sys_event, syscall_root_name,
    },
    tasks::Tasks,
    tree::{NO_PARENT, Node, NodeFlags},
    warnings::{WarningKind, Warnings},
};

/// What the caller wants kept.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// At most this many syscalls keep their full call tree.
    pub keep: usize,
    /// Only syscalls with these names are kept (all when empty).
    pub syscalls: Vec<String>,
    /// Calls one syscall's tree keeps; all kept trees of a capture hold
    /// at most twice this together ([`BuildOptions::kept_calls_budget`]).
    pub max_tree_calls: usize,
}

impl BuildOptions {
    /// Calls all kept trees of a capture hold together: `keep` counts
    /// syscalls, this bounds their size (and what the report renders). A
    /// failing syscall still displaces non-failing ones.
    pub fn kept_calls_budget(&self) -> usize {
        self.max_tree_calls.saturating_mul(2)
    }
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions {
            keep: 100,
            syscalls: Vec::new(),
            max_tree_calls: DEFAULT_MAX_TREE_CALLS,
        }
    }
}

const NO_NODE: u32 = u32::MAX;

/// Calls one syscall's tree keeps by default (`--max-tree-calls`): a syscall
/// traced with every function and no depth limit can make millions of calls;
/// the tree keeps the first ones (a pre-order prefix, so still a tree) and
/// the rest count in its `calls` and in the path table. A kept call costs
/// about 400 bytes (model, report view, aligned rows; measured on a
/// million-call tree), so the default bounds a capture's trees to about
/// 200 MB.
pub const DEFAULT_MAX_TREE_CALLS: usize = 250_000;

/// Deepest stack rebuilt from `<-parent` chains before it is reset.
const MAX_RECONSTRUCTED_DEPTH: usize = 128;

/// Syscalls whose entry-event argument names are remembered (the audit
/// compares them across captures to tell kernels apart).
const MAX_EVENT_SHAPES: usize = 512;

/// Distinct non-UTF-8 task names remembered; past this every such line warns.
const MAX_NON_UTF8_NAMES: usize = 1024;

/// Whether `bytes` is valid UTF-8 apart from the `parts` (sub-slices of it).
fn valid_outside(bytes: &[u8], parts: &[&[u8]]) -> bool {
    let base = bytes.as_ptr() as usize;
    let mut ranges: Vec<(usize, usize)> = parts
        .iter()
        .filter_map(|p| {
            let start = (p.as_ptr() as usize).checked_sub(base)?;
            (start + p.len() <= bytes.len()).then_some((start, start + p.len()))
        })
        .collect();
    ranges.sort_unstable();
    let mut at = 0;
    for (start, end) in ranges {
        if start >= at {
            if std::str::from_utf8(&bytes[at..start]).is_err() {
                return false;
            }
            at = end;
        }
    }
    std::str::from_utf8(&bytes[at..]).is_ok()
}

/// An open call.
#[derive(Debug, Clone)]
struct Frame {
    func: FuncId,
    path: PathId,
    /// Index of its node in the task's region, or `NO_NODE`.
    node: u32,
    /// Sum of the durations of its returned children.
    child_ns: u64,
    flags: NodeFlags,
    /// Calls made under it so far (saturating).
    children: u16,
    /// Its first callee was an interrupt's entry (`irq_enter_rcu`, …).
    first_child_irq: bool,
    /// Unique in the capture: names the frame while it is open.
    serial: u64,
    /// The line that opened it.
    line: u64,
    /// Node of the latest call made under it (in the current region).
    last_child: u32,
    /// Node of the call made just before it at its level (in the region).
    prev_sibling: u32,
    /// It adopted an interrupt printed before its entry: the interrupt's
    /// time and where its nodes end (see `irq_order`).
    adopted: Option<(u64, u32)>,
    /// Path of its latest child, to guess the next one ([`PathTable::guess`]).
    last_child_path: PathId,
}

/// The syscall being built on a task.
#[derive(Debug)]
struct Region {
    enter: Option<SysEnter>,
    root_name: Option<String>,
    nodes: Vec<Node>,
    line: u64,
    ts_ns: Option<u64>,
    cpu: Option<u32>,
    lost: bool,
    markers: Vec<(u64, String)>,
    marker_before: Option<String>,
    /// Calls not kept in `nodes` ([`BuildOptions::max_tree_calls`]).
    dropped: u64,
}

#[derive(Debug, Default)]
struct TaskState {
    stack: Vec<Frame>,
    region: Option<Region>,
    /// A syscall found by its wrapper that returned; its exit event may
    /// follow on the next line.
    awaiting_exit: Option<Syscall>,
    last_marker: Option<String>,
    last_cpu: Option<u32>,
    /// trace-cmd's function plugin stack, position → the frame placed there
    /// (see `depth_from_indent`).
    plugin_stack: Vec<Option<u64>>,
    /// An interrupt printed at the level of the call it hit: lines from it
    /// are one level deeper than printed, until that call returns (see
    /// `shifted_depth`).
    irq_shift: Option<u32>,
    /// Path of the latest top-level call (see `Frame::last_child_path`).
    last_top: Option<PathId>,
}

/// How a frame ends.
struct Close {
    line: u64,
    duration_ns: Option<u64>,
    ret: Option<RetVal>,
    ts_ns: Option<u64>,
    missing: bool,
}

impl Close {
    /// A frame closed without a `}` of its own: its return was lost
    /// (`missing`), or the function tracer never prints one.
    fn unseen(missing: bool) -> Close {
        Close {
            line: 0,
            duration_ns: None,
            ret: None,
            ts_ns: None,
            missing,
        }
    }
}

/// Builds a [`Trace`] from records fed in file order.
pub struct Builder {
    opts: BuildOptions,
    format: InputFormat,
    names: Interner,
    /// Per-name answers the hot path needs (irq entry, syscall root).
    infos: FuncInfos,
    unknown_func: FuncId,
    tasks: Tasks,
    states: Vec<TaskState>,
    paths: PathTable,
    kept: Vec<Syscall>,
    /// Nodes in the trees of `kept`.
    kept_nodes: usize,
    groups: Groups,
    warnings: Warnings,
    lost: Vec<LostEvents>,
    facts: CaptureFacts,
    in_irq: FxHashMap<u32, bool>,
    comment_open: Option<u64>,
    /// `} /* name */` exits that close the open call of that name.
    named_exits: u64,
    /// The next frame's serial.
    next_serial: u64,
    /// The line being fed.
    current_line: u64,
    /// Plain `}` exits that close a call whose entry was seen.
    plain_exits: u64,
    /// Task names already warned about as not UTF-8 (bounded).
    non_utf8_names: rustc_hash::FxHashSet<Vec<u8>>,
    syscall_count: usize,
    calls_outside: u64,
    seen_record: bool,
}

impl Builder {
    /// A builder for a capture in `format`.
    pub fn new(format: InputFormat, opts: BuildOptions) -> Self {
        let mut names = Interner::default();
        let unknown_func = names.intern(b"[entry not captured]");
        Builder {
            opts,
            format,
            names,
            infos: FuncInfos::default(),
            unknown_func,
            tasks: Tasks::default(),
            states: Vec::new(),
            paths: PathTable::default(),
            kept: Vec::new(),
            kept_nodes: 0,
            groups: Groups::default(),
            warnings: Warnings::default(),
            lost: Vec::new(),
            facts: CaptureFacts {
                format: Some(format),
                reconstructed: matches!(format, InputFormat::Function),
                ..CaptureFacts::default()
            },
            in_irq: FxHashMap::default(),
            comment_open: None,
            named_exits: 0,
            next_serial: 0,
            current_line: 0,
            plain_exits: 0,
            non_utf8_names: Default::default(),
            syscall_count: 0,
            calls_outside: 0,
            seen_record: false,
        }
    }

    /// Whether a multi-line comment is open: an unreadable line now is its
    /// continuation, not damage.
    pub fn in_open_comment(&self) -> bool {
        self.comment_open.is_some()
    }

    /// A line that continues an open comment; `closes` when it ends in `*/`.
    pub fn comment_continues(&mut self, closes: bool) {
        self.facts.continued_lines += 1;
        if closes {
            self.comment_open = None;
        }
    }

    /// Record a warning about `line`.
    pub fn warn(&mut self, line: u64, kind: WarningKind, message: impl FnOnce() -> String) {
        self.warnings.push(line, kind, message);
    }

    /// Note bytes and line counts read.
    pub fn count_line(&mut self, bytes: usize) {
        self.facts.lines += 1;
        self.facts.bytes += bytes as u64 + 1;
    }

    /// Lines counted so far.
    pub fn lines_read(&self) -> u64 {
        self.facts.lines
    }

    /// The last line had no newline.
    pub fn unterminated_last_line(&mut self) {
        self.facts.unterminated_last_line = true;
    }

    /// Feed one record.
    pub fn push(&mut self, line: u64, rec: &Record<'_>) {
        self.comment_open = None;
        self.current_line = line;
        match &rec.kind {
            RecordKind::Header(h) => {
                self.facts.layout_lines += 1;
                return self.header(h);
            }
            RecordKind::Blank | RecordKind::Rule => {
                self.facts.layout_lines += 1;
                return;
            }
            _ => {}
        }
        self.seen_record = true;
        self.facts.records += 1;
        self.observe_columns(rec);
        match rec.kind {
            RecordKind::Lost { cpu, count } => self.lost_events(line, cpu, count),
            RecordKind::BufferStarted { cpu } => {
                self.facts.buffer_started += 1;
                self.warn(line, WarningKind::BufferOverwritten, || {
                    format!("CPU {cpu}: older events were overwritten before the capture was read; its first calls may start mid-tree")
                });
            }
            RecordKind::ContextSwitch { cpu, from, to } => {
                self.facts.context_switches += 1;
                if let Some((placeholder, existing)) = self.tasks.switch(cpu, from, to) {
                    self.merge_task(placeholder, existing);
                }
            }
            RecordKind::IrqEnter | RecordKind::IrqExit => {
                self.facts.irq_arrows += 1;
                if let Some(cpu) = rec.cpu {
                    self.in_irq
                        .insert(cpu, matches!(rec.kind, RecordKind::IrqEnter));
                }
            }
            RecordKind::Overrun(n) => self.warn(line, WarningKind::Overrun, || {
                format!("{n} calls were dropped: the graph return stack overflowed")
            }),
            RecordKind::LineTooBig => self.warn(line, WarningKind::LineTooBig, || {
                "[LINE TOO BIG]: the kernel dropped a record that did not fit a page".into()
            }),
            RecordKind::Entry { depth, func, args } => {
                let t = self.task_of(rec);
                let depth = self.shifted_depth(t, depth, DepthUse::Entry(func));
                self.call_start(t, line, depth, (func, args), rec, None);
            }
            RecordKind::Leaf {
                depth,
                func,
                ret,
                args,
            } => {
                let t = self.task_of(rec);
                let depth = self.shifted_depth(t, depth, DepthUse::Entry(func));
                let close = Close {
                    line: 0,
                    duration_ns: rec.duration_ns,
                    ret,
                    ts_ns: None,
                    missing: false,
                };
                self.call_start(t, line, depth, (func, args), rec, Some(close));
            }
            RecordKind::Exit { depth, func, ret } => {
                let t = self.task_of(rec);
                let depth = self.shifted_depth(t, depth, DepthUse::Exit(func));
                self.call_exit(t, line, depth, func, ret, rec);
            }
            RecordKind::Call {
                func,
                parent,
                indent,
                args,
            } => {
                let t = self.task_of(rec);
                let call = ReconstructedCall {
                    func,
                    args,
                    parent,
                    indent,
                };
                self.reconstructed_call(t, line, call, rec);
            }
            RecordKind::Comment { text, closed } => {
                if !closed {
                    self.comment_open = Some(line);
                }
                let t = self.task_of(rec);
                self.event(t, line, b"", text, rec);
            }
            RecordKind::Event { name, text } => {
                if name == b"stack" {
                    return;
                }
                let t = self.task_of(rec);
                self.event(t, line, name, text, rec);
            }
            RecordKind::Header(_) | RecordKind::Blank | RecordKind::Rule => {}
        }
    }

    fn header(&mut self, h: &HeaderLine<'_>) {
        if self.seen_record {
            return; // a concatenated capture's header; the first one describes it
        }
        self.facts.has_header = true;
        match *h {
            HeaderLine::Tracer(t) => {
                self.facts.tracer = Some(String::from_utf8_lossy(t).into_owned())
            }
            HeaderLine::Entries {
                in_buffer,
                written,
                cpus,
            } => {
                self.facts.entries_in_buffer = Some(in_buffer);
                self.facts.entries_written = Some(written);
                self.facts.header_cpus = cpus;
            }
            HeaderLine::LatencyTrace { kernel, .. } => {
                self.facts.kernel = Some(String::from_utf8_lossy(kernel).into_owned())
            }
            HeaderLine::Recorded { key, value } => {
                let v = String::from_utf8_lossy(value).into_owned();
                let r = self.facts.recorded.get_or_insert_default();
                match key {
                    b"kernel" => self.facts.kernel = Some(v),
                    b"command" => r.command = Some(v),
                    b"settings" => r.settings = Some(v),
                    b"note" if r.notes.len() < 32 => r.notes.push(v),
                    _ => {}
                }
            }
            _ => {}
        }
    }

    fn observe_columns(&mut self, rec: &Record<'_>) {
        let f = &mut self.facts;
        if let Some(cpu) = rec.cpu {
            f.col_cpu = true;
            if !f.cpus.contains(&cpu) {
                f.cpus.push(cpu);
            }
        }
        f.col_proc |= rec.task.is_some();
        f.col_flags |= rec.flags.is_some();
        if let Some(ts) = rec.ts_ns {
            f.col_abstime = true;
            f.first_ts_ns.get_or_insert(ts);
            f.last_ts_ns = Some(ts);
        }
        f.col_duration |= rec.duration_ns.is_some();
    }

    fn task_of(&mut self, rec: &Record<'_>) -> usize {
        let id = match (rec.task, rec.cpu) {
            (Some(t), cpu) => {
                let id = self.tasks.named(t);
                if let Some(cpu) = cpu {
                    self.tasks.set_on_cpu(cpu, id);
                }
                id
            }
            (None, Some(cpu)) => self.tasks.on_cpu(cpu),
            (None, None) => self.tasks.anonymous(),
        };
        let id = self.tasks.resolve(id);
        if self.states.len() <= id {
            self.states
                .resize_with(self.tasks.list.len().max(id + 1), TaskState::default);
        }
        if rec.cpu.is_some() {
            self.states[id].last_cpu = rec.cpu;
        }
        id
    }

    /// The CPU's placeholder task turned out to be `existing`: move its
    /// state there if `existing` is idle, and re-point its syscalls.
    fn merge_task(&mut self, placeholder: usize, existing: usize) {
        let n = self.tasks.list.len();
        if self.states.len() < n {
            self.states.resize_with(n, TaskState::default);
        }
        let idle = {
            let e = &self.states[existing];
            e.stack.is_empty() && e.region.is_none() && e.awaiting_exit.is_none()
        };
        if idle {
            self.states.swap(placeholder, existing);
        }
        for s in &mut self.kept {
            if s.task == placeholder {
                s.task = existing;
            }
        }
    }

    fn lost_events(&mut self, line: u64, cpu: u32, count: Option<u64>) {
        self.facts.lost_lines += 1;
        // Saturating here and below: numbers from a damaged line can be
        // anything up to u64::MAX (the parsers saturate), and their sums
        // must not overflow.
        self.facts.lost_events = self.facts.lost_events.saturating_add(count.unwrap_or(0));
        self.lost.push(LostEvents { line, cpu, count });
        let what = count.map_or("an unknown number of".to_string(), |n| n.to_string());
        self.warn(line, WarningKind::LostEvents, || {
            format!(
                "CPU {cpu}: {what} events lost; calls open on this CPU may miss children or returns"
            )
        });
        for st in &mut self.states {
            if st.last_cpu == Some(cpu) {
                for f in &mut st.stack {
                    f.flags.set(NodeFlags::LOST);
                }
                if let Some(r) = &mut st.region {
                    r.lost = true;
                }
            }
        }
    }

    /// A call starts at `depth` (an entry line, or a leaf when `leaf` holds
    /// its return). `call` is the function and its printed arguments.
    fn call_start(
        &mut self,
        t: usize,
        line: u64,
        depth: u32,
        call: (&[u8], Option<&[u8]>),
        rec: &Record<'_>,
        leaf: Option<Close>,
    ) {
        let (func, args) = call;
        self.finish_awaiting(t);
        let d = depth as usize;
        self.facts.calls += 1;
        self.note_depth(depth, leaf.is_some());
        let func_id = self.intern_call(t, func);
        let info = self.infos.get(&self.names, func_id);
        if self.adopt_placeholder(t, d, func_id, line, args, rec) {
            if let Some(mut close) = leaf {
                close.line = 0;
                close.ts_ns = rec.ts_ns.zip(close.duration_ns).map(|(a, b)| a + b);
                self.pop_frame(t, close);
            }
            return;
        }
        // Calls deeper than the new one returned without their `}`.
        while self.states[t].stack.len() > d {
            self.pop_missing(t, Some(line));
        }
        if self.states[t].stack.len() < d {
            // A call deeper than the open stack: its callers' entry lines
            // are not in the capture (it started inside them, or lines were
            // lost). Counted like a `}` without entry, once per line, so a
            // dropped `f() {` line is never silent. Not for an interrupt:
            // the kernel prints its first traced function one level below
            // the interrupted call, whose entry line is not a fault.
            let missing = d - self.states[t].stack.len();
            while self.states[t].stack.len() < d {
                self.push_placeholder(t, line);
            }
            let irq = info.irq || rec.cpu.and_then(|c| self.in_irq.get(&c).copied()) == Some(true);
            if !irq {
                let name = String::from_utf8_lossy(func).into_owned();
                self.warn(line, WarningKind::ExitWithoutEntry, || {
                    format!("`{name}()` is called at depth {d}, but the entry of {missing} caller(s) is not in the capture; shown as \"[entry not captured]\"")
                });
            }
        }
        if self.states[t].region.is_none() && info.may_start_region(d == 0) {
            let name = self.names.name(func_id);
            if let Some(sc) = syscall_root_name(name, d == 0) {
                let sc = sc.to_string();
                self.start_region(t, line, rec, None, Some(sc));
            }
        }
        let mut flags = NodeFlags::default();
        if info.irq
            || (!self.in_irq.is_empty()
                && rec
                    .cpu
                    .and_then(|c| self.in_irq.get(&c).copied())
                    .unwrap_or(false))
        {
            flags.set(NodeFlags::IRQ);
        }
        if leaf.is_some() {
            flags.set(NodeFlags::LEAF);
        }
        self.push_frame(t, func_id, line, rec.ts_ns, flags, args);
        if let Some(mut close) = leaf {
            close.line = 0;
            close.ts_ns = rec
                .ts_ns
                .zip(close.duration_ns)
                .map(|(a, b)| a.saturating_add(b));
            self.pop_frame(t, close);
        }
    }

    fn note_depth(&mut self, depth: u32, leaf: bool) {
        let f = &mut self.facts;
        f.leaves += leaf as u64;
        if depth > f.max_depth {
            f.max_depth = depth;
            f.calls_at_max_depth = 0;
            f.leaves_at_max_depth = 0;
        }
        if depth == f.max_depth {
            f.calls_at_max_depth += 1;
            f.leaves_at_max_depth += leaf as u64;
        }
    }

    fn call_exit(
        &mut self,
        t: usize,
        line: u64,
        depth: u32,
        func: Option<&[u8]>,
        ret: Option<RetVal>,
        rec: &Record<'_>,
    ) {
        self.finish_awaiting(t);
        let d = depth as usize;
        if ret.is_some() {
            self.facts.retval = true;
        }
        while self.states[t].stack.len() > d + 1 {
            self.pop_missing(t, Some(line));
        }
        let mut warned = false;
        if self.states[t].stack.len() < d + 1 {
            while self.states[t].stack.len() < d + 1 {
                self.push_placeholder(t, line);
            }
            warned = true;
            let name = func.map(|f| String::from_utf8_lossy(f).into_owned());
            self.warn(line, WarningKind::ExitWithoutEntry, || match name {
                Some(n) => {
                    format!("`}} /* {n} */` returns from a call whose entry is not in the capture")
                }
                None => "`}` returns from a call whose entry is not in the capture".into(),
            });
        }
        if let Some(name) = func {
            let id = self.names.intern(name);
            let unknown = self.unknown_func;
            let top_func = self.states[t]
                .stack
                .last()
                .expect("stack has depth+1 frames")
                .func;
            if top_func == unknown {
                self.rename_top(t, id);
            } else if top_func != id {
                // The kernel names an exit when it did not see the matching
                // entry: the open call here is another one whose return was
                // lost. Close it as such and give the `}` a call of its own.
                let open = self.names.name(top_func).to_string();
                let named = String::from_utf8_lossy(name).into_owned();
                self.warn(line, WarningKind::NameMismatch, || {
                    format!("`}} /* {named} */` does not close the open call `{open}()`: its entry was lost; `{open}()` is closed as \"exit not captured\"")
                });
                self.pop_frame(t, Close::unseen(true));
                self.push_placeholder(t, line);
                self.rename_top(t, id);
            } else {
                self.named_exits += 1;
            }
        } else if self.states[t]
            .stack
            .last()
            .is_some_and(|f| f.func != self.unknown_func)
        {
            self.plain_exits += 1;
        } else if !warned
            && self.states[t]
                .stack
                .last()
                .is_some_and(|f| f.func == self.unknown_func && f.first_child_irq)
        {
            // The interrupt-first layout (see `adopt_placeholder`) always
            // prints the interrupted call's entry before its `}`; a `}`
            // reaching the placeholder means that entry line is missing.
            self.warn(line, WarningKind::ExitWithoutEntry, || {
                "`}` returns from a call whose entry line is not in the capture (an interrupt's calls came first, the call's own entry never followed)".into()
            });
        }
        self.pop_frame(
            t,
            Close {
                line,
                duration_ns: rec.duration_ns,
                ret,
                ts_ns: rec.ts_ns,
                missing: false,
            },
        );
    }

    fn push_placeholder(&mut self, t: usize, line: u64) {
        let mut flags = NodeFlags::default();
        flags.set(NodeFlags::ENTRY_MISSING);
        let f = self.unknown_func;
        self.push_frame(t, f, line, None, flags, None);
    }

    /// The path the next call on task `t` most likely takes.
    /// The id of the function a call on task `t` makes. The call the same
    /// place made last time is likely this one: then its name needs no
    /// hashing (the guess is checked byte for byte).
    fn intern_call(&mut self, t: usize, func: &[u8]) -> FuncId {
        let guess = self
            .guess_path(t)
            .map(|g| self.paths.nodes[g as usize].func);
        match guess {
            Some(g)
                if self.infos.get(&self.names, g).exact
                    && self.names.name(g).as_bytes() == func =>
            {
                g
            }
            _ => self.names.intern(func),
        }
    }

    fn guess_path(&self, t: usize) -> Option<PathId> {
        let st = &self.states[t];
        match st.stack.last() {
            Some(f) => self.paths.guess(f.path, f.last_child_path),
            None => self
                .paths
                .guess(TASK_ROOT + t as u32, st.last_top.unwrap_or(NO_PATH)),
        }
    }

    fn push_frame(
        &mut self,
        t: usize,
        func: FuncId,
        line: u64,
        ts_ns: Option<u64>,
        flags: NodeFlags,
        args: Option<&[u8]>,
    ) {
        self.next_serial += 1;
        self.facts.args |= args.is_some();
        let st = &mut self.states[t];
        let prev_sibling = st.stack.last().map_or(NO_NODE, |p| p.last_child);
        if let Some(parent) = st.stack.last_mut() {
            if parent.children == 0 {
                parent.first_child_irq = flags.has(NodeFlags::IRQ);
            }
            parent.children = parent.children.saturating_add(1);
        }
        // Most calls repeat the path their place took last time: looked up
        // by position first, hashed only when that guess fails.
        let path = match st.stack.last_mut() {
            Some(f) => {
                let p = self.paths.child_after(f.path, f.last_child_path, func);
                f.last_child_path = p;
                p
            }
            None => {
                let prev = st.last_top.unwrap_or(NO_PATH);
                let p = self.paths.child_after(TASK_ROOT + t as u32, prev, func);
                st.last_top = Some(p);
                p
            }
        };
        let mut node = NO_NODE;
        if let Some(r) = st
            .region
            .as_mut()
            .filter(|r| r.nodes.len() >= self.opts.max_tree_calls)
        {
            // Memory bound: the tree keeps its first calls (a pre-order
            // prefix, so still a tree); the rest are counted.
            r.dropped += 1;
        } else if let Some(r) = &mut st.region {
            let parent = st.stack.last().map_or(NO_PARENT, |f| f.node);
            let depth = if parent == NO_NODE || parent == NO_PARENT {
                0
            } else {
                r.nodes[parent as usize].depth + 1
            };
            node = r.nodes.len() as u32;
            r.nodes.push(Node {
                func,
                parent: if parent == NO_NODE { NO_PARENT } else { parent },
                end: node + 1,
                depth,
                flags,
                duration_ns: None,
                ret: None,
                line,
                exit_line: 0,
                ts_ns,
                exit_ts_ns: None,
                args: args.map(|a| String::from_utf8_lossy(a).into()),
            });
        } else {
            self.calls_outside += 1;
        }
        if let Some(parent) = st.stack.last_mut() {
            parent.last_child = node;
        }
        st.stack.push(Frame {
            func,
            path,
            node,
            child_ns: 0,
            flags,
            children: 0,
            first_child_irq: false,
            serial: self.next_serial,
            line,
            last_child: NO_NODE,
            prev_sibling,
            adopted: None,
            last_child_path: NO_PATH,
        });
    }

    /// Close the innermost open call of `t` as "exit not captured". `line`
    /// is where that became certain; `None` at the end of the capture.
    fn pop_missing(&mut self, t: usize, line: Option<u64>) {
        let Some(f) = self.states[t].stack.last() else {
            return;
        };
        // exit() and exit_group() never return: the task is gone, not the data.
        let task_exited = self.states[t].stack.iter().any(|f| {
            syscall_root_name(self.names.name(f.func), true)
                .is_some_and(|sc| sc == "exit" || sc == "exit_group")
        });
        if !self.facts.reconstructed && !task_exited {
            let name = self.names.name(f.func).to_string();
            let lost = if f.flags.has(NodeFlags::LOST) {
                " (events were lost on its CPU while it ran)"
            } else {
                ""
            };
            let message = match line {
                Some(l) => format!(
                    "`{name}()` never returned: line {l} of the same task is at a shallower level, so its return is missing{lost}; marked \"exit not captured\""
                ),
                None => format!(
                    "`{name}()` had not returned when the capture ends{lost}; marked \"exit not captured\""
                ),
            };
            self.warn(f.line, WarningKind::ExitNotCaptured, || message);
        }
        self.pop_frame(t, Close::unseen(true));
    }

    /// Give the top frame (a placeholder) the name its `} /* name */` told:
    /// in the stack, the path table and the tree.
    fn rename_top(&mut self, t: usize, id: FuncId) {
        let st = &mut self.states[t];
        let top = st.stack.last_mut().expect("a frame to rename");
        top.func = id;
        let parent = self.paths.nodes[top.path as usize].parent;
        top.path = self.paths.child(parent, id);
        let node = top.node;
        if let (Some(r), true) = (&mut st.region, node != NO_NODE) {
            r.nodes[node as usize].func = id;
        }
    }

    fn pop_frame(&mut self, t: usize, close: Close) {
        let st = &mut self.states[t];
        let Some(mut frame) = st.stack.pop() else {
            return;
        };
        // An adopted interrupt that does not fit in the call's time came
        // after the previous call returned (`irq_order`, case b).
        if let (Some((irq_ns, split)), Some(d), Some(r)) =
            (frame.adopted, close.duration_ns, &mut st.region)
        {
            if d < irq_ns && frame.node != NO_NODE && frame.prev_sibling != NO_NODE {
                let moved = irq_order::move_to_previous_sibling(
                    &mut r.nodes,
                    frame.prev_sibling,
                    frame.node,
                    split,
                );
                if moved != frame.node {
                    frame.node = moved;
                    frame.child_ns = frame.child_ns.saturating_sub(irq_ns);
                    if let Some(parent) = st.stack.last_mut() {
                        parent.last_child = moved;
                    }
                }
            }
        }
        let self_ns = close.duration_ns.map(|d| d.saturating_sub(frame.child_ns));
        self.paths.add(frame.path, close.duration_ns, self_ns);
        if let Some(parent) = st.stack.last_mut() {
            parent.child_ns = parent
                .child_ns
                .saturating_add(close.duration_ns.unwrap_or(0));
        }
        let mut region_done = false;
        if frame.node != NO_NODE {
            if let Some(r) = &mut st.region {
                let end = r.nodes.len() as u32;
                let n = &mut r.nodes[frame.node as usize];
                n.end = end;
                n.duration_ns = close.duration_ns;
                n.ret = close.ret;
                n.exit_line = close.line;
                n.exit_ts_ns = close.ts_ns;
                n.flags.0 |= frame.flags.0;
                if close.missing {
                    n.flags.set(NodeFlags::EXIT_MISSING);
                }
                // A region found by its wrapper ends when the wrapper returns.
                region_done = frame.node == 0 && r.enter.is_none();
            }
        }
        if region_done {
            let r = st.region.take().expect("checked above");
            let end = if close.line != 0 {
                close.line
            } else {
                self.current_line
            };
            let s = self.finish_region(t, r, None, end);
            self.states[t].awaiting_exit = Some(s);
        }
    }

    fn event(&mut self, t: usize, line: u64, name: &[u8], text: &[u8], rec: &Record<'_>) {
        match parse_sys_event(name, text) {
            Some(SysEvent::Enter(e)) => {
                self.facts.sys_enter_events += 1;
                let shapes = &mut self.facts.sys_event_args;
                if shapes.len() < MAX_EVENT_SHAPES && !shapes.contains_key(&e.name) {
                    let names: Vec<&str> = e.args.iter().map(|(k, _)| k.as_str()).collect();
                    shapes.insert(e.name.clone(), names.join(", "));
                }
                self.finish_awaiting(t);
                if let Some(r) = self.states[t].region.take() {
                    // The previous syscall's exit never came.
                    let s = self.finish_region(t, r, None, line);
                    self.keep(s);
                }
                self.start_region(t, line, rec, Some(e), None);
            }
            Some(SysEvent::Exit(x)) => {
                self.facts.sys_exit_events += 1;
                self.sys_exit(t, line, x);
            }
            None => {
                let text = String::from_utf8_lossy(text).into_owned();
                let text = if name.is_empty() {
                    text
                } else {
                    format!("{}: {text}", String::from_utf8_lossy(name))
                };
                let st = &mut self.states[t];
                match &mut st.region {
                    Some(r) => r.markers.push((line, text)),
                    None => {
                        if st.awaiting_exit.is_none() {
                            st.last_marker = Some(text);
                        }
                    }
                }
            }
        }
    }

    fn sys_exit(&mut self, t: usize, line: u64, x: SysExit) {
        let st = &mut self.states[t];
        let region_matches = st.region.as_ref().is_some_and(|r| {
            r.enter.as_ref().map(|e| &e.name).or(r.root_name.as_ref()) == Some(&x.name)
        });
        if region_matches {
            let r = st.region.take().expect("checked");
            let s = self.finish_region(t, r, Some(&x), line);
            self.keep(s);
            return;
        }
        if let Some(mut s) = st.awaiting_exit.take() {
            if s.name == x.name {
                s.ret = Some(x.ret);
                s.ret_source = Some(RetSource::ExitEvent);
                s.end_line = line;
                s.exit_missing = false;
                self.keep(s);
                return;
            }
            st.awaiting_exit = Some(s);
        }
        let name = x.name.clone();
        self.warn(line, WarningKind::UnmatchedSyscallExit, || {
            format!("exit event of `{name}` without its entry event (the capture starts inside it, or the entry was lost)")
        });
    }

    /// A line that is not valid UTF-8. Task names are warned about once per
    /// name (a hostile `comm` is on every line of its task); other bytes
    /// (function names, marker text) once per line.
    pub fn non_utf8(&mut self, line: u64, bytes: &[u8], rec: &Record<'_>) {
        self.facts.non_utf8_lines += 1;
        let comms: Vec<&[u8]> = match rec.kind {
            RecordKind::ContextSwitch { from, to, .. } => vec![from.comm, to.comm],
            _ => rec.task.iter().map(|t| t.comm).collect(),
        };
        for comm in comms.iter().filter(|c| std::str::from_utf8(c).is_err()) {
            let first = self.non_utf8_names.len() < MAX_NON_UTF8_NAMES
                && self.non_utf8_names.insert(comm.to_vec());
            let over = self.non_utf8_names.len() >= MAX_NON_UTF8_NAMES;
            if first || over {
                let shown = String::from_utf8_lossy(comm).into_owned();
                self.warn(line, WarningKind::NonUtf8, || {
                    format!("task name `{shown}` is not UTF-8: shown with replacement characters (its later lines are not warned about again)")
                });
            }
        }
        if !valid_outside(bytes, &comms) {
            self.warn(line, WarningKind::NonUtf8, || {
                "bytes that are not UTF-8 outside the task name: names on this line are shown with replacement characters".into()
            });
        }
    }

    /// End of input: close what is open, and hand over the trace.
    pub fn finish(mut self) -> Trace {
        self.facts.tail = self.named_exits > 0 && self.named_exits >= self.plain_exits;
        let last_line = self.facts.lines;
        self.current_line = last_line;
        for t in 0..self.states.len() {
            self.finish_awaiting(t);
            let not_captured = self.warnings.count(WarningKind::ExitNotCaptured);
            let open_region = self.states[t].region.is_some();
            while !self.states[t].stack.is_empty() {
                if open_region && !self.facts.reconstructed {
                    self.pop_missing(t, None);
                } else {
                    self.pop_reconstructed(t);
                }
                if self.states[t].region.is_none() {
                    // The region's wrapper closed (as missing): it awaits no event now.
                    self.finish_awaiting(t);
                }
            }
            if let Some(r) = self.states[t].region.take() {
                let s = self.finish_region(t, r, None, last_line);
                // A syscall entered (by its event) whose exit is not in the
                // capture, with no open call that already said so: name it.
                if s.exit_missing
                    && self.warnings.count(WarningKind::ExitNotCaptured) == not_captured
                {
                    let (name, line) = (s.name.clone(), s.line);
                    self.warn(line, WarningKind::ExitNotCaptured, || {
                        format!(
                            "syscall `{name}` entered here had not returned when the capture ended"
                        )
                    });
                }
                self.keep(s);
            }
            self.finish_awaiting(t);
        }
        for s in &mut self.kept {
            s.task = self.tasks.resolve(s.task);
        }
        self.kept.sort_by_key(|s| s.index);
        Trace {
            facts: self.facts,
            names: self.names,
            tasks: self.tasks.list,
            syscalls: self.kept,
            groups: self.groups.list,
            paths: self.paths,
            warnings: self.warnings,
            lost: self.lost,
            calls_outside_syscalls: self.calls_outside,
        }
    }

    /// The format this builder reads.
    pub fn format(&self) -> InputFormat {
        self.format
    }
}
