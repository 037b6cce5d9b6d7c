//! Grammar rules shared by every format: numbers, timestamps, durations,
//! return values, `comm-pid`, and the control lines any ftrace output can
//! contain (`CPU:N [LOST M EVENTS]`, `##### CPU N buffer started ####`, `#`
//! headers, blank lines, context-switch rules).

use nom::{
    IResult, Parser,
    branch::alt,
    bytes::complete::{tag, take_while, take_while1},
    character::complete::{char, digit1, space0},
    combinator::opt,
};

use super::{Record, RecordKind, RetVal, TaskRef, header::header_line};

/// Decimal digits as `u64`, saturating instead of overflowing (a garbage line
/// with 40 digits must not panic).
pub fn dec_u64(i: &[u8]) -> IResult<&[u8], u64> {
    let (rest, d) = digit1(i)?;
    Ok((rest, digits_to_u64(d)))
}

/// Decimal digits as `u32`, failing on overflow.
pub fn dec_u32(i: &[u8]) -> IResult<&[u8], u32> {
    let (rest, d) = digit1(i)?;
    let v = digits_to_u64(d);
    if v > u32::MAX as u64 {
        return Err(nom::Err::Error(nom::error::Error::new(
            i,
            nom::error::ErrorKind::TooLarge,
        )));
    }
    Ok((rest, v as u32))
}

fn digits_to_u64(d: &[u8]) -> u64 {
    d.iter().fold(0u64, |acc, b| {
        acc.saturating_mul(10).saturating_add((b - b'0') as u64)
    })
}

/// Hex digits (no `0x`) as `u64`; `None` if there are more than 16.
pub fn hex_to_u64(d: &[u8]) -> Option<u64> {
    if d.is_empty() || d.len() > 16 {
        return None;
    }
    let mut v = 0u64;
    for &b in d {
        let n = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            b'A'..=b'F' => b - b'A' + 10,
            _ => return None,
        };
        v = (v << 4) | n as u64;
    }
    Some(v)
}

// 21.410032     (seconds.microseconds; also .nanoseconds from trace-cmd --ts)
/// A timestamp `SECONDS.FRACTION` in ns, whatever the number of decimals.
pub fn timestamp_ns(i: &[u8]) -> IResult<&[u8], u64> {
    let (i, (secs, _, frac)) = (dec_u64, char('.'), digit1).parse(i)?;
    Ok((
        i,
        secs.saturating_mul(1_000_000_000)
            .saturating_add(frac_to_ns(frac)),
    ))
}

/// The fraction of a second written with `frac.len()` decimals, in ns.
fn frac_to_ns(frac: &[u8]) -> u64 {
    let take = frac.len().min(9);
    let mut v = digits_to_u64(&frac[..take]);
    for _ in take..9 {
        v *= 10;
    }
    v
}

//   1.262 us       + 10.846 us      ! 401.735 us     $ 3594274 us
/// A duration in µs as `trace_print_graph_duration()` writes it, in ns.
pub fn duration_us(i: &[u8]) -> IResult<&[u8], u64> {
    let (i, (whole, frac, _)) = (
        dec_u64,
        opt((char('.'), digit1).map(|(_, f)| f)),
        tag(" us"),
    )
        .parse(i)?;
    let ns = whole
        .saturating_mul(1000)
        .saturating_add(frac.map(|f| frac_to_ns(f) / 1_000_000).unwrap_or(0));
    Ok((i, ns))
}

/// An overhead mark (`+ ! # * @ $`) or a space.
pub fn is_mark(b: u8) -> bool {
    matches!(b, b' ' | b'+' | b'!' | b'#' | b'*' | b'@' | b'$')
}

// -22      0x0      0xffffffffffffffea      true
/// A return value as `print_graph_retval()` or trace-cmd prints it.
pub fn retval(i: &[u8]) -> IResult<&[u8], RetVal> {
    alt((
        (tag("0x"), take_while1(|b: u8| b.is_ascii_hexdigit())).map_opt(|(_, h): (_, &[u8])| {
            hex_to_u64(h).map(|v| RetVal {
                raw: v as i64,
                hex: true,
            })
        }),
        (opt(char('-')), dec_u64).map(|(neg, v)| RetVal {
            raw: if neg.is_some() {
                (v as i64).wrapping_neg()
            } else {
                v as i64
            },
            hex: false,
        }),
        tag("true").map(|_| RetVal { raw: 1, hex: false }),
        tag("false").map(|_| RetVal { raw: 0, hex: false }),
    ))
    .parse(i)
}

/// Split a `comm-pid` field (already trimmed) at its last `-digits`.
///
/// comm may itself contain `-` and digits (`kworker/0:1-events-12`), so the
/// pid is the last run of digits after a `-`.
pub fn task_field(field: &[u8]) -> Option<TaskRef<'_>> {
    let dash = memchr::memrchr(b'-', field)?;
    let (comm, pid) = (&field[..dash], &field[dash + 1..]);
    if pid.is_empty() || pid.len() > 10 || !pid.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let pid = digits_to_u64(pid);
    if pid > u32::MAX as u64 {
        return None;
    }
    Some(TaskRef {
        comm,
        pid: pid as u32,
    })
}

/// Lines any format can contain, recognised before the format's own grammar.
/// Returns `None` for ordinary records, quickly: most lines start with a
/// digit or a task name.
pub fn control_line(line: &[u8]) -> Option<Record<'_>> {
    let first = line.iter().position(|b| !b.is_ascii_whitespace());
    let Some(first) = first else {
        return Some(Record::bare(RecordKind::Blank));
    };
    let rest = &line[first..];
    match rest[0] {
        b'#' => {
            if let Ok((_, cpu)) = buffer_started(rest) {
                return Some(Record::bare(RecordKind::BufferStarted { cpu }));
            }
            if first == 0 {
                return Some(Record::bare(RecordKind::Header(header_line(rest))));
            }
            None
        }
        b'C' => lost(rest).ok().map(|(_, k)| Record::bare(k)),
        b'-' if rest.len() >= 10 && rest.iter().all(|&b| b == b'-' || b == b' ') => {
            Some(Record::bare(RecordKind::Rule))
        }
        b'(' => overrun(rest)
            .ok()
            .map(|(_, n)| Record::bare(RecordKind::Overrun(n))),
        b'[' if rest.starts_with(b"[LINE TOO BIG]") => Some(Record::bare(RecordKind::LineTooBig)),
        // perf ftrace's first line names the tracer it set up.
        b'f' if first == 0 => rest
            .trim_ascii_end()
            .strip_suffix(b" tracer is used")
            .filter(|t| matches!(*t, b"function_graph" | b"function"))
            .map(|t| Record::bare(RecordKind::Header(super::HeaderLine::Tracer(t)))),
        _ => None,
    }
}

// ##### CPU 3 buffer started ####
fn buffer_started(i: &[u8]) -> IResult<&[u8], u32> {
    let (i, (_, _, _, cpu, _, _)) = (
        take_while1(|b| b == b'#'),
        space0,
        tag("CPU "),
        dec_u32,
        space0,
        tag("buffer started"),
    )
        .parse(i)?;
    Ok((i, cpu))
}

// CPU:1 [LOST 71400 EVENTS]      CPU:0 [LOST EVENTS]      CPU:2 [1234 EVENTS DROPPED]
fn lost(i: &[u8]) -> IResult<&[u8], RecordKind<'_>> {
    let (i, (_, cpu, _, _)) = (tag("CPU:"), dec_u32, space0, char('[')).parse(i)?;
    let kernel = (
        tag("LOST"),
        opt((char(' '), dec_u64).map(|(_, n)| n)),
        tag(" EVENTS]"),
    )
        .map(|(_, n, _)| n);
    let tracecmd = (
        opt((dec_u64, char(' ')).map(|(n, _)| n)),
        tag("EVENTS DROPPED]"),
    )
        .map(|(n, _)| n);
    let (i, count) = alt((kernel, tracecmd)).parse(i)?;
    Ok((i, RecordKind::Lost { cpu, count }))
}

//  (Overruns: 12)
fn overrun(i: &[u8]) -> IResult<&[u8], u64> {
    let (i, (_, _, n, _)) = (tag("(Overruns:"), space0, dec_u64, char(')')).parse(i)?;
    Ok((i, n))
}

/// The first position of `needle` in `hay`.
///
/// Lines are short: `memchr::memmem::find` builds a searcher on every call,
/// which costs more than the search. This looks for the needle's first
/// punctuation byte (rare in a line, unlike spaces and letters) with
/// `memchr` and compares the rest.
pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let k = needle
        .iter()
        .position(u8::is_ascii_punctuation)
        .or_else(|| needle.iter().position(|&b| b != b' '))
        .unwrap_or(0);
    let &probe = needle.get(k)?;
    memchr::memchr_iter(probe, hay.get(k..)?).find(|&p| hay[p..].starts_with(needle))
}

/// Skip spaces; used where the kernel pads with a variable number of them.
pub fn spaces(i: &[u8]) -> IResult<&[u8], &[u8]> {
    take_while(|b| b == b' ')(i)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::find;

    #[test]
    fn finds_the_needles_the_grammars_use() {
        let line = b" 0) + 52.919 us   |    } /* __x64_sys_bpf = -22 */";
        for needle in [&b" | "[..], b" => ", b"*/", b"= ", b"ret=", b" <-", b"us"] {
            assert_eq!(
                find(line, needle),
                memchr::memmem::find(line, needle),
                "{}",
                String::from_utf8_lossy(needle)
            );
        }
    }

    proptest! {
        #[test]
        fn same_as_memmem(
            hay in proptest::collection::vec(prop::sample::select(b" |=>*/<-ret:us(a".to_vec()), 0..40),
            needle in prop::sample::select(vec![&b" | "[..], b" => ", b"*/", b"= ", b"ret=", b" <-", b"us", b": ", b" <-- "]),
        ) {
            prop_assert_eq!(find(&hay, needle), memchr::memmem::find(&hay, needle));
        }
    }
}

#[cfg(test)]
mod perf_first_line {
    use super::*;

    /// `perf ftrace` starts its output with the tracer it set up.
    #[test]
    fn tracer_is_used_is_a_header() {
        let r = control_line(b"function_graph tracer is used").unwrap();
        assert_eq!(
            r.kind,
            RecordKind::Header(crate::parse::HeaderLine::Tracer(b"function_graph"))
        );
        assert!(control_line(b"function tracer is used\r").is_some());
        assert!(control_line(b"foo tracer is used").is_none());
        assert!(control_line(b" function tracer is used").is_none());
    }
}
