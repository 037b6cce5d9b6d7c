//! The plain `function` tracer and event lines (`trace_print_context()` in
//! `kernel/trace/trace_output.c`), as the kernel's `trace`/`trace_pipe` and
//! `perf ftrace -t function` print them.
//!
//! ```text
//!          bpfcase-884     [000] .....   237.041247: __x64_sys_bpf <-do_syscall_64
//!          bpfcase-884     [000] ...1.   237.041239: sys_bpf(cmd: 0, uattr: 7ffd546e6620, size: 90)
//!          bpfcase-884     [000] .....   237.041192: tracing_mark_write: bpfcase map_unspec begin
//!       dd-805       0d....    1us : __rmqueue_pcplist            (latency-format)
//! ```

use nom::{
    IResult, Parser,
    bytes::complete::{tag, take_while_m_n},
    character::complete::char,
};

use super::{
    LineError, Record, RecordKind, TaskRef,
    common::{dec_u32, dec_u64, is_mark, spaces, task_field, timestamp_ns},
};

const EXPECTED: &str = "a function tracer line (`comm-pid [CPU] flags TIMESTAMP: func <-parent`)";

/// Parse one function-tracer line.
pub fn function_line(line: &[u8]) -> Result<Record<'_>, LineError> {
    let err = LineError { expected: EXPECTED };
    if let Some(sym) = stack_entry(line) {
        return Ok(Record::bare(RecordKind::Event {
            name: b"stack",
            text: sym,
        }));
    }
    let (mut rec, body) = context_prefix(line)
        .or_else(|| latency_prefix(line))
        .ok_or(err)?;
    rec.kind = function_body(body).ok_or(err)?;
    Ok(rec)
}

// " => do_syscall_64"   (a kernel stack trace under `<stack trace>`)
fn stack_entry(line: &[u8]) -> Option<&[u8]> {
    let t = line.trim_ascii_start();
    t.strip_prefix(b"=> ").map(<[u8]>::trim_ascii)
}

/// The context prefix `comm-pid [CPU] flags TIMESTAMP: ` shared by the
/// kernel's function/event lines and by `trace-cmd report`.
///
/// The pid is anchored on ` [NNN]`: a comm may contain spaces, `-`, `[` and
/// `:`, so the task is the text before the first `[digits]` whose prefix ends
/// in `-pid`.
pub(super) fn context_prefix(line: &[u8]) -> Option<(Record<'_>, &[u8])> {
    let mut from = 0;
    while let Some(p) = memchr::memchr(b'[', &line[from..]) {
        let p = from + p;
        from = p + 1;
        let Ok((after, (cpu, _))) =
            (dec_u32, char::<_, nom::error::Error<&[u8]>>(']')).parse(&line[p + 1..])
        else {
            continue;
        };
        let mut task_text = line[..p].trim_ascii();
        // record-tgid: "comm-pid (  tgid) [cpu]"
        if task_text.ends_with(b")") {
            if let Some(q) = memchr::memrchr(b'(', task_text) {
                task_text = task_text[..q].trim_ascii_end();
            }
        }
        let Some(task) = task_field(task_text) else {
            continue;
        };
        let (body, (flags, ts)) = flags_and_time(after).ok()?;
        let mut rec = Record::bare(RecordKind::Blank);
        rec.cpu = Some(cpu);
        rec.task = Some(task);
        rec.flags = flags;
        rec.ts_ns = Some(ts);
        return Some((rec, body));
    }
    None
}

// " .....   237.041119: "   "    18.207383: "   " d..2. 1234567890: "
fn flags_and_time(i: &[u8]) -> IResult<&[u8], (Option<&[u8]>, u64)> {
    let (i, _) = spaces(i)?;
    let time = |i| {
        let (i, ts) = nom::branch::alt((timestamp_ns, dec_u64)).parse(i)?;
        let (i, _) = (char(':'), nom::combinator::opt(char(' '))).parse(i)?;
        Ok((i, ts))
    };
    if let Ok((rest, ts)) = time(i) {
        return Ok((rest, (None, ts)));
    }
    let (i, (flags, _)) = (
        take_while_m_n(4, 6, |b: u8| b != b' ' && b != b':'),
        char(' '),
    )
        .parse(i)?;
    let (i, _) = spaces(i)?;
    let (i, ts) = time(i)?;
    Ok((i, (Some(flags), ts)))
}

// "      dd-805       0d....    1us : __rmqueue_pcplist"
// ("%8.8s-%-7d %3d" flags " %4lldus%c: ")
//
// The time is the digits before the first `us` that is followed by a delay
// mark and `:`; a comm may itself contain `us` (`busybox`), so each
// occurrence is tried.
fn latency_prefix(line: &[u8]) -> Option<(Record<'_>, &[u8])> {
    memchr::memmem::find_iter(line, b"us").find_map(|us| latency_prefix_at(line, us))
}

fn latency_prefix_at(line: &[u8], us: usize) -> Option<(Record<'_>, &[u8])> {
    let colon = us + 3;
    if line.get(colon) != Some(&b':') || !line.get(us + 2).copied().is_some_and(is_mark) {
        return None;
    }
    let head = &line[..us];
    // head = "comm-pid   CPUflags   TIME"
    let time_start = head.iter().rposition(|&b| b == b' ')? + 1;
    let time = &head[time_start..];
    if time.is_empty() || time.len() > 19 || !time.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let head = head[..time_start].trim_ascii_end();
    let cpu_start = head.iter().rposition(|&b| b == b' ')? + 1;
    let (cpu_flags, task_text) = (&head[cpu_start..], head[..cpu_start].trim_ascii());
    // The CPU digits are glued to the flags, whose first column is never a digit.
    let digits = cpu_flags.iter().take_while(|b| b.is_ascii_digit()).count();
    let (cpu, flags) = cpu_flags.split_at(digits);
    let (_, cpu) = dec_u32(cpu).ok()?;
    if !(4..=6).contains(&flags.len()) {
        return None;
    }
    let task: TaskRef<'_> = task_field(task_text)?;
    let mut rec = Record::bare(RecordKind::Blank);
    rec.task = Some(task);
    rec.cpu = Some(cpu);
    rec.flags = Some(flags);
    rec.ts_ns = dec_u64(time).ok().map(|(_, us)| us.saturating_mul(1000));
    let body = line[colon + 1..]
        .strip_prefix(b" ")
        .unwrap_or(&line[colon + 1..]);
    Some((rec, body))
}

/// `func <-parent`, `sys_bpf(…)`, `sys_bpf -> 0x…`, `event: text`.
pub(super) fn function_body(body: &[u8]) -> Option<RecordKind<'_>> {
    let body = body.trim_ascii_end();
    if body.is_empty() {
        return None;
    }
    if let Some((call, parent)) = split_parent(body) {
        let (func, args) = split_args(call)?;
        let mut parent = parent.trim_ascii();
        // func-no-repeats: "func <-parent (repeats: 3, last_ts: 1.2)"
        if let Some(q) = super::common::find(parent, b" (repeats:") {
            parent = &parent[..q];
        }
        let (func, parent) = (strip_sym(func), strip_sym(parent));
        return Some(RecordKind::Call {
            func,
            parent: (!parent.is_empty()).then_some(parent),
            indent: None,
            args,
        });
    }
    if syscall_event(body).is_ok() {
        return Some(RecordKind::Event {
            name: b"",
            text: body,
        });
    }
    if let Some(p) = super::common::find(body, b": ") {
        let name = &body[..p];
        if !name.is_empty() && !name.contains(&b' ') {
            return Some(RecordKind::Event {
                name,
                text: body[p + 2..].trim_ascii_start(),
            });
        }
    }
    if body == b"<stack trace>" || body == b"<user stack trace>" {
        return Some(RecordKind::Event {
            name: b"stack",
            text: body,
        });
    }
    // print-parent off: a bare symbol (or `func(args)` with func-args).
    if !body.contains(&b' ') || body.ends_with(b"]") || body.ends_with(b")") {
        let (func, args) = split_args(body)?;
        return Some(RecordKind::Call {
            func,
            parent: None,
            indent: None,
            args,
        });
    }
    None
}

/// The symbol of `do_exit+0x850/0xc18 <80122144>`: the function tracer's
/// `sym-offset` adds `+off/size`, `sym-addr` the address in `<…>`.
pub(super) fn strip_sym(name: &[u8]) -> &[u8] {
    let hex = |b: &[u8]| !b.is_empty() && b.iter().all(u8::is_ascii_hexdigit);
    let mut n = name.trim_ascii_end();
    if let Some(inner) = n.strip_suffix(b">") {
        if let Some(p) = memchr::memrchr(b'<', inner) {
            if p > 0 && inner[p - 1] == b' ' && hex(&inner[p + 1..]) {
                n = inner[..p - 1].trim_ascii_end();
            }
        }
    }
    if let Some(p) = memchr::memrchr(b'+', n) {
        let off = &n[p + 1..];
        let ok = off
            .split(|&b| b == b'/')
            .all(|part| part.strip_prefix(b"0x").is_some_and(hex));
        if p > 0 && ok {
            n = &n[..p];
        }
    }
    n
}

/// `call <-parent`: the split is the first ` <-` after the argument list,
/// so a `<-` inside an argument value cannot move it.
fn split_parent(body: &[u8]) -> Option<(&[u8], &[u8])> {
    let from = match memchr::memchr(b'(', body) {
        Some(open) => super::graph::matching_paren(body, open).map_or(0, |c| c + 1),
        None => 0,
    };
    let p = from + memchr::memmem::find(&body[from..], b" <-")?;
    Some((&body[..p], &body[p + 3..]))
}

/// `func` or `func(name=val, ...)` (func-args, 6.15+) → name and arguments.
/// `None` when there is no name.
pub(super) fn split_args(call: &[u8]) -> Option<(&[u8], Option<&[u8]>)> {
    let call = call.trim_ascii();
    let (func, args) = match memchr::memchr(b'(', call) {
        Some(open) if open > 0 && call.ends_with(b")") => {
            let close = super::graph::matching_paren(call, open)?;
            if close + 1 != call.len() {
                return None;
            }
            let a = call[open + 1..close].trim_ascii();
            (call[..open].trim_ascii_end(), (!a.is_empty()).then_some(a))
        }
        _ => (call, None),
    };
    (!func.is_empty()).then_some((func, args))
}

// "sys_bpf(cmd: 0, …)"   "sys_bpf -> 0xffffffffffffffea"
fn syscall_event(i: &[u8]) -> IResult<&[u8], ()> {
    let (i, _) = tag("sys_")(i)?;
    let (i, _) =
        nom::bytes::complete::take_while1(|b: u8| b.is_ascii_alphanumeric() || b == b'_')(i)?;
    let (i, _) = nom::branch::alt((tag("("), tag(" -> "))).parse(i)?;
    Ok((i, ()))
}

#[cfg(test)]
mod sym_tests {
    use super::*;

    /// The form issue 13 quotes from a public ARM capture (`sym-offset`,
    /// `sym-addr`), and names that only look like it.
    #[test]
    fn sym_offset_and_addr_are_stripped() {
        assert_eq!(strip_sym(b"do_exit+0x850/0xc18 <80122144>"), b"do_exit");
        assert_eq!(strip_sym(b"do_exit+0x850/0xc18"), b"do_exit");
        assert_eq!(strip_sym(b"do_exit <80122144>"), b"do_exit");
        assert_eq!(strip_sym(b"do_exit"), b"do_exit");
        assert_eq!(strip_sym(b"a+b"), b"a+b");
        assert_eq!(strip_sym(b"<idle>"), b"<idle>");
        let Some(RecordKind::Call { func, parent, .. }) =
            function_body(b"do_exit+0x850/0xc18 <80122144> <-do_group_exit+0x40/0xa0 <801224a0>")
        else {
            panic!("not a call");
        };
        assert_eq!(
            (func, parent),
            (&b"do_exit"[..], Some(&b"do_group_exit"[..]))
        );
    }
}
