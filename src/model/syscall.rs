//! Syscalls: how they are recognised in a capture (entry/exit events, whose
//! text `parse::sysevent` reads, or the arch wrapper a syscall's call tree
//! starts with) and what is kept of each.

use serde::Serialize;

use super::{
    decode::{arg_value, bpf_cmd_name, errno_name, socket_family_name},
    tree::CallTree,
};

/// `func` without a compiler suffix (`.cold`, `.isra.0`): byte search, as
/// this runs for every syscall a capture holds.
fn without_suffix(func: &str) -> &str {
    match func.bytes().position(|b| b == b'.') {
        Some(i) => &func[..i],
        None => func,
    }
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
    let base = without_suffix(func);
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
    let base = without_suffix(func);
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
    /// Not a syscall: a tree rooted at the outermost traced call of its
    /// task that is no syscall entry point (`name` is that function). Kept,
    /// grouped, compared and drawn like a syscall; reported as a root.
    pub root: bool,
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

    /// Its duration is the time from its entry event to its exit event:
    /// it has no call tree to take the root call's from.
    pub fn timed_by_events(&self) -> bool {
        self.tree.is_none() && self.duration_ns.is_some()
    }

    /// Whether the result is known to be an error.
    pub fn failed(&self) -> bool {
        self.errno().is_some()
    }

    /// The value of the argument that tells what the call does, decoded:
    /// bpf's `cmd`, ioctl/fcntl's `cmd`, prctl's `option`, socket's
    /// `family`.
    pub fn key_arg(&self) -> Option<String> {
        let want = match self.name.as_str() {
            "bpf" | "ioctl" | "fcntl" => "cmd",
            "prctl" => "option",
            "socket" => "family",
            _ => return None,
        };
        let (_, v) = self.args.iter().find(|(n, _)| n == want)?;
        let n = arg_value(v)?;
        // Commands and families with a name table: the name, else decimal.
        let named = match self.name.as_str() {
            "bpf" => bpf_cmd_name,
            "socket" => socket_family_name,
            _ => return Some(format!("{n:#x}")),
        };
        Some(named(n).map_or_else(|| n.to_string(), str::to_string))
    }

    /// `bpf(BPF_MAP_CREATE)`, `openat()`.
    pub fn title(&self) -> String {
        format!("{}({})", self.name, self.key_arg().unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
