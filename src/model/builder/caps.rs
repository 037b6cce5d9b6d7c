//! Caps on what a capture may make the builder hold, whatever it contains:
//! tasks (`--max-tasks`) and function names (the interner's bounds, see
//! `model::intern`). Each cap hit is a warning at its line; the records
//! of a task over the cap are counted (they parsed) but not built.

use super::{
    super::{
        intern::{MAX_NAME_BYTES, MAX_NAME_LEN},
        warnings::WarningKind,
    },
    Builder,
};
use crate::parse::Record;

/// Tasks one capture keeps by default (`--max-tasks`): a busy machine's
/// capture of minutes has a few thousand. Each costs about 1.4 KB (its
/// state, its open-call stack's room, its path root), so 70 MB at most.
pub const DEFAULT_MAX_TASKS: usize = 50_000;

impl Builder {
    /// Whether `rec` belongs to a task the capture no longer has room for
    /// (then warned and ignored).
    pub(super) fn over_task_cap(&mut self, line: u64, rec: &Record<'_>) -> bool {
        match rec.task {
            Some(t) => self.over_cap(line, &[t.pid]),
            None => false,
        }
    }

    /// Whether a context switch between `from` and `to` would make a task
    /// past the cap (then warned and ignored: the CPU's task stays unknown).
    pub(super) fn switch_over_task_cap(&mut self, line: u64, from: u32, to: u32) -> bool {
        self.over_cap(line, &[from, to])
    }

    fn over_cap(&mut self, line: u64, pids: &[u32]) -> bool {
        // Two new tasks need room for two (one more than a placeholder).
        let new = pids.iter().filter(|&&p| !self.tasks.knows(p)).count();
        if new == 0 || self.tasks.list.len() + new <= self.opts.max_tasks {
            return false;
        }
        let max = self.opts.max_tasks;
        let pid = pids[pids.len() - 1];
        self.warn(line, WarningKind::TaskCap, || {
            format!("task {pid} is past the cap of {max} tasks per capture (--max-tasks): its calls are not kept")
        });
        true
    }

    /// A name cap was hit on `line` (`cut`: a name longer than kept).
    pub(super) fn name_cap_warning(&mut self, line: u64, cut: bool) {
        self.warn(line, WarningKind::NameCap, || {
            if cut {
                format!("a function name longer than {MAX_NAME_LEN} bytes (the kernel's symbol limit): kept cut, marked `…`")
            } else {
                format!("more distinct function names than a capture keeps ({} MiB of names): calls with new names are shown as one placeholder name", MAX_NAME_BYTES >> 20)
            }
        });
    }
}
