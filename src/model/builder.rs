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

use rustc_hash::FxHashMap;

use crate::parse::{HeaderLine, InputFormat, Record, RecordKind, RetVal};

use super::{
    CaptureFacts, LostEvents, Trace,
    funcinfo::FuncInfos,
    groups::Groups,
    intern::{FuncId, Interner},
    paths::{NO_PATH, PathId, PathTable, TASK_ROOT},
    syscall::{
        RetSource, SysEnter, SysEvent, SysExit, Syscall, parse_sys_event, syscall_root_name,
    },
    tasks::Tasks,
    tree::{CallTree, NO_PARENT, Node, NodeFlags},
    warnings::{WarningKind, Warnings},
};

/// What the caller wants kept.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// At most this many syscalls keep their full call tree.
    pub keep: usize,
    /// Only syscalls with these names are kept (all when empty).
    pub syscalls: Vec<String>,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions {
            keep: 100,
            syscalls: Vec::new(),
        }
    }
}

const NO_NODE: u32 = u32::MAX;

/// Calls one syscall's tree keeps (about 24 MB of nodes): a syscall traced
/// with every function and no depth limit can make millions of calls; the
/// tree keeps the first ones (a pre-order prefix, so still a tree) and the
/// rest count in its `calls` and in the path table.
pub const MAX_TREE_NODES: usize = 250_000;

/// Calls all kept trees of a capture hold together (about 48 MB of nodes,
/// and what the report renders): `--keep` counts syscalls, this bounds
/// their size. A failing syscall still displaces non-failing ones.
pub const MAX_KEPT_NODES: usize = 500_000;

/// Deepest stack rebuilt from `<-parent` chains before it is reset.
const MAX_RECONSTRUCTED_DEPTH: usize = 128;

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
    /// Path of its latest child, to guess the next one ([`PathTable::guess`]).
    last_child: PathId,
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
    /// Calls not kept in `nodes` ([`MAX_TREE_NODES`]).
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
    /// Path of the latest top-level call (see `Frame::last_child`).
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

    /// The last line had no newline.
    pub fn unterminated_last_line(&mut self) {
        self.facts.unterminated_last_line = true;
    }

    /// Feed one record.
    pub fn push(&mut self, line: u64, rec: &Record<'_>) {
        self.comment_open = None;
        match &rec.kind {
            RecordKind::Header(h) => return self.header(h),
            RecordKind::Blank | RecordKind::Rule => return,
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
            RecordKind::Entry { depth, func } => {
                let t = self.task_of(rec);
                self.call_start(t, line, depth, func, rec, None);
            }
            RecordKind::Leaf { depth, func, ret } => {
                let t = self.task_of(rec);
                let close = Close {
                    line: 0,
                    duration_ns: rec.duration_ns,
                    ret,
                    ts_ns: None,
                    missing: false,
                };
                self.call_start(t, line, depth, func, rec, Some(close));
            }
            RecordKind::Exit { depth, func, ret } => {
                let t = self.task_of(rec);
                self.call_exit(t, line, depth, func, ret, rec);
            }
            RecordKind::Call { func, parent, .. } => {
                let t = self.task_of(rec);
                self.reconstructed_call(t, line, func, parent, rec);
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
        self.facts.lost_events += count.unwrap_or(0);
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

    /// Whether `name` is an interrupt entry or exit function.
    pub(super) fn is_irq_func(name: &[u8]) -> bool {
        name.starts_with(b"__sysvec_")
            || name.starts_with(b"sysvec_")
            || name.starts_with(b"irq_enter")
            || name.starts_with(b"irq_exit")
            || name.starts_with(b"__irq_exit")
            || name == b"do_IRQ"
            || name == b"smp_apic_timer_interrupt"
            || name.starts_with(b"handle_irq")
            || name.starts_with(b"__do_softirq")
            || name.starts_with(b"do_softirq")
    }

    /// A call starts at `depth` (an entry line, or a leaf when `leaf` holds
    /// its return).
    fn call_start(
        &mut self,
        t: usize,
        line: u64,
        depth: u32,
        func: &[u8],
        rec: &Record<'_>,
        leaf: Option<Close>,
    ) {
        self.finish_awaiting(t);
        let d = depth as usize;
        self.facts.calls += 1;
        self.note_depth(depth, leaf.is_some());
        // Calls deeper than the new one returned without their `}`.
        while self.states[t].stack.len() > d {
            self.pop_missing(t, line);
        }
        while self.states[t].stack.len() < d {
            self.push_placeholder(t, line);
        }
        // The call the same place made last time is likely this one: then
        // its name needs no hashing.
        let guess = self
            .guess_path(t)
            .map(|g| self.paths.nodes[g as usize].func);
        let func_id = match guess {
            Some(g)
                if self.infos.get(&self.names, g).exact
                    && self.names.name(g).as_bytes() == func =>
            {
                g
            }
            _ => self.names.intern(func),
        };
        let info = self.infos.get(&self.names, func_id);
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
        self.push_frame(t, func_id, line, rec.ts_ns, flags);
        if let Some(mut close) = leaf {
            close.line = 0;
            close.ts_ns = rec.ts_ns.zip(close.duration_ns).map(|(a, b)| a + b);
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
            self.pop_missing(t, line);
        }
        if self.states[t].stack.len() < d + 1 {
            while self.states[t].stack.len() < d + 1 {
                self.push_placeholder(t, line);
            }
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
            let st = &mut self.states[t];
            let top = st.stack.last_mut().expect("stack has depth+1 frames");
            if top.func == unknown {
                top.func = id;
                let parent = self.paths.nodes[top.path as usize].parent;
                top.path = self.paths.child(parent, id);
                let node = top.node;
                if let (Some(r), true) = (&mut st.region, node != NO_NODE) {
                    r.nodes[node as usize].func = id;
                }
            } else if top.func != id {
                // The kernel names an exit when it did not see the matching
                // entry: the open call here is another one whose return was
                // lost. Close it as such and give the `}` a call of its own.
                let open = self.names.name(top.func).to_string();
                let named = String::from_utf8_lossy(name).into_owned();
                self.warn(line, WarningKind::NameMismatch, || {
                    format!("`}} /* {named} */` does not close the open call `{open}()`: its entry was lost; `{open}()` is closed as \"exit not captured\"")
                });
                self.pop_frame(
                    t,
                    Close {
                        line: 0,
                        duration_ns: None,
                        ret: None,
                        ts_ns: None,
                        missing: true,
                    },
                );
                self.push_placeholder(t, line);
                let st = &mut self.states[t];
                let top = st.stack.last_mut().expect("just pushed");
                top.func = id;
                let parent = self.paths.nodes[top.path as usize].parent;
                top.path = self.paths.child(parent, id);
                let node = top.node;
                if let (Some(r), true) = (&mut st.region, node != NO_NODE) {
                    r.nodes[node as usize].func = id;
                }
            } else {
                self.facts.tail = true;
            }
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

    /// A function tracer record: place `func` under the nearest open call
    /// named `parent`; calls above it returned (unseen, as always with this
    /// tracer).
    fn reconstructed_call(
        &mut self,
        t: usize,
        line: u64,
        func: &[u8],
        parent: Option<&[u8]>,
        rec: &Record<'_>,
    ) {
        let parent_id = parent.map(|p| {
            // sym-offset: "parent+0x1a/0x90"
            let p = p.split(|&b| b == b'+').next().unwrap_or(p);
            self.names.intern(p)
        });
        let pos = parent_id.and_then(|p| self.states[t].stack.iter().rposition(|f| f.func == p));
        let depth = match (pos, parent_id) {
            (Some(k), _) => k + 1,
            (None, None) => 0,
            (None, Some(p)) => {
                // The caller is not traced (notrace, inlined, or asm): it
                // was most likely called from the innermost open call. The
                // stack heals at the next caller it does hold; it is capped
                // so a capture of such calls cannot grow it for ever.
                if self.states[t].stack.len() >= MAX_RECONSTRUCTED_DEPTH {
                    while !self.states[t].stack.is_empty() {
                        self.pop_reconstructed(t);
                    }
                }
                let mut flags = NodeFlags::default();
                flags.set(NodeFlags::RECONSTRUCTED);
                flags.set(NodeFlags::ENTRY_MISSING);
                self.push_frame(t, p, line, rec.ts_ns, flags);
                self.states[t].stack.len()
            }
        };
        while self.states[t].stack.len() > depth {
            self.pop_reconstructed(t);
        }
        self.facts.calls += 1;
        let func_id = self.names.intern(func);
        let info = self.infos.get(&self.names, func_id);
        if self.states[t].region.is_none() && info.may_start_region(depth == 0) {
            if let Some(sc) = syscall_root_name(self.names.name(func_id), depth == 0) {
                let sc = sc.to_string();
                self.start_region(t, line, rec, None, Some(sc));
            }
        }
        let mut flags = NodeFlags::default();
        flags.set(NodeFlags::RECONSTRUCTED);
        if info.irq {
            flags.set(NodeFlags::IRQ);
        }
        self.push_frame(t, func_id, line, rec.ts_ns, flags);
    }

    fn pop_reconstructed(&mut self, t: usize) {
        self.pop_frame(
            t,
            Close {
                line: 0,
                duration_ns: None,
                ret: None,
                ts_ns: None,
                missing: false,
            },
        );
    }

    fn push_placeholder(&mut self, t: usize, line: u64) {
        let mut flags = NodeFlags::default();
        flags.set(NodeFlags::ENTRY_MISSING);
        let f = self.unknown_func;
        self.push_frame(t, f, line, None, flags);
    }

    /// The path the next call on task `t` most likely takes.
    fn guess_path(&self, t: usize) -> Option<PathId> {
        let st = &self.states[t];
        match st.stack.last() {
            Some(f) => self.paths.guess(f.path, f.last_child),
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
    ) {
        let st = &mut self.states[t];
        let path = match st.stack.last_mut() {
            Some(f) => {
                let p = self.paths.child_after(f.path, f.last_child, func);
                f.last_child = p;
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
        match &mut st.region {
            Some(r) if r.nodes.len() >= MAX_TREE_NODES => r.dropped += 1,
            Some(r) => {
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
                });
            }
            None => self.calls_outside += 1,
        }
        st.stack.push(Frame {
            func,
            path,
            node,
            child_ns: 0,
            flags,
            last_child: NO_PATH,
        });
    }

    fn pop_missing(&mut self, t: usize, line: u64) {
        let Some(f) = self.states[t].stack.last() else {
            return;
        };
        if !self.facts.reconstructed {
            let name = self.names.name(f.func).to_string();
            self.warn(line, WarningKind::ExitNotCaptured, || {
                format!("`{name}()` never returned in the capture before this line; closed here as \"exit not captured\"")
            });
        }
        self.pop_frame(
            t,
            Close {
                line: 0,
                duration_ns: None,
                ret: None,
                ts_ns: None,
                missing: true,
            },
        );
    }

    fn pop_frame(&mut self, t: usize, close: Close) {
        let st = &mut self.states[t];
        let Some(frame) = st.stack.pop() else {
            return;
        };
        let self_ns = close.duration_ns.map(|d| d.saturating_sub(frame.child_ns));
        self.paths.add(frame.path, close.duration_ns, self_ns);
        if let Some(parent) = st.stack.last_mut() {
            parent.child_ns += close.duration_ns.unwrap_or(0);
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
            let s = self.finish_region(t, r, None, close.line);
            self.states[t].awaiting_exit = Some(s);
        }
    }

    fn event(&mut self, t: usize, line: u64, name: &[u8], text: &[u8], rec: &Record<'_>) {
        match parse_sys_event(name, text) {
            Some(SysEvent::Enter(e)) => {
                self.facts.sys_enter_events += 1;
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

    fn finish_awaiting(&mut self, t: usize) {
        if let Some(s) = self.states[t].awaiting_exit.take() {
            self.keep(s);
        }
    }

    fn start_region(
        &mut self,
        t: usize,
        line: u64,
        rec: &Record<'_>,
        enter: Option<SysEnter>,
        root_name: Option<String>,
    ) {
        let st = &mut self.states[t];
        let marker_before = st.last_marker.take();
        st.region = Some(Region {
            enter,
            root_name,
            nodes: Vec::new(),
            line,
            ts_ns: rec.ts_ns,
            cpu: rec.cpu.or(st.last_cpu),
            lost: false,
            markers: Vec::new(),
            marker_before,
            dropped: 0,
        });
    }

    /// Turn a finished region into a syscall: pick the tree's root (the
    /// syscall's wrapper when the events enclose more than it), take the
    /// result from the exit event or the root's return value.
    fn finish_region(
        &mut self,
        t: usize,
        mut r: Region,
        exit: Option<&SysExit>,
        end_line: u64,
    ) -> Syscall {
        let st = &mut self.states[t];
        // Calls still open at the exit event belong to the kernel's exit path.
        for f in &mut st.stack {
            if f.node != NO_NODE {
                let end = r.nodes.len() as u32;
                let n = &mut r.nodes[f.node as usize];
                n.end = end;
                if exit.is_some() {
                    n.flags.set(NodeFlags::OPEN_AT_SYSCALL_EXIT);
                } else {
                    n.flags.set(NodeFlags::EXIT_MISSING);
                }
                f.node = NO_NODE;
            }
        }
        if r.dropped > 0 {
            let (kept, dropped) = (r.nodes.len(), r.dropped);
            self.warn(r.line, WarningKind::TreeTruncated, || {
                format!("this syscall made {} traced calls; its call tree keeps the first {kept} (the rest are counted, not shown)", kept as u64 + dropped)
            });
        }
        let dropped = r.dropped;
        let tree = self.pick_root(
            CallTree { nodes: r.nodes },
            r.enter.as_ref().map(|e| e.name.as_str()),
        );
        let root = tree.nodes.first();
        let name = r
            .enter
            .as_ref()
            .map(|e| e.name.clone())
            .or(r.root_name.clone())
            .unwrap_or_else(|| "?".into());
        let root_is_wrapper = root.is_some_and(|n| {
            !n.flags.has(NodeFlags::SYNTHETIC)
                && syscall_root_name(self.names.name(n.func), true).is_some()
        });
        let (ret, ret_source) = match (exit, root.and_then(|n| n.ret).filter(|_| root_is_wrapper)) {
            (Some(x), _) => (Some(x.ret), Some(RetSource::ExitEvent)),
            (None, Some(rv)) => (Some(rv.value()), Some(RetSource::Retval)),
            (None, None) => (None, None),
        };
        let root_duration = root.and_then(|n| n.duration_ns);
        let exit_missing = exit.is_none()
            && root.is_none_or(|n| {
                n.flags.has(NodeFlags::EXIT_MISSING) || n.flags.has(NodeFlags::SYNTHETIC)
            });
        let calls = tree
            .nodes
            .iter()
            .filter(|n| !n.flags.has(NodeFlags::SYNTHETIC))
            .count() as u64
            + dropped;
        let index = self.syscall_count;
        self.syscall_count += 1;
        Syscall {
            name,
            args: r.enter.map(|e| e.args).unwrap_or_default(),
            ret,
            ret_source,
            task: t,
            cpu: r.cpu,
            line: r.line,
            end_line,
            duration_ns: root_duration,
            ts_ns: r.ts_ns,
            tree: (!tree.nodes.is_empty()).then_some(tree),
            calls,
            lost_events: r.lost,
            exit_missing,
            marker_before: r.marker_before,
            markers: r.markers,
            index,
        }
    }

    /// The events of a syscall may enclose more than its wrapper (the
    /// kernel's entry/exit work when every function is traced): the tree is
    /// the wrapper's subtree when there is one, else the only top-level
    /// call, else a synthetic root over all of them.
    fn pick_root(&mut self, tree: CallTree, name: Option<&str>) -> CallTree {
        if tree.nodes.is_empty() {
            return tree;
        }
        let wrapper = tree.nodes.iter().position(|n| {
            syscall_root_name(self.names.name(n.func), n.parent == NO_PARENT)
                .is_some_and(|sc| name.is_none_or(|want| want == sc))
        });
        if let Some(i) = wrapper {
            if i == 0 && tree.nodes[0].end as usize == tree.nodes.len() {
                return tree;
            }
            return tree.subtree(i);
        }
        if tree.nodes[0].end as usize == tree.nodes.len() {
            return tree;
        }
        let label = format!("[{} syscall]", name.unwrap_or("?"));
        let func = self.names.intern(label.as_bytes());
        let mut flags = NodeFlags::default();
        flags.set(NodeFlags::SYNTHETIC);
        let first = &tree.nodes[0];
        let mut nodes = Vec::with_capacity(tree.nodes.len() + 1);
        nodes.push(Node {
            func,
            parent: NO_PARENT,
            end: tree.nodes.len() as u32 + 1,
            depth: 0,
            flags,
            duration_ns: None,
            ret: None,
            line: first.line,
            exit_line: 0,
            ts_ns: first.ts_ns,
            exit_ts_ns: None,
        });
        nodes.extend(tree.nodes.into_iter().map(|n| Node {
            parent: if n.parent == NO_PARENT {
                0
            } else {
                n.parent + 1
            },
            end: n.end + 1,
            depth: n.depth + 1,
            ..n
        }));
        CallTree { nodes }
    }

    /// Count the syscall and keep its tree if the policy allows.
    fn keep(&mut self, mut s: Syscall) {
        let (_, group_has_room) = self.groups.add(&s);
        let wanted = self.opts.syscalls.is_empty() || self.opts.syscalls.contains(&s.name);
        let nodes = s.tree.as_ref().map_or(0, CallTree::len);
        let room = self.kept.len() < self.opts.keep && self.kept_nodes + nodes <= MAX_KEPT_NODES;
        if !(wanted && group_has_room && (room || self.make_room_for(&s, nodes))) {
            s.tree = None;
            return;
        }
        if let Some(g) = self
            .groups
            .list
            .iter_mut()
            .find(|g| g.title == s.title() && g.outcome == super::Outcome::of(&s))
        {
            g.kept += 1;
        }
        self.kept_nodes += nodes;
        self.kept.push(s);
    }

    /// A failing syscall (of `nodes` calls) may take the place of the
    /// latest kept syscalls that did not fail, as many as it takes to fit
    /// both `--keep` and [`MAX_KEPT_NODES`]; none is dropped if it cannot.
    fn make_room_for(&mut self, s: &Syscall, nodes: usize) -> bool {
        if !s.failed() || self.opts.keep == 0 {
            return false;
        }
        let tree_len = |k: &Syscall| k.tree.as_ref().map_or(0, CallTree::len);
        let (ok_count, ok_nodes) = self
            .kept
            .iter()
            .filter(|k| !k.failed())
            .fold((0, 0), |(c, n), k| (c + 1, n + tree_len(k)));
        if self.kept.len() - ok_count >= self.opts.keep
            || self.kept_nodes - ok_nodes + nodes > MAX_KEPT_NODES
        {
            return false;
        }
        while self.kept.len() >= self.opts.keep || self.kept_nodes + nodes > MAX_KEPT_NODES {
            let Some(victim) = self.kept.iter().rposition(|k| !k.failed()) else {
                return false;
            };
            let v = self.kept.remove(victim);
            self.kept_nodes -= tree_len(&v);
            if let Some(g) = self
                .groups
                .list
                .iter_mut()
                .find(|g| g.title == v.title() && g.outcome == super::Outcome::of(&v))
            {
                g.kept -= 1;
            }
        }
        true
    }

    /// End of input: close what is open, and hand over the trace.
    pub fn finish(mut self) -> Trace {
        let last_line = self.facts.lines;
        for t in 0..self.states.len() {
            self.finish_awaiting(t);
            let open_region = self.states[t].region.is_some();
            while !self.states[t].stack.is_empty() {
                if open_region && !self.facts.reconstructed {
                    self.pop_missing(t, last_line);
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
