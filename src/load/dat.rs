//! A trace.dat's events straight to the builder as records: the reader
//! thread decodes the ring buffers into typed records
//! ([`tracedat::typed`]), this side turns each into the [`Record`] its
//! `trace-cmd report` line parses to, with no text printed and re-read.
//! What is not typed comes as that text and is parsed like any line.
//! Line numbers are those of `trace-cmd report`'s output.

use std::{io, sync::mpsc};

use crate::{
    model::Builder,
    parse::{InputFormat, Record, RecordKind, RetVal, TaskRef},
    read::{
        chunks::Chunk,
        tracedat::{
            DatFile,
            typed::{DatBatch, DatItem, DatKind, Names, Ret},
        },
    },
};

use super::{
    feed::Feed,
    parse_only::ParseSummary,
    pipeline::{self, QUEUE, Ran},
};

/// Read `dat` to the end on a reader thread, handing each batch of records
/// to `take` in order.
pub(crate) fn run<S: Send>(
    dat: DatFile,
    mut sink: S,
    mut take: impl FnMut(&mut S, &Names, &DatBatch) + Send,
) -> io::Result<Ran<S>> {
    let mut records = dat.records()?;
    let Some(names) = records.names() else {
        return Ok(Ran {
            started: None,
            first_text_line: None,
        });
    };
    let mut first = None;
    std::thread::scope(|s| {
        let (tx, rx) = mpsc::sync_channel::<DatBatch>(QUEUE);
        s.spawn(move || {
            while let Some(b) = records.next_batch() {
                if tx.send(b).is_err() {
                    return;
                }
            }
        });
        for b in rx {
            if first.is_none() {
                first = first_line(&b);
            }
            take(&mut sink, &names, &b);
        }
    });
    Ok(Ran {
        started: Some((sink, 1)),
        first_text_line: first,
    })
}

/// The first line (`cpus=N`), for the message when nothing follows it.
fn first_line(b: &DatBatch) -> Option<(u64, Vec<u8>)> {
    match b.items.first()?.kind {
        DatKind::Lines { start, end } => {
            let t = &b.text[start as usize..end as usize];
            Some((1, t.trim_ascii().iter().copied().take(60).collect()))
        }
        _ => None,
    }
}

/// The record a typed item's line parses to; `None` for untyped lines.
pub(crate) fn record<'a>(names: &'a Names, text: &'a [u8], it: &DatItem) -> Option<Record<'a>> {
    let ret = |r: Option<Ret>| {
        r.map(|r| RetVal {
            raw: r.raw,
            hex: r.hex,
        })
    };
    let mut duration_ns = None;
    let kind = match it.kind {
        DatKind::Entry { depth, func } => RecordKind::Entry {
            depth,
            func: names.func(func),
            args: None,
        },
        DatKind::Leaf {
            depth,
            func,
            duration_ns: d,
            ret: r,
        } => {
            duration_ns = Some(d);
            RecordKind::Leaf {
                depth,
                func: names.func(func),
                ret: ret(r),
                args: None,
            }
        }
        DatKind::Exit {
            depth,
            duration_ns: d,
            ret: r,
        } => {
            duration_ns = Some(d);
            RecordKind::Exit {
                depth,
                func: None,
                ret: ret(r),
            }
        }
        DatKind::Function {
            func,
            parent,
            indent,
        } => RecordKind::Call {
            func: names.func(func),
            parent: Some(names.func(parent)),
            indent: Some(indent),
            args: None,
        },
        DatKind::Event { id, start, end } => RecordKind::Event {
            name: names.event(id),
            text: &text[start as usize..end as usize],
        },
        DatKind::Lines { .. } => return None,
    };
    Some(Record {
        cpu: Some(it.cpu),
        task: Some(TaskRef {
            comm: names.comm(it.pid),
            pid: it.pid as u32,
        }),
        ts_ns: Some(it.ts_ns),
        duration_ns,
        flags: None,
        kind,
    })
}

/// Untyped lines as a chunk of text.
fn lines_chunk(b: &DatBatch, start: u32, end: u32) -> Chunk {
    Chunk {
        data: b.text[start as usize..end as usize].to_vec(),
        overlong: None,
    }
}

/// Feed a batch to the builder.
pub(crate) fn build_batch(builder: &mut Builder, feed: &mut Feed, names: &Names, b: &DatBatch) {
    for it in &b.items {
        match record(names, &b.text, it) {
            Some(rec) => feed.record(builder, it.bytes as usize, &rec),
            None => {
                let DatKind::Lines { start, end } = it.kind else {
                    continue;
                };
                // Rare (events the typed reader does not know): no reuse.
                let recycler = pipeline::Recycler::default();
                let chunk = lines_chunk(b, start, end);
                let parsed = pipeline::parse_chunk(InputFormat::TraceCmd, chunk, &recycler);
                pipeline::build_chunk(builder, feed, parsed, &recycler);
            }
        }
    }
}

/// Count a batch for `--parse-only`: a typed record is a parsed line.
pub(crate) fn count_batch(sum: &mut ParseSummary, names: &Names, b: &DatBatch) {
    for it in &b.items {
        match record(names, &b.text, it) {
            Some(rec) => {
                std::hint::black_box(&rec);
                sum.lines += 1;
                sum.parsed += 1;
                sum.bytes += u64::from(it.bytes);
            }
            None => {
                let DatKind::Lines { start, end } = it.kind else {
                    continue;
                };
                let c = lines_chunk(b, start, end);
                sum.add(ParseSummary::count(
                    InputFormat::TraceCmd,
                    c,
                    &pipeline::Recycler::default(),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;
    use crate::{parse, read, read::tracedat::parallel::Tuning};

    /// Every record of every trace.dat fixture is the record its line of
    /// the text reader (equal to `trace-cmd report`, `read/tracedat/tests.rs`)
    /// parses to; untyped lines are that text. The records are read as a
    /// run reads them, and with the work cut small (a job per page, so
    /// every page boundary is one between jobs, with one to three threads
    /// and one to three jobs in flight per CPU), and on one thread (as
    /// files of many CPUs are read).
    #[test]
    fn typed_records_are_the_records_of_the_report_lines() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tracedat");
        let mut files = 0;
        for dir in std::fs::read_dir(&root).unwrap() {
            for f in std::fs::read_dir(dir.unwrap().path()).unwrap() {
                let p = f.unwrap().path();
                let name = p.to_string_lossy().into_owned();
                if !(name.ends_with(".dat") || name.ends_with(".dat.gz")) {
                    continue;
                }
                files += 1;
                let (typed, lines) = compare(&p, None);
                assert!(typed * 10 > lines * 9, "{name}: {typed} of {lines} typed");
                for (depth, workers) in [(1, 0), (1, 1), (2, 3), (3, 2)] {
                    let t = Tuning {
                        pages: 1,
                        depth,
                        workers,
                    };
                    assert_eq!(compare(&p, Some(t)), (typed, lines), "{name} {t:?}");
                }
            }
        }
        assert!(files >= 5, "{files} trace.dat fixtures");
    }

    fn compare(p: &std::path::Path, tuning: Option<Tuning>) -> (u64, u64) {
        let mut src = read::open(
            &read::InputPath::File(p.to_path_buf()),
            None,
            Default::default(),
        )
        .unwrap();
        let mut text = Vec::new();
        let dat = src.dat.take().unwrap();
        src.reader.read_to_end(&mut text).unwrap();
        let mut want = text.split(|&b| b == b'\n');
        let mut records = match tuning {
            Some(t) => dat.records_tuned(t).unwrap(),
            None => dat.records().unwrap(),
        };
        let names = records.names().unwrap();
        let (mut typed, mut n) = (0u64, 0u64);
        while let Some(b) = records.next_batch() {
            for it in &b.items {
                if let Some(rec) = record(&names, &b.text, it) {
                    n += 1;
                    typed += 1;
                    let line = want.next().unwrap();
                    let parsed = parse::parse_line(InputFormat::TraceCmd, line);
                    assert_eq!(Ok(rec), parsed, "{p:?} line {n}");
                    continue;
                }
                let DatKind::Lines { start, end } = it.kind else {
                    unreachable!()
                };
                for l in b.text[start as usize..end as usize - 1].split(|&c| c == b'\n') {
                    n += 1;
                    assert_eq!(Some(l), want.next(), "{p:?} line {n}");
                }
            }
        }
        assert_eq!(want.next(), Some(&b""[..]), "{p:?}: text after the records");
        (typed, n)
    }
}
