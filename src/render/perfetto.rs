//! `trace.json`: the kept call trees in the Chrome trace-event format, for
//! timeline browsing in the Perfetto UI (ui.perfetto.dev, "Open trace file")
//! or `chrome://tracing`.
//!
//! One process per capture (named by its label), one thread per task. A call
//! with a duration is a complete event (`"ph":"X"`); one without (the
//! function tracer, a missing exit) an instant (`"ph":"i"`). Times are µs
//! with ns precision. Where the capture printed timestamps (funcgraph-abstime,
//! the function tracer) they are used as they are; otherwise the timeline is
//! rebuilt from durations alone: each syscall after the previous one, each
//! callee right after its previous sibling. `metadata.captures[].timestamps`
//! says which, since rebuilt gaps are not real.
//!
//! Built from the model (not the report view) because the view carries no
//! timestamps.

use std::io::Write;

use serde::Serialize;

use crate::{
    load::Capture,
    model::{CallTree, Trace},
};

use super::format::ret as fmt_ret;

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
    captures: Vec<CaptureMeta<'a>>,
}

#[derive(Serialize)]
struct CaptureMeta<'a> {
    pid: u32,
    label: &'a str,
    sha256: &'a str,
    timestamps: &'static str,
}

#[derive(Serialize)]
struct Event<'a> {
    name: &'a str,
    ph: &'static str,
    pid: u32,
    tid: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    ts: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dur: Option<f64>,
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

/// Chrome trace events count in µs.
fn us(ns: u64) -> f64 {
    super::units::Nanos(ns).us()
}

/// Events written one by one as the trees are walked: a million-call tree
/// is a hundred MB of events, never held in memory.
struct Sink<W> {
    w: W,
    first: bool,
}

impl<W: Write> Sink<W> {
    fn push(&mut self, e: &Event<'_>) -> serde_json::Result<()> {
        if !std::mem::take(&mut self.first) {
            self.w.write_all(b",").map_err(serde_json::Error::io)?;
        }
        serde_json::to_writer(&mut self.w, e)
    }
}

/// Serialise every capture's kept trees into `w`: `{"traceEvents":[…],
/// "displayTimeUnit":"ns","metadata":{…}}`.
pub fn write_trace(captures: &[Capture], w: impl Write) -> serde_json::Result<()> {
    let mut sink = Sink { w, first: true };
    sink.w
        .write_all(b"{\"traceEvents\":[")
        .map_err(serde_json::Error::io)?;
    let mut meta = Vec::new();
    for (ci, c) in captures.iter().enumerate() {
        let pid = ci as u32 + 1;
        let t = &c.trace;
        let stamped = t
            .syscalls
            .iter()
            .filter_map(|s| s.tree.as_ref())
            .all(|tr| tr.nodes.iter().all(|n| n.ts_ns.is_some()));
        meta.push(CaptureMeta {
            pid,
            label: &c.label,
            sha256: &c.sha256,
            timestamps: if stamped {
                "as printed"
            } else {
                "rebuilt from durations (the capture printed no timestamps)"
            },
        });
        sink.push(&meta_event("process_name", pid, 0, c.label.clone()))?;
        let mut named = Vec::new();
        let mut cursor = 0u64;
        for s in &t.syscalls {
            let Some(tree) = s.tree.as_ref().filter(|tr| !tr.is_empty()) else {
                continue;
            };
            let task = &t.tasks[s.task];
            let tid = task
                .pid
                .or(s.cpu.map(|c| c.saturating_add(1_000_000)))
                .unwrap_or(0);
            if !named.contains(&tid) {
                named.push(tid);
                sink.push(&meta_event("thread_name", pid, tid, task.display()))?;
            }
            let starts = if stamped {
                tree.nodes.iter().map(|n| n.ts_ns.unwrap_or(0)).collect()
            } else {
                rebuilt_starts(tree, cursor)
            };
            let end = tree_events(t, tree, &starts, pid, tid, &mut sink)?;
            cursor = end.saturating_add(REBUILT_GAP_NS);
        }
    }
    let tail = Tail {
        unit: "ns",
        metadata: Metadata {
            generator: concat!("tracereport ", env!("CARGO_PKG_VERSION")),
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

fn meta_event(what: &'static str, pid: u32, tid: u32, name: String) -> Event<'static> {
    Event {
        name: what,
        ph: "M",
        pid,
        tid,
        ts: None,
        dur: None,
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

/// Push one event per node; returns the latest end time.
fn tree_events(
    t: &Trace,
    tree: &CallTree,
    starts: &[u64],
    pid: u32,
    tid: u32,
    sink: &mut Sink<impl Write>,
) -> serde_json::Result<u64> {
    let mut last = 0;
    for (i, n) in tree.nodes.iter().enumerate() {
        let ts = starts[i];
        let end = ts.saturating_add(n.duration_ns.unwrap_or(0));
        last = last.max(end);
        sink.push(&Event {
            name: t.names.name(n.func),
            ph: if n.duration_ns.is_some() { "X" } else { "i" },
            pid,
            tid,
            ts: Some(us(ts)),
            dur: n.duration_ns.map(us),
            s: n.duration_ns.is_none().then_some("t"),
            args: Args {
                name: None,
                line: Some(n.line),
                ret: n.ret.map(|r| fmt_ret(r.value())),
            },
        })?;
    }
    Ok(last)
}
