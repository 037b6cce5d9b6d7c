//! `record` against a fake tracefs: a temporary directory with the files
//! the kernel has, in the states it shows them. Proves which settings are
//! written, in what order, and that every one is put back exactly — also
//! when a write fails midway and when a signal comes midway.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

use super::{
    Session,
    error::RecordError,
    journal::Journal,
    setup::{self, Plan, Tracer},
    signals::Stop,
    target::Target,
    tracefs::Tracefs,
};

/// The files a 6.x kernel shows, with their idle contents.
const FILES: &[(&str, &str)] = &[
    ("available_tracers", "function_graph function nop\n"),
    ("current_tracer", "nop\n"),
    ("tracing_on", "1\n"),
    ("buffer_size_kb", "1408\n"),
    ("set_ftrace_pid", "no pid\n"),
    ("set_event_pid", ""),
    ("set_event", ""),
    ("set_graph_function", "#### all functions enabled ####\n"),
    ("max_graph_depth", "0\n"),
    ("trace", "# tracer: nop\n"),
    ("options/function-fork", "0\n"),
    ("options/event-fork", "0\n"),
    ("options/funcgraph-proc", "0\n"),
    ("options/funcgraph-abstime", "1\n"),
    ("options/funcgraph-retval", "0\n"),
    ("events/syscalls/sys_enter_openat/enable", "0\n"),
    ("events/syscalls/sys_exit_openat/enable", "0\n"),
    ("events/syscalls/sys_enter_bpf/enable", "1\n"),
    ("events/syscalls/sys_exit_bpf/enable", "0\n"),
];

fn fake() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for (rel, v) in FILES {
        let p = d.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, v).unwrap();
    }
    d
}

/// Every file's content (directories as `<dir>`).
fn snapshot(root: &Path) -> BTreeMap<PathBuf, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let rel = e.path().strip_prefix(root).unwrap().to_path_buf();
            if e.file_type().unwrap().is_dir() {
                out.insert(rel, "<dir>".into());
                stack.push(e.path());
            } else {
                out.insert(rel, std::fs::read_to_string(e.path()).unwrap());
            }
        }
    }
    out
}

/// After restore: equal to `before` except the buffer (cleared; not a
/// setting) and the placeholders the kernel prints for empty lists, which
/// were put back as the empty write that gives them.
fn assert_restored(before: &BTreeMap<PathBuf, String>, root: &Path) {
    let mut after = snapshot(root);
    let mut expected = before.clone();
    for placeholder in ["set_ftrace_pid", "set_graph_function"] {
        let p = PathBuf::from(placeholder);
        if after[&p] != before[&p] {
            assert_eq!(after[&p], "", "{placeholder} restored as the empty list");
            after.insert(p.clone(), before[&p].clone());
        }
    }
    expected.remove(Path::new("trace"));
    after.remove(Path::new("trace"));
    assert_eq!(after, expected);
}

fn plan() -> Plan {
    Plan {
        tracer: Tracer::FunctionGraph,
        syscalls: vec!["openat".into()],
        graph_functions: vec!["__x64_sys_openat".into()],
        depth: Some(5),
        retval: true,
        buffer_kb: Some(4096),
    }
}

fn session(root: &Path) -> Session {
    let fs = Tracefs::at(root);
    Session {
        journal: Journal::default(),
        target: Target::open(&fs, &plan(), false, true).unwrap(),
    }
}

/// (file, value) of each write, relative to `root`.
fn writes(j: &Journal, root: &Path) -> Vec<(String, String)> {
    j.log()
        .iter()
        .map(|w| {
            let rel = w.path.strip_prefix(root).unwrap().display().to_string();
            (rel, String::from_utf8_lossy(&w.value).into_owned())
        })
        .collect()
}

const SETUP_ORDER: &[(&str, &str)] = &[
    ("tracing_on", "0"),
    ("current_tracer", "function_graph"),
    ("set_ftrace_pid", "4242"),
    ("options/function-fork", "1"),
    ("buffer_size_kb", "4096"),
    ("set_graph_function", "__x64_sys_openat"),
    ("max_graph_depth", "5"),
    ("options/funcgraph-proc", "1"),
    ("options/funcgraph-abstime", "1"),
    ("options/funcgraph-retval", "1"),
    ("set_event_pid", "4242"),
    ("options/event-fork", "1"),
    ("events/syscalls/sys_enter_openat/enable", "1"),
    ("events/syscalls/sys_exit_openat/enable", "1"),
    ("trace", ""),
    ("tracing_on", "1"),
];

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn settings_are_written_in_order_and_restored_exactly() {
    let d = fake();
    let root = d.path();
    let before = snapshot(root);
    let mut s = session(root);
    let applied = setup::apply(&mut s.journal, root, &plan(), 4242, &mut || None).unwrap();
    assert_eq!(applied.tracer, "function_graph");
    assert!(applied.notes.is_empty(), "{:?}", applied.notes);
    assert_eq!(writes(&s.journal, root), pairs(SETUP_ORDER));
    // The files hold what was written.
    let during = snapshot(root);
    assert_eq!(during[Path::new("current_tracer")], "function_graph");
    assert_eq!(during[Path::new("set_event_pid")], "4242");
    assert_eq!(during[Path::new("trace")], "");
    // Restore: last changed first, each file once, to its old value.
    let n = s.journal.log().len();
    assert!(s.finish().is_empty());
    let restored = writes(&s.journal, root)[n..].to_vec();
    let expected_restore: Vec<(String, String)> = [
        ("events/syscalls/sys_exit_openat/enable", "0\n"),
        ("events/syscalls/sys_enter_openat/enable", "0\n"),
        ("options/event-fork", "0\n"),
        ("set_event_pid", ""),
        ("options/funcgraph-retval", "0\n"),
        ("options/funcgraph-abstime", "1\n"),
        ("options/funcgraph-proc", "0\n"),
        ("max_graph_depth", "0\n"),
        ("set_graph_function", ""),
        ("buffer_size_kb", "1408\n"),
        ("options/function-fork", "0\n"),
        ("set_ftrace_pid", ""),
        ("current_tracer", "nop\n"),
        ("tracing_on", "1\n"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(restored, expected_restore);
    assert_restored(&before, root);
    // Dropping the session restores nothing twice.
    drop(s);
    assert_restored(&before, root);
}

#[test]
fn a_write_that_fails_midway_restores_everything_written_before() {
    let d = fake();
    let root = d.path();
    // The kernel refusing set_event_pid: a directory cannot be written.
    std::fs::remove_file(root.join("set_event_pid")).unwrap();
    std::fs::create_dir(root.join("set_event_pid")).unwrap();
    let before = snapshot(root);
    let mut s = session(root);
    let err = setup::apply(&mut s.journal, root, &plan(), 4242, &mut || None).unwrap_err();
    assert!(
        matches!(&err, RecordError::Tracefs { path, .. } if path.ends_with("set_event_pid")),
        "{err}"
    );
    // Ten settings were changed before the failure; all of them go back
    // when the session is dropped on the error path.
    assert_eq!(s.journal.saved().len(), 10);
    assert_ne!(snapshot(root), before);
    drop(s);
    assert_restored(&before, root);
}

#[test]
fn a_signal_midway_stops_the_setup_and_restores() {
    let d = fake();
    let root = d.path();
    let before = snapshot(root);
    let stop = Stop::register().unwrap();
    let mut s = session(root);
    let mut steps = 0;
    let mut check = || {
        steps += 1;
        if steps == 3 {
            // A real SIGTERM to this thread, caught by the handler.
            // SAFETY: raise() only delivers the signal.
            unsafe { libc::raise(libc::SIGTERM) };
        }
        stop.check()
    };
    let err = setup::apply(&mut s.journal, root, &plan(), 4242, &mut check).unwrap_err();
    assert!(matches!(err, RecordError::Interrupted("SIGTERM")), "{err}");
    assert_eq!(stop.exit_code(), Some(128 + 15));
    // Stopped right after the third check (after buffer_size_kb): nothing
    // after it written, tracing still off.
    let w = writes(&s.journal, root);
    assert_eq!(w.last().unwrap().0, "buffer_size_kb");
    assert_eq!(snapshot(root)[Path::new("tracing_on")], "0");
    drop(s);
    assert_restored(&before, root);
}

#[test]
fn falls_back_to_syscall_events_when_no_function_tracer_runs() {
    let d = fake();
    let root = d.path();
    std::fs::write(root.join("available_tracers"), "function nop\n").unwrap();
    // Like this machine's kernel: set_ftrace_pid cannot be opened.
    std::fs::remove_file(root.join("set_ftrace_pid")).unwrap();
    std::fs::create_dir(root.join("set_ftrace_pid")).unwrap();
    let before = snapshot(root);
    let mut s = session(root);
    let applied = setup::apply(&mut s.journal, root, &plan(), 7, &mut || None).unwrap();
    assert_eq!(applied.tracer, "nop");
    assert_eq!(applied.events, 2);
    let notes = applied.notes.join("\n");
    assert!(
        notes.contains("function_graph tracer not available"),
        "{notes}"
    );
    assert!(notes.contains("CONFIG_FUNCTION_GRAPH_TRACER"), "{notes}");
    assert!(
        notes.contains("function tracer started but cannot be limited"),
        "{notes}"
    );
    assert!(
        notes.contains("--graph-function, --depth and --retval need function_graph"),
        "{notes}"
    );
    let w = writes(&s.journal, root);
    assert_eq!(w[1], ("current_tracer".into(), "function".into()));
    // set_ftrace_pid could not even be read, so it was never written.
    assert_eq!(w[2], ("current_tracer".into(), "nop".into()));
    drop(s);
    assert_restored(&before, root);
}

#[test]
fn refuses_to_disturb_another_tracer_without_force() {
    let d = fake();
    let root = d.path();
    std::fs::write(root.join("current_tracer"), "function\n").unwrap();
    let fs = Tracefs::at(root);
    let err = Target::open(&fs, &plan(), false, true).unwrap_err();
    assert!(
        err.to_string().contains("current_tracer is function"),
        "{err}"
    );
    assert!(err.to_string().contains("--force"), "{err}");
    let t = Target::open(&fs, &plan(), true, true).unwrap();
    // A second recorder on the global files is locked out meanwhile.
    let err = Target::open(&fs, &plan(), true, true).unwrap_err();
    assert!(
        err.to_string().contains("another `tracereport record`"),
        "{err}"
    );
    drop(t);
}

#[test]
fn nop_without_syscalls_enables_every_syscall_event() {
    let d = fake();
    let root = d.path();
    let before = snapshot(root);
    let mut s = session(root);
    let p = Plan {
        tracer: Tracer::Nop,
        syscalls: vec![],
        graph_functions: vec![],
        depth: None,
        retval: false,
        buffer_kb: None,
    };
    let applied = setup::apply(&mut s.journal, root, &p, 9, &mut || None).unwrap();
    assert_eq!(applied.events, 4);
    drop(s);
    // sys_enter_bpf was on before and is on again.
    assert_restored(&before, root);
}
