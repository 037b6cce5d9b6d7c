//! The `function_graph` tracer's text, as the kernel prints it in `trace`,
//! `trace_pipe` and `perf ftrace` (`kernel/trace/trace_functions_graph.c`).
//!
//! A line is a prologue of optional columns, a duration block, then the
//! indented body:
//!
//! ```text
//!    21.410426 |   0)  bpfcase-181   |   1.642 us    |      bpf_check_uarg_tail_zero();
//!    ABSTIME       CPU  PROC               DURATION       INDENT BODY
//! ```
//!
//! Each column is optional (funcgraph-abstime, -cpu, -proc, latency-format,
//! -duration), so the prologue is read left to right with one rule per
//! column, and the body's trailers (`/* = -22 */`, `/* name */`) are read
//! from the right, because argument lists and module suffixes make the front
//! of a body ambiguous.

use nom::{
    IResult, Parser,
    bytes::complete::{tag, take_while_m_n},
    character::complete::char,
    combinator::opt,
};

use super::{
    LineError, Record, RecordKind, RetVal, TaskRef,
    common::{dec_u32, dec_u64, duration_us, is_mark, retval, spaces, task_field, timestamp_ns},
};

const EXPECTED: &str =
    "a function_graph line (`CPU) DURATION |  func() {`, `func();`, `}` or `/* comment */`)";

/// Parse one function_graph line.
pub fn graph_line(line: &[u8]) -> Result<Record<'_>, LineError> {
    let err = LineError { expected: EXPECTED };
    let mut rec = Record::bare(RecordKind::Blank);
    let mut i = line;

    if let Ok((rest, ts)) = abstime(i) {
        rec.ts_ns = Some(ts);
        i = rest;
    } else if let Ok((rest, _)) = reltime(i) {
        i = rest;
    }
    if let Ok((rest, cpu)) = cpu_col(i) {
        rec.cpu = Some(cpu);
        i = rest;
        if let Some((from, to)) = context_switch(i) {
            rec.kind = RecordKind::ContextSwitch { cpu, from, to };
            return Ok(rec);
        }
    }
    if let Some((rest, task)) = proc_col(i) {
        rec.task = Some(task);
        i = rest;
    }
    if let Ok((rest, flags)) = lat_col(i) {
        rec.flags = Some(flags);
        i = rest;
    }
    if let Some(kind) = irq_arrow(i) {
        rec.kind = kind;
        return Ok(rec);
    }
    let body = match duration_block(i) {
        Ok((rest, dur)) => {
            rec.duration_ns = dur;
            rest
        }
        // funcgraph-duration off: the body follows the prologue directly.
        Err(_) if rec.cpu.is_some() || rec.ts_ns.is_some() || rec.task.is_some() => i,
        Err(_) => return Err(err),
    };
    rec.kind = graph_body(body).ok_or(err)?;
    Ok(rec)
}

// "   21.410032 |  "   (%5lu.%06lu |  )
fn abstime(i: &[u8]) -> IResult<&[u8], u64> {
    let (i, (_, ts, _)) = (spaces, timestamp_ns, tag(" |  ")).parse(i)?;
    Ok((i, ts))
}

// "       12 us |  "   (relative time of the latency tracers' graph mode)
fn reltime(i: &[u8]) -> IResult<&[u8], u64> {
    let (i, (_, t, _)) = (spaces, dec_u64, tag(" us |  ")).parse(i)?;
    Ok((i, t))
}

// " 0) "   ( %*d) ; width grows with the number of CPUs)
fn cpu_col(i: &[u8]) -> IResult<&[u8], u32> {
    let (i, (_, cpu, _, _)) = (spaces, dec_u32, char(')'), opt(char(' '))).parse(i)?;
    Ok((i, cpu))
}

// "     ls-104     =>  bpfcase-102  "   (after the CPU column)
fn context_switch(i: &[u8]) -> Option<(TaskRef<'_>, TaskRef<'_>)> {
    let p = super::common::find(i, b" => ")?;
    let from = task_field(i[..p].trim_ascii())?;
    let to = task_field(i[p + 4..].trim_ascii())?;
    Some((from, to))
}

// " bpfcase-138   | "   (comm cut to 7 bytes, "comm-pid" centred in 14 columns)
//
// The comm may contain anything, even " | ", so each " | " is tried until the
// text before it ends in "-pid"; the duration block's " us" or a '|' stops the
// search.
fn proc_col(i: &[u8]) -> Option<(&[u8], TaskRef<'_>)> {
    let mut from = 0;
    while let Some(p) = super::common::find(&i[from..], b" | ") {
        let p = from + p;
        let field = i[..p].trim_ascii();
        if field.is_empty() || field.ends_with(b" us") {
            return None;
        }
        if let Some(task) = task_field(field) {
            return Some((&i[p + 3..], task));
        }
        if memchr::memchr(b'|', field).is_some() || p > 40 {
            return None;
        }
        from = p + 1;
    }
    None
}

// " d..1. | "   (latency-format: irqs-off, need-resched, hardirq/softirq,
// preempt-depth, migrate-disable)
fn lat_col(i: &[u8]) -> IResult<&[u8], &[u8]> {
    let (i, (_, flags, _)) = (
        char(' '),
        take_while_m_n(4, 5, |b: u8| b.is_ascii_alphanumeric() || b == b'.'),
        tag(" | "),
    )
        .parse(i)?;
    Ok((i, flags))
}

// "  ==========> |"   "  <========== |"
fn irq_arrow(i: &[u8]) -> Option<RecordKind<'static>> {
    let t = i.trim_ascii();
    let t = t.strip_suffix(b"|").map(<[u8]>::trim_ascii).unwrap_or(t);
    match t {
        b"==========>" => Some(RecordKind::IrqEnter),
        b"<==========" => Some(RecordKind::IrqExit),
        _ => None,
    }
}

// "+ 10.846 us   |  "   "  1.262 us    |  "   "              |  "
fn duration_block(i: &[u8]) -> IResult<&[u8], Option<u64>> {
    let timed = (
        take_while_m_n(0, 1, is_mark),
        spaces,
        duration_us,
        spaces,
        char('|'),
    )
        .map(|(_, _, d, _, _)| Some(d));
    let fill = (spaces, char('|')).map(|_| None);
    let (i, dur) = nom::branch::alt((timed, fill)).parse(i)?;
    // The block ends in "|  "; the indentation follows.
    let i = i.strip_prefix(b"  ").unwrap_or(i);
    Ok((i, dur))
}

/// The indented body: `func() {`, `func();`, `}`, `/* … */`, with trailers.
///
/// Shared with trace-cmd, whose graph events print the same body.
pub(super) fn graph_body(body: &[u8]) -> Option<RecordKind<'_>> {
    let indent = body.iter().take_while(|&&b| b == b' ').count();
    let depth = (indent / 2) as u32;
    let text = body[indent..].trim_ascii_end();
    match text.first()? {
        b'}' => exit_body(depth, &text[1..]),
        b'/' if text.starts_with(b"/*") => Some(comment_body(text)),
        b'=' | b'<' => irq_arrow(text),
        _ => call_body(depth, text),
    }
}

// "/* sys_bpf -> 0xffffffffffffffea */"   "/* bpfcase map_xsk begin */"
fn comment_body(text: &[u8]) -> RecordKind<'_> {
    let inner = text[2..].strip_prefix(b" ").unwrap_or(&text[2..]);
    match inner.strip_suffix(b"*/") {
        Some(t) => RecordKind::Comment {
            text: t.strip_suffix(b" ").unwrap_or(t),
            closed: true,
        },
        None => RecordKind::Comment {
            text: inner,
            closed: false,
        },
    }
}

// "}"   "} /* __check_object_size */"   "} /* __sys_bpf = -22 */"   "} /* f ret=0x0 */"
fn exit_body(depth: u32, rest: &[u8]) -> Option<RecordKind<'_>> {
    let trailers = Trailers::parse(rest)?;
    let mut func = None;
    let mut ret = trailers.ret;
    if let Some(c) = trailers.comment {
        let (name, r) = split_name_ret(c)?;
        func = name;
        ret = ret.or(r);
    }
    Some(RecordKind::Exit { depth, func, ret })
}

/// Split a tail comment `name = -22` / `name ret=-22` / `name()` / `= 0x0`.
fn split_name_ret(c: &[u8]) -> Option<(Option<&[u8]>, Option<RetVal>)> {
    let (name, ret_text) = if let Some(p) = super::common::find(c, b"= ") {
        (&c[..p], Some(&c[p + 2..]))
    } else if let Some(p) = super::common::find(c, b"ret=") {
        (&c[..p], Some(&c[p + 4..]))
    } else {
        (c, None)
    };
    let ret = match ret_text {
        Some(t) => Some(retval(t.trim_ascii()).ok()?.1),
        None => None,
    };
    let name = name.trim_ascii();
    let name = name.strip_suffix(b"()").unwrap_or(name);
    // A retaddr annotation (`<-caller+0x1/0x2`) is not a name.
    let name = if name.is_empty() || name.starts_with(b"<-") {
        None
    } else {
        Some(name)
    };
    Some((name, ret))
}

// "bpf_check_uarg_tail_zero();"   "mutex_unlock(); /* = 0xff110000023bbe40 */"
// "__x64_sys_bpf() {"   "mutex_unlock() { /* <-rb_simple_write+0xda/0x150 */"
// "do_sys_open(dfd=-100, filename=0x7ff...) {"   (funcgraph-args)
fn call_body(depth: u32, text: &[u8]) -> Option<RecordKind<'_>> {
    let open = memchr::memchr(b'(', text)?;
    let func = text[..open].trim_ascii_end();
    if func.is_empty() {
        return None;
    }
    let close = matching_paren(text, open)?;
    let args = Some(text[open + 1..close].trim_ascii()).filter(|a| !a.is_empty());
    let after = &text[close + 1..];
    let (is_entry, trailer_text) = if let Some(r) = after.strip_prefix(b";") {
        (false, r)
    } else {
        // trace-cmd prints the retaddr comment before the brace:
        // "func() /* <-caller */ {"
        let t = after.trim_ascii_start();
        let t = match t.strip_prefix(b"/*") {
            Some(c) => &c[super::common::find(c, b"*/")? + 2..],
            None => t,
        };
        (true, t.trim_ascii_start().strip_prefix(b"{")?)
    };
    let trailers = Trailers::parse(trailer_text)?;
    if is_entry {
        return Some(RecordKind::Entry { depth, func, args });
    }
    let mut ret = trailers.ret;
    if let Some(c) = trailers.comment {
        // "= 0x0", "<-caller+0x23/0x90 ret=0x0", "ret=-22"
        if let Some((_, r)) = split_name_ret(c) {
            ret = ret.or(r);
        }
    }
    Some(RecordKind::Leaf {
        depth,
        func,
        ret,
        args,
    })
}

/// The `)` that closes the `(` at `open`, allowing nested parentheses in
/// funcgraph-args values.
pub(super) fn matching_paren(text: &[u8], open: usize) -> Option<usize> {
    let mut level = 0usize;
    for (k, &b) in text[open..].iter().enumerate() {
        match b {
            b'(' => level += 1,
            b')' => {
                level -= 1;
                if level == 0 {
                    return Some(open + k);
                }
            }
            _ => {}
        }
    }
    None
}

/// What may follow `;`, `{` or `}`: a `/* … */` comment (tail name, retval,
/// retaddr) and trace-cmd's ` (N)` depth and ` (ret=X)`.
#[derive(Default)]
struct Trailers<'a> {
    comment: Option<&'a [u8]>,
    ret: Option<RetVal>,
}

impl<'a> Trailers<'a> {
    fn parse(mut t: &'a [u8]) -> Option<Self> {
        let mut out = Trailers::default();
        loop {
            t = t.trim_ascii_start();
            if t.is_empty() {
                return Some(out);
            }
            if let Some(c) = t.strip_prefix(b"/*") {
                let end = super::common::find(c, b"*/")?;
                out.comment = Some(c[..end].trim_ascii());
                t = &c[end + 2..];
            } else if let Some(r) = t.strip_prefix(b"(ret=") {
                let (rest, v) = retval(r).ok()?;
                out.ret = Some(v);
                t = rest.strip_prefix(b")")?;
            } else if let Ok((rest, _)) =
                (char::<_, nom::error::Error<&[u8]>>('('), dec_u64, char(')')).parse(t)
            {
                t = rest;
            } else {
                return None;
            }
        }
    }
}
