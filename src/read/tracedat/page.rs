//! One CPU's ring-buffer pages, event by event, as libtraceevent's
//! `kbuffer` reads them: a page header (timestamp, commit with the
//! missed-events flags), then events whose 4-byte header packs a type/length
//! (5 bits) and a time delta (27 bits); type 29 is padding, 30 a time
//! extension, 31 an absolute timestamp. Version 7 files may store the pages
//! in compressed chunks; one chunk is unpacked at a time.

use std::io;

use super::{
    cursor::{Endian, bad},
    header::CpuData,
    jobs::PageSource,
    store::{Codec, Store},
};

const COMMIT_MASK: u64 = (1 << 27) - 1;
const MISSING_EVENTS: u64 = 1 << 31;
const MISSING_STORED: u64 = 1 << 30;
const TS_MSB: u64 = 0xf8 << 56;
const PADDING: u32 = 29;
const TIME_EXTEND: u32 = 30;
const TIME_STAMP: u32 = 31;
/// A compressed chunk larger than this is refused (trace-cmd writes a few
/// pages per chunk).
pub(super) const MAX_CHUNK: u32 = 64 << 20;

/// One event in the current page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawEvent {
    /// Its timestamp.
    pub ts: u64,
    /// Where its data is in [`CpuStream::page`].
    pub start: usize,
    /// Its data's length.
    pub len: usize,
    /// Events lost before it (`-1`: some, count unknown).
    pub missed: i64,
}

/// Where the pages come from.
enum Pages {
    /// Plain pages: next page offset and the end.
    Plain { off: u64, end: u64 },
    /// Compressed chunks: the next chunk's offset, chunks left, the unpacked
    /// chunk and how far into it.
    Chunks {
        codec: Codec,
        off: u64,
        left: u32,
        buf: Vec<u8>,
        used: usize,
    },
}

/// Where the next event of one page is: `kbuffer`'s state for the page
/// loaded, which needs nothing from the pages before it (each page header
/// carries its full timestamp), so pages can be read in any order.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct PageCursor {
    data: usize,
    size: usize,
    next: usize,
    ts: u64,
    missed: i64,
}

/// One CPU's events in file order.
pub struct CpuStream {
    /// The CPU.
    pub cpu: u32,
    e: Endian,
    page_size: usize,
    /// The commit field is 8 bytes (64-bit kernel) rather than 4.
    long8: bool,
    pages: Pages,
    /// The current page.
    pub page: Vec<u8>,
    at: PageCursor,
}

impl CpuStream {
    /// Start reading `cpu`'s data; `codec` when the data is in chunks.
    pub fn new(
        store: &Store,
        cpu: &CpuData,
        e: Endian,
        page_size: u32,
        long8: bool,
        codec: Option<Codec>,
    ) -> io::Result<Self> {
        // Where the pages are is the jobs' start (`PageSource::new` makes no
        // `Failed` source); here chunks are unpacked one at a time.
        let pages = match PageSource::new(store, cpu, e, codec)? {
            PageSource::Chunks { codec, off, left } => Pages::Chunks {
                codec,
                off,
                left,
                buf: Vec::new(),
                used: 0,
            },
            PageSource::Plain { off, end } => Pages::Plain { off, end },
            PageSource::Failed(_) => Pages::Plain { off: 0, end: 0 },
        };
        Ok(CpuStream {
            cpu: cpu.cpu,
            e,
            page_size: page_size as usize,
            long8,
            pages,
            page: Vec::new(),
            at: PageCursor::default(),
        })
    }

    /// The next event, `None` at the end of the CPU's data.
    pub fn next_event(&mut self, store: &Store) -> io::Result<Option<RawEvent>> {
        loop {
            if let Some(ev) = self.at.next(&self.page, self.e) {
                return Ok(Some(ev));
            }
            if !self.load_page(store)? {
                return Ok(None);
            }
        }
    }

    /// Read the next page and its header; `false` at the end.
    fn load_page(&mut self, store: &Store) -> io::Result<bool> {
        let ps = self.page_size;
        self.page.resize(ps, 0);
        match &mut self.pages {
            Pages::Plain { off, end } => {
                if *off >= *end {
                    return Ok(false);
                }
                let n = (*end - *off).min(ps as u64) as usize;
                self.page.truncate(n);
                store.read_into(*off, &mut self.page, "ring-buffer page")?;
                *off += n as u64;
            }
            Pages::Chunks {
                codec,
                off,
                left,
                buf,
                used,
            } => {
                if *used >= buf.len() {
                    if *left == 0 {
                        return Ok(false);
                    }
                    let h = store.read(*off, 8, "chunk header")?;
                    let zsize = self.e.u32(h[..4].try_into().unwrap_or([0; 4]));
                    let size = self.e.u32(h[4..8].try_into().unwrap_or([0; 4]));
                    if size > MAX_CHUNK {
                        return Err(bad(format!("a chunk of {size} bytes is not believable")));
                    }
                    let z = store.read(*off + 8, u64::from(zsize), "compressed chunk")?;
                    *buf = codec.decompress(&z, size, "ring-buffer chunk")?;
                    *off += 8 + u64::from(zsize);
                    *left -= 1;
                    *used = 0;
                }
                let n = (buf.len() - *used).min(ps);
                self.page.truncate(n);
                self.page.copy_from_slice(&buf[*used..*used + n]);
                *used += n;
            }
        }
        self.at = PageCursor::start(&self.page, self.e, self.long8);
        Ok(true)
    }
}

impl PageCursor {
    /// `kbuffer_load_subbuffer`: the page header of `page`.
    pub(super) fn start(page: &[u8], e: Endian, long8: bool) -> PageCursor {
        let ts = e.uint(page, 8).unwrap_or(0);
        let (long, data) = if long8 { (8, 16) } else { (4, 12) };
        let flags = e.uint(page.get(8..).unwrap_or(&[]), long).unwrap_or(0);
        let data = data.min(page.len());
        let size = ((flags & COMMIT_MASK) as usize).min(page.len() - data);
        let missed = if flags & MISSING_EVENTS == 0 {
            0
        } else if flags & MISSING_STORED != 0 {
            let at = data + size;
            e.uint(page.get(at..).unwrap_or(&[]), long)
                .map_or(-1, |n| n as i64)
        } else {
            -1
        };
        PageCursor {
            data,
            size,
            next: 0,
            ts,
            missed,
        }
    }

    /// `kbuffer`'s `__next_event` in `page` (the page [`PageCursor::start`]
    /// read): skip padding and time records.
    pub(super) fn next(&mut self, page: &[u8], e: Endian) -> Option<RawEvent> {
        let u32_at = |at: usize| -> Option<u32> {
            let b = page.get(at..at + 4)?;
            Some(e.u32(b.try_into().ok()?))
        };
        loop {
            let curr = self.next;
            if curr >= self.size {
                return None;
            }
            let head = u32_at(self.data + curr)?;
            let (kind, delta) = match e {
                Endian::Little => (head & 31, u64::from(head >> 5)),
                Endian::Big => (head >> 27, u64::from(head & ((1 << 27) - 1))),
            };
            let word = || u32_at(self.data + curr + 4).map(u64::from);
            let (index, len) = match kind {
                PADDING => (curr + 4, word()? as usize),
                TIME_EXTEND => {
                    self.ts = self.ts.wrapping_add((word()? << 27) + delta);
                    self.next = curr + 8;
                    continue;
                }
                TIME_STAMP => {
                    self.ts = ((word()? << 27) + delta) | (self.ts & TS_MSB);
                    self.next = curr + 8;
                    continue;
                }
                0 => (curr + 8, ((word()? as usize).saturating_sub(4) + 3) & !3),
                n => (curr + 4, n as usize * 4),
            };
            self.ts = self.ts.wrapping_add(delta);
            self.next = index.saturating_add(len);
            if kind == PADDING {
                continue;
            }
            if index > self.size {
                self.next = self.size; // a header that runs off the page's data
                return None;
            }
            let len = len.min(self.size.saturating_sub(index));
            let missed = if curr == 0 { self.missed } else { 0 };
            return Some(RawEvent {
                ts: self.ts,
                start: self.data + index,
                len,
                missed,
            });
        }
    }
}
