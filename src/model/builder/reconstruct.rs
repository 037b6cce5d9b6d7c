//! Call trees from the plain function tracer, which prints calls but never
//! returns: a call goes under its caller (`func <-parent`), or at the depth
//! trace-cmd's function plugin printed. Nodes are flagged `reconstructed`
//! and have no durations.

use crate::parse::Record;

use super::{
    super::{
        intern::FuncId,
        syscall::{is_arch_wrapper, is_syscall_glue},
        tree::NodeFlags,
    },
    Builder, Close, MAX_RECONSTRUCTED_DEPTH, TaskState,
};

/// A function tracer record, as the builder needs it.
pub(super) struct ReconstructedCall<'a> {
    pub func: &'a [u8],
    pub args: Option<&'a [u8]>,
    pub parent: Option<&'a [u8]>,
    pub indent: Option<u32>,
}

impl Builder {
    /// A function tracer record: place `func` under its caller. With
    /// trace-cmd's indentation the depth is given (the plugin rebuilt it
    /// from the parents it saw); otherwise under the nearest open call named
    /// `parent`. Calls above it returned (unseen, as always with this
    /// tracer).
    pub(super) fn reconstructed_call(
        &mut self,
        t: usize,
        line: u64,
        call: ReconstructedCall<'_>,
        rec: &Record<'_>,
    ) {
        // trace-cmd's report of a function-tracer run: no exits either.
        self.facts.capture.reconstructed = true;
        let parent_id = call.parent.map(|p| {
            // sym-offset: "parent+0x1a/0x90"
            let p = p.split(|&b| b == b'+').next().unwrap_or(p);
            self.names.intern(p)
        });
        let func_id = self.names.intern(call.func);
        let depth = match call.indent {
            Some(k) => self.depth_from_indent(t, k as usize, func_id, parent_id),
            None => self.depth_from_parent(t, line, parent_id, func_id, rec),
        };
        if self.over_depth_cap(line, depth) {
            return;
        }
        while self.states[t].stack.len() > depth {
            self.pop_reconstructed(t);
        }
        self.facts.capture.calls += 1;
        if self.states[t].region.is_none() {
            if let Some(sc) = self.infos.syscall_name(&self.names, func_id, depth == 0) {
                let sc = sc.to_string();
                self.start_region(t, line, rec, None, Some(sc));
            }
        }
        if depth == 0 {
            self.maybe_root(t, line, func_id, rec);
        }
        let mut flags = NodeFlags::default();
        flags.set(NodeFlags::RECONSTRUCTED);
        if Self::is_irq_func(call.func) {
            flags.set(NodeFlags::IRQ);
        }
        self.push_frame(t, func_id, line, rec.ts_ns, flags, call.args);
        if let Some(top) = self.states[t].stack.last_mut() {
            top.caller = parent_id;
        }
        if let Some(k) = call.indent {
            let st = &mut self.states[t];
            let k = (k as usize).min(MAX_RECONSTRUCTED_DEPTH);
            if st.plugin_stack.len() < k + 2 {
                st.plugin_stack.resize(k + 2, None);
            }
            st.plugin_stack[k + 1] = st.stack.last().map(|f| f.serial);
        }
    }

    /// The depth of a trace-cmd `function` record printed `indent` levels
    /// in. trace-cmd's plugin keeps a per-CPU stack of names: a call whose
    /// parent it finds at position `i` is stored at `i + 1` and printed with
    /// indent `i`; a call whose parent it does not find is stored at 1 under
    /// that parent at 0 and printed with indent 0. It never shortens the
    /// stack, so a later call can find its parent at a deep position again
    /// after a run of indent-0 calls: those were nested (their caller is an
    /// untraced function inside the open call), not new top-level calls. So
    /// positions are mirrored to frames, indent-0 calls stay inside an open
    /// syscall unless they are the syscall glue itself; but the `<--parent`
    /// the record names overrules that where it contradicts it: under the
    /// open call of that name, or beside the innermost call when both name
    /// the same caller (`native_set_pte_at` and `_raw_spin_unlock`, both
    /// `<-- __do_fault`, are siblings, not caller and callee).
    pub(super) fn depth_from_indent(
        &mut self,
        t: usize,
        indent: usize,
        func: FuncId,
        parent: Option<FuncId>,
    ) -> usize {
        let indent = indent.min(MAX_RECONSTRUCTED_DEPTH);
        let st = &mut self.states[t];
        let open_at = |st: &TaskState, pos: usize| {
            let serial = st.plugin_stack.get(pos).copied().flatten()?;
            st.stack.iter().rposition(|f| f.serial == serial)
        };
        if indent > 0 {
            return match open_at(st, indent) {
                Some(k) => k + 1,
                None => indent.min(st.stack.len()),
            };
        }
        let name = self.names.name(func);
        if is_syscall_glue(name) || is_arch_wrapper(name) {
            st.plugin_stack.clear();
            return 0;
        }
        if let Some(k) = open_at(st, 0) {
            return k + 1;
        }
        if let (Some(p), Some(top)) = (parent, st.stack.last()) {
            if top.func != p {
                if let Some(k) = st.stack.iter().rposition(|f| f.func == p) {
                    return k + 1;
                }
                if top.caller == Some(p) {
                    return st.stack.len() - 1;
                }
            }
        }
        if st.region.is_some() && !st.stack.is_empty() {
            let innermost = st.stack.last().map(|f| f.serial);
            if st.plugin_stack.is_empty() {
                st.plugin_stack.push(None);
            }
            st.plugin_stack[0] = innermost;
            return st.stack.len();
        }
        st.plugin_stack.clear();
        0
    }

    /// The depth of a call whose caller is `parent`: one below the nearest
    /// open call of that name.
    pub(super) fn depth_from_parent(
        &mut self,
        t: usize,
        line: u64,
        parent_id: Option<FuncId>,
        func: FuncId,
        rec: &Record<'_>,
    ) -> usize {
        let pos = parent_id.and_then(|p| self.states[t].stack.iter().rposition(|f| f.func == p));
        match (pos, parent_id) {
            (Some(k), _) => k + 1,
            (None, None) => 0,
            (None, Some(p)) => {
                let stack_len = self.states[t].stack.len();
                // The syscall glue and the arch wrappers it calls are top level.
                let fname = self.names.name(func);
                if is_syscall_glue(fname) || is_arch_wrapper(fname) {
                    return 0;
                }
                // Called from the glue but not the wrapper: a tail call from
                // the wrapper (`ksys_write <-do_syscall_64`), so inside it.
                if is_syscall_glue(self.names.name(p)) {
                    return if self.states[t].region.is_some() {
                        stack_len
                    } else {
                        0
                    };
                }
                // The caller is not traced (notrace, inlined, or asm): it
                // was most likely called from the innermost open call. The
                // stack heals at the next caller it does hold; it is capped
                // so a capture of such calls cannot grow it for ever.
                if stack_len >= MAX_RECONSTRUCTED_DEPTH {
                    while !self.states[t].stack.is_empty() {
                        self.pop_reconstructed(t);
                    }
                }
                if self.states[t].stack.is_empty() {
                    // The untraced caller is the task's outermost call.
                    self.maybe_root(t, line, p, rec);
                }
                let mut flags = NodeFlags::default();
                flags.set(NodeFlags::RECONSTRUCTED);
                flags.set(NodeFlags::ENTRY_MISSING);
                self.push_frame(t, p, line, rec.ts_ns, flags, None);
                self.states[t].stack.len()
            }
        }
    }

    pub(super) fn pop_reconstructed(&mut self, t: usize) {
        self.pop_frame(t, Close::unseen(false));
    }
}
