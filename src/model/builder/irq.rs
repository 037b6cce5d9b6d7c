//! Interrupts in graph output: which calls are interrupt entries, and the
//! interrupts the kernel prints out of place (see `model::irq_order`): before
//! the entry of the call they hit, or at the level of the call they hit while
//! it was returning.

use crate::parse::Record;

use super::{
    super::{intern::FuncId, paths::TASK_ROOT, tree::NodeFlags},
    Builder, NO_NODE,
};

impl Builder {
    /// Interrupt entry and exit code: the calls an interrupt's subtree
    /// starts and ends with, whatever it interrupted.
    pub(crate) fn is_irq_func(name: &[u8]) -> bool {
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
            || name.starts_with(b"irqentry_")
            || name.starts_with(b"raw_irqentry_")
    }

    /// An interrupt can hit between the moment the graph tracer pushes a
    /// call on its return stack and the moment it writes the call's entry
    /// record: the interrupt's calls then come first, one level deeper, and
    /// the entry follows them (seen on 6.1 and 7.3). The open placeholder
    /// at `depth` whose first callee is an interrupt's entry *is* this call:
    /// name it instead of closing it as "exit not captured".
    pub(super) fn adopt_placeholder(
        &mut self,
        t: usize,
        depth: usize,
        func: FuncId,
        line: u64,
        args: Option<&[u8]>,
        rec: &Record<'_>,
    ) -> bool {
        let unknown = self.unknown_func;
        let st = &mut self.states[t];
        if st.stack.len() != depth + 1 {
            return false;
        }
        let Some(top) = st.stack.last() else {
            return false;
        };
        if top.func != unknown || !top.first_child_irq {
            return false;
        }
        // A region this call would open would not contain its frame.
        if st.region.is_none()
            && self
                .infos
                .syscall_name(&self.names, func, depth == 0)
                .is_some()
        {
            return false;
        }
        let parent_path = match st.stack.len() {
            1 => TASK_ROOT + t as u32,
            n => st.stack[n - 2].path,
        };
        let path = self.paths.child(parent_path, func);
        let split = st.region.as_ref().map_or(0, |r| r.nodes.len() as u32);
        let top = st.stack.last_mut().expect("checked above");
        top.func = func;
        top.path = path;
        top.flags.0 &= !NodeFlags::ENTRY_MISSING;
        top.adopted = Some((top.child_ns, split));
        let node = top.node;
        if let (Some(r), true) = (&mut st.region, node != NO_NODE) {
            let n = &mut r.nodes[node as usize];
            n.func = func;
            n.flags.0 &= !NodeFlags::ENTRY_MISSING;
            n.line = line;
            n.ts_ns = rec.ts_ns.or(n.ts_ns);
            n.args = args.map(|a| String::from_utf8_lossy(a).into());
        }
        self.facts.capture.irq_out_of_place += 1;
        true
    }

    /// The depth a graph line really has. An interrupt that hits while a
    /// call is returning (after the tracer lowered its depth, before it
    /// wrote the return) is printed at that call's own level; its `}`
    /// follows the interrupt, named because the printer lost track (seen on
    /// 6.1: `irq_enter_rcu();` at the level of `walk_component() {`, then
    /// `} /* walk_component */`). Such an interrupt is moved one level down,
    /// under the call, until the call's return shows up.
    pub(super) fn shifted_depth(&mut self, t: usize, depth: u32, line: DepthUse<'_>) -> u32 {
        let unknown = self.unknown_func;
        let st = &self.states[t];
        if let Some(base) = st.irq_shift {
            let at_base = depth == base && st.stack.len() == base as usize + 1;
            let ends = depth < base
                || match line {
                    // A sibling of the call: its return was lost after all.
                    DepthUse::Entry(f) => at_base && !Self::is_irq_func(f),
                    DepthUse::Exit(name) => {
                        depth == base
                            && (at_base
                                || name.is_some_and(|n| {
                                    st.stack
                                        .get(base as usize)
                                        .is_some_and(|f| self.names.name(f.func).as_bytes() == n)
                                }))
                    }
                };
            if ends {
                self.states[t].irq_shift = None;
                return depth;
            }
            return depth + 1;
        }
        let DepthUse::Entry(func) = line else {
            return depth;
        };
        if st.stack.len() != depth as usize + 1 {
            return depth;
        }
        let Some(top) = st.stack.last() else {
            return depth;
        };
        if top.func == unknown || top.flags.has(NodeFlags::IRQ) || !Self::is_irq_func(func) {
            return depth;
        }
        self.states[t].irq_shift = Some(depth);
        self.facts.capture.irq_out_of_place += 1;
        depth + 1
    }
}

/// What a graph line does at its depth, for [`Builder::shifted_depth`].
#[derive(Debug, Clone, Copy)]
pub(super) enum DepthUse<'a> {
    /// A call starts (entry or leaf) of this function.
    Entry(&'a [u8]),
    /// A call returns, named when the line names it.
    Exit(Option<&'a [u8]>),
}
