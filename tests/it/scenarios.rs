//! Analysis scenarios the corpus has no capture for, written out as the
//! kernel's function_graph text (with funcgraph-retval) and read back
//! through the whole pipeline.

use serde_json::Value;

use crate::common::run;

/// `name`, return value, callees.
struct Call(&'static str, Option<i64>, Vec<Call>);

fn text(root: &Call, sys_ret: i64) -> String {
    let mut body = String::new();
    emit(root, 0, &mut body);
    crate::common::graph_trace(
        "openat",
        "dfd: ffffff9c, filename: 47a075, flags: 0, mode: 0",
        &body,
        sys_ret,
    )
}

fn ret_comment(r: Option<i64>) -> String {
    match r {
        Some(v) if (-4095..0).contains(&v) => format!(" /* = {v} */"),
        Some(v) => format!(" /* = {:#x} */", v as u64),
        None => String::new(),
    }
}

fn emit(c: &Call, depth: usize, out: &mut String) -> f64 {
    let ind = "  ".repeat(depth);
    if c.2.is_empty() {
        out.push_str(&format!(
            " 0)   1.000 us    |  {ind}{}();{}\n",
            c.0,
            ret_comment(c.1)
        ));
        return 1.0;
    }
    out.push_str(&format!(" 0)               |  {ind}{}() {{\n", c.0));
    let d = 1.0 + c.2.iter().map(|k| emit(k, depth + 1, out)).sum::<f64>();
    let r = match c.1 {
        Some(v) if (-4095..0).contains(&v) => format!(" /* {} = {v} */", c.0),
        Some(v) => format!(" /* {} = {:#x} */", c.0, v as u64),
        None => String::new(),
    };
    out.push_str(&format!(" 0)   {d:>7.3} us    |  {ind}}}{r}\n"));
    d
}

fn compare(good: &Call, good_ret: i64, bad: &Call, bad_ret: i64) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let (g, b) = (dir.path().join("good.log"), dir.path().join("bad.log"));
    std::fs::write(&g, text(good, good_ret)).unwrap();
    std::fs::write(&b, text(bad, bad_ret)).unwrap();
    run(&[g.to_str().unwrap(), b.to_str().unwrap()]).json["comparisons"][0].clone()
}

/// retsnoop's rule: the deepest chain returning the errno wins, even when a
/// later call at a shallower depth returns an error too.
#[test]
fn error_origin_is_the_deepest_chain() {
    let good = Call(
        "__x64_sys_openat",
        Some(3),
        vec![
            Call(
                "do_sys_openat2",
                Some(3),
                vec![Call(
                    "path_lookup",
                    Some(0),
                    vec![Call("walk", Some(0), vec![])],
                )],
            ),
            Call("audit_log", Some(0), vec![]),
        ],
    );
    let bad = Call(
        "__x64_sys_openat",
        Some(-2),
        vec![
            Call(
                "do_sys_openat2",
                Some(-2),
                vec![Call(
                    "path_lookup",
                    Some(-2),
                    vec![Call("walk", Some(-2), vec![])],
                )],
            ),
            Call("audit_log", Some(-2), vec![]),
        ],
    );
    let c = compare(&good, 3, &bad, -2);
    let o = &c["error_origin"];
    assert_eq!(o["func"], "walk", "{o}");
    assert_eq!(o["errno"], "ENOENT");
    assert_eq!(
        o["chain"],
        serde_json::json!(["__x64_sys_openat", "do_sys_openat2", "path_lookup", "walk"])
    );
    assert_eq!(o["good_ret"], 0);
}

/// NULL where the good run's same call returned a kernel pointer is named
/// as a clue, not as the origin: the origin is the deepest call that
/// returned the errno, and no sentence says a call returned what it did not.
#[test]
fn null_from_a_pointer_returning_call_is_a_clue() {
    let ptr = 0xffff_8880_1234_5678u64 as i64;
    let good = Call(
        "__x64_sys_openat",
        Some(3),
        vec![Call(
            "do_sys_openat2",
            Some(3),
            vec![Call(
                "lookup_dentry",
                Some(ptr),
                vec![Call("d_hash", Some(7), vec![])],
            )],
        )],
    );
    let bad = Call(
        "__x64_sys_openat",
        Some(-2),
        vec![Call(
            "do_sys_openat2",
            Some(-2),
            vec![Call(
                "lookup_dentry",
                Some(0),
                vec![Call("d_hash", Some(7), vec![])],
            )],
        )],
    );
    let c = compare(&good, 3, &bad, -2);
    let o = &c["error_origin"];
    assert_eq!(o["func"], "do_sys_openat2", "{o}");
    let span = o["span"].as_str().unwrap();
    assert!(span.contains("`do_sys_openat2()` returned -2"), "{span}");
    assert!(
        span.contains("`lookup_dentry()` returned NULL where the good run's returned a pointer"),
        "{span}"
    );
}

/// Runs of the same call fold: the difference reads "N in good vs M in bad".
#[test]
fn repeats_fold_into_counts() {
    let run_of = |n: usize| {
        (0..n)
            .map(|_| Call("kfree", None, vec![]))
            .collect::<Vec<_>>()
    };
    let mut g_kids = vec![Call("alloc", None, vec![])];
    g_kids.extend(run_of(128));
    g_kids.push(Call("finish", None, vec![]));
    let mut b_kids = vec![Call("alloc", None, vec![])];
    b_kids.extend(run_of(129));
    b_kids.push(Call("finish", None, vec![]));
    let good = Call(
        "__x64_sys_openat",
        None,
        vec![
            Call("do_sys_openat2", None, g_kids),
            Call("step", None, vec![]),
        ],
    );
    let bad = Call(
        "__x64_sys_openat",
        None,
        vec![Call("do_sys_openat2", None, b_kids)],
    );
    let c = compare(&good, 3, &bad, -2);
    let m = &c["minor_differences"][0];
    assert_eq!(m["good"], "kfree");
    assert_eq!(m["counts"], serde_json::json!([128, 129]));
    let rows = c["aligned"].as_array().unwrap();
    assert!(
        rows.len() < 20,
        "the run is one row, not 128: {} rows",
        rows.len()
    );
    // The split is where the good run goes on and the bad run does not.
    assert_eq!(c["first_divergence"]["good_next"], "step");
}

/// No split (nothing failed) and one difference that meets again three
/// levels down: report.md's diff is centred on the call it lies under, so
/// the extra call shows as a `+` line instead of being folded under the
/// root; the verdict names it and report.md lists it.
#[test]
fn without_a_split_the_diff_shows_the_difference_that_meets_again() {
    let tree = |extra: bool| {
        let mut walk = vec![Call("walk", Some(0), vec![])];
        if extra {
            walk.push(Call("audit_inode", Some(0), vec![]));
        }
        walk.push(Call("walk_done", Some(0), vec![]));
        Call(
            "__x64_sys_openat",
            Some(3),
            vec![Call(
                "do_sys_openat2",
                Some(3),
                vec![
                    Call("getname", Some(0), vec![]),
                    Call("path_lookup", Some(0), walk),
                    Call("fd_install", Some(0), vec![]),
                ],
            )],
        )
    };
    let dir = tempfile::tempdir().unwrap();
    let (g, b) = (dir.path().join("good.log"), dir.path().join("bad.log"));
    std::fs::write(&g, text(&tree(true), 3)).unwrap();
    std::fs::write(&b, text(&tree(false), 3)).unwrap();
    let w = run(&[g.to_str().unwrap(), b.to_str().unwrap()]);
    let c = &w.json["comparisons"][0];
    assert!(c["first_divergence"].is_null(), "{c}");
    let v = c["verdict"].as_str().unwrap();
    assert!(v.contains("`audit_inode()` only in the good run"), "{v}");
    assert!(w.md.contains("- under `path_lookup`: `audit_inode` only in good"));
    let diff = w.md.split("```diff").nth(1).unwrap();
    let diff = diff.split("```").next().unwrap();
    assert!(
        diff.lines()
            .any(|l| l.starts_with('+') && l.contains("audit_inode();")),
        "{diff}"
    );
    assert!(diff.contains(" path_lookup() {"), "{diff}");
}
