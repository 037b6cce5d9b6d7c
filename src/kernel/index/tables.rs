//! Tables built by macro lists: a header that is nothing but
//! `BPF_MAP_TYPE(BPF_MAP_TYPE_XSKMAP, xsk_map_ops)` lines, included by code
//! that defines the macro to build an array. An entry under
//! `#if defined(CONFIG_XDP_SOCKETS)` is what registers `xsk_map_ops`, and
//! with it `xsk_map_alloc`: the gate sits in the table, not in the function.

use serde::{Deserialize, Serialize};

use super::ifdef::CondBlock;

/// One line of a macro table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableEntry {
    /// File id in the index.
    pub file: u32,
    /// 1-based line.
    pub line: u32,
    /// The line as written.
    pub text: String,
    /// The macro (`BPF_MAP_TYPE`).
    pub table: String,
    /// Its identifier arguments.
    pub args: Vec<String>,
    /// The `CONFIG_` conditions around it, outermost first.
    pub conds: Vec<CondBlock>,
}

/// A line that is one upper-case macro call with identifier arguments:
/// `(macro, args)`.
pub fn macro_line(line: &str) -> Option<(&str, Vec<&str>)> {
    let t = line.trim().trim_end_matches(';').trim_end();
    let open = t.find('(')?;
    let name = &t[..open];
    if name.len() < 2
        || !name
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        || !t.ends_with(')')
    {
        return None;
    }
    let inner = &t[open + 1..t.len() - 1];
    let args: Vec<&str> = inner
        .split(',')
        .map(str::trim)
        .filter(|a| {
            !a.is_empty()
                && a.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                && !a.as_bytes()[0].is_ascii_digit()
        })
        .collect();
    (args.len() >= 2).then_some((name, args))
}

/// The macro-table lines of `text`, as `(line, text, macro, args)`.
pub fn scan(text: &str) -> Vec<(u32, String, String, Vec<String>)> {
    text.lines()
        .enumerate()
        .filter_map(|(i, l)| {
            let (m, args) = macro_line(l)?;
            Some((
                u32::try_from(i + 1).unwrap_or(u32::MAX),
                l.trim().to_string(),
                m.to_string(),
                args.into_iter().map(str::to_string).collect(),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_lines() {
        assert_eq!(
            macro_line("BPF_MAP_TYPE(BPF_MAP_TYPE_XSKMAP, xsk_map_ops)"),
            Some(("BPF_MAP_TYPE", vec!["BPF_MAP_TYPE_XSKMAP", "xsk_map_ops"]))
        );
        assert_eq!(macro_line("#define BPF_MAP_TYPE(_id, _ops)"), None);
        assert_eq!(macro_line("return foo(a, b);"), None);
        assert_eq!(macro_line("EXPORT_SYMBOL(x);"), None);
    }
}
