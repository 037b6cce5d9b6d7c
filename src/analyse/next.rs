//! The capture that would answer the open question: graph only the call the
//! runs part in, with return values and task names on, for the one process.

use crate::model::CaptureFacts;

/// Shell snippets for the next capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextCapture {
    /// tracefs `echo` lines.
    pub tracefs: String,
    /// The trace-cmd equivalent.
    pub trace_cmd: String,
    /// Why these settings, one line each.
    pub why: Vec<String>,
    /// The same settings as data, for `tracereport record --from-report`.
    pub recipe: Recipe,
}

/// The next capture's settings as data (what the `tracefs` lines write).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Recipe {
    /// `current_tracer`.
    pub tracer: String,
    /// `set_graph_function`.
    pub graph_functions: Vec<String>,
    /// `max_graph_depth` (0 = unlimited).
    pub max_graph_depth: u32,
    /// Syscalls whose `sys_enter_*`/`sys_exit_*` events to enable.
    pub syscalls: Vec<String>,
    /// `options/*` files set to 1.
    pub options: Vec<String>,
}

/// Build the snippet for graphing `func` during syscall `syscall`.
pub fn next_capture(
    func: &str,
    syscall: &str,
    facts: &CaptureFacts,
    depth_cut: bool,
) -> NextCapture {
    let mut why = vec![format!(
        "graph only `{func}()`, where the runs part, so the capture stays small and complete"
    )];
    let mut lines = vec![
        "cd /sys/kernel/tracing".to_string(),
        "echo 0 > tracing_on".to_string(),
        "echo function_graph > current_tracer".to_string(),
        format!("echo {func} > set_graph_function"),
        "echo 0 > max_graph_depth".to_string(),
    ];
    let mut opts = vec![];
    if !facts.retval {
        why.push("funcgraph-retval (Linux 6.5+, CONFIG_FUNCTION_GRAPH_RETVAL) shows which callee returned the error".into());
    }
    lines.push("echo 1 > options/funcgraph-retval".into());
    opts.push("-O funcgraph-retval");
    if !facts.col_proc {
        why.push(
            "funcgraph-proc names the task on every line, so other tasks cannot mix in".into(),
        );
    }
    lines.push("echo 1 > options/funcgraph-proc".into());
    opts.push("-O funcgraph-proc");
    if !facts.col_abstime {
        why.push("funcgraph-abstime places untraced time between callees".into());
    }
    lines.push("echo 1 > options/funcgraph-abstime".into());
    opts.push("-O funcgraph-abstime");
    if depth_cut {
        why.push(
            "max_graph_depth 0 (unlimited): the last capture stopped above the deciding call"
                .into(),
        );
    }
    if facts.sys_enter_events == 0 {
        why.push("the syscall events give the arguments and the result".into());
    }
    lines.push(format!(
        "echo 1 > events/syscalls/sys_enter_{syscall}/enable"
    ));
    lines.push(format!(
        "echo 1 > events/syscalls/sys_exit_{syscall}/enable"
    ));
    lines.push(
        "echo $PID > set_ftrace_pid; echo $PID > set_event_pid   # the process that fails".into(),
    );
    lines.push("echo > trace; echo 1 > tracing_on".into());
    lines.push("# ... reproduce the failing call ...".into());
    lines.push("echo 0 > tracing_on; cat trace > bad.log".into());
    let trace_cmd = format!(
        "trace-cmd record -p function_graph -g {func} {} -e syscalls:sys_enter_{syscall} -e syscalls:sys_exit_{syscall} -F ./your-program\ntrace-cmd report > bad.log",
        opts.join(" ")
    );
    NextCapture {
        tracefs: lines.join("\n"),
        trace_cmd,
        why,
        recipe: Recipe {
            tracer: "function_graph".into(),
            graph_functions: vec![func.to_string()],
            max_graph_depth: 0,
            syscalls: vec![syscall.to_string()],
            options: ["funcgraph-retval", "funcgraph-proc", "funcgraph-abstime"]
                .map(String::from)
                .to_vec(),
        },
    }
}
