//! A run killed while it writes the report leaves the previous report or
//! none at `-o`, never a mix of old and new files (issue 4: "Killing
//! tracereport mid-write leaves either the previous report or none").
//!
//! The kill is aimed at the write: the test watches the output's parent
//! for tracereport's temporary directory and signals the process as soon
//! as it appears, a little later on each attempt, alternating SIGKILL
//! (no cleanup possible) with SIGTERM and SIGINT (default action: die).

use std::{
    collections::BTreeMap,
    path::Path,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use crate::common::CAPTURES;

type Tree = BTreeMap<String, Vec<u8>>;

/// Every file under `dir`, by relative path; `None` when `dir` is missing.
fn tree(dir: &Path) -> Option<Tree> {
    if !dir.exists() {
        return None;
    }
    let mut out = Tree::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).ok()? {
            let p = e.ok()?.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().display().to_string();
                out.insert(rel, std::fs::read(&p).ok()?);
            }
        }
    }
    Some(out)
}

fn tracereport(capture: &str, format: &str, out: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tracereport"));
    c.args(["-q", capture, "--format", format, "-o"]).arg(out);
    c.stdout(Stdio::null()).stderr(Stdio::null());
    c
}

fn writing(parent: &Path) -> bool {
    std::fs::read_dir(parent).is_ok_and(|d| {
        d.flatten().any(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(".tracereport-new-")
        })
    })
}

#[test]
fn killed_mid_write_leaves_the_previous_report_or_none() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let old_capture = format!("{CAPTURES}/xskmap-noxdpsockets-6.12/bad--default.log");
    let new_capture = format!("{CAPTURES}/qemu-6.1/openat-enoent--funcgraph-abstime/bad.log");
    // The previous report: Markdown only, of another capture, so any mix
    // of old and new files is visible.
    let previous = |out: &Path| {
        let _ = std::fs::remove_dir_all(out);
        assert!(
            tracereport(&old_capture, "md", out)
                .status()
                .unwrap()
                .success()
        );
        tree(out).unwrap()
    };
    let old = previous(&out);
    let reference = dir.path().join("reference");
    assert!(
        tracereport(&new_capture, "html,md,json", &reference)
            .status()
            .unwrap()
            .success()
    );
    let new = tree(&reference).unwrap();
    std::fs::remove_dir_all(&reference).unwrap();
    assert_ne!(
        old.keys().collect::<Vec<_>>(),
        new.keys().collect::<Vec<_>>()
    );

    let (mut mid_write, mut outcomes) = (0, BTreeMap::new());
    for attempt in 0..120u64 {
        if mid_write >= 16 {
            break;
        }
        let mut child = tracereport(&new_capture, "html,md,json", &out)
            .spawn()
            .unwrap();
        let start = Instant::now();
        while !writing(dir.path()) && child.try_wait().unwrap().is_none() {
            assert!(start.elapsed() < Duration::from_secs(60), "run hangs");
        }
        // Land at a different moment of the write each time: from its
        // first file to after the rename (fsync makes it take a while).
        let delay = Duration::from_micros(
            [0, 100, 300, 700, 1500, 3000, 6000, 12000][attempt as usize % 8],
        );
        let spin = Instant::now();
        while spin.elapsed() < delay {}
        let during = writing(dir.path()) && child.try_wait().unwrap().is_none();
        match attempt % 3 {
            0 => child.kill().unwrap(),
            n => {
                let sig = if n == 1 { "-TERM" } else { "-INT" };
                let sent = Command::new("kill")
                    .args([sig, &child.id().to_string()])
                    .status()
                    .is_ok_and(|s| s.success());
                if !sent {
                    // No `kill` (procps) on this machine, or the run ended.
                    let _ = child.kill();
                }
            }
        }
        let status = child.wait().unwrap();
        let killed = status.code().is_none();
        mid_write += (killed && during) as u32;
        let now = tree(&out);
        let what = match &now {
            None => "none",
            Some(t) if *t == old => "previous",
            Some(t) if *t == new => "new",
            Some(t) => panic!(
                "attempt {attempt}: a mix of reports at -o: {:?} (previous: {:?}, new: {:?})",
                t.keys().collect::<Vec<_>>(),
                old.keys().collect::<Vec<_>>(),
                new.keys().collect::<Vec<_>>()
            ),
        };
        *outcomes.entry(what).or_insert(0) += 1;
        // A killed run cannot remove its temporary directory; clear it so
        // the next attempt sees only its own.
        for e in std::fs::read_dir(dir.path()).unwrap().flatten() {
            if e.file_name().to_string_lossy().starts_with(".tracereport-") {
                if e.path().is_dir() {
                    std::fs::remove_dir_all(e.path()).unwrap();
                } else {
                    std::fs::remove_file(e.path()).unwrap();
                }
            }
        }
        if what != "previous" {
            previous(&out);
        }
    }
    eprintln!("kills during the write: {mid_write}; -o afterwards: {outcomes:?}");
    assert!(
        mid_write >= 3,
        "only {mid_write} kills landed while the report was being written"
    );
}

/// What a killed run leaves beside `-o` (its temporary directory, a report
/// moved aside, its lock file) is removed by the next run at once: the
/// writer is gone, whatever its age.
#[cfg(target_os = "linux")]
#[test]
fn the_next_run_removes_what_a_killed_run_left() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let capture = format!("{CAPTURES}/qemu-6.1/openat-enoent--funcgraph-abstime/bad.log");
    let leftovers = || {
        std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(".tracereport-"))
            .count()
    };
    let mut left = 0;
    for _ in 0..50 {
        let mut child = tracereport(&capture, "html,md,json", &out).spawn().unwrap();
        let start = Instant::now();
        while !writing(dir.path()) && child.try_wait().unwrap().is_none() {
            assert!(start.elapsed() < Duration::from_secs(60), "run hangs");
        }
        child.kill().unwrap();
        child.wait().unwrap();
        left = leftovers();
        if left > 0 {
            break;
        }
    }
    assert!(left > 0, "no kill landed while the report was written");
    assert!(
        tracereport(&capture, "md", &out)
            .status()
            .unwrap()
            .success()
    );
    assert_eq!(leftovers(), 0, "the killed run's leftovers are still there");
}
