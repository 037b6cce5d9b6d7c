//! Kernel facts beside a capture: the kernel's function list and its build
//! config. Each file is checked for what it claims to be; a wrong file is
//! named for what it is (a config given as a function list, a capture, a
//! binary, a greeting) and refused, since a silently accepted wrong list
//! would turn every function into "not traceable there".

use std::{io, path::Path};

use super::{
    config::{self, ConfigEntry, KernelConfig},
    functions::{self, FunctionList, FunctionListKind},
};
use crate::read::{InputPath, lines::for_each_line, open_unhashed};

/// Which fact a file gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FactKind {
    /// A function list.
    Functions,
    /// A build config.
    Config,
}

impl FactKind {
    /// As `--kernel LABEL:KIND=FILE` spells it.
    pub fn name(self) -> &'static str {
        match self {
            FactKind::Functions => "functions",
            FactKind::Config => "config",
        }
    }
}

/// How a file came to be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FactOrigin {
    /// `--kernel` or `--filter-functions`.
    Option,
    /// Found beside the capture (`X.config` next to `X.log`).
    Sidecar,
}

/// One file of kernel facts, as the report lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FactFile {
    /// What it gives.
    pub kind: FactKind,
    /// The path.
    pub path: String,
    /// Given or found.
    pub origin: FactOrigin,
    /// What it holds (`70 213 functions (available_filter_functions)`).
    pub summary: String,
}

/// What is known about the kernel one capture ran on.
#[derive(Debug, Clone, Default)]
pub struct KernelFacts {
    /// Its function list.
    pub functions: Option<FunctionList>,
    /// Its config.
    pub config: Option<KernelConfig>,
    /// The files these came from.
    pub files: Vec<FactFile>,
}

impl KernelFacts {
    /// Whether anything is known.
    pub fn is_empty(&self) -> bool {
        self.functions.is_none() && self.config.is_none()
    }
}

/// Why a kernel file was refused.
#[derive(Debug, thiserror::Error)]
pub enum FactError {
    /// It could not be read.
    #[error("{0}")]
    Io(#[from] io::Error),
    /// It is not what it was given as.
    #[error("{0}")]
    Wrong(String),
}

/// The most text a function list or config may hold.
pub const MAX_FACT_BYTES: u64 = 64 << 20;

/// Lines of a file, with the first few kept to say what it is.
struct Scan {
    sample: Vec<String>,
    binary: bool,
    lines: u64,
}

fn scan(path: &Path, mut each: impl FnMut(u32, &str)) -> Result<Scan, FactError> {
    let mut src = open_unhashed(&InputPath::File(path.to_path_buf()), None)?;
    let mut s = Scan {
        sample: Vec::new(),
        binary: false,
        lines: 0,
    };
    let mut bytes = 0u64;
    for_each_line(&mut *src.reader, |l| {
        // A kernel's lists and configs are a few MB: more is neither, and
        // would only fill memory.
        bytes += l.bytes.len() as u64 + 1;
        if bytes > MAX_FACT_BYTES {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "more than {} MiB of text: not an available_filter_functions list or a kernel config",
                    MAX_FACT_BYTES >> 20
                ),
            ));
        }
        s.lines = l.number;
        if l.bytes.contains(&0) || (l.number == 1 && l.bytes.starts_with(b"\x7fELF")) {
            s.binary = true;
        }
        let text = String::from_utf8_lossy(l.bytes);
        if s.sample.len() < 40 && !text.trim().is_empty() {
            s.sample.push(text.chars().take(120).collect());
        }
        each(u32::try_from(l.number).unwrap_or(u32::MAX), &text);
        Ok(())
    })?;
    if let Some(d) = src.damage.get() {
        return Err(FactError::Wrong(format!("cannot be read to its end: {d}")));
    }
    Ok(s)
}

/// Say what a file is, from its first lines, for a refusal message.
fn identify(s: &Scan) -> String {
    if s.binary {
        return "binary data, not text".into();
    }
    let Some(first) = s.sample.first() else {
        return "empty".into();
    };
    let configs = s
        .sample
        .iter()
        .filter(|l| matches!(config::parse_line(l), config::ConfigLine::Option(..)))
        .count();
    if configs > 0 {
        return "a kernel config (it has CONFIG_ lines)".into();
    }
    let funcs = s
        .sample
        .iter()
        .filter_map(|l| functions::parse_line(l))
        .count();
    if funcs * 10 >= s.sample.len() * 9 {
        return "a function list".into();
    }
    let bytes: Vec<&[u8]> = s.sample.iter().map(|l| l.as_bytes()).collect();
    if let Some(d) = crate::parse::detect::detect_format(bytes) {
        return format!("an ftrace capture ({} text, line {})", d.format, d.line);
    }
    format!(
        "text of {} line(s), not one of them such a line (line 1: {:?})",
        s.lines, first
    )
}

/// Read a function list, refusing a file that is not one.
pub fn load_functions(path: &Path) -> Result<FunctionList, FactError> {
    let mut list = FunctionList {
        path: path.display().to_string(),
        ..FunctionList::default()
    };
    let (mut good, mut bad) = (0u64, 0u64);
    let mut kinds = [0u64; 3];
    let s = scan(path, |n, l| {
        if l.trim().is_empty() || l.starts_with('#') {
            return;
        }
        match functions::parse_line(l) {
            Some((name, kind)) => {
                good += 1;
                kinds[kind as usize] += 1;
                if !name.is_empty() {
                    list.names.entry(name.to_string()).or_insert(n);
                }
            }
            None => bad += 1,
        }
    })?;
    if list.is_empty() || bad * 20 > good + bad || s.binary {
        return Err(FactError::Wrong(format!(
            "not a function list (available_filter_functions, /proc/kallsyms or System.map): \
             it is {}",
            identify(&s)
        )));
    }
    let kind = (0..3).max_by_key(|&i| kinds[i]).unwrap_or(0);
    list.kind = Some(
        [
            FunctionListKind::FilterFunctions,
            FunctionListKind::FilterFunctionsAddrs,
            FunctionListKind::Symbols,
        ][kind],
    );
    Ok(list)
}

/// Read a config, refusing a file without `CONFIG_` lines or with lines a
/// config never has.
pub fn load_config(path: &Path) -> Result<KernelConfig, FactError> {
    let mut cfg = KernelConfig {
        path: path.display().to_string(),
        ..KernelConfig::default()
    };
    let mut other = 0u64;
    let s = scan(path, |n, l| match config::parse_line(l) {
        config::ConfigLine::Option(name, value) => {
            cfg.options.insert(
                name.to_string(),
                ConfigEntry {
                    value,
                    line: n,
                    text: l.trim().to_string(),
                },
            );
        }
        config::ConfigLine::Comment => {}
        config::ConfigLine::Other => other += 1,
    })?;
    let set = cfg.options.len() as u64;
    if set == 0 || other * 20 > set + other || s.binary {
        return Err(FactError::Wrong(format!(
            "not a kernel config (.config or /proc/config.gz): it is {}",
            identify(&s)
        )));
    }
    Ok(cfg)
}

/// Refuse a function list that lacks most functions its own capture traced:
/// it belongs to another kernel (or is no list of functions at all).
pub fn check_covers<'a>(
    list: &FunctionList,
    traced: impl Iterator<Item = &'a str>,
    label: &str,
) -> Result<(), String> {
    // Symbols only: the model's placeholders (`[entry not captured]`) are
    // not functions.
    let symbol = |n: &str| {
        !n.is_empty()
            && n.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_.$".contains(&b))
    };
    let traced: Vec<&str> = traced.filter(|n| symbol(n)).collect();
    let missing: Vec<&str> = traced
        .iter()
        .copied()
        .filter(|n| !list.contains(n))
        .collect();
    if traced.len() >= 3 && missing.len() * 2 > traced.len() {
        let examples: Vec<&str> = missing.iter().take(3).copied().collect();
        return Err(format!(
            "a list of {} functions that lacks {} of the {} functions capture `{label}` \
             traced (e.g. {}): it is not the list of the kernel that capture ran on",
            list.len(),
            missing.len(),
            traced.len(),
            examples.join(", ")
        ));
    }
    Ok(())
}

/// One line for the report: what a file holds.
pub fn summarise_functions(list: &FunctionList) -> String {
    format!(
        "{} functions ({})",
        list.len(),
        list.kind.map_or("function list", |k| k.describe())
    )
}

/// One line for the report: what a config holds.
pub fn summarise_config(cfg: &KernelConfig) -> String {
    let on = cfg.options.values().filter(|e| e.value.builds()).count();
    format!("{} options, {} built (y/m)", cfg.options.len(), on)
}
