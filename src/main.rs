//! The `tracereport` command: parse arguments, run, print a summary, pick
//! the exit code. Everything else lives in the library.

use std::process::ExitCode;

use clap::Parser;
use tracereport::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let quiet = cli.quiet;
    let strict = cli.strict;
    let out = cli.output.clone();
    let cfg = match cli.into_config() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    match tracereport::run(&cfg) {
        Ok(outcome) => {
            if !quiet {
                summary(&outcome, &out);
            }
            if strict && outcome.warnings > 0 {
                eprintln!(
                    "error: {} warning(s) in the captures (--strict); the report lists them",
                    outcome.warnings
                );
                return ExitCode::from(3);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn summary(o: &tracereport::Outcome, out: &std::path::Path) {
    let r = &o.report;
    for c in &r.captures {
        let failing = c.syscalls.iter().filter(|s| s.errno.is_some()).count();
        eprintln!(
            "{}: {} lines, {} syscall(s) with trees ({} failing), {} warning(s)",
            c.label,
            c.lines,
            c.syscalls.len(),
            failing,
            c.warnings_total
        );
    }
    if !r.verdict.is_empty() {
        eprintln!("\n{}\n", r.verdict);
    }
    eprintln!("wrote {} to {}", o.files.join(", "), out.display());
}
