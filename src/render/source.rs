//! `--kernel-version`: function names as links to the kernel
//! cross-reference (elixir.bootlin.com) of that version. Links only: the
//! page itself still loads nothing.
//!
//! Also the verdict's [`Prose`] rendered with those links, as HTML and as
//! Markdown.

use std::fmt::Write as _;

use crate::analyse::{Prose, prose::Span};

use super::{
    format::duration_short,
    prose::html_escape,
    units::Nanos,
    untrusted::{md_code, md_text as md_escape},
};

/// The identifier to look up for a function as ftrace prints it:
/// `__sys_bpf()` → `__sys_bpf`, `ext4_foo [ext4]` → `ext4_foo`,
/// `foo.isra.0` / `.constprop.1` / `.part.2` / `.cold` → `foo`. `None` for
/// addresses and anything that is not a C identifier.
pub fn ident(func: &str) -> Option<&str> {
    let s = func.trim();
    let s = s.strip_suffix("()").unwrap_or(s);
    let s = s.split(" [").next().unwrap_or(s);
    let s = s.split('.').next().unwrap_or(s);
    let ok = !s.is_empty()
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    ok.then_some(s)
}

/// The cross-reference URL of `func`, when there is a base and an ident.
pub fn url(base: Option<&str>, func: &str) -> Option<String> {
    Some(format!("{}{}", base?, ident(func)?))
}

/// The verdict as HTML, code spans that name a function linked.
pub fn prose_html(p: &Prose, base: Option<&str>) -> String {
    let mut out = String::new();
    for s in &p.0 {
        match s {
            Span::Text(t) => out.push_str(&html_escape(t)),
            Span::Strong(t) => {
                let _ = write!(out, "<strong>{}</strong>", html_escape(t));
            }
            Span::Code(c) => {
                let code = format!("<code>{}</code>", html_escape(c));
                match url(base, c).filter(|_| c.ends_with("()")) {
                    Some(u) => {
                        let _ = write!(
                            out,
                            "<a class=\"src\" href=\"{}\" rel=\"noopener noreferrer\" target=\"_blank\">{code}</a>",
                            html_escape(&u)
                        );
                    }
                    None => out.push_str(&code),
                }
            }
            Span::Duration(ns) => out.push_str(&duration_short(Nanos(*ns))),
        }
    }
    out
}

/// The verdict as Markdown, code spans that name a function linked.
pub fn prose_markdown(p: &Prose, base: Option<&str>) -> String {
    let mut out = String::new();
    for s in &p.0 {
        match s {
            Span::Text(t) => out.push_str(&md_escape(t)),
            Span::Strong(t) => {
                let _ = write!(out, "**{}**", md_escape(t));
            }
            Span::Code(c) => match url(base, c).filter(|_| c.ends_with("()")) {
                Some(u) => {
                    let _ = write!(out, "[{}]({u})", md_code(c));
                }
                None => out.push_str(&md_code(c)),
            },
            Span::Duration(ns) => out.push_str(&duration_short(Nanos(*ns))),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idents() {
        assert_eq!(ident("__sys_bpf()"), Some("__sys_bpf"));
        assert_eq!(ident("ext4_foo [ext4]"), Some("ext4_foo"));
        assert_eq!(ident("map_create.isra.0"), Some("map_create"));
        assert_eq!(ident("0xffffffff81000000"), None);
        assert_eq!(ident("<script>alert"), None);
        assert_eq!(ident("\"onmouseover=x"), None);
    }

    #[test]
    fn linked_prose() {
        let mut p = Prose::default();
        p.text("then ")
            .func("__sys_bpf")
            .text(" returns ")
            .code("-22");
        let base = Some("https://elixir.bootlin.com/linux/v6.1.90/A/ident/");
        let h = prose_html(&p, base);
        assert!(h.contains(
            "<a class=\"src\" href=\"https://elixir.bootlin.com/linux/v6.1.90/A/ident/__sys_bpf\""
        ));
        assert!(h.contains("<code>-22</code>"));
        assert_eq!(
            prose_markdown(&p, base),
            "then [`__sys_bpf()`](https://elixir.bootlin.com/linux/v6.1.90/A/ident/__sys_bpf) returns `-22`"
        );
        assert_eq!(prose_html(&p, None), super::super::prose::html(&p));
    }
}
