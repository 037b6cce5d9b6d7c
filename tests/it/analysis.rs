//! The divergence engine against the answers the capture manifests state
//! (tests/fixtures/captures/MANIFEST.md, "Expected analysis" and "Gold answers").

use serde_json::Value;

use crate::common::{CAPTURES, run};

fn pair(good: &str, bad: &str) -> Value {
    let w = run(&[good, bad]);
    let c = &w.json["comparisons"][0];
    assert!(!c.is_null(), "{good} vs {bad}: no comparison");
    c.clone()
}

fn s(v: &Value) -> Option<&str> {
    v.as_str()
}

#[test]
fn blog_same_kernel_vs_xskmap_einval() {
    let c = pair(
        &format!("{CAPTURES}/blog-xskmap/same-kernel-ok.log"),
        &format!("{CAPTURES}/blog-xskmap/xskmap-einval.log"),
    );
    let d = &c["first_divergence"];
    assert_eq!(s(&d["parent"]), Some("__x64_sys_bpf"));
    assert!(
        matches!(
            s(&d["last_common"]),
            Some("__might_fault" | "__check_object_size")
        ),
        "{d}"
    );
    assert_eq!(s(&d["good_next"]), Some("array_map_alloc_check"));
    assert!(d["bad_next"].is_null());
    let sus = c["inlined_suspects"].as_array().unwrap();
    let x = sus
        .iter()
        .find(|x| x["func"] == "__x64_sys_bpf")
        .expect("__x64_sys_bpf is a suspect");
    assert!(x["gap_us"].as_f64().unwrap() >= 40.0, "{x}");
    assert_eq!(s(&c["error_origin"]["errno"]), Some("EINVAL"));
    assert!(
        c["error_origin"]["func"].is_null(),
        "no retval in this capture"
    );
    assert!(
        s(&c["error_origin"]["span"])
            .unwrap()
            .contains("__x64_sys_bpf")
    );
}

#[test]
fn blog_other_kernel_wrapper_is_transparent() {
    let c = pair(
        &format!("{CAPTURES}/blog-xskmap/other-kernel-ok.log"),
        &format!("{CAPTURES}/blog-xskmap/xskmap-einval.log"),
    );
    let d = &c["first_divergence"];
    assert!(
        matches!(s(&d["parent"]), Some("__sys_bpf" | "__x64_sys_bpf")),
        "{d}"
    );
    assert_eq!(s(&d["last_common"]), Some("__check_object_size"));
    assert_eq!(s(&d["good_next"]), Some("security_bpf"));
    assert!(d["bad_next"].is_null() || s(&d["bad_next"]) == Some("__might_fault"));
    // The extra capable() of the good kernel meets again: a minor difference.
    let minors = c["minor_differences"].as_array().unwrap();
    assert!(minors.iter().any(|m| m["good"] == "capable"), "{minors:?}");
    // __sys_bpf is a level only the good kernel traces: shown, not a divergence.
    assert!(
        c["aligned"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["wrapper"] == true)
    );
}

#[test]
fn xskmap_6_12_every_option_set() {
    for opts in [
        "default",
        "funcgraph-retval",
        "funcgraph-retval+funcgraph-tail",
        "funcgraph-proc+funcgraph-abstime+funcgraph-tail",
    ] {
        let dir = format!("{CAPTURES}/xskmap-noxdpsockets-6.12");
        let c = pair(
            &format!("{dir}/ok--{opts}.log"),
            &format!("{dir}/bad--{opts}.log"),
        );
        let d = &c["first_divergence"];
        assert!(
            matches!(s(&d["parent"]), Some("__sys_bpf" | "__x64_sys_bpf")),
            "{opts}: {d}"
        );
        assert_eq!(
            s(&d["last_common"]),
            Some("bpf_check_uarg_tail_zero"),
            "{opts}"
        );
        assert_eq!(s(&d["good_next"]), Some("bpf_token_capable"), "{opts}");
        assert!(d["bad_next"].is_null(), "{opts}");
        assert_eq!(s(&c["error_origin"]["errno"]), Some("EINVAL"), "{opts}");
        if opts.contains("retval") {
            assert_eq!(s(&c["error_origin"]["func"]), Some("__sys_bpf"), "{opts}");
            assert_eq!(c["error_origin"]["good_ret"], 6, "{opts}");
        }
    }
}

#[test]
fn xskmap_6_12_filter_functions_show_xsk_map_alloc_missing() {
    let dir = format!("{CAPTURES}/xskmap-noxdpsockets-6.12");
    let w = run(&[
        &format!("{dir}/ok--funcgraph-retval.log"),
        &format!("{dir}/bad--funcgraph-retval.log"),
        "--filter-functions",
        &format!("{dir}/ok.available_filter_functions.gz"),
        "--filter-functions",
        &format!("{dir}/bad.available_filter_functions.gz"),
    ]);
    let c = &w.json["comparisons"][0];
    let cands = c["inlined_suspects"][0]["candidates"].as_array().unwrap();
    let x = cands.iter().find(|k| k["func"] == "xsk_map_alloc").unwrap();
    assert_eq!(x["traceable_good"], true);
    assert_eq!(x["traceable_bad"], false);
    let t = cands
        .iter()
        .find(|k| k["func"] == "bpf_token_capable")
        .unwrap();
    assert_eq!(t["traceable_bad"], true);
    assert!(
        c["verdict"]
            .as_str()
            .unwrap()
            .contains("`xsk_map_alloc()` is not in the bad kernel")
    );
}

/// MANIFEST "Gold answers", seen past noise as its note asks.
#[test]
fn qemu_6_1_pairs_give_the_manifest_answers() {
    // folder, parent, last common, good next, bad next (None = returns)
    type Gold = (
        &'static str,
        &'static str,
        &'static str,
        Option<&'static str>,
        Option<&'static str>,
    );
    let gold: &[Gold] = &[
        (
            "bpf-map-create-unspec",
            "map_create",
            "map_create",
            Some("array_map_alloc_check"),
            None,
        ),
        (
            "bpf-map-create-type200",
            "map_create",
            "map_create",
            Some("array_map_alloc_check"),
            None,
        ),
        (
            "bpf-array-zerokey",
            "map_create",
            "array_map_alloc_check",
            Some("array_map_alloc"),
            None,
        ),
        (
            "bpf-array-zeroentries",
            "map_create",
            "array_map_alloc_check",
            Some("array_map_alloc"),
            None,
        ),
        (
            "bpf-xskmap-vs-unspec",
            "map_create",
            "map_create",
            Some("xsk_map_alloc"),
            None,
        ),
        (
            "openat-enoent",
            "lookup_fast",
            "__d_lookup_rcu",
            Some("step_into"),
            Some("try_to_unlazy"),
        ),
        (
            "mkdir-eexist",
            "__d_lookup",
            "__d_lookup",
            Some("d_alloc"),
            Some("_raw_spin_lock"),
        ),
        (
            "bpf-map-create-unspec--depth-3",
            "__sys_bpf",
            "map_create",
            None,
            None,
        ),
        (
            "bpf-array-zerokey--depth-3",
            "__sys_bpf",
            "map_create",
            None,
            None,
        ),
        (
            "openat-enoent--depth-3",
            "do_sys_openat2",
            "do_filp_open",
            Some("fd_install"),
            Some("put_unused_fd"),
        ),
        (
            "fn-bpf-map-create-unspec",
            "map_create",
            "map_create",
            Some("array_map_alloc_check"),
            None,
        ),
        (
            "fn-openat-enoent",
            "lookup_fast",
            "__d_lookup_rcu",
            Some("step_into"),
            Some("try_to_unlazy"),
        ),
        (
            "tracecmd-bpf-map-create-unspec",
            "map_create",
            "map_create",
            Some("array_map_alloc_check"),
            None,
        ),
    ];
    let variants = [
        "",
        "--funcgraph-abstime",
        "--funcgraph-proc",
        "--funcgraph-proc+funcgraph-abstime+funcgraph-tail",
        "--funcgraph-tail",
        "--nofuncgraph-irqs",
        "--pipe",
    ];
    let mut checked = 0;
    for &(folder, parent, last, good_next, bad_next) in gold {
        for v in variants {
            if (folder.contains("--")
                || folder.starts_with("fn-")
                || folder.starts_with("tracecmd-"))
                && !v.is_empty()
            {
                continue;
            }
            let dir = format!("{CAPTURES}/qemu-6.1/{folder}{v}");
            if !std::path::Path::new(&dir).exists() {
                continue;
            }
            let c = pair(&format!("{dir}/ok.log"), &format!("{dir}/bad.log"));
            let d = &c["first_divergence"];
            let ctx = format!("{folder}{v}: {d}");
            assert_eq!(s(&d["parent"]), Some(parent), "{ctx}");
            assert_eq!(s(&d["last_common"]), Some(last), "{ctx}");
            assert_eq!(s(&d["good_next"]), good_next, "{ctx}");
            assert_eq!(s(&d["bad_next"]), bad_next, "{ctx}");
            checked += 1;
        }
    }
    assert!(checked >= 30, "only {checked} pairs checked");
}

#[test]
fn depth_cut_is_reported_as_hidden() {
    let dir = format!("{CAPTURES}/qemu-6.1/bpf-map-create-unspec--depth-3");
    let w = run(&[&format!("{dir}/ok.log"), &format!("{dir}/bad.log")]);
    let c = &w.json["comparisons"][0];
    assert_eq!(c["first_divergence"]["hidden"], true);
    assert!(c["verdict"].as_str().unwrap().contains("max_graph_depth"));
    let audit = w.json["captures"][1]["audit"].as_array().unwrap();
    assert!(audit.iter().any(|a| a["topic"] == "depth"), "{audit:?}");
}

/// With three captures, the bad one is compared with the closest good one:
/// the same kernel build (no wrapper levels, no extra checks), not merely the
/// shortest excerpt.
#[test]
fn three_captures_pick_the_closest_good_run() {
    let w = run(&[
        &format!("{CAPTURES}/blog-xskmap/other-kernel-ok.log"),
        &format!("{CAPTURES}/blog-xskmap/same-kernel-ok.log"),
        &format!("{CAPTURES}/blog-xskmap/xskmap-einval.log"),
    ]);
    let cs = w.json["comparisons"].as_array().unwrap();
    assert_eq!(cs.len(), 1, "one failing syscall, one comparison");
    assert_eq!(cs[0]["bad"], 2);
    assert_eq!(
        cs[0]["good"], 1,
        "same-kernel-ok is the closest: {}",
        cs[0]["reason"]
    );
}

/// `--pair` picks the syscalls by the numbers the report shows.
#[test]
fn pair_option_overrides_the_choice() {
    let f = format!("{CAPTURES}/qemu-6.1/busy-2cpu/graph-syscalls-proc-abstime.log.gz");
    let w = run(&[&f]);
    let sys = w.json["captures"][0]["syscalls"].as_array().unwrap();
    let bpf: Vec<u64> = sys
        .iter()
        .filter(|s| s["name"] == "bpf")
        .map(|s| s["index"].as_u64().unwrap())
        .collect();
    assert!(bpf.len() >= 2);
    let label = w.json["captures"][0]["label"].as_str().unwrap().to_string();
    let spec = format!("{label}#{}:{label}#{}", bpf[0], bpf[1]);
    let w = run(&[&f, "--pair", &spec]);
    let c = &w.json["comparisons"][0];
    assert_eq!(c["good_syscall"], bpf[0]);
    assert_eq!(c["bad_syscall"], bpf[1]);
    assert_eq!(c["reason"], "chosen with --pair");
    // A syscall number that does not resolve is a note, not a crash.
    let spec = format!("{label}#999999:{label}#{}", bpf[1]);
    let w = run(&[&f, "--pair", &spec]);
    assert!(w.json["comparisons"].as_array().unwrap().is_empty());
    assert!(w.json["notes"][0].as_str().unwrap().contains("#999999"));
    // An unknown label is a wrong argument (exit 2): `hostile.rs`.
}

/// A compared tree that is not the whole call can fake "the bad run makes
/// no further traced call": the verdict says when events were lost in it.
#[test]
fn verdict_warns_of_lost_events_in_a_compared_tree() {
    let c = pair(
        &format!("{CAPTURES}/qemu-6.1/busy-2cpu/graph-syscalls.log.gz"),
        &format!("{CAPTURES}/qemu-6.1/lost-events/trace_pipe.log.gz"),
    );
    let v = s(&c["verdict"]).unwrap();
    assert!(
        v.contains("Caution: the bad run's tree (`trace_pipe`) lost events while the call ran"),
        "{v}"
    );
    assert!(!v.contains("the good run's tree"), "{v}");
}

/// ... and when `--max-tree-calls` cut it.
#[test]
fn verdict_warns_of_a_cut_tree() {
    let dir = format!("{CAPTURES}/xskmap-noxdpsockets-6.12");
    let w = run(&[
        "--max-tree-calls",
        "5",
        &format!("{dir}/ok--default.log"),
        &format!("{dir}/bad--default.log"),
    ]);
    let v = s(&w.json["comparisons"][0]["verdict"]).unwrap();
    assert!(
        v.contains(
            "Caution: the good run's tree (`ok--default`) keeps the first 5 of its 44 calls"
        ),
        "{v}"
    );
    let full = pair(
        &format!("{dir}/ok--default.log"),
        &format!("{dir}/bad--default.log"),
    );
    assert!(!s(&full["verdict"]).unwrap().contains("Caution"));
}

/// Function-tracer captures print no returns: the verdict's nesting is
/// inferred and says so (trace-cmd's indentation put `do_filp_open()` under
/// `should_failslab()` in the openat pair: a call whose caller is not
/// traced goes under the innermost open call); function_graph pairs never
/// get the caution.
#[test]
fn a_verdict_on_rebuilt_trees_says_its_nesting_is_inferred() {
    let n = "tests/fixtures/captures-new";
    for (dir, rebuilt) in [
        (format!("{n}/tracecmd-fn-openat-enoent-6.1"), true),
        (
            format!("{CAPTURES}/qemu-6.1/fn-bpf-map-create-unspec"),
            true,
        ),
        (format!("{CAPTURES}/qemu-6.1/openat-enoent"), false),
    ] {
        let ext = if rebuilt && dir.contains("tracecmd") {
            ".log.gz"
        } else {
            ".log"
        };
        let w = run(&[&format!("{dir}/ok{ext}"), &format!("{dir}/bad{ext}")]);
        let v = w.json["verdict"].as_str().unwrap();
        assert_eq!(
            v.contains(
                "the function tracer prints calls but no returns, so the nesting above is inferred"
            ),
            rebuilt,
            "{dir}: {v}"
        );
    }
}
