//! Sentences that mix words and code (function names from the trace).
//!
//! Kept as typed spans rather than a Markdown string so every renderer can
//! escape trace-derived text its own way (`render::prose`): a function
//! named `<script>` must stay text in HTML and must not break a Markdown
//! code span. Analysis says *what*; render decides how it reads.

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
    /// A duration, ns.
    Duration(u64),
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

    /// Append a duration (rendered in the reader's unit by render).
    pub fn duration(&mut self, ns: u64) -> &mut Self {
        self.0.push(Span::Duration(ns));
        self
    }

    /// Text whose code is marked with backticks (`like this`), as spans;
    /// an unbalanced backtick leaves the rest as text.
    pub fn from_ticks(s: &str) -> Prose {
        let mut p = Prose::default();
        let mut rest = s;
        while let Some((before, after)) = rest.split_once('`') {
            let Some((code, tail)) = after.split_once('`') else {
                break;
            };
            if !before.is_empty() {
                p.text(before);
            }
            p.code(code);
            rest = tail;
        }
        if !rest.is_empty() {
            p.text(rest);
        }
        p
    }

    /// Append another paragraph's spans.
    pub fn extend(&mut self, other: Prose) -> &mut Self {
        self.0.extend(other.0);
        self
    }

    /// Whether nothing was said.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A space before the next sentence, unless nothing was said yet or the
    /// words so far end in one.
    pub fn gap(&mut self) -> &mut Self {
        let spaced = matches!(self.0.last(), Some(Span::Text(t)) if t.ends_with(' '));
        if !self.is_empty() && !spaced {
            self.text(" ");
        }
        self
    }
}

/// `1 thing`, `n things`.
pub fn plural(n: u64, thing: &str) -> String {
    format!("{n} {thing}{}", if n == 1 { "" } else { "s" })
}
