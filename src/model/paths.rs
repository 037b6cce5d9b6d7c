//! Time per call path (`task;f;g;h`), aggregated over the whole capture as
//! calls return. This is what the capture-wide flame graph and the
//! statistics of syscalls without a kept tree are made of: it grows with the
//! number of distinct paths, never with the number of lines.

use rustc_hash::FxHashMap;

use super::intern::FuncId;

/// Index into [`PathTable::nodes`].
pub type PathId = u32;

/// The parent of a task's top-level calls: `TASK_ROOT + task index`.
pub const TASK_ROOT: u32 = 0x8000_0000;

/// Aggregated time of one call path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PathNode {
    /// The parent path, or `TASK_ROOT + task` for a task's top level.
    pub parent: u32,
    /// The function at the end of the path.
    pub func: FuncId,
    /// Calls that ended on this path.
    pub calls: u64,
    /// Sum of their durations (ns), where known.
    pub total_ns: u64,
    /// Sum of their self times (ns), where known.
    pub self_ns: u64,
}

/// All call paths of a capture.
#[derive(Debug, Clone, Default)]
pub struct PathTable {
    ids: FxHashMap<(u32, FuncId), PathId>,
    /// The paths, in first-seen order.
    pub nodes: Vec<PathNode>,
}

impl PathTable {
    /// The path `parent;func`, created on first use.
    pub fn child(&mut self, parent: u32, func: FuncId) -> PathId {
        let next = self.nodes.len() as PathId;
        *self.ids.entry((parent, func)).or_insert_with(|| {
            self.nodes.push(PathNode {
                parent,
                func,
                ..PathNode::default()
            });
            next
        })
    }

    /// Account one returned call on `path`.
    pub fn add(&mut self, path: PathId, total: Option<u64>, self_ns: Option<u64>) {
        let n = &mut self.nodes[path as usize];
        n.calls += 1;
        // Saturating: a damaged line's duration can be up to u64::MAX.
        n.total_ns = n.total_ns.saturating_add(total.unwrap_or(0));
        n.self_ns = n.self_ns.saturating_add(self_ns.unwrap_or(0));
    }

    /// The task a path starts from and its functions, root first.
    pub fn unwind(&self, mut path: PathId) -> (u32, Vec<FuncId>) {
        let mut funcs = Vec::new();
        loop {
            let n = &self.nodes[path as usize];
            funcs.push(n.func);
            if n.parent >= TASK_ROOT {
                funcs.reverse();
                return (n.parent - TASK_ROOT, funcs);
            }
            path = n.parent;
        }
    }
}
