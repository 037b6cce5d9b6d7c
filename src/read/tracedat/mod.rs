//! A trace-cmd `trace.dat` (versions 6 and 7, sections plain or compressed
//! with zstd or zlib) read natively and handed on as the text
//! `trace-cmd report` prints for it, line for line: so the parser and the
//! model see exactly what they see for that text, and a warning's line
//! number is the line of `trace-cmd report`'s output.
//!
//! Parts: [`header`] (+ `header6`) the metadata, [`format`] and `printfmt`
//! the embedded event formats, [`kallsyms`] addresses to names, [`page`] the
//! ring-buffer pages of one CPU, [`merge`] the CPUs in time order, `events`
//! and `fgraph` the line each event prints as.
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
pub mod kallsyms;
pub mod merge;
pub mod page;
mod printfmt;
mod store;

use std::{
    fs::File,
    io::{self, BufRead, Read},
};

pub use header::MAGIC;
pub use store::Store;

/// Text is produced in batches of about this size.
const BATCH: usize = 64 << 10;

/// A trace.dat as `trace-cmd report` text.
pub struct DatText {
    merger: Option<merge::Merger>,
    buf: Vec<u8>,
    pos: usize,
    damage: super::Damage,
}

impl DatText {
    /// Read the metadata of the trace.dat in `file`; damage met later (a
    /// cut CPU stream) is put in `damage` and ends the text.
    pub fn open(file: File, damage: &super::Damage) -> io::Result<DatText> {
        let store = Store::new(file)?;
        let meta = header::read_meta(&store).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("a trace-cmd trace.dat whose header cannot be read: {e}"),
            )
        })?;
        let mut buf = Vec::with_capacity(BATCH + 4096);
        buf.extend_from_slice(format!("cpus={}\n", meta.cpus_line).as_bytes());
        Ok(DatText {
            merger: Some(merge::Merger::new(store, &meta)?),
            buf,
            pos: 0,
            damage: damage.clone(),
        })
    }
}

impl BufRead for DatText {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos >= self.buf.len() {
            self.buf.clear();
            self.pos = 0;
            if let Some(m) = &mut self.merger {
                while self.buf.len() < BATCH && m.next_line(&mut self.buf) {}
                if self.buf.len() < BATCH {
                    if let Some(d) = m.damage.take() {
                        self.damage.set(d);
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
