//! What differs between the good and the bad kernel as a whole: functions
//! one has and the other lacks (grouped by name prefix, and by source file
//! when an index is given), and config options that differ once
//! normalised (`=n`, `# … is not set` and absent are all "unset").

use std::collections::BTreeMap;

use crate::kernel::{ConfigValue, KernelConfig, KernelFacts, index::KernelIndex};

use super::knames;

/// Functions sharing a name prefix or a source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionGroup {
    /// `xsk` or `net/xdp/xskmap.c`.
    pub key: String,
    /// How many.
    pub count: usize,
    /// The first few, sorted.
    pub examples: Vec<String>,
}

/// One option that differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigDiff {
    /// `CONFIG_XDP_SOCKETS`.
    pub name: String,
    /// In the good kernel.
    pub good: ConfigValue,
    /// In the bad kernel.
    pub bad: ConfigValue,
    /// The good config's line for it (`None`: absent).
    pub good_line: Option<(u32, String)>,
    /// The bad config's.
    pub bad_line: Option<(u32, String)>,
}

/// Whole-kernel differences of one comparison.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KernelDiff {
    /// Functions only the good kernel has (both lists given).
    pub only_good: Vec<String>,
    /// Functions only the bad kernel has.
    pub only_bad: Vec<String>,
    /// `only_good` by prefix, biggest first.
    pub only_good_prefixes: Vec<FunctionGroup>,
    /// `only_bad` by prefix.
    pub only_bad_prefixes: Vec<FunctionGroup>,
    /// `only_good` by defining file (with an index).
    pub only_good_files: Vec<FunctionGroup>,
    /// Options that differ (both configs given), sorted by name.
    pub config: Vec<ConfigDiff>,
    /// Both function lists were given.
    pub have_functions: bool,
    /// Both configs were given.
    pub have_config: bool,
}

const EXAMPLES: usize = 8;
const GROUPS: usize = 20;

fn group(names: &[String], key: impl Fn(&str) -> Option<String>) -> Vec<FunctionGroup> {
    let mut m: BTreeMap<String, Vec<&String>> = BTreeMap::new();
    for n in names {
        if let Some(k) = key(n) {
            m.entry(k).or_default().push(n);
        }
    }
    let mut out: Vec<FunctionGroup> = m
        .into_iter()
        .map(|(key, v)| FunctionGroup {
            key,
            count: v.len(),
            examples: v.iter().take(EXAMPLES).map(|s| s.to_string()).collect(),
        })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then(a.key.cmp(&b.key)));
    out.truncate(GROUPS);
    out
}

fn config_diff(g: &KernelConfig, b: &KernelConfig) -> Vec<ConfigDiff> {
    let names: std::collections::BTreeSet<&String> =
        g.options.keys().chain(b.options.keys()).collect();
    names
        .into_iter()
        .filter_map(|n| {
            let (gv, bv) = (g.value(n), b.value(n));
            (gv != bv).then(|| ConfigDiff {
                name: n.clone(),
                good: gv,
                bad: bv,
                good_line: g.options.get(n).map(|e| (e.line, e.text.clone())),
                bad_line: b.options.get(n).map(|e| (e.line, e.text.clone())),
            })
        })
        .collect()
}

/// The differences between two kernels, as far as their facts tell.
pub fn diff(good: &KernelFacts, bad: &KernelFacts, index: Option<&KernelIndex>) -> KernelDiff {
    let mut d = KernelDiff::default();
    if let (Some(g), Some(b)) = (&good.functions, &bad.functions) {
        d.have_functions = true;
        d.only_good = g.names.keys().filter(|n| !b.contains(n)).cloned().collect();
        d.only_bad = b.names.keys().filter(|n| !g.contains(n)).cloned().collect();
        d.only_good.sort();
        d.only_bad.sort();
        d.only_good_prefixes = group(&d.only_good, |n| Some(knames::prefix(n).to_string()));
        d.only_bad_prefixes = group(&d.only_bad, |n| Some(knames::prefix(n).to_string()));
        if let Some(idx) = index {
            d.only_good_files = group(&d.only_good, |n| {
                let mut defs = idx.defs(n);
                let first = defs.next()?;
                // A static name defined in several files names no one file.
                defs.next()
                    .is_none()
                    .then(|| idx.file(first.1).path.clone())
            });
        }
    }
    if let (Some(g), Some(b)) = (&good.config, &bad.config) {
        d.have_config = true;
        d.config = config_diff(g, b);
    }
    d
}
