//! Sentences that mix words and code (function names from the trace).
//!
//! Kept as typed spans rather than a Markdown string so every renderer can
//! escape trace-derived text its own way: a function named `<script>` must
//! stay text in HTML and must not break a Markdown code span.

use std::fmt::Write as _;

/// A piece of a sentence.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", content = "text", rename_all = "lowercase")]
pub enum Span {
    /// Plain words.
    Text(String),
    /// Code: a function name, a value.
    Code(String),
    /// Emphasised words.
    Strong(String),
}

/// A paragraph of spans.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct Prose(pub Vec<Span>);

impl Prose {
    /// Append words.
    pub fn text(&mut self, s: impl Into<String>) -> &mut Self {
        self.0.push(Span::Text(s.into()));
        self
    }

    /// Append code.
    pub fn code(&mut self, s: impl Into<String>) -> &mut Self {
        self.0.push(Span::Code(s.into()));
        self
    }

    /// Append emphasis.
    pub fn strong(&mut self, s: impl Into<String>) -> &mut Self {
        self.0.push(Span::Strong(s.into()));
        self
    }

    /// Append a function name as code, with `()`.
    pub fn func(&mut self, name: &str) -> &mut Self {
        self.code(format!("{name}()"))
    }

    /// Plain text, code in backticks (for JSON and terminals).
    pub fn plain(&self) -> String {
        let mut out = String::new();
        for s in &self.0 {
            match s {
                Span::Text(t) | Span::Strong(t) => out.push_str(t),
                Span::Code(c) => {
                    let _ = write!(out, "`{c}`");
                }
            }
        }
        out
    }

    /// HTML with every piece escaped.
    pub fn html(&self) -> String {
        let mut out = String::new();
        for s in &self.0 {
            match s {
                Span::Text(t) => out.push_str(&html_escape(t)),
                Span::Strong(t) => {
                    let _ = write!(out, "<strong>{}</strong>", html_escape(t));
                }
                Span::Code(c) => {
                    let _ = write!(out, "<code>{}</code>", html_escape(c));
                }
            }
        }
        out
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

    /// Whether nothing was said.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A duration given in µs, in the unit a person reads it in: `7.521 µs`,
/// `12.4 ms`, `3.59 s` (ftrace prints µs up to 7 digits, then drops decimals).
pub fn human_us(us: f64) -> String {
    if us < 1000.0 {
        format!("{us:.3} µs")
    } else if us < 1_000_000.0 {
        format!("{:.3} ms", us / 1000.0)
    } else {
        format!("{:.3} s", us / 1_000_000.0)
    }
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
            p.html(),
            "a &lt;b&gt; <code>&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;</code><strong>x&amp;y</strong>"
        );
    }
}
