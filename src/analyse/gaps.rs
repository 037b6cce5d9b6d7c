//! Suspected inlined code: time a call spent that none of its traced callees
//! account for.
//!
//! ftrace cannot see inlined functions; their time lands in the caller's
//! self time. A call whose self time is both large in absolute terms and a
//! large share of its duration ran a lot of untraced code. With abstime, the
//! untraced stretch can be placed between two callees.
//!
//! Defaults (`--gap-min-us 2 --gap-min-ratio 0.5`): a traced call costs
//! about 0.1–0.3 µs on real hardware and about 1 µs under emulation, so 2 µs
//! of untraced time is several calls' worth of code; requiring half of the
//! duration keeps long calls with many short callees (whose per-call
//! overhead adds up) from being flagged.

use super::side::Side;

/// Thresholds for flagging a gap.
#[derive(Debug, Clone, Copy)]
pub struct GapThresholds {
    /// Minimum untraced time, ns.
    pub min_ns: u64,
    /// Minimum share of the call's duration.
    pub min_ratio: f64,
}

impl Default for GapThresholds {
    fn default() -> Self {
        GapThresholds {
            min_ns: 2_000,
            min_ratio: 0.5,
        }
    }
}

/// A call in the bad run with a suspicious untraced stretch.
#[derive(Debug, Clone, PartialEq)]
pub struct Suspect {
    /// Node in the bad tree.
    pub node: u32,
    /// Its duration.
    pub duration_ns: u64,
    /// Time not covered by traced callees.
    pub gap_ns: u64,
    /// It is the parent at the split.
    pub at_divergence: bool,
    /// Where the largest untraced stretch lies (needs abstime).
    pub location: Option<String>,
}

/// How many suspects the report lists.
pub const MAX_SUSPECTS: usize = 8;

/// Find the suspects of the bad run; `at_split` is the call whose untraced
/// time is where the runs part (see `analyse::split_call`).
pub fn suspects(b: &Side<'_>, at_split: Option<u32>, th: GapThresholds) -> Vec<Suspect> {
    let tree = b.tree;
    let mut out = Vec::new();
    for i in 0..tree.nodes.len() {
        if b.noise[i] {
            continue;
        }
        let n = &tree.nodes[i];
        let Some(dur) = n.duration_ns else { continue };
        let gap = tree.self_ns(i).unwrap_or(0);
        let is_div = at_split == Some(i as u32);
        let has_children = tree.children(i).next().is_some();
        let flagged = has_children && gap >= th.min_ns && (gap as f64) >= th.min_ratio * dur as f64;
        if flagged || is_div {
            out.push(Suspect {
                node: i as u32,
                duration_ns: dur,
                gap_ns: gap,
                at_divergence: is_div,
                location: locate(b, i),
            });
        }
    }
    out.sort_by(|a, b| {
        b.at_divergence
            .cmp(&a.at_divergence)
            .then(b.gap_ns.cmp(&a.gap_ns))
    });
    out.truncate(MAX_SUSPECTS);
    out
}

/// With abstime: the longest stretch of node `i` not inside a traced callee.
fn locate(b: &Side<'_>, i: usize) -> Option<String> {
    let tree = b.tree;
    let n = &tree.nodes[i];
    let start = n.ts_ns?;
    // Saturating: times from damaged lines can be up to u64::MAX.
    let end = n
        .exit_ts_ns
        .or_else(|| n.duration_ns.map(|d| start.saturating_add(d)))?;
    let mut cursor = start;
    let mut prev: Option<usize> = None;
    let mut best: (u64, Option<usize>, Option<usize>) = (0, None, None);
    for c in tree.children(i) {
        let cn = &tree.nodes[c];
        let (Some(cs), Some(cd)) = (cn.ts_ns, cn.duration_ns) else {
            return None;
        };
        let gap = cs.saturating_sub(cursor);
        if gap > best.0 {
            best = (gap, prev, Some(c));
        }
        cursor = cn.exit_ts_ns.unwrap_or(cs.saturating_add(cd)).max(cursor);
        prev = Some(c);
    }
    let gap = end.saturating_sub(cursor);
    if gap > best.0 {
        best = (gap, prev, None);
    }
    // Timestamps that do not advance with the printed durations (a clock
    // that stood still: every line of a QEMU capture at one µs) place
    // nothing: no stretch is named rather than "0.0 µs" somewhere.
    let span = end.saturating_sub(start);
    if best.0 < MIN_PLACED_NS || n.duration_ns.is_some_and(|d| span < d / 2) {
        return None;
    }
    let name = b.name(i as u32);
    let t = stretch(best.0);
    Some(match (best.1, best.2) {
        (None, None) => format!("{t} in `{name}()` itself"),
        (None, Some(c)) => format!(
            "{t} after entering `{name}()`, before `{}()`",
            b.name(c as u32)
        ),
        (Some(p), Some(c)) => format!(
            "{t} between `{}()` returning and `{}()`",
            b.name(p as u32),
            b.name(c as u32)
        ),
        (Some(p), None) => format!(
            "{t} after `{}()` returned, before `{name}()` returned",
            b.name(p as u32)
        ),
    })
}

/// Shortest stretch placed between calls: abstime prints microseconds,
/// and each traced call's own bookkeeping shifts the printed times by about
/// one (a call's timestamps and its printed duration differ by that much),
/// so a stretch of a microsecond or two could sit on either side of a
/// call: two captures of one call placed 1.1 and 2.0 µs on opposite sides.
const MIN_PLACED_NS: u64 = 3_000;

/// A stretch's length in the unit the report uses for it.
fn stretch(ns: u64) -> String {
    if ns >= 1_000_000 {
        format!("{:.3} ms", ns as f64 / 1e6)
    } else {
        format!("{:.1} µs", ns as f64 / 1000.0)
    }
}
