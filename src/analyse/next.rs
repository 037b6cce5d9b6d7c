//! The capture that would answer the open question: graph only the call the
//! runs part in (widened to the call that also holds the candidate origins
//! the verdict names), with return values and task names on, for the one
//! process.
//!
//! The lines are pasted into a root shell: names from the capture appear in
//! them only as single-quoted kernel identifiers ([`super::shell`]).

use super::{
    origin::ErrorOrigin,
    shell::{kernel_ident, quoted},
    side::Side,
};
use crate::model::{CaptureFacts, tree::CallTree};

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

/// The next capture for a comparison split at the bad tree's call `n`
/// (`cut`: a call the depth cut, aimed at alone), widened to hold the
/// candidate origins the verdict names and the origin.
pub fn for_split(
    b: &Side<'_>,
    origin: &ErrorOrigin,
    (n, cut): (u32, bool),
    syscall: &str,
    facts: &CaptureFacts,
) -> NextCapture {
    let shown = origin.candidates.iter().take(super::candidates::MAX_SHOWN);
    let mut others: Vec<u32> = shown.map(|c| c.node).collect();
    others.extend(origin.node);
    let t = if cut {
        n
    } else {
        graph_target(b.tree, n, &others)
    };
    next_capture(b.name(t), syscall, facts, (cut, t != n))
}

/// The call to graph: the innermost call (of the bad tree) holding the
/// split's parent and every call the origin may lie in (`others`: the
/// candidates, the origin), so the next capture shows all of them; the
/// split's parent itself when they all lie in it.
pub fn graph_target(tree: &CallTree, split_parent: u32, others: &[u32]) -> u32 {
    // A call and its callers, innermost first.
    let chain = |n: u32| -> Vec<u32> {
        tree.path(n as usize)
            .into_iter()
            .rev()
            .map(|i| i as u32)
            .collect()
    };
    // The split parent's ancestors, innermost first; each other call cuts
    // the list down to the ancestors it shares.
    let mut common = chain(split_parent);
    for &o in others {
        let theirs = chain(o);
        if let Some(k) = common.iter().position(|a| theirs.contains(a)) {
            common.drain(..k);
        }
    }
    common.first().copied().unwrap_or(split_parent)
}

/// Build the snippet for graphing `func` during syscall `syscall`; `wider`
/// when `func` holds the split's parent and candidate origins outside it.
pub fn next_capture(
    func: &str,
    syscall: &str,
    facts: &CaptureFacts,
    (depth_cut, wider): (bool, bool),
) -> NextCapture {
    let graph = quoted("", func, "");
    let mut why = vec![match &graph {
        Some(_) if wider => format!(
            "graph only `{}()`: the runs part inside it and the candidate origins named lie in it, so the capture stays small and shows them all",
            kernel_ident(func).unwrap_or_default()
        ),
        Some(_) => format!(
            "graph only `{}()`, where the runs part, so the capture stays small and complete",
            kernel_ident(func).unwrap_or_default()
        ),
        None => "the function where the runs part is not named like a kernel function in the capture, so it is not copied into the shell lines: put its name in `set_graph_function` by hand".into(),
    }];
    let mut lines = vec![
        "cd /sys/kernel/tracing".to_string(),
        "echo 0 > tracing_on".to_string(),
        "echo function_graph > current_tracer".to_string(),
        match &graph {
            Some(g) => format!("echo {g} > set_graph_function"),
            None => "# set_graph_function: the capture's name for the function is not a kernel identifier, left out".into(),
        },
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
            "funcgraph-proc names the task on every line, so lines of other tasks are told apart"
                .into(),
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
    event_lines(syscall, &mut lines, &mut why);
    lines.push(
        "echo $PID > set_ftrace_pid; echo $PID > set_event_pid   # the process that fails".into(),
    );
    lines.push("echo > trace; echo 1 > tracing_on".into());
    lines.push("# ... reproduce the failing call ...".into());
    lines.push("echo 0 > tracing_on; cat trace > bad.log".into());
    let trace_cmd = trace_cmd(graph.as_deref(), &opts, syscall);
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

/// The lines enabling `syscall`'s entry and exit events, when its name can
/// be put in a shell line.
fn event_lines(syscall: &str, lines: &mut Vec<String>, why: &mut Vec<String>) {
    let enter = quoted("events/syscalls/sys_enter_", syscall, "/enable");
    let exit = quoted("events/syscalls/sys_exit_", syscall, "/enable");
    match (&enter, &exit) {
        (Some(enter), Some(exit)) => {
            lines.push(format!("echo 1 > {enter}"));
            lines.push(format!("echo 1 > {exit}"));
        }
        _ => {
            why.push("the syscall's name in the capture is not a kernel identifier, so its events are left out of the shell lines".into());
            lines.push(
                "# syscall events: the capture's syscall name is not a kernel identifier, left out"
                    .into(),
            );
        }
    }
}

/// The trace-cmd command: `graph` is the quoted function, if any.
fn trace_cmd(graph: Option<&str>, opts: &[&str], syscall: &str) -> String {
    let mut record = vec!["trace-cmd record -p function_graph".to_string()];
    record.extend(graph.map(|g| format!("-g {g}")));
    record.extend(opts.iter().map(|o| o.to_string()));
    if let (Some(enter), Some(exit)) = (
        quoted("syscalls:sys_enter_", syscall, ""),
        quoted("syscalls:sys_exit_", syscall, ""),
    ) {
        record.push(format!("-e {enter} -e {exit}"));
    }
    record.push("-F ./your-program".into());
    format!("{}\ntrace-cmd report > bad.log", record.join(" "))
}
