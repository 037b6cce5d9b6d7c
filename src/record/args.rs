//! `tracereport record`'s command line (clap derive; doc comments are the
//! help), parsed apart from the report's so `tracereport FILE… -o DIR` is
//! untouched: `main` hands over when the first argument is `record`.

use std::{ffi::OsString, path::PathBuf};

use clap::Parser;

use super::setup::{Plan, Tracer};

/// Record a capture with ftrace, safely, and optionally report on it.
///
/// Finds (or mounts) tracefs, works in a private instance when the kernel
/// allows (else saves every file it changes and restores the old values on
/// exit, error, Ctrl-C and SIGTERM), starts CMD held back until its pid is
/// in the filters, streams the buffer to the capture file, and stops when
/// CMD exits. Needs root.
///
/// Examples:
///   tracereport record --syscall openat -o c.log --report out/ -- cat /nonexistent
///   tracereport record -g __x64_sys_bpf --retval --good './prog --ok' --bad ./prog --report out/
///   tracereport record --from-report out/ -o next.log -- ./prog
#[derive(Debug, Parser)]
#[command(
    name = "tracereport record",
    bin_name = "tracereport record",
    version,
    max_term_width = 100,
    verbatim_doc_comment
)]
pub struct RecordCli {
    /// Enable this syscall's enter/exit events (repeatable). Example: `--syscall bpf`.
    #[arg(short, long, value_name = "NAME")]
    pub syscall: Vec<String>,

    /// Graph only below this function (`set_graph_function`; repeatable).
    /// Example: `-g __x64_sys_bpf`.
    #[arg(short, long, value_name = "FUNC")]
    pub graph_function: Vec<String>,

    /// `max_graph_depth` (0 = unlimited). Example: `--depth 8`.
    #[arg(long, value_name = "N")]
    pub depth: Option<u32>,

    /// Turn on `funcgraph-retval` (Linux 6.5+): each function's return value.
    #[arg(long)]
    pub retval: bool,

    /// Ring buffer per CPU in KiB (default 4096); raise it when events are lost.
    #[arg(long, value_name = "KB", default_value_t = 4096)]
    pub buffer_kb: u32,

    /// The tracer to ask for; when it cannot run, the next one down
    /// (function_graph → function → nop with syscall events) is used and
    /// the capture's header says why.
    #[arg(long, value_name = "TRACER", default_value = "function_graph")]
    pub tracer: Tracer,

    /// The capture file (with --good/--bad: `NAME-good.EXT`, `NAME-bad.EXT`).
    /// Sidecars go beside it. Example: `-o bad.log`.
    #[arg(short, long, value_name = "FILE", default_value = "capture.log")]
    pub output: PathBuf,

    /// Write the report of the capture(s) to DIR at once.
    #[arg(long, value_name = "DIR")]
    pub report: Option<PathBuf>,

    /// Record this shell command as the good run (with --bad).
    #[arg(long, value_name = "CMD", requires = "bad")]
    pub good: Option<String>,

    /// Record this shell command as the bad run (with --good).
    #[arg(long, value_name = "CMD", requires = "good")]
    pub bad: Option<String>,

    /// Take tracer, graph function, syscall and options from the "next
    /// capture" recipe of an earlier report in DIR (its report.json).
    #[arg(long, value_name = "DIR")]
    pub from_report: Option<PathBuf>,

    /// Record even when another tracer is active (global tracefs only),
    /// and replace --report DIR even when it is not an earlier report.
    #[arg(long)]
    pub force: bool,

    /// Use the global tracefs files even when a private instance would do.
    #[arg(long)]
    pub global: bool,

    /// No progress line or summary.
    #[arg(short, long)]
    pub quiet: bool,

    /// The command to trace, after `--`. Example: `-- ./prog --flag`.
    #[arg(last = true, value_name = "CMD")]
    pub command: Vec<OsString>,
}

impl RecordCli {
    /// The settings asked for on the command line.
    pub fn plan(&self) -> Plan {
        Plan {
            tracer: self.tracer,
            syscalls: self.syscall.clone(),
            graph_functions: self.graph_function.clone(),
            depth: self.depth,
            retval: self.retval,
            buffer_kb: Some(self.buffer_kb),
        }
    }
}
