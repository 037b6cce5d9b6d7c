//! The settings, in the order they are written. The order matters: tracing
//! is off while anything changes; the tracer comes before its options (the
//! kernel only shows `funcgraph-*` once `function_graph` is current); pid
//! filters come before the events they filter; the buffer is cleared last
//! and tracing switched on only then.

use std::path::{Path, PathBuf};

use super::{error::RecordError, journal::Journal};

/// A tracer `record` can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Tracer {
    /// Call graphs with durations (and return values with `--retval`).
    #[value(name = "function_graph")]
    FunctionGraph,
    /// Every function entry with its caller.
    Function,
    /// No function tracer: syscall events only.
    Nop,
}

impl Tracer {
    /// The name tracefs uses.
    pub fn name(self) -> &'static str {
        match self {
            Tracer::FunctionGraph => "function_graph",
            Tracer::Function => "function",
            Tracer::Nop => "nop",
        }
    }

    /// This tracer, then what to fall back to, in order.
    pub fn chain(self) -> &'static [&'static str] {
        match self {
            Tracer::FunctionGraph => &["function_graph", "function", "nop"],
            Tracer::Function => &["function", "nop"],
            Tracer::Nop => &["nop"],
        }
    }
}

/// The kernel option that provides a tracer or tracefs file.
pub fn config_for(what: &str) -> &'static str {
    match what {
        "function_graph" | "set_graph_function" | "max_graph_depth" => {
            "CONFIG_FUNCTION_GRAPH_TRACER"
        }
        "function" | "set_ftrace_pid" => "CONFIG_FUNCTION_TRACER with CONFIG_DYNAMIC_FTRACE",
        "options/funcgraph-retval" => "Linux 6.5+ with CONFIG_FUNCTION_GRAPH_RETVAL",
        "events/syscalls" => "CONFIG_FTRACE_SYSCALLS",
        _ => "a newer kernel",
    }
}

/// What to record.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The tracer asked for.
    pub tracer: Tracer,
    /// Syscalls whose enter/exit events to enable (none: all of them when
    /// only `nop` can run).
    pub syscalls: Vec<String>,
    /// `set_graph_function`.
    pub graph_functions: Vec<String>,
    /// `max_graph_depth`.
    pub depth: Option<u32>,
    /// `options/funcgraph-retval`.
    pub retval: bool,
    /// `buffer_size_kb` (per CPU).
    pub buffer_kb: Option<u32>,
}

/// What was set up: the tracer that runs and what fell back.
#[derive(Debug, Clone, Default)]
pub struct Applied {
    /// The tracer that runs.
    pub tracer: String,
    /// Fallbacks and settings that the kernel refused, one sentence each.
    pub notes: Vec<String>,
    /// Syscall events enabled.
    pub events: usize,
}

/// Apply `plan` under `dir` (a tracefs root or instance) for process `pid`,
/// every change through `j`. `stop` is asked between steps (a signal).
pub fn apply(
    j: &mut Journal,
    dir: &Path,
    plan: &Plan,
    pid: u32,
    stop: &mut dyn FnMut() -> Option<&'static str>,
) -> Result<Applied, RecordError> {
    let p = |rel: &str| dir.join(rel);
    let set = |j: &mut Journal, rel: &str, v: &str| {
        j.set(&p(rel), v.as_bytes())
            .map_err(|e| RecordError::tracefs(p(rel), e))
    };
    let mut stopped = || stop().map_or(Ok(()), |sig| Err(RecordError::Interrupted(sig)));
    set(j, "tracing_on", "0")?;
    stopped()?;
    let mut applied = Applied::default();
    applied.tracer = choose_tracer(j, dir, plan, pid, &mut applied.notes)?;
    stopped()?;
    if let Some(kb) = plan.buffer_kb {
        set(j, "buffer_size_kb", &kb.to_string())?;
        stopped()?;
    }
    if applied.tracer == "function_graph" {
        graph_settings(j, dir, plan)?;
        for o in ["options/funcgraph-proc", "options/funcgraph-abstime"] {
            optional(j, &p(o), "1", &mut applied.notes);
        }
        if plan.retval {
            optional(j, &p("options/funcgraph-retval"), "1", &mut applied.notes);
        }
        stopped()?;
    } else if !plan.graph_functions.is_empty() || plan.depth.is_some() || plan.retval {
        applied.notes.push(format!(
            "--graph-function, --depth and --retval need function_graph; ignored with {}",
            applied.tracer
        ));
    }
    let events = syscall_events(dir, plan, &applied.tracer)?;
    if !events.is_empty() {
        set(j, "set_event_pid", &pid.to_string())?;
        optional(j, &p("options/event-fork"), "1", &mut applied.notes);
        for e in &events {
            set(j, &format!("events/syscalls/{e}/enable"), "1")?;
            stopped()?;
        }
    }
    applied.events = events.len();
    j.clear(&p("trace"))
        .map_err(|e| RecordError::tracefs(p("trace"), e))?;
    set(j, "tracing_on", "1")?;
    Ok(applied)
}

/// The first tracer of the chain that is listed and starts, with its pid
/// filter (a function tracer that cannot be limited to the command would
/// record the whole machine, so that falls back too).
fn choose_tracer(
    j: &mut Journal,
    dir: &Path,
    plan: &Plan,
    pid: u32,
    notes: &mut Vec<String>,
) -> Result<String, RecordError> {
    let avail_path = dir.join("available_tracers");
    let avail =
        super::tracefs::read_text(&avail_path).map_err(|e| RecordError::tracefs(&avail_path, e))?;
    let listed: Vec<&str> = avail.split_ascii_whitespace().collect();
    for &t in plan.tracer.chain() {
        if !listed.contains(&t) {
            notes.push(format!(
                "{} (available_tracers: {avail}): needs {}",
                crate::analyse::audit::tracer_missing_note(t),
                config_for(t)
            ));
            continue;
        }
        if let Err(e) = j.set(&dir.join("current_tracer"), t.as_bytes()) {
            notes.push(format!(
                "{t} tracer is listed but the kernel refused to start it ({e}); dmesg may say why (ftrace disabled after a fault, lockdown)"
            ));
            continue;
        }
        if t == "nop" {
            if plan.tracer != Tracer::Nop {
                notes.push(
                    "recorded with the nop tracer: syscall events only, no call trees".into(),
                );
            }
            return Ok(t.into());
        }
        let fork = dir.join("options/function-fork");
        let pid_ok = j
            .set(&dir.join("set_ftrace_pid"), pid.to_string().as_bytes())
            .map_err(|e| e.to_string())
            .and_then(|()| {
                j.set(&fork, b"1")
                    .map_err(|e| format!("options/function-fork: {e}"))
            });
        match pid_ok {
            Ok(()) => return Ok(t.into()),
            Err(e) => notes.push(format!(
                "{t} tracer started but cannot be limited to the command (set_ftrace_pid: {e}); not used, as it would trace every process"
            )),
        }
    }
    Err(RecordError::Unsupported(format!(
        "no usable tracer here: {}",
        notes.join("; ")
    )))
}

/// `set_graph_function` and `max_graph_depth`: asked for, so an error is fatal.
fn graph_settings(j: &mut Journal, dir: &Path, plan: &Plan) -> Result<(), RecordError> {
    if !plan.graph_functions.is_empty() {
        let path = dir.join("set_graph_function");
        j.set(&path, plan.graph_functions.join(" ").as_bytes())
            .map_err(|e| RecordError::Tracefs {
                path,
                source: e,
                hint: " (is each --graph-function in available_filter_functions? inlined and notrace functions are not)".into(),
            })?;
    }
    if let Some(d) = plan.depth {
        let path = dir.join("max_graph_depth");
        j.set(&path, d.to_string().as_bytes())
            .map_err(|e| RecordError::tracefs(path, e))?;
    }
    Ok(())
}

/// Set an option the capture is better with but can do without.
fn optional(j: &mut Journal, path: &Path, value: &str, notes: &mut Vec<String>) {
    if let Err(e) = j.set(path, value.as_bytes()) {
        let rel = path
            .iter()
            .rev()
            .take(2)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<PathBuf>();
        let rel = rel.display().to_string();
        notes.push(format!("{rel} not set ({e}): needs {}", config_for(&rel)));
    }
}

/// The syscall event directories to enable: the asked ones, or all of them
/// when no function tracer runs (else nothing would be recorded).
fn syscall_events(dir: &Path, plan: &Plan, tracer: &str) -> Result<Vec<String>, RecordError> {
    let base = dir.join("events/syscalls");
    if plan.syscalls.is_empty() && tracer != "nop" {
        return Ok(Vec::new());
    }
    if !base.is_dir() {
        return Err(RecordError::Unsupported(format!(
            "{} is missing: syscall events need {}",
            base.display(),
            config_for("events/syscalls")
        )));
    }
    let mut out = Vec::new();
    if plan.syscalls.is_empty() {
        let rd = std::fs::read_dir(&base).map_err(|e| RecordError::tracefs(&base, e))?;
        for e in rd.flatten() {
            let n = e.file_name().to_string_lossy().into_owned();
            if n.starts_with("sys_enter_") || n.starts_with("sys_exit_") {
                out.push(n);
            }
        }
        out.sort();
        return Ok(out);
    }
    for s in &plan.syscalls {
        for side in ["enter", "exit"] {
            let n = format!("sys_{side}_{s}");
            if !base.join(&n).is_dir() {
                return Err(RecordError::Usage(format!(
                    "no syscall event {n} in {}: is `{s}` a syscall name of this kernel (e.g. openat, bpf)?",
                    base.display()
                )));
            }
            out.push(n);
        }
    }
    Ok(out)
}
