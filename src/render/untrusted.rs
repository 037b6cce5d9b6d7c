//! Text from a capture in outputs that people paste or read raw: Markdown
//! (report.md goes into GitHub and GitLab issues) and terminal messages.
//!
//! A capture may come from a stranger, and every name in it (task, function,
//! syscall, file, marker) is text its producer chose. In Markdown a lone
//! `\r` ends a line (CommonMark), so a name could close a code fence or a
//! table row and start a heading; `|` splits a table cell even inside a code
//! span; and GitHub links `@name` and `#123` in any text that is not code.
//! In a terminal, ESC and OSC sequences rewrite the screen or the title.
//! Everything here keeps such text inert while showing it as it was: control
//! characters become visible escapes, Markdown punctuation is escaped, and a
//! zero-width space (`&#8203;`) keeps a mention, an issue reference or a bare
//! URL from being linked.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Characters shown as escapes: C0 controls but tab, DEL, C1 controls,
/// the Unicode line and paragraph separators, and the bidirectional
/// overrides and isolates (which reorder what a reader sees).
fn hidden(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}')
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// `s` with control characters shown as escapes (`\r`, `\n`, `\x1b`,
/// `\u{202e}`), for terminals and for text that must stay on one line.
pub fn visible(s: &str) -> Cow<'_, str> {
    if !s.chars().any(hidden) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            c if hidden(c) && (c as u32) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if hidden(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// `s` as one terminal line: control characters visible, the line breaks
/// between lines kept (for multi-line messages this program wrote).
pub fn terminal(s: &str) -> String {
    s.split('\n').map(visible).collect::<Vec<_>>().join("\n")
}

/// Running Markdown text (also a table cell): punctuation escaped, raw HTML
/// as entities, mentions, issue references and bare URLs broken.
pub fn md_text(s: &str) -> String {
    let s = visible(s);
    let mut out = String::with_capacity(s.len() + 8);
    let mut chars = s.chars().peekable();
    while let Some(ch) = chars.next() {
        let next = chars.peek().copied();
        match ch {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' => {
                out.push('\\');
                out.push(ch);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            // `@user`, `user@host.tld`: the mention and the e-mail autolink.
            '@' => out.push_str("@&#8203;"),
            // `#123`, `owner/repo#123`.
            '#' if next.is_some_and(|n| n.is_ascii_digit()) => out.push_str("\\#&#8203;"),
            '#' => out.push_str("\\#"),
            // `http://`, `https://…`: the autolink extension.
            ':' if next == Some('/') => out.push_str(":&#8203;"),
            // `www.example.com`.
            // (bytes: the text before may end in a multi-byte character)
            '.' if out.len() >= 3
                && out.as_bytes()[out.len() - 3..].eq_ignore_ascii_case(b"www") =>
            {
                out.push_str("&#8203;.")
            }
            c => out.push(c),
        }
    }
    out
}

/// An inline code span. Content with `|` or control characters becomes a
/// `<code>` element of escaped text instead: a backtick span cannot hide
/// `|` from a table, nor a line break from the block parser.
pub fn md_code(s: &str) -> String {
    if s.contains('|') || s.chars().any(hidden) {
        return format!("<code>{}</code>", md_text(s));
    }
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') || s.is_empty() {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

/// A fenced code block that its content cannot close early: control
/// characters (a lone `\r` is a line ending) are shown as escapes, and the
/// fence is longer than any run of backticks that starts a line.
pub fn md_fence(lang: &str, body: &str) -> String {
    let body = body.split('\n').map(visible).collect::<Vec<_>>().join("\n");
    let longest = body
        .lines()
        .map(|l| l.trim_start().chars().take_while(|&c| c == '`').count())
        .max()
        .unwrap_or(0);
    let f = "`".repeat(longest.max(2) + 1);
    format!("{f}{lang}\n{body}\n{f}")
}

/// Text inside an HTML element of the Markdown (`<summary>`): HTML-escaped,
/// on one line, with mentions and issue references broken.
pub fn md_html_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let s = visible(s);
    let mut chars = s.chars().peekable();
    while let Some(ch) = chars.next() {
        if let Some(e) = super::prose::html_entity(ch) {
            out.push_str(e);
            continue;
        }
        match ch {
            // Markdown inside an HTML block is not parsed, but GitHub still
            // links mentions and references in its text.
            '@' => out.push_str("@&#8203;"),
            '#' if chars.peek().is_some_and(|n| n.is_ascii_digit()) => out.push_str("#&#8203;"),
            ':' if chars.peek() == Some(&'/') => out.push_str(":&#8203;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_become_visible() {
        assert_eq!(
            visible("a\rb\n\x1b]0;x\x07\u{202e}"),
            "a\\rb\\n\\x1b]0;x\\x07\\u{202e}"
        );
        assert!(matches!(visible("plain\ttext"), Cow::Borrowed(_)));
        assert_eq!(terminal("one\x1b[2J\ntwo"), "one\\x1b[2J\ntwo");
    }

    #[test]
    fn code_spans() {
        assert_eq!(md_code("f"), "`f`");
        assert_eq!(md_code("a`b"), "``a`b``");
        assert_eq!(md_code("`x"), "`` `x ``");
        assert_eq!(md_code("a|b"), "<code>a\\|b</code>");
        assert_eq!(md_code("a\rb"), "<code>a\\\\rb</code>");
    }

    #[test]
    fn references_are_broken() {
        assert_eq!(md_text("@torvalds #12"), "@&#8203;torvalds \\#&#8203;12");
        assert_eq!(md_html_text("#3 <b>"), "#&#8203;3 &lt;b&gt;");
    }
}
