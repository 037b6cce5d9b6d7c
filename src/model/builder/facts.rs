//! The facts recorder: what the capture shows about how it was taken
//! (columns, options, header, depths, exits named or plain, lines that are
//! not UTF-8), recorded as records pass. The capture audit is made from it.

use rustc_hash::FxHashSet;

use crate::parse::{HeaderLine, InputFormat, Record, RecordKind};

use super::super::{
    CaptureFacts,
    warnings::{WarningKind, Warnings},
};

/// Distinct non-UTF-8 task names remembered; past this every such line warns.
const MAX_NON_UTF8_NAMES: usize = 1024;

/// Records [`CaptureFacts`] as the builder sees the capture's lines.
pub(super) struct FactsRecorder {
    /// The facts so far.
    pub(super) capture: CaptureFacts,
    /// `} /* name */` exits that close the open call of that name.
    named_exits: u64,
    /// Plain `}` exits that close a call whose entry was seen.
    plain_exits: u64,
    /// A record was seen: later headers belong to a concatenated capture.
    seen_record: bool,
    /// Task names already warned about as not UTF-8 (bounded).
    non_utf8_names: FxHashSet<Vec<u8>>,
    /// The CPU of the previous record: lines come in runs of one CPU, so
    /// the list of CPUs is searched only when it changes.
    last_cpu: Option<u32>,
}

impl FactsRecorder {
    pub(super) fn new(format: InputFormat) -> Self {
        FactsRecorder {
            capture: CaptureFacts {
                format: Some(format),
                reconstructed: matches!(format, InputFormat::Function),
                ..CaptureFacts::default()
            },
            named_exits: 0,
            plain_exits: 0,
            seen_record: false,
            non_utf8_names: FxHashSet::default(),
            last_cpu: None,
        }
    }

    /// A line read, of `bytes` bytes without its newline.
    pub(super) fn count_line(&mut self, bytes: usize) {
        self.capture.lines += 1;
        self.capture.bytes += bytes as u64 + 1;
    }

    /// A blank line or a rule.
    pub(super) fn layout_line(&mut self) {
        self.capture.layout_lines += 1;
    }

    /// A record (not layout): which columns it printed.
    #[inline]
    pub(super) fn record(&mut self, rec: &Record<'_>) {
        self.seen_record = true;
        self.capture.records += 1;
        self.observe_columns(rec);
    }

    /// A `}` that names its function and closes the open call of that name.
    pub(super) fn exit_named(&mut self) {
        self.named_exits += 1;
    }

    /// A plain `}` that closes a call whose entry was seen.
    pub(super) fn exit_plain(&mut self) {
        self.plain_exits += 1;
    }

    /// The facts, once every line is in.
    pub(super) fn finish(mut self) -> CaptureFacts {
        self.capture.tail = self.named_exits > 0 && self.named_exits >= self.plain_exits;
        self.capture
    }

    /// A `#` header line (a layout line).
    pub(super) fn header(&mut self, h: &HeaderLine<'_>) {
        self.capture.layout_lines += 1;
        if self.seen_record {
            return; // a concatenated capture's header; the first one describes it
        }
        self.capture.has_header = true;
        match *h {
            HeaderLine::Tracer(t) => {
                self.capture.tracer = Some(String::from_utf8_lossy(t).into_owned())
            }
            HeaderLine::Entries {
                in_buffer,
                written,
                cpus,
            } => {
                self.capture.entries_in_buffer = Some(in_buffer);
                self.capture.entries_written = Some(written);
                self.capture.header_cpus = cpus;
            }
            HeaderLine::LatencyTrace { kernel, .. } => {
                self.capture.kernel = Some(String::from_utf8_lossy(kernel).into_owned())
            }
            HeaderLine::Recorded { key, value } => {
                let v = String::from_utf8_lossy(value).into_owned();
                let r = self.capture.recorded.get_or_insert_default();
                match key {
                    b"kernel" => self.capture.kernel = Some(v),
                    b"command" => r.command = Some(v),
                    b"settings" => r.settings = Some(v),
                    b"note" if r.notes.len() < 32 => r.notes.push(v),
                    _ => {}
                }
            }
            _ => {}
        }
    }

    #[inline]
    fn observe_columns(&mut self, rec: &Record<'_>) {
        if let Some(cpu) = rec.cpu.filter(|&c| self.last_cpu != Some(c)) {
            self.cpu_changed(cpu);
        }
        let f = &mut self.capture;
        f.col_proc |= rec.task.is_some();
        f.col_flags |= rec.flags.is_some();
        if let Some(ts) = rec.ts_ns {
            f.col_abstime = true;
            f.first_ts_ns.get_or_insert(ts);
            f.last_ts_ns = Some(ts);
            f.ts_sub_us |= ts % 1000 != 0;
        }
        f.col_duration |= rec.duration_ns.is_some();
    }

    /// The CPU column changed from the previous record's.
    #[inline(never)]
    fn cpu_changed(&mut self, cpu: u32) {
        let f = &mut self.capture;
        self.last_cpu = Some(cpu);
        f.col_cpu = true;
        if !f.cpus.contains(&cpu) {
            f.cpus.push(cpu);
        }
    }

    pub(super) fn note_depth(&mut self, depth: u32, leaf: bool) {
        let f = &mut self.capture;
        f.leaves += leaf as u64;
        if depth > f.max_depth {
            f.max_depth = depth;
            f.calls_at_max_depth = 0;
            f.leaves_at_max_depth = 0;
        }
        if depth == f.max_depth {
            f.calls_at_max_depth += 1;
            f.leaves_at_max_depth += leaf as u64;
        }
    }

    /// A line that is not valid UTF-8. Task names are warned about once per
    /// name (a hostile `comm` is on every line of its task); other bytes
    /// (function names, marker text) once per line.
    pub(super) fn non_utf8(
        &mut self,
        line: u64,
        bytes: &[u8],
        rec: &Record<'_>,
        warnings: &mut Warnings,
    ) {
        self.capture.non_utf8_lines += 1;
        let comms: Vec<&[u8]> = match rec.kind {
            RecordKind::ContextSwitch { from, to, .. } => vec![from.comm, to.comm],
            _ => rec.task.iter().map(|t| t.comm).collect(),
        };
        for comm in comms.iter().filter(|c| std::str::from_utf8(c).is_err()) {
            let first = self.non_utf8_names.len() < MAX_NON_UTF8_NAMES
                && self.non_utf8_names.insert(comm.to_vec());
            let over = self.non_utf8_names.len() >= MAX_NON_UTF8_NAMES;
            if first || over {
                let shown = String::from_utf8_lossy(comm).into_owned();
                warnings.push(line, WarningKind::NonUtf8, || {
                    format!("task name `{shown}` is not UTF-8: shown with replacement characters (its later lines are not warned about again)")
                });
            }
        }
        if !valid_outside(bytes, &comms) {
            warnings.push(line, WarningKind::NonUtf8, || {
                "bytes that are not UTF-8 outside the task name: names on this line are shown with replacement characters".into()
            });
        }
    }
}

/// Whether `bytes` is valid UTF-8 apart from the `parts` (sub-slices of it).
fn valid_outside(bytes: &[u8], parts: &[&[u8]]) -> bool {
    let base = bytes.as_ptr() as usize;
    let mut ranges: Vec<(usize, usize)> = parts
        .iter()
        .filter_map(|p| {
            let start = (p.as_ptr() as usize).checked_sub(base)?;
            (start + p.len() <= bytes.len()).then_some((start, start + p.len()))
        })
        .collect();
    ranges.sort_unstable();
    let mut at = 0;
    for (start, end) in ranges {
        if start >= at {
            if std::str::from_utf8(&bytes[at..start]).is_err() {
                return false;
            }
            at = end;
        }
    }
    std::str::from_utf8(&bytes[at..]).is_ok()
}
