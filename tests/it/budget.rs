//! The report's size budget (`--max-report-calls`) on a real pair: a cut
//! report stays consistent (ids, rows, references), keeps what the verdict
//! names, and says what it cut in every output; under the budget nothing
//! changes.

use serde_json::Value;

use crate::common::{CAPTURES, run};

const PAIR: [&str; 2] = [
    "xskmap-noxdpsockets-6.12/ok--funcgraph-retval.log",
    "xskmap-noxdpsockets-6.12/bad--funcgraph-retval.log",
];

fn pair(extra: &[&str]) -> crate::common::Written {
    let g = format!("{CAPTURES}/{}", PAIR[0]);
    let b = format!("{CAPTURES}/{}", PAIR[1]);
    let mut args = vec![g.as_str(), b.as_str()];
    args.extend(extra);
    run(&args)
}

/// Every node of a tree as (id, func, line), in pre-order.
fn nodes(root: &Value) -> Vec<(u64, String, u64)> {
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        out.push((
            n["id"].as_u64().unwrap(),
            n["func"].as_str().unwrap().to_string(),
            n["line"].as_u64().unwrap(),
        ));
        stack.extend(n["children"].as_array().unwrap().iter().rev());
    }
    out
}

fn tree(json: &Value, cap: u64, sys: u64) -> &Value {
    json["captures"][cap as usize]["syscalls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["index"] == sys)
        .map(|s| &s["root"])
        .unwrap()
}

#[test]
fn a_cut_report_is_consistent_and_says_so() {
    let whole = pair(&[]);
    assert!(whole.json.get("truncation").is_none());
    let w = pair(&["--max-report-calls", "60"]);
    let j = &w.json;
    let t = &j["truncation"];
    assert_eq!(t["max_report_calls"], 60);
    // The analysis is the same; only what is shown is cut.
    assert_eq!(j["verdict"], whole.json["verdict"]);
    let c = &j["comparisons"][0];
    let full = &whole.json["comparisons"][0];
    assert_eq!(c["error_origin"], full["error_origin"]);
    // The alignment: exactly the listed ranges, the divergence row kept.
    let cut = &t["aligned"][0];
    let ranges = cut["ranges"].as_array().unwrap();
    let listed: u64 = ranges
        .iter()
        .map(|r| r[1].as_u64().unwrap() - r[0].as_u64().unwrap())
        .sum();
    let rows = c["aligned"].as_array().unwrap();
    assert_eq!(rows.len() as u64, listed);
    assert_eq!(cut["kept"], listed);
    assert_eq!(cut["rows"], full["aligned"].as_array().unwrap().len());
    let d = c["first_divergence"]["row"].as_u64().unwrap() as usize;
    assert_eq!(rows[d]["divergence"], true, "{}", rows[d]);
    let old = full["first_divergence"]["row"].as_u64().unwrap() as usize;
    assert_eq!(
        rows[d]["bad"]["line"], full["aligned"][old]["bad"]["line"],
        "the same row"
    );
    // Trees: ids are positions in the kept pre-order; every cell names a
    // kept call; cut calls are counted on their callers.
    for (side, cap, sys) in [
        (
            "good",
            c["good"].as_u64().unwrap(),
            c["good_syscall"].as_u64().unwrap(),
        ),
        (
            "bad",
            c["bad"].as_u64().unwrap(),
            c["bad_syscall"].as_u64().unwrap(),
        ),
    ] {
        let root = tree(j, cap, sys);
        let ns = nodes(root);
        assert!(
            ns.iter().enumerate().all(|(i, n)| n.0 == i as u64),
            "{side}"
        );
        for r in rows.iter().filter(|r| !r[side].is_null()) {
            let id = r[side]["id"].as_u64().unwrap() as usize;
            assert_eq!(ns[id].1, r[side]["func"].as_str().unwrap(), "{side} {r}");
            assert_eq!(ns[id].2, r[side]["line"], "{side} {r}");
        }
        let calls = nodes(tree(&whole.json, cap, sys)).len() as u64;
        let mut counted = ns.len() as u64;
        let mut stack = vec![root];
        while let Some(n) = stack.pop() {
            counted += n.get("cut").and_then(Value::as_u64).unwrap_or(0);
            stack.extend(n["children"].as_array().unwrap());
        }
        assert_eq!(counted, calls, "{side}: kept + cut = all");
    }
    // The error origin's call is kept, on its line.
    let o = &c["error_origin"];
    if let Some(f) = o["func"].as_str() {
        let bad = nodes(tree(
            j,
            c["bad"].as_u64().unwrap(),
            c["bad_syscall"].as_u64().unwrap(),
        ));
        assert!(bad.iter().any(|n| n.1 == f && n.2 == o["line"]), "{f}");
    }
    // Said in every output.
    let head = t["message"].as_str().unwrap().split(" (").next().unwrap();
    assert!(head.starts_with("This report keeps "), "{head}");
    assert!(w.md.contains(head), "report.md");
    assert!(w.html.contains(head), "index.html");
    let txt = String::from_utf8(w.read("report.txt")).unwrap();
    assert!(txt.contains("Note: This report keeps"), "report.txt");
    // trace.json draws the kept calls only, and counts the rest.
    let trace: Value = serde_json::from_slice(&w.read("trace.json")).unwrap();
    let slices = trace["traceEvents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["ph"] == "X" || e["ph"] == "i")
        .count();
    let kept: usize = j["captures"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| {
            c["syscalls"]
                .as_array()
                .unwrap()
                .iter()
                .chain(c["roots"].as_array().unwrap())
        })
        .filter(|s| !s["root"].is_null())
        .map(|s| nodes(&s["root"]).len())
        .sum();
    assert_eq!(slices, kept);
    let left_out: u64 = trace["metadata"]["captures"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["calls_left_out"].as_u64())
        .sum();
    let cut_calls: u64 = t["trees"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["calls"].as_u64().unwrap() - x["kept"].as_u64().unwrap())
        .sum();
    assert_eq!(left_out, cut_calls);
}

/// The same run twice gives the same bytes (the cut is deterministic).
#[test]
fn a_cut_report_is_byte_stable() {
    let a = pair(&["--max-report-calls", "60"]);
    let b = pair(&["--max-report-calls", "60"]);
    for f in ["report.json", "report.md", "report.txt", "trace.json"] {
        assert!(a.read(f) == b.read(f), "{f} differs");
    }
}

/// A folded count over cut rows is a lower bound and says so, and the diff
/// marks where rows were cut (6.1 openat at 20 rows: the bad run's
/// `try_to_unlazy()` makes 6 calls, 4 of them kept): a cut diff never
/// reads as a complete one.
#[test]
fn a_cut_diff_counts_at_least_and_marks_the_cut() {
    let dir = format!("{CAPTURES}/qemu-6.1/openat-enoent");
    let (ok, bad) = (format!("{dir}/ok.log"), format!("{dir}/bad.log"));
    let whole = run(&[&ok, &bad]);
    assert!(whole.md.contains("try_to_unlazy() { … 6 calls }"));
    assert!(!whole.md.contains("at least") && !whole.md.contains("rows cut by"));
    let cut = run(&[&ok, &bad, "--max-report-calls", "20"]);
    cut.md_has(&[
        "try_to_unlazy() { … at least 4 calls }",
        "… (rows cut by --max-report-calls)",
    ]);
}

/// A budget of 5 on the openat pair cuts every call under `try_to_unlazy()`
/// in the diff, most of `path_openat()`'s tree and the differences that
/// meet again: none reads as complete or as "at least 0 calls" (audit of
/// option runs).
#[test]
fn a_tight_budget_says_what_it_cut_where_it_cut_it() {
    let dir = format!("{CAPTURES}/qemu-6.1/openat-enoent");
    let (ok, bad) = (format!("{dir}/ok.log"), format!("{dir}/bad.log"));
    let whole = run(&[&ok, &bad]);
    assert!(whole.md.contains("### Differences that meet again"));
    let cut = run(&[&ok, &bad, "--max-report-calls", "5"]);
    cut.md_lacks(&["at least 0", "### Differences that meet again"]);
    cut.md_has(&[
        "try_to_unlazy() { … calls cut by --max-report-calls }",
        "11 differences that meet again are left out by `--max-report-calls`",
        "        … 72 calls cut by --max-report-calls\n",
    ]);
    let txt = String::from_utf8(cut.read("report.txt")).unwrap();
    assert!(
        txt.contains("11 differences that meet again are left out by"),
        "{txt}"
    );
    assert!(
        cut.html
            .contains("11 differences that meet again are left out by")
    );
}
