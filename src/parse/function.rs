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
    character::complete::{char, digit1},
};

use super::{
    LineError, Record, RecordKind, TaskRef,
    common::{dec_u32, dec_u64, spaces, task_field, timestamp_ns},
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
fn latency_prefix(line: &[u8]) -> Option<(Record<'_>, &[u8])> {
    let us = super::common::find(line, b"us")?;
    let colon = us + 3;
    if line.get(colon) != Some(&b':') {
        return None;
    }
    let head = &line[..us];
    // head = "comm-pid   CPUflags   TIME"
    let time_start = head.iter().rposition(|&b| b == b' ')? + 1;
    let time = &head[time_start..];
    if time.is_empty() || !time.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let head = head[..time_start].trim_ascii_end();
    let cpu_start = head.iter().rposition(|&b| b == b' ')? + 1;
    let (cpu_flags, task_text) = (&head[cpu_start..], head[..cpu_start].trim_ascii());
    let (flags, cpu) = (digit1::<_, nom::error::Error<&[u8]>>)
        .parse(cpu_flags)
        .ok()?;
    let task: TaskRef<'_> = task_field(task_text)?;
    let cpu = std::str::from_utf8(cpu).ok()?.parse().ok()?;
    let mut rec = Record::bare(RecordKind::Blank);
    rec.task = Some(task);
    rec.cpu = Some(cpu);
    rec.flags = Some(flags);
    rec.ts_ns = std::str::from_utf8(time)
        .ok()?
        .parse::<u64>()
        .ok()
        .map(|us| us * 1000);
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
    if let Some(p) = super::common::find(body, b" <-") {
        let func = body[..p].trim_ascii();
        let mut parent = body[p + 3..].trim_ascii();
        // func-no-repeats: "func <-parent (repeats: 3, last_ts: 1.2)"
        if let Some(q) = super::common::find(parent, b" (repeats:") {
            parent = &parent[..q];
        }
        if func.is_empty() {
            return None;
        }
        return Some(RecordKind::Call {
            func,
            parent: (!parent.is_empty()).then_some(parent),
            indent: None,
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
    // print-parent off: a bare symbol.
    if !body.contains(&b' ') || body.ends_with(b"]") {
        return Some(RecordKind::Call {
            func: body,
            parent: None,
            indent: None,
        });
    }
    None
}

// "sys_bpf(cmd: 0, …)"   "sys_bpf -> 0xffffffffffffffea"
fn syscall_event(i: &[u8]) -> IResult<&[u8], ()> {
    let (i, _) = tag("sys_")(i)?;
    let (i, _) =
        nom::bytes::complete::take_while1(|b: u8| b.is_ascii_alphanumeric() || b == b'_')(i)?;
    let (i, _) = nom::branch::alt((tag("("), tag(" -> "))).parse(i)?;
    Ok((i, ()))
}
