//! The `tracereport` command: parse arguments, run, print a summary, pick
//! the exit code. Everything else lives in the library.

use std::process::ExitCode;

use clap::Parser;
use tracereport::{analyse::prose::plural, cli::Cli};

/// `eprintln!` with control characters shown as escapes: labels, paths,
/// warnings and the verdict carry text from the captures, and an ESC or OSC
/// sequence in them must not reach the terminal.
macro_rules! say {
    ($($t:tt)*) => {
        eprintln!("{}", tracereport::render::untrusted::terminal(&format!($($t)*)))
    };
}

/// `println!`, likewise.
macro_rules! out {
    ($($t:tt)*) => {
        println!("{}", tracereport::render::untrusted::terminal(&format!($($t)*)))
    };
}

fn main() -> ExitCode {
    // `tracereport record …` has its own command line; anything else is the
    // report's, unchanged (a capture named `record` is given as `./record`).
    #[cfg(target_os = "linux")]
    if std::env::args_os().nth(1).is_some_and(|a| a == "record") {
        return record::main();
    }
    // Likewise `tracereport index-kernel DIR -o FILE`.
    if std::env::args_os()
        .nth(1)
        .is_some_and(|a| a == "index-kernel")
    {
        let args = std::env::args_os().skip(1);
        return index_kernel(tracereport::cli::IndexCli::parse_from(args));
    }
    let cli = Cli::parse();
    let quiet = cli.quiet;
    let strict = cli.strict;
    let cfg = match cli.into_config() {
        Ok(c) => c,
        Err(e) => return error(e),
    };
    if cfg.cli.parse_only {
        return parse_only(&cfg, strict);
    }
    if cfg.cli.stats {
        return stats(&cfg, strict);
    }
    let out = cfg.cli.output.clone();
    match tracereport::run(&cfg) {
        Ok(outcome) => {
            if !quiet {
                summary(&outcome, &out);
            }
            if strict && outcome.warnings > 0 {
                say!(
                    "error: {} in the captures (--strict); the report lists them",
                    plural(outcome.warnings, "warning")
                );
                return ExitCode::from(3);
            }
            ExitCode::SUCCESS
        }
        Err(e) => error(e),
    }
}

/// An error: one line on stderr, nothing written, exit 2.
pub(crate) fn error(e: impl std::fmt::Display) -> ExitCode {
    say!("error: {e}");
    ExitCode::from(2)
}

#[cfg(target_os = "linux")]
#[path = "main/record.rs"]
mod record;

/// Kinds of warnings per capture printed on stderr (one line each).
const SHOWN_WARNING_KINDS: usize = 6;

pub(crate) fn summary(o: &tracereport::Outcome, out: &std::path::Path) {
    let r = &o.report;
    for c in &r.captures {
        // Counted from the groups (every syscall), not from the kept
        // entries: those include trees outside syscalls, and a capture of
        // syscall events keeps syscalls with no tree at all.
        let syscalls = c.syscall_groups.iter().filter(|g| !g.root);
        let failing: u64 = (syscalls.clone())
            .filter(|g| g.outcome.failed())
            .map(|g| g.count)
            .sum();
        let unknown: u64 = (syscalls.clone())
            .filter(|g| g.outcome.0 == tracereport::model::Outcome::Unknown)
            .map(|g| g.count)
            .sum();
        let unknown = match unknown {
            0 => String::new(),
            n => format!(", {n} with no result captured"),
        };
        let trees = c.syscalls.iter().filter(|s| s.root.is_some()).count();
        say!(
            "{}: {} lines, {} ({} failing{}), {} kept, {}",
            c.label,
            c.lines,
            plural(syscalls.map(|g| g.count).sum(), "syscall"),
            failing,
            unknown,
            plural(trees as u64, "call tree"),
            plural(c.warnings_total, "warning")
        );
        // The first warning of each kind, as compilers print them
        // (file:line): a cut file's one `truncated-input` must not hide
        // behind a hundred exits without entries. The report holds the rest.
        let mut kinds = Vec::new();
        for w in &c.warnings {
            if kinds.len() == SHOWN_WARNING_KINDS {
                break;
            }
            if !kinds.contains(&w.kind) {
                kinds.push(w.kind);
                say!("warning: {}:{}: {}: {}", c.path, w.line, w.kind, w.message);
            }
        }
        let shown = kinds.len() as u64;
        if c.warnings_total > shown {
            say!(
                "  … and {} more in the report",
                plural(c.warnings_total - shown, "warning")
            );
        }
    }
    // The analysis' own notes: a cap it hit (the alignment budget), a
    // request it could not follow.
    for n in &r.notes {
        say!("note: {n}");
    }
    // The report's size budget: what it cut.
    if let Some(t) = &r.truncation {
        say!("note: {}", t.message);
    }
    if !r.verdict.is_empty() {
        say!("\n{}\n", r.verdict);
    }
    say!("wrote {} to {}", o.files.join(", "), out.display());
}

/// `--parse-only`: parse every line and print the counts, on stdout.
fn parse_only(cfg: &tracereport::cli::Config, strict: bool) -> ExitCode {
    let summaries = match tracereport::parse_captures(cfg) {
        Ok(s) => s,
        Err(e) => return error(e),
    };
    let mut unreadable = 0;
    for s in &summaries {
        unreadable += s.unreadable + s.overlong;
        out!(
            "{}: {} bytes, {} lines as {}: {} parsed, {} unreadable, {} too long",
            s.label,
            s.bytes,
            s.lines,
            s.format.map_or("?", |f| f.name()),
            s.parsed,
            s.unreadable,
            s.overlong
        );
    }
    if strict && unreadable > 0 {
        return ExitCode::from(3);
    }
    ExitCode::SUCCESS
}

/// `--stats`: read the captures and print what they hold, on stdout.
fn stats(cfg: &tracereport::cli::Config, strict: bool) -> ExitCode {
    let captures = match tracereport::read_captures(cfg) {
        Ok(c) => c,
        Err(e) => return error(e),
    };
    let mut warnings = 0;
    for c in &captures {
        let t = &c.trace;
        // Trees outside syscalls are groups too: not counted as syscalls.
        let syscalls: u64 = t.groups.iter().filter(|g| !g.root).map(|g| g.count).sum();
        let failing: u64 = t
            .groups
            .iter()
            .filter(|g| !g.root && matches!(g.outcome, tracereport::model::Outcome::Errno(_)))
            .map(|g| g.count)
            .sum();
        warnings += t.warnings.total();
        let trees = t.syscalls.iter().filter(|s| s.tree.is_some()).count() as u64;
        out!(
            "{}: {}, {}, {}, {}, {} ({} failing), {} kept, {}, {}, {}, {}",
            c.label,
            plural(t.facts.bytes, "byte"),
            plural(t.facts.lines, "line"),
            plural(t.facts.records, "record"),
            plural(t.facts.calls, "call"),
            plural(syscalls, "syscall"),
            failing,
            plural(trees, "call tree"),
            plural(t.tasks.len() as u64, "task"),
            plural(t.names.len() as u64, "function"),
            plural(t.paths.nodes.len() as u64, "call path"),
            plural(t.warnings.total(), "warning")
        );
    }
    if strict && warnings > 0 {
        return ExitCode::from(3);
    }
    ExitCode::SUCCESS
}

/// `tracereport index-kernel DIR -o FILE`.
fn index_kernel(a: tracereport::cli::IndexCli) -> ExitCode {
    let idx = match tracereport::kernel::index::build(&a.dir) {
        Ok(i) => i,
        Err(e) => return error(format!("{}: {e}", a.dir.display())),
    };
    // Written beside its place and renamed: never a half-written index.
    let dir = a
        .output
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let written = tempfile::NamedTempFile::new_in(dir).and_then(|mut t| {
        let mut w = std::io::BufWriter::new(t.as_file_mut());
        idx.save(&mut w)?;
        std::io::Write::flush(&mut w)?;
        drop(w);
        t.persist(&a.output).map_err(|e| e.error)?;
        Ok(())
    });
    if let Err(e) = written {
        return error(format!("{}: {e}", a.output.display()));
    }
    eprintln!(
        "{}: Linux {} — {} functions in {} files, {} ops tables, {} table entries",
        a.output.display(),
        if idx.version.is_empty() {
            "?"
        } else {
            &idx.version
        },
        idx.functions.len(),
        idx.files.len(),
        idx.ops.len(),
        idx.tables.len()
    );
    ExitCode::SUCCESS
}
