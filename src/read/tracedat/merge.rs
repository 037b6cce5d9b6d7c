//! The CPUs' events in one stream, oldest first, as `trace-cmd report`
//! orders them (`tracecmd_read_next_data`: the smallest timestamp; on a tie
//! the CPU that comes first), with a function-graph entry folded into a
//! leaf when the very next event is its exit on the same CPU (trace-cmd's
//! `fgraph_ent_handler`).

use std::io;

use super::{
    events::Decoder,
    header::Meta,
    page::{CpuStream, RawEvent},
    segment::record_of,
    store::Store,
    typed::{self, DatBatch, DatItem},
};

/// Reads the per-CPU streams and writes report lines.
pub struct Merger {
    store: Store,
    cpus: Vec<CpuStream>,
    heads: Vec<Option<RawEvent>>,
    dec: Decoder,
    entry: Vec<u8>,
    /// The first CPU stream that could not be read to its end, and why.
    pub damage: Option<String>,
}

impl Merger {
    /// Start every CPU at its first event.
    pub fn new(store: Store, meta: &Meta) -> io::Result<Merger> {
        let dec = Decoder::new(meta);
        let codec = meta.page_codec();
        let mut cpus = Vec::with_capacity(meta.cpus.len());
        for c in &meta.cpus {
            let long8 = dec.long == 8;
            cpus.push(CpuStream::new(
                &store,
                c,
                meta.endian(),
                meta.page_size,
                long8,
                codec,
            )?);
        }
        let mut m = Merger {
            store,
            heads: vec![None; cpus.len()],
            cpus,
            dec,
            entry: Vec::new(),
            damage: None,
        };
        for i in 0..m.cpus.len() {
            m.advance(i);
        }
        Ok(m)
    }

    /// Move CPU `i` to its next event; a read error ends that CPU and is
    /// remembered as damage.
    fn advance(&mut self, i: usize) {
        self.heads[i] = match self.cpus[i].next_event(&self.store) {
            Ok(ev) => ev,
            Err(e) => {
                if self.damage.is_none() {
                    self.damage = Some(format!("CPU {}: {e}", self.cpus[i].cpu));
                }
                None
            }
        };
    }

    fn pick(&self) -> Option<usize> {
        earliest(self.heads.iter().map(|h| h.as_ref().map(|ev| ev.ts)))
    }

    fn data(&self, i: usize, ev: &RawEvent) -> &[u8] {
        &self.cpus[i].page[ev.start..ev.start + ev.len]
    }

    /// Append the next line (two for dropped events); `false` at the end.
    pub fn next_line(&mut self, out: &mut Vec<u8>) -> bool {
        self.step(|dec, cpu, ts, missed, data, leaf| {
            dec.write_line(out, cpu, ts, missed, data, leaf);
        })
    }

    /// Hand the next event to `each` (`cpu`, `ts`, `missed`, its data, and
    /// the exit folded into it when it is a leaf); `false` at the end.
    pub(super) fn step(
        &mut self,
        mut each: impl FnMut(&mut Decoder, u32, u64, i64, &[u8], Option<&[u8]>),
    ) -> bool {
        let Some(i) = self.pick() else {
            return false;
        };
        let Some(ev) = self.heads[i] else {
            return false;
        };
        let cpu = self.cpus[i].cpu;
        let data = &self.cpus[i].page[ev.start..ev.start + ev.len];
        if !self.dec.is_entry(data) {
            each(&mut self.dec, cpu, ev.ts, ev.missed, data, None);
            self.advance(i);
            return true;
        }
        // The entry's page may be replaced when its CPU moves on.
        self.entry.clear();
        self.entry.extend_from_slice(data);
        self.advance(i);
        let leaf = self.pick().filter(|&j| j == i).and_then(|j| {
            let next = self.heads[j]?;
            let nd = self.data(j, &next);
            self.dec.is_leaf_exit(&self.entry, nd).then_some(next)
        });
        match leaf {
            Some(next) => {
                let exit = &self.cpus[i].page[next.start..next.start + next.len];
                each(
                    &mut self.dec,
                    cpu,
                    ev.ts,
                    ev.missed,
                    &self.entry,
                    Some(exit),
                );
                self.advance(i);
            }
            None => each(&mut self.dec, cpu, ev.ts, ev.missed, &self.entry, None),
        }
        true
    }

    /// The typed records' names (see [`typed::Names`]).
    pub fn names(&self) -> typed::Names {
        self.dec.names()
    }
}

/// Typed records made on this thread alone, event by event: for files of
/// so many CPUs that a few decoded jobs per CPU in flight would cost more
/// memory than the one page per CPU this reads.
pub struct OneThread {
    merger: Merger,
    fields: typed::Fields,
}

impl OneThread {
    /// Start every CPU at its first event.
    pub fn new(store: Store, meta: &Meta) -> io::Result<OneThread> {
        let merger = Merger::new(store, meta)?;
        Ok(OneThread {
            fields: typed::Fields::new(&merger.dec),
            merger,
        })
    }

    /// The names the records use.
    pub fn names(&self) -> typed::Names {
        self.merger.names()
    }

    /// The first CPU stream that could not be read to its end, and why.
    pub fn damage(&mut self) -> Option<String> {
        self.merger.damage.take()
    }

    /// Put the next record in `b`; `false` at the end.
    pub fn step(&mut self, b: &mut DatBatch) -> bool {
        let fields = &mut self.fields;
        self.merger.step(|dec, cpu, ts, missed, data, leaf| {
            let bytes = data.len() + leaf.map_or(0, <[u8]>::len);
            b.bytes += bytes as u64;
            let kind = record_of(dec, fields, &mut b.text, cpu, (ts, missed), data, leaf);
            b.items.push(DatItem {
                cpu,
                pid: dec.pid(data),
                ts_ns: typed::printed_ts(ts),
                bytes: bytes as u32,
                kind,
            });
        })
    }
}

/// The CPU whose head event comes first (`None`: no CPU has one left); on
/// equal timestamps the lower CPU, as trace-cmd merges. Shared by the
/// one-thread merge and the threaded one (`parallel`).
pub(super) fn earliest(heads: impl IntoIterator<Item = Option<u64>>) -> Option<usize> {
    let mut best: Option<(usize, u64)> = None;
    for (i, ts) in heads.into_iter().enumerate() {
        if let Some(ts) = ts {
            if best.is_none_or(|(_, b)| ts < b) {
                best = Some((i, ts));
            }
        }
    }
    best.map(|(i, _)| i)
}
