//! The capture's first lines: how it was taken, in `#` lines the parser
//! reads back (`parse::header`, `# tracereport-KEY: VALUE`) so the report's
//! audit can say which kernel, tracer and command, and what fell back.

use std::ffi::OsString;

/// What the header records.
#[derive(Debug, Clone, Default)]
pub struct Header {
    /// `uname -r`.
    pub kernel: String,
    /// The tracer that ran.
    pub tracer: String,
    /// The command, shell-quoted.
    pub command: String,
    /// Where (tracefs root or instance).
    pub tracefs: String,
    /// `file=value` settings written, in order.
    pub settings: Vec<String>,
    /// Fallbacks and refusals.
    pub notes: Vec<String>,
}

impl Header {
    /// The header text, every value on one line (newlines and control
    /// characters escaped, so a command cannot forge a header line).
    pub fn text(&self) -> String {
        let mut s = format!("# tracer: {}\n", one_line(&self.tracer));
        let mut kv =
            |k: &str, v: &str| s.push_str(&format!("# tracereport-{k}: {}\n", one_line(v)));
        kv("record", concat!("tracereport ", env!("CARGO_PKG_VERSION")));
        kv("kernel", &self.kernel);
        kv("command", &self.command);
        kv("tracefs", &self.tracefs);
        kv("settings", &self.settings.join(" "));
        for n in &self.notes {
            kv("note", n);
        }
        s
    }
}

/// Control characters as `\xNN`.
fn one_line(v: &str) -> String {
    let mut o = String::with_capacity(v.len());
    for c in v.chars() {
        if c.is_control() {
            o.push_str(&format!("\\x{:02x}", c as u32));
        } else {
            o.push(c);
        }
    }
    o
}

/// The command as a shell would need it typed.
pub fn shell_words(argv: &[OsString]) -> String {
    argv.iter()
        .map(|a| {
            let a = a.to_string_lossy();
            let plain = !a.is_empty()
                && a.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
            if plain {
                a.into_owned()
            } else {
                format!("'{}'", a.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `uname -r`.
pub fn kernel_release() -> String {
    rustix::system::uname()
        .release()
        .to_string_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_cannot_forge_header_lines() {
        let h = Header {
            tracer: "nop".into(),
            command: shell_words(&[
                "sh".into(),
                "-c".into(),
                "x\n# tracer: function_graph".into(),
            ]),
            ..Default::default()
        };
        let t = h.text();
        assert_eq!(t.lines().filter(|l| l.starts_with("# tracer:")).count(), 1);
        assert!(t.contains(r"# tracereport-command: sh -c 'x\x0a# tracer: function_graph'"));
    }

    #[test]
    fn quoting() {
        assert_eq!(
            shell_words(&["cat".into(), "/no file".into(), "it's".into()]),
            r"cat '/no file' 'it'\''s'"
        );
    }
}
