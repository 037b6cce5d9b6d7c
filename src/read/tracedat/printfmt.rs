//! An event's `print fmt`: the C format string and its arguments, evaluated
//! for the forms syscall and most simple events use (`REC->field` under
//! casts, `__get_str(field)`), the way libtraceevent prints them. Anything
//! else (`__print_symbolic`, arithmetic, helpers) makes [`PrintFmt::parse`]
//! decline, and the event is printed as its fields instead.

use std::io::Write;

use super::{cursor::Endian, format::EventFormat};

/// Widths and precisions are capped (the format comes from the file).
const MAX_WIDTH: usize = 256;

/// One conversion: `%[flags][width][.prec][length]conv`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Spec {
    minus: bool,
    zero: bool,
    alt: bool,
    width: usize,
    prec: Option<usize>,
    /// Bytes of the C type the value is cut to (`h` 2, none 4, `l` long, `ll` 8).
    len: u8,
    /// `d`, `u`, `x`, `X`, `o`, `c`, `s`, `p`, or `S` for `%pS`/`%ps` (a symbol).
    conv: u8,
}

/// What an argument reads.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Arg {
    Field(String),
    Str(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Lit(Vec<u8>),
    Conv(Spec, Arg),
}

/// A parsed `print fmt`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintFmt {
    pieces: Vec<Piece>,
}

/// Where `%ps` looks functions up.
pub type Symbols<'a> = &'a dyn Fn(u64) -> Option<&'a [u8]>;

impl PrintFmt {
    /// Parse `"fmt", args…`; `None` for a form this does not evaluate.
    pub fn parse(s: &str) -> Option<PrintFmt> {
        let s = s.strip_prefix('"')?;
        let end = closing_quote(s)?;
        let fmt = unescape(&s[..end]);
        let args: Vec<Arg> = split_args(&s[end + 1..])?
            .into_iter()
            .map(arg)
            .collect::<Option<_>>()?;
        let mut args = args.into_iter();
        let mut pieces = Vec::new();
        let mut lit = Vec::new();
        let mut i = 0;
        while i < fmt.len() {
            if fmt[i] != b'%' {
                lit.push(fmt[i]);
                i += 1;
                continue;
            }
            if fmt.get(i + 1) == Some(&b'%') {
                lit.push(b'%');
                i += 2;
                continue;
            }
            let (spec, used) = spec(&fmt[i + 1..])?;
            i += 1 + used;
            if !lit.is_empty() {
                pieces.push(Piece::Lit(std::mem::take(&mut lit)));
            }
            pieces.push(Piece::Conv(spec, args.next()?));
        }
        if !lit.is_empty() {
            pieces.push(Piece::Lit(lit));
        }
        args.next().is_none().then_some(PrintFmt { pieces })
    }

    /// Print the event; `None` when a field is missing or the event short.
    pub fn render(
        &self,
        ev: &EventFormat,
        data: &[u8],
        e: Endian,
        long: u8,
        syms: Symbols<'_>,
        out: &mut Vec<u8>,
    ) -> Option<()> {
        for p in &self.pieces {
            match p {
                Piece::Lit(l) => out.extend_from_slice(l),
                Piece::Conv(spec, Arg::Str(name)) => {
                    let b = ev.field(name)?.bytes(data, e)?;
                    let b = &b[..memchr::memchr(0, b).unwrap_or(b.len())];
                    pad(out, spec, b);
                }
                Piece::Conv(spec, Arg::Field(name)) => {
                    let f = ev.field(name)?;
                    if spec.conv == b's' {
                        let b = f.bytes(data, e)?;
                        pad(out, spec, &b[..memchr::memchr(0, b).unwrap_or(b.len())]);
                    } else {
                        number(out, spec, f.value(data, e)?, long, syms);
                    }
                }
            }
        }
        Some(())
    }
}

fn closing_quote(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

fn unescape(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut it = s.bytes();
    while let Some(c) = it.next() {
        if c != b'\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some(b'n') => out.push(b'\n'),
            Some(b't') => out.push(b'\t'),
            Some(o) => out.push(o),
            None => {}
        }
    }
    out
}

/// `, a, b(c, d), e` → `["a", "b(c, d)", "e"]`.
fn split_args(s: &str) -> Option<Vec<&str>> {
    let s = s.trim();
    if s.is_empty() {
        return Some(Vec::new());
    }
    let s = s.strip_prefix(',')?;
    let (mut out, mut depth, mut start) = (Vec::new(), 0i32, 0);
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(s[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(s[start..].trim());
    Some(out)
}

/// `((unsigned long)(REC->x))`, `(void *)REC->x`, `__get_str(x)`.
fn arg(a: &str) -> Option<Arg> {
    let mut a = a.trim();
    loop {
        if let Some(f) = a.strip_prefix("REC->") {
            let ok = f.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
            return ok.then(|| Arg::Field(f.to_string()));
        }
        if let Some(inner) = a
            .strip_prefix("__get_str(")
            .and_then(|r| r.strip_suffix(')'))
        {
            return Some(Arg::Str(inner.trim().to_string()));
        }
        let rest = a.strip_prefix('(')?;
        let close = matching(rest)?;
        if close == rest.len() - 1 {
            a = rest[..close].trim(); // (expr)
        } else if !rest[..close].contains("REC") {
            a = rest[close + 1..].trim(); // (type)expr
        } else {
            return None;
        }
    }
}

fn matching(s: &str) -> Option<usize> {
    let mut depth = 0;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return Some(i),
            ')' => depth -= 1,
            _ => {}
        }
    }
    None
}

fn spec(f: &[u8]) -> Option<(Spec, usize)> {
    let mut s = Spec {
        minus: false,
        zero: false,
        alt: false,
        width: 0,
        prec: None,
        len: 4,
        conv: 0,
    };
    let mut i = 0;
    while let Some(&c) = f.get(i) {
        match c {
            b'-' => s.minus = true,
            b'0' => s.zero = true,
            b'#' => s.alt = true,
            b' ' | b'+' => {}
            _ => break,
        }
        i += 1;
    }
    while let Some(d) = f.get(i).filter(|c| c.is_ascii_digit()) {
        s.width = (s.width * 10 + usize::from(d - b'0')).min(MAX_WIDTH);
        i += 1;
    }
    if f.get(i) == Some(&b'.') {
        i += 1;
        let mut p = 0;
        while let Some(d) = f.get(i).filter(|c| c.is_ascii_digit()) {
            p = (p * 10 + usize::from(d - b'0')).min(MAX_WIDTH);
            i += 1;
        }
        s.prec = Some(p);
    }
    let mut longs = 0;
    while let Some(&c) = f.get(i) {
        match c {
            b'l' => longs += 1,
            b'h' => s.len = if s.len == 2 { 1 } else { 2 },
            b'z' => longs = 1,
            _ => break,
        }
        i += 1;
    }
    s.len = match longs {
        0 => s.len,
        1 => 0, // long: the kernel's size, given at print time
        _ => 8,
    };
    s.conv = *f.get(i)?;
    i += 1;
    match s.conv {
        b'd' | b'i' | b'u' | b'x' | b'X' | b'o' | b'c' | b's' => {}
        b'p' => {
            if let Some(b's' | b'S' | b'f' | b'F') = f.get(i) {
                s.conv = b'S';
                i += 1;
            }
        }
        _ => return None,
    }
    Some((s, i))
}

fn number(out: &mut Vec<u8>, s: &Spec, v: u64, long: u8, syms: Symbols<'_>) {
    let bytes = if s.len == 0 { long } else { s.len };
    let cut = if bytes >= 8 {
        v
    } else {
        v & ((1u64 << (8 * u32::from(bytes))) - 1)
    };
    let signed = || {
        let shift = 64 - 8 * u32::from(bytes.min(8));
        ((cut << shift) as i64) >> shift
    };
    let mut digits = Vec::new();
    let _ = match s.conv {
        b'd' | b'i' => write!(digits, "{}", signed()),
        b'u' => write!(digits, "{cut}"),
        b'x' => write!(
            digits,
            "{}{cut:x}",
            if s.alt && cut != 0 { "0x" } else { "" }
        ),
        b'X' => write!(
            digits,
            "{}{cut:X}",
            if s.alt && cut != 0 { "0X" } else { "" }
        ),
        b'o' => write!(digits, "{cut:o}"),
        b'c' => write!(digits, "{}", char::from(cut as u8)),
        b'S' => match syms(v) {
            Some(name) => {
                digits.extend_from_slice(name);
                Ok(())
            }
            None => write!(digits, "0x{v:x}"),
        },
        _ => write!(digits, "0x{v:x}"),
    };
    if let Some(p) = s.prec.filter(|_| s.conv != b'S') {
        let neg = digits.first() == Some(&b'-');
        let n = digits.len() - usize::from(neg);
        if n < p {
            let at = usize::from(neg);
            digits.splice(at..at, std::iter::repeat_n(b'0', p - n));
        }
    }
    if s.zero && !s.minus && s.prec.is_none() && digits.len() < s.width && s.conv != b'S' {
        let at = usize::from(digits.first() == Some(&b'-'));
        let n = s.width - digits.len();
        digits.splice(at..at, std::iter::repeat_n(b'0', n));
    }
    pad(out, s, &digits);
}

fn pad(out: &mut Vec<u8>, s: &Spec, text: &[u8]) {
    let text = match (s.conv, s.prec) {
        (b's', Some(p)) => &text[..text.len().min(p)],
        _ => text,
    };
    let fill = s.width.saturating_sub(text.len());
    if !s.minus {
        out.extend(std::iter::repeat_n(b' ', fill));
    }
    out.extend_from_slice(text);
    if s.minus {
        out.extend(std::iter::repeat_n(b' ', fill));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::tracedat::format::parse_format;

    fn ev(fields: &str, fmt: &str) -> EventFormat {
        parse_format(format!("name: e\nID: 1\nformat:\n{fields}\nprint fmt: {fmt}\n").as_bytes())
            .unwrap()
    }

    #[test]
    fn syscall_formats_print_as_libtraceevent() {
        // The real sys_enter_bpf and sys_exit_bpf of the 6.1 capture.
        let e = ev(
            "\tfield:int cmd;\toffset:16;\tsize:8;\tsigned:0;\n\tfield:long ret;\toffset:24;\tsize:8;\tsigned:1;",
            "\"cmd: 0x%08lx, ret: 0x%lx %d\", ((unsigned long)(REC->cmd)), REC->ret, REC->ret",
        );
        let mut data = vec![0u8; 32];
        data[16] = 5;
        data[24..32].copy_from_slice(&(-22i64).to_le_bytes());
        let mut out = Vec::new();
        let none = |_| None;
        e.print
            .as_ref()
            .unwrap()
            .render(&e, &data, Endian::Little, 8, &none, &mut out)
            .unwrap();
        assert_eq!(out, b"cmd: 0x00000005, ret: 0xffffffffffffffea -22");
    }

    #[test]
    fn unknown_helpers_decline() {
        assert!(PrintFmt::parse("\"%s\", __print_symbolic(REC->x, {1, \"a\"})").is_none());
        assert!(PrintFmt::parse("\"%d %d\", REC->x").is_none());
        assert!(PrintFmt::parse("\"%-5s|%5.3d\", __get_str(n), REC->x").is_some());
    }
}
