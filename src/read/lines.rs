//! Line splitting with `memchr` straight out of the reader's buffer: a line
//! that lies inside the buffer is handed out without a copy; only a line that
//! straddles a refill is assembled in a side buffer, which is capped so a
//! megabyte of garbage without a newline cannot grow memory.

use std::io::{self, BufRead};

/// The longest line kept; the rest of a longer line is skipped and the line
/// marked. The kernel's own lines are bounded by a page (`trace_seq`).
pub const MAX_LINE: usize = 64 * 1024;

/// One line of input.
#[derive(Debug, Clone, Copy)]
pub struct Line<'a> {
    /// 1-based line number.
    pub number: u64,
    /// The bytes, without `\n` and without one trailing `\r`.
    pub bytes: &'a [u8],
    /// `false` for a last line that had no `\n` (a capture cut off).
    pub terminated: bool,
    /// The line's real length when it was longer than [`MAX_LINE`].
    pub overlong: Option<u64>,
}

/// Call `f` for every line of `reader`, in order.
pub fn for_each_line<R, F>(reader: &mut R, mut f: F) -> io::Result<()>
where
    R: BufRead + ?Sized,
    F: FnMut(Line<'_>) -> io::Result<()>,
{
    let mut number = 0u64;
    let mut partial: Vec<u8> = Vec::new();
    let mut partial_len = 0u64; // real length of the straddling line
    loop {
        let buf = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                // A compressed stream cut off mid-line: hand out what there
                // is of the line (unterminated, like any cut last line), so
                // the caller can keep everything before the error.
                if partial_len > 0 {
                    emit(&mut f, number + 1, &partial, false, partial_len)?;
                }
                return Err(e);
            }
        };
        if buf.is_empty() {
            if partial_len > 0 {
                number += 1;
                emit(&mut f, number, &partial, false, partial_len)?;
            }
            return Ok(());
        }
        let mut start = 0;
        let len = buf.len();
        while let Some(nl) = memchr::memchr(b'\n', &buf[start..]) {
            let end = start + nl;
            number += 1;
            if partial_len == 0 {
                emit(&mut f, number, &buf[start..end], true, (end - start) as u64)?;
            } else {
                let piece = &buf[start..end];
                let room = MAX_LINE.saturating_sub(partial.len());
                partial.extend_from_slice(&piece[..piece.len().min(room)]);
                partial_len += piece.len() as u64;
                emit(&mut f, number, &partial, true, partial_len)?;
                partial.clear();
                partial_len = 0;
            }
            start = end + 1;
        }
        let rest = &buf[start..];
        if !rest.is_empty() {
            let room = MAX_LINE.saturating_sub(partial.len());
            partial.extend_from_slice(&rest[..rest.len().min(room)]);
            partial_len += rest.len() as u64;
            if partial_len >= MAX_LINE as u64 {
                super::limits::check_long_line(number + 1, &partial, partial_len)?;
            }
        }
        reader.consume(len);
    }
}

fn emit<F>(f: &mut F, number: u64, bytes: &[u8], terminated: bool, real_len: u64) -> io::Result<()>
where
    F: FnMut(Line<'_>) -> io::Result<()>,
{
    let (bytes, overlong) = finish(bytes, real_len);
    f(Line {
        number,
        bytes,
        terminated,
        overlong,
    })
}

/// A line as it is handed out (here and by [`super::chunks::Chunk::lines`]):
/// at most [`MAX_LINE`] bytes, one trailing `\r` stripped, and its real
/// length when it was longer.
pub(crate) fn finish(bytes: &[u8], real_len: u64) -> (&[u8], Option<u64>) {
    let bytes = &bytes[..bytes.len().min(MAX_LINE)];
    (
        bytes.strip_suffix(b"\r").unwrap_or(bytes),
        (real_len > MAX_LINE as u64).then_some(real_len),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(input: &[u8], cap: usize) -> Vec<(u64, Vec<u8>, bool, Option<u64>)> {
        let mut r = io::BufReader::with_capacity(cap, input);
        let mut out = Vec::new();
        for_each_line(&mut r, |l| {
            out.push((l.number, l.bytes.to_vec(), l.terminated, l.overlong));
            Ok(())
        })
        .unwrap();
        out
    }

    #[test]
    fn splits_crlf_and_unterminated_last_line() {
        let got = collect(b"a\r\nbb\n\nccc", 4);
        assert_eq!(
            got,
            vec![
                (1, b"a".to_vec(), true, None),
                (2, b"bb".to_vec(), true, None),
                (3, b"".to_vec(), true, None),
                (4, b"ccc".to_vec(), false, None),
            ]
        );
    }

    #[test]
    fn same_lines_whatever_the_buffer_size() {
        let text =
            b" 0)   1.262 us    |      bpf_check_uarg_tail_zero();\n 0)               |  }\n";
        let a = collect(text, 3);
        let b = collect(text, 1 << 16);
        assert_eq!(a, b);
        assert_eq!(a.len(), 2);
    }

    #[test]
    fn overlong_lines_are_capped() {
        let mut text = vec![b'x'; MAX_LINE * 3];
        text.extend_from_slice(b"\nok\n");
        let got = collect(&text, 8192);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].1.len(), MAX_LINE);
        assert_eq!(got[0].3, Some((MAX_LINE * 3) as u64));
        assert_eq!(got[1].1, b"ok");
    }
}
