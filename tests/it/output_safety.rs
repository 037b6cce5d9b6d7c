//! The report directory never swallows an input or the home directory,
//! however they are named: stdin opened from a file inside the target, an
//! input reached through a symlinked directory, `-o ~ --force`.

use std::process::{Command, Stdio};

use crate::common::CAPTURES;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tracereport"));
    c.arg("-q");
    c
}

const CAPTURE: &str = "xskmap-noxdpsockets-6.12/bad--default.log";

/// An earlier report at `out` holding a copy of the capture.
fn report_holding_its_input(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let out = dir.join("rep");
    let cap = format!("{CAPTURES}/{CAPTURE}");
    assert!(
        bin()
            .arg(&cap)
            .arg("-o")
            .arg(&out)
            .status()
            .unwrap()
            .success()
    );
    let inside = out.join("bad.log");
    std::fs::copy(&cap, &inside).unwrap();
    (out, inside)
}

/// `tracereport - -o rep < rep/bad.log` deleted rep/bad.log.
#[test]
fn stdin_from_a_file_inside_the_target_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (out, inside) = report_holding_its_input(dir.path());
    for force in [false, true] {
        let mut c = bin();
        c.args(["-", "-o"]).arg(&out);
        if force {
            c.arg("--force");
        }
        let o = c
            .stdin(Stdio::from(std::fs::File::open(&inside).unwrap()))
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("holds the input <stdin>"), "{err}");
        assert!(inside.is_file(), "the input is still there");
    }
    // Piped, stdin is no file: the report is written.
    let o = bin()
        .args(["-", "-o"])
        .arg(&out)
        .stdin(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin
                .take()
                .unwrap()
                .write_all(&std::fs::read(&inside).unwrap())?;
            c.wait()
        })
        .unwrap();
    assert!(o.success());
}

/// The same directory by another name (a symlink to a directory above the
/// input; a bind mount is the same case to device and inode).
#[test]
fn an_input_reached_through_another_path_is_guarded() {
    let dir = tempfile::tempdir().unwrap();
    let (out, inside) = report_holding_its_input(dir.path());
    let alias = dir.path().join("alias");
    std::os::unix::fs::symlink(&out, &alias).unwrap();
    let o = bin()
        .arg(alias.join("bad.log"))
        .args(["--force", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(inside.is_file());
    // A directory above the input, with --force.
    let o = bin()
        .arg(&inside)
        .args(["--force", "-o"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("holds the input"), "{err}");
    assert!(inside.is_file());
}

#[test]
fn home_directory_is_never_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home/me");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(home.join(".bashrc"), "mine").unwrap();
    let cap = std::fs::canonicalize(format!("{CAPTURES}/{CAPTURE}")).unwrap();
    for target in [home.clone(), dir.path().join("home")] {
        let o = bin()
            .env("HOME", &home)
            .current_dir("/")
            .arg(&cap)
            .args(["--force", "-o"])
            .arg(&target)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{target:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("home directory"), "{err}");
        assert_eq!(
            std::fs::read_to_string(home.join(".bashrc")).unwrap(),
            "mine"
        );
    }
}
