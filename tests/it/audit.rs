//! The capture audit on real captures: what each capture lacks, what differs
//! between good and bad, and the `echo` that fixes the next capture.

use serde_json::Value;

use crate::common::{CAPTURES, CAPTURES_NEW, Written, run};

fn audit(w: &Written, capture: usize) -> Vec<Value> {
    w.json["captures"][capture]["audit"]
        .as_array()
        .unwrap()
        .clone()
}

fn topic(w: &Written, capture: usize, topic: &str) -> Option<Value> {
    audit(w, capture).into_iter().find(|a| a["topic"] == topic)
}

const Q: &str = "tests/fixtures/captures/qemu-6.1";

/// 6.1 and 7.3 print `sys_bpf` with different arguments: the audit says the
/// kernels differ, on both sides.
#[test]
fn different_kernels_are_told_by_their_syscall_events() {
    let w = run(&[
        &format!("{Q}/bpf-map-create-unspec/ok.log"),
        &format!("{CAPTURES_NEW}/bpf-map-create-unspec-7.3/bad.log"),
    ]);
    for (i, here, there) in [
        (
            0,
            "cmd, uattr, size",
            "cmd, uattr, size, uattr_common, size_common",
        ),
        (
            1,
            "cmd, uattr, size, uattr_common, size_common",
            "cmd, uattr, size",
        ),
    ] {
        let k = topic(&w, i, "differs-kernel").expect("kernel difference");
        assert_eq!(k["status"], "warn");
        let m = k["message"].as_str().unwrap();
        assert!(
            m.starts_with(&format!(
                "`sys_bpf` events print `{here}` here and `{there}`"
            )),
            "{m}"
        );
    }
    assert!(w.md.contains("the captures come from different kernels"));
}

/// latency-format headers name the kernel release.
#[test]
fn different_kernels_are_named_from_latency_headers() {
    let w = run(&[
        &format!("{CAPTURES_NEW}/latency-format-graph-bpf-map-create-unspec-6.1/ok.log"),
        &format!("{CAPTURES_NEW}/latency-format-graph-bpf-map-create-unspec-7.3/bad.log"),
    ]);
    let k = topic(&w, 1, "differs-kernel").unwrap();
    assert!(
        k["message"]
            .as_str()
            .unwrap()
            .starts_with("this capture is from kernel 7.3.4+deb13-amd64, `ok` from 6.1.0-56-amd64")
    );
}

/// Options on in one capture and off in the other: the one without gets
/// the echo that turns each on, the one with them a warning of its own.
#[test]
fn options_on_one_side_only_get_their_echo() {
    let w = run(&[
        &format!(
            "{Q}/bpf-map-create-unspec--funcgraph-proc+funcgraph-abstime+funcgraph-tail/ok.log"
        ),
        &format!("{Q}/bpf-map-create-unspec/bad.log"),
    ]);
    let task = topic(&w, 1, "differs-task").unwrap();
    assert_eq!(
        task["fix"],
        "echo 1 > /sys/kernel/tracing/options/funcgraph-proc"
    );
    let abstime = topic(&w, 1, "differs-abstime").unwrap();
    assert_eq!(
        abstime["fix"],
        "echo 1 > /sys/kernel/tracing/options/funcgraph-abstime"
    );
    assert!(
        abstime["message"]
            .as_str()
            .unwrap()
            .starts_with("`ok` shows timestamps (funcgraph-abstime) and this capture does not")
    );
    // The capture with the option is told the other lacks it, with no fix
    // of its own (it once read "same-settings").
    let shows = topic(&w, 0, "differs-task").unwrap();
    assert!(shows["fix"].is_null());
    assert!(
        shows["message"]
            .as_str()
            .unwrap()
            .starts_with("this capture shows the task column (funcgraph-proc) and `bad` does not")
    );
    assert!(topic(&w, 0, "same-settings").is_none());
    assert!(w.md.contains("fix: `echo 1 > /sys/kernel/tracing/options/funcgraph-abstime`"));

    let w = run(&[
        &format!("{CAPTURES}/xskmap-noxdpsockets-6.12/ok--funcgraph-retval.log"),
        &format!("{CAPTURES}/xskmap-noxdpsockets-6.12/bad--default.log"),
    ]);
    let r = topic(&w, 1, "differs-retval").unwrap();
    assert_eq!(
        r["fix"],
        "echo 1 > /sys/kernel/tracing/options/funcgraph-retval   # Linux 6.5+"
    );

    let w = run(&[
        &format!("{CAPTURES_NEW}/bpf-map-create-unspec--funcgraph-args-7.3/ok.log"),
        &format!("{CAPTURES_NEW}/bpf-map-create-unspec-7.3/bad.log"),
    ]);
    let a = topic(&w, 1, "differs-args").unwrap();
    assert_eq!(
        a["fix"],
        "echo 1 > /sys/kernel/tracing/options/funcgraph-args   # Linux 6.15+"
    );
}

/// The function tracer against function_graph.
#[test]
fn function_tracer_against_function_graph() {
    let w = run(&[
        &format!("{Q}/fn-bpf-map-create-unspec/ok.log"),
        &format!("{Q}/bpf-map-create-unspec/bad.log"),
    ]);
    let t = topic(&w, 0, "differs-tracer").unwrap();
    assert_eq!(
        t["fix"],
        "echo function_graph > /sys/kernel/tracing/current_tracer"
    );
    // The function tracer's own timestamps are not a graph option the
    // other capture lacks.
    assert!(topic(&w, 1, "differs-abstime").is_none());
    let single = topic(&w, 0, "tracer").unwrap();
    assert_eq!(single["status"], "missing");
}

/// A capture taken without the syscall events (here: the same real capture
/// with its event lines removed, as when they were not enabled).
#[test]
fn syscall_events_on_one_side_only() {
    let text = std::fs::read_to_string(format!("{Q}/bpf-map-create-unspec/bad.log")).unwrap();
    let without: String = text
        .split_inclusive('\n')
        .filter(|l| !l.contains("/* sys_bpf"))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.log");
    std::fs::write(&p, without).unwrap();
    let w = run(&[
        &format!("{Q}/bpf-map-create-unspec/ok.log"),
        p.to_str().unwrap(),
    ]);
    let e = topic(&w, 1, "differs-syscall-events").unwrap();
    assert_eq!(
        e["fix"],
        "echo 1 > '/sys/kernel/tracing/events/syscalls/sys_enter_bpf/enable'; echo 1 > '/sys/kernel/tracing/events/syscalls/sys_exit_bpf/enable'"
    );
    assert_eq!(topic(&w, 1, "syscall-events").unwrap()["status"], "missing");
}

/// Alike captures are said to be alike; every problem has a fix or says why
/// not.
#[test]
fn alike_captures_and_every_problem_has_a_fix() {
    let w = run(&[
        &format!("{Q}/bpf-map-create-unspec/ok.log"),
        &format!("{Q}/bpf-map-create-unspec/bad.log"),
    ]);
    for i in 0..2 {
        let same = topic(&w, i, "same-settings").unwrap();
        assert_eq!(same["status"], "ok");
        for a in audit(&w, i) {
            if a["status"] != "ok" {
                let fix = a["fix"].as_str().unwrap_or_else(|| panic!("{a}"));
                assert!(fix.starts_with("echo "), "{fix}");
                assert!(fix.contains("/sys/kernel/tracing/"), "{fix}");
            }
        }
    }
}

/// The 7.3 guest's funcgraph-abstime capture prints one timestamp on all
/// of its lines while the calls have durations: the audit warns that its
/// times place nothing; the same kernel's capture with funcgraph-proc and
/// funcgraph-tail too has times that advance, and no such warning.
#[test]
fn a_clock_that_stood_still_is_said() {
    let u = "tests/fixtures/captures-unseen/7.3";
    for (dir, stalled) in [
        (format!("{u}/openat-enoent--funcgraph-abstime"), true),
        (
            format!("{u}/openat-enoent--funcgraph-proc+funcgraph-abstime+funcgraph-tail"),
            false,
        ),
    ] {
        let w = run(&[&format!("{dir}/bad.log")]);
        let a = topic(&w, 0, "abstime");
        assert_eq!(a.is_some(), stalled, "{dir}: {a:?}");
        if let Some(a) = a {
            assert_eq!(a["status"], "warn", "{a}");
            assert!(
                a["message"]
                    .as_str()
                    .unwrap()
                    .contains("the clock did not advance")
            );
        }
    }
}
