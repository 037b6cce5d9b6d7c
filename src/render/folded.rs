//! Folded stacks (`__x64_sys_bpf;__sys_bpf;map_create 4900`) from call
//! trees: the input format of inferno's flame graphs.
//!
//! Each call contributes its *self time* in nanoseconds (its duration minus
//! its traced callees') to the stack of names from the root to it, so a
//! frame's width is the time spent in it and below it: never a call count,
//! which would make a hundred 0.1 µs leaves look heavier than one 40 µs
//! stretch of inlined code. Calls whose duration ftrace did not print
//! contribute nothing.

use rustc_hash::FxHashMap;

use super::view::NodeView;

/// The most one stack weighs, ns (2^42 ns, 73 minutes). A damaged duration
/// can read as centuries; capped, a million stacks still sum within u64
/// (here and in inferno, which adds them as `usize`).
const MAX_STACK_NS: u64 = 1 << 42;

/// Characters of a name kept in a frame: a flame graph shows a few dozen,
/// and every stack line repeats its callers' names.
const MAX_FRAME_CHARS: usize = 160;

/// The frame of calls the report does not keep (`--max-report-calls`).
const CUT_FRAME: &str = "[calls not kept in the report]";

/// No parent: a stack's first frame.
const ROOT: u32 = u32::MAX;

/// Stacks → nanoseconds. Stacks are interned as a tree of `(parent, frame)`
/// ids, so memory follows the calls, not calls × depth × name length; the
/// `a;b;c` lines exist only in [`Folded::text`].
#[derive(Debug, Clone, Default)]
pub struct Folded {
    frames: Vec<Box<str>>,
    /// Frame text → id (two names can make one frame: `a;b` and `a:b`).
    by_text: FxHashMap<Box<str>, u32>,
    /// Name → id.
    frame_ids: FxHashMap<Box<str>, u32>,
    /// `(parent stack, frame, ns)`.
    stacks: Vec<(u32, u32, u64)>,
    stack_ids: FxHashMap<(u32, u32), u32>,
}

impl Folded {
    /// Add the tree under `root`, each stack starting with `prefix` when
    /// given (a syscall title, to keep several syscalls apart).
    pub fn add_tree(&mut self, root: &NodeView, prefix: Option<&str>) {
        let top = prefix.map_or(ROOT, |p| self.stack(ROOT, p));
        // Iterative: trees are as deep as the model's cap allows.
        let mut todo = vec![(root, top)];
        while let Some((n, parent)) = todo.pop() {
            let id = self.stack(parent, &n.func);
            let ns = n.self_time.map_or(0, |t| t.0);
            let w = &mut self.stacks[id as usize].2;
            *w = w.saturating_add(ns).min(MAX_STACK_NS);
            if n.cut > 0 {
                self.add_cut(n, id);
            }
            todo.extend(n.children.iter().rev().map(|c| (c, id)));
        }
    }

    /// The time of callees the report's budget cut from `n` (its duration
    /// less its self time and its kept callees'), as one frame under it:
    /// the graph's widths stay true to the capture.
    fn add_cut(&mut self, n: &NodeView, id: u32) {
        let Some(total) = n.duration else { return };
        let kept: u64 = n
            .children
            .iter()
            .filter_map(|c| c.duration)
            .fold(0, |a, d| a.saturating_add(d.0));
        let own = n.self_time.map_or(0, |t| t.0);
        let ns = total.0.saturating_sub(own).saturating_sub(kept);
        if ns > 0 {
            let cut = self.stack(id, CUT_FRAME);
            let w = &mut self.stacks[cut as usize].2;
            *w = w.saturating_add(ns).min(MAX_STACK_NS);
        }
    }

    /// The stack `parent;name`, new if unseen.
    fn stack(&mut self, parent: u32, name: &str) -> u32 {
        let frame = match self.frame_ids.get(name) {
            Some(&f) => f,
            None => {
                let text = frame_name(name).into_boxed_str();
                let next = self.frames.len() as u32;
                let f = *self.by_text.entry(text.clone()).or_insert(next);
                if f == next {
                    self.frames.push(text);
                }
                self.frame_ids.insert(name.into(), f);
                f
            }
        };
        let next = self.stacks.len() as u32;
        *self.stack_ids.entry((parent, frame)).or_insert_with(|| {
            self.stacks.push((parent, frame, 0));
            next
        })
    }

    /// Total weight, ns.
    pub fn total_ns(&self) -> u64 {
        self.stacks.iter().fold(0u64, |t, s| t.saturating_add(s.2))
    }

    /// Whether no stack has any time.
    pub fn is_empty(&self) -> bool {
        self.stacks.iter().all(|s| s.2 == 0)
    }

    /// The folded lines, `stack ns\n` each, sorted.
    pub fn text(&self) -> String {
        let mut lines: Vec<(String, u64)> = Vec::new();
        let mut path = Vec::new();
        for (i, &(_, _, ns)) in self.stacks.iter().enumerate() {
            if ns == 0 {
                continue;
            }
            path.clear();
            let mut at = i as u32;
            while at != ROOT {
                let (parent, frame, _) = self.stacks[at as usize];
                path.push(&*self.frames[frame as usize]);
                at = parent;
            }
            path.reverse();
            lines.push((path.join(";"), ns));
        }
        lines.sort_unstable();
        let mut s = String::new();
        for (k, v) in lines {
            s.push_str(&k);
            s.push(' ');
            s.push_str(&v.to_string());
            s.push('\n');
        }
        s
    }
}

/// A name as a frame: `;` separates frames and a line ends a stack, so
/// neither may appear inside one; control characters are dropped; at most
/// [`MAX_FRAME_CHARS`] are kept (then `…`).
fn frame_name(s: &str) -> String {
    let mut out: String = s
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| if c == ';' { ':' } else { c })
        .take(MAX_FRAME_CHARS + 1)
        .collect();
    if let Some((cut, _)) = out.char_indices().nth(MAX_FRAME_CHARS) {
        out.truncate(cut);
        out.push('…');
    }
    out
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
            cut: 0,
            children,
        }
    }

    #[test]
    fn names_that_make_one_frame_make_one_stack() {
        let t = node(
            "root",
            None,
            vec![node("a;x", Some(1), vec![]), node("a:x", Some(2), vec![])],
        );
        let mut f = Folded::default();
        f.add_tree(&t, None);
        assert_eq!(f.text(), "root;a:x 3\n");
    }

    #[test]
    fn long_names_are_cut_in_frames() {
        let long = "x".repeat(10_000);
        let t = node(&long, Some(5), vec![]);
        let mut f = Folded::default();
        f.add_tree(&t, None);
        assert_eq!(f.text(), format!("{}… 5\n", "x".repeat(MAX_FRAME_CHARS)));
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

    /// A call whose callees the budget cut keeps their time, in a frame of
    /// its own.
    #[test]
    fn cut_callees_keep_their_time() {
        let mut t = node("root", Some(100), vec![node("a", Some(300), vec![])]);
        t.duration = Some(Nanos(1000));
        t.cut = 7;
        let mut f = Folded::default();
        f.add_tree(&t, None);
        assert_eq!(
            f.text(),
            "root 100\nroot;[calls not kept in the report] 600\nroot;a 300\n"
        );
    }
}
