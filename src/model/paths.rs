//! Time per call path (`task;f;g;h`), aggregated over the whole capture as
//! calls return. This is what the capture-wide flame graph and the
//! statistics of syscalls without a kept tree are made of: it grows with the
//! number of distinct paths, never with the number of lines.

use rustc_hash::FxHashMap;

use super::{intern::FuncId, recent::RecentIds};

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
///
/// Looking a path up by `(parent, func)` in a hash map on every call is the
/// builder's costliest step on big captures, yet calls under a path mostly
/// repeat in the same order. So each path remembers the child that came
/// first under it and the sibling that came after it last time
/// ([`PathTable::child_after`]): a correct guess costs two array reads.
#[derive(Debug, Clone, Default)]
pub struct PathTable {
    ids: FxHashMap<(u32, FuncId), PathId>,
    /// Paths recently looked up by `(parent, func)`: where the order
    /// changed (half the calls on a capture of short syscalls), a slot
    /// checked against `nodes` instead of hashing into `ids`.
    recent: RecentIds,
    /// The paths, in first-seen order.
    pub nodes: Vec<PathNode>,
    /// Per path: the child first called under it last time (or [`NO_PATH`]).
    first_child: Vec<PathId>,
    /// Per path: the sibling called after it last time (or [`NO_PATH`]).
    next_sibling: Vec<PathId>,
    /// Per task: like `first_child` for the task's top level.
    first_top: Vec<PathId>,
}

/// No path.
pub const NO_PATH: PathId = u32::MAX;

impl PathTable {
    /// The path most likely called next under `parent` after the sibling
    /// `prev` ([`NO_PATH`] for the first call under `parent`), if any.
    fn guess(&self, parent: u32, prev: PathId) -> Option<PathId> {
        let g = if prev != NO_PATH {
            *self.next_sibling.get(prev as usize)?
        } else if parent >= TASK_ROOT {
            *self.first_top.get((parent - TASK_ROOT) as usize)?
        } else {
            *self.first_child.get(parent as usize)?
        };
        (g != NO_PATH).then_some(g)
    }

    /// The path `parent;func` called after the sibling `prev` ([`NO_PATH`]
    /// when it is the first call under `parent`); remembers the order for
    /// the next [`PathTable::guess`].
    #[inline]
    pub fn child_after(&mut self, parent: u32, prev: PathId, func: FuncId) -> PathId {
        if let Some(g) = self.guess(parent, prev) {
            let n = &self.nodes[g as usize];
            if n.func == func && n.parent == parent {
                return g;
            }
        }
        self.child_after_missed(parent, prev, func)
    }

    /// The guess was wrong: looked up, and remembered as the next guess.
    #[inline(never)]
    fn child_after_missed(&mut self, parent: u32, prev: PathId, func: FuncId) -> PathId {
        let id = self.child(parent, func);
        let slot = if prev != NO_PATH {
            &mut self.next_sibling[prev as usize]
        } else if parent >= TASK_ROOT {
            let t = (parent - TASK_ROOT) as usize;
            if self.first_top.len() <= t {
                self.first_top.resize(t + 1, NO_PATH);
            }
            &mut self.first_top[t]
        } else {
            &mut self.first_child[parent as usize]
        };
        *slot = id;
        id
    }

    /// The path `parent;func`, created on first use.
    pub fn child(&mut self, parent: u32, func: FuncId) -> PathId {
        let slot = RecentIds::slot((u64::from(parent) << 32) | u64::from(func.0));
        if let Some(id) = self.recent.get(slot) {
            if let Some(n) = self.nodes.get(id as usize) {
                if n.parent == parent && n.func == func {
                    return id;
                }
            }
        }
        let id = self.child_hashed(parent, func);
        self.recent.set(slot, id);
        id
    }

    fn child_hashed(&mut self, parent: u32, func: FuncId) -> PathId {
        let next = self.nodes.len() as PathId;
        *self.ids.entry((parent, func)).or_insert_with(|| {
            self.nodes.push(PathNode {
                parent,
                func,
                ..PathNode::default()
            });
            self.first_child.push(NO_PATH);
            self.next_sibling.push(NO_PATH);
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guesses_follow_the_last_order_and_never_change_the_answer() {
        let mut p = PathTable::default();
        let (a, b, c) = (FuncId(1), FuncId(2), FuncId(3));
        let root = TASK_ROOT + 2;
        let pa = p.child_after(root, NO_PATH, a);
        let pb = p.child_after(pa, NO_PATH, b);
        let pc = p.child_after(pa, pb, c);
        assert_eq!(p.guess(root, NO_PATH), Some(pa));
        assert_eq!(p.guess(pa, NO_PATH), Some(pb));
        assert_eq!(p.guess(pa, pb), Some(pc));
        // Another order: same paths, new guesses.
        assert_eq!(p.child_after(pa, NO_PATH, c), pc);
        assert_eq!(p.child_after(pa, pc, b), pb);
        assert_eq!(p.guess(pa, NO_PATH), Some(pc));
        assert_eq!(p.child(pa, b), pb);
        assert_eq!(p.nodes.len(), 3);
    }

    /// The cache of recent lookups never changes an answer, whatever
    /// shares a slot: every path is the one first given to its
    /// `(parent, func)`.
    #[test]
    fn cached_lookups_give_the_first_answer() {
        let mut p = PathTable::default();
        let mut first = std::collections::HashMap::new();
        let mut x: u64 = 1;
        for _ in 0..200_000 {
            // xorshift: parents and functions in ranges that collide often
            // in 4 096 slots.
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let parent = (x % 300) as u32 | if x & 1 == 0 { TASK_ROOT } else { 0 };
            let func = FuncId((x >> 20) as u32 % 500);
            let id = p.child(parent, func);
            assert_eq!(*first.entry((parent, func)).or_insert(id), id);
            assert_eq!(
                (p.nodes[id as usize].parent, p.nodes[id as usize].func),
                (parent, func)
            );
        }
        assert_eq!(p.nodes.len(), first.len());
    }

    proptest::proptest! {
        /// Whatever the order of calls, a path is the one a plain map of
        /// `(parent, func)` gives (paths numbered in first-seen order): the
        /// order guess only makes it cheaper.
        #[test]
        fn paths_are_first_seen_order(calls in proptest::collection::vec(
            (0usize..6, 0u32..7, proptest::bool::ANY),
            1..400,
        )) {
            let mut p = PathTable::default();
            let mut want: std::collections::HashMap<(u32, FuncId), PathId> = Default::default();
            let mut made: Vec<PathId> = Vec::new();
            let mut prev = NO_PATH;
            for (pick, f, after) in calls {
                let parent = made.get(pick).copied().unwrap_or(TASK_ROOT + pick as u32);
                let func = FuncId(f);
                let next = want.len() as PathId;
                let expected = *want.entry((parent, func)).or_insert(next);
                let got = if after { p.child_after(parent, prev, func) } else { p.child(parent, func) };
                proptest::prop_assert_eq!(got, expected);
                prev = if after { got } else { NO_PATH };
                made.push(got);
            }
        }
    }
}
