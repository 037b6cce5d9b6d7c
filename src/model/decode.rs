//! Numbers the kernel prints, turned into the names people search for:
//! errno values (`include/uapi/asm-generic/errno*.h`, `include/linux/errno.h`)
//! and `bpf(2)` commands (`include/uapi/linux/bpf.h`, `enum bpf_cmd`).

/// The symbolic name of a positive errno, for x86, arm64, riscv and the other
/// architectures that use the generic numbers.
pub fn errno_name(n: i32) -> Option<&'static str> {
    let name = match n {
        1..=133 => ERRNO_BASE[n as usize],
        512..=531 => ERRNO_INTERNAL[(n - 512) as usize],
        _ => "",
    };
    (!name.is_empty()).then_some(name)
}

/// The generic errno numbers, by value (`""` where none is defined).
const ERRNO_BASE: [&str; 134] = [
    "",
    "EPERM",
    "ENOENT",
    "ESRCH",
    "EINTR",
    "EIO",
    "ENXIO",
    "E2BIG",
    "ENOEXEC",
    "EBADF",
    "ECHILD",
    "EAGAIN",
    "ENOMEM",
    "EACCES",
    "EFAULT",
    "ENOTBLK",
    "EBUSY",
    "EEXIST",
    "EXDEV",
    "ENODEV",
    "ENOTDIR",
    "EISDIR",
    "EINVAL",
    "ENFILE",
    "EMFILE",
    "ENOTTY",
    "ETXTBSY",
    "EFBIG",
    "ENOSPC",
    "ESPIPE",
    "EROFS",
    "EMLINK",
    "EPIPE",
    "EDOM",
    "ERANGE",
    "EDEADLK",
    "ENAMETOOLONG",
    "ENOLCK",
    "ENOSYS",
    "ENOTEMPTY",
    "ELOOP",
    "",
    "ENOMSG",
    "EIDRM",
    "ECHRNG",
    "EL2NSYNC",
    "EL3HLT",
    "EL3RST",
    "ELNRNG",
    "EUNATCH",
    "ENOCSI",
    "EL2HLT",
    "EBADE",
    "EBADR",
    "EXFULL",
    "ENOANO",
    "EBADRQC",
    "EBADSLT",
    "",
    "EBFONT",
    "ENOSTR",
    "ENODATA",
    "ETIME",
    "ENOSR",
    "ENONET",
    "ENOPKG",
    "EREMOTE",
    "ENOLINK",
    "EADV",
    "ESRMNT",
    "ECOMM",
    "EPROTO",
    "EMULTIHOP",
    "EDOTDOT",
    "EBADMSG",
    "EOVERFLOW",
    "ENOTUNIQ",
    "EBADFD",
    "EREMCHG",
    "ELIBACC",
    "ELIBBAD",
    "ELIBSCN",
    "ELIBMAX",
    "ELIBEXEC",
    "EILSEQ",
    "ERESTART",
    "ESTRPIPE",
    "EUSERS",
    "ENOTSOCK",
    "EDESTADDRREQ",
    "EMSGSIZE",
    "EPROTOTYPE",
    "ENOPROTOOPT",
    "EPROTONOSUPPORT",
    "ESOCKTNOSUPPORT",
    "EOPNOTSUPP",
    "EPFNOSUPPORT",
    "EAFNOSUPPORT",
    "EADDRINUSE",
    "EADDRNOTAVAIL",
    "ENETDOWN",
    "ENETUNREACH",
    "ENETRESET",
    "ECONNABORTED",
    "ECONNRESET",
    "ENOBUFS",
    "EISCONN",
    "ENOTCONN",
    "ESHUTDOWN",
    "ETOOMANYREFS",
    "ETIMEDOUT",
    "ECONNREFUSED",
    "EHOSTDOWN",
    "EHOSTUNREACH",
    "EALREADY",
    "EINPROGRESS",
    "ESTALE",
    "EUCLEAN",
    "ENOTNAM",
    "ENAVAIL",
    "EISNAM",
    "EREMOTEIO",
    "EDQUOT",
    "ENOMEDIUM",
    "EMEDIUMTYPE",
    "ECANCELED",
    "ENOKEY",
    "EKEYEXPIRED",
    "EKEYREVOKED",
    "EKEYREJECTED",
    "EOWNERDEAD",
    "ENOTRECOVERABLE",
    "ERFKILL",
    "EHWPOISON",
];
/// Kernel-internal codes from 512 on that leak into funcgraph-retval output
/// (and, for BPF, into user space: -ENOTSUPP = -524).
const ERRNO_INTERNAL: [&str; 20] = [
    "ERESTARTSYS",
    "ERESTARTNOINTR",
    "ERESTARTNOHAND",
    "ENOIOCTLCMD",
    "ERESTART_RESTARTBLOCK",
    "EPROBE_DEFER",
    "EOPENSTALE",
    "ENOPARAM",
    "",
    "EBADHANDLE",
    "ENOTSYNC",
    "EBADCOOKIE",
    "ENOTSUPP",
    "ETOOSMALL",
    "ESERVERFAULT",
    "EBADTYPE",
    "EJUKEBOX",
    "EIOCBQUEUED",
    "ERECALLCONFLICT",
    "ENOGRACE",
];

/// The `enum bpf_cmd` name of a `bpf(2)` command number. The pending
/// `BPF_COMMON_ATTRS` flag (bit 16) is masked off first.
pub fn bpf_cmd_name(cmd: u64) -> Option<&'static str> {
    BPF_CMDS.get((cmd & 0xffff) as usize).copied()
}

/// The `AF_*` name of a `socket(2)` address family (include/linux/socket.h,
/// 6.12; the numbers are user ABI). `AF_MAX` (46 there) is a bound, not a
/// family: a newer kernel may give it a name, so it and anything above are
/// shown as numbers.
pub fn socket_family_name(family: u64) -> Option<&'static str> {
    usize::try_from(family)
        .ok()
        .and_then(|f| SOCKET_FAMILIES.get(f))
        .copied()
}

/// `AF_*`, by value (`AF_UNIX` for 1, not its POSIX alias `AF_LOCAL`).
const SOCKET_FAMILIES: [&str; 46] = [
    "AF_UNSPEC",
    "AF_UNIX",
    "AF_INET",
    "AF_AX25",
    "AF_IPX",
    "AF_APPLETALK",
    "AF_NETROM",
    "AF_BRIDGE",
    "AF_ATMPVC",
    "AF_X25",
    "AF_INET6",
    "AF_ROSE",
    "AF_DECnet",
    "AF_NETBEUI",
    "AF_SECURITY",
    "AF_KEY",
    "AF_NETLINK",
    "AF_PACKET",
    "AF_ASH",
    "AF_ECONET",
    "AF_ATMSVC",
    "AF_RDS",
    "AF_SNA",
    "AF_IRDA",
    "AF_PPPOX",
    "AF_WANPIPE",
    "AF_LLC",
    "AF_IB",
    "AF_MPLS",
    "AF_CAN",
    "AF_TIPC",
    "AF_BLUETOOTH",
    "AF_IUCV",
    "AF_RXRPC",
    "AF_ISDN",
    "AF_PHONET",
    "AF_IEEE802154",
    "AF_CAIF",
    "AF_ALG",
    "AF_NFC",
    "AF_VSOCK",
    "AF_KCM",
    "AF_QIPCRTR",
    "AF_SMC",
    "AF_XDP",
    "AF_MCTP",
];

/// `enum bpf_cmd`, by value.
const BPF_CMDS: [&str; 39] = [
    "BPF_MAP_CREATE",
    "BPF_MAP_LOOKUP_ELEM",
    "BPF_MAP_UPDATE_ELEM",
    "BPF_MAP_DELETE_ELEM",
    "BPF_MAP_GET_NEXT_KEY",
    "BPF_PROG_LOAD",
    "BPF_OBJ_PIN",
    "BPF_OBJ_GET",
    "BPF_PROG_ATTACH",
    "BPF_PROG_DETACH",
    "BPF_PROG_TEST_RUN",
    "BPF_PROG_GET_NEXT_ID",
    "BPF_MAP_GET_NEXT_ID",
    "BPF_PROG_GET_FD_BY_ID",
    "BPF_MAP_GET_FD_BY_ID",
    "BPF_OBJ_GET_INFO_BY_FD",
    "BPF_PROG_QUERY",
    "BPF_RAW_TRACEPOINT_OPEN",
    "BPF_BTF_LOAD",
    "BPF_BTF_GET_FD_BY_ID",
    "BPF_TASK_FD_QUERY",
    "BPF_MAP_LOOKUP_AND_DELETE_ELEM",
    "BPF_MAP_FREEZE",
    "BPF_BTF_GET_NEXT_ID",
    "BPF_MAP_LOOKUP_BATCH",
    "BPF_MAP_LOOKUP_AND_DELETE_BATCH",
    "BPF_MAP_UPDATE_BATCH",
    "BPF_MAP_DELETE_BATCH",
    "BPF_LINK_CREATE",
    "BPF_LINK_UPDATE",
    "BPF_LINK_GET_FD_BY_ID",
    "BPF_LINK_GET_NEXT_ID",
    "BPF_ENABLE_STATS",
    "BPF_ITER_CREATE",
    "BPF_LINK_DETACH",
    "BPF_PROG_BIND_MAP",
    "BPF_TOKEN_CREATE",
    "BPF_PROG_STREAM_READ_BY_FD",
    "BPF_PROG_ASSOC_STRUCT_OPS",
];

/// A syscall argument as the event printed it: hex, with or without `0x`
/// (older kernels print `%lx` without the prefix, newer ones `0x%lx` or a
/// decimal below 10, which reads the same in both bases). Annotations after
/// the number (`"string"`, `(2f:72)`) are ignored.
pub fn arg_value(text: &str) -> Option<u64> {
    let t = text.trim();
    let t = t.strip_prefix("0x").unwrap_or(t);
    let end = t.find(|c: char| !c.is_ascii_hexdigit()).unwrap_or(t.len());
    if end == 0 || end > 16 {
        return None;
    }
    u64::from_str_radix(&t[..end], 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errno_names() {
        assert_eq!(errno_name(22), Some("EINVAL"));
        assert_eq!(errno_name(2), Some("ENOENT"));
        assert_eq!(errno_name(17), Some("EEXIST"));
        assert_eq!(errno_name(133), Some("EHWPOISON"));
        assert_eq!(errno_name(524), Some("ENOTSUPP"));
        assert_eq!(errno_name(41), None);
        assert_eq!(errno_name(0), None);
        assert_eq!(errno_name(4095), None);
    }

    #[test]
    fn bpf_cmds() {
        assert_eq!(bpf_cmd_name(0), Some("BPF_MAP_CREATE"));
        assert_eq!(bpf_cmd_name(0xa), Some("BPF_PROG_TEST_RUN"));
        assert_eq!(bpf_cmd_name(36), Some("BPF_TOKEN_CREATE"));
        assert_eq!(bpf_cmd_name(0x1_0005), Some("BPF_PROG_LOAD"));
        assert_eq!(bpf_cmd_name(200), None);
    }

    #[test]
    fn socket_families() {
        // The two families of the 6.12 socket-eafnosupport pair, and the
        // last one 6.12 names.
        assert_eq!(socket_family_name(1), Some("AF_UNIX"));
        assert_eq!(socket_family_name(10), Some("AF_INET6"));
        assert_eq!(socket_family_name(44), Some("AF_XDP"));
        assert_eq!(socket_family_name(45), Some("AF_MCTP"));
        assert_eq!(socket_family_name(46), None);
        assert_eq!(socket_family_name(u64::MAX), None);
    }

    #[test]
    fn arg_values_in_both_renderings() {
        assert_eq!(arg_value("90"), Some(0x90));
        assert_eq!(arg_value("0x00000090"), Some(0x90));
        assert_eq!(arg_value("a"), Some(10));
        assert_eq!(arg_value("0x7ffc8d7b2c30 \"/tmp/x\""), Some(0x7ffc8d7b2c30));
        assert_eq!(arg_value("O_RDONLY"), None);
    }
}
