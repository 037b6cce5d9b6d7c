//! The per-task stack of open calls: frames pushed and popped, with their
//! nodes in the syscall region's tree and their paths in the path table.

use super::{
    super::{
        intern::FuncId,
        irq_order,
        paths::{NO_PATH, PathId, TASK_ROOT},
        tree::{NO_PARENT, Node, NodeFlags},
        warnings::WarningKind,
    },
    Builder, Frame, NO_NODE, Region,
};
use crate::parse::{Record, RetVal};

/// How a frame ends.
pub(super) struct Close {
    pub(super) line: u64,
    pub(super) duration_ns: Option<u64>,
    pub(super) ret: Option<RetVal>,
    pub(super) ts_ns: Option<u64>,
    pub(super) missing: bool,
}

impl Close {
    /// A frame closed by its own `}` line, `rec`.
    pub(super) fn returned(line: u64, rec: &Record<'_>, ret: Option<RetVal>) -> Close {
        Close {
            line,
            duration_ns: rec.duration_ns,
            ret,
            ts_ns: rec.ts_ns,
            missing: false,
        }
    }

    /// A leaf's own end, `rec` being the leaf's line: no `}` line (line
    /// 0); it returns after its duration.
    pub(super) fn leaf(rec: &Record<'_>, ret: Option<RetVal>) -> Close {
        Close {
            line: 0,
            duration_ns: rec.duration_ns,
            ret,
            ts_ns: rec
                .ts_ns
                .zip(rec.duration_ns)
                .map(|(a, b)| a.saturating_add(b)),
            missing: false,
        }
    }

    /// A frame closed without a `}` of its own: its return was lost
    /// (`missing`), or the function tracer never prints one.
    pub(super) fn unseen(missing: bool) -> Close {
        Close {
            line: 0,
            duration_ns: None,
            ret: None,
            ts_ns: None,
            missing,
        }
    }
}

impl Builder {
    pub(super) fn push_placeholder(&mut self, t: usize, line: u64) {
        let mut flags = NodeFlags::default();
        flags.set(NodeFlags::ENTRY_MISSING);
        let f = self.unknown_func;
        self.push_frame(t, f, line, None, flags, None);
    }

    /// A call of `func` starts on task `t`, under its open call or at the
    /// top: counted in its caller, its path found, its node (made by
    /// `node`) added to the region's tree. Its path and node ([`NO_NODE`]
    /// outside a region or past the tree's cap).
    pub(super) fn enter_call(
        &mut self,
        t: usize,
        func: FuncId,
        flags: NodeFlags,
        node: impl FnOnce() -> Node,
    ) -> (PathId, u32) {
        self.next_serial += 1;
        let st = &mut self.states[t];
        // Most calls repeat the path their place took last time: looked up
        // by position first, hashed only when that guess fails.
        let (path, parent_node) = match st.stack.last_mut() {
            Some(parent) => {
                if parent.children == 0 {
                    parent.first_child_irq = flags.has(NodeFlags::IRQ);
                }
                parent.children = parent.children.saturating_add(1);
                let p = self
                    .paths
                    .child_after(parent.path, parent.last_child_path, func);
                parent.last_child_path = p;
                (p, parent.node)
            }
            None => {
                let prev = st.last_top.unwrap_or(NO_PATH);
                let p = self.paths.child_after(TASK_ROOT + t as u32, prev, func);
                st.last_top = Some(p);
                (p, NO_PARENT)
            }
        };
        let id = match &mut st.region {
            Some(r) => add_node(r, parent_node, self.opts.max_tree_calls, node),
            None => {
                self.calls_outside += 1;
                NO_NODE
            }
        };
        if let Some(parent) = st.stack.last_mut() {
            parent.last_child = id;
        }
        (path, id)
    }

    pub(super) fn push_frame(
        &mut self,
        t: usize,
        func: FuncId,
        line: u64,
        ts_ns: Option<u64>,
        flags: NodeFlags,
        args: Option<&[u8]>,
    ) {
        self.facts.capture.args |= args.is_some();
        let prev_sibling = self.states[t]
            .stack
            .last()
            .map_or(NO_NODE, |p| p.last_child);
        let (path, node) = self.enter_call(t, func, flags, || Node {
            func,
            parent: NO_PARENT,
            end: 0,
            depth: 0,
            flags,
            duration_ns: None,
            ret: None,
            line,
            exit_line: 0,
            ts_ns,
            exit_ts_ns: None,
            args: args.map(|a| String::from_utf8_lossy(a).into()),
        });
        let st = &mut self.states[t];
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
            caller: None,
        });
    }

    /// Close the innermost open call of `t` as "exit not captured". `line`
    /// is where that became certain; `None` at the end of the capture.
    pub(super) fn pop_missing(&mut self, t: usize, line: Option<u64>) {
        let Some(f) = self.states[t].stack.last() else {
            return;
        };
        // exit() and exit_group() never return: the task is gone, not the
        // data. Their wrapper is at the bottom of the stack (under at most
        // the entry glue), so only the bottom frames are looked at: the
        // cost of a pop must not grow with the depth.
        let task_exited = self.states[t].stack.iter().take(4).any(|f| {
            self.infos
                .syscall_name(&self.names, f.func, true)
                .is_some_and(|sc| sc == "exit" || sc == "exit_group")
        });
        if !self.facts.capture.reconstructed && !task_exited {
            let name = self.names.name(f.func);
            let lost = if f.flags.has(NodeFlags::LOST) {
                " (events were lost on its CPU while it ran)"
            } else {
                ""
            };
            // Formatted only when the warning is kept.
            self.warnings.push(f.line, WarningKind::ExitNotCaptured, || match line {
                Some(l) => format!(
                    "`{name}()` never returned: line {l} of the same task is at a shallower level, so its return is missing{lost}; marked \"exit not captured\""
                ),
                None => format!(
                    "`{name}()` had not returned when the capture ends{lost}; marked \"exit not captured\""
                ),
            });
        }
        self.pop_frame(t, Close::unseen(true));
    }

    /// Give the top frame (a placeholder) the name its `} /* name */` told:
    /// in the stack, the path table and the tree.
    pub(super) fn rename_top(&mut self, t: usize, id: FuncId) {
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

    pub(super) fn pop_frame(&mut self, t: usize, close: Close) {
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
            self.states[t].awaiting_exit = Some(self.boxed(s));
        }
    }
}

/// Put a call's node (made by `make`) in the region's tree under `parent`
/// (a node, or `NO_NODE`/`NO_PARENT` for the root level); `NO_NODE` once
/// the tree holds `max` nodes: it keeps its first calls (a pre-order
/// prefix, so still a tree) and counts the rest, a memory bound.
fn add_node(r: &mut Region, parent: u32, max: usize, make: impl FnOnce() -> Node) -> u32 {
    if r.nodes.len() >= max {
        r.dropped += 1;
        return NO_NODE;
    }
    let mut n = make();
    let root = parent == NO_NODE || parent == NO_PARENT;
    n.depth = if root {
        0
    } else {
        r.nodes[parent as usize].depth + 1
    };
    n.parent = if parent == NO_NODE { NO_PARENT } else { parent };
    let id = r.nodes.len() as u32;
    n.end = id + 1;
    r.nodes.push(n);
    id
}
