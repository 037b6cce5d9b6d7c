//! `trace.json`: the kept call trees in the Chrome trace-event format, for
//! timeline browsing in the Perfetto UI (ui.perfetto.dev, "Open trace file")
//! or `chrome://tracing`.
//!
//! One process per capture (named by its label), one thread per task. A call
//! with a duration is a complete event (`"ph":"X"`); one without (the
//! function tracer, a missing exit) an instant (`"ph":"i"`). `ts` and `dur`
//! are µs as the format wants, written with exactly three decimals so they
//! are exact to the ns (a reader parsing the text, as Perfetto does, gets
//! the capture's ns back; `displayTimeUnit` is "ns"). Slices nest: [`place`]
//! keeps every call inside its caller and after its previous sibling, and
//! `metadata.captures[].adjusted` counts what it moved. A syscall of entry
//! and exit events alone (the nop tracer) is one slice named by its title.
//! Where the capture printed timestamps (funcgraph-abstime, the function
//! tracer) they are used as they are; otherwise the timeline is rebuilt
//! from durations alone: each syscall after the previous one, each callee
//! right after its previous sibling. `metadata.captures[].timestamps`
//! says which, since rebuilt gaps are not real.
//!
//! Built from the model (not the report view) because the view carries no
//! timestamps; a tree the report keeps only in part (`--max-report-calls`)
//! is drawn as kept, and `metadata.captures[].calls_left_out` counts the
//! rest.

use std::{collections::HashMap, io::Write};

use serde::Serialize;

use crate::{
    load::{Capture, CaptureDigest},
    model::{CallTree, Syscall, Trace},
};

use super::{format::ret as fmt_ret, view::Report};

mod place;

pub use place::Adjusted;

/// Gap between rebuilt syscalls, ns.
const REBUILT_GAP_NS: u64 = 10_000;

/// What follows the events in the file.
#[derive(Serialize)]
struct Tail<'a> {
    #[serde(rename = "displayTimeUnit")]
    unit: &'static str,
    metadata: Metadata<'a>,
}

#[derive(Serialize)]
struct Metadata<'a> {
    generator: &'static str,
    /// How slices were kept from overlapping.
    placement: &'static str,
    captures: Vec<CaptureMeta<'a>>,
}

const PLACEMENT: &str = "Slices nest as calls do: a call that the capture's rounded \
    timestamps and durations would start before its previous sibling ends (or outside its \
    caller) starts where that sibling ends (or where its caller starts), and one that would \
    end after its caller is cut at its caller's end; captures[].adjusted counts the calls \
    moved and shortened and the largest move in ns.";

#[derive(Serialize)]
struct CaptureMeta<'a> {
    pid: u32,
    label: &'a str,
    digest: &'a CaptureDigest,
    timestamps: &'static str,
    adjusted: Adjusted,
    /// Calls of kept trees the report's budget left out (omitted when 0).
    #[serde(skip_serializing_if = "is_zero")]
    calls_left_out: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Per syscall `#N` of one capture: the capture's node ids of the calls
/// the report keeps, for trees it keeps only in part.
type Kept<'a> = HashMap<usize, &'a [u32]>;

#[derive(Serialize)]
struct Event<'a> {
    name: &'a str,
    ph: &'static str,
    pid: u32,
    tid: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    s: Option<&'static str>,
    args: Args,
}

#[derive(Serialize, Default)]
struct Args {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ret: Option<String>,
}

/// Chrome trace events count in µs: ns as µs with three decimals, exact
/// (an f64 of µs would round some ns values, and readers that multiply by
/// 1000 and truncate would then see 1 ns overlaps).
fn us(ns: u64) -> String {
    format!("{}.{:03}", ns / 1000, ns % 1000)
}

/// Events written one by one as the trees are walked: a million-call tree
/// is a hundred MB of events, never held in memory.
struct Sink<W> {
    w: W,
    first: bool,
}

impl<W: Write> Sink<W> {
    /// One event; `ts` and `dur` (ns) go first, written by [`us`], then the
    /// serialised event without its opening brace.
    fn push(&mut self, e: &Event<'_>, ts: Option<u64>, dur: Option<u64>) -> serde_json::Result<()> {
        let io = serde_json::Error::io;
        if !std::mem::take(&mut self.first) {
            self.w.write_all(b",").map_err(io)?;
        }
        self.w.write_all(b"{").map_err(io)?;
        for (k, v) in [("ts", ts), ("dur", dur)] {
            if let Some(v) = v {
                write!(self.w, "\"{k}\":{},", us(v)).map_err(io)?;
            }
        }
        let body = serde_json::to_vec(e)?;
        self.w.write_all(&body[1..]).map_err(io)
    }
}

/// Serialise every capture's kept trees into `w`: `{"traceEvents":[…],
/// "displayTimeUnit":"ns","metadata":{…}}`.
pub fn write_trace(captures: &[Capture], w: impl Write) -> serde_json::Result<()> {
    write_report_trace(captures, None, w)
}

/// [`write_trace`], drawing of each tree only the calls `report` keeps.
pub fn write_report_trace(
    captures: &[Capture],
    report: Option<&Report>,
    w: impl Write,
) -> serde_json::Result<()> {
    let mut sink = Sink { w, first: true };
    sink.w
        .write_all(b"{\"traceEvents\":[")
        .map_err(serde_json::Error::io)?;
    let mut meta = Vec::new();
    for (ci, c) in captures.iter().enumerate() {
        let pid = ci as u32 + 1;
        let kept: Kept<'_> = report
            .and_then(|r| r.captures.get(ci))
            .map(|v| {
                v.syscalls
                    .iter()
                    .filter_map(|s| Some((s.index, s.kept_nodes.as_deref()?)))
                    .collect()
            })
            .unwrap_or_default();
        let (stamped, adjusted, calls_left_out) = capture_events(c, pid, &kept, &mut sink)?;
        meta.push(CaptureMeta {
            pid,
            label: &c.label,
            digest: &c.digest,
            timestamps: if stamped {
                "as printed"
            } else {
                "rebuilt from durations (the capture printed no timestamps)"
            },
            adjusted,
            calls_left_out,
        });
    }
    let tail = Tail {
        unit: "ns",
        metadata: Metadata {
            generator: concat!("tracereport ", env!("CARGO_PKG_VERSION")),
            placement: PLACEMENT,
            captures: meta,
        },
    };
    let mut w = sink.w;
    w.write_all(b"],").map_err(serde_json::Error::io)?;
    // The rest of the object: `Tail` serialised without its braces' opening.
    let rest = serde_json::to_vec(&tail)?;
    w.write_all(&rest[1..]).map_err(serde_json::Error::io)?;
    w.write_all(b"\n").map_err(serde_json::Error::io)
}

/// One capture's process: its name, its threads' names and every kept
/// tree's calls (of a tree in `kept`, those it lists). Returns whether the
/// times are printed ones, what placing the slices changed, and how many
/// calls `kept` left out.
fn capture_events(
    c: &Capture,
    pid: u32,
    kept: &Kept<'_>,
    sink: &mut Sink<impl Write>,
) -> serde_json::Result<(bool, Adjusted, u64)> {
    let t = &c.trace;
    let stamped = t
        .syscalls
        .iter()
        .filter_map(|s| s.tree.as_ref())
        .all(|tr| tr.nodes.iter().all(|n| n.ts_ns.is_some()));
    sink.push(
        &meta_event("process_name", pid, 0, c.label.clone()),
        None,
        None,
    )?;
    let mut adjusted = Adjusted::default();
    // Per thread: where its last top-level slice ends.
    let mut floors: HashMap<u32, u64> = HashMap::new();
    let mut cursor = 0u64;
    let mut left_out = 0u64;
    for s in &t.syscalls {
        let Some(tree) = s.tree.as_ref().filter(|tr| !tr.is_empty()) else {
            // A syscall of events alone, timed by them: drawn when its
            // times are on the same clock as the trees' (printed ones).
            if let (true, Some(ts), Some(dur)) = (stamped, s.ts_ns, s.duration_ns) {
                let (tid, floor) = thread(t, s, pid, &mut floors, sink)?;
                event_syscall(s, (pid, tid), (ts, dur), floor, &mut adjusted, sink)?;
            }
            continue;
        };
        let (tid, floor) = thread(t, s, pid, &mut floors, sink)?;
        let raw = if stamped {
            tree.nodes.iter().map(|n| n.ts_ns.unwrap_or(0)).collect()
        } else {
            rebuilt_starts(tree, cursor)
        };
        let (placed, next) = place::place(tree, &raw, *floor, &mut adjusted);
        *floor = next;
        let only = kept.get(&s.index).copied();
        left_out += only.map_or(0, |k| (tree.len() - k.len()) as u64);
        tree_events(t, tree, &placed, (pid, tid), only, sink)?;
        cursor = cursor.max(placed.end).saturating_add(REBUILT_GAP_NS);
    }
    Ok((stamped, adjusted, left_out))
}

/// The thread of syscall `s`'s task (named in the trace on first use) and
/// where its last top-level slice ends.
fn thread<'f>(
    t: &Trace,
    s: &Syscall,
    pid: u32,
    floors: &'f mut HashMap<u32, u64>,
    sink: &mut Sink<impl Write>,
) -> serde_json::Result<(u32, &'f mut u64)> {
    let task = &t.tasks[s.task];
    let tid = task
        .pid
        .or(s.cpu.map(|c| c.saturating_add(1_000_000)))
        .unwrap_or(0);
    let floor = match floors.entry(tid) {
        std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
        std::collections::hash_map::Entry::Vacant(e) => {
            let name = meta_event("thread_name", pid, tid, task.display());
            sink.push(&name, None, None)?;
            e.insert(0)
        }
    };
    Ok((tid, floor))
}

/// One slice for a syscall of entry and exit events, named by its title,
/// after the thread's previous slice (a move is counted as a call's).
fn event_syscall(
    s: &Syscall,
    (pid, tid): (u32, u32),
    (ts, dur): (u64, u64),
    floor: &mut u64,
    adjusted: &mut Adjusted,
    sink: &mut Sink<impl Write>,
) -> serde_json::Result<()> {
    let start = ts.max(*floor);
    if start > ts {
        adjusted.moved += 1;
        adjusted.max_shift_ns = adjusted.max_shift_ns.max(start - ts);
    }
    *floor = start.saturating_add(dur);
    let title = s.title();
    let e = Event {
        name: &title,
        ph: "X",
        pid,
        tid,
        s: None,
        args: Args {
            name: None,
            line: Some(s.line),
            ret: s.ret.map(fmt_ret),
        },
    };
    sink.push(&e, Some(start), Some(dur))
}

fn meta_event(what: &'static str, pid: u32, tid: u32, name: String) -> Event<'static> {
    Event {
        name: what,
        ph: "M",
        pid,
        tid,
        s: None,
        args: Args {
            name: Some(name),
            ..Args::default()
        },
    }
}

/// Start times for a tree without timestamps: the root at `at`, each callee
/// right after its previous sibling (or its caller's start).
fn rebuilt_starts(tree: &CallTree, at: u64) -> Vec<u64> {
    let mut start = vec![0u64; tree.len()];
    let mut next_child = vec![0u64; tree.len()];
    for i in 0..tree.len() {
        let n = &tree.nodes[i];
        let s = if n.parent == crate::model::tree::NO_PARENT {
            at
        } else {
            next_child[n.parent as usize]
        };
        start[i] = s;
        next_child[i] = s;
        if n.parent != crate::model::tree::NO_PARENT {
            next_child[n.parent as usize] = s.saturating_add(n.duration_ns.unwrap_or(0));
        }
    }
    start
}

/// Push one event per node (per node of `only`, when given).
fn tree_events(
    t: &Trace,
    tree: &CallTree,
    placed: &place::Placed,
    (pid, tid): (u32, u32),
    only: Option<&[u32]>,
    sink: &mut Sink<impl Write>,
) -> serde_json::Result<()> {
    let all = 0..tree.len() as u32;
    let ids: Box<dyn Iterator<Item = u32>> = match only {
        Some(k) => Box::new(k.iter().copied()),
        None => Box::new(all),
    };
    for i in ids.map(|i| i as usize) {
        let n = &tree.nodes[i];
        let dur = placed.dur[i];
        let e = Event {
            name: t.names.name(n.func),
            ph: if dur.is_some() { "X" } else { "i" },
            pid,
            tid,
            s: dur.is_none().then_some("t"),
            args: Args {
                name: None,
                line: Some(n.line),
                ret: n.ret.map(|r| fmt_ret(r.value())),
            },
        };
        sink.push(&e, Some(placed.start[i]), dur)?;
    }
    Ok(())
}
