//! A call tree stored as a pre-order arena: node `i`'s subtree is
//! `i..nodes[i].end`, its children are found by jumping from one `end` to the
//! next. This is the order ftrace prints calls in, so building is a push per
//! line, and no node owns a `Vec` of children.

use crate::parse::RetVal;

use super::intern::FuncId;

/// Sentinel for "no parent".
pub const NO_PARENT: u32 = u32::MAX;

/// Facts about a node that are not a number.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct NodeFlags(pub u16);

impl NodeFlags {
    /// Printed as a leaf line `f();` (so no traced callee at all).
    pub const LEAF: u16 = 1;
    /// The `}` never came: tracing stopped, an event was lost, or a later
    /// entry at a shallower depth proved it returned unseen.
    pub const EXIT_MISSING: u16 = 1 << 1;
    /// The `{` is not in the capture; the node stands for a call whose
    /// return was seen (name from `} /* name */`, or unknown).
    pub const ENTRY_MISSING: u16 = 1 << 2;
    /// Inside an interrupt (`==========>` arrows, or an irq entry function).
    pub const IRQ: u16 = 1 << 3;
    /// Rebuilt from the function tracer's `<-parent` (no exits, no times).
    pub const RECONSTRUCTED: u16 = 1 << 4;
    /// Events were lost on this CPU while the call was open.
    pub const LOST: u16 = 1 << 5;
    /// Still open when the syscall's exit event came.
    pub const OPEN_AT_SYSCALL_EXIT: u16 = 1 << 6;
    /// Placeholder root grouping the calls of a syscall seen only between
    /// its entry and exit events.
    pub const SYNTHETIC: u16 = 1 << 7;

    /// Whether `flag` is set.
    pub fn has(self, flag: u16) -> bool {
        self.0 & flag != 0
    }

    /// Set `flag`.
    pub fn set(&mut self, flag: u16) {
        self.0 |= flag;
    }
}

/// One call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// The function.
    pub func: FuncId,
    /// Index of the parent in the arena, [`NO_PARENT`] for roots.
    pub parent: u32,
    /// One past the last node of this node's subtree.
    pub end: u32,
    /// Depth in this tree (0 = root).
    pub depth: u16,
    /// See [`NodeFlags`].
    pub flags: NodeFlags,
    /// Wall time from entry to return, as ftrace measured it.
    pub duration_ns: Option<u64>,
    /// The return value, with funcgraph-retval.
    pub ret: Option<RetVal>,
    /// The line of the entry (`f() {` or `f();`).
    pub line: u64,
    /// The line of the `}` (0 for leaves and missing exits).
    pub exit_line: u64,
    /// Timestamp of the entry (abstime), in ns.
    pub ts_ns: Option<u64>,
    /// Timestamp of the exit line (abstime), in ns.
    pub exit_ts_ns: Option<u64>,
    /// The arguments as printed by funcgraph-args / func-args (6.15+).
    pub args: Option<Box<str>>,
}

#[cfg(test)]
impl Node {
    /// A node with nothing known but its place (for tests that build trees).
    pub(crate) fn bare(func: u32, parent: u32, end: u32, depth: u16) -> Node {
        Node {
            func: super::FuncId(func),
            parent,
            end,
            depth,
            flags: NodeFlags::default(),
            duration_ns: None,
            ret: None,
            line: 0,
            exit_line: 0,
            ts_ns: None,
            exit_ts_ns: None,
            args: None,
        }
    }
}

/// A call tree of one syscall (or other kept activity).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallTree {
    /// The nodes in pre-order; node 0 is the root.
    pub nodes: Vec<Node>,
}

impl CallTree {
    /// Number of calls.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the tree is empty.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The children of node `i`, in call order.
    pub fn children(&self, i: usize) -> Children<'_> {
        Children {
            tree: self,
            next: i + 1,
            end: self.nodes[i].end as usize,
        }
    }

    /// The top-level nodes (more than one only for synthetic groupings).
    pub fn roots(&self) -> Children<'_> {
        Children {
            tree: self,
            next: 0,
            end: self.nodes.len(),
        }
    }

    /// Time of node `i` not spent in any traced child; `None` when its own
    /// duration is unknown. Children with unknown durations count as 0.
    pub fn self_ns(&self, i: usize) -> Option<u64> {
        let total = self.nodes[i].duration_ns?;
        // Saturating: a damaged line's duration can be near u64::MAX.
        let children = self
            .children(i)
            .filter_map(|c| self.nodes[c].duration_ns)
            .fold(0u64, u64::saturating_add);
        Some(total.saturating_sub(children))
    }

    /// The path of node `i` from the root, root first.
    pub fn path(&self, i: usize) -> Vec<usize> {
        let mut path = vec![i];
        let mut p = self.nodes[i].parent;
        while p != NO_PARENT {
            path.push(p as usize);
            p = self.nodes[p as usize].parent;
        }
        path.reverse();
        path
    }

    /// A copy of the subtree at `i` as a tree of its own.
    pub fn subtree(&self, i: usize) -> CallTree {
        let end = self.nodes[i].end as usize;
        let base = i as u32;
        let d0 = self.nodes[i].depth;
        let nodes = self.nodes[i..end]
            .iter()
            .enumerate()
            .map(|(k, n)| Node {
                parent: if k == 0 { NO_PARENT } else { n.parent - base },
                end: n.end - base,
                depth: n.depth - d0,
                ..n.clone()
            })
            .collect();
        CallTree { nodes }
    }
}

/// Iterator over sibling nodes.
pub struct Children<'a> {
    tree: &'a CallTree,
    next: usize,
    end: usize,
}

impl Iterator for Children<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        if self.next >= self.end {
            return None;
        }
        let i = self.next;
        self.next = (self.tree.nodes[i].end as usize).max(i + 1);
        Some(i)
    }
}
