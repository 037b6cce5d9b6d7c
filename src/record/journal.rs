//! Every tracefs file `record` changes is read first and written back at
//! the end: the value that was there, not a default (perf ftrace's trap).
//! The journal also keeps each write in order, which the tests check.

use std::{
    io,
    path::{Path, PathBuf},
};

use super::tracefs;

/// One file's value before the first change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    /// The file.
    pub path: PathBuf,
    /// Its content as read.
    pub before: Vec<u8>,
}

/// One write, in order, and whether the kernel took it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The file.
    pub path: PathBuf,
    /// What was written.
    pub value: Vec<u8>,
    /// `false` when the write failed.
    pub ok: bool,
}

/// Saved values and the log of writes.
#[derive(Debug, Default)]
pub struct Journal {
    saved: Vec<Saved>,
    log: Vec<Written>,
}

impl Journal {
    /// Write `value` to `path`, saving the old value on the first change.
    pub fn set(&mut self, path: &Path, value: &[u8]) -> io::Result<()> {
        if !self.saved.iter().any(|s| s.path == path) {
            let before = tracefs::read(path)?;
            self.saved.push(Saved {
                path: path.into(),
                before,
            });
        }
        let r = tracefs::write(path, value);
        self.log.push(Written {
            path: path.into(),
            value: value.to_vec(),
            ok: r.is_ok(),
        });
        r
    }

    /// Write without saving (clearing the buffer: its content is not a
    /// setting and cannot be put back).
    pub fn clear(&mut self, path: &Path) -> io::Result<()> {
        let r = tracefs::write(path, b"");
        self.log.push(Written {
            path: path.into(),
            value: Vec::new(),
            ok: r.is_ok(),
        });
        r
    }

    /// The writes so far, in order.
    pub fn log(&self) -> &[Written] {
        &self.log
    }

    /// The saved values, in the order first changed.
    pub fn saved(&self) -> &[Saved] {
        &self.saved
    }

    /// Put every saved value back, last changed first; each file is tried
    /// even when another fails. Returns the failures, one line each.
    pub fn restore(&mut self) -> Vec<String> {
        let mut failed = Vec::new();
        while let Some(s) = self.saved.pop() {
            let value = restore_value(&s.before);
            let r = tracefs::write(&s.path, &value);
            self.log.push(Written {
                path: s.path.clone(),
                value: value.clone(),
                ok: r.is_ok(),
            });
            if let Err(e) = r {
                failed.push(format!(
                    "{}: {e} (was {:?})",
                    s.path.display(),
                    String::from_utf8_lossy(&s.before).trim()
                ));
            }
        }
        failed
    }

    /// Nothing left to restore.
    pub fn is_clean(&self) -> bool {
        self.saved.is_empty()
    }
}

/// What to write to get `before` back. The kernel shows an empty pid list
/// as `no pid` and an empty filter as `#### all functions enabled ####`,
/// which it would not accept as input: those lines are dropped (writing
/// nothing clears the list). A not-yet-allocated buffer reads
/// `7 (expanded: 1408)`: 1408 is the size it has once tracing used it.
pub fn restore_value(before: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(before);
    if let Some(open) = text.find(" (expanded: ") {
        let rest = &text[open + " (expanded: ".len()..];
        if let Some(n) = rest.split(')').next() {
            return n.trim().as_bytes().to_vec();
        }
    }
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with('#') && l.trim() != "no pid")
        .collect();
    if kept.len() == text.lines().count() {
        return before.to_vec();
    }
    let mut out = kept.join("\n");
    if !out.is_empty() {
        out.push('\n');
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::restore_value;

    #[test]
    fn placeholders_become_an_empty_write() {
        assert_eq!(restore_value(b"no pid\n"), b"");
        assert_eq!(restore_value(b"#### all functions enabled ####\n"), b"");
        assert_eq!(restore_value(b"7 (expanded: 1408)\n"), b"1408");
        assert_eq!(restore_value(b"nop\n"), b"nop\n");
        assert_eq!(restore_value(b"12\n34\n"), b"12\n34\n");
        assert_eq!(restore_value(b""), b"");
    }
}
