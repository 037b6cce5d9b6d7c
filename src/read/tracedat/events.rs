//! One event as the line `trace-cmd report` prints for it: the context
//! prefix (`comm-pid [CPU] secs.usecs: name:`), then the event's text as
//! trace-cmd's function-graph handler (`lib/trace-cmd/trace-ftrace.c`),
//! libtraceevent's function plugin (indented by a per-CPU stack of callers),
//! or the event's `print fmt` makes it.

use std::{io::Write, sync::Arc};

use rustc_hash::FxHashMap;

use super::{
    cursor::Endian,
    format::{EventFormat, Field, parse_format},
    header::Meta,
    kallsyms::{Kallsyms, Resolver},
};

/// Ids of the events with their own printer.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Ids {
    pub entry: Option<u32>,
    pub retaddr: Option<u32>,
    pub exit: Option<u32>,
    pub function: Option<u32>,
}

/// Everything needed to print events.
pub struct Decoder {
    pub(super) e: Endian,
    /// `sizeof(long)` of the traced kernel (header_page's commit field).
    pub long: u8,
    pub(super) formats: FxHashMap<u32, EventFormat>,
    common_type: Field,
    common_pid: Field,
    pub(super) ids: Ids,
    /// The `func` field of the function-graph entries and exit, for
    /// folding leaves without looking it up per event.
    func_fields: Vec<(u32, Field)>,
    pub(super) syms: Resolver,
    pub(super) comms: Arc<FxHashMap<i32, Vec<u8>>>,
    /// libtraceevent's function plugin: callers per CPU (stale entries
    /// above the top stay, as there).
    pub(super) fstack: Vec<Vec<Option<Vec<u8>>>>,
    /// `comm-pid [CPU] ` per task and CPU, made once.
    prefixes: FxHashMap<(i32, u32), Vec<u8>>,
    /// `name: ` and its padding per event id.
    names: FxHashMap<u32, Vec<u8>>,
}

impl Decoder {
    /// Build from the metadata (formats, kallsyms, cmdlines).
    pub fn new(meta: &Meta) -> Decoder {
        let mut formats = FxHashMap::default();
        for text in meta.ftrace.iter().chain(meta.events.iter().map(|(_, f)| f)) {
            if let Some(f) = parse_format(text) {
                formats.insert(f.id, f);
            }
        }
        let id = |n: &str| formats.values().find(|f| f.name == n).map(|f| f.id);
        let ids = Ids {
            entry: id("funcgraph_entry"),
            retaddr: id("fgraph_retaddr_entry"),
            exit: id("funcgraph_exit"),
            function: id("function"),
        };
        let common = |n: &str, offset, size, signed| {
            formats
                .values()
                .find_map(|f| f.field(n).cloned())
                .unwrap_or(Field {
                    name: n.to_string(),
                    offset,
                    size,
                    signed,
                    layout: super::format::Layout::Scalar,
                })
        };
        let (common_type, common_pid) = (
            common("common_type", 0, 2, false),
            common("common_pid", 4, 4, true),
        );
        let comms = meta
            .cmdlines
            .split(|&b| b == b'\n')
            .filter_map(|l| {
                let sp = memchr::memchr(b' ', l)?;
                let pid = std::str::from_utf8(&l[..sp]).ok()?.trim().parse().ok()?;
                Some((pid, l[sp + 1..].to_vec()))
            })
            .collect();
        let func_fields = [ids.entry, ids.retaddr, ids.exit]
            .into_iter()
            .flatten()
            .filter_map(|id| Some((id, formats.get(&id)?.field("func")?.clone())))
            .collect();
        Decoder {
            func_fields,
            e: meta.endian(),
            long: long_size(&meta.header_page),
            formats,
            common_type,
            common_pid,
            ids,
            syms: Resolver::new(Kallsyms::parse(&meta.kallsyms)),
            comms: Arc::new(comms),
            fstack: Vec::new(),
            prefixes: FxHashMap::default(),
            names: FxHashMap::default(),
        }
    }

    /// A decoder for another thread: the same formats and names (shared
    /// where large), caches and the function plugin's callers of its own.
    pub(super) fn fork(&self) -> Decoder {
        Decoder {
            e: self.e,
            long: self.long,
            formats: self.formats.clone(),
            common_type: self.common_type.clone(),
            common_pid: self.common_pid.clone(),
            ids: self.ids,
            func_fields: self.func_fields.clone(),
            syms: self.syms.share(),
            comms: self.comms.clone(),
            fstack: Vec::new(),
            prefixes: FxHashMap::default(),
            names: FxHashMap::default(),
        }
    }

    /// Whether `data` is a function event (its line's indentation follows
    /// the CPU's earlier function events).
    pub(super) fn is_function(&self, data: &[u8]) -> bool {
        let id = self.id(data);
        id.is_some() && id == self.ids.function
    }

    pub(super) fn id(&self, data: &[u8]) -> Option<u32> {
        self.common_type.value(data, self.e).map(|v| v as u32)
    }

    pub(super) fn pid(&self, data: &[u8]) -> i32 {
        self.common_pid.value(data, self.e).unwrap_or(0) as i32
    }

    fn val(&self, id: Option<u32>, name: &str, data: &[u8]) -> Option<u64> {
        self.formats.get(&id?)?.field(name)?.value(data, self.e)
    }

    /// A field of `data`'s own event.
    pub(super) fn field_val(&self, data: &[u8], name: &str) -> Option<u64> {
        self.val(self.id(data), name, data)
    }

    /// A field of the funcgraph_exit event.
    pub(super) fn exit_val(&self, data: &[u8], name: &str) -> Option<u64> {
        self.val(self.ids.exit, name, data)
    }

    /// The kallsyms entry of the function at `addr`.
    pub(super) fn sym(&mut self, addr: u64) -> Option<usize> {
        self.syms.find(addr)
    }

    /// The name of an entry from [`Decoder::sym`].
    pub(super) fn name(&self, i: usize) -> &[u8] {
        self.syms.syms.name(i)
    }

    /// Whether `data` is a function-graph entry (which may fold with the
    /// next event into a leaf).
    pub fn is_entry(&self, data: &[u8]) -> bool {
        let id = self.id(data);
        id.is_some() && (id == self.ids.entry || id == self.ids.retaddr)
    }

    /// `get_return_for_leaf`: `next` is the exit of the call `entry` opened.
    pub fn is_leaf_exit(&self, entry: &[u8], next: &[u8]) -> bool {
        let nid = self.id(next);
        if nid.is_none() || nid != self.ids.exit || self.pid(next) != self.pid(entry) {
            return false;
        }
        let func = |id: Option<u32>, data: &[u8]| {
            let id = id?;
            let (_, f) = self.func_fields.iter().find(|(i, _)| *i == id)?;
            f.value(data, self.e)
        };
        let exit = func(nid, next);
        exit.is_some() && exit == func(self.id(entry), entry)
    }

    /// Append the line for one event (and `missed` events before it), or
    /// for an entry folded with its exit `leaf`.
    pub fn write_line(
        &mut self,
        out: &mut Vec<u8>,
        cpu: u32,
        ts: u64,
        missed: i64,
        data: &[u8],
        leaf: Option<&[u8]>,
    ) {
        if missed > 0 {
            let _ = writeln!(out, "CPU:{cpu} [{missed} EVENTS DROPPED]");
        } else if missed < 0 {
            let _ = writeln!(out, "CPU:{cpu} [EVENTS DROPPED]");
        }
        let pid = self.pid(data);
        if self.prefixes.len() >= 1 << 16 {
            self.prefixes.clear(); // bounded, whatever pids a file holds
        }
        let prefix = self.prefixes.entry((pid, cpu)).or_insert_with(|| {
            let comm: &[u8] = match self.comms.get(&pid) {
                Some(c) => c,
                None if pid == 0 => b"<idle>",
                None => b"<...>",
            };
            let mut p = vec![b' '; 16usize.saturating_sub(comm.len())];
            p.extend_from_slice(comm);
            let _ = write!(p, "-{pid:<5} [{cpu:03}] ");
            p
        });
        out.extend_from_slice(prefix);
        // `%5llu.%06llu` of the time in µs, rounded.
        let us = ts.saturating_add(500) / 1000;
        let (secs, frac) = (us / 1_000_000, us % 1_000_000);
        let mut digits = [0u8; 20];
        let mut n = 0;
        let mut v = secs;
        loop {
            digits[n] = b'0' + (v % 10) as u8;
            n += 1;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        out.extend(std::iter::repeat_n(b' ', 5usize.saturating_sub(n)));
        out.extend(digits[..n].iter().rev());
        let f = frac as u32;
        out.extend_from_slice(&[
            b'.',
            b'0' + (f / 100_000) as u8,
            b'0' + (f / 10_000 % 10) as u8,
            b'0' + (f / 1000 % 10) as u8,
            b'0' + (f / 100 % 10) as u8,
            b'0' + (f / 10 % 10) as u8,
            b'0' + (f % 10) as u8,
            b':',
            b' ',
        ]);
        let id = self.id(data);
        let formats = &self.formats;
        let name = self.names.entry(id.unwrap_or(u32::MAX)).or_insert_with(|| {
            let name = id
                .and_then(|i| formats.get(&i))
                .map_or("(NULL)", |f| f.name.as_str());
            let mut n = format!("{name}: ").into_bytes();
            n.extend(std::iter::repeat_n(
                b' ',
                20usize.saturating_sub(name.len()),
            ));
            n
        });
        out.extend_from_slice(name);
        self.info(out, cpu, data, leaf);
        out.push(b'\n');
    }

    fn info(&mut self, out: &mut Vec<u8>, cpu: u32, data: &[u8], leaf: Option<&[u8]>) {
        let id = self.id(data);
        if id.is_some() && id == self.ids.exit {
            return self.graph_exit(out, data);
        }
        if self.is_entry(data) {
            return match leaf {
                Some(exit) => self.graph_leaf(out, data, exit),
                None => self.graph_nested(out, data),
            };
        }
        if id.is_some() && id == self.ids.function {
            return self.function(out, cpu, data);
        }
        let Some(f) = id.and_then(|i| self.formats.get(&i)) else {
            let _ = write!(out, "[UNKNOWN EVENT {}]", id.unwrap_or(0));
            return;
        };
        self.event_text(out, f, data);
    }

    /// An event's text by its `print fmt`, or its fields when the format
    /// cannot be evaluated.
    pub(super) fn event_text(&self, out: &mut Vec<u8>, f: &EventFormat, data: &[u8]) {
        let start = out.len();
        let syms = &self.syms.syms;
        let lookup = |a: u64| syms.find(a).map(|i| syms.name(i));
        let ok = f
            .print
            .as_ref()
            .and_then(|p| p.render(f, data, self.e, self.long, &lookup, out));
        if ok.is_none() {
            out.truncate(start);
            fields(out, f, data, self.e);
        }
    }
}

/// An event whose `print fmt` is not evaluated: its own fields,
/// `name=value` (hex for numbers), so it still marks its place.
pub(super) fn fields(out: &mut Vec<u8>, f: &EventFormat, data: &[u8], e: Endian) {
    let mut first = true;
    for field in f.fields.iter().filter(|x| !x.name.starts_with("common_")) {
        if !first {
            out.push(b' ');
        }
        first = false;
        match field.value(data, e) {
            Some(v) if field.layout == super::format::Layout::Scalar => {
                let _ = write!(out, "{}=0x{v:x}", field.name);
            }
            _ => {
                let b = field.bytes(data, e).unwrap_or(&[]);
                let b = &b[..memchr::memchr(0, b).unwrap_or(b.len())];
                let _ = write!(out, "{}=", field.name);
                out.extend(
                    b.iter()
                        .map(|&c| if c.is_ascii_graphic() { c } else { b'.' }),
                );
            }
        }
    }
}

/// The kernel's `sizeof(long)`: the size of header_page's `commit` field.
fn long_size(header_page: &[u8]) -> u8 {
    let text = String::from_utf8_lossy(header_page);
    text.lines()
        .find(|l| l.contains("commit;"))
        .and_then(|l| l.split("size:").nth(1))
        .and_then(|s| s.split(';').next())
        .and_then(|s| s.trim().parse().ok())
        .filter(|&n| n == 4 || n == 8)
        .unwrap_or(8)
}
