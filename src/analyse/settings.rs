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

use super::{FilterList, Prose, origin::Evidence, side::Side};

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

impl SettingDiff {
    /// The message into a sentence, its backticked names as code.
    pub fn say(&self, p: &mut Prose) {
        for (k, piece) in self.message.split('`').enumerate() {
            if piece.is_empty() {
                continue;
            }
            if k % 2 == 1 {
                p.code(piece);
            } else {
                p.text(piece);
            }
        }
    }
}

/// Scheduler calls whose duration holds the sleep when sleep-time is on.
const SWITCHES: [&str; 4] = [
    "schedule",
    "__schedule",
    "schedule_hrtimeout_range",
    "io_schedule",
];

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
    depth(g, b, good_to_bad, &mut out);
    traceable(filters, &mut out);
    unlisted_calls(g, b, filters, &mut out);
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

/// Whether a capture shows a column or option.
type Shown = fn(&CaptureFacts) -> bool;

fn options(gf: &CaptureFacts, bf: &CaptureFacts, out: &mut Vec<SettingDiff>) {
    let cols: [(&str, Shown); 4] = [
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

/// A `max_graph_depth` cut in one capture only: a call at that capture's
/// deepest level is a leaf there and has callees in the other capture.
fn depth(g: &Side<'_>, b: &Side<'_>, good_to_bad: &[Option<u32>], out: &mut Vec<SettingDiff>) {
    let cut = |x: &Side<'_>, xn: usize, y: &Side<'_>, yn: usize| {
        let f = &x.trace.facts;
        f.max_depth <= 6
            && x.tree.children(xn).next().is_none()
            && x.tree.path(xn).len() as u32 - 1 == f.max_depth
            && y.tree.children(yn).any(|c| !y.noise[c])
    };
    let pairs = || {
        good_to_bad
            .iter()
            .enumerate()
            .filter_map(|(gn, bn)| Some((gn, (*bn)? as usize)))
    };
    // One such call may be an early return; a depth limit cuts them all.
    let good_cut = pairs()
        .filter(|&(gn, bn)| cut(g, gn, b, bn))
        .nth(1)
        .is_some();
    let bad_cut = pairs()
        .filter(|&(gn, bn)| cut(b, bn, g, gn))
        .nth(1)
        .is_some();
    let say = |x: &Side<'_>| format!("{} levels", x.trace.facts.max_depth + 1);
    let message = match (good_cut, bad_cut) {
        (true, false) => format!(
            "the good capture stops at {} (max_graph_depth) where the bad one goes deeper",
            say(g)
        ),
        (false, true) => format!(
            "the bad capture stops at {} (max_graph_depth) where the good one goes deeper",
            say(b)
        ),
        _ => return,
    };
    out.push(diff("depth", message, Evidence::Inferred));
}

fn traceable(filters: (Option<&FilterList>, Option<&FilterList>), out: &mut Vec<SettingDiff>) {
    let (Some(g), Some(b)) = filters else { return };
    let only_g = g.names.keys().filter(|n| !b.names.contains_key(*n)).count();
    let only_b = b.names.keys().filter(|n| !g.names.contains_key(*n)).count();
    if only_g + only_b > 0 {
        out.push(diff(
            "traceable",
            format!("the kernels' traceable functions differ: {only_g} only in the good kernel's list, {only_b} only in the bad kernel's (`--filter-functions`)"),
            Evidence::Structure,
        ));
    }
}

/// With one kernel's function list only: calls the other run makes that the
/// list lacks. A traced call is traceable in its own kernel, so the two
/// kernels differ (or the list is not of the run's kernel); a seed pair's
/// good list beside a bad run from another release once went unsaid.
fn unlisted_calls(
    g: &Side<'_>,
    b: &Side<'_>,
    filters: (Option<&FilterList>, Option<&FilterList>),
    out: &mut Vec<SettingDiff>,
) {
    let (list, run, listed, other) = match filters {
        (Some(l), None) => (l, b, "good", "bad"),
        (None, Some(l)) => (l, g, "bad", "good"),
        _ => return,
    };
    // First-seen order for the names shown; the set keeps a forged tree of
    // many distinct names linear.
    let mut missing: Vec<&str> = Vec::new();
    let mut seen = rustc_hash::FxHashSet::default();
    for i in 0..run.tree.nodes.len() as u32 {
        // A module's function (` [module]`) may be missing from a list
        // taken before the module was loaded: only the kernel's own are
        // asked about. Addresses and placeholders are no kernel symbols.
        let name = run.name(i);
        let symbol = super::shell::is_ident(name) && !name.starts_with("0x");
        if symbol && !list.contains(name) && seen.insert(name) {
            missing.push(name);
        }
    }
    if missing.is_empty() {
        return;
    }
    let shown: Vec<String> = missing.iter().take(3).map(|n| format!("`{n}()`")).collect();
    out.push(diff(
        "traceable",
        format!(
            "the {other} run calls {} that the {listed} kernel's function list does not have ({}{}): the captures come from different kernels, or the list is not the {listed} kernel's",
            super::prose::plural(missing.len() as u64, "function"),
            shown.join(", "),
            if missing.len() > 3 { ", …" } else { "" }
        ),
        Evidence::Structure,
    ));
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
        let (hi, lo, on) = if gs > bs {
            (gs, bs, "good")
        } else {
            (bs, gs, "bad")
        };
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
