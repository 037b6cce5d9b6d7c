//! Stage 2 of the pipeline: one line of text in, one [`Record`] out.
//!
//! Input: a single line (bytes, without its `\n`, one trailing `\r` already
//! stripped) and the [`InputFormat`] of the capture. Output: a [`Record`] that
//! borrows from the line, or a [`LineError`] saying what was expected.
//!
//! The parser is pure and per line on purpose: it keeps no state, so chunks of
//! a capture can be parsed on several threads, and every decision that needs
//! context (multi-line comments, which task a line belongs to, whether a `}`
//! has an entry) is made by the model stage, which sees records in order.
//!
//! Must not: know about syscalls, tasks' stacks or call trees.

mod common;
pub mod detect;
mod fast;
mod function;
mod graph;
mod header;
pub mod layout;
mod sysevent;
mod tracecmd;

#[cfg(test)]
mod tests;

pub use detect::{InputFormat, detect_format};
pub use header::HeaderLine;
pub use sysevent::{SysEnter, SysEvent, SysExit, parse_sys_event};

/// A task as a trace line names it: `comm-pid`.
///
/// `comm` is raw bytes (the kernel allows any bytes in a task name, and the
/// graph tracer cuts it at 7 bytes, possibly inside a UTF-8 sequence).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskRef<'a> {
    /// The task's name as printed (`<...>` when the kernel did not cache it).
    pub comm: &'a [u8],
    /// The pid; the last `-digits` of the field.
    pub pid: u32,
}

/// A function's return value as printed by `funcgraph-retval` (6.5+) or by
/// trace-cmd's `(ret=…)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetVal {
    /// The register value as a signed 64-bit number (hex values are taken as
    /// raw bits).
    pub raw: i64,
    /// Whether the kernel printed it in hex (`0x…`) rather than signed decimal.
    pub hex: bool,
}

impl RetVal {
    /// The value as the kernel means it: hex values in the errno range of a
    /// 64-bit or of a 32-bit register are read as negative numbers, as
    /// `print_graph_retval()` does when `funcgraph-retval-hex` is off.
    pub fn value(self) -> i64 {
        if !self.hex {
            return self.raw;
        }
        let u = self.raw as u64;
        if u >= (u64::MAX - 4094) {
            return self.raw; // already negative as i64
        }
        if (0xffff_f001..=0xffff_ffff).contains(&u) {
            return (u as u32) as i32 as i64;
        }
        self.raw
    }

    /// The errno this value stands for, if it is in the kernel's error range
    /// (`IS_ERR_VALUE`: -4095..=-1).
    pub fn errno(self) -> Option<i32> {
        let v = self.value();
        if (-4095..=-1).contains(&v) {
            Some((-v) as i32)
        } else {
            None
        }
    }
}

/// What a line says. Variants carry slices of the line they came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordKind<'a> {
    /// `func() {`: a call whose children follow.
    Entry {
        /// Nesting depth from the indentation (`depth * 2` spaces).
        depth: u32,
        /// The function as printed (`%ps`): may carry ` [module]` or be `0x…`.
        func: &'a [u8],
        /// The argument list as printed by funcgraph-args (6.15+), without
        /// the parentheses; `None` for `()`.
        args: Option<&'a [u8]>,
    },
    /// `func();`: a call with no traced children, entry and exit in one line.
    Leaf {
        /// Nesting depth.
        depth: u32,
        /// The function.
        func: &'a [u8],
        /// `/* = 0x0 */` with funcgraph-retval.
        ret: Option<RetVal>,
        /// The argument list (funcgraph-args), without the parentheses.
        args: Option<&'a [u8]>,
    },
    /// `}` or `} /* func */` or `} /* func = -22 */`.
    Exit {
        /// Nesting depth of the call that returns.
        depth: u32,
        /// The name, when the kernel printed it (funcgraph-tail, retval, or
        /// because the entry was not seen).
        func: Option<&'a [u8]>,
        /// The return value with funcgraph-retval.
        ret: Option<RetVal>,
    },
    /// `/* text */` inside graph output: trace_marker, trace_printk, or an
    /// event (syscall events print `sys_bpf(cmd: 0, …)` / `sys_bpf -> 0x…`).
    Comment {
        /// The text between `/* ` and ` */`.
        text: &'a [u8],
        /// `false` when the comment's closing `*/` is on a later line (a
        /// message with embedded newlines).
        closed: bool,
    },
    /// An event line of the non-graph formats: `name: text`, or for syscall
    /// events the bare `sys_bpf(…)` body.
    Event {
        /// The event name (`tracing_mark_write`, `sys_enter_bpf`, …); empty
        /// when the kernel printed the body without a name (syscall events).
        name: &'a [u8],
        /// The event's text.
        text: &'a [u8],
    },
    /// A function tracer record: `func <-parent`. No exit, no duration.
    Call {
        /// The function.
        func: &'a [u8],
        /// Its caller, with `print-parent` (default on).
        parent: Option<&'a [u8]>,
        /// The nesting trace-cmd's function plugin printed (3 spaces a
        /// level): the depth of the *caller* in the plugin's per-CPU stack,
        /// so `func` sits at depth `indent` among printed calls.
        indent: Option<u32>,
        /// The argument list printed by func-args (6.15+), without the
        /// parentheses.
        args: Option<&'a [u8]>,
    },
    /// `==========>`: a hard interrupt starts on this CPU.
    IrqEnter,
    /// `<==========`: the interrupt ends.
    IrqExit,
    /// `CPU:N [LOST M EVENTS]` (kernel) or `CPU:N [M EVENTS DROPPED]` (trace-cmd).
    Lost {
        /// The CPU whose ring buffer overflowed.
        cpu: u32,
        /// How many events, when printed.
        count: Option<u64>,
    },
    /// `##### CPU N buffer started ####`: earlier data of that CPU was overwritten.
    BufferStarted {
        /// The CPU.
        cpu: u32,
    },
    /// ` 0) bash-12 => sshd-34`: the task on `cpu` changes.
    ContextSwitch {
        /// The CPU.
        cpu: u32,
        /// The task leaving the CPU.
        from: TaskRef<'a>,
        /// The task taking the CPU.
        to: TaskRef<'a>,
    },
    /// The ` ---------…` rule around a context switch.
    Rule,
    /// ` (Overruns: N)` after an exit line with funcgraph-overrun.
    Overrun(u64),
    /// `[LINE TOO BIG]`: the kernel dropped a record that did not fit a page.
    LineTooBig,
    /// A `#` line before the first record.
    Header(HeaderLine<'a>),
    /// An empty line (the context-switch block ends with one).
    Blank,
}

/// One parsed line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record<'a> {
    /// The CPU column, when printed.
    pub cpu: Option<u32>,
    /// The task column (`funcgraph-proc`, or the function tracer's prefix).
    pub task: Option<TaskRef<'a>>,
    /// Absolute timestamp in ns (`funcgraph-abstime`, or the prefix time).
    pub ts_ns: Option<u64>,
    /// The duration column in ns (leaf and exit lines).
    pub duration_ns: Option<u64>,
    /// Latency flags (`d..1.`), when printed.
    pub flags: Option<&'a [u8]>,
    /// What the line says.
    pub kind: RecordKind<'a>,
}

impl<'a> Record<'a> {
    /// A record that is only its kind, with no context columns.
    pub fn bare(kind: RecordKind<'a>) -> Self {
        Record {
            cpu: None,
            task: None,
            ts_ns: None,
            duration_ns: None,
            flags: None,
            kind,
        }
    }
}

/// Why a line could not be read; shown to the user with the file and line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineError {
    /// What the parser expected there.
    pub expected: &'static str,
}

/// Parse one line of a capture in the given format.
///
/// Never panics, whatever the bytes.
pub fn parse_line(format: InputFormat, line: &[u8]) -> Result<Record<'_>, LineError> {
    // The fast path only takes lines that start with ` N) `, which no
    // control line does.
    if format == InputFormat::Graph {
        if let Some(r) = fast::graph_line(line) {
            return Ok(r);
        }
    }
    if let Some(r) = common::control_line(line) {
        return Ok(r);
    }
    match format {
        InputFormat::Graph => graph::graph_line(line),
        InputFormat::Function => function::function_line(line),
        InputFormat::TraceCmd => tracecmd::tracecmd_line(line),
    }
}

/// [`parse_line`] written into `out`, the slot the caller keeps it in (see
/// [`fast::graph_line_into`]: the common lines are built in place).
#[inline]
pub fn parse_line_into<'a>(
    format: InputFormat,
    line: &'a [u8],
    out: &mut Option<Result<Record<'a>, LineError>>,
) {
    if format == InputFormat::Graph && fast::graph_line_into(line, out) {
        return;
    }
    *out = Some(parse_line(format, line));
}
