//! The `#` lines a `trace` file starts with, and what they tell about the
//! capture (tracer, buffer counters, which optional columns are printed).

use nom::{IResult, Parser, bytes::complete::tag, character::complete::space0};

use super::common::dec_u64;

/// What a `#` header line says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderLine<'a> {
    /// `# tracer: function_graph`.
    Tracer(&'a [u8]),
    /// `# entries-in-buffer/entries-written: 97/97   #P:1`: written minus in
    /// buffer is what the ring buffer overwrote.
    Entries {
        /// Entries still in the buffer.
        in_buffer: u64,
        /// Entries ever written.
        written: u64,
        /// `#P`: number of CPUs traced.
        cpus: Option<u64>,
    },
    /// The column legend of the graph tracer (`# CPU  TASK/PID  DURATION
    /// FUNCTION CALLS`) or of the function tracer (`# TASK-PID CPU# …`).
    Columns(&'a [u8]),
    /// `# function_graph latency trace v1.1.5 on 6.1.0-56-amd64`: the header
    /// of latency-format output, the one place the kernel names its release.
    LatencyTrace {
        /// The tracer.
        tracer: &'a [u8],
        /// The kernel release (`uname -r`).
        kernel: &'a [u8],
    },
    /// `# tracereport-kernel: 6.18.2`: how `tracereport record` took the
    /// capture (keys `record`, `kernel`, `command`, `tracefs`, `settings`,
    /// `note`).
    Recorded {
        /// The key after `tracereport-`.
        key: &'a [u8],
        /// The rest of the line.
        value: &'a [u8],
    },
    /// `# WARNING: FUNCTION TRACING IS CORRUPTED` and similar.
    Warning(&'a [u8]),
    /// Any other `#` line (legend art, latency header).
    Other(&'a [u8]),
}

// # tracer: function_graph
fn tracer(i: &[u8]) -> IResult<&[u8], &[u8]> {
    let (i, _) = (tag("#"), space0, tag("tracer:"), space0).parse(i)?;
    Ok((&[], i.trim_ascii()))
}

// # entries-in-buffer/entries-written: 97/97   #P:1
fn entries(i: &[u8]) -> IResult<&[u8], HeaderLine<'_>> {
    let (i, (_, _, _, _, in_buffer, _, written, _)) = (
        tag("#"),
        space0,
        tag("entries-in-buffer/entries-written:"),
        space0,
        dec_u64,
        tag("/"),
        dec_u64,
        space0,
    )
        .parse(i)?;
    let cpus = (tag("#P:"), dec_u64).parse(i).ok().map(|(_, (_, n))| n);
    Ok((
        &[],
        HeaderLine::Entries {
            in_buffer,
            written,
            cpus,
        },
    ))
}

/// Parse a line that starts with `#` (the caller checked).
pub fn header_line(line: &[u8]) -> HeaderLine<'_> {
    if let Ok((_, t)) = tracer(line) {
        return HeaderLine::Tracer(t);
    }
    if let Ok((_, e)) = entries(line) {
        return e;
    }
    let body = line[1..].trim_ascii();
    if let Some(h) = recorded(body) {
        return h;
    }
    if let Some(h) = latency_trace(body) {
        return h;
    }
    if body.starts_with(b"WARNING") || body.starts_with(b"MAY BE MISSING") {
        return HeaderLine::Warning(body);
    }
    let is_legend = |needle: &[u8]| memchr::memmem::find(body, needle).is_some();
    if is_legend(b"FUNCTION CALLS") || is_legend(b"TASK-PID") || is_legend(b"FUNCTION") {
        return HeaderLine::Columns(body);
    }
    HeaderLine::Other(body)
}

// function_graph latency trace v1.1.5 on 7.3.4+deb13-amd64
fn latency_trace(body: &[u8]) -> Option<HeaderLine<'_>> {
    let at = memchr::memmem::find(body, b" latency trace v")?;
    let on = memchr::memmem::find(&body[at..], b" on ")? + at;
    let tracer = body[..at].trim_ascii();
    let kernel = body[on + 4..].trim_ascii();
    (!tracer.is_empty() && !tracer.contains(&b' ') && !kernel.is_empty())
        .then_some(HeaderLine::LatencyTrace { tracer, kernel })
}

// tracereport-kernel: 6.18.44
fn recorded(body: &[u8]) -> Option<HeaderLine<'_>> {
    let rest = body.strip_prefix(b"tracereport-")?;
    let colon = memchr::memchr(b':', rest)?;
    let key = &rest[..colon];
    (!key.is_empty() && key.iter().all(|b| b.is_ascii_lowercase() || *b == b'-')).then(|| {
        HeaderLine::Recorded {
            key,
            value: rest[colon + 1..].trim_ascii(),
        }
    })
}
