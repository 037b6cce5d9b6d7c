//! Syscall entry and exit events, and the other events (trace markers)
//! kept with the syscall they fall in.

use crate::parse::{Record, RecordKind, SysEvent, SysExit, parse_sys_event};

use super::{
    super::{LostEvents, syscall::RetSource, tree::NodeFlags, warnings::WarningKind},
    Builder, MAX_EVENT_SHAPES,
};

/// Bytes of one marker's text kept (the kernel's own `trace_marker`
/// writes are at most a page; a forged capture's are up to a line).
pub const MAX_MARKER_BYTES: usize = 1024;

/// Markers kept per syscall.
pub const MAX_MARKERS: usize = 256;

impl Builder {
    pub(super) fn event(
        &mut self,
        t: usize,
        line: u64,
        name: &[u8],
        text: &[u8],
        rec: &Record<'_>,
    ) {
        match parse_sys_event(name, text) {
            Some(SysEvent::Enter(e)) => {
                self.facts.capture.sys_enter_events += 1;
                let shapes = &mut self.facts.capture.sys_event_args;
                if shapes.len() < MAX_EVENT_SHAPES && !shapes.contains_key(&e.name) {
                    let names: Vec<&str> = e.args.iter().map(|(k, _)| k.as_str()).collect();
                    shapes.insert(e.name.clone(), names.join(", "));
                }
                self.finish_awaiting(t);
                if let Some(r) = self.states[t].region.take() {
                    // The previous syscall's exit never came.
                    let s = self.finish_region(t, r, None, line);
                    let s = self.boxed(s);
                    self.keep(s);
                }
                self.start_region(t, line, rec, Some(e), None);
            }
            Some(SysEvent::Exit(x)) => {
                self.facts.capture.sys_exit_events += 1;
                self.sys_exit(t, line, x, rec.ts_ns);
            }
            Some(SysEvent::BadExit { name, value }) => {
                self.warn(line, WarningKind::BadReturnValue, || {
                    format!("the exit event of `{name}` prints `{value}`, which is not a 64-bit value: this syscall's return value is unknown (kept as a marker)")
                });
                self.marker(t, line, &[], text);
            }
            None => self.marker(t, line, name, text),
        }
    }

    /// An event that is no syscall's: a marker of the syscall it falls in.
    /// Marker text is the traced program's (`trace_marker`): each is kept
    /// to [`MAX_MARKER_BYTES`] and a syscall keeps [`MAX_MARKERS`] of them,
    /// so a capture of huge markers costs what is kept, not what it holds.
    fn marker(&mut self, t: usize, line: u64, name: &[u8], text: &[u8]) {
        let cut = text.len() > MAX_MARKER_BYTES;
        let text = String::from_utf8_lossy(&text[..text.len().min(MAX_MARKER_BYTES)]);
        let mut text = if name.is_empty() {
            text.into_owned()
        } else {
            format!("{}: {text}", String::from_utf8_lossy(name))
        };
        if cut {
            text.push_str(" […]");
        }
        let st = &mut self.states[t];
        let dropped = match &mut st.region {
            Some(r) if r.markers.len() < MAX_MARKERS => {
                r.markers.push((line, text));
                false
            }
            Some(_) => true,
            None => {
                if st.awaiting_exit.is_none() {
                    st.last_marker = Some(text);
                }
                false
            }
        };
        if cut || dropped {
            self.warn(line, WarningKind::MarkerCap, || {
                if dropped {
                    format!("more than {MAX_MARKERS} markers in one syscall: this one and the rest of the syscall's are not kept")
                } else {
                    format!("a marker longer than {MAX_MARKER_BYTES} bytes: the rest of its text is not kept")
                }
            });
        }
    }

    /// The exit event of the syscall open on task `t` (at `ts_ns`), or of
    /// the one that just returned from its wrapper.
    pub(super) fn sys_exit(&mut self, t: usize, line: u64, x: SysExit, ts_ns: Option<u64>) {
        let st = &mut self.states[t];
        let region_matches = st.region.as_ref().is_some_and(|r| {
            r.enter.as_ref().map(|e| &e.name).or(r.root_name.as_ref()) == Some(&x.name)
        });
        if region_matches {
            let r = st.region.take().expect("checked");
            let entered = r.enter.as_ref().and(r.ts_ns);
            let mut s = self.finish_region(t, r, Some(&x), line);
            // With no call tree the events are all there is to time it by:
            // entry tracepoint to exit tracepoint.
            if s.tree.is_none() {
                s.duration_ns = entered.zip(ts_ns).and_then(|(a, b)| b.checked_sub(a));
            }
            let s = self.boxed(s);
            self.keep(s);
            return;
        }
        if let Some(mut s) = st.awaiting_exit.take() {
            if s.name == x.name {
                s.ret = Some(x.ret);
                s.ret_source = Some(RetSource::ExitEvent);
                s.end_line = line;
                s.exit_missing = false;
                self.keep(s);
                return;
            }
            st.awaiting_exit = Some(s);
        }
        let name = x.name.clone();
        self.warn(line, WarningKind::UnmatchedSyscallExit, || {
            format!("exit event of `{name}` without its entry event (the capture starts inside it, or the entry was lost)")
        });
    }

    /// `CPU:N [LOST M EVENTS]`: every call open on that CPU is marked.
    pub(super) fn lost_events(&mut self, line: u64, cpu: u32, count: Option<u64>) {
        self.facts.capture.lost_lines += 1;
        // Saturating here and below: numbers from a damaged line can be
        // anything up to u64::MAX (the parsers saturate), and their sums
        // must not overflow.
        self.facts.capture.lost_events = self
            .facts
            .capture
            .lost_events
            .saturating_add(count.unwrap_or(0));
        self.lost.push(LostEvents { line, cpu, count });
        let what = count.map_or("an unknown number of".to_string(), |n| n.to_string());
        self.warn(line, WarningKind::LostEvents, || {
            format!(
                "CPU {cpu}: {what} events lost; calls open on this CPU may miss children or returns"
            )
        });
        for st in &mut self.states {
            if st.last_cpu == Some(cpu) {
                for f in &mut st.stack {
                    f.flags.set(NodeFlags::LOST);
                }
                if let Some(r) = &mut st.region {
                    r.lost = true;
                }
            }
        }
    }

    /// A control line: lost events, an overwritten buffer, a context
    /// switch, interrupt arrows, the kernel's own overflow notes.
    pub(super) fn control(&mut self, line: u64, rec: &Record<'_>) {
        match rec.kind {
            RecordKind::Lost { cpu, count } => self.lost_events(line, cpu, count),
            RecordKind::BufferStarted { cpu } => {
                self.facts.capture.buffer_started += 1;
                self.warn(line, WarningKind::BufferOverwritten, || {
                    format!("CPU {cpu}: older events were overwritten before the capture was read; its first calls may start mid-tree")
                });
            }
            RecordKind::ContextSwitch { cpu, from, to } => {
                self.facts.capture.context_switches += 1;
                if self.switch_over_task_cap(line, from.pid, to.pid) {
                    return;
                }
                if let Some((placeholder, existing)) = self.tasks.switch(cpu, from, to) {
                    self.merge_task(placeholder, existing);
                }
            }
            RecordKind::IrqEnter | RecordKind::IrqExit => {
                self.facts.capture.irq_arrows += 1;
                if let Some(cpu) = rec.cpu {
                    self.in_irq
                        .insert(cpu, matches!(rec.kind, RecordKind::IrqEnter));
                }
            }
            RecordKind::Overrun(n) => self.warn(line, WarningKind::Overrun, || {
                format!("{n} calls were dropped: the graph return stack overflowed")
            }),
            RecordKind::LineTooBig => self.warn(line, WarningKind::LineTooBig, || {
                "[LINE TOO BIG]: the kernel dropped a record that did not fit a page".into()
            }),
            _ => {}
        }
    }
}
