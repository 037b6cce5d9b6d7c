//! Which task a line belongs to. The task column names it when printed;
//! otherwise the CPU's current task is known from context-switch blocks, and
//! before the first one only the CPU is known (a placeholder task that a
//! later `A => B` block names).

use rustc_hash::FxHashMap;
use serde::Serialize;

use super::cpumap::CpuMap;
use crate::parse::TaskRef;

/// A task as the capture names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskInfo {
    /// The name (lossily decoded; the graph tracer cuts it at 7 bytes).
    pub comm: String,
    /// The pid, when known.
    pub pid: Option<u32>,
    /// For a task known only by its CPU, that CPU.
    pub cpu_only: Option<u32>,
    /// The task was merged into another one (same pid seen later).
    #[serde(skip)]
    pub merged_into: Option<usize>,
}

impl TaskInfo {
    /// `bpfcase-95`, or `CPU 0 (task not printed)`.
    pub fn display(&self) -> String {
        match (self.pid, self.cpu_only) {
            (Some(pid), _) => format!("{}-{pid}", self.comm),
            (None, Some(cpu)) => format!("CPU {cpu} (task not printed)"),
            (None, None) => "unknown task".to_string(),
        }
    }
}

/// The task table of one capture.
/// Bytes of a task name kept: the kernel's are at most 15
/// (`TASK_COMM_LEN`); a forged capture's can be a whole line each.
const MAX_COMM: usize = 64;

/// A task name as kept.
fn comm(bytes: &[u8]) -> String {
    String::from_utf8_lossy(&bytes[..bytes.len().min(MAX_COMM)]).into_owned()
}

#[derive(Debug, Default)]
pub(crate) struct Tasks {
    pub list: Vec<TaskInfo>,
    by_pid: FxHashMap<u32, usize>,
    /// The task running on each CPU, as far as known (asked on every line
    /// that prints no task).
    on_cpu: CpuMap<usize>,
    anonymous: Option<usize>,
}

impl Tasks {
    /// The task a `comm-pid` field names, creating it on first sight.
    /// Whether `pid` has a task already.
    pub fn knows(&self, pid: u32) -> bool {
        self.by_pid.contains_key(&pid)
    }

    pub fn named(&mut self, t: TaskRef<'_>) -> usize {
        if let Some(&id) = self.by_pid.get(&t.pid) {
            let info = &mut self.list[id];
            // A longer or real name replaces `<...>` and 7-byte cuts.
            if t.comm.len() > info.comm.len() && t.comm != b"<...>" || info.comm == "<...>" {
                info.comm = comm(t.comm);
            }
            return id;
        }
        let id = self.list.len();
        self.list.push(TaskInfo {
            comm: comm(t.comm),
            pid: Some(t.pid),
            cpu_only: None,
            merged_into: None,
        });
        self.by_pid.insert(t.pid, id);
        id
    }

    /// The task on `cpu` when it is known and was never merged into
    /// another: what most lines without a task column find.
    #[inline]
    pub fn settled_on_cpu(&self, cpu: u32) -> Option<usize> {
        self.on_cpu
            .get(cpu)
            .filter(|&id| self.list.get(id).is_some_and(|t| t.merged_into.is_none()))
    }

    /// The task currently on `cpu`, or the CPU's placeholder.
    #[inline]
    pub fn on_cpu(&mut self, cpu: u32) -> usize {
        match self.on_cpu.get(cpu) {
            Some(id) => id,
            None => self.new_on_cpu(cpu),
        }
    }

    /// A placeholder task for the first line of `cpu` with no task.
    #[cold]
    fn new_on_cpu(&mut self, cpu: u32) -> usize {
        let id = self.list.len();
        self.list.push(TaskInfo {
            comm: String::new(),
            pid: None,
            cpu_only: Some(cpu),
            merged_into: None,
        });
        self.on_cpu.insert(cpu, id);
        id
    }

    /// Record that `task` runs on `cpu` now.
    pub fn set_on_cpu(&mut self, cpu: u32, task: usize) {
        self.on_cpu.insert(cpu, task);
    }

    /// The task of lines that print neither CPU nor task.
    pub fn anonymous(&mut self) -> usize {
        if let Some(id) = self.anonymous {
            return id;
        }
        let id = self.list.len();
        self.list.push(TaskInfo {
            comm: String::new(),
            pid: None,
            cpu_only: None,
            merged_into: None,
        });
        self.anonymous = Some(id);
        id
    }

    /// A context switch `from => to` on `cpu`. Returns `(placeholder,
    /// existing)` when the CPU's placeholder turned out to be a task already
    /// known under its pid, so the caller can merge their state.
    pub fn switch(
        &mut self,
        cpu: u32,
        from: TaskRef<'_>,
        to: TaskRef<'_>,
    ) -> Option<(usize, usize)> {
        let current = self.on_cpu(cpu);
        let mut merge = None;
        if self.list[current].pid.is_none() {
            match self.by_pid.get(&from.pid) {
                None => {
                    let info = &mut self.list[current];
                    info.comm = comm(from.comm);
                    info.pid = Some(from.pid);
                    info.cpu_only = None;
                    self.by_pid.insert(from.pid, current);
                }
                Some(&existing) if existing != current => {
                    self.list[current].merged_into = Some(existing);
                    merge = Some((current, existing));
                }
                Some(_) => {}
            }
        }
        let to = self.named(to);
        self.set_on_cpu(cpu, to);
        merge
    }

    /// Follow merges to the task that stands for `id` now.
    #[inline]
    pub fn resolve(&self, mut id: usize) -> usize {
        while let Some(next) = self.list[id].merged_into {
            id = next;
        }
        id
    }
}
