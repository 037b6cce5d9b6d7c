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

mod calls;
mod caps;
pub use caps::DEFAULT_MAX_TASKS;
mod depth;
pub use depth::MAX_DEPTH;
mod events;
mod facts;
mod fast;
mod irq;
mod reconstruct;
mod region;
mod stack;
#[cfg(test)]
mod tests;

use facts::FactsRecorder;
#[cfg(test)]
pub(crate) use fast::general_path_only;
use reconstruct::ReconstructedCall;
use stack::Close;

use crate::parse::{InputFormat, Record, RecordKind, SysEnter};

use super::{
    LostEvents, Trace,
    funcinfo::FuncInfos,
    groups::Groups,
    intern::{FuncId, Interner},
    paths::{PathId, PathTable},
    syscall::Syscall,
    tasks::Tasks,
    tree::{Node, NodeFlags},
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
    /// Tasks one capture keeps; records of further tasks are not built.
    pub max_tasks: usize,
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
            max_tasks: DEFAULT_MAX_TASKS,
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
    /// The caller a function-tracer record named (`<-parent`), for
    /// telling a sibling from a callee (`reconstruct.rs`).
    caller: Option<FuncId>,
}

/// The syscall being built on a task.
#[derive(Debug)]
struct Region {
    enter: Option<SysEnter>,
    root_name: Option<String>,
    /// Rooted at a call that is no syscall entry (the outermost traced call
    /// of its task): a root, not a syscall.
    root: bool,
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
    /// Boxed, as `awaiting_exit`: most tasks of a capture have neither,
    /// and a task's state is paid up to `--max-tasks` times.
    region: Option<Box<Region>>,
    /// A syscall found by its wrapper that returned; its exit event may
    /// follow on the next line.
    awaiting_exit: Option<Box<Syscall>>,
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

/// Builds a [`Trace`] from records fed in file order.
pub struct Builder {
    opts: BuildOptions,
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
    /// What the capture shows about itself.
    facts: FactsRecorder,
    in_irq: super::cpumap::CpuMap<bool>,
    comment_open: Option<u64>,
    /// The next frame's serial.
    next_serial: u64,
    /// The line being fed.
    current_line: u64,
    syscall_count: usize,
    calls_outside: u64,
    /// Allocations of the last syscall done with, for the next one.
    spare: region::Spare,
    /// Common calls take the fast lane (`fast.rs`); off only to test that
    /// it builds what the general path builds.
    fast_lane: bool,
}

impl Builder {
    /// A builder for a capture in `format`.
    pub fn new(format: InputFormat, opts: BuildOptions) -> Self {
        let mut names = Interner::default();
        let unknown_func = names.intern(b"[entry not captured]");
        Builder {
            opts,
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
            facts: FactsRecorder::new(format),
            in_irq: Default::default(),
            comment_open: None,
            next_serial: 0,
            current_line: 0,
            syscall_count: 0,
            calls_outside: 0,
            spare: region::Spare::default(),
            fast_lane: !fast::general_only(),
        }
    }

    /// Whether a multi-line comment is open: an unreadable line now is its
    /// continuation, not damage.
    pub fn in_open_comment(&self) -> bool {
        self.comment_open.is_some()
    }

    /// A line that continues the line before it (a wrapped line joined to it).
    pub fn line_continues(&mut self) {
        self.facts.capture.continued_lines += 1;
    }

    /// The format the lines are parsed in.
    pub fn format(&self) -> InputFormat {
        self.facts.capture.format.unwrap_or(InputFormat::Graph)
    }

    /// A line that continues an open comment; `closes` when it ends in `*/`.
    pub fn comment_continues(&mut self, closes: bool) {
        self.facts.capture.continued_lines += 1;
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
        self.facts.count_line(bytes);
    }

    /// Lines counted so far.
    pub fn lines_read(&self) -> u64 {
        self.facts.capture.lines
    }

    /// The last line had no newline.
    pub fn unterminated_last_line(&mut self) {
        self.facts.capture.unterminated_last_line = true;
    }

    /// Feed one record.
    #[inline]
    pub fn push(&mut self, line: u64, rec: &Record<'_>) {
        let caps = self.names.caps();
        self.current_line = line;
        self.push_record(line, rec);
        let now = self.names.caps();
        if now != caps {
            self.name_cap_warning(line, now.cut > caps.cut);
        }
    }

    #[inline]
    fn push_record(&mut self, line: u64, rec: &Record<'_>) {
        self.comment_open = None;
        match &rec.kind {
            RecordKind::Header(h) => return self.facts.header(h),
            RecordKind::Blank | RecordKind::Rule => return self.facts.layout_line(),
            _ => {}
        }
        self.facts.record(rec);
        match rec.kind {
            RecordKind::Lost { .. }
            | RecordKind::BufferStarted { .. }
            | RecordKind::ContextSwitch { .. }
            | RecordKind::IrqEnter
            | RecordKind::IrqExit
            | RecordKind::Overrun(_)
            | RecordKind::LineTooBig => self.control(line, rec),
            RecordKind::Entry { depth, .. }
            | RecordKind::Leaf { depth, .. }
            | RecordKind::Exit { depth, .. }
                if self.over_depth_cap(line, depth as usize) => {}
            _ if self.over_task_cap(line, rec) => {}
            RecordKind::Entry { .. } | RecordKind::Leaf { .. } | RecordKind::Exit { .. } => {
                self.graph_line(line, rec)
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

    #[inline]
    fn task_of(&mut self, rec: &Record<'_>) -> usize {
        // A line with a CPU and no task column, on a CPU whose task is
        // known: what `task_of_any` finds, without its calls.
        if let (None, Some(cpu)) = (rec.task, rec.cpu) {
            if let Some(id) = self.tasks.settled_on_cpu(cpu) {
                if let Some(st) = self.states.get_mut(id) {
                    st.last_cpu = Some(cpu);
                    return id;
                }
            }
        }
        self.task_of_any(rec)
    }

    #[inline(never)]
    fn task_of_any(&mut self, rec: &Record<'_>) -> usize {
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

    /// A line that is not valid UTF-8 (see [`FactsRecorder::non_utf8`]).
    pub fn non_utf8(&mut self, line: u64, bytes: &[u8], rec: &Record<'_>) {
        self.facts.non_utf8(line, bytes, rec, &mut self.warnings);
    }

    /// End of input: close what is open, and hand over the trace.
    pub fn finish(mut self) -> Trace {
        let last_line = self.facts.capture.lines;
        self.current_line = last_line;
        for t in 0..self.states.len() {
            self.finish_awaiting(t);
            let not_captured = self.warnings.count(WarningKind::ExitNotCaptured);
            let open_region = self.states[t].region.is_some();
            while !self.states[t].stack.is_empty() {
                if open_region && !self.facts.capture.reconstructed {
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
                let s = self.boxed(s);
                self.keep(s);
            }
            self.finish_awaiting(t);
        }
        for s in &mut self.kept {
            s.task = self.tasks.resolve(s.task);
        }
        self.kept.sort_by_key(|s| s.index);
        Trace {
            facts: self.facts.finish(),
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
}
