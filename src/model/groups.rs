//! Every syscall of a capture, counted by what it was and how it ended, and
//! the policy that picks which of them keep a full call tree.

use rustc_hash::FxHashMap;
use serde::Serialize;

use super::syscall::Syscall;

/// How a syscall ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "value")]
pub enum Outcome {
    /// Failed with this errno.
    Errno(i32),
    /// Returned this non-error value class (`ok`).
    Ok,
    /// The result was not captured.
    Unknown,
}

impl Outcome {
    /// The outcome of a syscall.
    pub fn of(s: &Syscall) -> Outcome {
        match (s.ret, s.errno()) {
            (_, Some(e)) => Outcome::Errno(e),
            (Some(_), None) => Outcome::Ok,
            (None, _) => Outcome::Unknown,
        }
    }
}

/// Syscalls with the same name, key argument and outcome.
#[derive(Debug, Clone, Serialize)]
pub struct SyscallGroup {
    /// `bpf(BPF_MAP_CREATE)`.
    pub title: String,
    /// The syscall name.
    pub name: String,
    /// How they ended.
    pub outcome: Outcome,
    /// How many.
    pub count: u64,
    /// How many of them kept a full tree.
    pub kept: u64,
    /// Sum of durations (ns) where known.
    pub total_ns: u64,
    /// Shortest duration.
    pub min_ns: Option<u64>,
    /// Longest duration.
    pub max_ns: Option<u64>,
    /// Line of the first one.
    pub first_line: u64,
    /// Syscalls whose exit is not in the capture.
    pub exit_missing: u64,
    /// Syscalls during which events were lost.
    pub lost_events: u64,
    /// Traced calls inside them, all together: 0 when none of them could
    /// keep a tree (syscall events alone, or their calls not graphed).
    pub calls: u64,
    /// Trees rooted at a traced function, not at a syscall (no syscall
    /// result to know).
    pub root: bool,
    /// Of them, timed from their entry event to their exit event (no call
    /// tree: [`Syscall::timed_by_events`]).
    pub timed_by_events: u64,
}

/// How many syscalls of one group keep their tree before the rest are only
/// counted: enough to compare repeats, few enough to keep memory flat.
pub const KEEP_PER_GROUP: u64 = 5;

/// Group table and keep policy.
/// Groups one capture keeps: real captures have a few hundred (syscall
/// names × key arguments × outcomes); a forged one can name a million.
pub const MAX_GROUPS: usize = 10_000;

/// The group every syscall falls in once [`MAX_GROUPS`] are made.
pub const OTHER_GROUP: &str = "[other syscalls: more distinct ones than a capture groups]";

#[derive(Debug, Default)]
pub(crate) struct Groups {
    /// Group indices by title, one per outcome (a title has one or a few):
    /// looked up by `&str`, so a syscall's title is written into a reused
    /// buffer rather than made into a key of its own.
    index: FxHashMap<String, Vec<(Outcome, usize)>>,
    pub list: Vec<SyscallGroup>,
    /// Syscalls counted in an [`OTHER_GROUP`] group.
    pub over_cap: u64,
    /// The title of the syscall being added.
    title: String,
}

impl Groups {
    /// The group of `title` and `outcome`, if there is one.
    pub fn find(&self, title: &str, outcome: Outcome) -> Option<usize> {
        let at = self.index.get(title)?;
        at.iter().find(|(o, _)| *o == outcome).map(|&(_, g)| g)
    }

    /// Count `s`; say in which group its kept tree counts (none when it was
    /// counted in an [`OTHER_GROUP`] group) and whether its tree may be kept
    /// under the per-group limit.
    pub fn add(&mut self, s: &Syscall) -> (Option<usize>, bool) {
        let mut title = std::mem::take(&mut self.title);
        s.write_title(&mut title);
        let outcome = Outcome::of(s);
        let mut found = self.find(&title, outcome);
        let other = found.is_none() && self.list.len() >= MAX_GROUPS;
        if other {
            self.over_cap += 1;
            title.clear();
            title.push_str(OTHER_GROUP);
            found = self.find(&title, outcome);
        }
        let g = match found {
            Some(g) => g,
            None => {
                let g = self.list.len();
                self.index
                    .entry(title.clone())
                    .or_default()
                    .push((outcome, g));
                self.list.push(SyscallGroup {
                    title: title.clone(),
                    name: s.name.clone(),
                    outcome,
                    count: 0,
                    kept: 0,
                    total_ns: 0,
                    min_ns: None,
                    max_ns: None,
                    first_line: s.line,
                    root: s.root,
                    exit_missing: 0,
                    lost_events: 0,
                    calls: 0,
                    timed_by_events: 0,
                });
                g
            }
        };
        self.title = title;
        let grp = &mut self.list[g];
        grp.count += 1;
        if let Some(d) = s.duration_ns {
            grp.total_ns = grp.total_ns.saturating_add(d); // d may be a damaged line's u64::MAX
            grp.min_ns = Some(grp.min_ns.map_or(d, |m| m.min(d)));
            grp.max_ns = Some(grp.max_ns.map_or(d, |m| m.max(d)));
        }
        grp.timed_by_events += s.timed_by_events() as u64;
        grp.exit_missing += s.exit_missing as u64;
        grp.lost_events += s.lost_events as u64;
        grp.calls = grp.calls.saturating_add(s.calls);
        ((!other).then_some(g), grp.kept < KEEP_PER_GROUP)
    }
}
