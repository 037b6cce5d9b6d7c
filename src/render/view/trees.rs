//! A capture's syscalls and trees as the report shows them: each syscall
//! with its tree of calls, and the table of every syscall grouped.

use std::sync::Arc;

use serde::Serialize;

use crate::model::syscall::RetSource;

use super::{GroupOutcome, Nanos, NodeFlags, NodeId, RetJson, RetKind};

/// A syscall with its tree.
#[derive(Debug, Clone, Serialize)]
pub struct SyscallView {
    /// A root (a tree at a call that is no syscall), listed in `roots`.
    #[serde(skip)]
    pub is_root: bool,
    /// Its number in the capture (`#N` in the report, for `--pair`).
    pub index: usize,
    /// `bpf`.
    pub name: String,
    /// `bpf(BPF_MAP_CREATE)`.
    pub title: String,
    /// Arguments as printed by the entry event.
    pub args: serde_json::Map<String, serde_json::Value>,
    /// The result (`null` when not captured; a string beyond 2^53 or for
    /// a kernel address, see `ret_kind`).
    pub ret: Option<RetJson>,
    /// What `ret` can be: `errno`, `number`, `kernel-pointer`, `bits`.
    pub ret_kind: Option<RetKind>,
    /// `EINVAL` when `ret` is an error.
    pub errno: Option<String>,
    /// `exit-event` or `retval`.
    pub ret_source: Option<RetSource>,
    /// `bpfcase-95` or `CPU 0 (task not printed)`.
    pub task: String,
    /// The pid, when printed.
    pub pid: Option<u32>,
    /// The CPU it started on.
    pub cpu: Option<u32>,
    /// First line.
    pub line: u64,
    /// Last line.
    pub end_line: u64,
    /// Duration (µs in JSON).
    #[serde(rename = "duration_us")]
    pub duration: Option<Nanos>,
    /// `duration` is known to the µs only (taken between two timestamps
    /// printed in µs): shown without decimals.
    #[serde(skip)]
    pub coarse: bool,
    /// Traced calls inside.
    pub calls: u64,
    /// Events were lost while it ran.
    pub lost_events: bool,
    /// Its exit is not in the capture.
    pub exit_missing: bool,
    /// The trace_marker text just before it.
    pub marker_before: Option<String>,
    /// Markers and comments inside it.
    pub markers: Vec<MarkerView>,
    /// The call tree.
    pub root: Option<NodeView>,
    /// When the report keeps only part of the tree: the capture's node ids
    /// of the kept calls, ascending (trace.json draws only these).
    #[serde(skip)]
    pub kept_nodes: Option<Vec<u32>>,
}

/// A trace marker inside a syscall.
#[derive(Debug, Clone, Serialize)]
pub struct MarkerView {
    /// Line.
    pub line: u64,
    /// Text.
    pub text: String,
}

/// One call in a tree.
#[derive(Debug, Clone, Serialize)]
pub struct NodeView {
    /// Pre-order index in its syscall's tree (deep links use it).
    pub id: NodeId,
    /// The function (one string shared by every call of it: big trees
    /// call few distinct functions many times).
    pub func: Arc<str>,
    /// Duration, µs in JSON (`null` when the exit was not captured or not
    /// timed).
    #[serde(rename = "duration_us")]
    pub duration: Option<Nanos>,
    /// Time not spent in traced children (µs in JSON).
    #[serde(rename = "self_us")]
    pub self_time: Option<Nanos>,
    /// Return value with funcgraph-retval (a hex string for a kernel
    /// address, see `ret_kind`).
    pub ret: Option<RetJson>,
    /// What `ret` can be (omitted without `ret`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ret_kind: Option<RetKind>,
    /// The line of the entry.
    pub line: u64,
    /// The line of the `}`, when there is one.
    pub exit_line: Option<u64>,
    /// `leaf`, `exit-missing`, `entry-missing`, `irq`, `reconstructed`,
    /// `lost-events`, `open-at-syscall-exit`, `synthetic`.
    pub flags: NodeFlags,
    /// The arguments as printed by funcgraph-args / func-args (Linux 6.15+),
    /// without the parentheses; omitted when the capture has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub args: Option<String>,
    /// `n` when this node stands for `n` identical consecutive calls
    /// (only in folded views; 1 otherwise and omitted).
    #[serde(skip_serializing_if = "is_one")]
    pub repeat: u32,
    /// Calls below this one the report does not keep (`--max-report-calls`;
    /// omitted when none).
    #[serde(skip_serializing_if = "is_zero")]
    pub cut: u64,
    /// Callees in call order.
    pub children: Vec<NodeView>,
}

fn is_one(n: &u32) -> bool {
    *n == 1
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// A group of syscalls.
#[derive(Debug, Clone, Serialize)]
pub struct GroupView {
    /// `bpf(BPF_MAP_CREATE)`.
    pub title: String,
    /// `ok`, `EINVAL`, or `unknown`.
    pub outcome: GroupOutcome,
    /// How many.
    pub count: u64,
    /// How many kept a tree.
    pub kept: u64,
    /// Total duration (µs in JSON).
    #[serde(rename = "total_us")]
    pub total: Nanos,
    /// Shortest (µs in JSON).
    #[serde(rename = "min_us")]
    pub min: Option<Nanos>,
    /// Longest (µs in JSON).
    #[serde(rename = "max_us")]
    pub max: Option<Nanos>,
    /// Line of the first.
    pub first_line: u64,
    /// How many lack their exit.
    pub exit_missing: u64,
    /// How many saw lost events.
    pub lost_events: u64,
    /// Trees rooted at a traced function, not syscalls.
    pub root: bool,
    /// Some of the durations are known to the µs only (as
    /// [`SyscallView::coarse`]): the group's are shown without decimals.
    #[serde(skip)]
    pub coarse: bool,
}

/// A capture's trees: syscalls and roots in one list (every renderer draws
/// them alike), serialized as `"syscalls": [...]` and `"roots": [...]`.
#[derive(Debug, Clone, Default)]
pub struct Trees(pub Vec<SyscallView>);

impl std::ops::Deref for Trees {
    type Target = Vec<SyscallView>;
    fn deref(&self) -> &Vec<SyscallView> {
        &self.0
    }
}

impl<'a> IntoIterator for &'a Trees {
    type Item = &'a SyscallView;
    type IntoIter = std::slice::Iter<'a, SyscallView>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl Serialize for Trees {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let of = |root: bool| self.0.iter().filter(move |v| v.is_root == root);
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("syscalls", &of(false).collect::<Vec<_>>())?;
        m.serialize_entry("roots", &of(true).collect::<Vec<_>>())?;
        m.end()
    }
}
