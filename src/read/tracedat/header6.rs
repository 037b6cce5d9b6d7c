//! Version 6 metadata: everything in a fixed order after the initial
//! header, ending with the offsets of each CPU's data.

use std::io;

use super::{
    cursor::{Seq, Src, bad},
    header::{CpuData, Meta, event_formats, ftrace_events, header_info},
    store::Store,
};

/// Read from `at` (just after the page size) to the CPU data offsets.
pub fn read(store: &Store, at: u64, meta: &mut Meta) -> io::Result<()> {
    let mut s = Seq {
        store,
        pos: at,
        endian: meta.endian(),
    };
    header_info(&mut s, meta)?;
    ftrace_events(&mut s, meta)?;
    event_formats(&mut s, meta)?;
    meta.kallsyms = s.sized32("kallsyms")?;
    let _printk = s.sized32("printk formats")?;
    meta.cmdlines = s.sized64("cmdlines")?;
    let cpus = s.u32("cpu count")?;
    if cpus > 1 << 16 {
        return Err(bad(format!("{cpus} CPUs is not believable")));
    }
    let mut kind = s.take(10, "data kind")?;
    if kind == b"options  \0" {
        options(&mut s, meta)?;
        kind = s.take(10, "data kind")?;
    }
    match kind.as_slice() {
        b"flyrecord\0" => {}
        b"latency  \0" => {
            return Err(bad(
                "a latency-tracer trace.dat (its data is text: `trace-cmd report` prints it)",
            ));
        }
        _ => return Err(bad("neither flyrecord nor latency data")),
    }
    for cpu in 0..cpus {
        let offset = s.u64("cpu offset")?;
        let size = s.u64("cpu size")?;
        meta.cpus.push(CpuData { cpu, offset, size });
    }
    if meta.cpus_line == 0 {
        meta.cpus_line = cpus;
    }
    Ok(())
}

/// The options block: `u16 id, u32 size, data` until id 0.
fn options(s: &mut Seq<'_>, meta: &mut Meta) -> io::Result<()> {
    for _ in 0..4096 {
        let id = s.take(2, "option id")?;
        let id = meta.endian().u16([id[0], id[1]]);
        if id == 0 {
            return Ok(());
        }
        let body = s.sized32("option")?;
        match id {
            4 => {
                meta.clock = body
                    .split(|&b| b == 0)
                    .next()
                    .unwrap_or(&[])
                    .trim_ascii()
                    .to_vec()
            }
            8 if body.len() >= 4 => {
                meta.cpus_line = meta.endian().u32(body[..4].try_into().unwrap_or([0; 4]));
            }
            _ => {}
        }
    }
    Err(bad("options never end"))
}
