//! What the reports say, across the three outputs.

use crate::common::{CAPTURES, run};

/// Issue: the blog pair's reports say the second capture's bpf(BPF_MAP_CREATE)
/// returned -22 (EINVAL) and the first one's did not fail.
#[test]
fn blog_pair_reports_agree_on_the_result() {
    let w = run(&[
        &format!("{CAPTURES}/blog-xskmap/same-kernel-ok.log"),
        &format!("{CAPTURES}/blog-xskmap/xskmap-einval.log"),
    ]);
    let caps = w.json["captures"].as_array().unwrap();
    let good = &caps[0]["syscalls"][0];
    let bad = &caps[1]["syscalls"][0];
    assert_eq!(bad["title"], "bpf(BPF_MAP_CREATE)");
    assert_eq!(bad["ret"], -22);
    assert_eq!(bad["errno"], "EINVAL");
    assert_eq!(good["title"], "bpf(BPF_MAP_CREATE)");
    assert!(good["errno"].is_null());
    assert!(w.md.contains("bpf(BPF\\_MAP\\_CREATE) failed with -22 EINVAL"));
    assert!(w.html.contains("failed with -22 EINVAL"));
}

#[test]
fn xskmap_6_12_default_pair_says_einval_and_fd() {
    let dir = format!("{CAPTURES}/xskmap-noxdpsockets-6.12");
    let w = run(&[
        &format!("{dir}/ok--default.log"),
        &format!("{dir}/bad--default.log"),
    ]);
    let caps = w.json["captures"].as_array().unwrap();
    assert_eq!(caps[0]["syscalls"][0]["ret"], 6);
    assert_eq!(caps[1]["syscalls"][0]["errno"], "EINVAL");
    assert!(w.md.contains("-22 EINVAL"));
}

/// The schema fields the foundation promised.
#[test]
fn json_has_the_documented_fields() {
    let w = run(&[&format!(
        "{CAPTURES}/xskmap-noxdpsockets-6.12/bad--funcgraph-retval.log"
    )]);
    let c = &w.json["captures"][0];
    for k in ["path", "label", "warnings", "syscalls"] {
        assert!(!c[k].is_null(), "captures[].{k}");
    }
    let s = &c["syscalls"][0];
    for k in ["name", "ret", "errno", "task", "cpu", "args", "root"] {
        assert!(s.get(k).is_some(), "syscalls[].{k}");
    }
    assert_eq!(s["name"], "bpf");
    assert!(s["args"].is_object());
    assert_eq!(s["args"]["cmd"], "0");
    let root = &s["root"];
    for k in ["func", "children", "duration_us", "self_us", "line"] {
        assert!(root.get(k).is_some(), "root.{k}");
    }
    assert_eq!(root["func"], "__x64_sys_bpf");
    assert_eq!(root["ret"], -22);
    assert_eq!(root["children"][0]["func"], "__sys_bpf");
    // Documented in docs/report-schema.md.
    let doc = std::fs::read_to_string("docs/report-schema.md").unwrap();
    for k in [
        "first_divergence",
        "error_origin",
        "inlined_suspects",
        "syscall_groups",
        "warning_counts",
    ] {
        assert!(doc.contains(k), "{k} undocumented");
    }
}

#[test]
fn failing_syscalls_come_first() {
    let f = format!("{CAPTURES}/qemu-6.1/busy-2cpu/graph-syscalls-proc-abstime.log.gz");
    let w = run(&[&f]);
    let sys = w.json["captures"][0]["syscalls"].as_array().unwrap();
    let first_ok = sys
        .iter()
        .position(|s| s["errno"].is_null())
        .unwrap_or(sys.len());
    assert!(sys[first_ok..].iter().all(|s| s["errno"].is_null()));
}

/// With `--syscall openat` the seed pair keeps no bpf tree: the verdict
/// must not say that no syscall failed, and names the failure it skipped
/// (it once said "No syscall failed in one capture and succeeded in
/// another"). `--keep 0` likewise.
#[test]
fn a_failure_not_kept_is_still_named() {
    let dir = format!("{CAPTURES}/xskmap-noxdpsockets-6.12");
    let (ok, bad) = (
        format!("{dir}/ok--funcgraph-retval.log"),
        format!("{dir}/bad--funcgraph-retval.log"),
    );
    for extra in [["--syscall", "openat"], ["--keep", "0"]] {
        for args in [vec![ok.as_str(), bad.as_str()], vec![bad.as_str()]] {
            let mut argv = args.clone();
            argv.extend(extra);
            let w = run(&argv);
            let v = w.json["verdict"].as_str().unwrap();
            assert!(!v.contains("No syscall failed"), "{argv:?}: {v}");
            assert!(
                v.contains("a syscall failed, but no call tree of it is in the report")
                    && v.contains(
                        "bpf(BPF_MAP_CREATE)` failed with -22 EINVAL in `bad--funcgraph-retval`"
                    ),
                "{argv:?}: {v}"
            );
        }
    }
}

/// `--keep 1` on a good/bad pair keeps one tree (here a call outside any
/// syscall, which comes first): the verdict once said "no run where the
/// call succeeds was given" of a pair whose good run was given.
#[test]
fn a_good_run_not_kept_is_not_said_missing() {
    for (dir, ok, bad, call) in [
        ("qemu-6.1/openat-enoent", "ok", "bad", "openat()"),
        (
            "xskmap-noxdpsockets-6.12",
            "ok--funcgraph-retval",
            "bad--funcgraph-retval",
            "bpf(BPF_MAP_CREATE)",
        ),
    ] {
        let path = |f: &str| format!("{CAPTURES}/{dir}/{f}.log");
        let w = run(&[&path(ok), &path(bad), "--keep", "1"]);
        let v = w.json["verdict"].as_str().unwrap();
        assert!(!v.contains("was given"), "{dir}: {v}");
        assert!(
            v.contains(&format!(
                "`{ok}` holds 1 `{call}` syscall that did not fail, but the keep policy kept no call tree of it"
            )),
            "{dir}: {v}"
        );
        // Alone, the failing capture still asks for a good run.
        let w = run(&[&path(bad), "--keep", "1"]);
        assert!(
            w.json["verdict"]
                .as_str()
                .unwrap()
                .contains("succeeds was given")
        );
    }
}

/// `--syscall openat` on captures of bpf: their trees are left out, not
/// missing, and their calls have durations (the report once said "No
/// syscall with a call tree was found" and "no traced call of it has a
/// duration").
#[test]
fn trees_left_out_by_the_filter_are_said_left_out() {
    let dir = format!("{CAPTURES}/qemu-6.1/bpf-map-create-unspec");
    let (ok, bad) = (format!("{dir}/ok.log"), format!("{dir}/bad.log"));
    let w = run(&[&ok, &bad, "--syscall", "openat"]);
    w.md_lacks(&["No syscall with a call tree was found", "has a duration"]);
    w.md_has(&[
        "No call tree was kept.",
        "No flame graph: no call tree was kept.",
    ]);
    assert!(w.html.contains("No call tree was kept."));
}

/// Two good and two bad openat captures, one pair with funcgraph-proc:
/// each bad run is compared with the good run of its own settings (equally
/// close, the first given once won), no capture is said to share settings
/// with one that lacks its task column, and the title counts the second
/// comparison.
#[test]
fn bad_runs_pair_with_good_runs_of_their_settings() {
    let q = format!("{CAPTURES}/qemu-6.1");
    let (ok, bad) = (
        format!("{q}/openat-enoent/ok.log"),
        format!("{q}/openat-enoent/bad.log"),
    );
    let proc = |f: &str| format!("{q}/openat-enoent--funcgraph-proc/{f}.log");
    let (okp, badp) = (proc("ok"), proc("bad"));
    let w = run(&[
        &ok, &bad, &okp, &badp, "-l", "ok", "-l", "bad", "-l", "okp", "-l", "badp",
    ]);
    w.md_has(&[
        "# openat() fails with -ENOENT on bad, not on ok (and 1 more comparison)",
        "## openat(): `ok` vs `bad`",
        "## openat(): `okp` vs `badp`",
        "this capture shows the task column (funcgraph-proc) and `ok` does not",
    ]);
    w.md_lacks(&["`ok` vs `badp`", "same-settings"]);
}

/// A 6.12 good run with its kernel's function list beside a 6.1 bad run
/// (no list): the bad run calls functions the 6.12 list lacks, so the
/// kernels differ and the verdict leads with it (it once did not); the 6.1
/// pair with the 6.1 list on one side only says nothing of the kind.
#[test]
fn a_run_calling_what_the_other_kernel_lacks_is_from_another_kernel() {
    let x = format!("{CAPTURES}/xskmap-noxdpsockets-6.12");
    let q = format!("{CAPTURES}/qemu-6.1/bpf-map-create-unspec");
    let w = run(&[&format!("{x}/ok--default.log"), &format!("{q}/bad.log")]);
    let v = w.json["verdict"].as_str().unwrap();
    assert!(
        v.contains("The kernels differ, so read what follows with that in mind: the bad run calls 8 functions that the good kernel's function list does not have (`security_capable()`"),
        "{v}"
    );
    let list = format!("{CAPTURES}/available-filter-functions/6.1.txt.gz");
    let w = run(&[
        &format!("{q}/ok.log"),
        &format!("{q}/bad.log"),
        "--filter-functions",
        &list,
        "--filter-functions",
        "none",
    ]);
    let v = w.json["verdict"].as_str().unwrap();
    assert!(
        !v.contains("does not have") && !v.contains("kernels differ"),
        "{v}"
    );
}

/// Two captures (the seed pair's, each followed by the same real openat
/// capture) and `--syscall openat`: the openats are compared, and neither
/// the verdict nor the pairing's reason says that no syscall failed.
#[test]
fn a_comparison_beside_a_failure_not_kept_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let x = format!("{CAPTURES}/xskmap-noxdpsockets-6.12");
    let openat = std::fs::read(format!("{CAPTURES}/qemu-6.1/openat-enoent/ok.log")).unwrap();
    let mut paths = Vec::new();
    for (label, seed) in [("A", "ok"), ("B", "bad")] {
        let mut text = std::fs::read(format!("{x}/{seed}--funcgraph-retval.log")).unwrap();
        text.extend_from_slice(&openat);
        let p = dir.path().join(format!("{label}.log"));
        std::fs::write(&p, text).unwrap();
        paths.push(p.display().to_string());
    }
    let w = run(&[&paths[0], &paths[1], "--syscall", "openat"]);
    let v = w.json["verdict"].as_str().unwrap();
    assert!(v.contains("openat() returned 6"), "{v}");
    assert!(
        v.contains("Not compared: a syscall failed, but no call tree of it is in the report")
            && v.contains("bpf(BPF_MAP_CREATE)` failed with -22 EINVAL in `B`"),
        "{v}"
    );
    assert!(!w.md.contains("no syscall failed in these captures"));
}

/// A failing syscall whose events enclose no traced call (a real openat
/// capture followed by a failing `close` seen by its events only): alone,
/// the verdict says no traced call is inside it (not "its call tree was not
/// kept"); beside a comparison of the openats, it is named as not compared.
#[test]
fn a_failure_with_no_traced_call_is_named_truly() {
    let dir = tempfile::tempdir().unwrap();
    let ok = std::fs::read(format!("{CAPTURES}/qemu-6.1/openat-enoent/ok.log")).unwrap();
    let mut bad = ok.clone();
    bad.extend_from_slice(
        b" 0)               |  /* sys_close(fd: 63) */\n 0)               |  /* sys_close -> 0xfffffffffffffff7 */\n",
    );
    let (a, b) = (dir.path().join("A.log"), dir.path().join("B.log"));
    std::fs::write(&a, ok).unwrap();
    std::fs::write(&b, bad).unwrap();
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    let alone = run(&[b]);
    let v = alone.json["verdict"].as_str().unwrap();
    assert!(
        v.contains("failed with -9 EBADF")
            && v.contains("the capture holds no traced call inside it")
            && !v.contains("not kept"),
        "{v}"
    );
    let pair = run(&[a, b]);
    let v = pair.json["verdict"].as_str().unwrap();
    assert!(
        v.contains("Not compared: a syscall failed, but no call tree of it is in the report")
            && v.contains("`close()` failed with -9 EBADF in `B`"),
        "{v}"
    );
}

/// A nop-tracer capture (syscall events only) holds no traced call: its
/// flame graph's reason is not "the function tracer prints no durations"
/// and its options are not "reconstructed trees" (it said both).
#[test]
fn a_capture_of_events_only_blames_no_tracer_for_its_flame_graph() {
    let w = run(&["tests/fixtures/captures-new/record-nop-openat-enoent-6.18/cat-nonexistent.log"]);
    w.md_has(&["No flame graph: the capture holds no traced function call."]);
    w.md_lacks(&["function tracer prints no durations", "reconstructed trees"]);
    // The page said "function (reconstructed)", drew an empty tree box, and
    // said the kernel was "not recorded in the captures" beside a header
    // naming it.
    assert!(!w.html.contains("(reconstructed)"));
    assert!(!w.html.contains("class=\"tree outline\""));
    assert!(
        w.html
            .contains("Kernel: 6.18.44-fc-v595 (cat-nonexistent), as the captures name it")
    );
    assert!(!w.html.contains("not recorded in the captures"));
    // Recorded on a kernel without function_graph: the verdict's advice
    // names the kernel build it needs, not just the tracer.
    w.md_has(&["with the `function_graph` tracer on a kernel built with `CONFIG_FUNCTION_GRAPH_TRACER` (the recording kernel offers no such tracer) and run `tracereport good.log bad.log`."]);
}

/// A good run and two bad runs of one failure, one of them with return
/// values: the comparison without them ranked `bpf_check_uarg_tail_zero()`
/// first while the other's printed values named `__sys_bpf()`, and said
/// nothing of it. It now points there; a lone pair, or bad runs that fail
/// differently, get no such sentence.
#[test]
fn a_failure_compared_twice_points_to_the_printed_origin() {
    let x = format!("{CAPTURES}/xskmap-noxdpsockets-6.12");
    let f = |n: &str| format!("{x}/{n}.log");
    let pointer = "The comparison with `bad--funcgraph-retval` has return values for the same failing call (`bpf(BPF_MAP_CREATE)` with EINVAL): there the error is born in `__sys_bpf()`, the place to look first here too if both runs failed the same way.";
    let w = run(&[
        &f("ok--default"),
        &f("bad--default"),
        &f("bad--funcgraph-retval"),
    ]);
    w.md_has(&[pointer, "`bpf_check_uarg_tail_zero()` (both runs make it"]);
    let lone = run(&[&f("ok--default"), &f("bad--default")]);
    lone.md_lacks(&["has return values for the same failing call"]);
    let q = format!("{CAPTURES}/qemu-6.1");
    let other = run(&[
        &f("ok--default"),
        &f("bad--default"),
        &format!("{q}/openat-enoent/bad.log"),
    ]);
    other.md_lacks(&["has return values for the same failing call"]);
}

/// A capture of syscall events alone times each syscall from its entry
/// event to its exit event (the duration column was empty): lines 15-16 of
/// the fixture are 3080.433099 and 3080.433103.
#[test]
fn a_syscall_without_a_tree_is_timed_by_its_events() {
    let w = run(&["tests/fixtures/captures-new/record-nop-openat-enoent-6.18/cat-nonexistent.log"]);
    let syscalls = w.json["captures"][0]["syscalls"].as_array().unwrap();
    let s = syscalls.iter().find(|s| s["line"] == 15).unwrap();
    assert_eq!(s["errno"], "ENOENT");
    assert_eq!(s["duration_us"], 4.0, "{s}");
    assert!(syscalls.iter().all(|s| s["duration_us"].is_number()));
    // Two timestamps printed in µs give a duration known to the µs: no ns
    // digits in the tables (row #2, the ENOENT group's total and range).
    w.md_has(&[
        "| 2 | `openat()` | **-2 ENOENT** | cat-31408 | 0 | 4 µs | 0 | 15 |",
        "| `openat()` | ENOENT | 17 | 5 | 35 µs | 1 µs | 4 µs | 15 |",
    ]);
    w.md_lacks(&["4.000 µs"]);
}

/// A failing `socket(46)` beside a `socket(AF_UNIX)` that succeeded: the
/// titles differ, so nothing is compared, and the verdict asked for "a run
/// where the call succeeds", which was given. It now names that syscall
/// and the `--pair` that compares the two; with it, the origin is
/// `__sock_create()`'s own code (net/socket.c: family >= NPROTO ->
/// -EAFNOSUPPORT).
#[test]
fn a_success_with_another_key_argument_is_named_with_its_pair() {
    let dir = "tests/fixtures/captures-unseen/6.12/socket-eafnosupport";
    let (ok, bad) = (format!("{dir}/ok.log"), format!("{dir}/bad.log"));
    let w = run(&[&ok, &bad]);
    w.md_has(&["`ok` holds `socket(AF_UNIX)` (`#1`), which did not fail, but with another key argument than `socket(46)` (`#1`), so the two were not compared; `--pair 'ok#1:bad#1'` compares them."]);
    w.md_lacks(&["no run where the call succeeds was given"]);
    let w = run(&[&ok, &bad, "--pair", "ok#1:bad#1"]);
    let o = &w.json["comparisons"][0]["error_origin"];
    assert_eq!(o["candidates"][0]["func"], "__sock_create", "{o}");
}
