//! Where each call of a tree sits on trace.json's timeline. Perfetto nests a
//! slice under whatever slice of its thread it starts inside, so a callee
//! that starts before its previous sibling ends is drawn as that sibling's
//! callee. Captures make such overlaps: funcgraph-abstime prints entry times
//! in µs (taken from the ring buffer) while durations are ns (from the
//! tracer's own clock reads), so `start + duration` of one call can pass the
//! printed start of the next (by up to hundreds of µs on a busy capture).
//! Here every slice is kept inside its caller and after its previous
//! sibling: moved to start where that sibling ends, and cut where its caller
//! ends. What was changed is counted ([`Adjusted`]) and said in the trace's
//! metadata.

use serde::Serialize;

use crate::model::{CallTree, tree::NO_PARENT};

/// How many calls of one capture were placed elsewhere than the capture says.
#[derive(Serialize, Default, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Adjusted {
    /// Calls whose start was moved (after their previous sibling's end, or
    /// into their caller).
    pub moved: u64,
    /// Calls cut short at their caller's end.
    pub shortened: u64,
    /// The largest move, ns.
    pub max_shift_ns: u64,
}

/// Start and duration of every node of a tree.
pub struct Placed {
    pub start: Vec<u64>,
    pub dur: Vec<Option<u64>>,
    /// The latest end of a slice of this tree.
    pub end: u64,
}

/// Place `tree`'s nodes, whose starts the capture gives as `raw`, on a
/// thread whose earlier slices end at `floor`; returns the placement and
/// the thread's new floor.
pub fn place(tree: &CallTree, raw: &[u64], floor: u64, adj: &mut Adjusted) -> (Placed, u64) {
    let n = tree.len();
    let mut start = vec![0u64; n];
    let mut dur = vec![None; n];
    // Per node with a duration: its end, and where its next callee may start.
    let mut end = vec![u64::MAX; n];
    let mut cursor = vec![0u64; n];
    // The nearest caller with a duration (a caller without one is an instant
    // event, which contains nothing).
    let mut container = vec![NO_PARENT; n];
    let (mut floor, mut last) = (floor, 0u64);
    for i in 0..n {
        let node = &tree.nodes[i];
        let p = node.parent;
        let c = if p == NO_PARENT {
            NO_PARENT
        } else if tree.nodes[p as usize].duration_ns.is_some() {
            p
        } else {
            container[p as usize]
        };
        container[i] = c;
        let (lo, hi) = if c == NO_PARENT {
            (floor, u64::MAX)
        } else {
            (cursor[c as usize], end[c as usize])
        };
        let s = raw[i].max(lo).min(hi);
        if s != raw[i] {
            adj.moved += 1;
            adj.max_shift_ns = adj.max_shift_ns.max(s.abs_diff(raw[i]));
        }
        start[i] = s;
        cursor[i] = s;
        last = last.max(s);
        let Some(d) = node.duration_ns else { continue };
        let e = s.saturating_add(d).min(hi);
        if e - s < d {
            adj.shortened += 1;
        }
        dur[i] = Some(e - s);
        end[i] = e;
        last = last.max(e);
        if c == NO_PARENT {
            floor = e;
        } else {
            cursor[c as usize] = e;
        }
    }
    (
        Placed {
            start,
            dur,
            end: last,
        },
        floor,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tree::Node;

    /// A tree from (parent, duration) pairs in pre-order.
    fn tree(nodes: &[(u32, Option<u64>)]) -> CallTree {
        let nodes = nodes
            .iter()
            .map(|&(parent, duration_ns)| Node {
                duration_ns,
                ..Node::bare(0, parent, 0, 0)
            })
            .collect();
        CallTree { nodes }
    }

    #[test]
    fn nested_calls_stay_where_they_are() {
        let t = tree(&[(NO_PARENT, Some(100)), (0, Some(30)), (0, Some(40))]);
        let mut adj = Adjusted::default();
        let (p, floor) = place(&t, &[1000, 1010, 1050], 0, &mut adj);
        assert_eq!(p.start, [1000, 1010, 1050]);
        assert_eq!(p.dur, [Some(100), Some(30), Some(40)]);
        assert_eq!((floor, p.end), (1100, 1100));
        assert_eq!(adj, Adjusted::default());
    }

    /// µs-rounded starts with ns durations: the second callee's printed start
    /// is 1 µs before the first one's end; it moves there, and the third,
    /// which would then pass the caller's end, is cut.
    #[test]
    fn overlapping_siblings_move_and_callers_cut() {
        let t = tree(&[
            (NO_PARENT, Some(5_000)),
            (0, Some(2_500)),
            (0, Some(2_000)),
            (2, Some(500)),
        ]);
        let mut adj = Adjusted::default();
        let (p, _) = place(&t, &[10_000, 10_000, 11_000, 11_000], 0, &mut adj);
        assert_eq!(p.start, [10_000, 10_000, 12_500, 12_500]);
        assert_eq!(p.dur, [Some(5_000), Some(2_500), Some(2_000), Some(500)]);
        let (p, _) = place(&t, &[10_000, 10_000, 13_000, 14_900], 0, &mut adj);
        assert_eq!(p.start[2..], [13_000, 14_900]);
        assert_eq!(p.dur[2..], [Some(2_000), Some(100)]);
        assert_eq!(
            adj,
            Adjusted {
                moved: 2,
                shortened: 1,
                max_shift_ns: 1_500
            }
        );
    }

    /// A caller without an exit is an instant: its callees nest in the thread
    /// (after the previous top-level slice), and a later tree starts after
    /// the floor.
    #[test]
    fn instants_contain_nothing_and_trees_follow_each_other() {
        let t = tree(&[(NO_PARENT, None), (0, Some(100)), (0, Some(100))]);
        let mut adj = Adjusted::default();
        let (p, floor) = place(&t, &[0, 0, 50], 500, &mut adj);
        assert_eq!(p.start, [500, 500, 600]);
        assert_eq!(p.dur, [None, Some(100), Some(100)]);
        assert_eq!(floor, 700);
        assert_eq!(adj.moved, 3);
    }
}
