//! The diff of "where the runs part" shows every call the parent of the
//! split makes, on either side: a bad-only call right after a good-only one
//! (the 7.3 kernel's `bpf_log()` in map_create's error path) was once taken
//! for part of the good-only call's subtree and left out of report.md.

use serde_json::Value;

use crate::common::{CAPTURES, CAPTURES_NEW, CAPTURES_UNSEEN, files_under, run};

/// Every ok/bad pair of the real corpus.
fn pairs() -> Vec<(String, String)> {
    [CAPTURES, CAPTURES_NEW, CAPTURES_UNSEEN]
        .iter()
        .flat_map(|d| files_under(d, &["ok.log", "ok.log.gz"]))
        .filter_map(|ok| {
            let name = ok.file_name()?.to_string_lossy().replace("ok.", "bad.");
            let bad = ok.with_file_name(name);
            bad.exists()
                .then(|| (ok.display().to_string(), bad.display().to_string()))
        })
        .collect()
}

fn depth(cell: &Value) -> Option<u64> {
    cell["depth"].as_u64()
}

/// The deepest side's depth of a row (the side it is drawn at).
fn row_depth(r: &Value) -> u64 {
    depth(&r["good"]).or(depth(&r["bad"])).unwrap_or(0)
}

/// The lines the diff must hold for the parent's direct calls: rows after
/// the parent whose every printed side is one level below it, up to the
/// parent's end (a row at its level or above on a side it has).
fn direct_lines(rows: &[Value], parent: usize) -> Vec<String> {
    let pd = row_depth(&rows[parent]);
    let mut want = Vec::new();
    for r in &rows[parent + 1..] {
        let sides = [depth(&r["good"]), depth(&r["bad"])];
        if sides.iter().flatten().any(|&d| d <= pd) {
            break;
        }
        if r["wrapper"] == true || sides.iter().flatten().any(|&d| d != pd + 1) {
            continue;
        }
        let sign = match r["kind"].as_str() {
            Some("good-only") => '+',
            Some("bad-only") => '-',
            _ => ' ',
        };
        let func = r["good"]["func"].as_str().or(r["bad"]["func"].as_str());
        want.push(format!(
            "{sign}{}{}()",
            "  ".repeat(pd as usize + 2),
            func.unwrap()
        ));
    }
    want
}

#[test]
fn the_diff_shows_every_call_of_the_parent_on_both_sides() {
    let (mut checked, mut one_sided) = (0, 0);
    for (ok, bad) in pairs() {
        let w = run(&[&ok, &bad]);
        for c in w.json["comparisons"].as_array().unwrap() {
            let d = &c["first_divergence"];
            let (Some(split), false) = (d["row"].as_u64(), d["hidden"] == true) else {
                continue;
            };
            let rows = c["aligned"].as_array().unwrap();
            let split = split as usize;
            // The parent: the nearest call of both runs above the split.
            let Some(parent) = (0..split).rev().find(|&k| {
                rows[k]["kind"] == "same" && row_depth(&rows[k]) < row_depth(&rows[split])
            }) else {
                continue;
            };
            let want = direct_lines(rows, parent);
            if want.len() > 60 || w.md.contains("more calls under this parent") {
                continue; // the diff shows the first 60 and says so
            }
            for line in want {
                assert!(
                    w.md.lines().any(|l| l.starts_with(&line)),
                    "{ok} vs {bad}: the diff lacks `{line}`"
                );
                checked += 1;
                one_sided += !line.starts_with(' ') as usize;
            }
        }
    }
    assert!(checked >= 200 && one_sided >= 40, "{checked} {one_sided}");
}

/// "The good run returns from P and goes on to X": X is in the diff, at
/// whatever level above the parent it lies (6.1 mkdir: `d_alloc()` under
/// `lookup_one_qstr_excl()`, three levels up from `__d_lookup()`, was once
/// left out), and so is what the bad run does instead at that level.
#[test]
fn the_diff_shows_where_the_good_run_goes_on() {
    let mut checked = 0;
    for (ok, bad) in pairs() {
        let w = run(&[&ok, &bad]);
        for c in w.json["comparisons"].as_array().unwrap() {
            let d = &c["first_divergence"];
            let (Some(next), false) = (
                d["good_next"].as_str(),
                d["good_next_inside_parent"] == true,
            ) else {
                continue;
            };
            let diff = w.md.split("```diff\n").nth(1).unwrap_or("");
            let diff = diff.split("```").next().unwrap();
            assert!(
                diff.lines()
                    .any(|l| !l.starts_with('-') && l.contains(&format!(" {next}()"))),
                "{ok} vs {bad}: the verdict's next call `{next}()` is not in the diff:\n{diff}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 10, "{checked}");
}

/// The 7.3 kernel's map_create with a bad map type: the bad run's only call
/// of its own, `bpf_log()` ("Invalid map_type."), right after the good
/// run's allocation calls, is in the diff.
#[test]
fn bpf_log_of_the_bad_map_type_is_in_the_diff() {
    let dir = format!("{CAPTURES_UNSEEN}/7.3/bpf-map-create-type200");
    let w = run(&[&format!("{dir}/ok.log"), &format!("{dir}/bad.log")]);
    let diff: String =
        w.md.split("```diff\n")
            .nth(1)
            .and_then(|s| s.split("```").next())
            .unwrap()
            .into();
    insta::assert_snapshot!(diff);
}

/// A folded call counts the calls under it, per run when they differ: three
/// `kfree()` under `getname()` in one run and two in the other are not
/// "{ … 1 call }" (one folded line) and not alike.
#[test]
fn a_folded_call_counts_calls_per_run() {
    let body = |frees: usize, tail: &str| {
        format!(
            " 0)               |  __x64_sys_openat() {{\n \
             0)               |    do_sys_openat2() {{\n \
             0)               |      getname() {{\n{} \
             0)   1.000 us    |      }}\n{tail} \
             0)   2.000 us    |    }}\n \
             0)   2.500 us    |  }}\n",
            " 0)   0.200 us    |        kfree();\n".repeat(frees)
        )
    };
    let dir = tempfile::tempdir().unwrap();
    let args = "dfd: ffffff9c, filename: 47a075, flags: 0, mode: 0";
    let ok = crate::common::graph_trace(
        "openat",
        args,
        &body(3, " 0)   0.500 us    |      fd_install();\n"),
        3,
    );
    let bad = crate::common::graph_trace("openat", args, &body(2, ""), -2);
    let (o, b) = (dir.path().join("ok.log"), dir.path().join("bad.log"));
    std::fs::write(&o, ok).unwrap();
    std::fs::write(&b, bad).unwrap();
    let w = run(&[o.to_str().unwrap(), b.to_str().unwrap()]);
    let line =
        w.md.lines()
            .find(|l| l.trim_start().starts_with("getname()"))
            .unwrap_or_else(|| panic!("{}", w.md));
    assert!(
        line.contains("{ … 3 calls good, 2 calls bad }") && line.contains("not alike inside"),
        "{line}"
    );
}

/// A folded call counts the calls the capture prints: the function tracer
/// names untraced callers (`radix_tree_node_alloc.constprop.0`, only ever
/// a `<-parent`), and such a caller, put in the tree to hold its callees,
/// is no traced call (6.1 map_create: 2 traced calls under
/// `_raw_spin_lock_bh()`, not 3).
#[test]
fn folded_counts_leave_out_callers_the_capture_does_not_print() {
    let dir = format!("{CAPTURES}/qemu-6.1/fn-bpf-map-create-unspec");
    let w = run(&[&format!("{dir}/ok.log"), &format!("{dir}/bad.log")]);
    w.md_has(&[
        "_raw_spin_lock_bh() { … 2 calls }",
        "__local_bh_enable_ip() { … 3 calls }",
    ]);
    assert!(w.json.to_string().contains("\"inferred\":true"));
}
