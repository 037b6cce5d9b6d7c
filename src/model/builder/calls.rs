//! Calls entering and returning on a task's stack, and the faults depth
//! proves: an entry shallower than the open stack closes the deeper calls
//! ("exit not captured"); one deeper, or a `}` deeper, stands in for
//! callers whose entry is not in the capture ("entry not captured").

use crate::parse::{Record, RecordKind, RetVal};

use super::{
    super::{
        funcinfo::FuncInfo, intern::FuncId, syscall::syscall_root_name, tree::NodeFlags,
        warnings::WarningKind,
    },
    Builder, Close,
    fast::Lane,
    irq::DepthUse,
};

/// A call's start as its line prints it: the function and its arguments,
/// with the function's id when the fast lane already interned it.
pub(super) struct CallText<'a> {
    func: &'a [u8],
    args: Option<&'a [u8]>,
    id: Option<FuncId>,
}

impl Builder {
    /// An entry, leaf or exit line: the fast lane (`fast.rs`) when it
    /// takes it, else the general path.
    pub(super) fn graph_line(&mut self, line: u64, rec: &Record<'_>) {
        let t = self.task_of(rec);
        let (depth, func, args, leaf) = match rec.kind {
            RecordKind::Entry { depth, func, args } => (depth, func, args, None),
            RecordKind::Leaf {
                depth,
                func,
                ret,
                args,
            } => (depth, func, args, Some(Close::leaf(rec, ret))),
            RecordKind::Exit { depth, func, ret } => {
                if !self.fast_exit(t, line, depth, (func, ret), rec) {
                    let depth = self.shifted_depth(t, depth, DepthUse::Exit(func));
                    self.call_exit(t, line, depth, func, ret, rec);
                }
                return;
            }
            _ => return,
        };
        let Lane::General(id) = self.fast_call(t, line, depth, (func, args), rec, leaf.as_ref())
        else {
            return;
        };
        let depth = self.shifted_depth(t, depth, DepthUse::Entry(func));
        self.call_start(t, line, depth, CallText { func, args, id }, rec, leaf);
    }

    /// A call starts at `depth` (an entry line, or a leaf when `leaf` holds
    /// its return).
    pub(super) fn call_start(
        &mut self,
        t: usize,
        line: u64,
        depth: u32,
        call: CallText<'_>,
        rec: &Record<'_>,
        leaf: Option<Close>,
    ) {
        let CallText { func, args, id } = call;
        self.finish_awaiting(t);
        let d = depth as usize;
        self.facts.capture.calls += 1;
        self.facts.note_depth(depth, leaf.is_some());
        let func_id = id.unwrap_or_else(|| self.names.intern(func));
        let info = self.infos.get(&self.names, func_id);
        if self.adopt_placeholder(t, d, func_id, line, args, rec) {
            if let Some(close) = leaf {
                self.pop_frame(t, close);
            }
            return;
        }
        // Calls deeper than the new one returned without their `}`.
        while self.states[t].stack.len() > d {
            self.pop_missing(t, Some(line));
        }
        if self.states[t].stack.len() < d {
            self.enter_below_unseen(t, line, d, (func, func_id), info, rec);
        }
        if self.states[t].region.is_none() && info.may_start_region(d == 0) {
            if let Some(sc) = self.infos.syscall_name(&self.names, func_id, d == 0) {
                let sc = self.spare.name(sc);
                self.start_region(t, line, rec, None, Some(sc));
            }
        }
        self.maybe_root(t, line, func_id, rec);
        let mut flags = NodeFlags::default();
        if info.irq
            || (!self.in_irq.is_empty()
                && rec.cpu.and_then(|c| self.in_irq.get(c)).unwrap_or(false))
        {
            flags.set(NodeFlags::IRQ);
        }
        if leaf.is_some() {
            flags.set(NodeFlags::LEAF);
        }
        self.push_frame(t, func_id, line, rec.ts_ns, flags, args);
        if let Some(close) = leaf {
            self.pop_frame(t, close);
        }
    }

    pub(super) fn call_exit(
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
            self.facts.capture.retval = true;
        }
        while self.states[t].stack.len() > d + 1 {
            self.pop_missing(t, Some(line));
        }
        let mut warned = false;
        if let Some(f) = func.filter(|_| rec.duration_ns.is_some()) {
            self.maybe_return_root(t, line, d, f, rec);
        }
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
            // funcgraph-retval prints `} /* f = v */` with or without
            // funcgraph-tail: such a name is no sign of the tail option.
            self.named_exit(t, line, name, ret.is_none());
        } else if self.states[t]
            .stack
            .last()
            .is_some_and(|f| f.func != self.unknown_func)
        {
            self.facts.exit_plain();
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
        self.pop_frame(t, Close::returned(line, rec, ret));
    }

    /// A call deeper than the open stack: its callers' entry lines are not
    /// in the capture (it started inside them, or lines were lost). Counted
    /// like a `}` without entry, once per line, so a dropped `f() {` line is
    /// never silent. Not for an interrupt: the kernel prints its first
    /// traced function one level below the interrupted call, whose entry
    /// line is not a fault.
    fn enter_below_unseen(
        &mut self,
        t: usize,
        line: u64,
        d: usize,
        (func, func_id): (&[u8], FuncId),
        info: FuncInfo,
        rec: &Record<'_>,
    ) {
        let missing = d - self.states[t].stack.len();
        let irq = info.irq || rec.cpu.and_then(|c| self.in_irq.get(c)) == Some(true);
        let syscall_here = info.may_start_region(d == 0)
            && self
                .infos
                .syscall_name(&self.names, func_id, d == 0)
                .is_some();
        if !syscall_here {
            // The placeholders join the root's tree: the calls of one
            // unseen caller stay one tree, not a root each.
            self.maybe_root(t, line, func_id, rec);
        }
        while self.states[t].stack.len() < d {
            self.push_placeholder(t, line);
        }
        if !irq {
            let name = String::from_utf8_lossy(func).into_owned();
            self.warn(line, WarningKind::ExitWithoutEntry, || {
                let callers = if missing == 1 {
                    "the entry of 1 caller is".to_string()
                } else {
                    format!("the entries of {missing} callers are")
                };
                format!("`{name}()` is called at depth {d}, but {callers} not in the capture; shown as \"[entry not captured]\"")
            });
        }
    }

    /// `} /* f */` with its duration at the top of its task (or above
    /// callers whose entries are not in the capture), its entry not in the
    /// capture either (tracing_thresh / funcslower print only these; a
    /// capture that starts mid-call): a call of known length, a tree of its
    /// own.
    fn maybe_return_root(&mut self, t: usize, line: u64, d: usize, f: &[u8], rec: &Record<'_>) {
        let st = &self.states[t];
        if st.region.is_some() || st.stack.len() > d || !self.only_unseen_callers(t) {
            return;
        }
        // The callers' placeholders (pushed next) join the tree: the
        // returns that follow at shallower depths close them in it.
        let name = String::from_utf8_lossy(f).into_owned();
        match syscall_root_name(&name, true) {
            Some(sc) if d == 0 => self.start_region(t, line, rec, None, Some(sc.to_string())),
            // A syscall wrapper's return below the top without its entry:
            // its calls were lost or came before the capture, so no tree of
            // it could be compared truthfully.
            Some(_) => {}
            None => self.start_root_region(t, line, rec, name),
        }
    }

    /// `} /* name */`: it names the open call (or a placeholder, which takes
    /// the name), or, naming another, proves the open call's return lost.
    fn named_exit(&mut self, t: usize, line: u64, name: &[u8], tail_sign: bool) {
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
        } else if tail_sign {
            self.facts.exit_named();
        }
    }

    /// The outermost traced call of a task outside any syscall starts a
    /// root of its own (not the syscall glue around a wrapper, which the
    /// wrapper's own region covers).
    #[inline]
    pub(super) fn maybe_root(&mut self, t: usize, line: u64, func: FuncId, rec: &Record<'_>) {
        if self.states[t].region.is_some() || !self.only_unseen_callers(t) {
            return;
        }
        if self.infos.get(&self.names, func).glue {
            return;
        }
        let name = self.names.name(func).to_string();
        self.start_root_region(t, line, rec, name);
    }

    /// Whether every open call of task `t` is a caller whose entry is not
    /// in the capture (a capture that starts mid-call, or a snippet cut out
    /// of a deeper trace): the next call is then the outermost the capture
    /// shows of its task, so a root, under those callers' placeholders.
    fn only_unseen_callers(&self, t: usize) -> bool {
        let unknown = self.unknown_func;
        // From the top: a real call there (the common case) answers at once.
        self.states[t]
            .stack
            .iter()
            .rev()
            .all(|f| f.func == unknown && f.node == super::NO_NODE)
    }
}
