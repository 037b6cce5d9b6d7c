//! A kernel's function list: `available_filter_functions` (what ftrace can
//! trace), its `_addrs` variant, `/proc/kallsyms` or `System.map` (every
//! text symbol). A function missing from the list was inlined, marked
//! notrace, or not built — which of the three is what the config and the
//! source index decide.

use rustc_hash::FxHashMap;

/// Which kind of list a file is, told by its lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FunctionListKind {
    /// `available_filter_functions` (`name` or `name [module]`).
    FilterFunctions,
    /// `available_filter_functions_addrs` (`ffffffff81001000 name`).
    FilterFunctionsAddrs,
    /// `/proc/kallsyms` or `System.map` (`ffffffff81000000 T name`): text
    /// symbols only are kept; notrace functions are in it too.
    Symbols,
}

impl FunctionListKind {
    /// How the report names it.
    pub fn describe(self) -> &'static str {
        match self {
            FunctionListKind::FilterFunctions => "available_filter_functions",
            FunctionListKind::FilterFunctionsAddrs => "available_filter_functions_addrs",
            FunctionListKind::Symbols => "kallsyms/System.map",
        }
    }
}

/// The functions one kernel has, with the line that lists each (evidence
/// cites it).
#[derive(Debug, Clone, Default)]
pub struct FunctionList {
    /// Where it was read from.
    pub path: String,
    /// What the file is.
    pub kind: Option<FunctionListKind>,
    /// Name → first 1-based line listing it (module suffixes removed).
    pub names: FxHashMap<String, u32>,
}

impl FunctionList {
    /// Whether `func` is listed (suffixes such as `.isra.0` must match
    /// exactly, as the kernel lists them).
    pub fn contains(&self, func: &str) -> bool {
        self.names.contains_key(func)
    }

    /// The line listing `func`.
    pub fn line(&self, func: &str) -> Option<u32> {
        self.names.get(func).copied()
    }

    /// How many functions.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// One line of a function list: the name and the kind of list it belongs
/// to, or `None` for a line no such list has.
pub fn parse_line(line: &str) -> Option<(&str, FunctionListKind)> {
    let mut toks = line.split_whitespace();
    let first = toks.next()?;
    let rest: Vec<&str> = toks.collect();
    let is_module = |t: &str| t.starts_with('[') && t.ends_with(']');
    let is_addr = |t: &str| t.len() >= 8 && t.bytes().all(|b| b.is_ascii_hexdigit());
    let symbol_ok = |t: &str| {
        !t.is_empty()
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_.$".contains(&b))
            && !t.as_bytes()[0].is_ascii_digit()
    };
    match rest.as_slice() {
        [] if symbol_ok(first) => Some((first, FunctionListKind::FilterFunctions)),
        [m] if is_module(m) && symbol_ok(first) => Some((first, FunctionListKind::FilterFunctions)),
        [name] if is_addr(first) && symbol_ok(name) => {
            Some((name, FunctionListKind::FilterFunctionsAddrs))
        }
        [name, m] if is_addr(first) && is_module(m) && symbol_ok(name) => {
            Some((name, FunctionListKind::FilterFunctionsAddrs))
        }
        [ty, name] | [ty, name, _] if is_addr(first) && ty.len() == 1 && symbol_ok(name) => {
            // Only text symbols are functions (`T`, `t`, weak `W`/`w`).
            matches!(*ty, "T" | "t" | "W" | "w")
                .then_some((*name, FunctionListKind::Symbols))
                .or(Some(("", FunctionListKind::Symbols)))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_list_form() {
        use FunctionListKind::*;
        assert_eq!(
            parse_line("xsk_map_alloc"),
            Some(("xsk_map_alloc", FilterFunctions))
        );
        assert_eq!(
            parse_line("nf_nat_ipv4_fn [nf_nat]"),
            Some(("nf_nat_ipv4_fn", FilterFunctions))
        );
        assert_eq!(
            parse_line("ffffffff81001000 do_one_initcall"),
            Some(("do_one_initcall", FilterFunctionsAddrs))
        );
        assert_eq!(
            parse_line("ffffffff81002340 t xsk_map_alloc"),
            Some(("xsk_map_alloc", Symbols))
        );
        // A data symbol is a line of the list, not a function.
        assert_eq!(
            parse_line("ffffffff82a00000 D xsk_map_ops"),
            Some(("", Symbols))
        );
        assert_eq!(parse_line("hello world"), None);
        assert_eq!(parse_line("CONFIG_XDP_SOCKETS=y"), None);
        assert_eq!(parse_line(" 0)   1.262 us    |  f();"), None);
    }
}
