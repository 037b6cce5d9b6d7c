//! `trace-cmd report` text (`tracecmd/trace-read.c`, graph output from
//! `lib/trace-cmd/trace-ftrace.c`).
//!
//! ```text
//! cpus=1
//!          bpfcase-126   [000]    18.207383: sys_enter_bpf:        cmd: 0x00000000, uattr: 0x7ffdb949d230, size: 0x00000090
//!          bpfcase-126   [000]    18.207400: funcgraph_entry:                   |  __x64_sys_bpf() {
//!          bpfcase-126   [000]    18.207425: funcgraph_entry:        2.053 us   |          cap_capable();
//!          bpfcase-126   [000]    18.207444: funcgraph_exit:       + 23.515 us  |        }
//!               ls-13587 [002] 106467.860310: function: hrtimer_start_fair <-- pick_next_task_fair
//! ```

use super::{
    LineError, Record, RecordKind,
    function::{context_prefix, function_body},
    graph::graph_body,
};

const EXPECTED: &str = "a trace-cmd report line (`comm-pid [CPU] TIMESTAMP: event: …`)";

/// Parse one `trace-cmd report` line.
pub fn tracecmd_line(line: &[u8]) -> Result<Record<'_>, LineError> {
    let err = LineError { expected: EXPECTED };
    let t = line.trim_ascii();
    if t.starts_with(b"cpus=") || t.starts_with(b"version =") {
        return Ok(Record::bare(RecordKind::Header(super::HeaderLine::Other(
            t,
        ))));
    }
    if t.starts_with(b"CPU ") && t.ends_with(b"is empty") {
        return Ok(Record::bare(RecordKind::Blank));
    }
    let (mut rec, body) = context_prefix(line).ok_or(err)?;
    let colon = memchr::memchr(b':', body).ok_or(err)?;
    let (event, info) = (&body[..colon], &body[colon + 1..]);
    rec.kind = match event {
        b"funcgraph_entry" | b"funcgraph_exit" | b"fgraph_retaddr_entry" => {
            // "      + 23.515 us  |        }"  /  "                   |  f() {"
            let bar = memchr::memchr(b'|', info).ok_or(err)?;
            let dur = info[..bar].trim_ascii();
            if !dur.is_empty() {
                let d = match dur.first() {
                    Some(b'+' | b'!' | b'#' | b'$' | b'*' | b'@') => dur[1..].trim_ascii_start(),
                    _ => dur,
                };
                rec.duration_ns = Some(super::common::duration_us(d).map_err(|_| err)?.1);
            }
            let b = &info[bar + 1..];
            let b = b.strip_prefix(b"  ").unwrap_or(b);
            graph_body(b).ok_or(err)?
        }
        b"function" => {
            // "             up_read <-- do_page_fault": the plugin indents 3 a level.
            let indent = info.iter().skip(1).take_while(|&&b| b == b' ').count();
            let text = info.trim_ascii();
            match super::common::find(text, b" <-- ") {
                Some(p) => RecordKind::Call {
                    func: text[..p].trim_ascii(),
                    parent: Some(text[p + 5..].trim_ascii()),
                    indent: Some((indent / 3) as u32),
                },
                None => function_body(text).ok_or(err)?,
            }
        }
        _ => RecordKind::Event {
            name: event,
            text: info.trim_ascii(),
        },
    };
    Ok(rec)
}
