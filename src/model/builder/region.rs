//! Syscall regions: a syscall starts at its entry event or its wrapper's
//! call and ends at its exit event or the wrapper's return; then its tree is
//! picked, its result taken, and the keep policy applied.

use crate::parse::{Record, SysEnter, SysExit};

use super::{
    super::{
        groups::{MAX_GROUPS, OTHER_GROUP},
        syscall::{RetSource, Syscall},
        tree::{CallTree, NO_PARENT, Node, NodeFlags},
        warnings::WarningKind,
    },
    Builder, NO_NODE, Region,
};

/// Capacity of a node vector kept for reuse: a huge tree's is let go.
const SPARE_NODES: usize = 4096;

/// Allocations of syscalls done with, for the next ones: most syscalls of a
/// long capture are counted, not kept, and each would otherwise allocate
/// (and fault in) its tree, region and box anew.
#[derive(Debug, Default)]
pub(super) struct Spare {
    /// The node vector of the last tree not kept.
    nodes: Vec<Node>,
    /// The box of the last region finished.
    region: Option<Box<Region>>,
    /// The box of the last syscall not kept ([`Builder::boxed`]).
    syscall: Option<Box<Syscall>>,
    /// The name of the last syscall not kept: the next region's name is
    /// written into it (an allocation and a free per syscall otherwise).
    name: String,
}

impl Spare {
    /// `name` as an owned string, in the buffer of a syscall done with.
    pub(super) fn name(&mut self, name: &str) -> String {
        let mut s = std::mem::take(&mut self.name);
        s.clear();
        s.push_str(name);
        s
    }
}

impl Builder {
    pub(super) fn start_region(
        &mut self,
        t: usize,
        line: u64,
        rec: &Record<'_>,
        enter: Option<SysEnter>,
        root_name: Option<String>,
    ) {
        let nodes = std::mem::take(&mut self.spare.nodes);
        let st = &mut self.states[t];
        for f in &mut st.stack {
            f.last_child = NO_NODE;
            f.prev_sibling = NO_NODE;
            f.adopted = None;
        }
        let marker_before = st.last_marker.take();
        let region = Region {
            enter,
            root_name,
            root: false,
            nodes,
            line,
            ts_ns: rec.ts_ns,
            cpu: rec.cpu.or(st.last_cpu),
            lost: false,
            markers: Vec::new(),
            marker_before,
            dropped: 0,
        };
        // A finished region's box, reused: most syscalls of a long capture
        // are small; a box each, with a copy of its name, was 3-4 % of the
        // builder's time on a capture of short syscalls.
        st.region = Some(match self.spare.region.take() {
            Some(mut b) => {
                *b = region;
                b
            }
            None => Box::new(region),
        });
    }

    /// Start a root: a tree at the outermost traced call of task `t` that
    /// is no syscall (a `set_graph_function` target, an interrupt handler,
    /// a kworker's function, or a return whose entry was not captured).
    pub(super) fn start_root_region(
        &mut self,
        t: usize,
        line: u64,
        rec: &Record<'_>,
        name: String,
    ) {
        self.start_region(t, line, rec, None, Some(name));
        if let Some(r) = &mut self.states[t].region {
            r.root = true;
        }
    }

    /// A region's tree: a root's as built, a syscall's from its wrapper.
    fn region_tree(&mut self, nodes: Vec<Node>, root: bool, enter: Option<&SysEnter>) -> CallTree {
        let mut tree = CallTree { nodes };
        if root {
            // Callers of which the capture shows neither entry nor return,
            // each with one callee: the tree starts at the first call the
            // capture shows (a caller whose `}` was seen keeps its time).
            let (len, mut i) = (tree.nodes.len(), 0);
            while i + 1 < len
                && tree.nodes[i].func == self.unknown_func
                && tree.nodes[i].exit_line == 0
                && tree.nodes[i + 1].end as usize == len
            {
                i += 1;
            }
            if i > 0 {
                tree = tree.subtree(i);
            }
            return tree;
        }
        self.pick_root(tree, enter.map(|e| e.name.as_str()))
    }

    /// Turn a finished region into a syscall: pick the tree's root (the
    /// syscall's wrapper when the events enclose more than it), take the
    /// result from the exit event or the root's return value.
    pub(super) fn finish_region(
        &mut self,
        t: usize,
        mut r: Box<Region>,
        exit: Option<&SysExit>,
        end_line: u64,
    ) -> Syscall {
        self.close_open_calls(t, &mut r, exit, end_line);
        if r.dropped > 0 {
            let (kept, dropped) = (r.nodes.len(), r.dropped);
            self.warn(r.line, WarningKind::TreeTruncated, || {
                format!("this syscall made {} traced calls; its call tree keeps the first {kept} (the rest are counted, not shown; `--max-tree-calls` raises the bound)", kept as u64 + dropped)
            });
        }
        let tree = self.region_tree(std::mem::take(&mut r.nodes), r.root, r.enter.as_ref());
        let name = match (&r.enter, r.root, tree.nodes.first()) {
            (Some(e), _, _) => e.name.clone(),
            // A root is named by the tree's root as finished (a placeholder
            // renamed by its `} /* f */`, or one left above several calls).
            (None, true, Some(n)) => self.names.name(n.func).to_string(),
            _ => r.root_name.take().unwrap_or_else(|| "?".into()),
        };
        let (ret, ret_source, exit_missing) = self.result(&tree, &r, exit);
        let calls = tree
            .nodes
            .iter()
            .filter(|n| !n.flags.has(NodeFlags::SYNTHETIC))
            .count() as u64
            + r.dropped;
        let index = self.syscall_count;
        self.syscall_count += 1;
        let (lost, line, cpu, ts_ns, root) = (r.lost, r.line, r.cpu, r.ts_ns, r.root);
        let args = r.enter.take().map(|e| e.args).unwrap_or_default();
        let marker_before = r.marker_before.take();
        let markers = std::mem::take(&mut r.markers);
        self.spare.region = Some(r);
        Syscall {
            name,
            args,
            ret,
            ret_source,
            task: t,
            cpu,
            line,
            end_line,
            duration_ns: tree.nodes.first().and_then(|n| n.duration_ns),
            ts_ns,
            tree: (!tree.nodes.is_empty()).then_some(tree),
            calls,
            lost_events: lost,
            exit_missing,
            marker_before,
            markers,
            index,
            root,
        }
    }

    /// Close the calls of task `t` still open when its region ends.
    ///
    /// The syscall's wrapper returns before its exit event fires (one
    /// CPU, ring-buffer order), so a wrapper still open at the event, and
    /// every call above it on the stack, lost its `}`: closed here as
    /// "exit not captured", once each, and off the stack. (The function
    /// tracer prints no `}` at all: nothing is lost there.) Other calls
    /// still open at the exit event belong to the kernel's exit path.
    fn close_open_calls(
        &mut self,
        t: usize,
        r: &mut Region,
        exit: Option<&SysExit>,
        end_line: u64,
    ) {
        let lost_from = exit
            .filter(|_| !self.facts.capture.reconstructed)
            .and_then(|x| {
                self.states[t].stack.iter().position(|f| {
                    f.node != NO_NODE
                        && self.infos.syscall_name(&self.names, f.func, false)
                            == Some(x.name.as_str())
                })
            });
        if let Some(k) = lost_from {
            let names: Vec<String> = self.states[t].stack[k..]
                .iter()
                .map(|f| self.names.name(f.func).to_string())
                .collect();
            for name in names {
                self.warn(end_line, WarningKind::ExitNotCaptured, || {
                    format!("`{name}()` had not returned when the syscall's exit event came; its `}}` is not in the capture")
                });
            }
        }
        for (k, f) in self.states[t].stack.iter_mut().enumerate() {
            if f.node != NO_NODE {
                let end = r.nodes.len() as u32;
                let n = &mut r.nodes[f.node as usize];
                n.end = end;
                if exit.is_some() && lost_from.is_none_or(|w| k < w) {
                    n.flags.set(NodeFlags::OPEN_AT_SYSCALL_EXIT);
                } else {
                    n.flags.set(NodeFlags::EXIT_MISSING);
                }
                f.node = NO_NODE;
            }
            // Node indices of the finished region mean nothing in the next.
            f.last_child = NO_NODE;
            f.prev_sibling = NO_NODE;
            f.adopted = None;
        }
        if let Some(k) = lost_from {
            while self.states[t].stack.len() > k {
                self.pop_reconstructed(t);
            }
        }
    }

    /// The syscall's return value and where it comes from (the exit event,
    /// else the wrapper's printed return value), and whether its end is
    /// missing from the capture.
    fn result(
        &mut self,
        tree: &CallTree,
        r: &Region,
        exit: Option<&SysExit>,
    ) -> (Option<i64>, Option<RetSource>, bool) {
        let root = tree.nodes.first();
        let root_is_wrapper = r.root
            || root.is_some_and(|n| {
                !n.flags.has(NodeFlags::SYNTHETIC)
                    && self.infos.syscall_name(&self.names, n.func, true).is_some()
            });
        let (ret, ret_source) = match (exit, root.and_then(|n| n.ret).filter(|_| root_is_wrapper)) {
            (Some(x), _) => (Some(x.ret), Some(RetSource::ExitEvent)),
            (None, Some(rv)) => (Some(rv.value()), Some(RetSource::Retval)),
            (None, None) => (None, None),
        };
        // Entered by its event but no exit event: the syscall's end is not in
        // the capture, whatever the rebuilt tree shows.
        let exit_missing = exit.is_none()
            && (r.enter.is_some() && self.facts.capture.reconstructed
                || root.is_none_or(|n| {
                    n.flags.has(NodeFlags::EXIT_MISSING) || n.flags.has(NodeFlags::SYNTHETIC)
                }));
        (ret, ret_source, exit_missing)
    }

    /// The events of a syscall may enclose more than its wrapper (the
    /// kernel's entry/exit work when every function is traced): the tree is
    /// the wrapper's subtree when there is one, else the only top-level
    /// call, else a synthetic root over all of them.
    pub(super) fn pick_root(&mut self, tree: CallTree, name: Option<&str>) -> CallTree {
        if tree.nodes.is_empty() {
            return tree;
        }
        let wrapper = tree.nodes.iter().position(|n| {
            self.infos
                .syscall_name(&self.names, n.func, n.parent == NO_PARENT)
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
            args: None,
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

    /// A finished syscall in a box, the box of the last one not kept
    /// reused: most syscalls of a big capture are only counted, and each
    /// waits for its exit event boxed (see `TaskState::awaiting_exit`).
    pub(super) fn boxed(&mut self, s: Syscall) -> Box<Syscall> {
        match self.spare.syscall.take() {
            Some(mut b) => {
                *b = s;
                b
            }
            None => Box::new(s),
        }
    }

    /// Count the syscall and keep its tree if the policy allows.
    pub(super) fn keep(&mut self, mut s: Box<Syscall>) {
        let over_cap = self.groups.over_cap;
        let (group, group_has_room) = self.groups.add(&s);
        if self.groups.over_cap > over_cap {
            let line = s.line;
            self.warn(line, WarningKind::GroupCap, || {
                format!("more than {MAX_GROUPS} distinct syscalls (name, key argument, outcome): this one and further new ones are counted in one group, `{OTHER_GROUP}`")
            });
        }
        let wanted = self.opts.syscalls.is_empty() || self.opts.syscalls.contains(&s.name);
        let nodes = s.tree.as_ref().map_or(0, CallTree::len);
        let budget = self.opts.kept_calls_budget();
        let room = self.kept.len() < self.opts.keep && self.kept_nodes + nodes <= budget;
        if !(wanted && group_has_room && (room || self.make_room_for(&s, nodes))) {
            if let Some(mut tree) = s.tree.take() {
                if tree.nodes.capacity() <= SPARE_NODES {
                    tree.nodes.clear();
                    self.spare.nodes = tree.nodes;
                }
            }
            self.spare.name = std::mem::take(&mut s.name);
            self.spare.syscall = Some(s);
            return;
        }
        if let Some(g) = group {
            self.groups.list[g].kept += 1;
        }
        self.kept_nodes += nodes;
        self.kept.push(*s);
    }

    /// A failing syscall (of `nodes` calls) may take the place of the
    /// latest kept syscalls that did not fail, as many as it takes to fit
    /// both `--keep` and [`BuildOptions::kept_calls_budget`]; none is
    /// dropped if it cannot.
    pub(super) fn make_room_for(&mut self, s: &Syscall, nodes: usize) -> bool {
        if !s.failed() || self.opts.keep == 0 {
            return false;
        }
        let budget = self.opts.kept_calls_budget();
        let tree_len = |k: &Syscall| k.tree.as_ref().map_or(0, CallTree::len);
        let (ok_count, ok_nodes) = self
            .kept
            .iter()
            .filter(|k| !k.failed())
            .fold((0, 0), |(c, n), k| (c + 1, n + tree_len(k)));
        if self.kept.len() - ok_count >= self.opts.keep
            || self.kept_nodes - ok_nodes + nodes > budget
        {
            return false;
        }
        while self.kept.len() >= self.opts.keep || self.kept_nodes + nodes > budget {
            let Some(victim) = self.kept.iter().rposition(|k| !k.failed()) else {
                return false;
            };
            let v = self.kept.remove(victim);
            self.kept_nodes -= tree_len(&v);
            if let Some(g) = self.groups.find(&v) {
                self.groups.list[g].kept -= 1;
            }
        }
        true
    }

    #[inline]
    pub(super) fn finish_awaiting(&mut self, t: usize) {
        if let Some(s) = self.states[t].awaiting_exit.take() {
            self.keep(s);
        }
    }
}
