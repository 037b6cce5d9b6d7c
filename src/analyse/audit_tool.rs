//! The audit's fixes in the words of the tool that took the capture: a
//! `trace-cmd report` capture is retaken with `trace-cmd record`, not by
//! writing tracefs files (trace-cmd sets those itself, and resets them).

/// `fix` (a tracefs shell line of the audit) as `trace-cmd record`
/// options; `None` when trace-cmd has no option for it (the line is kept).
pub fn for_trace_cmd(fix: &str) -> Option<String> {
    const OPTIONS: &str = "echo 1 > /sys/kernel/tracing/options/";
    let (line, note) = match fix.split_once("   # ") {
        Some((l, n)) => (l, Some(n)),
        None => (fix, None),
    };
    let args = if let Some(opt) = line.strip_prefix(OPTIONS) {
        format!("-O {opt}")
    } else if line == "echo function_graph > /sys/kernel/tracing/current_tracer" {
        "-p function_graph".into()
    } else if line == "echo 0 > /sys/kernel/tracing/max_graph_depth" {
        "-p function_graph --max-graph-depth 0".into()
    } else if line.starts_with("echo 1 > /sys/kernel/tracing/events/syscalls/sys_enter_NAME") {
        "-e syscalls:sys_enter_NAME -e syscalls:sys_exit_NAME".into()
    } else if line == "echo 16384 > /sys/kernel/tracing/buffer_size_kb" {
        "-b 16384".into()
    } else if line.starts_with("echo 1 > /sys/kernel/tracing/tracing_on")
        || line.starts_with("echo 0 > /sys/kernel/tracing/tracing_on")
    {
        return Some(
            "trace-cmd record … -F ./your-program   # traces the program from its start to its exit"
                .into(),
        );
    } else {
        return None;
    };
    // The tracefs notes that still hold (kernel versions, per CPU).
    let note = note
        .filter(|n| n.starts_with("Linux") || n.starts_with("per CPU"))
        .map(|n| format!("   # {}", n.split(';').next().unwrap_or(n)))
        .unwrap_or_default();
    Some(format!("trace-cmd record {args} …{note}"))
}

#[cfg(test)]
mod tests {
    use super::for_trace_cmd;

    #[test]
    fn tracefs_lines_become_record_options() {
        let cases = [
            (
                "echo 1 > /sys/kernel/tracing/options/funcgraph-retval   # Linux 6.5+, CONFIG_FUNCTION_GRAPH_RETVAL",
                Some(
                    "trace-cmd record -O funcgraph-retval …   # Linux 6.5+, CONFIG_FUNCTION_GRAPH_RETVAL",
                ),
            ),
            (
                "echo 1 > /sys/kernel/tracing/options/funcgraph-proc",
                Some("trace-cmd record -O funcgraph-proc …"),
            ),
            (
                "echo 1 > /sys/kernel/tracing/events/syscalls/sys_enter_NAME/enable; echo 1 > /sys/kernel/tracing/events/syscalls/sys_exit_NAME/enable",
                Some("trace-cmd record -e syscalls:sys_enter_NAME -e syscalls:sys_exit_NAME …"),
            ),
            (
                "echo 16384 > /sys/kernel/tracing/buffer_size_kb   # per CPU; or read while it runs: cat /sys/kernel/tracing/trace_pipe > trace.log",
                Some("trace-cmd record -b 16384 …   # per CPU"),
            ),
            (
                "echo 0 > /sys/kernel/tracing/max_graph_depth",
                Some("trace-cmd record -p function_graph --max-graph-depth 0 …"),
            ),
            (
                "echo 0 > /sys/kernel/tracing/tracing_thresh   # every call",
                None,
            ),
        ];
        for (fix, want) in cases {
            assert_eq!(for_trace_cmd(fix).as_deref(), want, "{fix}");
        }
    }
}
