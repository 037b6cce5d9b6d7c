//! The common call, without the checks that find it common.
//!
//! Most lines of a big function_graph capture are a leaf (`f();`) or an
//! entry (`f() {`) one level under a real open call, on a task with nothing
//! pending: no interrupt printed out of place, no syscall awaiting its exit
//! event, no syscall or root starting there. The general path
//! ([`Builder::call_start`]) asks about each of those on every line and, for
//! a leaf, pushes a frame only to pop it; on a capture of many short
//! syscalls that made the builder the slowest stage of the pipeline. Such a
//! call takes this lane instead; anything else the general one. Both must
//! build the same trace: `load`'s tests build every fixture both ways.

use crate::parse::{Record, RetVal};

use super::{
    super::{
        intern::{FuncId, MAX_NAME_LEN},
        tree::{NO_PARENT, Node, NodeFlags},
    },
    Builder, Close,
};

/// What the fast lane did with a call.
pub(super) enum Lane {
    /// Built it.
    Done,
    /// Left it to the general path, with the function's id when it was
    /// already interned (interning counts cut names: once per line).
    General(Option<FuncId>),
}

impl Builder {
    /// Build a call starting at `depth` on task `t` (an entry, or a leaf
    /// when `leaf` holds its return, as the general path would close it)
    /// if it is the common case.
    #[inline]
    pub(super) fn fast_call(
        &mut self,
        t: usize,
        line: u64,
        depth: u32,
        (func, args): (&[u8], Option<&[u8]>),
        rec: &Record<'_>,
        leaf: Option<&Close>,
    ) -> Lane {
        if !self.fast_lane {
            return Lane::General(None);
        }
        // What the general path does first, whatever the call.
        self.finish_awaiting(t);
        if !self.common_place(t, depth as usize) {
            return Lane::General(None);
        }
        let id = self.names.intern(func);
        let info = self.infos.get(&self.names, id);
        // Where no region is open, a syscall's wrapper starts one, and so
        // does a task's outermost call unless it is syscall glue (a root).
        let top = depth == 0;
        if self.states[t].region.is_none() && (info.may_start_region(top) || top && !info.glue) {
            return Lane::General(Some(id));
        }
        self.facts.capture.calls += 1;
        self.facts.note_depth(depth, leaf.is_some());
        let mut flags = NodeFlags::default();
        if info.irq
            || (!self.in_irq.is_empty()
                && rec.cpu.and_then(|c| self.in_irq.get(c)).unwrap_or(false))
        {
            flags.set(NodeFlags::IRQ);
        }
        match leaf {
            None => self.push_frame(t, id, line, rec.ts_ns, flags, args),
            Some(end) => {
                flags.set(NodeFlags::LEAF);
                self.leaf(t, id, line, flags, (args, rec.ts_ns), end);
            }
        }
        Lane::Done
    }

    /// Close the open call of `t` at `depth` by its `}` (plain, or naming
    /// it) if that is all the line does; false (nothing changed) when the
    /// general path must take it.
    #[inline]
    pub(super) fn fast_exit(
        &mut self,
        t: usize,
        line: u64,
        depth: u32,
        (func, ret): (Option<&[u8]>, Option<RetVal>),
        rec: &Record<'_>,
    ) -> bool {
        if !self.fast_lane {
            return false;
        }
        self.finish_awaiting(t);
        let st = &self.states[t];
        let Some(top) = st.stack.last() else {
            return false;
        };
        let common = st.stack.len() == depth as usize + 1
            && st.irq_shift.is_none()
            && top.func != self.unknown_func;
        // A name must be the open call's, byte for byte (as interned whole).
        let named_as_open = func.is_none_or(|name| {
            name.len() <= MAX_NAME_LEN
                && self.infos.get(&self.names, top.func).exact
                && self.names.name(top.func).as_bytes() == name
        });
        if !common || !named_as_open {
            return false;
        }
        if ret.is_some() {
            self.facts.capture.retval = true;
        }
        match func {
            None => self.facts.exit_plain(),
            Some(_) if ret.is_none() => self.facts.exit_named(),
            Some(_) => {}
        }
        self.pop_frame(t, Close::returned(line, rec, ret));
        true
    }

    /// Whether a call at `d` on `t` is at the top of its task or one level
    /// under a real open call, with nothing pending on the task: then the
    /// general path would not close, adopt, shift or add callers.
    #[inline]
    fn common_place(&self, t: usize, d: usize) -> bool {
        let st = &self.states[t];
        st.stack.len() == d
            && st.irq_shift.is_none()
            && st.stack.last().is_none_or(|f| f.func != self.unknown_func)
            // A region's first node ending would end a wrapper's region.
            && st.region.as_ref().is_none_or(|r| !r.nodes.is_empty())
    }

    /// A leaf: what [`Builder::push_frame`] then [`Builder::pop_frame`]
    /// would do for it, without the frame.
    fn leaf(
        &mut self,
        t: usize,
        func: FuncId,
        line: u64,
        flags: NodeFlags,
        (args, ts_ns): (Option<&[u8]>, Option<u64>),
        end: &Close,
    ) {
        self.facts.capture.args |= args.is_some();
        let d = end.duration_ns;
        let (path, _) = self.enter_call(t, func, flags, || Node {
            func,
            parent: NO_PARENT,
            end: 0,
            depth: 0,
            flags,
            duration_ns: d,
            ret: end.ret,
            line,
            exit_line: 0,
            ts_ns,
            exit_ts_ns: end.ts_ns,
            args: args.map(|a| String::from_utf8_lossy(a).into()),
        });
        if let Some(parent) = self.states[t].stack.last_mut() {
            parent.child_ns = parent.child_ns.saturating_add(d.unwrap_or(0));
        }
        self.paths.add(path, d, d);
    }
}

#[cfg(test)]
thread_local! {
    /// Builders made on this thread take the general path only.
    static GENERAL_ONLY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

#[cfg(test)]
pub(super) fn general_only() -> bool {
    GENERAL_ONLY.with(std::cell::Cell::get)
}

#[cfg(not(test))]
pub(super) fn general_only() -> bool {
    false
}

/// Run `f` with builders made on this thread taking only the general path
/// when `general` holds: the fast lane's tests compare the two.
#[cfg(test)]
pub(crate) fn general_path_only<T>(general: bool, f: impl FnOnce() -> T) -> T {
    GENERAL_ONLY.with(|g| g.set(general));
    let out = f();
    GENERAL_ONLY.with(|g| g.set(false));
    out
}
