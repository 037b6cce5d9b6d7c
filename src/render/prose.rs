//! [`Prose`] as text: plain (JSON, terminal), Markdown and HTML, each
//! escaping trace-derived text its own way; and the escapes themselves.

use std::fmt::Write as _;

use crate::analyse::prose::{Prose, Span};

use super::{format::duration_short, units::Nanos};

/// Plain text, code in backticks (for JSON and terminals).
pub fn plain(p: &Prose) -> String {
    let mut out = String::new();
    for s in &p.0 {
        match s {
            Span::Text(t) | Span::Strong(t) => out.push_str(t),
            Span::Code(c) => {
                let _ = write!(out, "`{c}`");
            }
            Span::Duration(ns) => out.push_str(&duration_short(Nanos(*ns))),
        }
    }
    out
}

/// Markdown: code spans fenced with enough backticks, text escaped.
pub fn markdown(p: &Prose) -> String {
    let mut out = String::new();
    for s in &p.0 {
        match s {
            Span::Text(t) => out.push_str(&md_escape(t)),
            Span::Strong(t) => {
                let _ = write!(out, "**{}**", md_escape(t));
            }
            Span::Code(c) => out.push_str(&md_code(c)),
            Span::Duration(ns) => out.push_str(&duration_short(Nanos(*ns))),
        }
    }
    out
}

/// HTML with every piece escaped (the verdict's form without source links).
pub fn html(p: &Prose) -> String {
    super::source::prose_html(p, None)
}

/// Split a string whose code is marked with backticks (`like this`)
/// into spans. Unbalanced backticks leave the rest as text.
pub fn from_ticks(s: &str) -> Prose {
    let mut p = Prose::default();
    let mut rest = s;
    while let Some(a) = rest.find('`') {
        let Some(b) = rest[a + 1..].find('`') else {
            break;
        };
        if a > 0 {
            p.text(&rest[..a]);
        }
        p.code(&rest[a + 1..a + 1 + b]);
        rest = &rest[a + 2 + b..];
    }
    if !rest.is_empty() {
        p.text(rest);
    }
    p
}

/// Escape text for HTML element content and attribute values.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Escape Markdown punctuation and raw HTML in running text.
pub fn md_escape(s: &str) -> String {
    super::untrusted::md_text(s)
}

/// A Markdown code span ([`super::untrusted::md_code`]).
pub fn md_code(s: &str) -> String {
    super::untrusted::md_code(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_stay_text() {
        let mut p = Prose::default();
        p.text("a <b> ")
            .code("</script><script>alert(1)</script>")
            .strong("x&y");
        assert_eq!(
            html(&p),
            "a &lt;b&gt; <code>&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;</code><strong>x&amp;y</strong>"
        );
        // Rendered as Markdown, the code span stays text.
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(&markdown(&p)));
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
    }

    #[test]
    fn code_spans_with_backticks() {
        assert_eq!(md_code("f"), "`f`");
        assert_eq!(md_code("a`b"), "``a`b``");
        assert_eq!(md_code("`x"), "`` `x ``");
    }
}
