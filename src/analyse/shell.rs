//! Names from a capture in shell lines meant for a root shell.
//!
//! A capture may come from a stranger, and a function or syscall name in it
//! is any text the producer chose (`map_create;touch /tmp/x;echo`). The
//! recipes of the report are pasted into a root shell, so a name reaches a
//! shell line only when it is a kernel identifier — `[A-Za-z0-9_.]+`, what
//! the kernel itself can name a function — and then single-quoted; any
//! other name is left out and the recipe says so.

/// `name` when it is a kernel identifier (`[A-Za-z0-9_.]+`, as in
/// `foo.isra.0`); a module function as ftrace prints it (`ext4_foo [ext4]`)
/// gives its function part. `None` for anything else.
pub fn kernel_ident(name: &str) -> Option<&str> {
    let name = match name.strip_suffix(']').and_then(|n| n.split_once(" [")) {
        Some((func, module)) if is_ident(module) => func,
        _ => name,
    };
    is_ident(name).then_some(name)
}

/// Whether `s` is a kernel identifier (`[A-Za-z0-9_.]+`), module suffix
/// not allowed.
pub(crate) fn is_ident(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
}

/// `'prefix NAME suffix'` as one single-quoted shell word, when `name` is a
/// kernel identifier; `prefix` and `suffix` are this program's own text and
/// must hold no `'`.
pub fn quoted(prefix: &str, name: &str, suffix: &str) -> Option<String> {
    debug_assert!(!prefix.contains('\'') && !suffix.contains('\''));
    kernel_ident(name).map(|n| format!("'{prefix}{n}{suffix}'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_kernel_identifiers_pass() {
        assert_eq!(kernel_ident("__x64_sys_bpf"), Some("__x64_sys_bpf"));
        assert_eq!(kernel_ident("foo.isra.0"), Some("foo.isra.0"));
        assert_eq!(kernel_ident("ext4_foo [ext4]"), Some("ext4_foo"));
        for bad in [
            "",
            "map_create;touch /tmp/PWNED;echo",
            "a b",
            "$(id)",
            "`id`",
            "f'x",
            "f\nx",
            "ext4_foo [ext4;id]",
            "f()",
            "é",
        ] {
            assert_eq!(kernel_ident(bad), None, "{bad:?}");
        }
        assert_eq!(
            quoted("events/syscalls/sys_enter_", "bpf", "/enable").as_deref(),
            Some("'events/syscalls/sys_enter_bpf/enable'")
        );
        assert_eq!(quoted("", "a;b", ""), None);
    }
}
