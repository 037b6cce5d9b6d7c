//! The `#if` structure of a C file or header: which `CONFIG_` conditions
//! hold around each line. Only the preprocessor lines are parsed (nom): the
//! conditions live there, not in the C grammar.

use nom::{
    IResult, Parser,
    bytes::complete::{tag, take_while, take_while1},
    character::complete::space0,
};
use serde::{Deserialize, Serialize};

/// A branch of a conditional that names a `CONFIG_` symbol.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CondBlock {
    /// The directive's line (1-based).
    pub line: u32,
    /// The line closing the branch (`#else`, `#elif` or `#endif`).
    pub end: u32,
    /// The directive as written (for `#else`, the `#if` it belongs to).
    pub text: String,
    /// The `CONFIG_` symbols it tests.
    pub symbols: Vec<String>,
    /// The code is built when the test is false (`#else`, `#ifndef`).
    pub negated: bool,
}

/// A preprocessor directive that opens, switches or closes a conditional.
#[derive(Debug, PartialEq, Eq)]
enum Directive<'a> {
    If(&'a str, bool),
    Elif(&'a str),
    Else,
    Endif,
}

fn directive(line: &str) -> IResult<&str, Directive<'_>> {
    let (rest, (_, _, _, word, _)) = (
        space0,
        tag("#"),
        space0,
        take_while1(|c: char| c.is_ascii_alphabetic()),
        space0,
    )
        .parse(line)?;
    let (rest, arg) = take_while(|_| true).parse(rest)?;
    let d = match word {
        "if" => Directive::If(arg, false),
        "ifdef" => Directive::If(arg, false),
        "ifndef" => Directive::If(arg, true),
        "elif" | "elifdef" | "elifndef" => Directive::Elif(arg),
        "else" => Directive::Else,
        "endif" => Directive::Endif,
        _ => {
            return Err(nom::Err::Error(nom::error::Error::new(
                line,
                nom::error::ErrorKind::Tag,
            )));
        }
    };
    Ok((rest, d))
}

/// The `CONFIG_` identifiers in an expression (`IS_ENABLED(CONFIG_X)`,
/// `defined(CONFIG_X_MODULE)` → `CONFIG_X`).
pub fn config_symbols(expr: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let bytes = expr.as_bytes();
    let mut i = 0;
    while let Some(off) = expr[i..].find("CONFIG_") {
        let start = i + off;
        let boundary =
            start == 0 || !(bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_');
        let mut end = start;
        while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
            end += 1;
        }
        if boundary && end > start + 7 {
            let s = &expr[start..end];
            let s = s.strip_suffix("_MODULE").unwrap_or(s).to_string();
            if !out.contains(&s) {
                out.push(s);
            }
        }
        i = end.max(start + 7);
    }
    out
}

/// Open conditional while scanning.
struct Open {
    line: u32,
    text: String,
    symbols: Vec<String>,
    negated: bool,
}

/// Every branch of every conditional in `text` that tests a `CONFIG_`
/// symbol. Unbalanced directives (a damaged file) close at the end.
pub fn scan(text: &str) -> Vec<CondBlock> {
    let mut out = Vec::new();
    let mut stack: Vec<(Open, String)> = Vec::new(); // (branch, opening text)
    for (first, line) in super::lines::logical(text, "") {
        let Ok((_, d)) = directive(&line) else {
            continue;
        };
        match d {
            Directive::If(expr, negated) => {
                let t = line.trim().to_string();
                let open = Open {
                    line: first,
                    text: t.clone(),
                    symbols: config_symbols(expr),
                    negated,
                };
                stack.push((open, t));
            }
            Directive::Elif(expr) => {
                if let Some((open, opening)) = stack.pop() {
                    close(&mut out, open, first);
                    let t = line.trim().to_string();
                    stack.push((
                        Open {
                            line: first,
                            text: t,
                            symbols: config_symbols(expr),
                            negated: false,
                        },
                        opening,
                    ));
                }
            }
            Directive::Else => {
                if let Some((open, opening)) = stack.pop() {
                    let symbols = open.symbols.clone();
                    let negated = !open.negated;
                    close(&mut out, open, first);
                    let text = format!("#else of `{opening}`");
                    stack.push((
                        Open {
                            line: first,
                            text,
                            symbols,
                            negated,
                        },
                        opening,
                    ));
                }
            }
            Directive::Endif => {
                if let Some((open, _)) = stack.pop() {
                    close(&mut out, open, first);
                }
            }
        }
    }
    let last = u32::try_from(text.lines().count()).unwrap_or(u32::MAX);
    while let Some((open, _)) = stack.pop() {
        close(&mut out, open, last);
    }
    out.sort_by_key(|b| b.line);
    out
}

fn close(out: &mut Vec<CondBlock>, open: Open, end: u32) {
    if open.symbols.is_empty() {
        return;
    }
    out.push(CondBlock {
        line: open.line,
        end,
        text: open.text,
        symbols: open.symbols,
        negated: open.negated,
    });
}

/// The blocks around line `n`, outermost first.
pub fn around(blocks: &[CondBlock], n: u32) -> impl Iterator<Item = &CondBlock> {
    blocks.iter().filter(move |b| b.line < n && n < b.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_in_expressions() {
        assert_eq!(
            config_symbols("defined(CONFIG_XDP_SOCKETS)"),
            ["CONFIG_XDP_SOCKETS"]
        );
        assert_eq!(
            config_symbols("IS_ENABLED(CONFIG_NET) && !defined(CONFIG_FOO_MODULE)"),
            ["CONFIG_NET", "CONFIG_FOO"]
        );
        assert!(config_symbols("_LINUX_BPF_TYPES_H").is_empty());
        assert!(config_symbols("MYCONFIG_X").is_empty());
    }

    #[test]
    fn branches_and_lines() {
        let text = "#ifndef _H\n#ifdef CONFIG_NET\nA\n#if defined(CONFIG_XDP_SOCKETS)\nB\n#endif\n#else\nC\n#endif\n#endif\n";
        let b = scan(text);
        let at = |n| {
            around(&b, n)
                .map(|b| (b.text.clone(), b.negated))
                .collect::<Vec<_>>()
        };
        assert_eq!(at(3), [("#ifdef CONFIG_NET".to_string(), false)]);
        assert_eq!(
            at(5),
            [
                ("#ifdef CONFIG_NET".to_string(), false),
                ("#if defined(CONFIG_XDP_SOCKETS)".to_string(), false)
            ]
        );
        assert_eq!(at(8), [("#else of `#ifdef CONFIG_NET`".to_string(), true)]);
        assert!(at(1).is_empty());
    }
}
