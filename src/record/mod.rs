//! `tracereport record`: the fifteen tracefs steps of a capture as one
//! command that leaves the machine as it found it. Not a pipeline stage:
//! it produces a capture file, which the pipeline then reads like any other.
//!
//! `tracefs` finds or mounts tracefs; `target` picks a private instance or
//! the global files; `setup` writes the settings in order through the
//! `journal`, which restores the old values; `child` starts the command held
//! back until its pid is in the filters; `stream` copies `trace_pipe` to the
//! capture behind the `header`; `sidecar` saves the kernel's traceable
//! functions and config beside it; `signals` turns Ctrl-C and SIGTERM into
//! an orderly stop; `recipe` reads an earlier report's next capture.

pub mod args;
pub mod child;
pub mod error;
pub mod header;
pub mod journal;
pub mod recipe;
pub mod setup;
pub mod sidecar;
pub mod signals;
pub mod stream;
pub mod target;
pub mod tracefs;

use std::{
    ffi::OsString,
    io::Write,
    path::{Path, PathBuf},
};

pub use args::RecordCli;
pub use error::RecordError;

use self::{
    child::Exit,
    header::Header,
    journal::Journal,
    setup::Plan,
    signals::Stop,
    stream::{Counts, Ended},
    target::Target,
    tracefs::Tracefs,
};

/// One capture recorded.
#[derive(Debug)]
pub struct Recorded {
    /// The capture file.
    pub path: PathBuf,
    /// `good`, `bad`, or the file's name.
    pub label: String,
    /// What was streamed.
    pub counts: Counts,
    /// How the command ended.
    pub exit: Exit,
    /// A signal that stopped the recording early.
    pub stopped_by: Option<&'static str>,
    /// The tracer that ran.
    pub tracer: String,
    /// `available_filter_functions` saved beside the capture.
    pub filter_functions: Option<PathBuf>,
    /// Fallbacks, refusals, missing sidecars.
    pub notes: Vec<String>,
}

/// What `tracereport record` did.
#[derive(Debug)]
pub struct RecordOutcome {
    /// The captures, in order.
    pub captures: Vec<Recorded>,
    /// `--report`: the report written.
    pub report: Option<crate::Outcome>,
    /// Said once at the end (tracefs left mounted, …).
    pub notes: Vec<String>,
}

/// Settings and target of one recording: restored and removed on drop,
/// whatever path (error, signal, panic unwinding) leaves the recording.
struct Session {
    journal: Journal,
    target: Target,
}

impl Session {
    /// Restore every setting and remove the instance; the failures.
    fn finish(&mut self) -> Vec<String> {
        let mut failed = self.journal.restore();
        failed.extend(self.target.remove());
        failed
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        for f in self.finish() {
            eprintln!("warning: tracefs not restored: {f}");
        }
    }
}

/// Run `tracereport record`.
pub fn run(cli: &RecordCli) -> Result<RecordOutcome, RecordError> {
    let runs = runs(cli)?;
    let mut plan = cli.plan();
    if let Some(dir) = &cli.from_report {
        recipe::apply(&recipe::load(dir)?, &mut plan);
    }
    if let Some(dir) = &cli.report {
        crate::output::check_target(dir, cli.force, &[])?;
    }
    if !rustix::process::geteuid().is_root() {
        return Err(RecordError::Denied(
            "tracereport record needs root: writing tracefs settings (and mounting tracefs) needs CAP_SYS_ADMIN; run it with sudo".into(),
        ));
    }
    let stop = Stop::register().map_err(|e| RecordError::Usage(format!("signals: {e}")))?;
    let fs = Tracefs::find_or_mount()?;
    let mut out = RecordOutcome {
        captures: Vec::new(),
        report: None,
        notes: Vec::new(),
    };
    let mut result = Ok(());
    for (label, argv, path) in runs {
        match record_one(&fs, &plan, cli, &argv, &path, &stop) {
            Ok(mut r) => {
                r.label = label;
                let stopped = r.stopped_by.is_some();
                out.captures.push(r);
                if stopped {
                    break;
                }
            }
            Err(e) => {
                result = Err(e);
                break;
            }
        }
    }
    out.notes.extend(fs.release());
    result?;
    let complete = out.captures.iter().all(|c| c.stopped_by.is_none());
    if let (Some(dir), true) = (&cli.report, complete) {
        out.report = Some(report(cli, dir, &out.captures)?);
    }
    Ok(out)
}

/// (label, argv, capture path) per recording.
fn runs(cli: &RecordCli) -> Result<Vec<(String, Vec<OsString>, PathBuf)>, RecordError> {
    match (&cli.good, &cli.bad) {
        (Some(g), Some(b)) => {
            if !cli.command.is_empty() {
                return Err(RecordError::Usage(
                    "give either --good/--bad or a command after `--`, not both".into(),
                ));
            }
            let sh = |c: &str| vec!["/bin/sh".into(), "-c".into(), c.into()];
            Ok(vec![
                ("good".into(), sh(g), suffixed(&cli.output, "good")),
                ("bad".into(), sh(b), suffixed(&cli.output, "bad")),
            ])
        }
        _ if cli.command.is_empty() => Err(RecordError::Usage(
            "no command: `tracereport record [OPTIONS] -- CMD [ARGS]` (or --good CMD --bad CMD)"
                .into(),
        )),
        _ => Ok(vec![(
            crate::read::InputPath::File(cli.output.clone()).default_label(),
            cli.command.clone(),
            cli.output.clone(),
        )]),
    }
}

/// `c.log` → `c-good.log`.
fn suffixed(p: &Path, tag: &str) -> PathBuf {
    let stem = p
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = match p.extension() {
        Some(e) => format!("{stem}-{tag}.{}", e.to_string_lossy()),
        None => format!("{stem}-{tag}"),
    };
    p.with_file_name(name)
}

/// Record `argv` into `path`.
fn record_one(
    fs: &Tracefs,
    plan: &Plan,
    cli: &RecordCli,
    argv: &[OsString],
    path: &Path,
    stop: &Stop,
) -> Result<Recorded, RecordError> {
    let target = Target::open(fs, plan, cli.force, cli.global)?;
    let mut s = Session {
        journal: Journal::default(),
        target,
    };
    let dir = s.target.dir.clone();
    let held = child::spawn_held(argv)?;
    let mut check = || stop.check();
    let applied = setup::apply(&mut s.journal, &dir, plan, held.pid(), &mut check)?;
    let release = header::kernel_release();
    let sidecars = sidecar::write(fs, path, &release);
    let mut notes = applied.notes.clone();
    notes.extend(s.target.note.clone());
    notes.extend(sidecars.notes.iter().cloned());
    let head = Header {
        kernel: release,
        tracer: applied.tracer.clone(),
        command: header::shell_words(argv),
        tracefs: dir.display().to_string(),
        settings: settings(&s.journal, &dir),
        notes: notes.clone(),
    };
    let out_err = |e| RecordError::Output {
        path: path.into(),
        source: e,
    };
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).map_err(out_err)?);
    w.write_all(head.text().as_bytes()).map_err(out_err)?;
    let bar = progress(cli.quiet);
    let mut running = held.release().inspect_err(|_| discard(path, &sidecars))?;
    let streamed = stream::stream(
        &dir.join("trace_pipe"),
        &mut w,
        &mut running,
        &mut check,
        &bar,
    );
    bar.finish_and_clear();
    let (counts, ended) = streamed.map_err(out_err)?;
    w.flush().map_err(out_err)?;
    let _ = s.journal.set(&dir.join("tracing_on"), b"0");
    let failed = s.finish();
    if !failed.is_empty() {
        return Err(RecordError::Restore(failed.join("; ")));
    }
    let (exit, stopped_by) = match ended {
        Ended::Exited(e) => (e, None),
        Ended::Signal(sig, e) => (e, Some(sig)),
    };
    Ok(Recorded {
        path: path.into(),
        label: String::new(),
        counts,
        exit,
        stopped_by,
        tracer: applied.tracer,
        filter_functions: sidecars.filter_functions,
        notes,
    })
}

/// Nothing was recorded (the command could not start): no capture file,
/// no sidecars left behind.
fn discard(path: &Path, sidecars: &sidecar::Sidecars) {
    let extra = [&sidecars.filter_functions, &sidecars.config];
    for p in std::iter::once(path).chain(extra.into_iter().flatten().map(|p| p.as_path())) {
        let _ = std::fs::remove_file(p);
    }
}

/// `file=value` for each setting that took, relative to the target.
fn settings(j: &Journal, dir: &Path) -> Vec<String> {
    j.log()
        .iter()
        .filter(|w| w.ok && !w.path.ends_with("trace"))
        .map(|w| {
            let rel = w.path.strip_prefix(dir).unwrap_or(&w.path);
            format!(
                "{}={}",
                rel.display(),
                String::from_utf8_lossy(&w.value).trim()
            )
        })
        .collect()
}

/// The progress line on stderr (hidden when it is not a terminal).
fn progress(quiet: bool) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new_spinner();
    if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} recording: {msg}") {
        bar.set_style(style);
    }
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

/// `--report DIR`: the report of the captures just recorded.
fn report(cli: &RecordCli, dir: &Path, caps: &[Recorded]) -> Result<crate::Outcome, RecordError> {
    let mut args: Vec<OsString> = vec!["tracereport".into()];
    for c in caps {
        args.push(c.path.clone().into());
    }
    for c in caps {
        args.extend(["--label".into(), c.label.clone().into()]);
    }
    for c in caps {
        let ff = c.filter_functions.clone().unwrap_or_else(|| "none".into());
        args.extend(["--filter-functions".into(), ff.into()]);
    }
    args.extend(["-o".into(), dir.as_os_str().to_owned()]);
    if cli.force {
        args.push("--force".into());
    }
    let parsed = <crate::cli::Cli as clap::Parser>::try_parse_from(args)
        .map_err(|e| RecordError::Usage(e.to_string()))?;
    let cfg = parsed.into_config()?;
    Ok(crate::run(&cfg)?)
}

#[cfg(test)]
mod tests;
