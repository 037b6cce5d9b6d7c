//! tracereport: Linux ftrace captures in, investigation report out.
//!
//! The pipeline, one module per stage, each taking the previous stage's
//! output by reference and never reaching back:
//!
//! [`read`] (bytes → lines) → [`parse`] (line → [`parse::Record`]) →
//! [`model`] (records → [`model::Trace`]: tasks, syscalls, call trees),
//! wired for one capture by [`load`] (→ [`load::Capture`]) →
//! [`analyse`] (traces → [`analyse::Analysis`]: alignment, first divergence,
//! error origin, inlined gaps) → [`render`] (one [`render::Report`] view →
//! JSON, Markdown, HTML) → [`output`] (one directory, written atomically).
//!
//! [`run`] wires them together for the command line.
#![warn(missing_docs)]

pub mod analyse;
pub mod cli;
pub mod error;
pub mod kernel;
pub mod load;
pub mod model;
pub mod output;
pub mod parse;
pub mod read;
#[cfg(target_os = "linux")]
pub mod record;
pub mod render;

use std::io::IsTerminal;

use rayon::prelude::*;

pub use error::Error;

use crate::{
    analyse::{AnalyseOptions, GapThresholds},
    cli::{Config, OutputFormat},
    load::{Capture, CaptureInput, ParseSummary, parse_capture, read_capture},
    model::BuildOptions,
    output::OutputFiles,
    read::InputPath,
    render::{Report, ReportOptions, build_report, flamegraph::FlameSet},
};

/// What a run produced.
#[derive(Debug)]
pub struct Outcome {
    /// The report view (what `report.json` holds).
    pub report: Report,
    /// Warnings over all captures.
    pub warnings: u64,
    /// Files written, relative to the output directory.
    pub files: Vec<String>,
}

/// Inputs at least this large get a progress bar (when stderr is a terminal).
const PROGRESS_MIN_BYTES: u64 = 8 << 20;

/// Read every capture, in parallel.
pub fn read_captures(cfg: &Config) -> Result<Vec<Capture>, Error> {
    let opts = BuildOptions {
        keep: cfg.cli.keep,
        syscalls: cfg.cli.syscalls.clone(),
        max_tree_calls: cfg.cli.max_tree_calls,
        max_tasks: cfg.cli.max_tasks,
    };
    each_capture(cfg, |input, bar| read_capture(input, &opts, bar))
}

/// Parse every capture without building models (`--parse-only`), in parallel.
pub fn parse_captures(cfg: &Config) -> Result<Vec<ParseSummary>, Error> {
    each_capture(cfg, parse_capture)
}

/// Run `f` on every input in parallel, each with its progress bar.
fn each_capture<T: Send>(
    cfg: &Config,
    f: impl Fn(&CaptureInput, Option<indicatif::ProgressBar>) -> Result<T, Error> + Sync,
) -> Result<Vec<T>, Error> {
    let multi = indicatif::MultiProgress::new();
    let show = !cfg.cli.quiet && std::io::stderr().is_terminal();
    cfg.inputs
        .par_iter()
        .map(|(path, label)| {
            let bar = progress_bar(&multi, path, show);
            let input = CaptureInput {
                path: path.clone(),
                label: label.clone(),
                format: cfg.cli.input_format,
                digest: cfg.cli.digest,
            };
            let c = f(&input, bar.clone());
            if let Some(b) = bar {
                b.finish_and_clear();
            }
            c
        })
        .collect()
}

fn progress_bar(
    multi: &indicatif::MultiProgress,
    path: &InputPath,
    show: bool,
) -> Option<indicatif::ProgressBar> {
    if !show {
        return None;
    }
    let InputPath::File(p) = path else {
        return None;
    };
    let len = std::fs::metadata(p).ok()?.len();
    if len < PROGRESS_MIN_BYTES {
        return None;
    }
    let bar = multi.add(indicatif::ProgressBar::new(len));
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{prefix} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
        )
        .ok()?
        .progress_chars("=> "),
    );
    bar.set_prefix(render::untrusted::visible(&path.default_label()).into_owned());
    Some(bar)
}

/// Every output file the configuration asks for, rendered from the one
/// report view (and, for `trace.json`, the kept trees).
pub fn render_files<'a>(
    cfg: &Config,
    captures: &'a [Capture],
    report: &'a Report,
    notes: Option<&str>,
) -> Result<OutputFiles<'a>, Error> {
    use render::exporter::{
        Body, Flamegraphs, Html, Json, Markdown, Perfetto, Render, RenderInput,
    };
    let flames = flame_graphs(cfg, report);
    let input = RenderInput {
        report,
        captures,
        notes,
        flames: &flames,
        flames_written: cfg.cli.formats.contains(&OutputFormat::Flamegraphs),
        link_base: cfg.cli.link_base.as_deref(),
    };
    let mut files = OutputFiles::default();
    for f in &cfg.cli.formats {
        let renderer: &dyn Render = match f {
            OutputFormat::Json => &Json,
            OutputFormat::Md => &Markdown,
            OutputFormat::Txt => &render::mail::Text,
            OutputFormat::Html => &Html,
            OutputFormat::Flamegraphs => &Flamegraphs,
            OutputFormat::Trace => &Perfetto,
        };
        let rendered = renderer
            .render(&input)
            .map_err(|e| Error::output(&cfg.cli.output, e))?;
        for file in rendered {
            match file.body {
                Body::Bytes(b) => files.add(file.path, b),
                Body::Streamed(w) => files.add_streamed(file.path, w),
            }
        }
    }
    Ok(files)
}

/// The flame graphs, drawn once (inline in the page, as files for
/// report.md), when an output asks for them.
fn flame_graphs(cfg: &Config, report: &Report) -> FlameSet {
    let wants = |f: OutputFormat| cfg.cli.formats.contains(&f);
    if wants(OutputFormat::Html) || wants(OutputFormat::Flamegraphs) {
        render::flamegraph::build(report)
    } else {
        FlameSet::default()
    }
}

/// Run the whole pipeline and write the report.
pub fn run(cfg: &Config) -> Result<Outcome, Error> {
    // Refuse an output directory that cannot be replaced before reading
    // anything.
    let mut inputs: Vec<&std::path::Path> = cfg
        .inputs
        .iter()
        .map(|(p, _)| match p {
            InputPath::File(f) => f.as_path(),
            InputPath::Stdin => std::path::Path::new("-"),
        })
        .collect();
    let facts = kernel::load::sources(&cfg.inputs, &cfg.cli.kernel_files);
    inputs.extend(facts.iter().flatten().map(|(_, p, _)| p.as_path()));
    inputs.extend(cfg.cli.kernel_index.as_deref());
    inputs.extend(cfg.cli.notes.as_deref());
    output::check_target(&cfg.cli.output, cfg.cli.force, &inputs)?;
    let kernels = kernel::load::load(&facts)?;
    let kernel_index = kernel::load::index(
        cfg.cli.kernel_index.as_deref(),
        cfg.cli.kernel_src.as_deref(),
    )?;
    let notes = match &cfg.cli.notes {
        Some(p) => Some(
            read::notes::read_notes(p)
                .map_err(|e| load::input_error(p.display().to_string(), e))?,
        ),
        None => None,
    };
    let captures = read_captures(cfg)?;
    kernel::load::check(&captures, &kernels)?;
    let analysis = analyse::analyse(
        &captures,
        &AnalyseOptions {
            ignore: cfg.cli.ignore.clone(),
            gaps: GapThresholds {
                min_ns: cfg.cli.gap_min_ns,
                min_ratio: cfg.cli.gap_min_ratio,
            },
            pairs: cfg.cli.pairs.clone(),
            kernels,
            kernel_index,
        },
    );
    let report = build_report(
        &captures,
        &analysis,
        &ReportOptions {
            title: cfg.cli.title.clone(),
            kernel_version: cfg.cli.kernel_version.clone(),
            max_report_calls: cfg.cli.max_report_calls,
        },
    );
    let files = render_files(cfg, &captures, &report, notes.as_deref())?;
    let names: Vec<String> = files.paths().map(|p| p.display().to_string()).collect();
    output::write_dir(&cfg.cli.output, files, cfg.cli.force, &inputs)?;
    let warnings = captures.iter().map(|c| c.trace.warnings.total()).sum();
    Ok(Outcome {
        report,
        warnings,
        files: names,
    })
}
