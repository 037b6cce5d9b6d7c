//! `report.txt`: the report for a mailing list. LKML and most kernel lists
//! take plain text only, about 80 columns, no markup; so this is the header
//! block kernel bots send (inputs with their hashes, kernel, tracer and
//! options, result), the verdict, the aligned diff in `diff -u good bad`'s
//! convention, and the next-capture recipe: nothing else, every line
//! wrapped to [`WIDTH`] columns (`textwrap`, by display width).

use textwrap::{Options, WordSplitter, core::display_width};

use crate::analyse::prose::plural;

use super::{
    exporter::{Render, RenderInput, Rendered},
    format::{measured, ret_errno},
    text::{diff_folds, diff_text},
    view::{CaptureView, ComparisonView, Report, SyscallView},
};

/// Columns of running text (mail clients quote with `> `, which adds two).
pub const WIDTH: usize = 78;

/// Where the values of the header block start.
const KEY: usize = 9;

/// `report.txt`.
pub struct Text;

impl Render for Text {
    fn render<'a>(&self, input: &RenderInput<'a, '_>) -> Result<Vec<Rendered<'a>>, askama::Error> {
        Ok(vec![Rendered::bytes(
            "report.txt",
            render_text(input.report),
        )])
    }
}

/// The whole mail body.
pub fn render_text(r: &Report) -> String {
    let mut out = Vec::new();
    header(r, &mut out);
    if let Some(t) = &r.truncation {
        out.push(String::new());
        para(&format!("Note: {}", t.message), "", &mut out);
    }
    for c in &r.comparisons {
        comparison(r, c, &mut out);
    }
    if r.comparisons.is_empty() {
        out.push(String::new());
        para(
            "No syscall failed in one capture and succeeded in another, so there is \
             nothing to compare.",
            "",
            &mut out,
        );
    }
    out.push(String::new());
    para(&format!("-- \n{}", r.generator), "", &mut out);
    let mut s = out.join("\n");
    s.push('\n');
    s
}

/// Wrap `text` (paragraphs split on `\n`) to [`WIDTH`], every line after
/// the first of a paragraph indented by `hang`.
fn para(text: &str, hang: &str, out: &mut Vec<String>) {
    for p in text.split('\n') {
        if p.is_empty() {
            out.push(String::new());
            continue;
        }
        let opts = wrap_opts(WIDTH).subsequent_indent(hang);
        out.extend(textwrap::wrap(p, opts).into_iter().map(|l| l.into_owned()));
    }
}

/// Wrapping at spaces only (a path or a function name is not split at
/// its hyphens); a word longer than the line is still broken.
fn wrap_opts<'a>(width: usize) -> Options<'a> {
    Options::new(width).word_splitter(WordSplitter::NoHyphenation)
}

/// `Key:     value`, the value wrapped under itself.
fn field(key: &str, value: &str, out: &mut Vec<String>) {
    let first = format!("{:<KEY$}", format!("{key}:"));
    let hang = " ".repeat(KEY);
    let opts = wrap_opts(WIDTH)
        .initial_indent(&first)
        .subsequent_indent(&hang);
    out.extend(
        textwrap::wrap(value, opts)
            .into_iter()
            .map(|l| l.into_owned()),
    );
}

/// Title, result, kernel, then each input with its hash, tracer, options.
fn header(r: &Report, out: &mut Vec<String>) {
    para(&r.title, "", out);
    out.push("=".repeat(display_width(&r.title).clamp(3, WIDTH)));
    out.push(String::new());
    field("Result", &result(r), out);
    field("Kernel", &kernel(r), out);
    out.push("Inputs:".to_string());
    for c in &r.captures {
        input(r, c, out);
    }
}

/// What each comparison found, or what the captures hold without one.
fn result(r: &Report) -> String {
    if r.comparisons.is_empty() {
        let failed: u64 = r
            .captures
            .iter()
            .flat_map(|c| &c.syscall_groups)
            .filter(|g| g.outcome.failed())
            .map(|g| g.count)
            .sum();
        let count = |root: bool| -> u64 {
            r.captures
                .iter()
                .flat_map(|c| &c.syscall_groups)
                .filter(|g| g.root == root)
                .map(|g| g.count)
                .sum()
        };
        let (syscalls, roots) = (count(false), count(true));
        let trees = if roots > 0 {
            format!(" and {} outside syscalls", plural(roots, "call tree"))
        } else {
            String::new()
        };
        let unknown: u64 = r
            .captures
            .iter()
            .flat_map(|c| &c.syscall_groups)
            .filter(|g| !g.root && g.outcome.0 == crate::model::Outcome::Unknown)
            .map(|g| g.count)
            .sum();
        let unknown = if unknown > 0 {
            format!(", {} not captured", plural(unknown, "syscall result"))
        } else {
            String::new()
        };
        return format!(
            "no comparison; {}{trees}, {failed} failed{unknown}",
            plural(syscalls, "syscall")
        );
    }
    r.comparisons
        .iter()
        .map(|c| {
            let res = |cap: usize, n: usize| {
                let cv = &r.captures[cap];
                let s = syscall(cv, n);
                let v = s
                    .and_then(|s| s.ret.map(|v| ret_errno(v, s.errno.as_deref())))
                    .unwrap_or_else(|| "not captured".into());
                let took = s
                    .map(|s| measured(s.duration, s.coarse))
                    .unwrap_or_default();
                let took = if took.is_empty() {
                    String::new()
                } else {
                    format!(" after {took}")
                };
                format!("{v} in {}{took}", cv.label)
            };
            format!(
                "{} returned {}; {}",
                c.syscall,
                res(c.bad, c.bad_syscall),
                res(c.good, c.good_syscall)
            )
        })
        .collect::<Vec<_>>()
        .join(". ")
}

fn syscall(c: &CaptureView, n: usize) -> Option<&SyscallView> {
    c.syscalls.iter().find(|s| s.index == n)
}

/// The kernels as the captures name them, or `--kernel-version`.
fn kernel(r: &Report) -> String {
    let named = r.kernels_named();
    match (&r.kernel_version, named.is_empty()) {
        (_, false) => named.join(", "),
        (Some(v), true) => format!("{v} (--kernel-version)"),
        (None, true) => "not named by the captures".to_string(),
    }
}

/// One input: role and label, file and size, hash, tracer and options.
fn input(r: &Report, c: &CaptureView, out: &mut Vec<String>) {
    let role = r
        .comparisons
        .iter()
        .find_map(|k| {
            (k.good == c.index)
                .then_some("good")
                .or((k.bad == c.index).then_some("bad"))
        })
        .unwrap_or("input");
    let hang = "    ";
    para(&format!("  [{role}] {}", c.label), hang, out);
    let zip = c.compressed().map(|z| format!(", {z}")).unwrap_or_default();
    para(&format!("{hang}{}", c.path), hang, out);
    out.push(format!("{hang}{} bytes{zip}, {} lines", c.bytes, c.lines));
    out.push(format!("{hang}{} {}", c.digest.name(), c.digest.hex));
    let tracer = match &c.tracer {
        Some(t) => format!("tracer {t}"),
        None => format!("format {}", c.format_name()),
    };
    para(
        &format!("{hang}{tracer}; options: {}", options(c)),
        "           ",
        out,
    );
    if c.warnings_total > 0 {
        para(
            &format!(
                "{hang}warnings {} (see report.md or index.html)",
                c.warnings_total
            ),
            "           ",
            out,
        );
    }
}

/// The columns and options a capture shows, comma separated.
fn options(c: &CaptureView) -> String {
    let on = c.shown_options();
    if on.is_empty() {
        "none shown".into()
    } else {
        on.join(", ")
    }
}

/// Verdict, aligned diff and next capture of one comparison.
fn comparison(r: &Report, c: &ComparisonView, out: &mut Vec<String>) {
    let good = &r.captures[c.good].label;
    let bad = &r.captures[c.bad].label;
    out.push(String::new());
    section(&format!("Verdict: {}", c.syscall), out);
    para(&c.verdict, "", out);
    let d = diff_text(c);
    if !d.is_empty() {
        out.push(String::new());
        section("Where the runs part", out);
        para(
            &format!(
                "As `diff -u good bad`: '-' only in the good run ({good}), '+' only in \
                 the bad run ({bad}), ' ' both.{}",
                if diff_folds(&d) {
                    " '×N': the same call N times in a row, one line; '{ … N calls }': \
                     the N traced calls under it, not shown."
                } else {
                    ""
                }
            ),
            "",
            out,
        );
        out.push(String::new());
        for l in d.lines() {
            diff_line(l, out);
        }
    }
    minors(c, out);
    if let Some(m) = super::markdown::minors_left_out(r, c) {
        out.push(String::new());
        para(&m, "", out);
    }
    if let Some(n) = &c.next_capture {
        out.push(String::new());
        section("Next capture", out);
        for w in &n.why {
            para(&format!("- {w}"), "  ", out);
        }
        out.push(String::new());
        for l in n.tracefs.lines() {
            shell_line(l, out);
        }
        out.push("# or, with trace-cmd:".into());
        for l in n.trace_cmd.lines() {
            shell_line(l, out);
        }
    }
}

/// The differences that meet again, as report.md lists them.
fn minors(c: &ComparisonView, out: &mut Vec<String>) {
    if c.minor_differences.is_empty() {
        return;
    }
    out.push(String::new());
    section("Differences that meet again", out);
    for m in &c.minor_differences {
        let what = match (&m.good, &m.bad, m.counts) {
            (g, _, Some(n)) => format!(
                "`{}` ×{} in good vs ×{} in bad",
                g.as_deref().unwrap_or("?"),
                n.good,
                n.bad
            ),
            (Some(g), Some(b), None) => format!("`{g}` only in good, `{b}` only in bad"),
            (Some(g), None, None) => format!("`{g}` only in good"),
            (None, Some(b), None) => format!("`{b}` only in bad"),
            (None, None, None) => "a call level".to_string(),
        };
        para(&format!("- under `{}`: {what}", m.parent), "  ", out);
    }
}

fn section(title: &str, out: &mut Vec<String>) {
    para(title, "", out);
    out.push("-".repeat(display_width(title).clamp(3, WIDTH)));
}

/// A line of the aligned view with `diff -u good bad`'s signs (the shared
/// text marks good-only `+`); a long line goes on under the same sign, its
/// `/* … */` note on a line of its own.
fn diff_line(l: &str, out: &mut Vec<String>) {
    let mut chars = l.chars();
    let sign = match chars.next() {
        Some('+') => '-',
        Some('-') => '+',
        Some(c) => c,
        None => return out.push(String::new()),
    };
    let body = chars.as_str();
    if display_width(body) < WIDTH {
        return out.push(format!("{sign}{body}").trim_end().to_string());
    }
    let lead = body.len() - body.trim_start().len();
    let depth = lead.min(WIDTH / 2);
    let hang = format!("{sign}{}", " ".repeat(depth + 4));
    let (code, note) = match body.find(" /* ") {
        Some(i) => (body[..i].trim_end(), Some(body[i..].trim())),
        None => (body.trim_end(), None),
    };
    let first = format!("{sign}{}", " ".repeat(depth));
    let opts = wrap_opts(WIDTH)
        .initial_indent(&first)
        .subsequent_indent(&hang);
    out.extend(
        textwrap::wrap(code.trim_start(), opts)
            .into_iter()
            .map(|l| l.into_owned()),
    );
    if let Some(n) = note {
        let opts = wrap_opts(WIDTH)
            .initial_indent(&hang)
            .subsequent_indent(&hang);
        out.extend(textwrap::wrap(n, opts).into_iter().map(|l| l.into_owned()));
    }
}

/// A shell line, long ones continued with ` \` at word boundaries (words
/// are never split: a command must still run when pasted).
fn shell_line(l: &str, out: &mut Vec<String>) {
    if display_width(l) <= WIDTH {
        return out.push(l.to_string());
    }
    let comment = l.trim_start().starts_with('#');
    // A trailing comment goes on its own line first: a ` \` inside it
    // would turn its continuation into a command.
    if let (false, Some(i)) = (comment, l.find(" # ")) {
        shell_line(&format!("#{}", &l[i + 2..]), out);
        return shell_line(l[..i].trim_end(), out);
    }
    let opts = wrap_opts(WIDTH - 2)
        .subsequent_indent(if comment { "#   " } else { "    " })
        .break_words(false);
    let lines = textwrap::wrap(l, opts);
    let last = lines.len() - 1;
    for (i, w) in lines.into_iter().enumerate() {
        if i < last && !comment {
            out.push(format!("{w} \\"));
        } else {
            out.push(w.into_owned());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(f: impl Fn(&mut Vec<String>)) -> Vec<String> {
        let mut out = Vec::new();
        f(&mut out);
        out
    }

    #[test]
    fn diff_signs_follow_diff_u_good_bad() {
        let l = lines(|o| {
            diff_line("+    bpf_token_capable();  /* good only */", o);
            diff_line("-    } /* __sys_bpf = -22 */", o);
            diff_line("     both();", o);
        });
        assert_eq!(l[0], "-    bpf_token_capable();  /* good only */");
        assert_eq!(l[1], "+    } /* __sys_bpf = -22 */");
        assert_eq!(l[2], "     both();");
    }

    #[test]
    fn long_diff_lines_continue_under_their_sign() {
        let long = format!(
            "+      {}();{}/* = -22, good only, <- runs part here */",
            "a_very_long_function_name_".repeat(3),
            " ".repeat(20)
        );
        let l = lines(|o| diff_line(&long, o));
        assert!(l.len() >= 2, "{l:?}");
        for x in &l {
            assert!(display_width(x) <= WIDTH, "{x}");
            assert!(x.starts_with('-'), "{x}");
        }
        assert!(l.last().unwrap().contains("runs part here"));
    }

    #[test]
    fn long_shell_lines_are_continued_not_split() {
        let cmd = format!(
            "trace-cmd record -p function_graph {} -F ./prog",
            (0..12)
                .map(|i| format!("-e syscalls:sys_enter_bpf{i}"))
                .collect::<Vec<_>>()
                .join(" ")
        );
        let l = lines(|o| shell_line(&cmd, o));
        assert!(l.len() > 1);
        for x in &l[..l.len() - 1] {
            assert!(x.ends_with(" \\"), "{x}");
            assert!(display_width(x) <= WIDTH, "{x}");
        }
        let joined: Vec<&str> = l.iter().map(|x| x.trim_end_matches(" \\").trim()).collect();
        assert_eq!(joined.join(" "), cmd);
        // A trailing comment moves above its command.
        let l = lines(|o| shell_line(&format!("echo 1 > x   # {}", "why ".repeat(20)), o));
        assert!(l[0].starts_with("# why"));
        assert!(l.iter().all(|x| !x.starts_with('#') || !x.ends_with('\\')));
        assert_eq!(l.last().unwrap(), "echo 1 > x");
    }

    #[test]
    fn header_fields_hang_under_their_value() {
        let l = lines(|o| field("Result", &"word ".repeat(40), o));
        assert!(l[0].starts_with("Result:  word"));
        assert!(l[1].starts_with("         word"));
        assert!(l.iter().all(|x| display_width(x) <= WIDTH));
    }
}
