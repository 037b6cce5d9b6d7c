//! `tracereport record`: parse its arguments, record, print what happened,
//! pick the exit code (0 recorded; 2 error, tracefs restored; 128+N when
//! signal N stopped it during setup; `--report`'s 3 never: no --strict here).

use std::process::ExitCode;

use clap::Parser;
use tracereport::record::{self, RecordCli, RecordError};

pub fn main() -> ExitCode {
    let cli = RecordCli::parse_from(std::env::args_os().skip(1));
    match record::run(&cli) {
        Ok(out) => {
            for c in &out.captures {
                print_capture(c, cli.quiet);
            }
            for n in &out.notes {
                eprintln!("note: {n}");
            }
            if let Some(r) = &out.report {
                if !cli.quiet {
                    if let Some(dir) = &cli.report {
                        crate::summary(r, dir);
                    }
                }
            } else if cli.report.is_some() && !out.captures.iter().all(|c| c.stopped_by.is_none()) {
                eprintln!("note: recording stopped early: no report written");
            }
            ExitCode::SUCCESS
        }
        Err(RecordError::Interrupted(sig)) => {
            eprintln!(
                "error: interrupted by {sig} before the command started; tracefs restored, nothing recorded"
            );
            ExitCode::from(130)
        }
        Err(e) => crate::error(e),
    }
}

fn print_capture(c: &record::Recorded, quiet: bool) {
    if !quiet {
        for n in &c.notes {
            eprintln!("note: {n}");
        }
        let stopped = c
            .stopped_by
            .map(|s| format!(" (stopped by {s}; the command was sent SIGTERM)"))
            .unwrap_or_default();
        eprintln!(
            "recorded {}: {} with the {} tracer; the command ended with {}{stopped}",
            c.path.display(),
            c.counts.line(),
            c.tracer,
            c.exit
        );
    }
    if c.counts.lost > 0 {
        eprintln!(
            "warning: {} events lost: the ring buffer filled faster than it was read. Fix: a bigger buffer (--buffer-kb 16384, per CPU) or a narrower capture (--graph-function FUNC, --syscall NAME, --depth N)",
            c.counts.lost
        );
    }
}
