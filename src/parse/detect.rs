//! Which producer wrote a capture, guessed from its first lines.

use std::fmt;

use super::{RecordKind, function, graph, header::HeaderLine, tracecmd};

/// The text formats tracereport reads. Each has its own line grammar; they
/// share the record types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputFormat {
    /// `function_graph` text from `trace`, `trace_pipe` or `perf ftrace`.
    Graph,
    /// `function` tracer / event text from `trace`, `trace_pipe` or `perf ftrace -t function`.
    Function,
    /// `trace-cmd report` text.
    TraceCmd,
}

impl InputFormat {
    /// The name used on the command line and in the report.
    pub fn name(self) -> &'static str {
        match self {
            InputFormat::Graph => "function_graph",
            InputFormat::Function => "function",
            InputFormat::TraceCmd => "trace-cmd",
        }
    }
}

impl fmt::Display for InputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How sure the guess is, and from what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detection {
    /// The format.
    pub format: InputFormat,
    /// The 1-based line that decided it.
    pub line: u64,
}

/// Guess the format from the first lines (blank lines and headers allowed).
/// `None` when no line looks like ftrace output of any kind.
pub fn detect_format<'a>(lines: impl IntoIterator<Item = &'a [u8]>) -> Option<Detection> {
    let mut tracer_hint: Option<InputFormat> = None;
    for (n, line) in lines.into_iter().enumerate() {
        let line_no = n as u64 + 1;
        if let Some(r) = super::common::control_line(line) {
            match r.kind {
                RecordKind::Header(HeaderLine::Tracer(t)) => {
                    tracer_hint = Some(if t == b"function_graph" {
                        InputFormat::Graph
                    } else {
                        InputFormat::Function
                    });
                }
                RecordKind::Header(HeaderLine::Other(t)) if t.starts_with(b"cpus=") => {}
                _ => {}
            }
            continue;
        }
        let trimmed = line.trim_ascii();
        if trimmed.starts_with(b"cpus=") {
            return Some(Detection {
                format: InputFormat::TraceCmd,
                line: line_no,
            });
        }
        if let Ok(r) = tracecmd::tracecmd_line(line) {
            if !matches!(r.kind, RecordKind::Event { name, .. } if !is_tracecmd_event(name)) {
                return Some(Detection {
                    format: InputFormat::TraceCmd,
                    line: line_no,
                });
            }
        }
        if let Ok(r) = graph::graph_line(line) {
            if matches!(
                r.kind,
                RecordKind::Entry { .. }
                    | RecordKind::Leaf { .. }
                    | RecordKind::Exit { .. }
                    | RecordKind::Comment { .. }
                    | RecordKind::ContextSwitch { .. }
            ) && (r.cpu.is_some()
                || r.duration_ns.is_some()
                || tracer_hint == Some(InputFormat::Graph))
            {
                return Some(Detection {
                    format: InputFormat::Graph,
                    line: line_no,
                });
            }
        }
        if function::function_line(line).is_ok() {
            return Some(Detection {
                format: InputFormat::Function,
                line: line_no,
            });
        }
        if line_no > 1000 {
            break;
        }
    }
    tracer_hint.map(|format| Detection { format, line: 1 })
}

/// Event names that only trace-cmd prints (the kernel's own text shows graph
/// records as `0) … |` lines and syscall events without `sys_enter_`).
fn is_tracecmd_event(name: &[u8]) -> bool {
    matches!(
        name,
        b"funcgraph_entry" | b"funcgraph_exit" | b"fgraph_retaddr_entry" | b"function"
    ) || name.starts_with(b"sys_enter_")
        || name.starts_with(b"sys_exit_")
}
