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
    /// Group indices by syscall name, then key argument and outcome (a
    /// name has one or a few): a syscall is found without writing its title.
    index: FxHashMap<String, Vec<(Option<String>, Outcome, usize)>>,
    /// The [`OTHER_GROUP`] groups, one per outcome.
    other: Vec<(Outcome, usize)>,
    pub list: Vec<SyscallGroup>,
    /// Syscalls counted in an [`OTHER_GROUP`] group.
    pub over_cap: u64,
}

impl Groups {
    /// The group of `s`, if there is one.
    pub fn find(&self, s: &Syscall) -> Option<usize> {
        let key = s.key_arg();
        self.find_key(&s.name, key.as_deref(), Outcome::of(s))
    }

    fn find_key(&self, name: &str, key: Option<&str>, outcome: Outcome) -> Option<usize> {
        let at = self.index.get(name)?;
        at.iter()
            .find(|(k, o, _)| k.as_deref() == key && *o == outcome)
            .map(|&(_, _, g)| g)
    }

    fn new_group(&mut self, title: String, s: &Syscall, outcome: Outcome) -> usize {
        self.list.push(SyscallGroup {
            title,
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
        self.list.len() - 1
    }

    /// Count `s`; say in which group its kept tree counts (none when it was
    /// counted in an [`OTHER_GROUP`] group) and whether its tree may be kept
    /// under the per-group limit.
    pub fn add(&mut self, s: &Syscall) -> (Option<usize>, bool) {
        let key = s.key_arg();
        let outcome = Outcome::of(s);
        let found = self.find_key(&s.name, key.as_deref(), outcome);
        let other = found.is_none() && self.list.len() >= MAX_GROUPS;
        let g = match (found, other) {
            (Some(g), _) => g,
            (None, true) => match self.other.iter().find(|(o, _)| *o == outcome) {
                Some(&(_, g)) => g,
                None => {
                    let g = self.new_group(OTHER_GROUP.to_string(), s, outcome);
                    self.other.push((outcome, g));
                    g
                }
            },
            (None, false) => {
                let g = self.new_group(s.title(), s, outcome);
                self.index
                    .entry(s.name.clone())
                    .or_default()
                    .push((key, outcome, g));
                g
            }
        };
        self.over_cap += other as u64;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn syscall(name: &str, cmd: Option<&str>, ret: i64) -> Syscall {
        Syscall {
            name: name.into(),
            args: cmd
                .map(|c| ("cmd".to_string(), c.to_string()))
                .into_iter()
                .collect(),
            ret: Some(ret),
            ret_source: None,
            task: 0,
            cpu: None,
            line: 1,
            end_line: 1,
            duration_ns: Some(10),
            ts_ns: None,
            tree: None,
            calls: 0,
            lost_events: false,
            exit_missing: false,
            marker_before: None,
            markers: Vec::new(),
            index: 0,
            root: false,
        }
    }

    /// A group is a name, key argument and outcome; its title the name
    /// and the decoded key.
    #[test]
    fn groups_split_by_key_argument_and_outcome() {
        let mut g = Groups::default();
        let create = syscall("bpf", Some("0x0"), 3);
        let failed = syscall("bpf", Some("0x0"), -22);
        let lookup = syscall("bpf", Some("0x1"), 0);
        let open = syscall("openat", None, 3);
        for s in [&create, &failed, &lookup, &open, &create, &open] {
            g.add(s);
        }
        let rows: Vec<_> = g
            .list
            .iter()
            .map(|x| (x.title.as_str(), x.outcome, x.count))
            .collect();
        assert_eq!(
            rows,
            [
                ("bpf(BPF_MAP_CREATE)", Outcome::Ok, 2),
                ("bpf(BPF_MAP_CREATE)", Outcome::Errno(22), 1),
                ("bpf(BPF_MAP_LOOKUP_ELEM)", Outcome::Ok, 1),
                ("openat()", Outcome::Ok, 2),
            ]
        );
        assert_eq!(g.find(&failed), Some(1));
        assert_eq!(g.find(&syscall("bpf", Some("0x2"), 0)), None);
    }

    /// Past [`MAX_GROUPS`], new syscalls share one group per outcome, named
    /// [`OTHER_GROUP`]; known ones still count in their own.
    #[test]
    fn groups_past_the_cap_share_the_other_group() {
        let mut g = Groups::default();
        for i in 0..MAX_GROUPS {
            g.add(&syscall(&format!("s{i}"), None, 0));
        }
        let (known, _) = g.add(&syscall("s7", None, 0));
        assert_eq!(known, Some(7));
        assert_eq!(g.add(&syscall("new1", None, 0)).0, None);
        assert_eq!(g.add(&syscall("new2", None, 0)).0, None);
        assert_eq!(g.add(&syscall("new3", None, -2)).0, None);
        let other: Vec<_> = g.list[MAX_GROUPS..]
            .iter()
            .map(|x| (x.title.as_str(), x.outcome, x.count))
            .collect();
        assert_eq!(
            other,
            [
                (OTHER_GROUP, Outcome::Ok, 2),
                (OTHER_GROUP, Outcome::Errno(2), 1)
            ]
        );
        assert_eq!(g.over_cap, 3);
        assert_eq!(g.find(&syscall("new1", None, 0)), None);
    }
}
