//! Helpers: run the real pipeline on fixtures and read back what it wrote.

use std::path::PathBuf;

use clap::Parser;
use tracereport::cli::Cli;

/// Root of the real capture corpus copied into the project.
pub const CAPTURES: &str = "tests/fixtures/captures";
/// Captures made for this project.
pub const CAPTURES_NEW: &str = "tests/fixtures/captures-new";
/// The 6.1 cases captured on kernels the analysis was not built on.
pub const CAPTURES_UNSEEN: &str = "tests/fixtures/captures-unseen";
/// zstd copies of real captures (see its MANIFEST.md).
pub const COMPRESSED: &str = "tests/fixtures/compressed";

/// Derived fixtures (real captures with substituted names; see the README there).
pub const DERIVED: &str = "tests/fixtures/derived";

/// A report written to a temporary directory.
pub struct Written {
    /// Keeps the output alive while the test reads it.
    pub _dir: tempfile::TempDir,
    /// The report directory.
    pub out: PathBuf,
    pub json: serde_json::Value,
    pub md: String,
    pub html: String,
}

impl Written {
    /// A file of the report directory.
    /// Assert that report.md holds each of `needles` (showing it if not).
    pub fn md_has(&self, needles: &[&str]) {
        for n in needles {
            assert!(self.md.contains(n), "report.md lacks {n:?}:\n{}", self.md);
        }
    }

    /// Assert that report.md holds none of `needles`.
    pub fn md_lacks(&self, needles: &[&str]) {
        for n in needles {
            assert!(!self.md.contains(n), "report.md has {n:?}:\n{}", self.md);
        }
    }

    pub fn read(&self, rel: &str) -> Vec<u8> {
        std::fs::read(self.out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }
}

/// Run tracereport in-process with these arguments (`-o` is added).
pub fn run(args: &[&str]) -> Written {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut argv: Vec<String> = vec!["tracereport".into(), "-q".into()];
    argv.extend(args.iter().map(|s| s.to_string()));
    argv.push("-o".into());
    argv.push(out.display().to_string());
    let cli = Cli::try_parse_from(&argv).unwrap();
    let cfg = cli.into_config().unwrap();
    tracereport::run(&cfg).unwrap_or_else(|e| panic!("{argv:?}: {e}"));
    let read = |name: &str| std::fs::read_to_string(out.join(name)).unwrap_or_default();
    let json = serde_json::from_str(&read("report.json")).unwrap();
    Written {
        md: read("report.md"),
        html: read("index.html"),
        json,
        out,
        _dir: dir,
    }
}

/// The report of a 150 000-call capture, made once per test run (it takes a
/// while in a debug build) and shared.
pub fn big() -> &'static Written {
    static BIG: std::sync::OnceLock<Written> = std::sync::OnceLock::new();
    BIG.get_or_init(|| run_big(150_000))
}

/// A report of the benchmark's big capture (`bench/html/gen-capture.py`:
/// a real syscall's tree body repeated to `calls` calls, then a real failing
/// call), whole: with a report budget above it, as `bench/html/run.sh`
/// runs it (the page is to show the big tree whole).
pub fn run_big(calls: usize) -> Written {
    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("big.log");
    let out = std::process::Command::new("python3")
        .arg("bench/html/gen-capture.py")
        .arg(calls.to_string())
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(&capture, out.stdout).unwrap();
    let budget = (2 * calls + 1000).to_string();
    let w = run(&[capture.to_str().unwrap(), "--max-report-calls", &budget]);
    drop(dir);
    w
}

/// Every file under `dir` whose name ends with one of `exts`, sorted.
pub fn files_under(dir: &str, exts: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::from(dir)];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if exts.iter().any(|x| p.to_string_lossy().ends_with(x)) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// A function_graph `trace` file (header, then `body` between the
/// syscall's entry and exit events), as the kernel prints it.
pub fn graph_trace(syscall: &str, args: &str, body: &str, ret: i64) -> String {
    format!(
        "# tracer: function_graph\n#\n# CPU  DURATION                  FUNCTION CALLS\n# |     |   |                     |   |   |   |\n \
         0)               |  /* sys_{syscall}({args}) */\n{body} \
         0)               |  /* sys_{syscall} -> {:#x} */\n",
        ret as u64
    )
}

/// Run the binary with `args`, writing to `out` in a fresh temporary
/// directory: its output, and whether `out` exists afterwards.
pub fn run_bin(args: &[&str]) -> (std::process::Output, bool) {
    let dir = tempfile::tempdir().unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_tracereport"))
        .args(args)
        .arg("-o")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    (o, dir.path().join("out").exists())
}
