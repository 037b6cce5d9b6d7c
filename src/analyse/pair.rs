//! Which syscalls to compare: every failing syscall (one per syscall and
//! errno) against the most similar call of the same syscall and key
//! argument that did not fail, in another capture when there is one.

use crate::load::Capture;

use super::{
    align::{AlignWork, align},
    noise::Noise,
    side::{GlobalNames, Side},
};

/// A syscall in a capture: `(capture index, position in its syscalls)`.
pub type SysRef = (usize, usize);

/// One planned comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The run that worked.
    pub good: SysRef,
    /// The run that failed.
    pub bad: SysRef,
    /// Why these two.
    pub reason: String,
}

/// At most this many comparisons per report.
pub const MAX_COMPARISONS: usize = 8;

/// How many good candidates are aligned to find the closest.
const MAX_CANDIDATES: usize = 24;

/// A `--pair` request: syscall numbers (as the report shows them, `#N`) in
/// the good and the bad capture, optionally prefixed by a capture label
/// (`ok#3:bad#0`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairRequest {
    /// Capture label of the good side, or `None` for the first capture.
    pub good_label: Option<String>,
    /// Syscall number on the good side.
    pub good_index: usize,
    /// Capture label of the bad side, or `None` for the second capture.
    pub bad_label: Option<String>,
    /// Syscall number on the bad side.
    pub bad_index: usize,
}

impl std::str::FromStr for PairRequest {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (g, b) = s
            .split_once(':')
            .ok_or_else(|| format!("`{s}`: expected GOOD:BAD, e.g. `0:3` or `ok#0:bad#3`"))?;
        let part = |p: &str| -> Result<(Option<String>, usize), String> {
            let (label, idx) = match p.rsplit_once('#') {
                Some((l, i)) => (Some(l.to_string()), i),
                None => (None, p),
            };
            let idx = idx.trim_start_matches('#').parse().map_err(|_| {
                format!("`{p}`: expected a syscall number as shown in the report (`#N`)")
            })?;
            Ok((label, idx))
        };
        let (good_label, good_index) = part(g)?;
        let (bad_label, bad_index) = part(b)?;
        Ok(PairRequest {
            good_label,
            good_index,
            bad_label,
            bad_index,
        })
    }
}

/// Resolve a `--pair` request against the captures.
pub fn requested(captures: &[Capture], req: &PairRequest) -> Result<Plan, String> {
    let find_cap = |label: &Option<String>, default: usize| -> Result<usize, String> {
        match label {
            None if default < captures.len() => Ok(default),
            None => Err("--pair without labels needs two captures".into()),
            Some(l) => captures
                .iter()
                .position(|c| &c.label == l)
                .ok_or_else(|| format!("--pair: no capture labelled `{l}`")),
        }
    };
    let gc = find_cap(&req.good_label, 0)?;
    let bc = find_cap(&req.bad_label, 1.min(captures.len().saturating_sub(1)))?;
    let find_sys = |c: usize, idx: usize| -> Result<usize, String> {
        captures[c]
            .trace
            .syscalls
            .iter()
            .position(|s| s.index == idx && s.tree.is_some())
            .ok_or_else(|| {
                format!(
                    "--pair: capture `{}` has no syscall #{idx} with a call tree",
                    captures[c].label
                )
            })
    };
    Ok(Plan {
        good: (gc, find_sys(gc, req.good_index)?),
        bad: (bc, find_sys(bc, req.bad_index)?),
        reason: "chosen with --pair".into(),
    })
}

/// Plan the comparisons.
pub fn plan(
    captures: &[Capture],
    names: &mut GlobalNames,
    noise: &Noise,
    work: &AlignWork,
) -> Vec<Plan> {
    let mut plans = Vec::new();
    let mut seen_groups: Vec<(usize, String, Option<i32>)> = Vec::new();
    let mut any_failed = false;
    for (bc, cap) in captures.iter().enumerate() {
        for (bi, s) in cap.trace.syscalls.iter().enumerate() {
            // Roots (no syscall) are compared when `--pair` names them.
            if !s.failed() || s.tree.is_none() || s.root {
                continue;
            }
            let key = (bc, s.title(), s.errno());
            if seen_groups.contains(&key) {
                continue;
            }
            seen_groups.push(key);
            any_failed = true;
            if let Some((good, cost)) = closest_good(captures, (bc, bi), names, noise, work) {
                let same_capture = good.0 == bc;
                let unknown = captures[good.0].trace.syscalls[good.1].ret.is_none();
                plans.push(Plan {
                    good,
                    bad: (bc, bi),
                    reason: format!(
                        "{} #{} failed with {}; the closest {} {} is #{} in `{}`{} ({} unpaired calls)",
                        s.title(),
                        s.index,
                        s.errno_name().unwrap_or("an error"),
                        s.title(),
                        if unknown {
                            "with no known result (none returned a captured success; this one had not failed where its capture ends)"
                        } else {
                            "that did not fail"
                        },
                        captures[good.0].trace.syscalls[good.1].index,
                        captures[good.0].label,
                        if same_capture { " (same capture)" } else { "" },
                        cost
                    ),
                });
            }
            if plans.len() >= MAX_COMPARISONS {
                return plans;
            }
        }
    }
    if !any_failed && captures.len() >= 2 {
        // Nothing failed: compare the later captures with the first one, in
        // the order given, on their first syscall of a kind both have.
        // Syscalls first; roots (calls outside any syscall, such as the tail
        // of the `write(tracing_on)` before it) only when no syscall pairs.
        for (bc, cap) in captures.iter().enumerate().skip(1) {
            let first_alike = |roots: bool| {
                cap.trace.syscalls.iter().enumerate().find_map(|(bi, s)| {
                    s.tree.as_ref().filter(|_| s.root == roots)?;
                    captures[0]
                        .trace
                        .syscalls
                        .iter()
                        .position(|g| g.tree.is_some() && g.root == roots && g.title() == s.title())
                        .map(|gi| (bi, gi))
                })
            };
            if let Some((bi, gi)) = first_alike(false).or_else(|| first_alike(true)) {
                plans.push(Plan {
                    good: (0, gi),
                    bad: (bc, bi),
                    reason: in_order_reason(captures).into(),
                });
            }
        }
    }
    plans
}

/// Why captures with no failing syscall that has a call tree are compared
/// in order: "no syscall failed" only when none did, with a tree or not
/// (the failures without one, which the verdict names).
fn in_order_reason(captures: &[Capture]) -> &'static str {
    if super::headline::unkept_failures(captures).is_some() {
        "no syscall with a call tree in the report failed in these captures (failures without one are named in the verdict): compared in the order given"
    } else {
        "no syscall failed in these captures: compared in the order given"
    }
}

/// The non-failing syscall of the same title whose tree is closest.
fn closest_good(
    captures: &[Capture],
    bad: SysRef,
    names: &mut GlobalNames,
    noise: &Noise,
    work: &AlignWork,
) -> Option<(SysRef, usize)> {
    let bs = &captures[bad.0].trace.syscalls[bad.1];
    let title = bs.title();
    let mut cands: Vec<SysRef> = Vec::new();
    // A result not captured is unknown, never "good": first calls seen
    // returning a non-error value (another capture, then the same one).
    // Only without any such call, a call the capture ends inside (it had
    // not failed up to there: the blog's cut excerpts) stands in, and the
    // reason says so. A call that returned without a captured result never
    // does.
    for (pass_same_capture, known) in [(false, true), (true, true), (false, false), (true, false)] {
        for (c, cap) in captures.iter().enumerate() {
            if (c == bad.0) != pass_same_capture {
                continue;
            }
            for (i, s) in cap.trace.syscalls.iter().enumerate() {
                let usable = if known {
                    s.ret.is_some() && !s.failed()
                } else {
                    s.ret.is_none() && s.exit_missing
                };
                if usable && s.tree.is_some() && !s.root && s.title() == title {
                    cands.push((c, i));
                }
            }
        }
        if !cands.is_empty() {
            break;
        }
    }
    cands
        .into_iter()
        .take(MAX_CANDIDATES)
        .filter_map(|r| closeness(captures, r, bad, names, noise, work).map(|c| (r, c)))
        .min_by_key(|&(_, c)| c)
        .map(|(r, c)| (r, c.2))
}

/// How close a good run is to the bad one, smaller is closer: first the
/// structural noise before the runs part (wrapper levels one kernel inlines,
/// differences that meet again; a run from another kernel build has more),
/// then more paired calls, then fewer unpaired ones. Plain unpaired counts
/// would prefer whichever good capture happens to be shortest. Last, of two
/// as close, the one taken with the bad run's settings.
fn closeness(
    captures: &[Capture],
    g: SysRef,
    b: SysRef,
    names: &mut GlobalNames,
    noise: &Noise,
    work: &AlignWork,
) -> Option<(usize, isize, usize, usize)> {
    let gs = &captures[g.0].trace.syscalls[g.1];
    let bs = &captures[b.0].trace.syscalls[b.1];
    let gside = Side::new(&captures[g.0].trace, gs, names, noise)?;
    let bside = Side::new(&captures[b.0].trace, bs, names, noise)?;
    let al = align(&gside, &bside, work);
    let wrappers = al.rows.iter().filter(|r| r.wrapper).count();
    let apart =
        super::audit_cross::settings_apart(&captures[g.0].trace.facts, &captures[b.0].trace.facts);
    Some((
        wrappers + al.minors.len(),
        -(al.matched as isize),
        al.cost(),
        apart,
    ))
}
