//! A fast path for the commonest function_graph lines.
//!
//! A capture of every function is almost all lines of four shapes:
//! ` 0)   1.262 us    |      f();`, ` 0)   |  f() {`, ` 0)   4.8 us   |  }`
//! and `} /* f */`, in the default layout or with the funcgraph-abstime and
//! funcgraph-proc columns. This recognises exactly those, with plain byte
//! tests instead of trying each optional column in turn, and declines
//! everything else (latency flags, trailers, comments, arguments, odd names
//! of functions or tasks) to the full grammar in `graph.rs`. Whenever it answers, the
//! answer is the one `graph::graph_line` gives: `tests` checks that on
//! every line of every fixture and on mutated lines.

use super::{
    Record, RecordKind, TaskRef,
    common::{is_mark, task_field},
};

/// The record of a graph line of a common shape, or `None` when the full
/// grammar must decide. Column by column, left to right; each helper
/// returns where the next column starts.
pub fn graph_line(line: &[u8]) -> Option<Record<'_>> {
    let mut out = None;
    graph_line_into(line, &mut out);
    out.and_then(Result::ok)
}

/// [`graph_line`] written into `out` (the slot the caller keeps it in):
/// a record is ~150 bytes and millions of lines are parsed, so it is built
/// where it stays rather than returned and copied. `false` (and `out`
/// untouched) when the full grammar must decide.
#[inline]
pub fn graph_line_into<'a>(
    line: &'a [u8],
    out: &mut Option<Result<Record<'a>, super::LineError>>,
) -> bool {
    let Some((ts_ns, cpu, i)) = time_and_cpu(line) else {
        return false;
    };
    let Some((task, i)) = task_column(line, i) else {
        return false;
    };
    let Some((duration_ns, i)) = duration_column(line, i) else {
        return false;
    };
    let Some(kind) = body(&line[i..]) else {
        return false;
    };
    *out = Some(Ok(Record {
        cpu: Some(cpu),
        task,
        ts_ns,
        duration_ns,
        flags: None,
        kind,
    }));
    true
}

/// The optional funcgraph-abstime column (`"%5lu.%06lu |  "`) and the CPU
/// column (`" %*d) "`): the time in ns, the CPU, and where the next column
/// starts.
#[inline(always)]
fn time_and_cpu(line: &[u8]) -> Option<(Option<u64>, u32, usize)> {
    let n = line.len();
    let mut i = skip_spaces(line, 0);
    let mut ts_ns = None;
    if let Some((ts, after)) = abstime(line, i) {
        ts_ns = Some(ts);
        i = skip_spaces(line, after);
    }
    let start = i;
    let mut cpu = 0u32;
    while i < n && line[i].is_ascii_digit() {
        cpu = cpu * 10 + (line[i] - b'0') as u32;
        i += 1;
        if i - start > 6 {
            return None;
        }
    }
    if i == start || line.get(i..i + 2)? != b") " {
        return None;
    }
    Some((ts_ns, cpu, i + 2))
}

/// The optional funcgraph-proc column: `comm-pid` centred in 14 columns,
/// then ` | `. `None` declines the line (a task field the full grammar must
/// read); `(None, i)` when the column is absent.
#[inline(always)]
fn task_column(line: &[u8], i: usize) -> Option<(Option<TaskRef<'_>>, usize)> {
    let j = skip_spaces(line, i);
    let end = j + line[j..]
        .iter()
        .take_while(|&&b| TASK_BYTE[b as usize])
        .count();
    if end > j && line.get(end) == Some(&b' ') {
        let bar = skip_spaces(line, end);
        if line.get(bar..bar + 2) == Some(b"| ") {
            return Some((Some(task_field(&line[j..end])?), bar + 2));
        }
    }
    Some((None, i))
}

/// The duration block, `"+ 52.919 us   |  "` or `"               |  "`:
/// the duration in ns, and where the call's indentation starts.
#[inline(always)]
fn duration_column(line: &[u8], mut i: usize) -> Option<(Option<u64>, usize)> {
    let mark = *line.get(i)?;
    if !is_mark(mark) {
        return None;
    }
    i = skip_spaces(line, i + 1);
    let duration_ns = match *line.get(i)? {
        b'|' if mark == b' ' => None,
        b'0'..=b'9' => {
            let (ns, after) = duration(line, i)?;
            i = skip_spaces(line, after);
            if line.get(i) != Some(&b'|') {
                return None;
            }
            Some(ns)
        }
        _ => return None,
    };
    i += 1; // '|'
    if line[i..].starts_with(b"  ") {
        i += 2;
    }
    Some((duration_ns, i))
}

/// The call column: indentation (two spaces a level), then `f();`,
/// `f() {`, `}` or `} /* f */`.
#[inline(always)]
fn body(body: &[u8]) -> Option<RecordKind<'_>> {
    let indent = skip_spaces(body, 0);
    let depth = (indent / 2) as u32;
    let text = body[indent..].trim_ascii_end();
    let kind = if text == b"}" {
        RecordKind::Exit {
            depth,
            func: None,
            ret: None,
        }
    } else if let Some(name) = text
        .strip_prefix(b"} /* ")
        .and_then(|t| t.strip_suffix(b" */"))
    {
        RecordKind::Exit {
            depth,
            func: Some(plain_name(name)?),
            ret: None,
        }
    } else if let Some(name) = text.strip_suffix(b"();") {
        RecordKind::Leaf {
            depth,
            func: plain_name(name)?,
            ret: None,
            args: None,
        }
    } else if let Some(name) = text.strip_suffix(b"() {") {
        RecordKind::Entry {
            depth,
            func: plain_name(name)?,
            args: None,
        }
    } else {
        return None;
    };
    Some(kind)
}

/// The first position from `i` that is not a space: eight at a time, since
/// indentation and column padding are long runs of them.
fn skip_spaces(line: &[u8], mut i: usize) -> usize {
    const SPACES: u64 = u64::from_ne_bytes([b' '; 8]);
    while let Some(w) = line.get(i..i + 8) {
        let w = u64::from_ne_bytes(w.try_into().expect("8 bytes"));
        if w != SPACES {
            break;
        }
        i += 8;
    }
    while line.get(i) == Some(&b' ') {
        i += 1;
    }
    i
}

/// `SECONDS.FRACTION |  ` at `i`: the time in ns (as `common::timestamp_ns`
/// reads it) and where the CPU column starts.
fn abstime(line: &[u8], mut i: usize) -> Option<(u64, usize)> {
    let n = line.len();
    let start = i;
    let mut secs = 0u64;
    while i < n && line[i].is_ascii_digit() {
        secs = secs
            .saturating_mul(10)
            .saturating_add((line[i] - b'0') as u64);
        i += 1;
    }
    if i == start || line.get(i) != Some(&b'.') {
        return None;
    }
    i += 1;
    let (frac, after) = fraction(line, i)?;
    line[after..].starts_with(b" |  ").then(|| {
        (
            secs.saturating_mul(1_000_000_000).saturating_add(frac),
            after + 4,
        )
    })
}

/// At least one digit at `i`: the fraction of a second they write, in ns
/// (first nine digits), and the position after the last digit.
fn fraction(line: &[u8], mut i: usize) -> Option<(u64, usize)> {
    let n = line.len();
    let start = i;
    let mut v = 0u64;
    while i < n && line[i].is_ascii_digit() {
        if i - start < 9 {
            v = v * 10 + (line[i] - b'0') as u64;
        }
        i += 1;
    }
    if i == start {
        return None;
    }
    const POW10: [u64; 10] = [
        1,
        10,
        100,
        1_000,
        10_000,
        100_000,
        1_000_000,
        10_000_000,
        100_000_000,
        1_000_000_000,
    ];
    Some((v * POW10[9 - (i - start).min(9)], i))
}

/// The bytes a task name may have for the fast path (`<...>`, `kworker/0:1`);
/// any other name goes to the full grammar, which knows hostile ones.
static TASK_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric()
            || matches!(c, b'_' | b'-' | b'.' | b'/' | b':' | b'<' | b'>');
        b += 1;
    }
    t
};

/// A symbol as `%ps` prints a kernel function: letters, digits, `_`, `.`
/// (`.isra.0`, `.part.0`). Anything else goes to the full grammar.
fn plain_name(name: &[u8]) -> Option<&[u8]> {
    let ok = !name.is_empty() && name.iter().all(|&b| NAME_BYTE[b as usize]);
    ok.then_some(name)
}

/// The bytes [`plain_name`] allows, as a table: one load per byte.
static NAME_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || c == b'_' || c == b'.';
        b += 1;
    }
    t
};

/// `WHOLE[.FRAC] us` at `i`, in ns, as `common::duration_us` reads it:
/// saturating, the fraction's first nine digits as a fraction of a second
/// then scaled from seconds to the µs unit.
fn duration(line: &[u8], mut i: usize) -> Option<(u64, usize)> {
    let n = line.len();
    let mut whole = 0u64;
    while i < n && line[i].is_ascii_digit() {
        whole = whole
            .saturating_mul(10)
            .saturating_add((line[i] - b'0') as u64);
        i += 1;
    }
    let mut frac_ns = 0;
    if line.get(i) == Some(&b'.') {
        if let Some((frac, after)) = fraction(line, i + 1) {
            frac_ns = frac / 1_000_000;
            i = after;
        }
    }
    if !line[i..].starts_with(b" us") {
        return None;
    }
    Some((whole.saturating_mul(1000).saturating_add(frac_ns), i + 3))
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use proptest::prelude::*;

    use super::graph_line as fast;
    use crate::parse::graph::graph_line as full;

    fn check(line: &[u8]) -> bool {
        match fast(line) {
            Some(r) => {
                assert_eq!(
                    Ok(r),
                    full(line),
                    "fast and full grammar disagree on {:?}",
                    String::from_utf8_lossy(line)
                );
                true
            }
            None => false,
        }
    }

    fn fixtures(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                fixtures(&p, out);
            } else if p.to_string_lossy().ends_with(".log")
                || p.to_string_lossy().ends_with(".log.gz")
            {
                out.push(p);
            }
        }
    }

    #[test]
    fn agrees_with_the_full_grammar_on_every_fixture_line() {
        let mut files = Vec::new();
        fixtures(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"),
            &mut files,
        );
        assert!(files.len() > 50);
        let (mut lines, mut fast_lines) = (0, 0);
        for f in files {
            let raw = std::fs::read(&f).unwrap();
            let text = if raw.starts_with(&[0x1f, 0x8b]) {
                let mut t = Vec::new();
                flate2::read::MultiGzDecoder::new(&raw[..])
                    .read_to_end(&mut t)
                    .unwrap();
                t
            } else {
                raw
            };
            for l in text.split(|&b| b == b'\n') {
                lines += 1;
                fast_lines += check(l) as u64;
            }
        }
        // The fast path must carry most of the corpus, or it is useless.
        assert!(fast_lines * 2 > lines, "{fast_lines} of {lines}");
    }

    #[test]
    fn the_common_shapes() {
        for l in [
            &b" 0)   1.262 us    |      bpf_check_uarg_tail_zero();"[..],
            b" 1)               |  __x64_sys_bpf() {",
            b" 0) + 25.237 us   |  }",
            b" 0) # 4808.083 us |  } /* __x64_sys_openat */",
            b"12) ! 476.118 us  |    }",
            b" 0)   0.851 us    |            __cond_resched();\r",
            b" 3)               |    getname_flags.part.0() {",
            b" 0)  bpfcase-95    |               |  x() {",
            b"   38.222042 |   0)  bpfcase-173   | ! 240.658 us  |      } /* do_filp_open */",
            b"   21.410426 |   0)  kworker/0:1-12 |   1.642 us    |      f();",
        ] {
            assert!(check(l), "{}", String::from_utf8_lossy(l));
        }
        for l in [
            &b" 0)   1.092 us    |      bpf_check_uarg_tail_zero(); /* = 0x0 */"[..],
            b" 0) <b>\xff\xfe\"x-95 |   1.1 us    |  f();",
            b" 0)               |  /* sys_bpf -> 0xffffffffffffffea */",
            b" 0) + 1.5 us |  f(x=1);",
            b" 0) +              |  f();",
            b" 0)   1. us    |  f();",
        ] {
            assert!(!check(l), "{}", String::from_utf8_lossy(l));
        }
    }

    proptest! {
        #[test]
        fn agrees_on_mutated_lines(
            base in prop::sample::select(vec![
                &b" 0)   1.262 us    |      bpf_check_uarg_tail_zero();"[..],
                b" 1)               |  __x64_sys_bpf() {",
                b" 0) + 25.237 us   |  }",
                b" 0) # 4808.083 us |  } /* __x64_sys_openat */",
                b"   38.222042 |   0)  bpfcase-173   | ! 240.658 us  |      } /* do_filp_open */",
                b"   38.231773 |   1)     ls-174     |               |            inode_permission() {",
                b" 0)  <...>-95     |   1.1 us   |  f();",
            ]),
            edits in proptest::collection::vec((0usize..90, prop::sample::select(b" 0123456789.|(){};/*+!#$@-_axus\t<>=".to_vec())), 0..4),
        ) {
            let mut l = base.to_vec();
            for (at, b) in edits {
                if l.is_empty() { break; }
                let at = at % l.len();
                l[at] = b;
            }
            check(&l);
        }
    }
}
