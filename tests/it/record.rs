//! `tracereport record` on this machine's real tracefs: the capture holds
//! the failing syscall, the report renders it, and every tracefs setting is
//! afterwards what it was before — also after a Ctrl-C midway. Skips (with
//! the reason, loudly) where tracefs cannot be used: not root, no tracefs,
//! no syscall events. Tests here hold a lock file so no two of them (in
//! this or another test process) use tracefs at once.

use std::{
    collections::BTreeMap,
    fs::File,
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

const ROOT: &str = "/sys/kernel/tracing";

/// Files whose content is data, not a setting (or changes by itself).
const NOT_SETTINGS: &[&str] = &[
    "trace",
    "trace_pipe",
    "trace_marker",
    "trace_marker_raw",
    "free_buffer",
    "snapshot",
    "saved_cmdlines",
    "saved_tgids",
    "printk_formats",
    "README",
    "error_log",
    "available_events",
    "available_filter_functions",
    "available_filter_functions_addrs",
    "available_tracers",
    "dyn_ftrace_total_info",
    "enabled_functions",
    "touched_functions",
    "uprobe_profile",
    "kprobe_profile",
    "trace_stat",
    "per_cpu",
    "instances",
    "events",
    "options",
    "hwlat_detector",
    "osnoise",
    "rv",
    "stack_trace",
    "stack_trace_filter",
];

/// Held while a test uses tracefs: the lock, and whether the test mounted
/// tracefs (then it is unmounted again, leaving the machine as it was).
struct Tracefs {
    _lock: File,
    mounted: bool,
}

impl Drop for Tracefs {
    fn drop(&mut self) {
        if self.mounted {
            let _ = rustix::mount::unmount(ROOT, rustix::mount::UnmountFlags::empty());
        }
    }
}

/// Serialises tracefs tests across processes; the reason to skip, if any.
fn usable() -> Result<Tracefs, String> {
    if !rustix::process::geteuid().is_root() {
        return Err("not root: tracefs needs root".into());
    }
    let lock = File::create(std::env::temp_dir().join("tracereport-tracefs-tests.lock"))
        .map_err(|e| format!("lock file: {e}"))?;
    rustix::fs::flock(&lock, rustix::fs::FlockOperation::LockExclusive)
        .map_err(|e| format!("lock: {e}"))?;
    let mut t = Tracefs {
        _lock: lock,
        mounted: false,
    };
    if !Path::new(ROOT).join("tracing_on").exists() {
        let flags = rustix::mount::MountFlags::empty();
        if let Err(e) = rustix::mount::mount("nodev", ROOT, "tracefs", flags, None) {
            return Err(format!(
                "tracefs not mounted and cannot be mounted at {ROOT}: {e}"
            ));
        }
        t.mounted = true;
    }
    if !Path::new(ROOT)
        .join("events/syscalls/sys_enter_openat")
        .is_dir()
    {
        return Err("no syscall events (CONFIG_FTRACE_SYSCALLS)".into());
    }
    if std::fs::read(Path::new(ROOT).join("tracing_on")).is_err() {
        return Err("tracefs is not readable (lockdown?)".into());
    }
    Ok(t)
}

macro_rules! tracefs_or_skip {
    () => {
        match usable() {
            Ok(lock) => lock,
            Err(why) => {
                eprintln!("SKIPPED: real tracefs test: {why}");
                return;
            }
        }
    };
}

/// Every setting: top-level files, options, every event's enable/filter,
/// the instances that are not a tracereport's (unreadable: the error).
fn snapshot() -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let root = Path::new(ROOT);
    let read = |p: &Path| match std::fs::read(p) {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(e) => format!("<{e}>"),
    };
    for e in std::fs::read_dir(root).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if !NOT_SETTINGS.contains(&name.as_str()) && e.path().is_file() {
            out.insert(name, read(&e.path()));
        }
    }
    for e in std::fs::read_dir(root.join("options")).unwrap().flatten() {
        out.insert(
            format!("options/{}", e.file_name().to_string_lossy()),
            read(&e.path()),
        );
    }
    let mut stack = vec![root.join("events")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            let name = e.file_name();
            if p.is_dir() {
                stack.push(p);
            } else if name == "enable" || name == "filter" {
                out.insert(
                    p.strip_prefix(root).unwrap().display().to_string(),
                    read(&p),
                );
            }
        }
    }
    let mut instances: Vec<String> = std::fs::read_dir(root.join("instances"))
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    instances.retain(|n| !n.starts_with("tracereport-"));
    instances.sort();
    out.insert("instances/".into(), instances.join(" "));
    out
}

fn assert_same(before: &BTreeMap<String, String>, after: &BTreeMap<String, String>) {
    let changed: Vec<_> = before
        .iter()
        .filter(|(k, v)| after.get(*k) != Some(v))
        .map(|(k, v)| format!("{k}: {v:?} -> {:?}", after.get(k)))
        .chain(
            after
                .keys()
                .filter(|k| !before.contains_key(*k))
                .map(|k| format!("new {k}")),
        )
        .collect();
    assert!(
        changed.is_empty(),
        "tracefs changed:\n{}",
        changed.join("\n")
    );
    assert!(
        before.len() > 100,
        "the snapshot covers the settings ({})",
        before.len()
    );
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tracereport"))
}

fn no_instance_left(pid: u32) {
    let p = PathBuf::from(ROOT).join(format!("instances/tracereport-{pid}"));
    assert!(!p.exists(), "{} left behind", p.display());
}

#[test]
fn records_a_failing_openat_and_restores_tracefs() {
    let _lock = tracefs_or_skip!();
    let dir = tempfile::tempdir().unwrap();
    let before = snapshot();
    let child = bin()
        .current_dir(dir.path())
        .args([
            "record",
            "--syscall",
            "openat",
            "-o",
            "c.log",
            "--report",
            "out/",
            "--",
            "cat",
            "/nonexistent",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let out = child.wait_with_output().unwrap();
    let after = snapshot();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_same(&before, &after);
    no_instance_left(pid);
    assert!(
        stderr.contains("cat: /nonexistent: No such file or directory"),
        "{stderr}"
    );
    assert!(
        stderr.contains("the command ended with exit status 1"),
        "{stderr}"
    );

    let cap = std::fs::read_to_string(dir.path().join("c.log")).unwrap();
    let release = rustix::system::uname()
        .release()
        .to_string_lossy()
        .into_owned();
    assert!(
        cap.contains(&format!("# tracereport-kernel: {release}\n")),
        "{cap}"
    );
    assert!(
        cap.contains("# tracereport-command: cat /nonexistent\n"),
        "{cap}"
    );
    // The failing open, as the kernel printed it: -2 is ENOENT.
    let failing = cap
        .lines()
        .filter(|l| l.contains(" cat-") && l.ends_with("sys_openat -> 0xfffffffffffffffe"))
        .count();
    assert!(failing >= 1, "{cap}");
    // Only the command's process (and no other task) was recorded. The
    // kernel prints `<...>` for a pid whose name it has not cached yet:
    // such a line must carry the pid of a `cat-` line.
    let pid_of = |l: &str| {
        l.split_whitespace()
            .next()
            .and_then(|t| t.rsplit_once('-'))
            .map(|(c, p)| (c.to_string(), p.to_string()))
    };
    let cat_pids: Vec<String> = cap
        .lines()
        .filter_map(pid_of)
        .filter(|(c, _)| c == "cat")
        .map(|(_, p)| p)
        .collect();
    for l in cap.lines().filter(|l| !l.starts_with('#')) {
        let ok = match pid_of(l) {
            Some((c, _)) if c == "cat" => true,
            Some((c, p)) if c == "<...>" => cat_pids.contains(&p),
            _ => false,
        };
        assert!(ok, "another task recorded: {l}");
    }

    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out/report.json")).unwrap())
            .unwrap();
    let c = &json["captures"][0];
    assert_eq!(c["kernel"], release.as_str());
    let enoent = c["syscalls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["name"] == "openat" && s["errno"] == "ENOENT")
        .count();
    assert!(enoent >= 1, "{}", c["syscalls"]);
    let audit = c["audit"].to_string();
    assert!(
        audit.contains("recorded by `tracereport record` running `cat /nonexistent`"),
        "{audit}"
    );
    let md = std::fs::read_to_string(dir.path().join("out/report.md")).unwrap();
    assert!(md.contains("ENOENT"), "{md}");
    let html = std::fs::read_to_string(dir.path().join("out/index.html")).unwrap();
    assert!(html.contains("openat"));
}

#[test]
fn ctrl_c_midway_keeps_the_capture_and_restores_tracefs() {
    let _lock = tracefs_or_skip!();
    let dir = tempfile::tempdir().unwrap();
    let before = snapshot();
    let child = bin()
        .current_dir(dir.path())
        .args([
            "record",
            "--syscall",
            "openat",
            "-o",
            "c.log",
            "--",
            "sh",
            "-c",
            "cat /nonexistent; exec sleep 30",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let cap = dir.path().join("c.log");
    let start = Instant::now();
    // Recording: the header is written and the command has run its cat.
    while !std::fs::read_to_string(&cap)
        .is_ok_and(|c| c.contains("sys_openat -> 0xfffffffffffffffe"))
    {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "no capture after 20 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        Path::new(ROOT)
            .join(format!("instances/tracereport-{pid}"))
            .exists(),
        "recording in a private instance"
    );
    rustix::process::kill_process(
        rustix::process::Pid::from_raw(pid as i32).unwrap(),
        rustix::process::Signal::INT,
    )
    .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        start.elapsed() < Duration::from_secs(25),
        "sleep 30 was stopped"
    );
    let after = snapshot();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("stopped by SIGINT; the command was sent SIGTERM"),
        "{stderr}"
    );
    assert_same(&before, &after);
    no_instance_left(pid);
    let text = std::fs::read_to_string(&cap).unwrap();
    assert!(
        text.starts_with("# tracer: nop\n# tracereport-record: tracereport "),
        "{text}"
    );
}

/// The header `record` writes is read back: the report names the kernel,
/// the command, and each fallback as an audit warning (a real capture
/// `record` made on the development VM; no tracefs needed).
#[test]
fn the_record_header_is_read_back_by_the_audit() {
    let w = crate::common::run(&[&format!(
        "{}/record-nop-openat-enoent-6.18/cat-nonexistent.log",
        crate::common::CAPTURES_NEW
    )]);
    let c = &w.json["captures"][0];
    assert_eq!(c["kernel"], "6.18.44-fc-v595");
    assert_eq!(c["tracer"], "nop");
    let audit = c["audit"].as_array().unwrap();
    let msgs = |topic: &str| -> Vec<String> {
        audit
            .iter()
            .filter(|a| a["topic"] == topic)
            .map(|a| a["message"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        msgs("recorded"),
        ["recorded by `tracereport record` running `cat /nonexistent`"]
    );
    let notes = msgs("record-note");
    assert_eq!(notes.len(), 4, "{notes:?}");
    assert!(
        notes[0].contains("needs CONFIG_FUNCTION_GRAPH_TRACER"),
        "{notes:?}"
    );
    assert!(
        notes[2].contains("nop tracer: syscall events only"),
        "{notes:?}"
    );
    // The kernel has no function_graph tracer: switching to it is no fix.
    assert_eq!(
        msgs("tracer"),
        [
            "nop tracer: events only, no kernel functions, so no call trees; the recording kernel offers no function_graph tracer (see below), so call trees need a capture on a kernel built with CONFIG_FUNCTION_GRAPH_TRACER"
        ]
    );
    let tracer = audit.iter().find(|a| a["topic"] == "tracer").unwrap();
    assert!(tracer["fix"].is_null(), "{tracer}");
    // The four notes are one mark in the audit line.
    assert!(w.md.contains("✓ recorded · ⚠ record-note ×4"), "{}", w.md);
    // In the Markdown, as warnings under the capture.
    assert!(
        w.md.contains("function\\_graph tracer not available"),
        "{}",
        w.md
    );
    // Every openat of the capture is counted; cat's own open of /nonexistent
    // (line 71) is one of the ENOENT ones.
    let groups = c["syscall_groups"].as_array().unwrap();
    let enoent = groups
        .iter()
        .find(|g| {
            g["title"].as_str().unwrap_or("").contains("openat")
                && g["outcome"].as_str().unwrap_or("").contains("ENOENT")
        })
        .unwrap_or_else(|| panic!("{groups:?}"));
    assert!(enoent["count"].as_u64().unwrap() >= 1);
}
