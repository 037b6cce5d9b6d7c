//! An inferno SVG made into the document of a sandboxed
//! `<iframe srcdoc>` inside `index.html`.
//!
//! Why a frame: every inferno SVG uses the same element ids (`frames`,
//! `details`, `search`) and global functions, so two on one page would
//! drive each other. A `sandbox="allow-scripts"` frame gives each graph its
//! own document and globals, and cannot touch the page.
//!
//! Why rewritten: a srcdoc frame inherits the page's Content-Security-Policy,
//! which allows scripts and styles only by hash and no inline event
//! handlers. So inferno's `<style>` and `<script>` move out of the SVG into
//! plain elements whose text is known exactly (and hashed), the
//! `onload="init(evt)"` handler becomes a call in `static/flame-frame.js`,
//! and the XML prolog, comments and namespace declarations (an HTML parser
//! needs none of them) go, so no remote URL is left outside the script's
//! text.

use super::assets;

/// A flame graph ready for `srcdoc`.
#[derive(Debug, Clone)]
pub struct FrameDoc {
    /// The frame's HTML document (escape it as an attribute value).
    pub srcdoc: String,
    /// The SVG's width and height in px (its aspect ratio).
    pub width: u32,
    /// Height.
    pub height: u32,
    /// Texts of the document's `<script>` elements, for the CSP.
    pub scripts: Vec<String>,
    /// Texts of its `<style>` elements.
    pub styles: Vec<String>,
}

/// Rewrite inferno's SVG; `None` when it does not have the shape this
/// expects (the graph is then only linked, not embedded).
pub fn frame_doc(svg: &str) -> Option<FrameDoc> {
    let start = svg.find("<svg ")?;
    let mut body = svg[start..].to_string();
    let css = take_element(&mut body, "<style type=\"text/css\">", "</style>")?;
    let script = take_element(&mut body, "<script type=\"text/ecmascript\">", "</script>")?;
    let js = script
        .split("<![CDATA[")
        .filter_map(|part| part.split_once("]]>").map(|(code, _)| code))
        .collect::<String>();
    // Text inside <script>/<style> must not end the element early.
    for t in [&js, &css] {
        let l = t.to_ascii_lowercase();
        if l.contains("</script") || l.contains("</style") || l.contains("<!--") {
            return None;
        }
    }
    while let Some(a) = body.find("<!--") {
        let b = a + body[a..].find("-->")? + 3;
        body.replace_range(a..b, "");
    }
    let tag_end = body.find('>')?;
    let mut tag = body[..tag_end].to_string();
    for attr in ["onload", "xmlns", "xmlns:xlink", "xmlns:fg"] {
        remove_attr(&mut tag, attr);
    }
    let width = attr_value(&tag, "width")?.parse().ok()?;
    let height = attr_value(&tag, "height")?.parse().ok()?;
    body.replace_range(..tag_end, &tag);
    let frame_css = assets::FLAME_FRAME_CSS;
    let bridge = assets::FLAME_FRAME_JS;
    let srcdoc = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><style>{frame_css}</style><style>{css}</style></head>\
         <body>{body}<script>{js}</script><script>{bridge}</script></body></html>"
    );
    Some(FrameDoc {
        srcdoc,
        width,
        height,
        scripts: vec![js, bridge.to_string()],
        styles: vec![frame_css.to_string(), css],
    })
}

/// Remove the first `open … close` element from `s`, returning its text.
fn take_element(s: &mut String, open: &str, close: &str) -> Option<String> {
    let a = s.find(open)?;
    let inner = a + open.len();
    let b = inner + s[inner..].find(close)?;
    let text = s[inner..b].to_string();
    s.replace_range(a..b + close.len(), "");
    Some(text)
}

/// Remove ` name="…"` from a start tag.
fn remove_attr(tag: &mut String, name: &str) {
    let pat = format!(" {name}=\"");
    if let Some(a) = tag.find(&pat) {
        if let Some(len) = tag[a + pat.len()..].find('"') {
            tag.replace_range(a..a + pat.len() + len + 1, "");
        }
    }
}

fn attr_value<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let pat = format!(" {name}=\"");
    let a = tag.find(&pat)? + pat.len();
    let len = tag[a..].find('"')?;
    Some(&tag[a..a + len])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inferno_svg_becomes_a_frame_document() {
        let mut o = inferno::flamegraph::Options::default();
        o.hash = true;
        o.title = "<script>alert(1)</script>".into();
        let mut svg = Vec::new();
        inferno::flamegraph::from_lines(
            &mut o,
            ["a;</script> 10", "a;\"onmouseover=x 5"],
            &mut svg,
        )
        .unwrap();
        let svg = String::from_utf8(svg).unwrap();
        let d = frame_doc(&svg).expect("inferno's shape");
        // No URL outside inferno's script text (which names two in a comment
        // and an error message; neither is loaded).
        assert!(!d.srcdoc.replace(&d.scripts[0], "").contains("http"));
        assert!(!d.srcdoc.contains(" onload="), "no inline handler");
        assert!(!d.srcdoc.contains("<![CDATA["));
        assert!(d.height > 0);
        // Exactly the page's scripts: inferno's code and the bridge.
        assert_eq!(d.srcdoc.matches("<script>").count(), 2);
        assert!(d.scripts[0].contains("function init(evt)"));
        // Trace text stays escaped inside the SVG.
        assert!(d.srcdoc.contains("&lt;/script&gt;"));
        assert!(!d.srcdoc.contains("<script>alert"));
    }
}
