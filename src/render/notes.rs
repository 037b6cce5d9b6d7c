//! `--notes notes.md`: the author's own Markdown, rendered with
//! pulldown-cmark for the HTML report (report.md carries it as written).
//!
//! Raw HTML in the notes is shown as text, never passed through: a report
//! must not run what a notes file carries (and the page's CSP would block it
//! anyway). Images become links to the image: the page loads nothing, and
//! its CSP would refuse a remote image.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};

/// Render Markdown to safe HTML.
pub fn notes_to_html(md: &str) -> String {
    let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES;
    let events = Parser::new_ext(md, opts).map(|e| match e {
        Event::Html(h) | Event::InlineHtml(h) => Event::Text(h),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }),
        Event::End(TagEnd::Image) => Event::End(TagEnd::Link),
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

    #[test]
    fn images_become_links() {
        let h = notes_to_html("![call graph](https://example.org/g.png)");
        assert!(!h.contains("<img"), "{h}");
        assert!(
            h.contains("<a href=\"https://example.org/g.png\">call graph</a>"),
            "{h}"
        );
    }
}
