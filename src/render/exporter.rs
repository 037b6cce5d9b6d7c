//! One interface for every output (hyperfine's exporter pattern): each of
//! `report.json`, `report.md`, `index.html`, the flame graph files and
//! `trace.json` is a [`Render`] fed the same [`RenderInput`], and says which
//! files it adds to the report directory. `lib::render_files` picks them by
//! `--format`; `output` writes what they return.

use std::io::Write;

use crate::load::Capture;

use super::{flamegraph::FlameSet, view::Report};

/// What every renderer is fed: the one report view, plus what a renderer
/// needs beyond it. Streamed files may borrow what lives `'a`; the flame
/// graphs (`'f`) are only read while rendering.
pub struct RenderInput<'a, 'f> {
    /// The report view.
    pub report: &'a Report,
    /// The captures: `trace.json` draws the kept trees with their
    /// timestamps, which the view does not carry.
    pub captures: &'a [Capture],
    /// `--notes`, as the author wrote them (Markdown).
    pub notes: Option<&'f str>,
    /// The flame graphs, drawn once for the page and the files.
    pub flames: &'f FlameSet,
    /// Whether the flame graphs are written as files (so the page and
    /// report.md may link them).
    pub flames_written: bool,
    /// `--link-base`: where the report directory will be served, so the
    /// links in report.md work once pasted (`None`: relative links).
    pub link_base: Option<&'f str>,
}

/// Writes a big file as it goes, when the directory is written.
pub type WriteFn<'a> = Box<dyn FnOnce(&mut dyn Write) -> std::io::Result<()> + 'a>;

/// One file's contents.
pub enum Body<'a> {
    /// Already rendered.
    Bytes(Vec<u8>),
    /// Streamed to disk (report.json and trace.json can be hundreds of MB).
    Streamed(WriteFn<'a>),
}

/// One file of the report directory, by relative path.
pub struct Rendered<'a> {
    /// Path inside the report directory.
    pub path: String,
    /// Its contents.
    pub body: Body<'a>,
}

impl<'a> Rendered<'a> {
    pub(crate) fn bytes(path: &str, b: impl Into<Vec<u8>>) -> Self {
        Rendered {
            path: path.to_string(),
            body: Body::Bytes(b.into()),
        }
    }

    fn streamed(path: &str, w: impl FnOnce(&mut dyn Write) -> std::io::Result<()> + 'a) -> Self {
        Rendered {
            path: path.to_string(),
            body: Body::Streamed(Box::new(w)),
        }
    }
}

/// An output of the report.
pub trait Render {
    /// The files this output adds.
    fn render<'a>(&self, input: &RenderInput<'a, '_>) -> Result<Vec<Rendered<'a>>, askama::Error>;
}

/// `report.json`: the view serialised ([`super::json`]).
pub struct Json;

impl Render for Json {
    fn render<'a>(&self, input: &RenderInput<'a, '_>) -> Result<Vec<Rendered<'a>>, askama::Error> {
        let r = input.report;
        Ok(vec![Rendered::streamed("report.json", move |w| {
            super::json::write_json(r, w).map_err(std::io::Error::from)
        })])
    }
}

/// `report.md` ([`super::markdown`]).
pub struct Markdown;

impl Render for Markdown {
    fn render<'a>(&self, input: &RenderInput<'a, '_>) -> Result<Vec<Rendered<'a>>, askama::Error> {
        let none = FlameSet::default();
        let linked = if input.flames_written {
            input.flames
        } else {
            &none
        };
        let md = super::markdown::render_markdown_linked(
            input.report,
            input.notes,
            linked,
            input.link_base,
        )?;
        let md = match super::fit::page_line(input.link_base) {
            Some(l) => format!("{}\n\n{l}\n", md.trim_end()),
            None => md,
        };
        let page = super::fit::link(input.link_base, "index.html");
        let md = super::fit::fit_markdown(md, super::fit::MD_LIMIT, &page);
        Ok(vec![Rendered::bytes("report.md", md)])
    }
}

/// `index.html` ([`super::html`]).
pub struct Html;

impl Render for Html {
    fn render<'a>(&self, input: &RenderInput<'a, '_>) -> Result<Vec<Rendered<'a>>, askama::Error> {
        let html = super::html::render_html(
            input.report,
            input.notes.map(super::notes::notes_to_html),
            input.flames,
            input.flames_written,
        )?;
        Ok(vec![Rendered::bytes("index.html", html)])
    }
}

/// `flamegraphs/*.svg` ([`super::flamegraph`]).
pub struct Flamegraphs;

impl Render for Flamegraphs {
    fn render<'a>(&self, input: &RenderInput<'a, '_>) -> Result<Vec<Rendered<'a>>, askama::Error> {
        Ok(input
            .flames
            .graphs
            .iter()
            .map(|g| Rendered::bytes(&g.file, g.svg.as_bytes()))
            .collect())
    }
}

/// `trace.json` for Perfetto ([`super::perfetto`]).
pub struct Perfetto;

impl Render for Perfetto {
    fn render<'a>(&self, input: &RenderInput<'a, '_>) -> Result<Vec<Rendered<'a>>, askama::Error> {
        let (captures, report) = (input.captures, input.report);
        Ok(vec![Rendered::streamed("trace.json", move |w| {
            super::perfetto::write_report_trace(captures, Some(report), w)
                .map_err(std::io::Error::from)
        })])
    }
}
