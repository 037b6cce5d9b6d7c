//! Faults in real captures: where they hit a tree they are marked there, and
//! every one is a warning with its line number in all three outputs. Damaged
//! variants (cut, CRLF, per-CPU order) are made from real captures at test
//! time, the way the damage happens to users.

use std::path::PathBuf;

use serde_json::Value;

use crate::common::{CAPTURES, CAPTURES_NEW, Written, run};

fn warnings<'a>(w: &'a Written, kind: &str) -> Vec<&'a Value> {
    w.json["captures"][0]["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["kind"] == kind)
        .collect()
}

fn count(w: &Written, kind: &str) -> u64 {
    w.json["captures"][0]["warning_counts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["kind"] == kind)
        .map_or(0, |x| x["count"].as_u64().unwrap())
}

/// Every node of every kept tree, depth first.
fn nodes(w: &Written) -> Vec<&Value> {
    fn walk<'a>(n: &'a Value, out: &mut Vec<&'a Value>) {
        out.push(n);
        for c in n["children"].as_array().unwrap() {
            walk(c, out);
        }
    }
    let mut out = Vec::new();
    for s in w.json["captures"][0]["syscalls"].as_array().unwrap() {
        if !s["root"].is_null() {
            walk(&s["root"], &mut out);
        }
    }
    out
}

fn flagged<'a>(w: &'a Written, flag: &str) -> Vec<&'a Value> {
    nodes(w)
        .into_iter()
        .filter(|n| n["flags"].as_array().unwrap().iter().any(|f| f == flag))
        .collect()
}

/// HTML text with the entities askama (or anyone) writes turned back.
fn unescape_html(s: &str) -> String {
    s.replace("&#60;", "<")
        .replace("&lt;", "<")
        .replace("&#62;", ">")
        .replace("&gt;", ">")
        .replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

/// A warning as each output shows it: JSON verbatim (checked by the
/// caller), Markdown with `code` spans kept, HTML escaped with `code` spans
/// as `<code>`.
fn shown_everywhere(w: &Written, line: u64, start: &str) {
    // A report.md shortened to fit a ticket (issue 15) may fold the warning
    // lists; it must then say so and point at index.html, which has them.
    let shortened = w.md.contains("**Shortened to fit a ticket**");
    assert!(
        w.md.contains(&format!("line {line}: {start}"))
            || shortened
                && w.md
                    .contains("[index.html](index.html) and report.json have everything"),
        "Markdown lacks `line {line}: {start}`"
    );
    // The page draws the `code` parts as code (issue 15: no literal backticks).
    let html = unescape_html(&w.html)
        .replace("<code>", "`")
        .replace("</code>", "`");
    assert!(
        html.contains(&format!("line {line}: {start}")),
        "HTML lacks `line {line}: {start}`"
    );
}

fn write_temp(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn read_plain(path: &str) -> Vec<u8> {
    let raw = std::fs::read(path).unwrap();
    if path.ends_with(".gz") {
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(&raw[..]), &mut out)
            .unwrap();
        out
    } else {
        raw
    }
}

/// `CPU:1 [LOST 71400 EVENTS]` and the thousands after it (a real
/// `trace_pipe` read that lagged): each a warning with its line, the calls
/// open on that CPU flagged, the syscalls they hit marked.
#[test]
fn lost_events_are_named_in_json_markdown_and_html() {
    let f = format!("{CAPTURES}/qemu-6.1/lost-events/trace_pipe.log.gz");
    let w = run(&[&f]);
    let lost = warnings(&w, "lost-events");
    assert_eq!(lost.len(), 100, "the first 100 are kept with their lines");
    assert!(count(&w, "lost-events") > 1000);
    assert_eq!(lost[0]["line"], 1);
    let msg = lost[0]["message"].as_str().unwrap();
    assert!(msg.starts_with("CPU 1: 71400 events lost"), "{msg}");
    shown_everywhere(&w, 1, "CPU 1: 71400 events lost");
    // Where they hit a tree.
    let hit = flagged(&w, "lost-events");
    assert!(!hit.is_empty());
    let syscalls = w.json["captures"][0]["syscalls"].as_array().unwrap();
    assert!(syscalls.iter().any(|s| s["lost_events"] == true));
    assert!(w.md.contains("events lost  L"), "trees mark the calls");
    // Returns missing because of the overflow: the fix is a bigger buffer.
    let audit = w.json["captures"][0]["audit"].as_array().unwrap();
    let no_exit = audit
        .iter()
        .find(|a| a["topic"] == "exits-not-captured")
        .unwrap();
    assert!(no_exit["fix"].as_str().unwrap().contains("buffer_size_kb"));
}

/// A capture cut mid-call and mid-line (Ctrl-C on `cat trace_pipe`): the
/// calls still open are closed as "exit not captured", each named with its
/// line; the cut line is a warning, not a record.
#[test]
fn capture_cut_mid_call_names_the_unfinished_calls() {
    let full = read_plain(&format!("{CAPTURES}/qemu-6.1/openat-enoent/bad.log"));
    let mut cut: Vec<u8> = full
        .split_inclusive(|&b| b == b'\n')
        .take(60)
        .flatten()
        .copied()
        .collect();
    cut.extend_from_slice(b" 0)   0.8");
    let dir = tempfile::tempdir().unwrap();
    let p = write_temp(&dir, "cut.log", &cut);
    let w = run(&[p.to_str().unwrap()]);

    let truncated = warnings(&w, "truncated-line");
    assert_eq!(truncated.len(), 1);
    assert_eq!(truncated[0]["line"], 61);

    let open: Vec<(u64, String)> = warnings(&w, "exit-not-captured")
        .iter()
        .map(|x| {
            (
                x["line"].as_u64().unwrap(),
                x["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let names: Vec<&str> = open
        .iter()
        .map(|(_, m)| m.split('`').nth(1).unwrap())
        .collect();
    for want in [
        "__x64_sys_openat()",
        "do_sys_openat2()",
        "do_filp_open()",
        "path_openat()",
    ] {
        assert!(names.contains(&want), "{want} not named: {names:?}");
    }
    let (line, _) = open
        .iter()
        .find(|(_, m)| m.contains("`__x64_sys_openat()`"))
        .unwrap();
    assert_eq!(*line, 8, "named at its entry line");
    assert_eq!(
        String::from_utf8_lossy(full.split(|&b| b == b'\n').nth(7).unwrap()).trim_end(),
        " 0)               |  __x64_sys_openat() {"
    );
    shown_everywhere(
        &w,
        8,
        "`__x64_sys_openat()` had not returned when the capture ends",
    );

    let s = &w.json["captures"][0]["syscalls"][0];
    assert_eq!(s["exit_missing"], true);
    assert_eq!(s["root"]["func"], "__x64_sys_openat");
    let missing = flagged(&w, "exit-missing");
    assert_eq!(
        missing.len(),
        open.len(),
        "every unfinished call is marked in its tree"
    );
    assert!(w.md.contains("__x64_sys_openat() {") && w.md.contains("exit not captured  L8"));
}

/// The first lines of a `trace` file whose start the ring buffer overwrote
/// close calls whose entries are gone.
#[test]
fn exits_without_entry_at_the_start_are_warned_and_audited() {
    let f = format!("{CAPTURES}/qemu-6.1/lost-events/trace.log");
    let w = run(&[&f]);
    let first = warnings(&w, "exit-without-entry");
    assert_eq!(first[0]["line"], 5);
    assert!(
        first[0]["message"]
            .as_str()
            .unwrap()
            .contains("_raw_spin_lock")
    );
    shown_everywhere(
        &w,
        5,
        "`} /* _raw_spin_lock */` returns from a call whose entry",
    );
    let audit = w.json["captures"][0]["audit"].as_array().unwrap();
    let item = audit
        .iter()
        .find(|a| a["topic"] == "exits-without-entry")
        .unwrap();
    assert_eq!(item["status"], "warn");
    assert!(item["fix"].as_str().unwrap().starts_with("echo "));
}

/// `max_graph_depth=3`: the deepest level is all leaves; the audit says so
/// and gives the echo that lifts the limit.
#[test]
fn max_graph_depth_cut_is_audited() {
    for case in ["bpf-map-create-unspec--depth-3", "openat-enoent--depth-3"] {
        let w = run(&[&format!("{CAPTURES}/qemu-6.1/{case}/ok.log")]);
        let audit = w.json["captures"][0]["audit"].as_array().unwrap();
        let depth = audit
            .iter()
            .find(|a| a["topic"] == "depth")
            .unwrap_or_else(|| panic!("{case}: no depth item in {audit:?}"));
        assert_eq!(depth["status"], "warn");
        assert_eq!(depth["fix"], "echo 0 > /sys/kernel/tracing/max_graph_depth");
        assert!(
            w.md.contains("echo 0 > /sys/kernel/tracing/max\\_graph\\_depth")
                || w.md
                    .contains("echo 0 > /sys/kernel/tracing/max_graph_depth")
        );
    }
    let full = run(&[&format!("{CAPTURES}/qemu-6.1/bpf-map-create-unspec/ok.log")]);
    let audit = full.json["captures"][0]["audit"].as_array().unwrap();
    assert!(
        !audit.iter().any(|a| a["topic"] == "depth"),
        "no false alarm"
    );
}

/// The same capture with CRLF line ends reads exactly like the original.
#[test]
fn crlf_capture_reads_like_the_original() {
    let orig = format!(
        "{CAPTURES}/qemu-6.1/openat-enoent--funcgraph-proc+funcgraph-abstime+funcgraph-tail/bad.log"
    );
    let text = std::fs::read(&orig).unwrap();
    let mut crlf = Vec::new();
    for line in text.split_inclusive(|&b| b == b'\n') {
        match line.strip_suffix(b"\n") {
            Some(l) => {
                crlf.extend_from_slice(l);
                crlf.extend_from_slice(b"\r\n");
            }
            None => crlf.extend_from_slice(line),
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let p = write_temp(&dir, "bad.log", &crlf);
    let a = run(&[&orig]);
    let b = run(&[p.to_str().unwrap()]);
    let strip = |v: &Value| {
        let mut c = v["captures"][0].clone();
        for k in ["path", "digest", "bytes"] {
            c[k] = Value::Null;
        }
        c
    };
    assert_eq!(strip(&a.json), strip(&b.json));
    assert_eq!(b.json["captures"][0]["warnings_total"], 0);
}

/// A task name that is not UTF-8 (`<b>` 0xFF 0xE2 `"x</b>`, set with
/// prctl): one warning per name, not per line; shown lossily and escaped.
#[test]
fn non_utf8_task_names_warn_once_and_show_lossily() {
    for (file, lines) in [
        ("hostile-comm-fn-bpf-map-create-unspec-7.3/bad.log", 231),
        ("hostile-comm-graph-bpf-map-create-unspec-7.3/ok.log", 470),
    ] {
        let f = format!("{CAPTURES_NEW}/{file}");
        let w = run(&[&f]);
        let text = std::fs::read(&f).unwrap();
        let bad_lines = text
            .split(|&b| b == b'\n')
            .filter(|l| std::str::from_utf8(l).is_err())
            .count();
        assert_eq!(bad_lines, lines, "{file}: the fixture's damage");
        let nu = warnings(&w, "non-utf8");
        assert_eq!(nu.len(), 1, "{file}: one warning per task name");
        let first_bad = text
            .split(|&b| b == b'\n')
            .position(|l| std::str::from_utf8(l).is_err())
            .unwrap() as u64
            + 1;
        assert_eq!(nu[0]["line"], first_bad);
        let msg = nu[0]["message"].as_str().unwrap();
        assert!(msg.contains("<b>\u{fffd}"), "{msg}");
        let task = w.json["captures"][0]["syscalls"][0]["task"]
            .as_str()
            .unwrap();
        assert!(task.starts_with("<b>\u{fffd}"), "{task}");
        assert!(!w.html.contains("<b>\u{fffd}"), "{file}: escaped in HTML");
        assert!(unescape_html(&w.html).contains("<b>\u{fffd}"));
        shown_everywhere(&w, first_bad, "task name `<b>\u{fffd}");
        let s = &w.json["captures"][0]["syscalls"][0];
        assert_eq!(s["name"], "bpf");
    }
}

/// Lines of every CPU are merged by timestamp in `trace`; reading each
/// CPU's buffer on its own (`per_cpu/cpuN/trace`, concatenated) gives every
/// CPU's lines in order but the CPUs one after the other. The trees are the
/// same, because stacks are kept per task and per CPU, never by file order
/// across CPUs.
#[test]
fn per_cpu_buffers_one_after_the_other_give_the_same_trees() {
    for name in ["graph-syscalls-proc-abstime", "graph-syscalls"] {
        let f = format!("{CAPTURES}/qemu-6.1/busy-2cpu/{name}.log.gz");
        let text = read_plain(&f);
        let mut head = Vec::new();
        let mut per_cpu: std::collections::BTreeMap<u32, Vec<&[u8]>> = Default::default();
        let mut pending: Vec<&[u8]> = Vec::new();
        for line in text.split(|&b| b == b'\n') {
            if line.starts_with(b"#") {
                head.push(line);
                continue;
            }
            match cpu_of(line) {
                Some(cpu) => {
                    let v = per_cpu.entry(cpu).or_default();
                    v.append(&mut pending);
                    v.push(line);
                }
                // Context-switch rules and blank lines go with the next line.
                None => pending.push(line),
            }
        }
        assert_eq!(per_cpu.len(), 2, "{name}: a 2-CPU capture");
        let mut out: Vec<&[u8]> = head;
        for lines in per_cpu.values() {
            out.extend(lines);
        }
        out.extend(pending);
        let dir = tempfile::tempdir().unwrap();
        let p = write_temp(&dir, "percpu.log", &out.join(&b'\n'));
        let a = run(&[&f]);
        let b = run(&[p.to_str().unwrap()]);
        let key = |w: &Written| {
            let c = &w.json["captures"][0];
            let mut s: Vec<String> = c["syscalls"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| {
                    format!(
                        "{} {} {} {} {}",
                        s["title"], s["ret"], s["calls"], s["task"], s["root"]["func"]
                    )
                })
                .collect();
            s.sort();
            (s, c["syscall_groups"].clone(), c["warning_counts"].clone())
        };
        assert_eq!(key(&a), key(&b), "{name}");
        assert!(
            !a.json["captures"][0]["syscalls"]
                .as_array()
                .unwrap()
                .is_empty()
        );
    }
}

/// The CPU column of a graph line (`  38.222042 |   0)  …` or ` 0) …`).
fn cpu_of(line: &[u8]) -> Option<u32> {
    let s = std::str::from_utf8(line).ok()?;
    let s = match s.find(" |  ") {
        Some(p)
            if s[..p]
                .trim()
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'.') =>
        {
            &s[p + 4..]
        }
        _ => s,
    };
    let close = s.find(')')?;
    s[..close].trim().parse().ok()
}

/// Two tasks take turns on one CPU (`ls-104 => bpfcase-102`, no task
/// column): each keeps its own stack, so the switches cost no warning; the
/// only ones are the calls open at the very start and at the very end.
#[test]
fn interleaved_tasks_on_one_cpu_keep_their_own_stacks() {
    let f = format!("{CAPTURES}/qemu-6.1/busy-2cpu/graph-syscalls.log.gz");
    let text = read_plain(&f);
    let switches = text
        .split(|&b| b == b'\n')
        .filter(|l| memchr_find(l, b" => "))
        .count();
    assert_eq!(switches, 8);
    let w = run(&[&f]);
    let c = &w.json["captures"][0];
    assert_eq!(count(&w, "name-mismatch"), 0);
    let tasks: Vec<&str> = c["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(
        tasks.contains(&"ls-104") && tasks.contains(&"bpfcase-102"),
        "{tasks:?}"
    );
    for x in warnings(&w, "exit-not-captured") {
        let m = x["message"].as_str().unwrap();
        assert!(m.contains("when the capture ends"), "{m}");
    }
    for x in warnings(&w, "exit-without-entry") {
        // Before the first switch, or where the other CPU's task was first seen.
        assert!(x["line"].as_u64().unwrap() < 30_000, "{x}");
    }
    // With the task column the same workload is attributed line by line:
    // every call of a kept syscall is on a line of that syscall's task.
    let f = format!("{CAPTURES}/qemu-6.1/busy-2cpu/graph-syscalls-proc-abstime.log.gz");
    let text = read_plain(&f);
    let lines: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
    let w = run(&[&f]);
    assert_eq!(count(&w, "exit-not-captured"), 0);
    for s in w.json["captures"][0]["syscalls"].as_array().unwrap() {
        let pid = s["pid"].as_u64().unwrap();
        let mut stack = vec![&s["root"]];
        while let Some(n) = stack.pop() {
            let l = lines[n["line"].as_u64().unwrap() as usize - 1];
            let l = String::from_utf8_lossy(l);
            assert!(l.contains(&format!("-{pid} ")), "{l}");
            stack.extend(n["children"].as_array().unwrap());
        }
    }
}

fn memchr_find(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// An interrupt the kernel printed out of place is put back under the call
/// it hit, with no warning: before the entry of that call (7.3, hostile
/// comm capture) or right after a leaf returned (7.3 default options).
/// The hostile-comm 7.3 capture's leaf at line 399, which the interrupt
/// printed before its entry (line 344 on) hit: the interrupt is under it.
fn hit_leaf<'a>(n: &[&'a Value]) -> &'a Value {
    let k = n
        .iter()
        .find(|x| x["func"] == "kmem_cache_alloc_noprof" && x["line"] == 399)
        .unwrap();
    assert_eq!(k["children"][0]["func"], "irq_enter_rcu");
    assert_eq!(k["children"][0]["line"], 344);
    k
}

#[test]
fn interrupts_printed_out_of_place_go_back_under_their_call() {
    let w = run(&[&format!(
        "{CAPTURES_NEW}/hostile-comm-graph-bpf-map-create-unspec-7.3/ok.log"
    )]);
    assert_eq!(count(&w, "exit-not-captured"), 0);
    let n = nodes(&w);
    let k = hit_leaf(&n);
    assert!(
        k["duration_us"].as_f64().unwrap() > 260.0,
        "the leaf's time includes the interrupt"
    );

    let w = run(&[&format!("{CAPTURES_NEW}/bpf-map-create-unspec-7.3/ok.log")]);
    assert_eq!(count(&w, "exit-not-captured"), 0);
    let n = nodes(&w);
    let k = n
        .iter()
        .find(|x| x["func"] == "kmem_cache_alloc_noprof" && x["line"] == 59)
        .unwrap();
    assert_eq!(k["children"][0]["func"], "irq_enter_rcu");
    let u = n
        .iter()
        .find(|x| x["func"] == "_raw_spin_unlock_bh" && x["line"] == 115)
        .unwrap();
    assert!(
        u["children"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["func"] != "irq_enter_rcu"),
        "the call after it does not get the interrupt (its 11.9 µs cannot hold it)"
    );
}

/// The same capture with every line stamped at the last microsecond a u64
/// of nanoseconds holds (a forged `funcgraph-abstime` column): the leaf
/// that takes the interrupt's place ends past u64::MAX. Its end saturates
/// (a plain sum overflowed there, a panic in a debug build) and the tree is
/// built as without timestamps.
#[test]
fn a_leaf_adopting_an_interrupt_at_the_end_of_time_does_not_overflow() {
    let path = format!("{CAPTURES_NEW}/hostile-comm-graph-bpf-map-create-unspec-7.3/ok.log");
    let mut forged = Vec::new();
    for l in read_plain(&path).split_inclusive(|&b| b == b'\n') {
        if l.starts_with(b" 0)") {
            forged.extend_from_slice(b" 18446744073.709551 | ");
        }
        forged.extend_from_slice(l);
    }
    let dir = tempfile::tempdir().unwrap();
    let p = write_temp(&dir, "forged.log", &forged);
    let w = run(&[p.to_str().unwrap()]);
    hit_leaf(&nodes(&w));
}
