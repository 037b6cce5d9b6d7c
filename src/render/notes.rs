//! `--notes notes.md`: the author's own Markdown, rendered with
//! pulldown-cmark for the HTML report (report.md carries it as written).
//!
//! Raw HTML in the notes is shown as text, never passed through: a report
//! must not run what a notes file carries (and the page's CSP would block it
//! anyway). Images become links to the image: the page loads nothing, and
//! its CSP would refuse a remote image. Links go only to `http(s):`,
//! `mailto:` and relative addresses: a `javascript:` or `data:` link keeps
//! its text and loses its target.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};

/// Render Markdown to safe HTML.
pub fn notes_to_html(md: &str) -> String {
    let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES;
    // Whether each open link (or image) was kept, to drop its end with it.
    let mut open: Vec<bool> = Vec::new();
    let events = Parser::new_ext(md, opts).filter_map(|e| match e {
        Event::Html(h) | Event::InlineHtml(h) => Some(Event::Text(h)),
        Event::Start(
            Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }
            | Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            },
        ) => {
            let keep = allowed_url(&dest_url);
            open.push(keep);
            keep.then_some(Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }))
        }
        Event::End(TagEnd::Image | TagEnd::Link) => open
            .pop()
            .unwrap_or(false)
            .then_some(Event::End(TagEnd::Link)),
        other => Some(other),
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    out
}

/// `http:`, `https:`, `mailto:` or a relative address (not `//host`). A
/// browser drops tabs and line breaks anywhere in a URL and spaces around
/// it, so `java\tscript:` is judged as `javascript:`.
fn allowed_url(url: &str) -> bool {
    let u: String = url
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let end = u.find(['/', '?', '#', '\\']).unwrap_or(u.len());
    match u[..end].find(':') {
        Some(colon) => {
            let scheme = u[..colon].to_ascii_lowercase();
            matches!(scheme.as_str(), "http" | "https" | "mailto")
        }
        None => {
            !(u.starts_with("//")
                || u.starts_with("\\")
                || u.starts_with("/\\")
                || u.starts_with("\\/"))
        }
    }
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

    #[test]
    fn only_web_mail_and_relative_links() {
        for (md, live) in [
            ("[a](https://example.org/)", true),
            ("[a](HTTP://example.org/)", true),
            ("[a](mailto:x@example.org)", true),
            ("[a](notes/other.md#x)", true),
            ("[a](#section)", true),
            ("[a](javascript:alert(1))", false),
            ("[a](JavaScript:alert(1))", false),
            ("[a](java&#9;script:alert(1))", false),
            ("[a]( data:text/html,x)", false),
            ("<javascript:alert(1)>", false),
            ("![i](data:image/png;base64,AAAA)", false),
            ("[a](//evil.example/x)", false),
            ("[a](vbscript:x)", false),
        ] {
            let h = notes_to_html(md);
            assert_eq!(h.contains("<a "), live, "{md}: {h}");
            assert!(
                live || h.contains('a') || h.contains('i'),
                "{md}: text kept: {h}"
            );
        }
    }
}
