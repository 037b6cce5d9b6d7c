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
    super::source::prose_markdown(p, None)
}

/// HTML with every piece escaped (the verdict's form without source links).
pub fn html(p: &Prose) -> String {
    super::source::prose_html(p, None)
}

/// Split a string whose code is marked with backticks into spans.
pub fn from_ticks(s: &str) -> Prose {
    Prose::from_ticks(s)
}

/// Escape text for HTML element content and attribute values.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match html_entity(ch) {
            Some(e) => out.push_str(e),
            None => out.push(ch),
        }
    }
    out
}

/// The entity that stands for `ch` in HTML text and attribute values, if
/// it needs one.
pub fn html_entity(ch: char) -> Option<&'static str> {
    Some(match ch {
        '&' => "&amp;",
        '<' => "&lt;",
        '>' => "&gt;",
        '"' => "&quot;",
        '\'' => "&#39;",
        _ => return None,
    })
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
}
