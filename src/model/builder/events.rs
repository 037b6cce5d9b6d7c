//! Syscall entry and exit events, and the other events (trace markers)
//! kept with the syscall they fall in.

use crate::parse::{Record, RecordKind, SysEvent, SysExit, parse_sys_event};

use super::{
    super::{LostEvents, syscall::RetSource, tree::NodeFlags, warnings::WarningKind},
    Builder, MAX_EVENT_SHAPES,
};

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
                    self.keep(s);
                }
                self.start_region(t, line, rec, Some(e), None);
            }
            Some(SysEvent::Exit(x)) => {
                self.facts.capture.sys_exit_events += 1;
                self.sys_exit(t, line, x);
            }
            None => {
                let text = String::from_utf8_lossy(text).into_owned();
                let text = if name.is_empty() {
                    text
                } else {
                    format!("{}: {text}", String::from_utf8_lossy(name))
                };
                let st = &mut self.states[t];
                match &mut st.region {
                    Some(r) => r.markers.push((line, text)),
                    None => {
                        if st.awaiting_exit.is_none() {
                            st.last_marker = Some(text);
                        }
                    }
                }
            }
        }
    }

    pub(super) fn sys_exit(&mut self, t: usize, line: u64, x: SysExit) {
        let st = &mut self.states[t];
        let region_matches = st.region.as_ref().is_some_and(|r| {
            r.enter.as_ref().map(|e| &e.name).or(r.root_name.as_ref()) == Some(&x.name)
        });
        if region_matches {
            let r = st.region.take().expect("checked");
            let s = self.finish_region(t, r, Some(&x), line);
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
