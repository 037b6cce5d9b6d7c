//! A large trace.dat made of a real one, for timing the native reader
//! (`bench/run.sh dat`): the events of a real capture's ring buffer
//! (`tests/fixtures/tracedat/`, read with tracereport's own page reader)
//! replayed over and over on `--cpus` CPUs taking turns, each replay later
//! than the last by the capture's own time span, in a version 6 file with the real
//! capture's metadata (event formats, kallsyms, cmdlines). Replays on CPU
//! N > 0 carry pid + 1000 N. Its text form is what `trace-cmd report`
//! prints for it.
//!
//! With `--stagger NS` the CPUs replay at the same time instead, CPU N
//! later by N × NS, so their events interleave as a busy machine's do
//! (`tests/it/tracedat.rs` reads such a file).
//!
//! `cargo run --release --example gen_dat -- --size 1G --out bench/data/graph-1G.dat`
//! (`--source FILE.dat[.gz]`, `--cpus N`, `--stagger NS`)

use std::{
    fs::File,
    io::{self, BufWriter, Seek, SeekFrom, Write},
    path::PathBuf,
};

use tracereport::read::tracedat::{Store, header, page::CpuStream};

const SOURCE: &str = "tests/fixtures/tracedat/qemu-6.1-bpf-map-create-unspec/ok.dat.gz";

fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let get = |k: &str| {
        args.iter()
            .position(|a| a == k)
            .and_then(|i| args.get(i + 1))
    };
    let size = parse_size(get("--size").map_or("100M", String::as_str));
    let out = PathBuf::from(get("--out").map_or("bench/data/graph-100M.dat", String::as_str));
    let src = get("--source").map_or(SOURCE, String::as_str);
    let cpus: u32 = get("--cpus").and_then(|c| c.parse().ok()).unwrap_or(2);
    let stagger: u64 = get("--stagger").and_then(|c| c.parse().ok()).unwrap_or(0);
    generate(src, &out, size, cpus, stagger)
}

/// Write a trace.dat of about `size` bytes of pages to `out` from the
/// events of `src` (see the module's comment).
pub fn generate(
    src: &str,
    out: &std::path::Path,
    size: u64,
    cpus: u32,
    stagger: u64,
) -> io::Result<()> {
    let store = Store::new(open_plain(src)?)?;
    let meta = header::read_meta(&store)?;
    let events = source_events(&store, &meta)?;
    let span = events.last().map_or(1, |e| e.0) - events.first().map_or(0, |e| e.0) + 1000;
    let mut f = BufWriter::new(File::create(out)?);
    let table = write_meta(&mut f, &meta, cpus)?;
    let ps = meta.page_size as u64;
    let mut offsets = Vec::new();
    for cpu in 0..cpus {
        let start = align(f.stream_position()?, ps);
        pad_to(&mut f, start)?;
        let per_cpu = size / u64::from(cpus);
        let mut w = PageWriter::new(meta.page_size as usize);
        let mut replay = 0u64;
        'fill: loop {
            for (ts, data) in &events {
                let mut d = data.clone();
                if cpu > 0 && d.len() >= 8 {
                    let pid = i32::from_le_bytes(d[4..8].try_into().unwrap_or([0; 4]));
                    d[4..8].copy_from_slice(&(pid + 1000 * cpu as i32).to_le_bytes());
                }
                let at = match stagger {
                    0 => (replay * u64::from(cpus) + u64::from(cpu)) * span,
                    s => replay * span + u64::from(cpu) * s,
                };
                w.push(&mut f, ts + at, &d)?;
                if w.written >= per_cpu {
                    break 'fill;
                }
            }
            replay += 1;
        }
        w.flush(&mut f)?;
        offsets.push((start, w.written));
    }
    f.seek(SeekFrom::Start(table))?;
    for (off, len) in offsets {
        f.write_all(&off.to_le_bytes())?;
        f.write_all(&len.to_le_bytes())?;
    }
    f.flush()
}

/// The source file, gunzipped into a temporary file when it is `.gz`.
fn open_plain(src: &str) -> io::Result<File> {
    let f = File::open(src)?;
    if !src.ends_with(".gz") {
        return Ok(f);
    }
    let mut t = tempfile::tempfile()?;
    io::copy(&mut flate2::read::GzDecoder::new(f), &mut t)?;
    Ok(t)
}

fn parse_size(s: &str) -> u64 {
    let (n, m) = match s.as_bytes().last() {
        Some(b'G') => (&s[..s.len() - 1], 1_000_000_000),
        Some(b'M') => (&s[..s.len() - 1], 1_000_000),
        Some(b'K') => (&s[..s.len() - 1], 1_000),
        _ => (s, 1),
    };
    n.parse::<u64>().unwrap_or(100) * m
}

fn align(x: u64, a: u64) -> u64 {
    x.div_ceil(a) * a
}

fn pad_to(f: &mut (impl Write + Seek), at: u64) -> io::Result<()> {
    let here = f.stream_position()?;
    f.write_all(&vec![0u8; (at - here) as usize])
}

/// Every event of every CPU of the source, in time order per CPU, CPUs
/// one after the other (the replay needs only their order and data).
fn source_events(store: &Store, meta: &header::Meta) -> io::Result<Vec<(u64, Vec<u8>)>> {
    let codec = if meta.cpu_compressed {
        meta.codec
    } else {
        None
    };
    let mut all: Vec<(u64, Vec<u8>)> = Vec::new();
    for c in &meta.cpus {
        let mut s = CpuStream::new(store, c, meta.endian(), meta.page_size, true, codec)?;
        while let Some(ev) = s.next_event(store)? {
            all.push((ev.ts, s.page[ev.start..ev.start + ev.len].to_vec()));
        }
    }
    all.sort_by_key(|e| e.0);
    Ok(all)
}

/// The version 6 header and metadata; returns where the CPU table goes.
fn write_meta(f: &mut (impl Write + Seek), m: &header::Meta, cpus: u32) -> io::Result<u64> {
    f.write_all(b"\x17\x08Dtracing6\0\0\x08")?;
    f.write_all(&m.page_size.to_le_bytes())?;
    f.write_all(b"header_page\0")?;
    sized64(f, &m.header_page)?;
    f.write_all(b"header_event\0")?;
    sized64(f, &m.header_event)?;
    f.write_all(&(m.ftrace.len() as u32).to_le_bytes())?;
    for e in &m.ftrace {
        sized64(f, e)?;
    }
    let mut systems: Vec<&Vec<u8>> = m.events.iter().map(|(s, _)| s).collect();
    systems.dedup();
    f.write_all(&(systems.len() as u32).to_le_bytes())?;
    for s in systems {
        f.write_all(s)?;
        f.write_all(b"\0")?;
        let evs: Vec<_> = m.events.iter().filter(|(x, _)| x == s).collect();
        f.write_all(&(evs.len() as u32).to_le_bytes())?;
        for (_, e) in evs {
            sized64(f, e)?;
        }
    }
    f.write_all(&(m.kallsyms.len() as u32).to_le_bytes())?;
    f.write_all(&m.kallsyms)?;
    f.write_all(&0u32.to_le_bytes())?; // printk formats
    sized64(f, &m.cmdlines)?;
    f.write_all(&cpus.to_le_bytes())?;
    f.write_all(b"flyrecord\0")?;
    let table = f.stream_position()?;
    f.write_all(&vec![0u8; 16 * cpus as usize])?;
    Ok(table)
}

fn sized64(f: &mut impl Write, b: &[u8]) -> io::Result<()> {
    f.write_all(&(b.len() as u64).to_le_bytes())?;
    f.write_all(b)
}

/// Ring-buffer pages as the kernel fills them: a page header, then events
/// with 27-bit time deltas (a time-extend record before larger ones).
struct PageWriter {
    page: Vec<u8>,
    used: usize,
    first_ts: u64,
    last_ts: u64,
    written: u64,
}

impl PageWriter {
    fn new(page_size: usize) -> Self {
        PageWriter {
            page: vec![0; page_size],
            used: 0,
            first_ts: 0,
            last_ts: 0,
            written: 0,
        }
    }

    fn push(&mut self, f: &mut impl Write, ts: u64, data: &[u8]) -> io::Result<()> {
        let len = data.len().div_ceil(4) * 4;
        let need = 8 + 8 + len; // extend + header (+ length word)
        if self.used > 0 && 16 + self.used + need > self.page.len() {
            self.flush(f)?;
        }
        if self.used == 0 {
            self.first_ts = ts;
            self.last_ts = ts;
        }
        let delta = ts - self.last_ts;
        self.last_ts = ts;
        let mut rec = Vec::with_capacity(need);
        let small = if delta >= 1 << 27 {
            rec.extend_from_slice(&(30 | ((delta as u32 & ((1 << 27) - 1)) << 5)).to_le_bytes());
            rec.extend_from_slice(&((delta >> 27) as u32).to_le_bytes());
            0
        } else {
            delta as u32
        };
        if len <= 112 {
            rec.extend_from_slice(&((len as u32 / 4) | (small << 5)).to_le_bytes());
        } else {
            rec.extend_from_slice(&(small << 5).to_le_bytes());
            rec.extend_from_slice(&(len as u32 + 4).to_le_bytes());
        }
        rec.extend_from_slice(data);
        rec.resize(rec.len() + len - data.len(), 0);
        let at = 16 + self.used;
        self.page[at..at + rec.len()].copy_from_slice(&rec);
        self.used += rec.len();
        Ok(())
    }

    fn flush(&mut self, f: &mut impl Write) -> io::Result<()> {
        if self.used == 0 {
            return Ok(());
        }
        self.page[..8].copy_from_slice(&self.first_ts.to_le_bytes());
        self.page[8..16].copy_from_slice(&(self.used as u64).to_le_bytes());
        f.write_all(&self.page)?;
        self.page.fill(0);
        self.written += self.page.len() as u64;
        self.used = 0;
        Ok(())
    }
}
