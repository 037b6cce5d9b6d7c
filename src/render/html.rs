//! `index.html`: one self-contained page. CSS and JS from `static/` are
//! inlined and allowed by their SHA-256 in a strict Content-Security-Policy;
//! the report data is embedded as JSON (with `<` escaped, so no string can
//! close the `<script>` element); every other trace-derived string goes
//! through askama's HTML escaping.

use askama::Template;
use base64::Engine as _;
use sha2::{Digest, Sha256};

use super::{
    assets,
    markdown::FlamegraphLinks,
    text::{diff_text, fmt_ret, fmt_us},
    view::{CaptureView, ComparisonView, Report},
};

/// An inline SVG (flame graph) and its title.
pub struct InlineSvg {
    /// Heading.
    pub title: String,
    /// What it shows.
    pub caption: String,
    /// The SVG markup (from inferno; its text is escaped by inferno).
    pub svg: String,
    /// Its file under `flamegraphs/`.
    pub file: String,
}

#[derive(Template)]
#[template(path = "report.html")]
struct HtmlReport<'a> {
    r: &'a Report,
    csp: String,
    css: &'static str,
    js: &'static str,
    data_json: String,
    verdict_html: String,
    comparisons: Vec<CompSection<'a>>,
    captures: &'a [CaptureView],
    notes_html: Option<String>,
    flamegraphs: &'a [InlineSvg],
}

struct CompSection<'a> {
    c: &'a ComparisonView,
    verdict_html: String,
    diff: String,
    good_label: &'a str,
    bad_label: &'a str,
}

/// `sha256-…` of an inline element's text, for the CSP.
fn csp_hash(s: &str) -> String {
    let d = Sha256::digest(s.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(d)
    )
}

/// JSON safe to embed in `<script type="application/json">`: no `<`, so no
/// `</script>` or `<!--` can appear; U+2028/9 escaped for old parsers.
pub fn embed_json<T: serde::Serialize>(v: &T) -> String {
    let s = serde_json::to_string(v).unwrap_or_else(|_| "null".into());
    s.replace('<', "\\u003c")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// Render `index.html`. `notes_html` is already-sanitised HTML (from
/// pulldown-cmark with raw HTML disabled).
pub fn render_html(
    r: &Report,
    notes_html: Option<String>,
    flamegraphs: &[InlineSvg],
    _links: &FlamegraphLinks,
) -> Result<String, askama::Error> {
    let css = assets::REPORT_CSS;
    let js = assets::REPORT_JS;
    // inferno's SVGs carry their own <script> and <style>; they are allowed by hash too.
    let mut script_hashes = vec![csp_hash(js)];
    let mut style_hashes = vec![csp_hash(css)];
    for f in flamegraphs {
        for (tag, dest) in [("script", &mut script_hashes), ("style", &mut style_hashes)] {
            for body in inline_bodies(&f.svg, tag) {
                let h = csp_hash(&body);
                if !dest.contains(&h) {
                    dest.push(h);
                }
            }
        }
    }
    let csp = format!(
        "default-src 'none'; img-src data:; style-src {}; script-src {}; base-uri 'none'; form-action 'none'",
        style_hashes.join(" "),
        script_hashes.join(" ")
    );
    let comparisons = r
        .comparisons
        .iter()
        .map(|c| CompSection {
            c,
            verdict_html: c.verdict_prose.html(),
            diff: diff_text(c),
            good_label: &r.captures[c.good].label,
            bad_label: &r.captures[c.bad].label,
        })
        .collect();
    HtmlReport {
        r,
        csp,
        css,
        js,
        data_json: embed_json(r),
        verdict_html: r.verdict_prose.html(),
        comparisons,
        captures: &r.captures,
        notes_html,
        flamegraphs,
    }
    .render()
}

/// The text of every `<tag …>…</tag>` element in `html`.
fn inline_bodies(html: &str, tag: &str) -> Vec<String> {
    let mut out = Vec::new();
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    let mut rest = html;
    while let Some(p) = rest.find(&open) {
        let after = &rest[p..];
        let Some(gt) = after.find('>') else { break };
        let body_start = &after[gt + 1..];
        let Some(end) = body_start.find(&close) else {
            break;
        };
        out.push(body_start[..end].to_string());
        rest = &body_start[end + close.len()..];
    }
    out
}

/// Template helpers.
#[allow(dead_code)]
fn us(v: &Option<f64>) -> String {
    fmt_us(*v)
}

#[allow(dead_code)]
fn ret(v: i64) -> String {
    fmt_ret(v)
}
