//! Syscalls: how they are recognised in a capture (entry/exit events, or the
//! arch wrapper a syscall's call tree starts with) and what is kept of each.

use serde::Serialize;

use super::{
    decode::{arg_value, bpf_cmd_name, errno_name},
    tree::CallTree,
};

/// A syscall entry event: `sys_bpf(cmd: 0, uattr: 7ffc…, size: 90)` in graph
/// comments and kernel text, `sys_enter_bpf: cmd: 0x00000000, …` in trace-cmd.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SysEnter {
    /// The syscall (`bpf`).
    pub name: String,
    /// Arguments as printed, in order.
    pub args: Vec<(String, String)>,
}

/// A syscall exit event: `sys_bpf -> 0xffffffffffffffea`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SysExit {
    /// The syscall.
    pub name: String,
    /// The return register as a signed number.
    pub ret: i64,
}

/// A syscall event recognised in a comment or event text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SysEvent {
    /// Entry with arguments.
    Enter(SysEnter),
    /// Exit with the return value.
    Exit(SysExit),
}

/// Recognise a syscall event. `event` is the trace-cmd event name
/// (`sys_enter_bpf`) or empty for the kernel's own text.
pub fn parse_sys_event(event: &[u8], text: &[u8]) -> Option<SysEvent> {
    let text = std::str::from_utf8(text).ok()?.trim();
    if let Some(name) = event.strip_prefix(b"sys_enter_") {
        return Some(SysEvent::Enter(SysEnter {
            name: String::from_utf8_lossy(name).into_owned(),
            args: split_args(text),
        }));
    }
    if let Some(name) = event.strip_prefix(b"sys_exit_") {
        // "0xffffffffffffffea", or with options/fields "__syscall_nr=… ret=0x…"
        let v = text.rsplit("ret=").next().unwrap_or(text);
        return Some(SysEvent::Exit(SysExit {
            name: String::from_utf8_lossy(name).into_owned(),
            ret: ret_value(v)?,
        }));
    }
    if !event.is_empty() {
        return None;
    }
    let rest = text.strip_prefix("sys_")?;
    let name_end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))?;
    let (name, tail) = rest.split_at(name_end);
    if let Some(v) = tail.strip_prefix(" -> ") {
        return Some(SysEvent::Exit(SysExit {
            name: name.to_string(),
            ret: ret_value(v)?,
        }));
    }
    let inner = tail.strip_prefix('(')?.strip_suffix(')')?;
    Some(SysEvent::Enter(SysEnter {
        name: name.to_string(),
        args: split_args(inner),
    }))
}

/// `0xffffffffffffffea` → -22; decimal also accepted.
fn ret_value(v: &str) -> Option<i64> {
    let v = v.trim();
    let v = v.split(|c: char| c.is_whitespace() || c == ')').next()?;
    match v.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16).ok().map(|u| u as i64),
        None => v.parse().ok(),
    }
}

/// Split `cmd: 0, uattr: 7ffc…, size: 90` at the `, name: ` labels (values
/// of newer kernels may contain `, ` inside quoted strings).
fn split_args(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let label = |t: &str| -> Option<usize> {
        // "name: " where name is an identifier, possibly typed ("int cmd: ").
        let colon = t.find(": ")?;
        let head = &t[..colon];
        let ident = head.rsplit([' ', '*']).next()?;
        (!ident.is_empty() && ident.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            .then_some(colon)
    };
    let mut rest = s.trim();
    while !rest.is_empty() {
        let Some(colon) = label(rest) else { break };
        let name = rest[..colon]
            .rsplit([' ', '*'])
            .next()
            .unwrap_or("")
            .to_string();
        let after = &rest[colon + 2..];
        // The value runs to the next ", ident: ".
        let mut cut = after.len();
        let mut from = 0;
        while let Some(p) = after[from..].find(", ") {
            let at = from + p;
            if label(&after[at + 2..]).is_some_and(|c| !after[at + 2..at + 2 + c].contains(", ")) {
                cut = at;
                break;
            }
            from = at + 2;
        }
        out.push((name, after[..cut].trim().to_string()));
        rest = after.get(cut + 2..).unwrap_or("");
    }
    out
}

/// The syscall a function name is the entry point of, for the arch wrappers
/// and the generic helpers a syscall's tree starts with. `top_level` allows
/// the old bare `sys_open` form, which is too common a prefix to trust deeper.
pub fn syscall_root_name(func: &str, top_level: bool) -> Option<&str> {
    const PREFIXES: [&str; 16] = [
        "__x64_sys_",
        "__ia32_sys_",
        "__arm64_sys_",
        "__riscv_sys_",
        "__s390x_sys_",
        "__s390_sys_",
        "__powerpc_sys_",
        "__loongarch_sys_",
        "__x64_compat_sys_",
        "__ia32_compat_sys_",
        "__arm64_compat_sys_",
        "__se_sys_",
        "__do_sys_",
        "ksys_",
        // Before 4.17 (SYSCALL_DEFINE's wrapper on 64-bit arches).
        "SyS_",
        "compat_SyS_",
    ];
    let base = func.split('.').next().unwrap_or(func);
    for p in PREFIXES {
        if let Some(n) = base.strip_prefix(p) {
            return (!n.is_empty()).then_some(n);
        }
    }
    if top_level {
        if let Some(n) = base.strip_prefix("sys_") {
            return (!n.is_empty()
                && n.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
            .then_some(n);
        }
    }
    None
}

/// The generic syscall entry/exit code that runs around every syscall's
/// arch wrapper (x86 and arm64). The function tracer shows it as callers
/// (`__x64_sys_bpf <-do_syscall_64`) and as calls of its own
/// (`syscall_exit_to_user_mode_prepare`): both belong at the top level, next
/// to the wrapper, never inside the previous call's tree.
pub fn is_syscall_glue(func: &str) -> bool {
    const EXACT: [&str; 10] = [
        "do_syscall_64",
        "do_syscall_x64",
        "do_int80_syscall_32",
        "x64_sys_call",
        "x32_sys_call",
        "ia32_sys_call",
        "invoke_syscall",
        "el0_svc_common",
        "trace_syscall_enter",
        "trace_syscall_exit",
    ];
    const PREFIXES: [&str; 7] = [
        "syscall_trace_enter",
        "syscall_exit_to_user_mode",
        "syscall_enter_from_user_mode",
        "syscall_exit_work",
        "exit_to_user_mode",
        "entry_SYSCALL",
        "el0_svc",
    ];
    let base = func.split('.').next().unwrap_or(func);
    EXACT.contains(&base) || PREFIXES.iter().any(|p| base.starts_with(p))
}

/// An arch wrapper (`__x64_sys_bpf`): what the syscall glue calls, as
/// opposed to the generic helpers (`ksys_`, `__se_sys_`, `__do_sys_`) a
/// wrapper calls or tail-calls.
pub fn is_arch_wrapper(func: &str) -> bool {
    syscall_root_name(func, false).is_some()
        && !["ksys_", "__se_sys_", "__do_sys_"]
            .iter()
            .any(|p| func.starts_with(p))
}

/// How a syscall's result became known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RetSource {
    /// The `sys_exit` event.
    ExitEvent,
    /// funcgraph-retval on the syscall's root call.
    Retval,
}

/// One syscall found in a capture.
#[derive(Debug, Clone)]
pub struct Syscall {
    /// The syscall (`bpf`, `openat`).
    pub name: String,
    /// Arguments as the entry event printed them (empty without events).
    pub args: Vec<(String, String)>,
    /// The result, when an exit event or funcgraph-retval showed it.
    pub ret: Option<i64>,
    /// Where `ret` came from.
    pub ret_source: Option<RetSource>,
    /// The task (index into the capture's tasks).
    pub task: usize,
    /// The CPU it started on, when printed.
    pub cpu: Option<u32>,
    /// First line of the syscall (entry event, or its root call).
    pub line: u64,
    /// Last line (exit event, or the root's `}`).
    pub end_line: u64,
    /// Duration of the root call, or from the events' timestamps.
    pub duration_ns: Option<u64>,
    /// Entry timestamp, when printed.
    pub ts_ns: Option<u64>,
    /// The calls it made; `None` when the keep policy dropped the tree.
    pub tree: Option<CallTree>,
    /// Number of traced calls (also when the tree was not kept).
    pub calls: u64,
    /// Events were lost on its CPU while it ran.
    pub lost_events: bool,
    /// The exit (event and root `}`) is not in the capture.
    pub exit_missing: bool,
    /// The trace-marker text written by the task just before this syscall.
    pub marker_before: Option<String>,
    /// Trace markers and other comments inside the syscall.
    pub markers: Vec<(u64, String)>,
    /// Ordinal of this syscall in its capture (0-based, in order of start).
    pub index: usize,
}

impl Syscall {
    /// The errno if the syscall failed (`ret` in -4095..=-1).
    pub fn errno(&self) -> Option<i32> {
        self.ret
            .filter(|r| (-4095..=-1).contains(r))
            .map(|r| (-r) as i32)
    }

    /// The errno's name (`EINVAL`).
    pub fn errno_name(&self) -> Option<&'static str> {
        self.errno().and_then(errno_name)
    }

    /// Whether the result is known to be an error.
    pub fn failed(&self) -> bool {
        self.errno().is_some()
    }

    /// The argument that tells what the call does, decoded: bpf's `cmd`,
    /// ioctl/fcntl's `cmd`, prctl's `option`, socket's `family`.
    pub fn key_arg(&self) -> Option<(String, String)> {
        let want = match self.name.as_str() {
            "bpf" | "ioctl" | "fcntl" => "cmd",
            "prctl" => "option",
            "socket" => "family",
            _ => return None,
        };
        let (_, v) = self.args.iter().find(|(n, _)| n == want)?;
        let n = arg_value(v)?;
        let shown = match self.name.as_str() {
            "bpf" => bpf_cmd_name(n)
                .map(str::to_string)
                .unwrap_or_else(|| n.to_string()),
            _ => format!("{n:#x}"),
        };
        Some((want.to_string(), shown))
    }

    /// `bpf(BPF_MAP_CREATE)`, `openat()`.
    pub fn title(&self) -> String {
        match self.key_arg() {
            Some((_, v)) => format!("{}({v})", self.name),
            None => format!("{}()", self.name),
        }
    }

    /// `-22 EINVAL`, `6`, or `?` when not captured.
    pub fn result_text(&self) -> String {
        match (self.ret, self.errno_name()) {
            (Some(r), Some(e)) => format!("{r} {e}"),
            (Some(r), None) => r.to_string(),
            (None, _) => "?".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_enter_event() {
        let e = parse_sys_event(b"", b"sys_bpf(cmd: 0, uattr: 7ffc67703670, size: 90)").unwrap();
        assert_eq!(
            e,
            SysEvent::Enter(SysEnter {
                name: "bpf".into(),
                args: vec![
                    ("cmd".into(), "0".into()),
                    ("uattr".into(), "7ffc67703670".into()),
                    ("size".into(), "90".into())
                ]
            })
        );
    }

    #[test]
    fn kernel_exit_event() {
        let e = parse_sys_event(b"", b"sys_bpf -> 0xffffffffffffffea").unwrap();
        assert_eq!(
            e,
            SysEvent::Exit(SysExit {
                name: "bpf".into(),
                ret: -22
            })
        );
    }

    #[test]
    fn tracecmd_events() {
        let e = parse_sys_event(
            b"sys_enter_bpf",
            b"cmd: 0x00000000, uattr: 0x7ffdb949d230, size: 0x00000090",
        )
        .unwrap();
        let SysEvent::Enter(e) = e else { panic!() };
        assert_eq!(e.args[2], ("size".into(), "0x00000090".into()));
        let x = parse_sys_event(b"sys_exit_bpf", b"0xffffffffffffffea").unwrap();
        assert_eq!(
            x,
            SysEvent::Exit(SysExit {
                name: "bpf".into(),
                ret: -22
            })
        );
    }

    #[test]
    fn newer_kernel_strings_with_commas() {
        let e = parse_sys_event(
            b"",
            br#"sys_renameat2(olddfd: 0xffffff9c, oldname: 0x7ffe02facdff "/tmp/x, y", newdfd: 0xffffff9c, newname: 0x7ffe02face06 "/tmp/y", flags: 1)"#,
        )
        .unwrap();
        let SysEvent::Enter(e) = e else { panic!() };
        assert_eq!(e.args.len(), 5);
        assert_eq!(e.args[1].1, r#"0x7ffe02facdff "/tmp/x, y""#);
    }

    #[test]
    fn markers_are_not_events() {
        assert_eq!(parse_sys_event(b"", b"bpfcase map_xsk begin"), None);
        assert_eq!(parse_sys_event(b"tracing_mark_write", b"hello"), None);
    }

    #[test]
    fn root_names() {
        assert_eq!(syscall_root_name("__x64_sys_bpf", false), Some("bpf"));
        assert_eq!(
            syscall_root_name("__arm64_sys_openat", false),
            Some("openat")
        );
        assert_eq!(syscall_root_name("__sys_bpf", false), None);
        assert_eq!(syscall_root_name("x64_sys_call", false), None);
        assert_eq!(syscall_root_name("sys_open", true), Some("open"));
        // pt-kprobe-retval-pidunknown (public, ~3.x): `SyS_open+0x1e/0x20`.
        assert_eq!(syscall_root_name("SyS_open", false), Some("open"));
        assert_eq!(syscall_root_name("__ia32_sys_read", false), Some("read"));
        assert_eq!(syscall_root_name("__riscv_sys_read", false), Some("read"));
        assert_eq!(syscall_root_name("__s390x_sys_read", false), Some("read"));
        assert_eq!(syscall_root_name("sys_open", false), None);
        assert_eq!(
            syscall_root_name("__x64_sys_mkdir.cold", false),
            Some("mkdir")
        );
    }
}
