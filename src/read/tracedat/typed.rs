//! Each event as a typed record ([`DatItem`]) instead of a line of text:
//! what the line `trace-cmd report` prints for it says, with every number
//! already rounded as that line rounds it (timestamps to the µs, long
//! durations to the µs), so the parse stage gets from a record exactly what
//! it would get from parsing the line, without printing and re-reading it.
//!
//! Only the commonest events are typed: function-graph entries, leaves and
//! exits, function events, and other events with a plain name and
//! one-line text. Anything whose line the parser would read differently
//! from what the event says (an address without a name, a task name that
//! looks like a column, non-UTF-8 or multi-line text, dropped events) is
//! handed on as the line(s) `trace-cmd report` prints ([`DatKind::Lines`]),
//! to be parsed like text.

use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::{
    cursor::Endian,
    events::Decoder,
    format::{EventFormat, Field},
    kallsyms::Kallsyms,
};

/// A function's return value as trace-cmd prints it (` (ret=-22)` for
/// errors, ` (ret=0x…)` for anything else).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ret {
    /// The value's bits as a signed number.
    pub raw: i64,
    /// Printed in hex.
    pub hex: bool,
}

/// What one event's line says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatKind {
    /// `f() {` (a `/* <-caller */` annotation is not part of the record).
    Entry {
        /// Nesting depth as printed (at most 4096).
        depth: u32,
        /// The function: an entry of [`Names::func`].
        func: u32,
    },
    /// `f();`: an entry folded with its exit.
    Leaf {
        /// Nesting depth.
        depth: u32,
        /// The function.
        func: u32,
        /// The duration as printed, in ns.
        duration_ns: u64,
        /// ` (ret=…)` on kernels whose exit event has a retval.
        ret: Option<Ret>,
    },
    /// `}`.
    Exit {
        /// Nesting depth.
        depth: u32,
        /// The duration as printed, in ns.
        duration_ns: u64,
        /// ` (ret=…)`.
        ret: Option<Ret>,
    },
    /// `f <-- parent` of the function tracer.
    Function {
        /// The function.
        func: u32,
        /// Its caller.
        parent: u32,
        /// The function plugin's nesting (3 spaces a level).
        indent: u32,
    },
    /// Any other event: its name ([`Names::event`]) and its text, trimmed,
    /// at `start..end` of [`DatBatch::text`].
    Event {
        /// The event id.
        id: u32,
        /// Start of the text.
        start: u32,
        /// End of the text.
        end: u32,
    },
    /// Lines (each ending in `\n`) at `start..end` of [`DatBatch::text`]:
    /// the text `trace-cmd report` prints, for what is not typed.
    Lines {
        /// Start of the text.
        start: u32,
        /// End of the text.
        end: u32,
    },
}

/// One event (or, for [`DatKind::Lines`], one or more lines).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DatItem {
    /// The CPU.
    pub cpu: u32,
    /// The task's pid (≥ 0 for typed kinds).
    pub pid: i32,
    /// The timestamp as printed (rounded to the µs), in ns.
    pub ts_ns: u64,
    /// Bytes of event data it was decoded from.
    pub bytes: u32,
    /// What it says.
    pub kind: DatKind,
}

/// Records in file order, with the text they point into.
#[derive(Debug, Default)]
pub struct DatBatch {
    /// The records.
    pub items: Vec<DatItem>,
    /// Event texts and untyped lines.
    pub text: Vec<u8>,
    /// Bytes of event data the records were decoded from.
    pub bytes: u64,
}

/// The names typed records refer to, shared with the thread that reads
/// them.
#[derive(Debug, Clone)]
pub struct Names {
    syms: Arc<Kallsyms>,
    comms: Arc<FxHashMap<i32, Vec<u8>>>,
    events: Arc<FxHashMap<u32, Vec<u8>>>,
}

impl Names {
    /// The task name trace-cmd prints for `pid`.
    pub fn comm(&self, pid: i32) -> &[u8] {
        match self.comms.get(&pid) {
            Some(c) => c,
            None if pid == 0 => b"<idle>",
            None => b"<...>",
        }
    }

    /// A function's name.
    pub fn func(&self, i: u32) -> &[u8] {
        self.syms.name(i as usize)
    }

    /// An event's name.
    pub fn event(&self, id: u32) -> &[u8] {
        self.events.get(&id).map_or(b"", Vec::as_slice)
    }
}

/// The fields the typed kinds read, looked up once.
#[derive(Debug, Default)]
pub(super) struct Fields {
    /// func, depth, retaddr of `funcgraph_entry` and of `fgraph_retaddr_entry`.
    entry: FxHashMap<u32, (Field, Field, Option<Field>)>,
    /// depth, calltime, rettime, retval of `funcgraph_exit`.
    exit: Option<(Field, Field, Field, Option<Field>)>,
    /// ip, parent_ip of `function`.
    function: Option<(Field, Field)>,
    /// Address → its named function, when the name reads back as itself.
    plain: FxHashMap<u64, Option<u32>>,
}

impl Fields {
    pub(super) fn new(dec: &Decoder) -> Fields {
        let fmt = |id: Option<u32>| id.and_then(|i| dec.formats.get(&i));
        let f = |e: &EventFormat, n: &str| e.field(n).cloned();
        let mut entry = FxHashMap::default();
        for id in [dec.ids.entry, dec.ids.retaddr].into_iter().flatten() {
            if let Some(e) = fmt(Some(id)) {
                if let (Some(func), Some(depth)) = (f(e, "func"), f(e, "depth")) {
                    entry.insert(id, (func, depth, f(e, "retaddr")));
                }
            }
        }
        let exit = fmt(dec.ids.exit).and_then(|e| {
            Some((
                f(e, "depth")?,
                f(e, "calltime")?,
                f(e, "rettime")?,
                f(e, "retval"),
            ))
        });
        let function = fmt(dec.ids.function).and_then(|e| Some((f(e, "ip")?, f(e, "parent_ip")?)));
        Fields {
            entry,
            exit,
            function,
            plain: FxHashMap::default(),
        }
    }
}

/// A task name the parser reads back as itself from a report line's
/// `comm-pid [CPU]` column: printable ASCII, no brackets, parentheses,
/// `#` or `=`, not starting like a control line (`CPU:…`).
fn plain_comm(c: &[u8]) -> bool {
    !c.is_empty()
        && !c.starts_with(b"CPU")
        && c.iter()
            .all(|&b| b.is_ascii_graphic() && !b"[]()#=".contains(&b))
}

/// A function name the graph grammar reads back as itself.
fn plain_func(n: &[u8]) -> bool {
    !n.is_empty()
        && n.iter()
            .all(|&b| b.is_ascii_graphic() && !b"()/*=;{}<".contains(&b))
}

/// The timestamp as `%5llu.%06llu` of the µs prints it, read back in ns.
pub(super) fn printed_ts(ts: u64) -> u64 {
    let us = ts.saturating_add(500) / 1000;
    (us / 1_000_000)
        .saturating_mul(1_000_000_000)
        .saturating_add(us % 1_000_000 * 1000)
}

/// A duration as `print_graph_duration` prints it, read back in ns: the
/// ns digits are left out from 7 digits of µs on.
fn printed_duration(ns: u64) -> u64 {
    let us = ns / 1000;
    if us < 1_000_000 { ns } else { us * 1000 }
}

/// A `funcgraph_exit` record's duration and return value as printed (of an
/// exit line, or of the leaf it is folded into).
fn exit_values(fields: &Fields, exit: &[u8], e: Endian) -> Option<(u64, Option<Ret>)> {
    let (_, call, ret, rv) = fields.exit.as_ref()?;
    let duration = ret.value(exit, e)?.wrapping_sub(call.value(exit, e)?);
    let ret = match rv {
        Some(f) => Some(printed_ret(f.value(exit, e)?)),
        None => None,
    };
    Some((printed_duration(duration), ret))
}

fn printed_ret(v: u64) -> Ret {
    Ret {
        raw: v as i64,
        hex: v < (-4095i64) as u64,
    }
}

impl Decoder {
    pub(super) fn names(&self) -> Names {
        let events = self
            .formats
            .iter()
            .map(|(&id, f)| (id, f.name.as_bytes().to_vec()))
            .collect();
        Names {
            syms: self.syms.syms.clone(),
            comms: self.comms.clone(),
            events: Arc::new(events),
        }
    }

    /// A named function's entry whose name reads back as itself (cached:
    /// a trace calls the same few thousand functions millions of times).
    fn plain_sym(&mut self, cache: &mut FxHashMap<u64, Option<u32>>, addr: u64) -> Option<u32> {
        if cache.len() >= 1 << 20 {
            cache.clear(); // bounded, whatever addresses a file holds
        }
        if let Some(&i) = cache.get(&addr) {
            return i;
        }
        let i = self
            .sym(addr)
            .filter(|&i| plain_func(self.name(i)))
            .map(|i| i as u32);
        cache.insert(addr, i);
        i
    }

    /// The typed record of an event (an entry folded with its exit `leaf`),
    /// or `None` when it goes on as text. Event text is put in `text`.
    pub(super) fn typed(
        &mut self,
        fields: &mut Fields,
        cpu: u32,
        data: &[u8],
        leaf: Option<&[u8]>,
        text: &mut Vec<u8>,
    ) -> Option<DatKind> {
        let pid = self.pid(data);
        if pid < 0 || !self.comms.get(&pid).is_none_or(|c| plain_comm(c)) {
            return None;
        }
        let id = self.id(data)?;
        if let Some((func, depth, retaddr)) = fields.entry.get(&id) {
            let e = self.e;
            let depth = depth.value(data, e)?.min(4096) as u32;
            let func = func.value(data, e)?;
            let retaddr = match retaddr {
                Some(r) => Some(r.value(data, e)?),
                None => None,
            };
            let func = self.plain_sym(&mut fields.plain, func)?;
            if let Some(r) = retaddr {
                // `/* <-caller */`: the parser skips it, unless it is no name.
                self.plain_sym(&mut fields.plain, r)?;
            }
            return match leaf {
                None => Some(DatKind::Entry { depth, func }),
                Some(exit) => {
                    let (duration_ns, ret) = exit_values(fields, exit, e)?;
                    Some(DatKind::Leaf {
                        depth,
                        func,
                        duration_ns,
                        ret,
                    })
                }
            };
        }
        if Some(id) == self.ids.exit {
            let (depth, ..) = fields.exit.as_ref()?;
            let (duration_ns, ret) = exit_values(fields, data, self.e)?;
            return Some(DatKind::Exit {
                depth: depth.value(data, self.e)?.min(4096) as u32,
                duration_ns,
                ret,
            });
        }
        if Some(id) == self.ids.function {
            let (ip, pip) = fields.function.as_ref()?;
            let (ip, pip) = (ip.value(data, self.e)?, pip.value(data, self.e)?);
            let func = self.plain_sym(&mut fields.plain, ip)?;
            let parent = self.plain_sym(&mut fields.plain, pip)?;
            let (p, f) = (
                self.name(parent as usize).to_vec(),
                self.name(func as usize).to_vec(),
            );
            let indent = self.stack_index(cpu, &p, Some(&f)) as u32;
            return Some(DatKind::Function {
                func,
                parent,
                indent,
            });
        }
        self.typed_event(id, data, text)
    }

    /// Another event: its name and its text as one trimmed line.
    fn typed_event(&self, id: u32, data: &[u8], text: &mut Vec<u8>) -> Option<DatKind> {
        let f = self.formats.get(&id)?;
        let graph = [
            "funcgraph_entry",
            "funcgraph_exit",
            "fgraph_retaddr_entry",
            "function",
        ];
        let name_ok = !f.name.is_empty()
            && f.name.bytes().all(|b| b.is_ascii_graphic() && b != b':')
            && !graph.contains(&f.name.as_str());
        if !name_ok {
            return None;
        }
        let start = text.len();
        self.event_text(text, f, data);
        let t = &text[start..];
        // One line, valid UTF-8, well under the longest line read.
        let fits = t.len() < super::super::lines::MAX_LINE / 2
            && memchr::memchr(b'\n', t).is_none()
            && (t.is_ascii() || std::str::from_utf8(t).is_ok());
        if !fits {
            text.truncate(start);
            return None;
        }
        let lead = t.len() - t.trim_ascii_start().len();
        let trail = t.len() - t.trim_ascii_end().len();
        let (s, e) = (start + lead, (start + t.len() - trail).max(start + lead));
        Some(DatKind::Event {
            id,
            start: s as u32,
            end: e as u32,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_back_as_printed() {
        assert_eq!(printed_ts(18_207_383_499), 18_207_383_000);
        assert_eq!(printed_ts(18_207_383_500), 18_207_384_000);
        assert_eq!(printed_duration(23_515), 23_515);
        assert_eq!(printed_duration(3_594_274_123), 3_594_274_000);
        assert_eq!(
            printed_ret((-22i64) as u64),
            Ret {
                raw: -22,
                hex: false
            }
        );
        assert_eq!(printed_ret(0), Ret { raw: 0, hex: true });
    }

    #[test]
    fn names_that_read_back_as_themselves() {
        assert!(plain_comm(b"bpfcase") && plain_comm(b"<idle>") && plain_comm(b"kworker/0:1"));
        assert!(!plain_comm(b"a b") && !plain_comm(b"x[1]") && !plain_comm(b"CPU:0"));
        assert!(plain_func(b"__x64_sys_bpf") && plain_func(b"foo.cold"));
        assert!(!plain_func(b"f(x)") && !plain_func(b""));
    }
}
