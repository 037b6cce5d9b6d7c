//! Public third-party traces (`tests/fixtures/public/`, sources and
//! licences in its `SOURCES.md`): whatever their root (a syscall of any
//! era, `do_sys_open`, an interrupt, a return whose entry is not captured),
//! each report has a call tree for every root the text holds, a flame graph
//! where the capture has durations, and no "no traced call" claim.

use crate::common::{files_under, run};

const P: &str = "tests/fixtures/public";

/// Calls at the top level of a function_graph text (`|  f() {`, `|  f();`,
/// or a `}` there with no open call: its entry was not captured).
fn graph_roots(text: &str) -> Option<u64> {
    let (mut n, mut open, mut graph) = (0, false, false);
    for line in text.lines() {
        let Some(bar) = line.rfind('|') else { continue };
        let body = &line[bar + 1..];
        let Some(b) = body.strip_prefix("  ") else {
            continue;
        };
        if b.starts_with(' ') || b.is_empty() || b.starts_with("/*") {
            continue;
        }
        let b = b.trim_end();
        if b.ends_with('{') {
            graph = true;
            n += 1;
            open = true;
        } else if b.ends_with(';') {
            graph = true;
            n += 1;
        } else if b.starts_with('}') {
            graph = true;
            n += u64::from(!open);
            open = false;
        }
    }
    graph.then_some(n)
}

#[test]
fn every_public_trace_has_its_trees_and_flame_graph() {
    let files = files_under(P, &[".log"]);
    assert_eq!(files.len(), 28);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let w = run(&[f.to_str().unwrap()]);
        let c = &w.json["captures"][0];
        let trees = ["syscalls", "roots"]
            .iter()
            .flat_map(|k| c[k].as_array().unwrap().iter())
            .filter(|s| !s["root"].is_null())
            .count();
        // kprobe and stack-trace events (SOURCES.md): no function line.
        let fname = f.file_name().unwrap().to_string_lossy().into_owned();
        let events_only = fname.starts_with("pt-kprobe") || fname.contains("kernel_stack");
        if events_only {
            // No call at all: said so, not "0 call trees" of some kind.
            let v = w.json["verdict"].as_str().unwrap();
            assert!(
                v.contains("holds no traced function call") && !v.contains(" 0 "),
                "{f:?}: {v}"
            );
            continue;
        }
        assert!(trees > 0, "{f:?}: no tree");
        assert!(
            !w.md.contains("no traced call of it has a duration"),
            "{f:?}"
        );
        if let Some(n) = graph_roots(&text) {
            let all: u64 = c["syscall_groups"]
                .as_array()
                .unwrap()
                .iter()
                .map(|g| g["count"].as_u64().unwrap())
                .sum();
            // Every top-level call of the text has its tree (the model may
            // find more: a context switch splits a call between tasks), the
            // traces that start mid-call (an orphan `} /* f */` at the top)
            // included.
            assert!(all >= n, "{f:?}: {n} roots in the text, {all} trees");
        }
        if c["options"]["duration"] == true && c["options"]["reconstructed"] == false {
            let svgs = files_under(w.out.join("flamegraphs").to_str().unwrap(), &[".svg"]);
            assert!(!svgs.is_empty(), "{f:?}: no flame graph");
        }
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path("snapshots/public");
        settings.set_prepend_module_to_snapshot(false);
        let name = f.file_stem().unwrap().to_string_lossy().into_owned();
        settings.bind(|| insta::assert_snapshot!(format!("{name}.md"), &w.md));
    }
}

/// The kernel's documentation of funcgraph-retval says `cpu_cgroup_can_attach()`
/// "returned the error code -22 firstly": one capture, no good run, the
/// headline follows the return values there (also in hex, where -22 is
/// `0xffffffea`), and the snippet's root starts at depth 1 (its caller's
/// entry is not in it).
#[test]
fn kernel_doc_retval_snippet_leads_to_the_first_error() {
    for f in ["kdoc-funcgraph-retval.log", "kdoc-funcgraph-retval-hex.log"] {
        let w = run(&[&format!("{P}/{f}")]);
        let v = w.json["verdict"].as_str().unwrap();
        assert!(
            v.starts_with("`cgroup_migrate()` failed with -22 EINVAL"),
            "{f}: {v}"
        );
        assert!(
            v.contains(
                "`cgroup_migrate()` → `cgroup_migrate_execute()` → `cpu_cgroup_can_attach()`"
            ),
            "{f}: {v}"
        );
        assert!(
            v.contains("`cpu_cgroup_can_attach()` returned -22 (EINVAL) although none of its 2 traced callees returned it"),
            "{f}: {v}"
        );
        let roots = w.json["captures"][0]["roots"].as_array().unwrap();
        assert_eq!(roots.len(), 1, "{f}");
        assert_eq!(roots[0]["root"]["func"], "cgroup_migrate", "{f}");
    }
}

/// perf-tools' funcslower (function_graph with tracing_thresh) prints only
/// the returns of slow calls: the audit says so and how to see every call,
/// not "tracing started mid-call" with a `tracing_on` fix that would change
/// nothing; a snippet that does show entries keeps the general wording.
#[test]
fn return_only_captures_are_told_as_tracing_thresh() {
    for f in [
        "pt-funcslower-tailonly.log",
        "pt-funcslower-proc-abstime.log",
        "pt-funcslower-ctxswitch.log",
    ] {
        let w = run(&[&format!("{P}/{f}")]);
        w.md_has(&[
            "only returns are printed",
            "echo 0 > /sys/kernel/tracing/tracing_thresh",
        ]);
        w.md_lacks(&["entry lines are missing"]);
    }
    let w = run(&[&format!("{P}/kdoc-funcgraph-tail.log")]);
    w.md_has(&["entry lines are missing at 1 place"]);
    w.md_lacks(&["tracing_thresh"]);
}

/// Kprobe and stack-trace captures print in the function tracer's layout
/// but hold no call of it: nothing is "rebuilt from `<-parent`", and
/// report.txt names the format, not a tracer it cannot know.
#[test]
fn event_only_captures_are_not_told_as_function_tracer_runs() {
    for f in [
        "pt-kprobe-retval-pidunknown.log",
        "pt-kprobe-stacktrace.log",
        "tc-report-kernel_stack.log",
    ] {
        let w = run(&[&format!("{P}/{f}")]);
        w.md_has(&[
            "events only (kprobes, tracepoints, stack traces)",
            "No flame graph: the capture holds no traced function call.",
        ]);
        w.md_lacks(&["call trees are rebuilt", "reconstructed trees"]);
    }
}
