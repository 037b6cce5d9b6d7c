//! The hostile captures of issue 11 ("Crash and blow-up"), generated, never
//! committed: each is a few lines of text repeated or nested. Shared by the
//! generator (`gen_hostile`, for `bench/hostile.sh` at full size) and the
//! resource test (`tests/resources.rs`, scaled down by `div`).
//!
//! `div` divides the counts (calls, tasks, names, markers, syscalls), never
//! the hostile dimension itself (depth, name length, marker length): a
//! scaled case still has 60 KB names or a line 14 000 levels deep.
#![allow(dead_code)]

use std::io::{self, Write};

/// One case: its captures and the extra arguments of the run.
pub struct Case {
    /// File-name stem and table row.
    pub name: &'static str,
    /// What it is, for the table.
    pub what: &'static str,
    /// Captures to generate (0: the run reads `/dev/zero`).
    pub captures: usize,
    /// Extra command-line arguments; `CAPTURE` stands for the first capture
    /// file, `/dev/zero` is used as is.
    pub args: &'static [&'static str],
    make: fn(usize, u64, &mut dyn Write) -> io::Result<()>,
}

impl Case {
    /// Write capture `i` (0-based) at scale `1/div` to `w`.
    pub fn write(&self, i: usize, div: u64, w: &mut dyn Write) -> io::Result<()> {
        (self.make)(i, div.max(1), w)
    }
}

/// Every case, in the order of the list.
pub const CASES: &[Case] = &[
    Case {
        name: "deep-line",
        what: "one line at depth 14 000 under a syscall (28 KB)",
        captures: 1,
        args: &[],
        make: deep_line,
    },
    Case {
        name: "alternating",
        what: "100 pairs of lines at depth 0 and 30 000",
        captures: 1,
        args: &[],
        make: alternating,
    },
    Case {
        name: "deep-pair",
        what: "two captures, one line at depth 10 000 each, 0 vs -EINVAL",
        captures: 2,
        args: &[],
        make: deep_pair,
    },
    Case {
        name: "long-names",
        what: "two captures of 450 nested calls with 20 KB names",
        captures: 2,
        args: &[],
        make: long_names,
    },
    Case {
        name: "pids",
        what: "6 000 000 distinct pids, one call each",
        captures: 1,
        args: &[],
        make: pids,
    },
    Case {
        name: "names",
        what: "20 000 distinct 60 KB function names in one syscall",
        captures: 1,
        args: &[],
        make: names,
    },
    Case {
        name: "markers",
        what: "20 000 × 65 KB trace_marker lines inside one syscall",
        captures: 1,
        args: &[],
        make: markers,
    },
    Case {
        name: "zero-capture",
        what: "/dev/zero as the capture",
        captures: 0,
        args: &["/dev/zero"],
        make: nothing,
    },
    Case {
        name: "zero-functions",
        what: "/dev/zero as --filter-functions",
        captures: 1,
        args: &["--filter-functions", "/dev/zero"],
        make: small,
    },
    Case {
        name: "zero-notes",
        what: "/dev/zero as --notes",
        captures: 1,
        args: &["--notes", "/dev/zero"],
        make: small,
    },
    Case {
        name: "wide-diff",
        what: "two 250 000-call captures that differ everywhere",
        captures: 2,
        args: &[],
        make: wide_diff,
    },
    Case {
        name: "syscalls",
        what: "1 000 000 distinct syscall names",
        captures: 1,
        args: &[],
        make: syscalls,
    },
];

const HEADER: &str = "# tracer: function_graph\n#\n# CPU  DURATION                  FUNCTION CALLS\n# |     |   |                     |   |   |   |\n";

/// One function_graph line on CPU 0 (no task column).
fn line(w: &mut dyn Write, depth: usize, dur: &str, body: &str) -> io::Result<()> {
    write!(w, " 0) {dur:>10}    |  ")?;
    indent(w, depth)?;
    writeln!(w, "{body}")
}

fn indent(w: &mut dyn Write, depth: usize) -> io::Result<()> {
    const SPACES: &[u8] = &[b' '; 4096];
    let mut n = 2 * depth;
    while n > 0 {
        let k = n.min(SPACES.len());
        w.write_all(&SPACES[..k])?;
        n -= k;
    }
    Ok(())
}

/// The failing side returns -EINVAL, the other 0.
fn ret(i: usize) -> &'static str {
    if i == 0 { "0" } else { "-22" }
}

fn sys_exit(w: &mut dyn Write, i: usize) -> io::Result<()> {
    line(
        w,
        0,
        "9.000 us",
        &format!("}} /* __x64_sys_bpf = {} */", ret(i)),
    )
}

fn deep_line(_: usize, _: u64, w: &mut dyn Write) -> io::Result<()> {
    w.write_all(HEADER.as_bytes())?;
    line(w, 0, "", "__x64_sys_bpf() {")?;
    line(w, 14_000, "0.100 us", "f();")?;
    line(w, 0, "1.000 us", "}")
}

fn alternating(_: usize, div: u64, w: &mut dyn Write) -> io::Result<()> {
    w.write_all(HEADER.as_bytes())?;
    for _ in 0..(100 / div).max(4) {
        line(w, 0, "", "__x64_sys_bpf() {")?;
        line(w, 30_000, "0.100 us", "f();")?;
    }
    Ok(())
}

fn deep_pair(i: usize, _: u64, w: &mut dyn Write) -> io::Result<()> {
    w.write_all(HEADER.as_bytes())?;
    line(w, 0, "", "__x64_sys_bpf() {")?;
    line(w, 10_000, "0.100 us", "f();")?;
    sys_exit(w, i)
}

/// A name of `len` bytes, distinct for each `k`.
fn long_name(prefix: &str, k: usize, len: usize) -> String {
    let tag = format!("{prefix}{k}_");
    let mut s = String::with_capacity(len);
    s.push_str(&tag);
    while s.len() < len {
        s.push(char::from(b'a' + (s.len() % 26) as u8));
    }
    s
}

fn long_names(i: usize, div: u64, w: &mut dyn Write) -> io::Result<()> {
    w.write_all(HEADER.as_bytes())?;
    let n = (450 / div as usize).max(40);
    line(w, 0, "", "__x64_sys_bpf() {")?;
    for d in 1..=n {
        line(w, d, "", &format!("{}() {{", long_name("f", d, 20_000)))?;
    }
    for d in (1..=n).rev() {
        line(w, d, "1.000 us", "}")?;
    }
    sys_exit(w, i)
}

fn pids(_: usize, div: u64, w: &mut dyn Write) -> io::Result<()> {
    w.write_all(b"# tracer: function_graph\n#\n# CPU  TASK/PID         DURATION                  FUNCTION CALLS\n# |    |    |           |   |                     |   |   |   |\n")?;
    for pid in 1..=6_000_000 / div {
        writeln!(w, " 0)  t-{pid:<7} |   0.100 us    |  f();")?;
    }
    Ok(())
}

fn names(_: usize, div: u64, w: &mut dyn Write) -> io::Result<()> {
    w.write_all(HEADER.as_bytes())?;
    line(w, 0, "", "__x64_sys_bpf() {")?;
    for k in 0..(20_000 / div as usize).max(50) {
        line(
            w,
            1,
            "0.100 us",
            &format!("{}();", long_name("g", k, 60_000)),
        )?;
    }
    line(w, 0, "9.000 us", "}")
}

fn markers(_: usize, div: u64, w: &mut dyn Write) -> io::Result<()> {
    w.write_all(HEADER.as_bytes())?;
    line(w, 0, "", "__x64_sys_bpf() {")?;
    for k in 0..(20_000 / div as usize).max(50) {
        line(w, 1, "", &format!("/* {} */", long_name("m", k, 65_000)))?;
    }
    line(w, 0, "9.000 us", "}")
}

fn nothing(_: usize, _: u64, _: &mut dyn Write) -> io::Result<()> {
    Ok(())
}

/// A real-looking small failing call, for the cases whose attack is an option.
fn small(_: usize, _: u64, w: &mut dyn Write) -> io::Result<()> {
    w.write_all(HEADER.as_bytes())?;
    line(w, 0, "", "__x64_sys_bpf() {")?;
    line(w, 1, "0.300 us", "security_bpf();")?;
    sys_exit(w, 1)
}

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

/// 500 calls of 499 leaves each under one syscall, names drawn from 64 at
/// random with a different seed per capture: every level differs.
fn wide_diff(i: usize, div: u64, w: &mut dyn Write) -> io::Result<()> {
    w.write_all(HEADER.as_bytes())?;
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (i as u64 + 1));
    let outer = (500 / div as usize).max(20);
    line(w, 0, "", "__x64_sys_bpf() {")?;
    for _ in 0..outer {
        line(w, 1, "", &format!("f{}() {{", rng.next() % 64))?;
        for _ in 0..499 {
            line(w, 2, "0.100 us", &format!("g{}();", rng.next() % 64))?;
        }
        line(w, 1, "60.00 us", "}")?;
    }
    sys_exit(w, i)
}

fn syscalls(_: usize, div: u64, w: &mut dyn Write) -> io::Result<()> {
    w.write_all(HEADER.as_bytes())?;
    for k in 0..1_000_000 / div {
        line(w, 0, "", &format!("__x64_sys_n{k}() {{"))?;
        line(w, 0, "0.500 us", &format!("}} /* __x64_sys_n{k} = -22 */"))?;
    }
    Ok(())
}
