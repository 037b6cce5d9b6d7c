//! Interrupts that ftrace prints out of place.
//!
//! The graph tracer pushes a call on its return stack *before* it writes the
//! call's entry record, and writes a return record *before* it pops the
//! stack. An interrupt that lands in either window is recorded one level
//! deeper than the calls around it, with no entry line above it:
//!
//! - (a) between push and entry record: the interrupt's lines come first,
//!   then the call it interrupted (`kmem_cache_alloc_noprof();` with a
//!   duration that includes the interrupt);
//! - (b) between return record and pop: the interrupt's lines follow the call
//!   that just returned (its duration does not include them), and the next
//!   line is an unrelated sibling.
//!
//! Both were seen on real 6.1 and 7.3 captures. The builder first treats the
//! lines as (a) (the next call at the placeholder's depth adopts it); when
//! that call returns faster than the interrupt took, it was (b), and
//! [`move_to_previous_sibling`] hands the interrupt to the call before it.

use super::tree::{NO_PARENT, Node};

/// Rearrange a pre-order arena so the interrupt nodes `i+1..split`, which
/// sit under node `i`, go under node `prev` instead (`prev` is the sibling
/// just before `i`, whose subtree ends at `i`). Node `i` moves to
/// `split - 1`, just before its own callees; its new index is returned.
///
/// Only indices inside `i..split` and the parents pointing at `i` change;
/// `i`'s ancestors are open frames whose `end` is set later.
pub fn move_to_previous_sibling(nodes: &mut [Node], prev: u32, i: u32, split: u32) -> u32 {
    let (iu, su) = (i as usize, split as usize);
    if prev >= i || su > nodes.len() || su <= iu + 1 || nodes[prev as usize].end != i {
        return i;
    }
    nodes[iu..su].rotate_left(1);
    let moved = split - 1;
    for n in &mut nodes[iu..su - 1] {
        n.parent = if n.parent == i { prev } else { n.parent - 1 };
        n.end -= 1;
    }
    for n in &mut nodes[su..] {
        if n.parent == i {
            n.parent = moved;
        }
    }
    nodes[prev as usize].end = moved;
    debug_assert!(nodes[moved as usize].parent == NO_PARENT || nodes[moved as usize].parent < i);
    moved
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tree::CallTree;

    fn node(func: u32, parent: u32, end: u32, depth: u16) -> Node {
        Node::bare(func, parent, end, depth)
    }

    #[test]
    fn interrupt_moves_under_the_call_that_returned_before_it() {
        // root { a(); F { irq1 { irq2 } c(); } }  →  root { a { irq1 { irq2 } } F { c(); } }
        let mut nodes = vec![
            node(0, NO_PARENT, 6, 0), // 0 root
            node(1, 0, 2, 1),         // 1 a (prev sibling)
            node(2, 0, 6, 1),         // 2 F (adopted the interrupt)
            node(3, 2, 5, 2),         // 3 irq1
            node(4, 3, 5, 3),         // 4 irq2
            node(5, 2, 6, 2),         // 5 c, F's own callee
        ];
        let f = move_to_previous_sibling(&mut nodes, 1, 2, 5);
        assert_eq!(f, 4);
        let funcs: Vec<u32> = nodes.iter().map(|n| n.func.0).collect();
        assert_eq!(funcs, [0, 1, 3, 4, 2, 5]);
        let tree = CallTree { nodes };
        assert_eq!(tree.children(0).collect::<Vec<_>>(), [1, 4]);
        assert_eq!(tree.children(1).collect::<Vec<_>>(), [2]);
        assert_eq!(tree.children(2).collect::<Vec<_>>(), [3]);
        assert_eq!(tree.children(4).collect::<Vec<_>>(), [5]);
        assert_eq!(tree.nodes[5].parent, 4);
        assert_eq!(tree.nodes[3].parent, 2);
    }
}
