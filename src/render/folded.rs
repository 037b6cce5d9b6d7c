//! Folded stacks (`__x64_sys_bpf;__sys_bpf;map_create 4900`) from call
//! trees: the input format of inferno's flame graphs.
//!
//! Each call contributes its *self time* in nanoseconds (its duration minus
//! its traced callees') to the stack of names from the root to it, so a
//! frame's width is the time spent in it and below it: never a call count,
//! which would make a hundred 0.1 µs leaves look heavier than one 40 µs
//! stretch of inlined code. Calls whose duration ftrace did not print
//! contribute nothing.

use std::collections::BTreeMap;

use super::view::NodeView;

/// The most one stack weighs, ns (2^42 ns, 73 minutes). A damaged duration
/// can read as centuries; capped, a million stacks still sum within u64
/// (here and in inferno, which adds them as `usize`).
const MAX_STACK_NS: u64 = 1 << 42;

/// Stack → nanoseconds, sorted so the same trees always fold to the same
/// lines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Folded {
    stacks: BTreeMap<String, u64>,
}

impl Folded {
    /// Add the tree under `root`, each stack starting with `prefix` when
    /// given (a syscall title, to keep several syscalls apart).
    pub fn add_tree(&mut self, root: &NodeView, prefix: Option<&str>) {
        let mut path = String::new();
        if let Some(p) = prefix {
            path.push_str(&frame_name(p));
        }
        self.walk(root, &mut path);
    }

    fn walk(&mut self, n: &NodeView, path: &mut String) {
        let len = path.len();
        if !path.is_empty() {
            path.push(';');
        }
        path.push_str(&frame_name(&n.func));
        let ns = n.self_time.map_or(0, |t| t.0);
        if ns > 0 {
            // Look up by &str first: only a new stack allocates.
            match self.stacks.get_mut(path.as_str()) {
                Some(v) => *v = v.saturating_add(ns).min(MAX_STACK_NS),
                None => {
                    self.stacks.insert(path.clone(), ns.min(MAX_STACK_NS));
                }
            }
        }
        for c in &n.children {
            self.walk(c, path);
        }
        path.truncate(len);
    }

    /// Total weight, ns.
    pub fn total_ns(&self) -> u64 {
        self.stacks.values().fold(0u64, |t, v| t.saturating_add(*v))
    }

    /// Whether no stack has any time.
    pub fn is_empty(&self) -> bool {
        self.stacks.is_empty()
    }

    /// The folded lines, `stack ns\n` each, sorted.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for (k, v) in &self.stacks {
            s.push_str(k);
            s.push(' ');
            s.push_str(&v.to_string());
            s.push('\n');
        }
        s
    }
}

/// µs (from integer ns, 3 decimals) back to ns.
/// A name as a frame: `;` separates frames and a line ends a stack, so
/// neither may appear inside one; control characters are dropped.
fn frame_name(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control())
        .map(|c| if c == ';' { ':' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::view::{Nanos, NodeFlags, NodeId};

    fn node(func: &str, self_ns: Option<u64>, children: Vec<NodeView>) -> NodeView {
        NodeView {
            id: NodeId(0),
            func: func.into(),
            duration: self_ns.map(Nanos),
            self_time: self_ns.map(Nanos),
            ret: None,
            ret_kind: None,
            args: None,
            line: 1,
            exit_line: None,
            flags: NodeFlags::empty(),
            repeat: 1,
            children,
        }
    }

    #[test]
    fn self_time_per_stack_merged_and_sorted() {
        let t = node(
            "root",
            Some(1500),
            vec![
                node("b", Some(250), vec![]),
                node("a;x", Some(2000), vec![node("c", Some(0), vec![])]),
                node("b", Some(250), vec![]),
                node("lost", None, vec![]),
            ],
        );
        let mut f = Folded::default();
        f.add_tree(&t, Some("bpf(BPF_MAP_CREATE)"));
        assert_eq!(
            f.text(),
            "bpf(BPF_MAP_CREATE);root 1500\n\
             bpf(BPF_MAP_CREATE);root;a:x 2000\n\
             bpf(BPF_MAP_CREATE);root;b 500\n"
        );
        assert_eq!(f.total_ns(), 4000);
    }

    /// Durations read from damaged lines can be absurd: the sums saturate
    /// instead of overflowing.
    #[test]
    fn absurd_durations_are_capped() {
        let t = node(
            "root",
            Some(u64::MAX / 2),
            vec![
                node("a", Some(u64::MAX / 2), vec![]),
                node("a", Some(u64::MAX / 2), vec![]),
            ],
        );
        let mut f = Folded::default();
        f.add_tree(&t, None);
        assert_eq!(f.total_ns(), 2 * MAX_STACK_NS);
    }
}
