//! The text of syscall events: `sys_bpf(cmd: 0, uattr: 7ffc…, size: 90)`
//! and `sys_bpf -> 0xffffffffffffffea` in graph comments and kernel text,
//! `sys_enter_bpf: cmd: 0x00000000, …` / `sys_exit_bpf: 0xffff…` in
//! trace-cmd. Read into typed values the model consumes.

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
    /// An exit whose printed value is no 64-bit number (`sys_bpf ->
    /// 0x1ffffffffffffffea`): a damaged or forged line. Its return value is
    /// unknown, which the report must say rather than read it as a marker.
    BadExit {
        /// The syscall.
        name: String,
        /// The value as printed (at most 64 bytes of it).
        value: String,
    },
}

/// An exit event of `name` printing `v`: its value, or why not.
fn exit_event(name: String, v: &str) -> SysEvent {
    match ret_value(v) {
        Some(ret) => SysEvent::Exit(SysExit { name, ret }),
        None => SysEvent::BadExit {
            name,
            value: v.trim().chars().take(64).collect(),
        },
    }
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
        return Some(exit_event(String::from_utf8_lossy(name).into_owned(), v));
    }
    if !event.is_empty() {
        return None;
    }
    let rest = text.strip_prefix("sys_")?;
    let name_end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))?;
    let (name, tail) = rest.split_at(name_end);
    if let Some(v) = tail.strip_prefix(" -> ") {
        return Some(exit_event(name.to_string(), v));
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
    fn an_exit_value_out_of_range_is_a_bad_exit_not_a_marker() {
        for (event, text) in [
            (&b""[..], &b"sys_bpf -> 0x1ffffffffffffffea"[..]),
            (b"", b"sys_bpf -> 99999999999999999999"),
            (b"sys_exit_bpf", b"0x1ffffffffffffffea"),
        ] {
            let e = parse_sys_event(event, text).unwrap();
            assert!(
                matches!(&e, SysEvent::BadExit { name, .. } if name == "bpf"),
                "{e:?}"
            );
        }
    }

    #[test]
    fn markers_are_not_events() {
        assert_eq!(parse_sys_event(b"", b"bpfcase map_xsk begin"), None);
        assert_eq!(parse_sys_event(b"tracing_mark_write", b"hello"), None);
    }
}
