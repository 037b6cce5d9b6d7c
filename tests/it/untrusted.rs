//! Captures from a stranger: every shell line the report offers runs against
//! a fake tracefs and does only what it says; report.md, parsed as GitHub
//! Flavored Markdown (comrak with GitHub's extensions), holds no heading,
//! link, mention or issue reference that a name from the capture put there.
//!
//! The captures are generated here: function_graph text in the kernel's
//! layout whose function, syscall wrapper and task names are hostile.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::common::run;

/// Names a forged capture may hold (a function_graph name runs up to its
/// `(`, so none holds one), each tagged `PWN` so that anything it
/// manages to create (a file, a heading, a link) can be found.
const FUNCS: [&str; 6] = [
    "map_create;touch PWN-semicolon;echo",
    "map_create${IFS}&&touch${IFS}PWN-subst",
    "map_create`touch PWN-backtick`",
    "map_create' ; touch PWN-quote ; '",
    "map_create\r# PWN heading [PWN](https://pwn.example) @PWNuser #4242\r",
    "map_create | PWN | cell\r```\r# PWN-fence",
];

const SYSCALLS: [&str; 3] = [
    "bpf;touch PWN-sys;echo",
    "bpf\r\r# PWN-sys-heading\r",
    "bpf`touch PWN-sys2`",
];

/// One syscall: wrapper → `func` → callees; the bad run stops early and
/// fails.
fn capture(wrapper: &str, func: &str, bad: bool) -> String {
    capture_of("@PWNtask-1234", wrapper, func, bad)
}

fn capture_of(task: &str, wrapper: &str, func: &str, bad: bool) -> String {
    let mut s = String::from(
        "# tracer: function_graph\n#\n# CPU  TASK/PID         DURATION                  FUNCTION CALLS\n# |     |    |           |   |                     |   |   |   |\n",
    );
    let line = |dur: &str, body: &str| format!(" 0) {task:>13} | {dur:>11} |  {body}\n");
    s += &line("", &format!("{wrapper}() {{"));
    s += &line("", &format!("  {func}() {{"));
    s += &line("0.239 us", "    bpf_check_uarg_tail_zero(); /* = 0x0 */");
    if !bad {
        s += &line("1.070 us", "    array_map_alloc_check(); /* = 0x0 */");
    }
    let ret = if bad { "-22" } else { "0x6" };
    s += &line("3.000 us", &format!("  }} /* {func} = {ret} */"));
    s += &line("5.000 us", &format!("}} /* {wrapper} = {ret} */"));
    s
}

/// A report of a good/bad pair: file names, task, syscall wrapper and the
/// function where the runs part.
fn report(files: (&str, &str), task: &str, sys: &str, func: &str) -> crate::common::Written {
    let wrapper = format!("__x64_sys_{sys}");
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join(files.0);
    let bad = dir.path().join(files.1);
    std::fs::write(&good, capture_of(task, &wrapper, func, false)).unwrap();
    std::fs::write(&bad, capture_of(task, &wrapper, func, true)).unwrap();
    run(&[good.to_str().unwrap(), bad.to_str().unwrap()])
}

/// Reports of good/bad pairs with every hostile function and syscall name.
fn hostile_reports() -> Vec<(String, crate::common::Written)> {
    FUNCS
        .iter()
        .enumerate()
        .map(|(i, func)| {
            let sys = SYSCALLS[i % SYSCALLS.len()];
            let files = ("good @PWNfile #77.log", "bad\rPWN-file.log");
            let w = report(files, "@PWNtask-1234", sys, func);
            (format!("{func:?} in {sys:?}"), w)
        })
        .collect()
}

/// Every shell line of a report: the next-capture recipes and the audit fixes.
fn recipes(json: &Value) -> (Vec<String>, Vec<String>) {
    let mut tracefs = Vec::new();
    let mut trace_cmd = Vec::new();
    for c in json["comparisons"].as_array().unwrap() {
        if let Some(n) = c["next_capture"].as_object() {
            tracefs.push(n["tracefs"].as_str().unwrap().to_string());
            trace_cmd.push(n["trace_cmd"].as_str().unwrap().to_string());
        }
    }
    for c in json["captures"].as_array().unwrap() {
        for a in c["audit"].as_array().unwrap() {
            if let Some(f) = a["fix"].as_str() {
                tracefs.push(f.to_string());
            }
        }
    }
    (tracefs, trace_cmd)
}

/// Every file under `dir`, relative, sorted.
fn tree(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p.clone());
            }
            out.push(p.strip_prefix(dir).unwrap().display().to_string());
        }
    }
    out.sort();
    out
}

/// A fake tracefs with the directories a recipe writes into.
fn fake_tracefs() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(d.path().join("options")).unwrap();
    std::fs::create_dir_all(d.path().join("events/syscalls/sys_enter_NAME")).unwrap();
    std::fs::create_dir_all(d.path().join("events/syscalls/sys_exit_NAME")).unwrap();
    d
}

fn sh(script: &str, cwd: &Path, path_env: &str) -> std::process::Output {
    Command::new("sh")
        .arg("-c")
        .arg(script)
        .current_dir(cwd)
        .env("PID", "4321")
        .env("PATH", path_env)
        .output()
        .unwrap()
}

/// The files a recipe may write: tracefs controls, and the capture itself.
fn allowed(rel: &str) -> bool {
    const FILES: [&str; 11] = [
        "tracing_on",
        "current_tracer",
        "set_graph_function",
        "max_graph_depth",
        "set_ftrace_pid",
        "set_event_pid",
        "trace",
        "bad.log",
        "buffer_size_kb",
        "options",
        "events",
    ];
    FILES.contains(&rel)
        || rel.starts_with("options/funcgraph-")
        || rel.starts_with("options/func")
        || rel.starts_with("events/syscalls")
}

#[test]
fn every_recipe_runs_in_a_fake_tracefs_and_writes_only_what_it_says() {
    let path_env = std::env::var("PATH").unwrap();
    let mut ran = 0;
    for (what, w) in hostile_reports() {
        let (tracefs, trace_cmd) = recipes(&w.json);
        assert!(
            !tracefs.is_empty() && !trace_cmd.is_empty(),
            "{what}: no recipe"
        );
        for script in &tracefs {
            assert!(
                !script.contains("PWN"),
                "{what}: a hostile name in {script:?}"
            );
            let fs = fake_tracefs();
            let root = fs.path().display().to_string();
            let script = script
                .replace("cd /sys/kernel/tracing", "")
                .replace("/sys/kernel/tracing", &root);
            let o = sh(&script, fs.path(), &path_env);
            assert!(o.status.success(), "{what}: {script}\n{o:?}");
            let files = tree(fs.path());
            for f in &files {
                assert!(allowed(f), "{what}: {script}\nwrote {f}");
            }
            ran += 1;
        }
        // The next-capture recipe graphs nothing it cannot name.
        let next = &w.json["comparisons"][0]["next_capture"];
        let fs = fake_tracefs();
        let script = next["tracefs"]
            .as_str()
            .unwrap()
            .replace("cd /sys/kernel/tracing", "");
        sh(&script, fs.path(), &path_env);
        let graph = std::fs::read_to_string(fs.path().join("set_graph_function"));
        assert!(graph.is_err(), "{what}: graphs {graph:?}");
        assert_eq!(
            std::fs::read_to_string(fs.path().join("set_ftrace_pid")).unwrap(),
            "4321\n"
        );
        // trace-cmd: a fake one on PATH records its arguments.
        for script in &trace_cmd {
            let bin = tempfile::tempdir().unwrap();
            let log = bin.path().join("argv");
            let fake = bin.path().join("trace-cmd");
            std::fs::write(
                &fake,
                format!(
                    "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\" >> '{}'; done\n",
                    log.display()
                ),
            )
            .unwrap();
            Command::new("chmod").arg("+x").arg(&fake).status().unwrap();
            let fs = fake_tracefs();
            let o = sh(
                script,
                fs.path(),
                &format!("{}:{path_env}", bin.path().display()),
            );
            assert!(o.status.success(), "{what}: {script}\n{o:?}");
            let argv = std::fs::read_to_string(&log).unwrap();
            assert!(!argv.contains("PWN"), "{what}: {argv}");
            assert!(
                argv.starts_with("record\n-p\nfunction_graph\n"),
                "{what}: {argv}"
            );
            assert!(
                !argv.contains("\n-g\n"),
                "{what}: graphs a hostile name: {argv}"
            );
            assert!(
                tree(fs.path()).iter().all(|f| allowed(f)),
                "{what}: {script}"
            );
            ran += 1;
        }
    }
    assert!(ran >= 2 * FUNCS.len(), "{ran} recipes ran");
}

/// Plain names are kept, quoted: the recipe graphs the function and enables
/// the syscall's events.
#[test]
fn kernel_identifiers_are_kept_and_single_quoted() {
    let dir = tempfile::tempdir().unwrap();
    let (g, b) = (dir.path().join("good.log"), dir.path().join("bad.log"));
    std::fs::write(&g, capture("__x64_sys_bpf", "map_create", false)).unwrap();
    std::fs::write(&b, capture("__x64_sys_bpf", "map_create", true)).unwrap();
    let w = run(&[g.to_str().unwrap(), b.to_str().unwrap()]);
    let next = &w.json["comparisons"][0]["next_capture"];
    let script = next["tracefs"].as_str().unwrap();
    assert!(
        script.contains("echo 'map_create' > set_graph_function"),
        "{script}"
    );
    assert!(
        script.contains("echo 1 > 'events/syscalls/sys_enter_bpf/enable'"),
        "{script}"
    );
    let fs = tempfile::tempdir().unwrap();
    for d in [
        "options",
        "events/syscalls/sys_enter_bpf",
        "events/syscalls/sys_exit_bpf",
    ] {
        std::fs::create_dir_all(fs.path().join(d)).unwrap();
    }
    let o = sh(
        &script.replace("cd /sys/kernel/tracing", ""),
        fs.path(),
        &std::env::var("PATH").unwrap(),
    );
    assert!(o.status.success(), "{o:?}");
    let read = |f: &str| std::fs::read_to_string(fs.path().join(f)).unwrap();
    assert_eq!(read("set_graph_function"), "map_create\n");
    assert_eq!(read("events/syscalls/sys_exit_bpf/enable"), "1\n");
    let tc = next["trace_cmd"].as_str().unwrap();
    assert!(tc.contains("-g 'map_create'"), "{tc}");
    assert!(tc.contains("-e 'syscalls:sys_enter_bpf'"), "{tc}");
}

/// What GitHub would make live in the rendered Markdown: headings, links,
/// and (in text that is not code) `@mentions` and `#N` references.
fn live_in_gfm(md: &str) -> Vec<String> {
    use comrak::nodes::NodeValue;
    let arena = comrak::Arena::new();
    let mut o = comrak::Options::default();
    o.extension.table = true;
    o.extension.strikethrough = true;
    o.extension.autolink = true;
    o.extension.tasklist = true;
    o.extension.footnotes = true;
    o.render.r#unsafe = true;
    let root = comrak::parse_document(&arena, md, &o);
    let mut live = Vec::new();
    for n in root.descendants() {
        match &n.data.borrow().value {
            NodeValue::Heading(_) => live.push(format!("heading {}", text_of(n))),
            NodeValue::Link(l) => live.push(format!("link {} {}", l.url, text_of(n))),
            NodeValue::Image(l) => live.push(format!("image {}", l.url)),
            NodeValue::Text(t) => mentions_and_refs(t, &mut live),
            NodeValue::HtmlInline(t) => mentions_and_refs(t, &mut live),
            NodeValue::HtmlBlock(h) => mentions_and_refs(&h.literal, &mut live),
            _ => {}
        }
    }
    live
}

/// The text of a node and its descendants.
fn text_of<'a>(n: &'a comrak::nodes::AstNode<'a>) -> String {
    use comrak::nodes::NodeValue;
    n.descendants()
        .filter_map(|d| match &d.data.borrow().value {
            NodeValue::Text(t) => Some(t.to_string()),
            NodeValue::Code(c) => Some(c.literal.clone()),
            _ => None,
        })
        .collect()
}

/// `@name` after a non-word character and `#N` / `GH-N`, as GitHub links
/// them in text (entities decoded: `&#8203;` is the zero-width space).
fn mentions_and_refs(t: &str, live: &mut Vec<String>) {
    let t = t
        .replace("&#8203;", "\u{200b}")
        .replace("&#64;", "@")
        .replace("&#35;", "#");
    let b: Vec<char> = t.chars().collect();
    for i in 0..b.len() {
        let before_ok = i == 0 || !(b[i - 1].is_alphanumeric() || b[i - 1] == '_');
        let next = b.get(i + 1).copied().unwrap_or(' ');
        if b[i] == '@' && before_ok && next.is_ascii_alphanumeric() {
            live.push(format!("mention in {t:?}"));
        }
        if b[i] == '#' && next.is_ascii_digit() {
            live.push(format!("reference in {t:?}"));
        }
    }
}

/// The report's own structure: its headings and links, by kind, in order.
fn structure(live: &[String]) -> Vec<&str> {
    live.iter()
        .map(|l| l.split(' ').next().unwrap_or_default())
        .collect()
}

#[test]
fn report_md_renders_no_heading_link_mention_or_reference_from_the_capture() {
    // The same pair with plain names: the headings and links the report
    // makes by itself.
    let plain = report(("good.log", "bad.log"), "task-1234", "bpf", "map_create");
    let own = live_in_gfm(&plain.md);
    assert!(structure(&own).iter().filter(|k| **k == "heading").count() >= 4);
    for (what, w) in hostile_reports() {
        let live = live_in_gfm(&w.md);
        let injected: Vec<&String> = live
            .iter()
            .filter(|l| {
                l.starts_with("mention")
                    || l.starts_with("reference")
                    || (l.starts_with("link") && l.contains("pwn.example"))
            })
            .collect();
        assert!(injected.is_empty(), "{what}: {injected:#?}\n{}", w.md);
        assert_eq!(
            structure(&live),
            structure(&own),
            "{what}: {live:#?}\n{}",
            w.md
        );
    }
}

/// The checker finds what it is meant to find.
#[test]
fn the_gfm_checker_sees_injected_markup() {
    let live = live_in_gfm("text\r# PWN\r[x](https://e.example) @PWNuser #12 www.x.example");
    assert!(live.iter().any(|l| l.starts_with("heading")), "{live:?}");
    assert!(
        live.iter().filter(|l| l.starts_with("link")).count() >= 2,
        "{live:?}"
    );
    assert!(live.iter().any(|l| l.starts_with("mention")), "{live:?}");
    assert!(live.iter().any(|l| l.starts_with("reference")), "{live:?}");
    let live = live_in_gfm(&tracereport::render::untrusted::md_text(
        "text\r# PWN\r[x](https://e.example) @PWNuser #12 www.x.example",
    ));
    assert!(live.is_empty(), "{live:?}");
}
