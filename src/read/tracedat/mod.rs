//! A trace-cmd `trace.dat` (versions 6 and 7, sections plain or compressed
//! with zstd or zlib) read natively and handed on as typed records
//! ([`DatRecords`], one per line of `trace-cmd report`'s output, each
//! saying what that line says: so the parser and the model see exactly
//! what they see for that text, and a warning's line number is the line of
//! `trace-cmd report`'s output), or as that text itself ([`DatText`]).
//!
//! Parts: [`header`] (+ `header6`) the metadata, [`format`] and `printfmt`
//! the embedded event formats, [`kallsyms`] addresses to names, [`page`] the
//! ring-buffer pages of one CPU, [`merge`] the CPUs in time order, `events`
//! and `fgraph` the line each event prints as, [`typed`] the record.
//!
//! Memory: the metadata (kallsyms is a few MiB), one page (or one
//! compressed chunk) per CPU and a 64 KiB batch of text. A trace.dat that
//! is compressed as a whole or comes from a pipe is first unpacked into an
//! unnamed temporary file (it must be read at random offsets).

mod cursor;
mod events;
mod fgraph;
pub mod format;
pub mod header;
mod header6;
mod jobs;
pub mod kallsyms;
pub mod merge;
pub mod page;
pub mod parallel;
mod printfmt;
mod segment;
mod store;
pub mod typed;

use std::{
    fs::File,
    io::{self, BufRead, Read},
    sync::Arc,
};

pub use header::MAGIC;
pub use store::Store;
use typed::{DatBatch, DatItem, DatKind};

/// Text is produced in batches of about this size.
const BATCH: usize = 64 << 10;

/// Typed records per batch.
const BATCH_ITEMS: usize = 16 << 10;

/// A trace.dat whose metadata is read: its events can be read as text
/// ([`DatFile::text`]) or as typed records ([`DatFile::records`]).
pub struct DatFile {
    store: Store,
    meta: Arc<header::Meta>,
    damage: super::Damage,
}

impl DatFile {
    /// Read the metadata of the trace.dat in `file`; damage met later (a
    /// cut CPU stream) is put in `damage` and ends the events.
    pub fn open(file: File, damage: &super::Damage) -> io::Result<DatFile> {
        let store = Store::new(file)?;
        let meta = header::read_meta(&store).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("a trace-cmd trace.dat whose header cannot be read: {e}"),
            )
        })?;
        Ok(DatFile {
            store,
            meta: Arc::new(meta),
            damage: damage.clone(),
        })
    }

    /// A second handle on the same file (reads are by offset).
    pub fn try_clone(&self) -> io::Result<DatFile> {
        Ok(DatFile {
            store: self.store.try_clone()?,
            meta: self.meta.clone(),
            damage: self.damage.clone(),
        })
    }

    /// `cpus=N`, the first line of `trace-cmd report`.
    fn first_line(&self) -> Vec<u8> {
        format!("cpus={}\n", self.meta.cpus_line).into_bytes()
    }

    /// The events as the text `trace-cmd report` prints.
    pub fn text(self) -> DatText {
        let mut buf = Vec::with_capacity(BATCH + 4096);
        buf.extend_from_slice(&self.first_line());
        DatText {
            file: self,
            started: false,
            merger: None,
            buf,
            pos: 0,
        }
    }

    /// The events as typed records, decoded on every core.
    pub fn records(self) -> io::Result<DatRecords> {
        let tuning = parallel::Tuning::for_cpus(self.meta.cpus.len());
        self.records_tuned(tuning)
    }

    /// [`DatFile::records`] with the work cut as `tuning` says.
    pub fn records_tuned(self, tuning: parallel::Tuning) -> io::Result<DatRecords> {
        let store = self.store.try_clone()?;
        let merger = match tuning.workers {
            0 => Reader::One(merge::OneThread::new(store, &self.meta)?),
            _ => Reader::Threads(parallel::Parallel::new(store, &self.meta, tuning)?),
        };
        Ok(DatRecords {
            first: Some(self.first_line()),
            merger: Some(merger),
            damage: self.damage,
        })
    }
}

/// Where typed records come from.
enum Reader {
    Threads(parallel::Parallel),
    One(merge::OneThread),
}

impl Reader {
    fn step(&mut self, b: &mut DatBatch) -> bool {
        match self {
            Reader::Threads(p) => p.step(b),
            Reader::One(o) => o.step(b),
        }
    }

    fn names(&self) -> typed::Names {
        match self {
            Reader::Threads(p) => p.names(),
            Reader::One(o) => o.names(),
        }
    }

    fn damage(&mut self) -> Option<String> {
        match self {
            Reader::Threads(p) => p.damage(),
            Reader::One(o) => o.damage(),
        }
    }
}

/// A trace.dat's events as typed records, in batches.
pub struct DatRecords {
    merger: Option<Reader>,
    first: Option<Vec<u8>>,
    damage: super::Damage,
}

impl DatRecords {
    /// The names the records refer to.
    pub fn names(&self) -> Option<typed::Names> {
        self.merger.as_ref().map(Reader::names)
    }

    /// The next records (at most [`BATCH_ITEMS`]); `None` at the end.
    pub fn next_batch(&mut self) -> Option<DatBatch> {
        let merger = self.merger.as_mut()?;
        let mut b = DatBatch {
            items: Vec::with_capacity(BATCH_ITEMS),
            text: Vec::with_capacity(BATCH),
            bytes: 0,
        };
        if let Some(first) = self.first.take() {
            b.text.extend_from_slice(&first);
            let end = b.text.len() as u32;
            b.items.push(DatItem {
                cpu: 0,
                pid: -1,
                ts_ns: 0,
                bytes: 0,
                kind: DatKind::Lines { start: 0, end },
            });
        }
        while b.items.len() < BATCH_ITEMS && b.text.len() < BATCH {
            if !merger.step(&mut b) {
                if let Some(d) = merger.damage() {
                    self.damage.set(d);
                }
                self.merger = None;
                break;
            }
        }
        (!b.items.is_empty()).then_some(b)
    }
}

/// A trace.dat as `trace-cmd report` text.
pub struct DatText {
    file: DatFile,
    /// The merger is made at the first read.
    started: bool,
    merger: Option<merge::Merger>,
    buf: Vec<u8>,
    pos: usize,
}

impl BufRead for DatText {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if !self.started {
            self.started = true;
            let store = self.file.store.try_clone()?;
            self.merger = Some(merge::Merger::new(store, &self.file.meta)?);
        }
        if self.pos >= self.buf.len() {
            self.buf.clear();
            self.pos = 0;
            if let Some(m) = &mut self.merger {
                while self.buf.len() < BATCH && m.next_line(&mut self.buf) {}
                if self.buf.len() < BATCH {
                    if let Some(d) = m.damage.take() {
                        self.file.damage.set(d);
                    }
                    self.merger = None;
                }
            }
        }
        Ok(&self.buf[self.pos..])
    }

    fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.buf.len());
    }
}

impl Read for DatText {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(out.len());
        out[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

#[cfg(test)]
mod tests;
