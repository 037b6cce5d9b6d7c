//! What a line's text says beyond its record: whether a line without its
//! newline is complete, whether it closes a multi-line comment, whether it
//! is an elision someone typed into a capture. The loader asks these of
//! lines the grammar rejected or the input cut.

/// A last line without `\n` whose body is not a complete statement: a
/// graph line (it has the `|` column) that does not end in `;`, `{`, `}`,
/// `*/` or `]`.
pub fn looks_cut(bytes: &[u8]) -> bool {
    let t = bytes.trim_ascii_end();
    !(t.ends_with(b";")
        || t.ends_with(b"{")
        || t.ends_with(b"}")
        || t.ends_with(b"*/")
        || t.ends_with(b"]"))
        && memchr::memchr(b'|', t).is_some()
}

/// A continuation line of an open `/* … */` comment that closes it.
pub fn closes_comment(bytes: &[u8]) -> bool {
    bytes.trim_ascii_end().ends_with(b"*/")
}

/// `...` or `…` alone on a line (trimmed): a cut made by hand, not ftrace
/// output.
pub fn is_elision(trimmed: &[u8]) -> bool {
    trimmed.iter().all(|&c| c == b'.') || trimmed == "…".as_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn complete_and_cut_last_lines() {
        for done in [
            &b" 0)   1.262 us    |      bpf_check_uarg_tail_zero();"[..],
            b" 0)               |  __x64_sys_bpf() {",
            b" 0)   0.900 us    |  }",
            b" 0)   0.900 us    |  } /* __sys_bpf */",
            b" 0)               |  /* sys_bpf(cmd: 0) */",
            b" 0)   1.000 us    |  f(); /* = 0 */ [a]",
            b"no graph column here",
        ] {
            assert!(!looks_cut(done), "{}", String::from_utf8_lossy(done));
        }
        for cut in [
            &b" 0)   1.262 us    |      bpf_check_ua"[..],
            b" 0)   1.2 us |  f() /* = -2",
        ] {
            assert!(looks_cut(cut), "{}", String::from_utf8_lossy(cut));
        }
    }

    #[test]
    fn comment_continuations_and_elisions() {
        assert!(closes_comment(b"end of the message */  "));
        assert!(!closes_comment(b"more of the message"));
        assert!(is_elision(b"..."));
        assert!(is_elision("…".as_bytes()));
        assert!(!is_elision(b".. x"));
    }
}
