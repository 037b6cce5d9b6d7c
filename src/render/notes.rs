//! `--notes notes.md`: the author's own Markdown, rendered with
//! pulldown-cmark for the HTML report. Raw HTML in the notes is shown as
//! text, never passed through: the page's CSP forbids inline scripts anyway,
//! and a report must not run what a notes file carries.

use pulldown_cmark::{Event, Options, Parser, html};

/// Render Markdown to safe HTML.
pub fn notes_to_html(md: &str) -> String {
    let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES;
    let events = Parser::new_ext(md, opts).map(|e| match e {
        Event::Html(h) | Event::InlineHtml(h) => Event::Text(h),
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_becomes_text() {
        let h = notes_to_html("# Hypothesis\n\n<script>alert(1)</script>\n\n`x<y`");
        assert!(h.contains("<h1>Hypothesis</h1>"));
        assert!(!h.contains("<script>"));
        assert!(h.contains("&lt;script&gt;"));
    }
}
