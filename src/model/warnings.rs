//! Problems found in a capture. Never fatal: each is counted, the first ones
//! of each kind are kept with their line, and all reach the report.

use std::collections::BTreeMap;

use serde::Serialize;

/// What went wrong, so the report can group and explain warnings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WarningKind {
    /// A line no grammar of the format accepts.
    Unreadable,
    /// `...` and similar: text a person cut out, not ftrace output.
    Elision,
    /// `CPU:N [LOST M EVENTS]`: the ring buffer overwrote events.
    LostEvents,
    /// `##### CPU N buffer started ####`: older data of that CPU was overwritten.
    BufferOverwritten,
    /// A `}` whose `{` is not in the capture (trace started mid-call).
    ExitWithoutEntry,
    /// A call whose `}` never came (tracing stopped, or the exit was lost).
    ExitNotCaptured,
    /// `} /* name */` names another function than the open one.
    NameMismatch,
    /// The last line has no newline and does not parse (capture cut off).
    TruncatedLine,
    /// A line longer than tracereport keeps (the rest was skipped).
    LineTooLong,
    /// `[LINE TOO BIG]`: the kernel dropped a record.
    LineTooBig,
    /// `(Overruns: N)`: the return stack overflowed, calls were dropped.
    Overrun,
    /// A syscall exit event with no matching entry event.
    UnmatchedSyscallExit,
    /// Bytes that are not UTF-8 (task names, markers): shown lossily.
    NonUtf8,
    /// The compressed stream ends early or is damaged: the rest is lost.
    TruncatedInput,
    /// A syscall's tree was cut at `--max-tree-calls` calls (memory bound).
    TreeTruncated,
    /// A call deeper than [`crate::model::MAX_DEPTH`] levels: ignored.
    DepthCap,
    /// A syscall exit event whose value is no 64-bit number.
    BadReturnValue,
    /// Marker text beyond what a syscall keeps (length or count).
    MarkerCap,
    /// Tasks beyond what a capture keeps: their calls are not in the report.
    TaskCap,
    /// Function names beyond what a capture keeps (count or length).
    NameCap,
    /// Syscall groups beyond what a capture keeps.
    GroupCap,
    /// A line a mail client wrapped, joined to the line before it.
    WrappedLine,
}

impl WarningKind {
    /// The kind's name in the report (`lost-events`): its serde name.
    pub fn name(self) -> &'static str {
        match self {
            WarningKind::Unreadable => "unreadable",
            WarningKind::Elision => "elision",
            WarningKind::LostEvents => "lost-events",
            WarningKind::BufferOverwritten => "buffer-overwritten",
            WarningKind::ExitWithoutEntry => "exit-without-entry",
            WarningKind::ExitNotCaptured => "exit-not-captured",
            WarningKind::NameMismatch => "name-mismatch",
            WarningKind::TruncatedLine => "truncated-line",
            WarningKind::LineTooLong => "line-too-long",
            WarningKind::LineTooBig => "line-too-big",
            WarningKind::Overrun => "overrun",
            WarningKind::UnmatchedSyscallExit => "unmatched-syscall-exit",
            WarningKind::NonUtf8 => "non-utf8",
            WarningKind::TruncatedInput => "truncated-input",
            WarningKind::TreeTruncated => "tree-truncated",
            WarningKind::DepthCap => "depth-cap",
            WarningKind::BadReturnValue => "bad-return-value",
            WarningKind::MarkerCap => "marker-cap",
            WarningKind::TaskCap => "task-cap",
            WarningKind::NameCap => "name-cap",
            WarningKind::GroupCap => "group-cap",
            WarningKind::WrappedLine => "wrapped-line",
        }
    }

    /// Whether a warning of this kind stands for one line that was not used
    /// at all (the other kinds are about lines that were used, or about the
    /// capture's structure). See [`super::CaptureFacts::records`].
    pub fn rejects_line(self) -> bool {
        matches!(
            self,
            WarningKind::Unreadable
                | WarningKind::Elision
                | WarningKind::TruncatedLine
                | WarningKind::LineTooLong
        )
    }

    /// One line explaining the kind to someone reading the report.
    pub fn explain(self) -> &'static str {
        match self {
            WarningKind::Unreadable => "lines that are not ftrace output in this format",
            WarningKind::Elision => "elision marks (`...`) left by whoever cut the capture",
            WarningKind::LostEvents => {
                "the ring buffer overwrote events: trees near these lines are incomplete"
            }
            WarningKind::BufferOverwritten => {
                "older data of a CPU was overwritten before the capture was read"
            }
            WarningKind::ExitWithoutEntry => {
                "a `}` without its call's entry, or a call below callers whose entries are not shown (tracing started mid-call, entries were lost, or tracing_thresh printed only slow returns)"
            }
            WarningKind::ExitNotCaptured => {
                "calls whose return is not in the capture (tracing stopped mid-call or events lost)"
            }
            WarningKind::NameMismatch => "`} /* name */` names another function than the open call",
            WarningKind::TruncatedLine => "the capture ends in the middle of a line",
            WarningKind::LineTooLong => "lines longer than tracereport keeps",
            WarningKind::LineTooBig => "`[LINE TOO BIG]`: the kernel dropped a record",
            WarningKind::Overrun => "the graph return stack overflowed and calls were dropped",
            WarningKind::UnmatchedSyscallExit => "syscall exit events without their entry event",
            WarningKind::NonUtf8 => "bytes that are not UTF-8 (shown with replacement characters)",
            WarningKind::TruncatedInput => {
                "the compressed file ends early or is damaged: what follows that point is lost"
            }
            WarningKind::TreeTruncated => {
                "syscalls with more calls than a tree keeps: only their first calls are shown"
            }
            WarningKind::DepthCap => {
                "calls nested deeper than any kernel stack allows (1000 levels): ignored"
            }
            WarningKind::BadReturnValue => {
                "syscall exit events whose value is not a 64-bit number: that return value is unknown"
            }
            WarningKind::MarkerCap => {
                "markers longer than 1024 bytes, or more than 256 in one syscall: the rest is not kept"
            }
            WarningKind::TaskCap => {
                "more tasks than a capture keeps (--max-tasks): the calls of the others are not in the report"
            }
            WarningKind::NameCap => {
                "function names longer than 512 bytes (cut), or more distinct names than a capture keeps (16 MiB)"
            }
            WarningKind::GroupCap => {
                "more distinct syscalls than a capture groups (10 000): the rest are counted in one group"
            }
            WarningKind::WrappedLine => {
                "lines a mail client wrapped in two, read as one (joined by a space)"
            }
        }
    }
}

impl std::fmt::Display for WarningKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One warning, with the line it is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// 1-based line number in the capture (0 when it is about the whole file).
    pub line: u64,
    /// The kind.
    pub kind: WarningKind,
    /// What happened there, in words.
    pub message: String,
}

/// How many warnings of one kind are kept with their text; the rest are
/// counted. Keeps memory flat on a capture where every line is damaged.
pub const KEPT_PER_KIND: usize = 100;

/// All warnings of one capture.
#[derive(Debug, Clone, Default)]
pub struct Warnings {
    kept: Vec<Warning>,
    counts: BTreeMap<WarningKind, u64>,
}

impl Warnings {
    /// Record a warning; the message is only built when it will be kept.
    pub fn push(&mut self, line: u64, kind: WarningKind, message: impl FnOnce() -> String) {
        let n = self.counts.entry(kind).or_insert(0);
        *n += 1;
        if *n as usize <= KEPT_PER_KIND {
            self.kept.push(Warning {
                line,
                kind,
                message: message(),
            });
        }
    }

    /// The kept warnings, in the order they were found.
    pub fn kept(&self) -> &[Warning] {
        &self.kept
    }

    /// How many of each kind, kept or not.
    pub fn counts(&self) -> &BTreeMap<WarningKind, u64> {
        &self.counts
    }

    /// How many warnings in all.
    pub fn total(&self) -> u64 {
        self.counts.values().sum()
    }

    /// How many lines were rejected (see [`WarningKind::rejects_line`]).
    pub fn rejected_lines(&self) -> u64 {
        self.counts
            .iter()
            .filter(|(k, _)| k.rejects_line())
            .map(|(_, n)| n)
            .sum()
    }

    /// How many of `kind`.
    pub fn count(&self, kind: WarningKind) -> u64 {
        self.counts.get(&kind).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod name_tests {
    use super::WarningKind::*;

    #[test]
    fn names_are_the_serde_names() {
        // Every kind: the match (no wildcard) stops compiling when a kind
        // is added, next to the list it must be added to.
        let all = [
            Unreadable,
            Elision,
            LostEvents,
            BufferOverwritten,
            ExitWithoutEntry,
            ExitNotCaptured,
            NameMismatch,
            TruncatedLine,
            LineTooLong,
            LineTooBig,
            Overrun,
            UnmatchedSyscallExit,
            NonUtf8,
            TruncatedInput,
            TreeTruncated,
            DepthCap,
            BadReturnValue,
            MarkerCap,
            TaskCap,
            NameCap,
            GroupCap,
            WrappedLine,
        ];
        for (i, k) in all.into_iter().enumerate() {
            let position = match k {
                Unreadable => 0,
                Elision => 1,
                LostEvents => 2,
                BufferOverwritten => 3,
                ExitWithoutEntry => 4,
                ExitNotCaptured => 5,
                NameMismatch => 6,
                TruncatedLine => 7,
                LineTooLong => 8,
                LineTooBig => 9,
                Overrun => 10,
                UnmatchedSyscallExit => 11,
                NonUtf8 => 12,
                TruncatedInput => 13,
                TreeTruncated => 14,
                DepthCap => 15,
                BadReturnValue => 16,
                MarkerCap => 17,
                TaskCap => 18,
                NameCap => 19,
                GroupCap => 20,
                WrappedLine => 21,
            };
            assert_eq!(i, position, "{k:?} out of place in the list");
            let json = serde_json::to_string(&k).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", k.name()));
        }
    }
}
