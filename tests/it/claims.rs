//! Issue 12: every claim of a report checked against the trees it speaks
//! of, on every report of the real captures (those of kernels the analysis
//! was not built on, `captures-unseen`, included): "never makes", "agree up to",
//! "both", return values never printed as a decimal below -4095; and the
//! error origin's candidates against the true origins from kernel source.

use serde_json::Value;

use crate::common::{CAPTURES, CAPTURES_NEW, CAPTURES_UNSEEN, Written, files_under, run};

/// Every report the corpus gives: each good/bad pair, each capture alone,
/// the blog's three captures together.
fn every_report() -> Vec<(String, Written)> {
    let mut runs: Vec<Vec<String>> = Vec::new();
    let ok_logs = files_under(CAPTURES, &["ok.log"]);
    for ok in ok_logs
        .into_iter()
        .chain(files_under(CAPTURES_UNSEEN, &["ok.log"]))
    {
        let bad = ok.with_file_name("bad.log");
        if !bad.exists() {
            continue;
        }
        runs.push(vec![ok.display().to_string(), bad.display().to_string()]);
    }
    let x = format!("{CAPTURES}/xskmap-noxdpsockets-6.12");
    for o in [
        "default",
        "funcgraph-retval",
        "funcgraph-retval+funcgraph-tail",
        "funcgraph-proc+funcgraph-abstime+funcgraph-tail",
    ] {
        runs.push(vec![
            format!("{x}/ok--{o}.log"),
            format!("{x}/bad--{o}.log"),
        ]);
    }
    let blog = format!("{CAPTURES}/blog-xskmap");
    for g in ["same-kernel-ok", "other-kernel-ok"] {
        runs.push(vec![
            format!("{blog}/{g}.log"),
            format!("{blog}/xskmap-einval.log"),
        ]);
    }
    runs.push(vec![
        format!("{blog}/other-kernel-ok.log"),
        format!("{blog}/same-kernel-ok.log"),
        format!("{blog}/xskmap-einval.log"),
    ]);
    let n = format!("{CAPTURES}/qemu-6.1/nanosleep-sleeptime");
    runs.push(vec![
        format!("{n}/nosleep-time.log"),
        format!("{n}/sleep-time.log"),
    ]);
    for f in files_under(CAPTURES, &[".log", ".log.gz"])
        .into_iter()
        .chain(files_under(CAPTURES_NEW, &[".log", ".log.gz"]))
        .chain(files_under(CAPTURES_UNSEEN, &[".log", ".log.gz"]))
    {
        if std::fs::metadata(&f).map_or(0, |m| m.len()) < 2 << 20 {
            runs.push(vec![f.display().to_string()]);
        }
    }
    runs.into_iter()
        .map(|args| {
            let refs: Vec<&str> = args.iter().map(String::as_str).collect();
            (args.join(" "), run(&refs))
        })
        .collect()
}

/// The bad syscall's whole tree, as function names (interrupts aside).
fn bad_tree_names(w: &Written, c: &Value) -> Vec<String> {
    let cap = &w.json["captures"][c["bad"].as_u64().unwrap() as usize];
    // A comparison may pair roots (calls outside any syscall) when no
    // syscall pairs; they share the syscalls' numbering.
    let listed = |key: &str| cap[key].as_array().into_iter().flatten();
    let sys = listed("syscalls")
        .chain(listed("roots"))
        .find(|s| s["index"] == c["bad_syscall"])
        .expect("the bad syscall is listed");
    let mut out = Vec::new();
    let mut stack = vec![&sys["root"]];
    while let Some(n) = stack.pop() {
        if n.is_null() || n["flags"].as_array().unwrap().iter().any(|f| f == "irq") {
            continue;
        }
        out.push(n["func"].as_str().unwrap().to_string());
        stack.extend(n["children"].as_array().unwrap());
    }
    out
}

/// The functions a sentence lists after `lead`, up to its full stop.
fn listed_after<'a>(text: &'a str, lead: &str) -> Vec<&'a str> {
    let Some(i) = text.find(lead) else {
        return Vec::new();
    };
    let rest = &text[i + lead.len()..];
    let end = rest.find(". ").unwrap_or(rest.len());
    rest[..end]
        .split('`')
        .skip(1)
        .step_by(2)
        .map(|f| f.trim_end_matches("()"))
        .collect()
}

fn never_makes(ctx: &str, w: &Written, c: &Value) -> usize {
    let v = c["verdict"].as_str().unwrap();
    let names = bad_tree_names(w, c);
    let listed = listed_after(v, "that the bad run never makes: ");
    for f in &listed {
        assert!(
            !names.iter().any(|n| n == f),
            "{ctx}: the bad run does call `{f}()`: {v}"
        );
    }
    listed.len()
}

/// "Both runs agree inside … up to X": every call before the parting is
/// made by both runs alike (noise aside).
fn agree_up_to(ctx: &str, c: &Value) -> usize {
    let v = c["verdict"].as_str().unwrap();
    if !v.contains("Both runs agree inside") {
        return 0;
    }
    let d = &c["first_divergence"];
    let rows = c["aligned"].as_array().unwrap();
    let until = d["row"].as_u64().unwrap() as usize;
    for r in &rows[..until.min(rows.len())] {
        assert!(
            r["kind"] == "same" || r["noise"] == true,
            "{ctx}: 'agree' but row {r} differs before the parting: {v}"
        );
    }
    1
}

/// "up to X (then both call N, …)": the noise calls both runs make after X
/// at its level before the parting are exactly the ones named; without the
/// aside there are none (so "up to X" never hides calls both runs make).
fn noise_after_last_common(ctx: &str, c: &Value) -> usize {
    let v = c["verdict"].as_str().unwrap();
    let d = &c["first_divergence"];
    let Some(last) = d["last_common"].as_str() else {
        return 0;
    };
    let lead = format!(" up to `{last}()`");
    if !v.contains(&lead) || d["row"].is_null() {
        return 0;
    }
    let rows = c["aligned"].as_array().unwrap();
    let until = (d["row"].as_u64().unwrap() as usize).min(rows.len());
    let bad_line = d["last_common_lines"][1].as_u64();
    let Some(at) = rows[..until]
        .iter()
        .position(|r| r["bad"]["line"].as_u64() == bad_line && r["bad"]["func"] == last)
    else {
        return 0;
    };
    let depth = rows[at]["bad"]["depth"].as_u64();
    let mut seen: Vec<&str> = Vec::new();
    for r in &rows[at + 1..until] {
        if r["kind"] == "same" && r["noise"] == true && r["bad"]["depth"].as_u64() == depth {
            let f = r["bad"]["func"].as_str().unwrap();
            if !seen.contains(&f) {
                seen.push(f);
            }
        }
    }
    let aside = v
        .split(&lead)
        .nth(1)
        .and_then(|t| t.strip_prefix(" (then both call "))
        .and_then(|t| t.split(", on the noise list").next());
    match aside {
        None => assert!(
            seen.is_empty(),
            "{ctx}: 'up to {last}()' but both runs then call {seen:?}: {v}"
        ),
        Some(t) => {
            let named: Vec<&str> = t
                .split(['`', ','])
                .map(|x| x.trim().trim_start_matches("and ").trim_end_matches("()"))
                .filter(|x| !x.is_empty() && *x != "and")
                .collect();
            assert_eq!(named, seen, "{ctx}: noise named after {last}(): {v}");
        }
    }
    1
}

/// "The captures were taken differently" only when a setting of the capture
/// differs; a kernel's version or traceable functions alone read "The
/// kernels differ" (the seed pair was told its captures were "taken
/// differently" for its kernels' function lists).
fn settings_lead(ctx: &str, c: &Value) -> usize {
    let v = c["verdict"].as_str().unwrap();
    let topics: Vec<&str> = c["settings_differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["topic"].as_str().unwrap())
        .collect();
    let kernel = |t: &&str| matches!(*t, "kernel" | "traceable");
    if v.contains("The captures were taken differently") {
        assert!(topics.iter().any(|t| !kernel(t)), "{ctx}: {topics:?}: {v}");
    }
    if v.contains("The kernels differ, so") {
        assert!(
            !topics.is_empty() && topics.iter().all(kernel),
            "{ctx}: {topics:?}: {v}"
        );
        return 1;
    }
    0
}

/// The depth of a row's call (either side).
fn row_depth(r: &Value) -> u64 {
    r["good"]["depth"]
        .as_u64()
        .or(r["bad"]["depth"].as_u64())
        .unwrap()
}

/// Whether the runs differ at a row: a non-noise call of one run only, or
/// a repeat made a different number of times.
fn row_differs(r: &Value) -> bool {
    let fold = &r["fold"];
    r["noise"] != true && (r["kind"] != "same" || (!fold.is_null() && fold[0] != fold[1]))
}

/// The differences that meet again before row `until` (the split's; all
/// of them without one).
fn minors_before(c: &Value, until: usize) -> Vec<&Value> {
    c["minor_differences"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| (m["row"].as_u64().unwrap() as usize) < until)
        .collect()
}

/// The split's row, or the end of the rows when there is none.
fn split_row(c: &Value) -> usize {
    let rows = c["aligned"].as_array().unwrap().len();
    c["first_divergence"]["row"]
        .as_u64()
        .map_or(rows, |r| (r as usize).min(rows))
}

/// The report lists every difference before the split (all of them
/// without one): each call that differs there is a call level one run
/// shows, or lies under the parent of a listed difference that meets
/// again, at or after it (a parting that met again is listed by its first
/// calls); and report.md, report.txt and index.html list each of them.
fn listed_before_split(ctx: &str, w: &Written, c: &Value) -> usize {
    let rows = c["aligned"].as_array().unwrap();
    let until = split_row(c);
    let minors = minors_before(c, until);
    // The depth of the parent of the listed difference a row may lie under.
    let mut open: Option<u64> = None;
    let mut checked = 0;
    for (k, r) in rows[..until].iter().enumerate() {
        if minors.iter().any(|m| m["row"].as_u64() == Some(k as u64)) {
            open = row_depth(r).checked_sub(1);
        } else if open.is_some_and(|pd| r["kind"] == "same" && row_depth(r) <= pd) {
            open = None;
        }
        if row_differs(r) && r["wrapper"] != true {
            assert!(
                open.is_some_and(|pd| row_depth(r) > pd),
                "{ctx}: row {k} differs before the split, under no listed difference: {r}"
            );
            checked += 1;
        }
    }
    let txt = String::from_utf8(w.read("report.txt")).unwrap();
    let esc = |t: &str| {
        t.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    for m in &minors {
        let f = m["good"].as_str().or(m["bad"].as_str()).unwrap();
        let p = m["parent"].as_str().unwrap();
        let line = format!("- under `{p}`: `{f}`");
        assert!(w.md.contains(&line), "{ctx}: `{line}` not in report.md");
        assert!(txt.contains(&line), "{ctx}: `{line}` not in report.txt");
        let li = format!("<li>under <code>{}</code>: <code>{}</code>", esc(p), esc(f));
        assert!(w.html.contains(&li), "{ctx}: `{li}` not in index.html");
    }
    checked
}

/// A reference to something the verdict does not carry is never made: a
/// pasted verdict has no "list below". What "apart from" counts is named
/// later in the verdict itself: the differences that meet again before the
/// split with their number, call levels one run shows each by name.
fn named_below(ctx: &str, c: &Value) -> usize {
    let v = c["verdict"].as_str().unwrap();
    let refs = v.replace("below max_graph_depth", "");
    let Some(at) = refs.find("below") else {
        return 0;
    };
    let (before, after) = refs.split_at(at);
    assert!(
        !c["first_divergence"].is_null() && before.ends_with("named "),
        "{ctx}: refers below: {v}"
    );
    let n = minors_before(c, split_row(c)).len();
    let (meet, earlier) = if n == 1 {
        ("difference that meets", "difference meets")
    } else {
        ("differences that meet", "differences meet")
    };
    if n > 0 {
        assert!(
            before.contains(&format!("apart from {n} {meet} again"))
                && after.contains(&format!("{n} earlier {earlier} again")),
            "{ctx}: {n} differences meet again before the split: {v}"
        );
    }
    if before.contains("call level") {
        assert!(
            after.contains("is a call level only one run shows"),
            "{ctx}: {v}"
        );
    }
    assert!(
        n > 0 || before.contains("call level"),
        "{ctx}: refers below to nothing: {v}"
    );
    1
}

/// "Every traced call matches" (verdict, origin span) only when no row
/// differs: no call of one run only, no repeat made a different number of
/// times (a call level one run shows is not a match).
fn every_call_matches(ctx: &str, c: &Value) -> usize {
    let said = [&c["verdict"], &c["error_origin"]["span"]].iter().any(|t| {
        t.as_str()
            .unwrap_or("")
            .to_lowercase()
            .contains("every traced call matches")
    });
    if !said {
        return 0;
    }
    let rows = c["aligned"].as_array().unwrap();
    if let Some(r) = rows.iter().find(|r| row_differs(r)) {
        panic!("{ctx}: every traced call matches, but {r} differs: {c}");
    }
    1
}

fn show(v: &Value) -> String {
    match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        _ => String::new(),
    }
}

/// "= v, both" in the diff only where both runs returned v; "{ … n calls }
/// /* both */" only where the folded subtrees agree.
fn both_in_diff(ctx: &str, w: &Written, c: &Value) -> usize {
    let rows = c["aligned"].as_array().unwrap();
    let mut checked = 0;
    for line in
        w.md.lines()
            .filter(|l| l.contains("/* ") && l.contains("both"))
    {
        let body = &line[1..];
        let depth = (body.len() - body.trim_start().len()) / 2 - 1;
        let func = body.trim_start().split("()").next().unwrap();
        let at = |r: &&Value| {
            r["kind"] == "same"
                && r["good"]["func"] == func
                && r["good"]["depth"].as_u64() == Some(depth as u64)
        };
        let cands: Vec<&Value> = rows.iter().filter(at).collect();
        if cands.is_empty() {
            continue; // another comparison's diff
        }
        checked += 1; // the call itself is made by both runs
        if let Some(val) = line
            .split("/* = ")
            .nth(1)
            .and_then(|s| s.split(", both").next())
        {
            if !val.contains(' ') {
                assert!(
                    cands
                        .iter()
                        .any(|r| show(&r["good"]["ret"]) == val && show(&r["bad"]["ret"]) == val),
                    "{ctx}: `{line}` but the runs returned different values"
                );
            }
        }
        if line.contains("calls }") && !line.contains("not alike") {
            let alike = cands.iter().any(|r| {
                let k = rows.iter().position(|x| std::ptr::eq(x, *r)).unwrap();
                rows[k + 1..]
                    .iter()
                    .take_while(|x| {
                        x["good"]["depth"].as_u64().is_none_or(|d| d > depth as u64)
                            && x["bad"]["depth"].as_u64().is_none_or(|d| d > depth as u64)
                    })
                    .all(|x| {
                        let counts = &x["fold"];
                        x["noise"] == true
                            || (x["kind"] == "same" && (counts.is_null() || counts[0] == counts[1]))
                    })
            });
            assert!(
                alike,
                "{ctx}: `{line}` folds a subtree the runs do not share"
            );
        }
    }
    checked
}

/// The next capture graphs a call that holds the last common call and every
/// candidate origin the verdict names (it once graphed only the split's
/// parent, which the bad-only `step_into_slowpath()` lies outside of).
fn recipe_covers_the_candidates(ctx: &str, w: &Written, c: &Value) {
    let Some(g) = c["next_capture"]["recipe"]["graph_functions"][0].as_str() else {
        return;
    };
    let mut lines: Vec<u64> = c["error_origin"]["candidates"]
        .as_array()
        .into_iter()
        .flatten()
        .take(3)
        .filter_map(|k| k["line"].as_u64())
        .collect();
    let why = c["next_capture"]["why"].as_array().unwrap();
    if why
        .iter()
        .any(|l| l.as_str().unwrap().starts_with("max_graph_depth"))
    {
        // The depth cut the trees above the deciding call: the capture aims
        // at the likeliest candidate, the call the depth cut.
        lines.truncate(1);
    } else {
        lines.extend(c["first_divergence"]["last_common_lines"][1].as_u64());
    }
    let cap = &w.json["captures"][c["bad"].as_u64().unwrap() as usize];
    let Some(sys) = ["syscalls", "roots"]
        .iter()
        .flat_map(|k| cap[*k].as_array().into_iter().flatten())
        .find(|s| s["index"] == c["bad_syscall"])
    else {
        return;
    };
    fn subtree_lines(n: &Value, out: &mut Vec<u64>) {
        out.extend(n["line"].as_u64());
        for k in n["children"].as_array().into_iter().flatten() {
            subtree_lines(k, out);
        }
    }
    fn holds(n: &Value, g: &str, want: &[u64]) -> bool {
        let mut inside = Vec::new();
        subtree_lines(n, &mut inside);
        (n["func"] == g && want.iter().all(|l| inside.contains(l)))
            || n["children"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|k| holds(k, g, want))
    }
    assert!(
        holds(&sys["root"], g, &lines),
        "{ctx}: the next capture graphs `{g}`, which does not hold lines {lines:?}"
    );
}

/// Untraced time is placed by timestamps only where they place something:
/// never "0.0 µs" somewhere (a clock that stood still once gave "22.4 µs in
/// no traced callee (0.0 µs in `map_create()` itself)").
fn no_stretch_of_nothing(ctx: &str, w: &Written) {
    // Function names inside a sentence are code spans, never escaped
    // backticks around plain text (a placed stretch once was).
    for v in w.md.lines().filter(|l| l.starts_with("**Verdict.**")) {
        assert!(!v.contains("\\`"), "{ctx}: {v}");
    }
    for (what, text) in [("md", &w.md), ("json", &w.json.to_string())] {
        assert!(!text.contains("(0.0 µs "), "{ctx}: {what} places 0.0 µs");
        for s in w.json["comparisons"].as_array().into_iter().flatten() {
            for sus in s["inlined_suspects"].as_array().into_iter().flatten() {
                let loc = sus["location"].as_str().unwrap_or("");
                assert!(!loc.starts_with("0.0 µs"), "{ctx}: {loc}");
            }
        }
    }
}

/// "N ranked lower in report.json": the candidates past the three named
/// are there, as many as said, and the span says so whenever there are any
/// ("in one of" the named ones alone would be false when the error is born
/// in one of those). A `bad-next` candidate is the call the bad run makes
/// where the runs part.
fn ranked_lower_are_listed(ctx: &str, w: &Written, c: &Value) -> usize {
    let o = &c["error_origin"];
    let more = o["more_candidates"].as_array().unwrap();
    assert_eq!(o["candidates_folded"], more.len(), "{ctx}: {o}");
    let span = o["span"].as_str().unwrap();
    assert_eq!(
        span.contains("ranked lower (listed in report.json)"),
        !more.is_empty(),
        "{ctx}: {span}"
    );
    if !more.is_empty() {
        let said = format!("{} ranked lower in report.json", more.len());
        assert!(
            w.md.contains(&said),
            "{ctx}: report.md does not say `{said}`"
        );
    }
    let all = o["candidates"].as_array().unwrap().iter().chain(more);
    for k in all.filter(|k| k["role"] == "bad-next") {
        let d = &c["first_divergence"];
        assert_eq!(k["func"], d["bad_next"], "{ctx}: {k}");
        assert_eq!(k["line"], d["bad_line"], "{ctx}: {k}");
    }
    more.len()
}

/// "the first parting" (verdict, origin span) only where no difference
/// that met again comes before the split: a 6.12 unlink's last parting was
/// called the first with two differences before it.
fn first_parting_is_first(ctx: &str, c: &Value) -> usize {
    let said = c["verdict"]
        .as_str()
        .unwrap()
        .contains("this first parting")
        || c["error_origin"]["span"]
            .as_str()
            .unwrap()
            .contains("the first parting");
    if said {
        let before = minors_before(c, split_row(c));
        assert!(before.is_empty(), "{ctx}: `first parting` with {before:?}");
    }
    said as usize
}

/// The span's "in one of:" list names each candidate once and in words that
/// differ: renameat2-exdev's said "`__filename_parentat()`,
/// `__filename_parentat()` or its callees" for two different calls.
fn span_names_differ(ctx: &str, c: &Value) -> usize {
    let span = c["error_origin"]["span"].as_str().unwrap();
    let Some((_, list)) = span.split_once("in one of: ") else {
        return 0;
    };
    let list = list.split(", or one").next().unwrap();
    let items: Vec<&str> = list.split(", ").collect();
    let funcs: Vec<&str> = items
        .iter()
        .map(|i| i.trim_end_matches(" or its callees"))
        .collect();
    for (k, f) in funcs.iter().enumerate() {
        assert!(!funcs[..k].contains(f), "{ctx}: `{f}` twice in `{span}`");
    }
    items.len()
}

/// No return value in [-2^63, -4096] printed as a decimal.
fn no_negative_decimal_beyond_errno(ctx: &str, w: &Written) {
    for (what, text) in [
        ("md", &w.md),
        ("html", &w.html),
        ("json", &w.json.to_string()),
    ] {
        let b = text.as_bytes();
        for (i, _) in text.match_indices('-') {
            let digits = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
            let before_ok = i == 0 || !b[i - 1].is_ascii_alphanumeric();
            if digits >= 4 && before_ok {
                let n: i128 = text[i + 1..i + 1 + digits].parse().unwrap_or(0);
                assert!(n < 4096, "{ctx}: {what} prints -{n}");
            }
        }
    }
}

#[test]
fn every_claim_of_every_report_holds_on_the_trees() {
    let (mut never, mut agree, mut both) = (0, 0, 0);
    let (mut below, mut listed, mut matches, mut upto, mut kernels) = (0, 0, 0, 0, 0);
    let (mut lower, mut first, mut spans) = (0, 0, 0);
    for (ctx, w) in every_report() {
        no_negative_decimal_beyond_errno(&ctx, &w);
        no_stretch_of_nothing(&ctx, &w);
        for c in w.json["comparisons"].as_array().unwrap() {
            never += never_makes(&ctx, &w, c);
            recipe_covers_the_candidates(&ctx, &w, c);
            lower += ranked_lower_are_listed(&ctx, &w, c);
            first += first_parting_is_first(&ctx, c);
            spans += span_names_differ(&ctx, c);
            agree += agree_up_to(&ctx, c);
            upto += noise_after_last_common(&ctx, c);
            kernels += settings_lead(&ctx, c);
            both += both_in_diff(&ctx, &w, c);
            below += named_below(&ctx, c);
            listed += listed_before_split(&ctx, &w, c);
            matches += every_call_matches(&ctx, c);
        }
    }
    // The walk must have met each kind of claim.
    assert!(
        never >= 20
            && agree >= 20
            && both >= 100
            && below >= 15
            && listed >= 100
            && matches >= 3
            && upto >= 20
            && kernels >= 1
            && lower >= 5
            && first >= 20
            && spans >= 100,
        "{never} {agree} {both} {below} {listed} {matches} {upto} {kernels} {lower} {first} {spans}"
    );
}

/// The true origins (from kernel source, and from the same cases traced
/// with funcgraph-retval on 6.12): without return values each must be
/// among the at most three candidates, and the evidence must not be
/// `retval`. Depth-limited captures cannot show it: there the candidate is
/// the traced call it lies under, said to be cut by the depth.
#[test]
fn origin_candidates_contain_the_true_origin() {
    let gold: &[(&str, &str)] = &[
        ("bpf-array-zerokey", "array_map_alloc_check"),
        ("bpf-array-zeroentries", "array_map_alloc_check"),
        ("openat-enoent", "step_into"),
        ("fn-openat-enoent", "step_into"),
        ("mkdir-eexist", "filename_create"),
        ("bpf-map-create-unspec", "map_create"),
        ("bpf-map-create-type200", "map_create"),
        ("bpf-xskmap-vs-unspec", "map_create"),
        ("fn-bpf-map-create-unspec", "map_create"),
        ("tracecmd-bpf-map-create-unspec", "map_create"),
        // Below the traced depth: the call it lies under.
        ("bpf-array-zerokey--depth-3", "map_create"),
        ("bpf-map-create-unspec--depth-3", "map_create"),
        ("openat-enoent--depth-3", "do_filp_open"),
    ];
    let mut checked = 0;
    for dir in std::fs::read_dir(format!("{CAPTURES}/qemu-6.1")).unwrap() {
        let dir = dir.unwrap().path();
        let folder = dir.file_name().unwrap().to_string_lossy().to_string();
        let exact = gold.iter().find(|(g, _)| folder == *g);
        let variant = || {
            gold.iter()
                .find(|(g, _)| folder.starts_with(&format!("{g}--")) && !folder.contains("depth"))
        };
        let Some(&(_, want)) = exact.or_else(variant) else {
            continue;
        };
        let w = run(&[
            dir.join("ok.log").to_str().unwrap(),
            dir.join("bad.log").to_str().unwrap(),
        ]);
        let o = &w.json["comparisons"][0]["error_origin"];
        let ctx = format!("{folder}: {o}");
        assert_ne!(o["evidence"], "retval", "{ctx}");
        assert!(o["func"].is_null(), "{ctx}");
        let cands = o["candidates"].as_array().unwrap();
        assert!(!cands.is_empty() && cands.len() <= 3, "{ctx}");
        let hit = cands
            .iter()
            .find(|c| c["func"] == want)
            .unwrap_or_else(|| panic!("{ctx}"));
        if folder.contains("depth-3") {
            assert!(
                hit["role"] == "below-depth" || o["evidence"] == "inferred",
                "{ctx}"
            );
        } else {
            assert_eq!(o["evidence"], "structure", "{ctx}");
        }
        // The first parting is kept as its own finding.
        assert!(
            o["span"].as_str().unwrap().contains("first parting") || folder.contains("depth-3"),
            "{ctx}"
        );
        checked += 1;
    }
    assert!(checked >= 30, "{checked}");
}

/// With return values the origin is exact: the function, `retval`.
#[test]
fn origin_with_retval_is_exact() {
    let x = format!("{CAPTURES}/xskmap-noxdpsockets-6.12");
    for o in ["funcgraph-retval", "funcgraph-retval+funcgraph-tail"] {
        let w = run(&[&format!("{x}/ok--{o}.log"), &format!("{x}/bad--{o}.log")]);
        let e = &w.json["comparisons"][0]["error_origin"];
        assert_eq!(e["evidence"], "retval", "{o}");
        assert_eq!(e["func"], "__sys_bpf", "{o}");
        assert_eq!(e["candidates"][0]["func"], "__sys_bpf", "{o}");
        assert_eq!(e["candidates"].as_array().unwrap().len(), 1, "{o}");
    }
}

/// Settings before behaviour: the same nanosleep traced with sleep-time on
/// and off leads with that and claims no error origin.
#[test]
fn sleep_time_is_a_setting_not_a_failure() {
    let n = format!("{CAPTURES}/qemu-6.1/nanosleep-sleeptime");
    let w = run(&[
        &format!("{n}/nosleep-time.log"),
        &format!("{n}/sleep-time.log"),
    ]);
    let c = &w.json["comparisons"][0];
    assert_eq!(c["settings_differences"][0]["topic"], "sleep-time", "{c}");
    assert_eq!(c["error_origin"]["evidence"], "none");
    assert!(c["error_origin"]["func"].is_null());
    let v = c["verdict"].as_str().unwrap();
    let settings = v.find("sleep-time on").expect("said");
    assert!(
        !v.contains("decision") && !v.contains("error is born"),
        "{v}"
    );
    assert!(settings < v.find("Every traced call").unwrap(), "{v}");
    assert!(
        w.json["title"]
            .as_str()
            .unwrap()
            .contains("traced differently")
    );
}

/// Unknown stays unknown: a busy capture without exit events or return
/// values claims no success and says what would tell.
#[test]
fn unknown_results_are_not_successes() {
    let f = format!("{CAPTURES}/qemu-6.1/busy-2cpu/graph-syscalls.log.gz");
    let w = run(&[&f]);
    let v = w.json["verdict"].as_str().unwrap();
    assert!(v.contains("have no captured result"), "{v}");
    assert!(v.contains("sys_exit_"), "{v}");
    assert!(!v.contains("No syscall failed"), "{v}");
    // Chosen by hand, the unknown side is said to be unknown.
    let sys = w.json["captures"][0]["syscalls"].as_array().unwrap();
    let bpf: Vec<u64> = sys
        .iter()
        .filter(|s| s["name"] == "bpf" && !s["root"].is_null())
        .map(|s| s["index"].as_u64().unwrap())
        .collect();
    let label = w.json["captures"][0]["label"].as_str().unwrap().to_string();
    let spec = format!("{label}#{}:{label}#{}", bpf[0], bpf[1]);
    let w = run(&[&f, "--pair", &spec]);
    let v = w.json["comparisons"][0]["verdict"].as_str().unwrap();
    assert!(!v.contains("did not fail"), "{v}");
    assert!(
        v.contains("result not captured") || v.contains("unknown"),
        "{v}"
    );
}

/// Lost events by kind: the overwrite-mode `trace` (only the end survived)
/// is told apart from `LOST` lines in a pipe, each with its own fix.
#[test]
fn lost_events_by_kind() {
    let audit = |f: &str| {
        let w = run(&[f]);
        w.json["captures"][0]["audit"].as_array().unwrap().clone()
    };
    let a = audit(&format!("{CAPTURES}/qemu-6.1/lost-events/trace.log"));
    let o = a
        .iter()
        .find(|x| x["topic"] == "overwritten")
        .expect("overwritten");
    assert_eq!(o["status"], "warn");
    assert!(o["fix"].as_str().unwrap().contains("trace_pipe"));
    assert!(o["fix"].as_str().unwrap().contains("buffer_size_kb"));
    assert!(
        !a.iter()
            .any(|x| x["fix"].as_str().is_some_and(|f| f.contains("tracing_on")))
    );
    // Without the header's counters or a `buffer started` line, a start
    // mid-call alone does not prove the wrap (tracing may have begun then):
    // here it did wrap (the manifest), on the doc's example it did not.
    assert!(
        o["message"].as_str().unwrap().contains("cannot tell which"),
        "{o}"
    );
    let a = audit("tests/fixtures/public/pt-funcgraph-abstime-headers.log");
    let o = a.iter().find(|x| x["topic"] == "overwritten").unwrap();
    assert!(
        o["message"]
            .as_str()
            .unwrap()
            .contains("may have wrapped (overwrite mode) and kept only the end of the run, or tracing began while the call ran; this capture cannot tell which"),
        "{o}"
    );
    let a = audit(&format!(
        "{CAPTURES}/qemu-6.1/lost-events/trace_pipe.log.gz"
    ));
    let l = a.iter().find(|x| x["topic"] == "lost-events").unwrap();
    assert_eq!(l["status"], "warn");
    assert!(l["fix"].as_str().unwrap().contains("set_graph_function"));
}
