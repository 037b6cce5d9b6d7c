//! Ranked causes: every config option that differs between the good and
//! the bad kernel, scored by how directly it gates code on the error path.
//!
//! Strongest: it gates a function the good run called past the split that
//! the bad kernel lacks. Next: it gates a table entry or a callback beside
//! one the good run used (`xsk_map_alloc` beside `array_map_alloc`) whose
//! functions the bad kernel lacks. Weak: it gates many functions the bad
//! kernel lacks elsewhere. With a source index the ties are Makefile and
//! `#if` lines; without one, names only, scored lower and said so.
//!
//! Kernels far apart (a distribution's kernel against a small one) differ
//! on the error path in checks too: security hooks, capability checks,
//! hardened usercopy. Compiled out, such a check lets the call through, so
//! its absence cannot fail the bad run; those ties count little. Options
//! that only inline or uninline code explain nothing.

use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::kernel::{ConfigValue, KernelFacts, index::KernelIndex};

use super::{
    cause_links::{self, Evidence, EvidenceKind},
    kdiff::{ConfigDiff, KernelDiff},
    knames,
};

/// What a cause's score rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Basis {
    /// Makefile, `#if` and table lines of a source index.
    Source,
    /// Function and option names only (weaker).
    Names,
}

impl Basis {
    /// The words a table cell shows.
    pub fn label(self) -> &'static str {
        match self {
            Basis::Source => "source",
            Basis::Names => "names (weaker)",
        }
    }
}

/// One ranked option.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cause {
    /// `CONFIG_XDP_SOCKETS`.
    pub config: String,
    /// Its value in the good kernel (`y`, `m`, `is not set`, or the value).
    pub good_value: String,
    /// In the bad kernel.
    pub bad_value: String,
    /// 0..1, higher is more direct.
    pub score: f64,
    /// What the score rests on.
    pub basis: Basis,
    /// The function that ties it closest to the error path.
    pub function: Option<String>,
    /// The facts, config lines first.
    pub evidence: Vec<Evidence>,
}

/// A call one run made past the split: name and capture line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastCall {
    /// Function.
    pub func: String,
    /// Line in the capture.
    pub line: u64,
}

/// What the ranking looks at.
pub struct CauseInput<'a> {
    /// The good kernel.
    pub good: &'a KernelFacts,
    /// The bad kernel.
    pub bad: &'a KernelFacts,
    /// The good capture's path (trace evidence cites it).
    pub good_capture: &'a str,
    /// Calls the good run made past the split, in order.
    pub good_past: &'a [PastCall],
    /// Calls the bad run made past the split.
    pub bad_past: &'a [PastCall],
    /// Whole-kernel differences.
    pub diff: &'a KernelDiff,
    /// The source index, if any.
    pub index: Option<&'a KernelIndex>,
}

/// At most this many causes are reported.
pub const MAX_CAUSES: usize = 10;

/// Scores of the three kinds of tie.
const DIRECT: f64 = 1.0;
const SIBLING: f64 = 0.75;
const BREADTH: f64 = 0.3;
/// Names only: a tie by name counts this much of one by source.
const NAMES_ONLY: f64 = 0.6;
/// A permission or hardening check the bad kernel lacks counts this much:
/// compiled out, it lets the call through, so its absence fails nothing.
const PERMISSIVE: f64 = 0.2;

/// One option's best tie of each kind.
#[derive(Default)]
struct Ties {
    direct: f64,
    sibling: f64,
    breadth: f64,
    function: Option<String>,
    evidence: Vec<Evidence>,
}

/// A function the bad kernel lacks, tied to the error path.
struct Target {
    func: String,
    /// Called by the good run itself (else a sibling of such a call).
    direct: bool,
    /// `DIRECT` or `SIBLING`, lowered for a permissive check.
    weight: f64,
    /// The bad kernel's list is known to lack it (else: no list given).
    known_absent: bool,
    /// Why it is on the error path.
    why: Vec<Evidence>,
}

impl Target {
    /// `weight`, lowered for a check whose absence lets calls through (the
    /// fact is added to `why`).
    fn new(func: String, weight: f64, known_absent: bool, mut why: Vec<Evidence>) -> Self {
        let lowered = match knames::permissive_check(&func) {
            Some(what) => {
                why.push(Evidence {
                    kind: EvidenceKind::Name,
                    text: format!(
                        "`{func}()` is {what}: compiled out, it lets the call through, so its absence cannot fail the call"
                    ),
                    file: None,
                    line: None,
                });
                weight * PERMISSIVE
            }
            None => weight,
        };
        Target {
            direct: weight == DIRECT,
            func,
            weight: lowered,
            known_absent,
            why,
        }
    }
}

/// The ranked causes (empty without both configs).
pub fn causes(input: &CauseInput<'_>) -> Vec<Cause> {
    if !input.diff.have_config {
        return Vec::new();
    }
    let vocab = knames::Vocab::of(
        [input.good, input.bad]
            .into_iter()
            .filter_map(|k| k.config.as_ref())
            .flat_map(|c| c.options.keys().map(String::as_str)),
    );
    let targets = targets(input);
    let breadth = breadth(input, &vocab);
    let mut out: Vec<Cause> = input
        .diff
        .config
        .iter()
        .filter_map(|d| rank(input, d, &targets, breadth.get(d.name.as_str()), &vocab))
        .collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.config.cmp(&b.config)));
    out.truncate(MAX_CAUSES);
    out
}

fn lacks(facts: &KernelFacts, func: &str) -> Option<bool> {
    facts.functions.as_ref().map(|l| !l.contains(func))
}

/// Functions on the error path the bad kernel lacks: called by the good
/// run past the split (direct), or sharing a callback role or a table with
/// one it called (siblings).
fn targets(input: &CauseInput<'_>) -> Vec<Target> {
    let mut out: Vec<Target> = Vec::new();
    let bad_list = input
        .bad
        .functions
        .as_ref()
        .map(|l| l.path.clone())
        .unwrap_or_default();
    for c in input.good_past {
        if out.iter().any(|t| t.func == c.func) || lacks(input.bad, &c.func) == Some(false) {
            continue;
        }
        let mut why = vec![Evidence::at(
            EvidenceKind::Trace,
            format!("the good run called `{}()` past the split", c.func),
            input.good_capture,
            u32::try_from(c.line).ok(),
        )];
        let known_absent = lacks(input.bad, &c.func) == Some(true);
        if known_absent {
            why.push(absent(&c.func, &bad_list));
        }
        out.push(Target::new(c.func.clone(), DIRECT, known_absent, why));
    }
    siblings(input, &mut out, &bad_list);
    out
}

fn absent(func: &str, list: &str) -> Evidence {
    Evidence::at(
        EvidenceKind::FunctionList,
        format!("`{func}` is absent from the bad kernel's function list"),
        list,
        None,
    )
}

/// Functions only the good kernel has that play the role of one the good
/// run called (`xsk_map_alloc` ~ `array_map_alloc`), or sit in the same
/// macro table's entries (with an index).
fn siblings(input: &CauseInput<'_>, out: &mut Vec<Target>, bad_list: &str) {
    let mut roles: FxHashMap<String, &str> = FxHashMap::default();
    // A check's siblings are checks of other objects: no more on the error
    // path than the check itself.
    for c in input
        .good_past
        .iter()
        .filter(|c| knames::permissive_check(&c.func).is_none())
    {
        for r in knames::roles(&c.func) {
            roles.entry(r).or_insert(&c.func);
        }
    }
    for f in &input.diff.only_good {
        if out.iter().any(|t| &t.func == f) || out.len() > 400 {
            continue;
        }
        let Some(called) = knames::roles(f).iter().find_map(|r| roles.get(r).copied()) else {
            continue;
        };
        let why = vec![
            Evidence::at(
                EvidenceKind::Trace,
                format!(
                    "the good run called `{called}()` past the split; `{f}` plays the same role"
                ),
                input.good_capture,
                input
                    .good_past
                    .iter()
                    .find(|c| c.func == called)
                    .and_then(|c| u32::try_from(c.line).ok()),
            ),
            absent(f, bad_list),
        ];
        out.push(Target::new(f.clone(), SIBLING, true, why));
    }
    let Some(idx) = input.index else { return };
    for c in input.good_past.iter().take(64) {
        for (entry, ops, funcs) in cause_links::table_siblings(idx, &c.func) {
            let Some(f) = funcs
                .into_iter()
                .find(|f| lacks(input.bad, f) == Some(true))
            else {
                continue;
            };
            if out.iter().any(|t| t.func == f) {
                continue;
            }
            let why = vec![
                Evidence::at(
                    EvidenceKind::Trace,
                    format!(
                        "the good run called `{}()`, registered by `{entry}`; the same table registers `{ops}`",
                        c.func
                    ),
                    input.good_capture,
                    u32::try_from(c.line).ok(),
                ),
                absent(&f, bad_list),
            ];
            out.push(Target::new(f, SIBLING, true, why));
        }
    }
}

/// How many functions only one kernel has each option ties to (by the
/// index's gates, else by name prefix): `(good-only side, bad-only side)`.
fn breadth<'a>(
    input: &'a CauseInput<'a>,
    vocab: &knames::Vocab,
) -> FxHashMap<&'a str, (usize, usize)> {
    let mut m: FxHashMap<&str, (usize, usize)> = FxHashMap::default();
    let options: Vec<(&str, Vec<String>)> = input
        .diff
        .config
        .iter()
        .map(|d| (d.name.as_str(), knames::option_tokens(&d.name)))
        .collect();
    let names: FxHashMap<&str, ()> = options.iter().map(|(o, _)| (*o, ())).collect();
    for (side, list) in [(0, &input.diff.only_good), (1, &input.diff.only_bad)] {
        let mut prefixes: FxHashMap<&str, usize> = FxHashMap::default();
        for f in list.iter() {
            match input.index {
                Some(idx) => {
                    let mut seen: Vec<&str> = Vec::new();
                    for d in idx.defs(f) {
                        for s in gate_symbols(idx, d.1, d.2) {
                            if let Some((o, _)) = names.get_key_value(s) {
                                if !seen.contains(o) {
                                    seen.push(o);
                                    bump(&mut m, o, side, 1);
                                }
                            }
                        }
                    }
                }
                None => *prefixes.entry(knames::prefix(f)).or_default() += 1,
            }
        }
        for (p, n) in prefixes {
            let first = p.bytes().next().map(|b| b.to_ascii_lowercase());
            for (o, toks) in &options {
                if toks.first().and_then(|t| t.bytes().next()) != first {
                    continue;
                }
                if knames::link(toks, p, vocab).is_some_and(|(w, _)| w >= 0.99) {
                    bump(&mut m, o, side, n);
                }
            }
        }
    }
    m
}

fn bump<'a>(m: &mut FxHashMap<&'a str, (usize, usize)>, o: &'a str, side: usize, n: usize) {
    let e = m.entry(o).or_default();
    if side == 0 { e.0 += n } else { e.1 += n }
}

/// Every `CONFIG_` symbol that gates a definition: its file's Kbuild chain
/// and the `#if` blocks around it.
fn gate_symbols(idx: &KernelIndex, file: u32, line: u32) -> impl Iterator<Item = &str> {
    let f = idx.file(file);
    f.gate
        .iter()
        .flat_map(|s| s.symbols.iter())
        .chain(crate::kernel::index::ifdef::around(&f.conds, line).flat_map(|c| c.symbols.iter()))
        .map(String::as_str)
}

/// Tie `option` to `func`: by the index when it can, else by name.
fn link(
    index: Option<&KernelIndex>,
    option: &str,
    toks: &[String],
    func: &str,
    vocab: &knames::Vocab,
) -> Option<(f64, Vec<Evidence>, Basis)> {
    if let Some((w, ev)) = index.and_then(|i| cause_links::source_link(i, option, func)) {
        return Some((w, ev, Basis::Source));
    }
    let (w, ev) = cause_links::name_link(toks, option, func, vocab)?;
    Some((w * NAMES_ONLY, vec![ev], Basis::Names))
}

/// How much a change of value can explain missing code: off in the bad
/// kernel fully, built-in → module half (a module not loaded lists no
/// functions), other changes not at all.
fn polarity(d: &ConfigDiff) -> (f64, bool) {
    match (&d.good, &d.bad) {
        (g, ConfigValue::Unset) if g.builds() => (1.0, true),
        (ConfigValue::Unset, b) if b.builds() => (1.0, false),
        (ConfigValue::Y, ConfigValue::M) => (0.5, true),
        (ConfigValue::M, ConfigValue::Y) => (0.5, false),
        _ => (0.0, true),
    }
}

fn config_evidence(input: &CauseInput<'_>, d: &ConfigDiff) -> Vec<Evidence> {
    let mut ev = Vec::new();
    for (facts, line, which) in [
        (input.good, &d.good_line, "good"),
        (input.bad, &d.bad_line, "bad"),
    ] {
        let Some(cfg) = &facts.config else { continue };
        let text = match line {
            Some((_, t)) => format!("the {which} kernel's config: `{t}`"),
            None => format!(
                "the {which} kernel's config does not name {} (unset)",
                d.name
            ),
        };
        ev.push(Evidence::at(
            EvidenceKind::Config,
            text,
            &cfg.path,
            line.as_ref().map(|l| l.0),
        ));
    }
    ev
}

fn rank(
    input: &CauseInput<'_>,
    d: &ConfigDiff,
    targets: &[Target],
    breadth: Option<&(usize, usize)>,
    vocab: &knames::Vocab,
) -> Option<Cause> {
    let (pol, good_side) = polarity(d);
    let toks = knames::option_tokens(&d.name);
    if pol == 0.0 || knames::inlining_only(&toks) {
        return None;
    }
    let mut ties = Ties::default();
    let mut best = 0.0;
    let mut basis = if input.index.is_some() {
        Basis::Source
    } else {
        Basis::Names
    };
    for t in targets.iter().filter(|_| good_side) {
        let Some((w, ev, b)) = link(input.index, &d.name, &toks, &t.func, vocab) else {
            continue;
        };
        let s = t.weight * w * if t.known_absent { 1.0 } else { 0.5 };
        if t.direct {
            ties.direct = ties.direct.max(s)
        } else {
            ties.sibling = ties.sibling.max(s)
        }
        if s > best {
            best = s;
            basis = b;
            ties.function = Some(t.func.clone());
            ties.evidence = t.why.iter().cloned().chain(ev).collect();
        }
    }
    let n = breadth.map_or(0, |b| if good_side { b.0 } else { b.1 });
    let scale = if input.index.is_some() {
        1.0
    } else {
        NAMES_ONLY
    };
    ties.breadth = BREADTH * scale * (n as f64 / 20.0).min(1.0);
    let score = pol * (1.0 - (1.0 - ties.direct) * (1.0 - ties.sibling) * (1.0 - ties.breadth));
    if score <= 0.0 {
        return None;
    }
    let mut evidence = config_evidence(input, d);
    evidence.extend(ties.evidence);
    if n > 0 {
        let side = if good_side {
            "only the good kernel has"
        } else {
            "only the bad kernel has"
        };
        evidence.push(Evidence {
            kind: if input.index.is_some() {
                EvidenceKind::Makefile
            } else {
                EvidenceKind::Name
            },
            text: format!(
                "{} ties to {} {side}",
                d.name,
                super::prose::plural(n as u64, "function")
            ),
            file: None,
            line: None,
        });
    }
    Some(Cause {
        config: d.name.clone(),
        good_value: d.good.text(),
        bad_value: d.bad.text(),
        score: (score * 100.0).round() / 100.0,
        basis,
        function: ties.function,
        evidence,
    })
}
