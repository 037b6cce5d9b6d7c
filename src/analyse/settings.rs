//! Settings and kernels, compared before behaviour: a diff of two captures
//! taken with different tracer options or on different kernels shows the
//! difference in how they were taken as if it were a difference in what
//! ran. So the comparison first says what differs in the taking, and the
//! verdict does not present what that explains as the failure.
//!
//! Told from the captures themselves: the columns and tracer each printed,
//! the kernel release (latency-format headers) or the syscall event format
//! (it changes between releases), the `max_graph_depth` cut, the traceable
//! functions when `--filter-functions` gives both lists, and `sleep-time`
//! from durations (no capture prints the option): the same scheduler call,
//! with the same callees in both runs, lasts milliseconds in one (the
//! sleep counted in) and microseconds in the other.

use crate::model::CaptureFacts;

use super::{FilterList, origin::Evidence, side::Side};

/// One way the two captures were taken differently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingDiff {
    /// `sleep-time`, `kernel`, `options`, `depth`, `tracer`, `traceable`.
    pub topic: &'static str,
    /// What differs, in words (code in backticks).
    pub message: String,
    /// What it rests on.
    pub evidence: Evidence,
}

/// Scheduler calls whose duration holds the sleep when sleep-time is on.
const SWITCHES: [&str; 4] = ["schedule", "__schedule", "schedule_hrtimeout_range", "io_schedule"];

/// Compare how the good and the bad capture were taken.
pub fn compare(
    g: &Side<'_>,
    b: &Side<'_>,
    good_to_bad: &[Option<u32>],
    filters: (Option<&FilterList>, Option<&FilterList>),
) -> Vec<SettingDiff> {
    let (gf, bf) = (&g.trace.facts, &b.trace.facts);
    let mut out = Vec::new();
    if gf.reconstructed != bf.reconstructed {
        out.push(diff(
            "tracer",
            "one capture was taken with function_graph and the other with the function tracer: trees rebuilt from `<-parent` differ in shape by the tracer alone".into(),
            Evidence::Structure,
        ));
    }
    options(gf, bf, &mut out);
    kernel(gf, bf, &mut out);
    depth(gf, bf, &mut out);
    traceable(filters, &mut out);
    if let Some(d) = sleep_time(g, b, good_to_bad) {
        out.push(d);
    }
    out
}

fn diff(topic: &'static str, message: String, evidence: Evidence) -> SettingDiff {
    SettingDiff {
        topic,
        message,
        evidence,
    }
}

fn options(gf: &CaptureFacts, bf: &CaptureFacts, out: &mut Vec<SettingDiff>) {
    let cols: [(&str, fn(&CaptureFacts) -> bool); 4] = [
        ("funcgraph-retval", |f| f.retval),
        ("funcgraph-duration", |f| f.col_duration),
        ("funcgraph-args", |f| f.args),
        ("syscall events", |f| f.sys_enter_events > 0),
    ];
    let mut names = Vec::new();
    for (name, shown) in cols {
        match (shown(gf), shown(bf)) {
            (true, false) => names.push(format!("{name} (good capture only)")),
            (false, true) => names.push(format!("{name} (bad capture only)")),
            _ => {}
        }
    }
    if !names.is_empty() {
        out.push(diff(
            "options",
            format!("tracer options differ: {}", names.join(", ")),
            Evidence::Structure,
        ));
    }
}

fn kernel(gf: &CaptureFacts, bf: &CaptureFacts, out: &mut Vec<SettingDiff>) {
    if let (Some(a), Some(b)) = (&gf.kernel, &bf.kernel) {
        if a != b {
            out.push(diff(
                "kernel",
                format!("the kernels differ: good run on {a}, bad run on {b}; inlining, config and traceable functions may differ with them"),
                Evidence::Structure,
            ));
        }
        return;
    }
    let differs = gf.sys_event_args.iter().find_map(|(name, args)| {
        bf.sys_event_args
            .get(name)
            .filter(|o| *o != args)
            .map(|o| (name, args, o))
    });
    if let Some((name, a, o)) = differs {
        out.push(diff(
            "kernel",
            format!("the kernels differ: `sys_{name}` events print `{a}` in the good capture and `{o}` in the bad one"),
            Evidence::Structure,
        ));
    }
}

/// A `max_graph_depth` cut: every call at the deepest level is a leaf.
fn depth_cut(f: &CaptureFacts) -> Option<u32> {
    (f.calls_at_max_depth > 0 && f.leaves_at_max_depth == f.calls_at_max_depth && f.max_depth <= 6)
        .then_some(f.max_depth + 1)
}

fn depth(gf: &CaptureFacts, bf: &CaptureFacts, out: &mut Vec<SettingDiff>) {
    let (a, b) = (depth_cut(gf), depth_cut(bf));
    if a != b {
        let say = |d: Option<u32>| d.map_or("no cut".to_string(), |d| format!("{d} levels"));
        out.push(diff(
            "depth",
            format!("the traced depth differs (max_graph_depth): good capture {}, bad capture {}", say(a), say(b)),
            Evidence::Inferred,
        ));
    }
}

fn traceable(filters: (Option<&FilterList>, Option<&FilterList>), out: &mut Vec<SettingDiff>) {
    let (Some(g), Some(b)) = filters else { return };
    let only_g = g.names.iter().filter(|n| !b.names.contains(*n)).count();
    let only_b = b.names.iter().filter(|n| !g.names.contains(*n)).count();
    if only_g + only_b > 0 {
        out.push(diff(
            "traceable",
            format!("the kernels' traceable functions differ: {only_g} only in the good kernel's list, {only_b} only in the bad kernel's (`--filter-functions`)"),
            Evidence::Structure,
        ));
    }
}

/// The same scheduler call, same callees, milliseconds vs microseconds of
/// its own time: sleep-time on in one capture, off in the other.
fn sleep_time(g: &Side<'_>, b: &Side<'_>, good_to_bad: &[Option<u32>]) -> Option<SettingDiff> {
    for (gn, bn) in good_to_bad
        .iter()
        .enumerate()
        .filter_map(|(gn, bn)| Some((gn, (*bn)? as usize)))
    {
        if !SWITCHES.contains(&g.name(gn as u32)) || g.hash[gn] != b.hash[bn] {
            continue;
        }
        let (Some(gs), Some(bs)) = (g.tree.self_ns(gn), b.tree.self_ns(bn)) else {
            continue;
        };
        let (hi, lo, on) = if gs > bs { (gs, bs, "good") } else { (bs, gs, "bad") };
        if hi >= 1_000_000 && hi >= lo.saturating_mul(20) {
            let off = if on == "good" { "bad" } else { "good" };
            return Some(diff(
                "sleep-time",
                format!(
                    "`{}()` has the same callees in both runs but {:.1} µs of its own time in the {on} capture and {:.1} µs in the {off} one: the {on} capture counts the time the task slept (options/sleep-time on), the {off} capture does not; durations are not comparable",
                    g.name(gn as u32),
                    hi as f64 / 1000.0,
                    lo as f64 / 1000.0
                ),
                Evidence::Timing,
            ));
        }
    }
    None
}
