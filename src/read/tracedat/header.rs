//! The metadata of a trace.dat: the initial header, then either the
//! version 6 layout (every part in a fixed order, the CPU data's offsets at
//! the end) or version 7's sections, found through chains of option
//! sections and possibly compressed (trace-cmd's `trace-cmd.dat.v6(5)` and
//! `trace-cmd.dat.v7(5)`).

use std::io;

use super::{
    cursor::{Cur, Endian, Src, bad},
    store::{Codec, MAX_SECTION, Store},
};

/// How every trace.dat begins (`tracecmd/trace-output.c`).
pub const MAGIC: &[u8] = b"\x17\x08Dtracing";

/// One CPU's ring-buffer pages in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpuData {
    /// The CPU.
    pub cpu: u32,
    /// Where its data starts.
    pub offset: u64,
    /// Its size in the file (compressed chunks included).
    pub size: u64,
}

/// What the reader needs from the metadata.
#[derive(Debug, Default)]
pub struct Meta {
    /// Byte order of every number in the file.
    pub endian: Option<Endian>,
    /// 6 or 7.
    pub version: u32,
    /// The ring buffer's page size.
    pub page_size: u32,
    /// The section compression (version 7).
    pub codec: Option<Codec>,
    /// The CPU data is in compressed chunks.
    pub cpu_compressed: bool,
    /// What `trace-cmd report` prints as `cpus=`.
    pub cpus_line: u32,
    /// The CPUs with data, in file order.
    pub cpus: Vec<CpuData>,
    /// `events/header_page` (says how wide the page's commit field is).
    pub header_page: Vec<u8>,
    /// `events/header_event` (kept for tools that write a trace.dat).
    pub header_event: Vec<u8>,
    /// `events/ftrace/*/format`.
    pub ftrace: Vec<Vec<u8>>,
    /// `events/SYSTEM/*/format` with their system.
    pub events: Vec<(Vec<u8>, Vec<u8>)>,
    /// `/proc/kallsyms`.
    pub kallsyms: Vec<u8>,
    /// `saved_cmdlines`.
    pub cmdlines: Vec<u8>,
    /// The trace clock.
    pub clock: Vec<u8>,
}

impl Meta {
    /// The byte order (little endian until the header said).
    pub fn endian(&self) -> Endian {
        self.endian.unwrap_or(Endian::Little)
    }

    /// The codec of the CPU data's chunks; `None` when its pages are plain.
    pub fn page_codec(&self) -> Option<Codec> {
        self.codec.filter(|_| self.cpu_compressed)
    }
}

/// Read the metadata of the trace.dat in `store`.
pub fn read_meta(store: &Store) -> io::Result<Meta> {
    let head = store.read(0, store.len().min(4096), "header")?;
    if !head.starts_with(MAGIC) {
        return Err(bad("not a trace.dat (no magic)"));
    }
    let mut c = Cur::new(&head[MAGIC.len()..], Endian::Little);
    let version = c.cstr("version")?;
    let version: u32 = std::str::from_utf8(version)
        .ok()
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| bad("version is not a number"))?;
    let endian = match c.bytes(1, "endian flag")?[0] {
        0 => Endian::Little,
        1 => Endian::Big,
        f => return Err(bad(format!("endian flag {f} is neither 0 nor 1"))),
    };
    let _long_size = c.bytes(1, "long size")?[0];
    let mut c = Cur::new(c.rest(), endian);
    let page_size = c.u32("page size")?;
    if !(64..=(1 << 24)).contains(&page_size) {
        return Err(bad(format!("page size {page_size} is not believable")));
    }
    let mut meta = Meta {
        endian: Some(endian),
        version,
        page_size,
        ..Meta::default()
    };
    match version {
        6 => {
            let at = (head.len() - c.rest().len()) as u64;
            super::header6::read(store, at, &mut meta)?;
        }
        7 => {
            meta.codec = Codec::from_name(c.cstr("compression name")?)?;
            let _codec_version = c.cstr("compression version")?;
            let options = c.u64("options offset")?;
            read7(store, options, &mut meta)?;
        }
        v => {
            return Err(bad(format!(
                "trace.dat version {v}: only versions 6 and 7 are read"
            )));
        }
    }
    if meta.cpus_line == 0 {
        meta.cpus_line = meta.cpus.len() as u32;
    }
    Ok(meta)
}

/// Section ids of version 7 (`trace-cmd-private.h`).
mod id {
    pub const OPTIONS: u16 = 0;
    pub const HEADER_INFO: u16 = 16;
    pub const FTRACE_EVENTS: u16 = 17;
    pub const EVENT_FORMATS: u16 = 18;
    pub const KALLSYMS: u16 = 19;
    pub const CMDLINES: u16 = 21;
}

/// A section's content (unpacked) and its flags.
fn section(store: &Store, meta: &Meta, off: u64, want: u16) -> io::Result<(Vec<u8>, u16)> {
    let e = meta.endian();
    let h = store.read(off, 16, "section header")?;
    let sec = e.u16([h[0], h[1]]);
    let flags = e.u16([h[2], h[3]]);
    let size = e.u64(h[8..16].try_into().unwrap_or([0; 8]));
    if sec != want {
        return Err(bad(format!(
            "section at offset {off} is {sec}, the options said {want}"
        )));
    }
    if want == 3 {
        return Ok((Vec::new(), flags)); // only its flags are needed
    }
    if flags & 1 == 0 {
        return Ok((store.read(off + 16, size, "section")?, flags));
    }
    let ch = store.read(off + 16, 8, "compressed section header")?;
    let csize = e.u32(ch[0..4].try_into().unwrap_or([0; 4]));
    let rsize = e.u32(ch[4..8].try_into().unwrap_or([0; 4]));
    if u64::from(rsize) > MAX_SECTION {
        return Err(bad(format!(
            "section {sec}: {rsize} bytes unpacked is not believable"
        )));
    }
    let data = store.read(off + 24, u64::from(csize), "compressed section")?;
    let codec = meta
        .codec
        .ok_or_else(|| bad("a compressed section in a file that names no compression"))?;
    Ok((codec.decompress(&data, rsize, "section")?, flags))
}

/// Version 7: follow the chain of options sections, then read the sections
/// they point at.
fn read7(store: &Store, first: u64, meta: &mut Meta) -> io::Result<()> {
    let mut next = first;
    let mut seen = 0;
    let mut at = Vec::new();
    while next != 0 {
        seen += 1;
        if seen > 64 {
            return Err(bad("options sections loop"));
        }
        let (data, _) = section(store, meta, next, id::OPTIONS)?;
        next = options7(&data, meta, &mut at)?;
    }
    for (sec, off) in at {
        let (data, flags) = section(store, meta, off, sec)?;
        let mut c = Cur::new(&data, meta.endian());
        match sec {
            id::HEADER_INFO => header_info(&mut c, meta)?,
            id::FTRACE_EVENTS => ftrace_events(&mut c, meta)?,
            id::EVENT_FORMATS => event_formats(&mut c, meta)?,
            id::KALLSYMS => meta.kallsyms = Src::sized32(&mut c, "kallsyms")?,
            id::CMDLINES => meta.cmdlines = Src::sized64(&mut c, "cmdlines")?,
            3 => meta.cpu_compressed = flags & 1 != 0,
            _ => {}
        }
    }
    Ok(())
}

/// One options section: records what it says in `meta`, the sections to
/// read in `at`; returns the next options section's offset (0: none).
fn options7(data: &[u8], meta: &mut Meta, at: &mut Vec<(u16, u64)>) -> io::Result<u64> {
    let mut c = Cur::new(data, meta.endian());
    loop {
        let opt = c.u16("option id")?;
        let body = c.sized32("option")?;
        let mut b = Cur::new(body, meta.endian());
        match opt {
            0 => return b.u64("next options"),
            3 => {
                if let Some(off) = buffer7(&mut b, meta)? {
                    at.push((3, off));
                }
            }
            4 => meta.clock = trim_nul(body).to_vec(),
            8 => meta.cpus_line = b.u32("cpu count")?,
            16..=19 | 21 => at.push((opt, b.u64("section offset")?)),
            _ => {}
        }
    }
}

/// A BUFFER option: the top instance's CPUs (other instances are left).
fn buffer7(b: &mut Cur<'_>, meta: &mut Meta) -> io::Result<Option<u64>> {
    let off = b.u64("buffer offset")?;
    if !b.cstr("buffer name")?.is_empty() {
        return Ok(None);
    }
    meta.clock = b.cstr("buffer clock")?.to_vec();
    let _page = b.u32("buffer page size")?;
    let n = b.u32("buffer cpus")?;
    for _ in 0..n {
        let cpu = b.u32("cpu")?;
        let offset = b.u64("cpu offset")?;
        let size = b.u64("cpu size")?;
        meta.cpus.push(CpuData { cpu, offset, size });
    }
    Ok(Some(off))
}

fn trim_nul(b: &[u8]) -> &[u8] {
    let end = memchr::memchr(0, b).unwrap_or(b.len());
    b[..end].trim_ascii()
}

/// `header_page` and `header_event` (the same in both versions).
pub(super) fn header_info(c: &mut impl Src, meta: &mut Meta) -> io::Result<()> {
    if c.take(12, "header_page")? != b"header_page\0" {
        return Err(bad("no header_page"));
    }
    meta.header_page = c.sized64("header_page")?;
    if c.take(13, "header_event")? != b"header_event\0" {
        return Err(bad("no header_event"));
    }
    meta.header_event = c.sized64("header_event")?;
    Ok(())
}

/// The ftrace event formats (the same in both versions).
pub(super) fn ftrace_events(c: &mut impl Src, meta: &mut Meta) -> io::Result<()> {
    let n = c.u32("ftrace event count")?;
    for _ in 0..n {
        meta.ftrace.push(c.sized64("ftrace event format")?);
    }
    Ok(())
}

/// The other events' formats, by system (the same in both versions).
pub(super) fn event_formats(c: &mut impl Src, meta: &mut Meta) -> io::Result<()> {
    let systems = c.u32("system count")?;
    for _ in 0..systems {
        let system = c.cstr("system name")?;
        let n = c.u32("event count")?;
        for _ in 0..n {
            let f = c.sized64("event format")?;
            meta.events.push((system.clone(), f));
        }
    }
    Ok(())
}
