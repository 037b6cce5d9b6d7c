//! `index.html`: one self-contained, interactive page.
//!
//! Safe by construction:
//! - every trace-derived string in the markup goes through askama's HTML
//!   escaping (or [`super::source::prose_html`], which escapes each span);
//! - the call trees and aligned views travel as data ([`super::page`]) in
//!   `<script type="application/json">` with `<` escaped ([`embed_json`]), so
//!   no string can close the element (a big report's data is gzip in base64,
//!   which has no `<` at all); the script puts names into the page with
//!   `textContent` only;
//! - a strict Content-Security-Policy: nothing may load (`default-src
//!   'none'`), scripts and styles run only when their SHA-256 is listed, no
//!   inline handlers. Flame graphs are sandboxed srcdoc frames
//!   ([`super::embed`]) under the same policy.
//!
//! The page scripts (`static/js/`) draw the trees lazily: only rows
//! on screen exist in the DOM, so a million-call tree stays fast.

use askama::Template;
use base64::Engine as _;
use sha2::{Digest, Sha256};

use super::{
    assets,
    embed::frame_doc,
    flamegraph::{FlameSet, Flamegraph, Scope},
    page::page_data,
    source::prose_html,
    text::{diff_folds, diff_text},
    view::{CaptureView, ComparisonView, Report},
};

/// A flame graph as the template shows it.
struct Frame<'a> {
    id: String,
    g: &'a Flamegraph,
    /// The frame document; `None`: only linked.
    srcdoc: Option<String>,
    width: u32,
    height: u32,
}

#[derive(Template)]
#[template(path = "report.html")]
struct HtmlReport<'a> {
    r: &'a Report,
    csp: String,
    css: &'static str,
    js: &'static [&'static str],
    /// The page data: JSON, or base64 of its gzip when `data_gzip`.
    data: String,
    data_gzip: bool,
    verdict_html: String,
    /// Aligned-view row of the first comparison's divergence.
    verdict_row: Option<usize>,
    summary: Vec<CaptureSummary<'a>>,
    kernel: Option<&'a str>,
    /// The kernels the captures name ([`Report::kernels_named`]).
    kernels_named: String,
    comparisons: Vec<CompSection<'a>>,
    captures: Vec<CapSection<'a>>,
    notes_html: Option<String>,
    /// The graphs are also written as files (so the page links them).
    files_written: bool,
}

struct CaptureSummary<'a> {
    c: &'a CaptureView,
    syscalls: u64,
    failures: u64,
    kept: usize,
}

impl<'a> CaptureSummary<'a> {
    fn of(c: &'a CaptureView) -> Self {
        CaptureSummary {
            c,
            syscalls: c.syscall_groups.iter().map(|g| g.count).sum(),
            failures: c
                .syscall_groups
                .iter()
                .filter(|g| g.outcome.failed())
                .map(|g| g.count)
                .sum(),
            kept: c.syscalls.iter().filter(|s| s.root.is_some()).count(),
        }
    }
}

struct CompSection<'a> {
    i: usize,
    c: &'a ComparisonView,
    verdict_html: String,
    diff: String,
    folds: bool,
    minors_left_out: Option<String>,
    good_label: &'a str,
    bad_label: &'a str,
    frames: Vec<Frame<'a>>,
    flame_missing: Option<&'a str>,
}

struct CapSection<'a> {
    c: &'a CaptureView,
    frames: Vec<Frame<'a>>,
    flame_missing: Vec<&'a str>,
}

/// Running text whose `backticked` parts are code, as HTML.
pub fn ticks(s: &str) -> String {
    super::prose::html(&super::prose::from_ticks(s))
}

/// `'sha256-…'` of an inline element's text, for the CSP.
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

/// Page data above this size (bytes of JSON) is embedded gzipped: the
/// browser parses a third to a tenth of the text, and inflates it with its
/// own `DecompressionStream`. Smaller reports keep readable JSON.
pub const GZIP_ABOVE: usize = 1 << 20;

/// The page data as embedded, and whether it is gzip (in base64, which has
/// no `<` either).
fn data_text<T: serde::Serialize>(v: &T) -> (String, bool) {
    use std::io::Write as _;
    let json = embed_json(v);
    if json.len() <= GZIP_ABOVE {
        return (json, false);
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    match gz.write_all(json.as_bytes()).and_then(|()| gz.finish()) {
        Ok(bytes) => (
            base64::engine::general_purpose::STANDARD.encode(bytes),
            true,
        ),
        Err(_) => (json, false),
    }
}

/// Collects the hashes the CSP lists, each once, in first-seen order.
#[derive(Default)]
struct Hashes {
    scripts: Vec<String>,
    styles: Vec<String>,
}

impl Hashes {
    fn add(list: &mut Vec<String>, text: &str) {
        let h = csp_hash(text);
        if !list.contains(&h) {
            list.push(h);
        }
    }

    fn policy(&self) -> String {
        format!(
            // No frame-src: a srcdoc frame is not fetched, so `'none'` (from
            // default-src) still lets the flame graphs in, and nothing else.
            "default-src 'none'; style-src {}; script-src {}; base-uri 'none'; form-action 'none'",
            self.styles.join(" "),
            self.scripts.join(" ")
        )
    }
}

fn frames<'a>(
    set: &'a FlameSet,
    keep: impl Fn(&Scope) -> bool,
    hashes: &mut Hashes,
) -> Vec<Frame<'a>> {
    set.of(keep)
        .map(|g| {
            let doc = frame_doc(&g.svg);
            if let Some(d) = &doc {
                for s in &d.scripts {
                    Hashes::add(&mut hashes.scripts, s);
                }
                for s in &d.styles {
                    Hashes::add(&mut hashes.styles, s);
                }
            }
            Frame {
                id: format!(
                    "fg-{}",
                    g.file
                        .trim_start_matches("flamegraphs/")
                        .trim_end_matches(".svg")
                ),
                g,
                width: doc.as_ref().map_or(0, |d| d.width),
                height: doc.as_ref().map_or(0, |d| d.height),
                srcdoc: doc.map(|d| d.srcdoc),
            }
        })
        .collect()
}

/// Render `index.html`. `notes_html` is already-sanitised HTML (from
/// pulldown-cmark with raw HTML shown as text).
pub fn render_html(
    r: &Report,
    notes_html: Option<String>,
    flames: &FlameSet,
    files_written: bool,
) -> Result<String, askama::Error> {
    let mut hashes = Hashes::default();
    for js in &assets::REPORT_JS {
        Hashes::add(&mut hashes.scripts, js);
    }
    Hashes::add(&mut hashes.styles, assets::REPORT_CSS);
    let base = r.source_link_base.as_deref();
    let (data, data_gzip) = data_text(&page_data(r));
    let comparisons = r
        .comparisons
        .iter()
        .enumerate()
        .map(|(i, c)| (i, c, diff_text(c)))
        .map(|(i, c, diff)| CompSection {
            i,
            c,
            verdict_html: prose_html(&c.verdict_prose, base),
            folds: diff_folds(&diff),
            minors_left_out: super::markdown::minors_left_out(r, c),
            diff,
            good_label: &r.captures[c.good].label,
            bad_label: &r.captures[c.bad].label,
            frames: frames(
                flames,
                |s| matches!(s, Scope::Diff(k, _) if *k == i),
                &mut hashes,
            ),
            flame_missing: flames
                .missing
                .iter()
                .find(|(s, _)| matches!(s, Scope::Diff(k, _) if *k == i))
                .map(|(_, m)| m.as_str()),
        })
        .collect();
    let captures = r
        .captures
        .iter()
        .map(|c| CapSection {
            c,
            frames: frames(
                flames,
                |s| matches!(s, Scope::Capture(k) | Scope::Syscall(k, _) if *k == c.index),
                &mut hashes,
            ),
            flame_missing: flames
                .missing
                .iter()
                .filter(|(s, _)| matches!(s, Scope::Capture(k) if *k == c.index))
                .map(|(_, m)| m.as_str())
                .collect(),
        })
        .collect();
    HtmlReport {
        r,
        csp: hashes.policy(),
        css: assets::REPORT_CSS,
        js: &assets::REPORT_JS,
        data,
        data_gzip,
        verdict_html: prose_html(&r.verdict_prose, base),
        verdict_row: r
            .comparisons
            .first()
            .and_then(|c| c.first_divergence.as_ref())
            .map(|d| d.row),
        summary: r.captures.iter().map(CaptureSummary::of).collect(),
        kernel: r.kernel_version.as_deref(),
        kernels_named: r.kernels_named().join(", "),
        comparisons,
        captures,
        notes_html,
        files_written,
    }
    .render()
}
