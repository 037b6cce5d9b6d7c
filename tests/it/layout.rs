//! The code's shape, checked: which stage may use which (ARCHITECTURE.md's
//! map, as one table), and the size limits (a file at most 500 lines apart
//! from its test module, a function at most 80 lines).
//!
//! A plain scan of `src/`, not a parser: every `crate::<module>` path
//! (`use` lines, grouped `use crate::{a::…, b::…}` and inline paths) outside
//! comments and string literals, and every `fn` item measured by counting its
//! braces.

use std::{
    collections::BTreeSet,
    path::{Path, PathBuf},
};

/// Who may use whom. A stage takes the previous stages' types and never
/// reaches back; `lib`, `main` and `cli` wire them. `analyse` and `render`
/// may name `parse`'s record vocabulary that the model's types carry
/// (`InputFormat`, `RetVal`), nothing that reads text.
const ALLOWED: &[(&str, &[&str])] = &[
    ("error", &[]),
    ("read", &[]),
    ("parse", &[]),
    ("model", &["parse"]),
    ("load", &["read", "parse", "model", "error"]),
    ("kernel", &["read", "parse", "model", "load", "error"]),
    ("analyse", &["model", "load", "parse", "kernel"]),
    ("render", &["analyse", "model", "load", "parse", "kernel"]),
    ("output", &["error"]),
    // `render` for the report budget's default (`--max-report-calls`).
    (
        "cli",
        &[
            "analyse", "model", "parse", "read", "kernel", "render", "error",
        ],
    ),
    // `tracereport record`: not a stage; it hands its capture to the pipeline
    // through `cli` and `lib::run`, and reads a report's recipe (`analyse::next`).
    ("record", &["analyse", "read", "output", "cli", "error"]),
    (
        "lib",
        &[
            "read", "parse", "model", "load", "kernel", "analyse", "render", "output", "cli",
            "error", "record",
        ],
    ),
    (
        "main",
        &[
            "read", "parse", "model", "load", "kernel", "analyse", "render", "output", "cli",
            "error", "record",
        ],
    ),
];

const MAX_FILE_LINES: usize = 500;
const MAX_FN_LINES: usize = 80;

/// Over the limits when this test was written (issue 10), each with the
/// size it had then. A ratchet: an entry may only shrink, the test fails
/// when one grows and when one is back within the limit (then delete it),
/// so this list only gets shorter. `file` entries are whole files.
const KNOWN_OVER: &[(&str, &str, usize)] = &[];

/// A size over its limit: allowed only as a known entry that did not grow.
fn over(
    bad: &mut Vec<String>,
    seen: &mut Vec<(String, String)>,
    file: &str,
    item: &str,
    size: usize,
    what: String,
) {
    seen.push((file.to_string(), item.to_string()));
    match KNOWN_OVER.iter().find(|(f, i, _)| *f == file && *i == item) {
        Some(&(_, _, was)) if size <= was => {}
        Some(&(_, _, was)) => bad.push(format!("{what}; it was {was} and may only shrink")),
        None => bad.push(what),
    }
}

fn src_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .expect("src/ is readable")
            .map(|e| e.expect("a directory entry").path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|e| e == "rs") {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut out);
    assert!(out.len() > 20, "found only {} files under src/", out.len());
    out
}

/// `src/model/builder/mod.rs` → `model`; `src/lib.rs` → `lib`.
fn stage_of(rel: &Path) -> String {
    let first = rel.components().next().expect("a path under src/");
    let first = first.as_os_str().to_string_lossy();
    first.strip_suffix(".rs").unwrap_or(&first).to_string()
}

fn rel(p: &Path) -> PathBuf {
    p.strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(p)
        .to_path_buf()
}

/// The text with comments, string and char literals blanked out (newlines
/// kept, so line numbers and braces of the code stay where they were).
fn code_only(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    let blank = |out: &mut Vec<u8>, s: &[u8]| {
        out.extend(s.iter().map(|&c| if c == b'\n' { b'\n' } else { b' ' }))
    };
    while i < b.len() {
        let rest = &b[i..];
        let end = if rest.starts_with(b"//") {
            rest.iter().position(|&c| c == b'\n').unwrap_or(rest.len())
        } else if rest.starts_with(b"/*") {
            rest.windows(2)
                .skip(2)
                .position(|w| w == b"*/")
                .map_or(rest.len(), |p| p + 4)
        } else if rest[0] == b'"' {
            string_end(rest)
        } else if rest.starts_with(b"r\"")
            || rest.starts_with(b"r#")
            || rest.starts_with(b"br\"")
            || rest.starts_with(b"br#")
        {
            raw_string_end(rest).unwrap_or(1)
        } else if rest[0] == b'\'' {
            char_end(rest).unwrap_or(1)
        } else {
            1
        };
        let literal = end > 1 || rest.starts_with(b"//");
        if literal
            && !(i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_') && rest[0] == b'r')
        {
            blank(&mut out, &rest[..end]);
        } else {
            out.extend_from_slice(&rest[..end]);
        }
        i += end;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn string_end(s: &[u8]) -> usize {
    let mut i = 1;
    while i < s.len() {
        match s[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    s.len()
}

fn raw_string_end(s: &[u8]) -> Option<usize> {
    let start = if s[0] == b'b' { 2 } else { 1 };
    let hashes = s[start..].iter().take_while(|&&c| c == b'#').count();
    if s.get(start + hashes) != Some(&b'"') {
        return None;
    }
    let close: Vec<u8> = std::iter::once(b'"')
        .chain(std::iter::repeat_n(b'#', hashes))
        .collect();
    let body = start + hashes + 1;
    s[body..]
        .windows(close.len())
        .position(|w| w == close.as_slice())
        .map(|p| body + p + close.len())
}

/// `'x'`, `'\n'`, `'\u{7f}'`; `None` for a lifetime (`'a`).
fn char_end(s: &[u8]) -> Option<usize> {
    if s.get(1) == Some(&b'\\') {
        return s[2..].iter().position(|&c| c == b'\'').map(|p| p + 3);
    }
    let len = std::str::from_utf8(&s[1..s.len().min(6)])
        .or_else(|e| std::str::from_utf8(&s[1..1 + e.valid_up_to()]))
        .ok()?
        .chars()
        .next()?
        .len_utf8();
    (s.get(1 + len) == Some(&b'\'')).then_some(len + 2)
}

/// The modules a file names as `crate::X` (or `tracereport::X` in main.rs),
/// with the line of each first use.
fn references(code: &str, root: &str) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    let prefix = format!("{root}::");
    let line_of = |at: usize| code[..at].matches('\n').count() + 1;
    let mut push = |name: &str, at: usize| {
        if !name.is_empty() && !out.iter().any(|(n, _)| n == name) {
            out.push((name.to_string(), line_of(at)));
        }
    };
    for (at, _) in code.match_indices(&prefix) {
        if at > 0 && {
            let c = code.as_bytes()[at - 1];
            c.is_ascii_alphanumeric() || c == b'_'
        } {
            continue;
        }
        let rest = &code[at + prefix.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // `crate::{a::…, b, c::{…}}`: the names at the group's top level.
            let mut depth = 0;
            let mut word_start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => word_start = true,
                    c if c.is_whitespace() => {}
                    _ if depth == 0 && word_start => {
                        word_start = false;
                        let name: String = group[i..]
                            .chars()
                            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                            .collect();
                        push(&name, at + prefix.len() + 1 + i);
                    }
                    _ => {}
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            push(&name, at);
        }
    }
    out
}

#[test]
fn stages_import_only_across_allowed_edges() {
    let stages: BTreeSet<&str> = ALLOWED.iter().map(|(s, _)| *s).collect();
    let mut bad = Vec::new();
    for path in src_files() {
        let rel_src = path
            .strip_prefix(Path::new(env!("CARGO_MANIFEST_DIR")).join("src"))
            .expect("under src/");
        let stage = stage_of(rel_src);
        let Some((_, allowed)) = ALLOWED.iter().find(|(s, _)| *s == stage) else {
            bad.push(format!(
                "{}: module `{stage}` is not in the allowed-edge table (tests/it/layout.rs ALLOWED)",
                rel(&path).display()
            ));
            continue;
        };
        let code = code_only(&std::fs::read_to_string(&path).expect("readable"));
        let root = if stage == "main" {
            "tracereport"
        } else {
            "crate"
        };
        for (used, line) in references(&code, root) {
            if used == stage || !stages.contains(used.as_str()) || allowed.contains(&used.as_str())
            {
                continue;
            }
            bad.push(format!(
                "{}:{line}: `{stage}` uses `{used}`, an edge not in tests/it/layout.rs ALLOWED ({stage} may use: {})",
                rel(&path).display(),
                allowed.join(", ")
            ));
        }
    }
    assert!(bad.is_empty(), "stage edges crossed:\n{}", bad.join("\n"));
}

/// Line ranges (0-based, end exclusive) of `#[cfg(test)] mod … { … }` blocks.
fn test_modules(lines: &[&str]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim() == "#[cfg(test)]"
            && lines
                .get(i + 1)
                .is_some_and(|l| l.trim_start().starts_with("mod ") && l.trim_end().ends_with('{'))
        {
            let end = block_end(lines, i + 1);
            out.push((i, end));
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

/// The line after the one that closes the block opened on line `start`.
fn block_end(lines: &[&str], start: usize) -> usize {
    let mut depth = 0i64;
    let mut opened = false;
    for (i, l) in lines.iter().enumerate().skip(start) {
        for c in l.chars() {
            match c {
                '{' => {
                    depth += 1;
                    opened = true;
                }
                '}' => depth -= 1,
                ';' if !opened && depth == 0 => return i + 1, // `fn f();`
                _ => {}
            }
        }
        if opened && depth <= 0 {
            return i + 1;
        }
    }
    lines.len()
}

fn is_fn_line(l: &str) -> Option<String> {
    let mut t = l.trim_start();
    for kw in [
        "pub(crate) ",
        "pub(super) ",
        "pub ",
        "const ",
        "async ",
        "unsafe ",
        "extern \"C\" ",
    ] {
        t = t.strip_prefix(kw).unwrap_or(t);
    }
    let name = t.strip_prefix("fn ")?;
    Some(
        name.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect(),
    )
}

#[test]
fn files_and_functions_stay_small() {
    let mut bad = Vec::new();
    let mut seen = Vec::new();
    for path in src_files() {
        if path.file_name().is_some_and(|n| n == "tests.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("readable");
        let code = code_only(&text);
        let lines: Vec<&str> = code.lines().collect();
        let tests = test_modules(&lines);
        let in_tests = |i: usize| tests.iter().any(|&(a, b)| (a..b).contains(&i));
        let counted = (0..lines.len()).filter(|&i| !in_tests(i)).count();
        let file = rel(&path).display().to_string();
        if counted > MAX_FILE_LINES {
            let what = format!(
                "{file}: {counted} lines outside its test module (at most {MAX_FILE_LINES})"
            );
            over(&mut bad, &mut seen, &file, "file", counted, what);
        }
        for (i, l) in lines.iter().enumerate() {
            let Some(name) = is_fn_line(l) else { continue };
            if in_tests(i) {
                continue;
            }
            let len = block_end(&lines, i) - i;
            if len > MAX_FN_LINES {
                let what = format!(
                    "{file}:{}: fn `{name}` is {len} lines (at most {MAX_FN_LINES})",
                    i + 1
                );
                over(&mut bad, &mut seen, &file, &name, len, what);
            }
        }
    }
    for (file, item, was) in KNOWN_OVER {
        if !seen.iter().any(|(f, i)| f == file && i == item) {
            bad.push(format!(
                "{file}: `{item}` (was {was}) is within the limit now: delete its KNOWN_OVER entry in tests/it/layout.rs"
            ));
        }
    }
    assert!(bad.is_empty(), "too big:\n{}", bad.join("\n"));
}

#[test]
fn the_scan_sees_what_it_must() {
    // The checks above are only as good as this scan: a grouped use, a
    // path inside code, nothing from comments or strings.
    let code = code_only(
        "use crate::{\n    read::{self, X},\n    model::Y,\n};\n// crate::render\nlet s = \"crate::output {\";\nlet c = '{';\nfn f<'a>(x: &'a str) { crate::parse::p(x) }\n",
    );
    let names: Vec<String> = references(&code, "crate")
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(names, ["read", "model", "parse"]);
    let lines: Vec<&str> = code.lines().collect();
    let f = lines
        .iter()
        .position(|l| is_fn_line(l).is_some())
        .expect("the fn");
    assert_eq!(
        block_end(&lines, f),
        f + 1,
        "braces in strings and chars are not counted"
    );
    let with_tests = "fn a() {}\n#[cfg(test)]\nmod tests {\n    fn b() {\n    }\n}\nfn c() {}\n";
    let lines: Vec<&str> = with_tests.lines().collect();
    assert_eq!(test_modules(&lines), [(1, 6)]);
}
