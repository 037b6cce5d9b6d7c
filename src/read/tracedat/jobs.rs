//! One CPU's ring-buffer pages cut into jobs of a few dozen pages, each read
//! and unpacked on its own (a page header carries its full timestamp, so a
//! page needs nothing from the pages before it). Cutting is cheap and done
//! in order (for compressed chunks it reads each chunk's 8-byte header);
//! reading and unpacking a job is the work handed to the decoding threads.
//! Errors are those, and come at the same event, that reading the pages one
//! by one ([`super::page::CpuStream`]) meets.

use std::io;

use super::{
    cursor::{Endian, bad},
    header::CpuData,
    page::MAX_CHUNK,
    store::{Codec, Store},
};

/// Where a CPU's pages not yet cut into jobs are.
pub(super) enum PageSource {
    /// Plain pages: next offset and the end.
    Plain { off: u64, end: u64 },
    /// Compressed chunks: the next chunk's offset and chunks left.
    Chunks { codec: Codec, off: u64, left: u32 },
    /// A chunk header could not be read: the stream ends with this error
    /// once the jobs cut before it are read.
    Failed(Option<io::Error>),
}

/// The pages of one job.
pub(super) enum JobPages {
    /// `len` bytes of plain pages at `off`.
    Plain { off: u64, len: u64 },
    /// Chunks: where each one's compressed bytes are, their size and the
    /// size unpacked.
    Chunks {
        codec: Codec,
        chunks: Vec<(u64, u32, u32)>,
    },
}

impl PageSource {
    /// `cpu`'s pages (reading the chunk count when they are compressed).
    pub(super) fn new(
        store: &Store,
        cpu: &CpuData,
        e: Endian,
        codec: Option<Codec>,
    ) -> io::Result<Self> {
        Ok(match codec {
            None => PageSource::Plain {
                off: cpu.offset,
                end: cpu.offset.saturating_add(cpu.size),
            },
            Some(codec) if cpu.size > 0 => {
                let n = store.read(cpu.offset, 4, "chunk count")?;
                PageSource::Chunks {
                    codec,
                    off: cpu.offset + 4,
                    left: e.u32(n[..4].try_into().unwrap_or([0; 4])),
                }
            }
            Some(_) => PageSource::Plain { off: 0, end: 0 },
        })
    }

    /// The next job of about `bytes` bytes of pages (at least one chunk);
    /// `Ok(None)` at the end; an error ends the stream after the jobs
    /// given before it.
    pub(super) fn next_job(
        &mut self,
        store: &Store,
        e: Endian,
        bytes: u64,
    ) -> io::Result<Option<JobPages>> {
        match self {
            PageSource::Plain { off, end } => {
                if *off >= *end {
                    return Ok(None);
                }
                let len = (*end - *off).min(bytes.max(1));
                let job = JobPages::Plain { off: *off, len };
                *off += len;
                Ok(Some(job))
            }
            PageSource::Chunks { codec, off, left } => {
                let codec = *codec;
                let mut chunks = Vec::new();
                let mut total = 0u64;
                while *left > 0 && total < bytes {
                    let (zsize, size) = match chunk_header(store, e, *off) {
                        Ok(h) => h,
                        Err(err) if chunks.is_empty() => {
                            *self = PageSource::Failed(None);
                            return Err(err);
                        }
                        Err(err) => {
                            *self = PageSource::Failed(Some(err));
                            return Ok(Some(JobPages::Chunks { codec, chunks }));
                        }
                    };
                    chunks.push((*off + 8, zsize, size));
                    *off += 8 + u64::from(zsize);
                    *left -= 1;
                    total += u64::from(size);
                }
                Ok((!chunks.is_empty()).then_some(JobPages::Chunks { codec, chunks }))
            }
            PageSource::Failed(err) => match err.take() {
                Some(e) => Err(e),
                None => Ok(None),
            },
        }
    }
}

/// A chunk's compressed and unpacked sizes.
fn chunk_header(store: &Store, e: Endian, off: u64) -> io::Result<(u32, u32)> {
    let h = store.read(off, 8, "chunk header")?;
    let zsize = e.u32(h[..4].try_into().unwrap_or([0; 4]));
    let size = e.u32(h[4..8].try_into().unwrap_or([0; 4]));
    if size > MAX_CHUNK {
        return Err(bad(format!("a chunk of {size} bytes is not believable")));
    }
    Ok((zsize, size))
}

/// A job's pages read into `buf`, as `(start, end)` of each page in it;
/// the error that ends the stream inside the job comes with the pages
/// before it.
pub(super) fn read_job(
    store: &Store,
    job: &JobPages,
    page_size: usize,
    buf: &mut Vec<u8>,
    pages: &mut Vec<(usize, usize)>,
) -> Option<io::Error> {
    pages.clear();
    let cut = |from: usize, to: usize, pages: &mut Vec<(usize, usize)>| {
        let mut at = from;
        while at < to {
            let n = (to - at).min(page_size);
            pages.push((at, at + n));
            at += n;
        }
    };
    match job {
        JobPages::Plain { off, len } => {
            // Every byte is read over: only a growing buffer is zeroed.
            buf.resize(*len as usize, 0);
            if store.read_into(*off, buf, "ring-buffer page").is_ok() {
                cut(0, buf.len(), pages);
                return None;
            }
            // Page by page, as the stream reads them, to end at the same page.
            let mut at = 0;
            while at < buf.len() {
                let n = (buf.len() - at).min(page_size);
                let page = &mut buf[at..at + n];
                if let Err(e) = store.read_into(*off + at as u64, page, "ring-buffer page") {
                    return Some(e);
                }
                pages.push((at, at + n));
                at += n;
            }
            None
        }
        JobPages::Chunks { codec, chunks } => {
            buf.clear();
            for &(off, zsize, size) in chunks {
                let unpacked = store
                    .read(off, u64::from(zsize), "compressed chunk")
                    .and_then(|z| codec.decompress(&z, size, "ring-buffer chunk"));
                match unpacked {
                    Ok(u) => {
                        let from = buf.len();
                        buf.extend_from_slice(&u);
                        cut(from, buf.len(), pages);
                    }
                    Err(e) => return Some(e),
                }
            }
            None
        }
    }
}
