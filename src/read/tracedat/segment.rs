//! One job's pages decoded on a worker thread into what the merge needs of
//! each event ([`Pre`]): its record, typed or as its lines, made exactly as
//! the one-thread reader makes it. Two things depend on events the worker
//! does not see, and are left to the merge: a function-graph entry folds
//! into a leaf only when its exit is the very next event of all CPUs (so an
//! entry gets both records, alone and folded with the exit that follows it
//! on its CPU), and the function plugin's indentation follows every
//! earlier function event of the CPU (so function events, and an entry
//! that ends its job, go to the merge undecoded: [`Form::Raw`]).

use std::io;

use super::{
    events::Decoder,
    jobs::{JobPages, read_job},
    page::{PageCursor, RawEvent},
    store::Store,
    typed::{DatKind, Fields},
};

/// What the merge does with one event.
#[derive(Debug, Clone, Copy)]
pub(super) enum Form {
    /// Its record.
    Done(DatKind),
    /// A function-graph entry: its record alone, and folded with the next
    /// event of its CPU (its exit: that event's data bytes) when that is
    /// one.
    Entry {
        alone: DatKind,
        leaf: Option<(DatKind, u32)>,
    },
    /// Decoded by the merge from its data ([`Pre::raw`]).
    Raw,
}

/// One event of a segment.
#[derive(Debug, Clone, Copy)]
pub(super) struct Pre {
    /// Its timestamp as read (the merge orders by it).
    pub ts: u64,
    /// Events lost before it.
    pub missed: i64,
    /// The task's pid.
    pub pid: i32,
    /// Bytes of its data.
    pub bytes: u32,
    /// Its record(s).
    pub form: Form,
    /// Its data in [`Segment::raw`]: kept for [`Form::Raw`] and for the
    /// first event (the exit an entry ending the previous job may fold).
    pub raw: Option<(u32, u32)>,
}

/// A job's events in order, with the text their records point into.
#[derive(Debug, Default)]
pub(super) struct Segment {
    pub items: Vec<Pre>,
    pub text: Vec<u8>,
    pub raw: Vec<u8>,
    /// The error that ends the CPU's stream after these events.
    pub err: Option<String>,
}

impl Segment {
    /// The data of an event that kept it.
    pub(super) fn raw_of(&self, p: &Pre) -> Option<&[u8]> {
        let (s, e) = p.raw?;
        self.raw.get(s as usize..e as usize)
    }
}

/// A decoding thread's own state: a decoder (its caches), the pages read.
pub(super) struct Worker {
    pub dec: Decoder,
    pub fields: Fields,
    pub store: Store,
    pub page_size: usize,
    pub long8: bool,
    buf: Vec<u8>,
    pages: Vec<(usize, usize)>,
    events: Vec<RawEvent>,
}

/// The record of one event (folded with `leaf`) as the one-thread reader
/// makes it: typed, else the lines `trace-cmd report` prints.
pub(super) fn record_of(
    dec: &mut Decoder,
    fields: &mut Fields,
    text: &mut Vec<u8>,
    cpu: u32,
    ev: (u64, i64),
    data: &[u8],
    leaf: Option<&[u8]>,
) -> DatKind {
    let (ts, missed) = ev;
    let kind = match missed {
        0 => dec.typed(fields, cpu, data, leaf, text),
        _ => None,
    };
    kind.unwrap_or_else(|| {
        let start = text.len() as u32;
        dec.write_line(text, cpu, ts, missed, data, leaf);
        DatKind::Lines {
            start,
            end: text.len() as u32,
        }
    })
}

impl Worker {
    pub(super) fn new(dec: Decoder, store: Store, page_size: usize) -> Worker {
        Worker {
            fields: Fields::new(&dec),
            long8: dec.long == 8,
            dec,
            store,
            page_size,
            buf: Vec::new(),
            pages: Vec::new(),
            events: Vec::new(),
        }
    }

    /// Read and decode one job of CPU `cpu` into `seg` (a used segment,
    /// its buffers kept: fresh ones would cost page faults every job).
    pub(super) fn run(&mut self, cpu: u32, job: &JobPages, mut seg: Segment) -> Segment {
        let err = read_job(
            &self.store,
            job,
            self.page_size,
            &mut self.buf,
            &mut self.pages,
        );
        self.events.clear();
        let e = self.dec.e;
        for &(s, t) in &self.pages {
            let page = &self.buf[s..t];
            let mut at = PageCursor::start(page, e, self.long8);
            while let Some(mut ev) = at.next(page, e) {
                ev.start += s;
                self.events.push(ev);
            }
        }
        seg.items.clear();
        seg.text.clear();
        seg.raw.clear();
        seg.items.reserve(self.events.len());
        seg.err = err.as_ref().map(io::Error::to_string);
        self.decode(cpu, &mut seg);
        seg
    }

    fn data(&self, ev: &RawEvent) -> &[u8] {
        &self.buf[ev.start..ev.start + ev.len]
    }

    /// Each event's [`Pre`] into `seg`.
    fn decode(&mut self, cpu: u32, seg: &mut Segment) {
        let n = self.events.len();
        // The record of the event after an entry, made with the entry's.
        let mut next_alone: Option<DatKind> = None;
        for j in 0..n {
            let ev = self.events[j];
            let data = &self.buf[ev.start..ev.start + ev.len];
            let entry = self.dec.is_entry(data);
            let raw_form = self.dec.is_function(data) || (entry && j + 1 == n);
            let alone = next_alone.take();
            let form = if raw_form {
                Form::Raw
            } else if entry {
                self.entry_forms(cpu, j, seg, &mut next_alone)
            } else {
                let d = &self.buf[ev.start..ev.start + ev.len];
                Form::Done(alone.unwrap_or_else(|| {
                    let (dec, fields) = (&mut self.dec, &mut self.fields);
                    record_of(dec, fields, &mut seg.text, cpu, (ev.ts, ev.missed), d, None)
                }))
            };
            let keep = matches!(form, Form::Raw) || j == 0;
            let raw = keep.then(|| {
                let s = seg.raw.len() as u32;
                seg.raw
                    .extend_from_slice(&self.buf[ev.start..ev.start + ev.len]);
                (s, seg.raw.len() as u32)
            });
            seg.items.push(Pre {
                ts: ev.ts,
                missed: ev.missed,
                pid: self.dec.pid(self.data(&ev)),
                bytes: ev.len as u32,
                form,
                raw,
            });
        }
    }

    /// An entry's records: alone, and folded with the next event when that
    /// is its exit (whose own record is made too, for when it is not
    /// folded, and left in `next_alone`).
    fn entry_forms(
        &mut self,
        cpu: u32,
        j: usize,
        seg: &mut Segment,
        next_alone: &mut Option<DatKind>,
    ) -> Form {
        let (ev, next) = (self.events[j], self.events[j + 1]);
        let (data, nd) = (
            &self.buf[ev.start..ev.start + ev.len],
            &self.buf[next.start..next.start + next.len],
        );
        let (dec, fields, text) = (&mut self.dec, &mut self.fields, &mut seg.text);
        let alone = record_of(dec, fields, text, cpu, (ev.ts, ev.missed), data, None);
        if !dec.is_leaf_exit(data, nd) {
            return Form::Entry { alone, leaf: None };
        }
        let exit = record_of(dec, fields, text, cpu, (next.ts, next.missed), nd, None);
        *next_alone = Some(exit);
        let leaf = match (alone, exit) {
            // What the typed leaf says: the entry's depth and function, the
            // exit's duration and return value (both read as the leaf reads
            // them; `is_leaf_exit` made sure of the same task).
            (
                DatKind::Entry { depth, func },
                DatKind::Exit {
                    duration_ns, ret, ..
                },
            ) => DatKind::Leaf {
                depth,
                func,
                duration_ns,
                ret,
            },
            _ => record_of(dec, fields, text, cpu, (ev.ts, ev.missed), data, Some(nd)),
        };
        Form::Entry {
            alone,
            leaf: Some((leaf, next.len as u32)),
        }
    }
}
