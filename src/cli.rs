//! The command line: clap's derive types (each field's doc comment is its
//! `--help` text) and their check into a [`Config`].

use std::path::PathBuf;

use clap::{Parser, ValueEnum};

use crate::{
    analyse::PairRequest,
    error::Error,
    kernel::FactKind,
    parse::InputFormat,
    read::{DigestKind, InputPath},
};

/// Exit codes, for `--help` and the README.
pub const EXIT_CODES: &str = "Exit codes:
  0  report written; damage in a capture (lost events, cut or unreadable
     lines, a cut compressed file) is listed in it as warnings with line
     numbers
  2  error, nothing written: an input is not an ftrace capture (the message
     says FILE:LINE: what was expected), cannot be read, the output
     directory may not be replaced or cannot be written, or the arguments
     are wrong
  3  --strict and the captures had warnings (the report was written)";

/// Turn Linux ftrace captures into an investigation report.
///
/// Give one capture for a report of its syscalls and call trees, or a good
/// and a bad capture (more are allowed) to find where the kernel's path
/// splits, where the error came from, and which code ftrace could not see.
///
/// Example:
///   tracereport ok.log bad.log -o out/
///   trace-cmd report | tracereport - -o out/
#[derive(Debug, Parser)]
#[command(name = "tracereport", version, after_help = EXIT_CODES, max_term_width = 100)]
pub struct Cli {
    /// Captures to read: ftrace `trace`/`trace_pipe` text, `trace-cmd report`
    /// or `perf ftrace` output, plain or gzip/zstd compressed. `-` reads
    /// standard input. Example: `good.log bad.log.gz`.
    #[arg(required = true, value_name = "CAPTURE")]
    pub captures: Vec<PathBuf>,

    /// Directory to write the report to (`index.html`, `report.md`,
    /// `report.json`, `flamegraphs/*.svg`, `trace.json`). Written beside it
    /// first and swapped in at once, so an interrupted run leaves the previous
    /// report or the new one. An existing directory is replaced only when it
    /// holds an earlier report or is empty (else see --force). Example: `-o out/`.
    #[arg(
        short,
        long,
        value_name = "DIR",
        required_unless_present_any = ["parse_only", "stats"]
    )]
    pub output: Option<PathBuf>,

    /// Name a capture in the report, once per capture in order (default:
    /// the file name without extensions). Example: `--label ok --label bad`.
    #[arg(short, long, value_name = "NAME")]
    pub label: Vec<String>,

    /// Only keep call trees of this syscall (repeatable; others are still
    /// counted). Example: `--syscall bpf`.
    #[arg(short, long, value_name = "NAME")]
    pub syscall: Vec<String>,

    /// Outputs to write, comma separated. Example: `--format md,json`.
    #[arg(
        short,
        long,
        value_name = "LIST",
        value_delimiter = ',',
        default_value = "html,md,txt,json,flamegraphs,trace"
    )]
    pub format: Vec<OutputFormat>,

    /// Keep full call trees for at most N syscalls per capture (failing
    /// first, at most 5 per kind); the rest are counted in
    /// `syscall_groups`. Bounds memory on huge captures. Example: `--keep 20`.
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub keep: usize,

    /// Keep at most N calls in one syscall's tree, and 2×N in all kept trees
    /// of a capture together; a bigger syscall keeps its first N calls (a
    /// `tree-truncated` warning says so) and still counts them all. Memory
    /// is about 400 bytes per kept call. Example: `--max-tree-calls 1000000`.
    #[arg(long, value_name = "N", default_value_t = crate::model::DEFAULT_MAX_TREE_CALLS,
          value_parser = at_least_one)]
    pub max_tree_calls: usize,

    /// Keep at most N tree calls and aligned rows in the report, all trees
    /// and comparisons together (report.json, index.html, trace.json, the
    /// flame graphs): about 200 bytes of report.json each. Beyond it the
    /// rows around the first divergence, the calls on the way to it and to
    /// the error origin, and the first calls are kept; the report says what
    /// was cut (`truncation` in report.json). The analysis always uses
    /// every kept call. Example: `--max-report-calls 1000000`.
    #[arg(long, value_name = "N", default_value_t = crate::render::build::DEFAULT_MAX_REPORT_CALLS,
          value_parser = at_least_one)]
    pub max_report_calls: usize,

    /// Keep at most N tasks (pids) per capture; calls of further tasks are
    /// not built (a `task-cap` warning says from which line). Each task
    /// costs about 1.4 KB. Example: `--max-tasks 1000000`.
    #[arg(long, value_name = "N", default_value_t = crate::model::DEFAULT_MAX_TASKS,
          value_parser = at_least_one)]
    pub max_tasks: usize,

    /// Read the captures as this format instead of guessing from their first
    /// lines. Example: `--input-format trace-cmd`.
    #[arg(long, value_name = "FORMAT", default_value = "auto")]
    pub input_format: InputFormatArg,

    /// The digest naming each capture file in the report: `blake3` (check it
    /// with `b3sum`) or `sha256` (`sha256sum`; three times BLAKE3's CPU time).
    /// Example: `--digest sha256`.
    #[arg(long, value_name = "ALGORITHM", default_value = "blake3")]
    pub digest: DigestArg,

    /// Compare these two syscalls instead of choosing: GOOD:BAD numbers as
    /// the report shows them (`#N`), in the first and second capture, or
    /// `LABEL#N:LABEL#N`. Repeatable. Example: `--pair 0:3`.
    #[arg(long, value_name = "GOOD:BAD")]
    pub pair: Vec<PairRequest>,

    /// Change the noise list (calls shown but never deciding a divergence):
    /// `NAME` or `PREFIX*` adds, `-NAME` removes, `-*` clears. Comma
    /// separated, repeatable. Example: `--ignore 'kfree,-__might_fault'`.
    #[arg(long, value_name = "NAMES")]
    pub ignore: Vec<String>,

    /// A kernel's `available_filter_functions` (plain or gzip), once per
    /// capture in order (`none` to skip one): short for `--kernel
    /// N:functions=FILE`. Example: `--filter-functions ok.aff --filter-functions bad.aff.gz`.
    #[arg(long, value_name = "FILE")]
    pub filter_functions: Vec<PathBuf>,

    /// A fact about the kernel a capture ran on: `LABEL:functions=FILE`
    /// (`available_filter_functions`, `/proc/kallsyms` or `System.map`) or
    /// `LABEL:config=FILE` (`.config` or `/proc/config.gz`); LABEL is a
    /// capture's label or its 1-based position. Repeatable. Without it,
    /// `X.config` and `X.available_filter_functions[.gz]` beside `X.log`
    /// (or `X--OPTS.log`) are used. Example: `--kernel bad:config=bad.config`.
    #[arg(long, value_name = "LABEL:KIND=FILE")]
    pub kernel: Vec<String>,

    /// A kernel source tree of the captures' version, to tie config
    /// options to the code they build (Makefile and `#if` lines). Indexing
    /// takes a while; `tracereport index-kernel DIR -o FILE` once and
    /// `--kernel-index FILE` is faster. Example: `--kernel-src /usr/src/linux`.
    #[arg(long, value_name = "DIR", conflicts_with = "kernel_index")]
    pub kernel_src: Option<PathBuf>,

    /// A kernel source index written by `tracereport index-kernel`.
    /// Example: `--kernel-index linux-6.12.idx`.
    #[arg(long, value_name = "FILE")]
    pub kernel_index: Option<PathBuf>,

    /// Flag a call as hiding inlined code when at least this many µs of it
    /// are in no traced callee. Example: `--gap-min-us 10`.
    #[arg(long, value_name = "US", default_value_t = 2.0)]
    pub gap_min_us: f64,

    /// ... and at least this share of its duration. Example: `--gap-min-ratio 0.8`.
    #[arg(long, value_name = "RATIO", default_value_t = 0.5)]
    pub gap_min_ratio: f64,

    /// Your own Markdown (hypotheses, source excerpts, conclusion) to put in
    /// the report. Example: `--notes notes.md`.
    #[arg(long, value_name = "FILE")]
    pub notes: Option<PathBuf>,

    /// The report's title. Example: `--title "XSKMAP create fails on 6.12"`.
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,

    /// Link function names to the kernel cross-reference of this version
    /// (links only; the page loads nothing). Example: `--kernel-version 6.1.90`.
    #[arg(long, value_name = "VERSION")]
    pub kernel_version: Option<String>,

    /// Where the report directory will be served: report.md's links to the
    /// flame graphs and to index.html start with this URL, so they still
    /// work once the Markdown is pasted into a ticket.
    /// Example: `--link-base https://ci.example.org/job/42/report`.
    #[arg(long, value_name = "URL", value_parser = link_base)]
    pub link_base: Option<String>,

    /// Exit with code 3 when a capture has warnings (lost events,
    /// unreadable lines, ...). The report is still written.
    #[arg(long)]
    pub strict: bool,

    /// Replace DIR even if it is not an earlier tracereport report (never a
    /// file, a mount point, the current directory, or a directory holding
    /// an input).
    #[arg(long)]
    pub force: bool,

    /// No progress bar, summary or warnings on stderr (errors still print).
    #[arg(short, long)]
    pub quiet: bool,

    /// Only parse every line of the captures and count what the grammar
    /// accepts; write no report. For checking a capture's lines and timing
    /// the parser. Example: `tracereport --parse-only huge.log`.
    #[arg(long, conflicts_with = "stats")]
    pub parse_only: bool,

    /// Only read the captures (tasks, syscalls, call trees, warnings) and
    /// print a summary of each; write no report. Example:
    /// `tracereport --stats huge.log`.
    #[arg(long)]
    pub stats: bool,
}

/// An output file kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// `index.html`: interactive, self-contained.
    Html,
    /// `report.md`: for tickets (GitHub/GitLab).
    Md,
    /// `report.txt`: plain text for mailing lists (78 columns).
    Txt,
    /// `report.json`: stable schema.
    Json,
    /// `flamegraphs/*.svg`: the flame graphs as files (report.md links them).
    Flamegraphs,
    /// `trace.json`: the call trees in the Chrome trace-event format, for
    /// the Perfetto UI or chrome://tracing.
    Trace,
}

/// `--input-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InputFormatArg {
    /// Guess from the first lines.
    Auto,
    /// function_graph text (`trace`, `trace_pipe`, `perf ftrace`).
    Graph,
    /// function tracer text.
    Function,
    /// `trace-cmd report` output.
    TraceCmd,
}

/// `--digest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DigestArg {
    /// BLAKE3, as `b3sum` prints it.
    Blake3,
    /// SHA-256, as `sha256sum` prints it.
    Sha256,
}

impl DigestArg {
    fn kind(self) -> DigestKind {
        match self {
            DigestArg::Blake3 => DigestKind::Blake3,
            DigestArg::Sha256 => DigestKind::Sha256,
        }
    }
}

impl InputFormatArg {
    /// The forced format, if any.
    pub fn forced(self) -> Option<InputFormat> {
        match self {
            InputFormatArg::Auto => None,
            InputFormatArg::Graph => Some(InputFormat::Graph),
            InputFormatArg::Function => Some(InputFormat::Function),
            InputFormatArg::TraceCmd => Some(InputFormat::TraceCmd),
        }
    }
}

/// A checked run configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Inputs with their labels.
    pub inputs: Vec<(InputPath, String)>,
    /// The parsed command line.
    pub cli: CliSnapshot,
}

/// The parts of [`Cli`] the run needs, after checking.
#[derive(Debug, Clone)]
pub struct CliSnapshot {
    /// Output directory (empty with `--parse-only` and `--stats`).
    pub output: PathBuf,
    /// Outputs.
    pub formats: Vec<OutputFormat>,
    /// See [`Cli::syscall`].
    pub syscalls: Vec<String>,
    /// See [`Cli::keep`].
    pub keep: usize,
    /// See [`Cli::max_tree_calls`].
    pub max_tree_calls: usize,
    /// See [`Cli::max_tasks`].
    pub max_tasks: usize,
    /// See [`Cli::max_report_calls`].
    pub max_report_calls: usize,
    /// Forced input format.
    pub input_format: Option<InputFormat>,
    /// See [`Cli::digest`].
    pub digest: DigestKind,
    /// See [`Cli::pair`].
    pub pairs: Vec<PairRequest>,
    /// See [`Cli::ignore`].
    pub ignore: Vec<String>,
    /// Kernel fact files per capture (by index), from `--kernel` and
    /// `--filter-functions`.
    pub kernel_files: Vec<Vec<(FactKind, PathBuf)>>,
    /// See [`Cli::kernel_src`].
    pub kernel_src: Option<PathBuf>,
    /// See [`Cli::kernel_index`].
    pub kernel_index: Option<PathBuf>,
    /// Gap threshold, ns.
    pub gap_min_ns: u64,
    /// Gap ratio.
    pub gap_min_ratio: f64,
    /// Notes file.
    pub notes: Option<PathBuf>,
    /// Title.
    pub title: Option<String>,
    /// Kernel version for links.
    pub kernel_version: Option<String>,
    /// See [`Cli::link_base`].
    pub link_base: Option<String>,
    /// See [`Cli::strict`].
    pub strict: bool,
    /// See [`Cli::force`].
    pub force: bool,
    /// See [`Cli::quiet`].
    pub quiet: bool,
    /// See [`Cli::parse_only`].
    pub parse_only: bool,
    /// See [`Cli::stats`].
    pub stats: bool,
}

impl Cli {
    /// Check the arguments against each other.
    pub fn into_config(self) -> Result<Config, Error> {
        self.check()?;
        let inputs = self.inputs();
        pair_labels(&self.pair, &inputs)?;
        let mut formats = self.format.clone();
        formats.dedup();
        let kernel_files =
            crate::kernel::load::kernel_files(&self.kernel, &self.filter_functions, &inputs)?;
        Ok(Config {
            inputs,
            cli: CliSnapshot {
                output: self.output.unwrap_or_default(),
                formats,
                syscalls: self.syscall,
                keep: self.keep,
                max_tree_calls: self.max_tree_calls,
                max_tasks: self.max_tasks,
                max_report_calls: self.max_report_calls,
                input_format: self.input_format.forced(),
                digest: self.digest.kind(),
                pairs: self.pair,
                ignore: self.ignore,
                kernel_files,
                kernel_src: self.kernel_src,
                kernel_index: self.kernel_index,
                gap_min_ns: (self.gap_min_us * 1000.0) as u64,
                gap_min_ratio: self.gap_min_ratio,
                notes: self.notes,
                title: self.title,
                kernel_version: self.kernel_version,
                link_base: self.link_base,
                strict: self.strict,
                force: self.force,
                quiet: self.quiet,
                parse_only: self.parse_only,
                stats: self.stats,
            },
        })
    }

    /// What clap cannot check alone: counts that must fit the captures,
    /// stdin at most once, thresholds in range.
    fn check(&self) -> Result<(), Error> {
        if self.label.len() > self.captures.len() {
            return Err(Error::Usage(format!(
                "{} --label given for {} capture(s)",
                self.label.len(),
                self.captures.len()
            )));
        }
        if self.filter_functions.len() > self.captures.len() {
            return Err(Error::Usage(format!(
                "{} --filter-functions given for {} capture(s)",
                self.filter_functions.len(),
                self.captures.len()
            )));
        }
        if self
            .captures
            .iter()
            .filter(|c| c.as_os_str() == "-")
            .count()
            > 1
        {
            return Err(Error::Usage(
                "`-` (standard input) can be given only once".into(),
            ));
        }
        if !(0.0..=1.0).contains(&self.gap_min_ratio)
            || self.gap_min_us.is_nan()
            || self.gap_min_us < 0.0
        {
            return Err(Error::Usage(
                "--gap-min-us must be ≥ 0 and --gap-min-ratio within 0..1".into(),
            ));
        }
        Ok(())
    }

    /// Each capture with its label: given by `--label`, else its file
    /// name, made unique by its position.
    fn inputs(&self) -> Vec<(InputPath, String)> {
        let mut inputs = Vec::new();
        for (i, c) in self.captures.iter().enumerate() {
            let path = InputPath::from_arg(c);
            let label = self
                .label
                .get(i)
                .cloned()
                .unwrap_or_else(|| path.default_label());
            inputs.push((path, label));
        }
        // Two captures named `bad.log` in different folders need different labels.
        for i in 0..inputs.len() {
            let dup = inputs[..i].iter().any(|(_, l)| *l == inputs[i].1);
            if dup && i >= self.label.len() {
                inputs[i].1 = format!("{}-{}", inputs[i].1, i + 1);
            }
        }
        inputs
    }
}

/// Every `--pair` label names a capture: a typo is a wrong argument (exit 2), not a report
/// that silently compares something else.
fn pair_labels(pairs: &[PairRequest], inputs: &[(InputPath, String)]) -> Result<(), Error> {
    for p in pairs {
        for l in [&p.good_label, &p.bad_label].into_iter().flatten() {
            if !inputs.iter().any(|(_, label)| label == l) {
                let known: Vec<&str> = inputs.iter().map(|(_, l)| l.as_str()).collect();
                return Err(Error::Usage(format!(
                    "--pair: no capture labelled `{l}` (the labels are: {})",
                    known.join(", ")
                )));
            }
        }
    }
    Ok(())
}

/// `--link-base`: an http(s) URL that cannot break out of a Markdown link
/// target (no spaces, brackets, quotes or angle brackets).
fn link_base(s: &str) -> Result<String, String> {
    let ok_scheme = s.starts_with("https://") || s.starts_with("http://");
    let bad = s
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || "()[]<>\"'`\\".contains(*c));
    match (ok_scheme, bad) {
        (false, _) => Err("expected an http:// or https:// URL".into()),
        (_, Some(c)) => Err(format!("{c:?} cannot appear in a link target")),
        _ => Ok(s.trim_end_matches('/').to_string()),
    }
}

/// A count that must be at least 1 (`--max-tree-calls 0` would keep no
/// tree at all, which `--syscall` or `--keep 0` says more plainly).
fn at_least_one(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

/// `tracereport index-kernel DIR -o FILE`: index a kernel source tree once.
#[derive(Debug, Parser)]
#[command(name = "tracereport index-kernel", max_term_width = 100)]
pub struct IndexCli {
    /// The kernel source tree (e.g. Debian's linux-source-6.12 unpacked).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Where to write the index (zstd-compressed JSON). Example: `-o linux-6.12.idx`.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
}
