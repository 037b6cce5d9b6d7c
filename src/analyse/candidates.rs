//! Where the error is born when the capture has no return values: a short,
//! ranked list of places that contains it, read from the shape of both runs.
//!
//! The first divergence is where the runs first part, not where the error
//! is made: on openat the dcache miss parts them in `lookup_fast()`, and
//! ENOENT is made later in `step_into()`, which both runs call. What marks
//! the error is the *turning back*: after it is born, the bad run skips the
//! work the good run goes on to do (`do_open()`, `vfs_mkdir()`,
//! `array_map_alloc()`), level by level on the way up. Each such skip is a
//! *point*: a paired call `P` under which the good run makes calls the bad
//! run never makes, after `P`'s last call both make (`L`). The latest point
//! is nearest the syscall; the points nested inside its `L` lead down the
//! chain the error travelled. The deepest `L`, and the own code of every
//! call from there up to the latest point, are the candidates.
//!
//! The bad run may also go its own way at the deepest point (below the
//! outermost one, where it only unwinds what it got): on 7.3 the
//! good open finds the name in RCU walk and its `step_into()` is inlined,
//! while the missing name sends the bad run through `lookup_open()` and
//! `step_into_slowpath()`, where ENOENT is made. So the last call the bad
//! run makes there before it is back on shared ground, of a function the
//! good run never calls at all, is a candidate too (helpers the good run
//! also calls, such as `dput()` or `link_path_walk()` handed the error,
//! are not).
//!
//! The error travels up the calls open at the split (`diverge.rs`), so the
//! latest point is looked for among the split's parent and its callers:
//! a later call both runs make may differ inside too, as a consequence of
//! the success (the good run's last `dput()` of a removed directory frees
//! it, the bad run's has nothing to free), and is no skip on the error's
//! way up. Points anywhere count when there is no split that stays apart.
//!
//! Ranking: the bad run's own call first; then a candidate after whose
//! chain call the bad run does work the good run does not (an error
//! branch: `dput()` and unlocking in `filename_create()`); then from the
//! deepest up.

use rustc_hash::FxHashSet;

use super::{align::Alignment, diverge::Divergence, side::Side};

/// At most this many candidates are named when there are no return values.
pub const MAX_SHOWN: usize = 3;

/// Why a call is a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// A call both runs make, after which the good run goes on to work the
    /// bad run skips (the last they share before that point; they may
    /// share cleanup later): the error may be what it returned.
    LastShared,
    /// The call's own code (or callees inlined into it), after its chain
    /// callee returned.
    OwnCode,
    /// Below the traced depth: the capture does not show its callees.
    BelowDepth,
    /// A call of a function the good run never makes, on the bad run's own
    /// way after the last call both make.
    BadOnly,
    /// The call the bad run makes where the runs part, instead of the good
    /// run's next call: the error may be born inside it.
    BadNext,
}

/// One place the error may be born (a bad-tree node).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginCandidate {
    /// The call (bad tree).
    pub node: u32,
    /// What of it.
    pub role: Role,
    /// The callee after which its own code is meant (`OwnCode`).
    pub after: Option<u32>,
    /// The bad run makes calls the good run does not right after that
    /// point: an error branch taken there.
    pub turns_aside: bool,
}

/// Candidates ranked, all of them (callers show [`MAX_SHOWN`]).
pub fn structural(
    g: &Side<'_>,
    b: &Side<'_>,
    al: &Alignment,
    good_to_bad: &[Option<u32>],
    bad_to_good: &[Option<u32>],
    div: Option<&Divergence>,
) -> Vec<OriginCandidate> {
    let pts = points(g, b, al, good_to_bad);
    let top = on_the_way_up(b, &pts, div).or_else(|| outermost(b, pts.iter()));
    let split = div
        .filter(|d| !d.hidden && !d.reconverges)
        .map(|d| d.parent.1);
    let (mut out, chained) = match top.map(|top| chain(b, &pts, top, split)) {
        Some((mut nodes, deep)) => {
            // At the top the bad run unwinds whatever it got (put_unused_fd()
            // after a failed open): only a deeper point's own way counts.
            if let Some(deep) = deep {
                for (i, n) in own_way(g, b, &deep, bad_to_good).into_iter().enumerate() {
                    nodes.insert(i, cand(n, Role::BadOnly, deep.l));
                }
            }
            if div.is_some_and(|d| d.reconverges) {
                first_skip_first(b, &pts, &mut nodes);
            }
            (nodes, true)
        }
        None => (fallback(b, div), false),
    };
    for c in &mut out {
        if c.role == Role::LastShared && cut_by_depth(g, b, c.node) {
            c.role = Role::BelowDepth;
        }
        if !matches!(c.role, Role::BelowDepth | Role::BadOnly) {
            c.turns_aside = turns_aside(b, c, bad_to_good);
        }
    }
    // The topmost parent unwinds whatever it got (put_unused_fd() after a
    // failed open): its turning aside is not evidence, it ranks last. (Its
    // own code is the chain's last; a shared call passed over on the way
    // down may follow it.)
    let top = if chained {
        out.iter()
            .rev()
            .find(|c| c.role == Role::OwnCode)
            .map(|c| c.node)
    } else {
        None
    };
    // Stable: the bad run's own call, then turning aside, else from the
    // deepest up.
    out.sort_by_key(|c| (top == Some(c.node), c.role != Role::BadOnly, !c.turns_aside));
    // Where the runs part, the bad run's own call may hold the error even
    // when the good run calls that function elsewhere (so it is no
    // `BadOnly`): mkdir under a missing parent on 6.12, where the bad run's
    // `walk_component()` for the missing name makes ENOENT in `step_into()`
    // and the good run's next call is `make_vfsuid()`. Without it the list
    // missed the error there. Making calls of its own, it is work the bad
    // run does instead of the good run's: second, after the lead the shape
    // gives. A leaf there (a lock taken on the way out) ends the list.
    let parted = div
        .filter(|d| !d.hidden && !out.is_empty())
        .and_then(|d| d.bad_next)
        .filter(|&n| {
            let k = n as usize;
            // Named once: the bad run's own way may end in another call of
            // the same function (`__request_module()`, tried twice).
            let named = |c: &OriginCandidate| {
                c.node == n || (c.role == Role::BadOnly && b.gid[c.node as usize] == b.gid[k])
            };
            !b.noise[k] && !b.irq[k] && bad_to_good[k].is_none() && !out.iter().any(named)
        });
    if let Some(n) = parted {
        // `out` is not empty (checked above): second is index 1.
        let at = if makes_calls(b, n) { 1 } else { out.len() };
        out.insert(at, cand(n, Role::BadNext, None));
    }
    out
}

/// No difference stays apart: the latest skip may be a consequence of the
/// result (the good run's final `iput()` of a file it unlinked evicts it;
/// the bad run's has nothing to evict) and the error is as likely made at
/// the first, which then leads: an error is made before anything that
/// follows from it (`vfs_unlink()` left right after `may_delete()` on a
/// 6.12 unlink EISDIR pair).
fn first_skip_first(b: &Side<'_>, pts: &[Point], out: &mut Vec<OriginCandidate>) {
    let Some(first) = pts.iter().min_by_key(|p| pos(b, p)).copied() else {
        return;
    };
    let (early, _) = chain(b, pts, first, None);
    let mut early: Vec<OriginCandidate> = early
        .into_iter()
        .filter(|c| !out.iter().any(|o| o.node == c.node && o.role == c.role))
        .collect();
    early.append(out);
    *out = early;
}

/// Of the calls the bad run makes under the deepest point's parent after
/// its last shared call and before its next paired one, those of functions
/// the good run never calls anywhere: the last (7.3's
/// `step_into_slowpath()`, where ENOENT is made), then the first when it is
/// another (6.12's `proc_root_lookup()`, whose `proc_lookup_de()` makes
/// ENOENT for a name created in `/proc`, before `d_lookup_done()` cleans
/// up in `__d_lookup_unhash_wake()`).
fn own_way(g: &Side<'_>, b: &Side<'_>, deep: &Point, bad_to_good: &[Option<u32>]) -> Vec<u32> {
    let t = b.tree;
    let after = deep.l.map_or(deep.p + 1, |l| t.nodes[l as usize].end);
    let good_calls: FxHashSet<u32> = (0..g.tree.nodes.len())
        .filter(|&x| !g.irq[x])
        .map(|x| g.gid[x])
        .collect();
    let mut way = t
        .children(deep.p as usize)
        .filter(|&k| k as u32 >= after && !b.noise[k] && !b.irq[k])
        .take_while(|&k| bad_to_good[k].is_none())
        .filter(|&k| !good_calls.contains(&b.gid[k]));
    let (first, last) = (way.next(), way.last());
    let found = match (first, last) {
        (Some(f), None) => vec![f],
        // One function is one lead (`__request_module()`, tried twice).
        (Some(f), Some(l)) if b.gid[f] == b.gid[l] => vec![l],
        (Some(f), Some(l)) => vec![l, f],
        _ => Vec::new(),
    };
    found.into_iter().map(|k| k as u32).collect()
}

/// A leaf at the deepest level of two captures that both stop at the same
/// shallow depth: the `max_graph_depth` cut, so its callees are not shown.
/// The bad capture must look cut as a whole (most leaves at that depth, as
/// the audit judges it): a small capture whose deepest call happens to be
/// a leaf (`bpf_check_uarg_tail_zero()` under `__x64_sys_bpf()`) was not
/// cut, and its decision may as well be in the caller's own code.
fn cut_by_depth(g: &Side<'_>, b: &Side<'_>, n: u32) -> bool {
    let f = &b.trace.facts;
    let t = b.tree;
    let leaf = t.children(n as usize).next().is_none();
    let depth = t.path(n as usize).len() as u32 - 1;
    leaf && f.max_depth <= 6
        && g.trace.facts.max_depth == f.max_depth
        && depth == f.max_depth
        && super::audit::depth_cut(f)
}

/// A paired bad call `p` under which the good run goes on to calls the bad
/// run never makes, after their last common call `l`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Point {
    l: Option<u32>,
    p: u32,
}

fn points(g: &Side<'_>, b: &Side<'_>, al: &Alignment, good_to_bad: &[Option<u32>]) -> Vec<Point> {
    let wrappers: FxHashSet<u32> = al
        .rows
        .iter()
        .filter(|r| r.wrapper)
        .filter_map(|r| r.good)
        .collect();
    let mut out: Vec<Point> = Vec::new();
    let gt = g.tree;
    for x in 0..gt.nodes.len() {
        if g.noise[x] || good_to_bad[x].is_some() || wrappers.contains(&(x as u32)) {
            continue;
        }
        let p = gt.nodes[x].parent;
        if p == u32::MAX || wrappers.contains(&p) {
            continue;
        }
        let Some(bp) = good_to_bad[p as usize] else {
            continue;
        };
        // The bad run calls it too under the same parent, elsewhere: a
        // reordering, not work skipped.
        let moved = b
            .tree
            .children(bp as usize)
            .any(|c| !b.noise[c] && b.gid[c] == g.gid[x]);
        if moved {
            continue;
        }
        let l = gt
            .children(p as usize)
            .take_while(|&c| c != x)
            .filter(|&c| !g.noise[c])
            .filter_map(|c| good_to_bad[c])
            .last();
        let pt = Point { l, p: bp };
        if !out.contains(&pt) {
            out.push(pt);
        }
    }
    out
}

/// Where in the bad run's call order a point lies: after its `l` returned.
fn pos(b: &Side<'_>, pt: &Point) -> u32 {
    match pt.l {
        Some(l) => b.tree.nodes[l as usize].end,
        None => pt.p + 1,
    }
}

fn inside(b: &Side<'_>, n: u32, within: u32) -> bool {
    n > within && n < b.tree.nodes[within as usize].end
}

/// The point of `among` nearest the syscall (the latest), taken at its
/// parent's *first* skip. A parent whose error exit shares cleanup with its
/// success path (`goto free_map` ending in the same `kfree()` and
/// `bpf_token_put()` the good run makes later) skips work more than once:
/// the error is already made at the first skip; the later ones are the
/// shared cleanup passing over the rest of the good run's work.
fn outermost<'p>(b: &Side<'_>, among: impl Iterator<Item = &'p Point> + Clone) -> Option<Point> {
    let last = among.clone().max_by_key(|p| pos(b, p))?;
    among
        .filter(|p| p.p == last.p)
        .min_by_key(|p| pos(b, p))
        .copied()
}

/// The outermost of the points whose parent is the split's parent or one
/// of its callers, when the split stays apart (else `None`: every point
/// may be the outermost).
fn on_the_way_up(b: &Side<'_>, pts: &[Point], div: Option<&Divergence>) -> Option<Point> {
    let d = div.filter(|d| !d.hidden && !d.reconverges)?;
    let split = d.parent.1;
    outermost(
        b,
        pts.iter().filter(|p| p.p == split || inside(b, split, p.p)),
    )
}

/// From the point `top` down through the points nested in each `l`; also
/// the deepest point reached, when below `top`'s parent.
///
/// Where nothing is nested in `l` but the runs part for good (`split`, the
/// parting's parent) in an earlier call of the same parent, the chain goes
/// down there instead: `l` is work both runs do after the error is born
/// (`__sock_create()` calls `module_put()` whether `inet_create()` failed
/// or not), and the error is born at or after the parting. Such an `l`
/// stays a candidate, after its parent's own code.
fn chain(
    b: &Side<'_>,
    pts: &[Point],
    top: Point,
    split: Option<u32>,
) -> (Vec<OriginCandidate>, Option<Point>) {
    let mut deep = top;
    let mut passed: Vec<(u32, u32)> = Vec::new();
    while let Some(l) = deep.l {
        let nested = outermost(b, pts.iter().filter(|p| p.p == l || inside(b, p.p, l)));
        let earlier = || {
            let s = split?;
            let before =
                |p: &&Point| inside(b, p.p, deep.p) && p.p < l && (p.p == s || inside(b, s, p.p));
            outermost(b, pts.iter().filter(before))
        };
        match nested {
            Some(next) => deep = next,
            None => match earlier() {
                Some(next) => {
                    passed.push((deep.p, l));
                    deep = next;
                }
                None => break,
            },
        }
    }
    let mut out = Vec::new();
    let mut after = deep.l;
    if let Some(l) = deep.l {
        out.push(cand(l, Role::LastShared, None));
    }
    // Own code of every call from the deepest point's parent up to the
    // latest point's parent.
    let stop = b.tree.nodes[top.p as usize].parent;
    let mut n = deep.p;
    while n != u32::MAX && n != stop {
        out.push(cand(n, Role::OwnCode, after));
        if let Some(&(_, l)) = passed.iter().find(|(p, _)| *p == n) {
            out.push(cand(l, Role::LastShared, None));
        }
        after = Some(n);
        n = b.tree.nodes[n as usize].parent;
    }
    (out, (deep.p != top.p).then_some(deep))
}

fn cand(node: u32, role: Role, after: Option<u32>) -> OriginCandidate {
    OriginCandidate {
        node,
        role,
        after,
        turns_aside: false,
    }
}

/// Whether bad call `n` makes traced calls of its own (noise and
/// interrupts aside).
fn makes_calls(b: &Side<'_>, n: u32) -> bool {
    b.tree
        .children(n as usize)
        .any(|k| !b.noise[k] && !b.irq[k])
}

/// No skipped work at all (the good run does nothing the bad run does
/// not): the divergence is the only lead.
fn fallback(b: &Side<'_>, div: Option<&Divergence>) -> Vec<OriginCandidate> {
    let Some(d) = div else { return Vec::new() };
    if d.hidden {
        return after_last_call(b, d.last_common.map_or(d.parent.1, |(_, bn)| bn));
    }
    let mut out = Vec::new();
    if let Some((_, l)) = d.last_common {
        out.push(cand(l, Role::LastShared, None));
    }
    out.push(cand(d.parent.1, Role::OwnCode, d.last_common.map(|x| x.1)));
    out
}

/// Every traced call pairs and the last one both runs make is `last`: the
/// error is what it returned (or made below it, when the capture's depth
/// cut its callees off), or it is made after it returned, in the own code
/// of a caller (the seed case: `map_create()` inlined into
/// `__x64_sys_bpf()` after `bpf_check_uarg_tail_zero()` returned). Each
/// caller's own code after its callee returned, from the deepest up.
fn after_last_call(b: &Side<'_>, last: u32) -> Vec<OriginCandidate> {
    let nodes = &b.tree.nodes;
    let mut out = vec![cand(last, Role::LastShared, None)];
    let (mut after, mut n) = (last, nodes[last as usize].parent);
    while n != u32::MAX {
        if !b.noise[n as usize] {
            out.push(cand(n, Role::OwnCode, Some(after)));
            after = n;
        }
        n = nodes[n as usize].parent;
    }
    out
}

/// Whether the candidate lies wholly before the first parting in the bad
/// run's call order: the parting chosen is the first that stays apart, so
/// an earlier difference that met again (7.3's `map_create()` skipping
/// `array_map_alloc()` and rejoining at the shared cleanup) can hold the
/// error. The last common call itself is *at* the parting.
pub fn before_parting(b: &Side<'_>, c: &OriginCandidate, d: &Divergence) -> bool {
    let nodes = &b.tree.nodes;
    let at = match d.last_common {
        Some((_, bn)) if bn != d.parent.1 => nodes[bn as usize].end,
        _ => d.parent.1 + 1,
    };
    c.role != Role::BelowDepth && nodes[c.node as usize].end < at
}

/// Whether the bad run's first traced call after the candidate's point
/// (inside it) is one the good run does not make.
fn turns_aside(b: &Side<'_>, c: &OriginCandidate, bad_to_good: &[Option<u32>]) -> bool {
    let t = b.tree;
    let next = t
        .children(c.node as usize)
        .filter(|&k| !b.noise[k])
        .find(|&k| {
            c.after
                .is_none_or(|a| k as u32 > a && !inside(b, k as u32, a))
        });
    next.is_some_and(|k| bad_to_good[k].is_none())
}
