//! `report.md`: the report for a bug ticket. Renders on GitHub and GitLab:
//! verdict first, tables, the aligned view as a `diff` block, call trees in
//! `<details>`. Every trace-derived string goes through `filters::md`
//! (running text), `filters::mdcode` (inline code) or [`fence`] (blocks).

use askama::Template;

use crate::analyse::prose::plural;

use super::untrusted::{md_code, md_text as md_escape};

use super::{
    flamegraph::{FlameSet, Scope},
    format::{measured, ret as fmt_ret},
    source::prose_markdown,
    text::{TREE_LINES, diff_folds, diff_text, tree_text},
    view::{AuditStatus, CaptureView, ComparisonView, Report, SyscallView},
};

/// Filters for the Markdown template.
mod filters {
    use std::fmt::Display;

    /// Escape running text.
    #[askama::filter_fn]
    pub fn md<T: Display>(s: T, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(crate::render::untrusted::md_text(&s.to_string()))
    }

    /// Running text whose `backticked` parts are code.
    #[askama::filter_fn]
    pub fn mdt<T: Display>(s: T, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(crate::render::prose::markdown(
            &crate::render::prose::from_ticks(&s.to_string()),
        ))
    }

    /// An inline code span.
    #[askama::filter_fn]
    pub fn mdcode<T: Display>(s: T, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(crate::render::untrusted::md_code(&s.to_string()))
    }
}

/// A fenced code block that its content cannot close early.
pub fn fence(lang: &str, body: &str) -> String {
    super::untrusted::md_fence(lang, body)
}

/// One syscall's tree for the template.
pub struct TreeBlock {
    /// `<summary>` text, HTML-escaped.
    pub summary: String,
    /// The fenced block.
    pub block: String,
}

/// A capture section.
pub struct CaptureSection<'a> {
    /// The capture.
    pub c: &'a CaptureView,
    /// Its kept syscalls' trees.
    pub trees: Vec<TreeBlock>,
    /// Audit as one line.
    pub audit_line: String,
    /// Flame graph links `(text, path)`.
    pub flamegraphs: Vec<(String, String)>,
    /// Why there is no flame graph, if there is none.
    pub flame_missing: Option<String>,
    /// Options as one line.
    pub options_line: String,
}

/// A comparison section.
pub struct ComparisonSection<'a> {
    /// The comparison.
    pub c: &'a ComparisonView,
    /// Verdict in Markdown.
    pub verdict: String,
    /// `diff` block of the aligned view.
    pub diff: String,
    /// The diff folds calls (its legend says how).
    pub folds: bool,
    /// What `--max-report-calls` cut of the differences that meet again.
    pub minors_left_out: Option<String>,
    /// Good capture label.
    pub good_label: &'a str,
    /// Bad capture label.
    pub bad_label: &'a str,
    /// Summary table rows `(what, good, bad)`, already Markdown.
    pub table: Vec<(String, String, String)>,
    /// Next-capture block.
    pub next: Option<String>,
    /// Flame graph links `(text, path)`.
    pub flamegraphs: Vec<(String, String)>,
    /// Why there is no differential flame graph, if there is none.
    pub flame_missing: Option<String>,
}

#[derive(Template)]
#[template(path = "report.md", escape = "none")]
struct MarkdownReport<'a> {
    r: &'a Report,
    verdict: String,
    comparisons: Vec<ComparisonSection<'a>>,
    captures: Vec<CaptureSection<'a>>,
    notes: Option<&'a str>,
}

/// Links `(title, target)` to the graphs of the scopes `keep` accepts;
/// `base` (`--link-base`) makes the targets absolute.
fn links(
    flames: &FlameSet,
    base: Option<&str>,
    keep: impl Fn(&Scope) -> bool,
) -> Vec<(String, String)> {
    flames
        .of(keep)
        .map(|g| (g.title.clone(), super::fit::link(base, &g.file)))
        .collect()
}

/// Render `report.md`; `flames` are the flame graphs written beside it
/// (empty when none are).
pub fn render_markdown(
    r: &Report,
    notes: Option<&str>,
    flames: &FlameSet,
) -> Result<String, askama::Error> {
    render_markdown_linked(r, notes, flames, None)
}

/// [`render_markdown`] with the flame-graph links under `link_base`
/// (`--link-base`: absolute, so they work once pasted into a ticket).
pub fn render_markdown_linked(
    r: &Report,
    notes: Option<&str>,
    flames: &FlameSet,
    link_base: Option<&str>,
) -> Result<String, askama::Error> {
    let comparisons = r
        .comparisons
        .iter()
        .enumerate()
        .map(|(i, c)| comparison_section(r, c, i, flames, link_base))
        .collect();
    let captures = r
        .captures
        .iter()
        .map(|c| capture_section(c, flames, link_base))
        .collect();
    MarkdownReport {
        r,
        verdict: prose_markdown(&r.verdict_prose, r.source_link_base.as_deref()),
        comparisons,
        captures,
        notes,
    }
    .render()
}

/// What `--max-report-calls` cut of the differences that meet again of
/// comparison `c`, as one sentence (`backticked` parts are code) for every
/// renderer; the verdict, made before the cut, may count them.
pub(crate) fn minors_left_out(r: &Report, c: &ComparisonView) -> Option<String> {
    let i = r.comparisons.iter().position(|x| std::ptr::eq(x, c))?;
    let n: usize = (r.truncation.iter())
        .flat_map(|t| &t.aligned)
        .filter(|a| a.comparison == i)
        .map(|a| a.minor_differences_left_out)
        .sum();
    let what = match n {
        0 => return None,
        1 => "1 difference that meets again is".to_string(),
        n => format!("{n} differences that meet again are"),
    };
    Some(format!(
        "{what} left out by `--max-report-calls` (report.json's `truncation` counts them)."
    ))
}

fn comparison_section<'a>(
    r: &'a Report,
    c: &'a ComparisonView,
    i: usize,
    flames: &FlameSet,
    base: Option<&str>,
) -> ComparisonSection<'a> {
    let g = &r.captures[c.good];
    let b = &r.captures[c.bad];
    let table = summary_table(c, g, b);
    let d = diff_text(c);
    ComparisonSection {
        c,
        verdict: prose_markdown(&c.verdict_prose, r.source_link_base.as_deref()),
        folds: diff_folds(&d),
        minors_left_out: minors_left_out(r, c),
        diff: if d.is_empty() {
            String::new()
        } else {
            fence("diff", &d)
        },
        good_label: &g.label,
        bad_label: &b.label,
        table,
        next: c.next_capture.as_ref().map(|n| {
            fence(
                "sh",
                &format!(
                    "{}\n# or, with trace-cmd:\n# {}",
                    n.tracefs,
                    n.trace_cmd.replace('\n', "\n# ")
                ),
            )
        }),
        flamegraphs: links(flames, base, |s| matches!(s, Scope::Diff(k, _) if *k == i)),
        flame_missing: flames
            .missing
            .iter()
            .find(|(s, _)| matches!(s, Scope::Diff(k, _) if *k == i))
            .map(|(_, m)| m.clone()),
    }
}

/// The comparison's summary rows `(what, good, bad)`, already Markdown.
fn summary_table(
    c: &ComparisonView,
    g: &CaptureView,
    b: &CaptureView,
) -> Vec<(String, String, String)> {
    let gs = g.syscalls.iter().find(|s| s.index == c.good_syscall);
    let bs = b.syscalls.iter().find(|s| s.index == c.bad_syscall);
    let capture = |v: &CaptureView| {
        let d = &v.digest;
        format!("{} ({} {})", md_code(&v.path), d.name(), md_code(d.short()))
    };
    let mut table = vec![("capture".to_string(), capture(g), capture(b))];
    let task = |s: Option<&SyscallView>| {
        s.map(|s| {
            let cpu = match (s.pid, s.cpu) {
                (Some(_), Some(c)) => format!(", CPU {c}"),
                _ => String::new(),
            };
            format!("{}{cpu}", md_escape(&s.task))
        })
        .unwrap_or_default()
    };
    table.push(("task".into(), task(gs), task(bs)));
    let call = |s: Option<&SyscallView>| {
        s.map(|s| {
            let args: Vec<String> = s
                .args
                .iter()
                .map(|(k, v)| format!("{k}: {}", v.as_str().unwrap_or_default()))
                .collect();
            let res = match (s.ret, &s.errno) {
                (Some(v), Some(e)) => format!("**{v} {e}**"),
                (Some(v), None) => v.to_string(),
                (None, _) => "not captured".into(),
            };
            format!(
                "{} → {res}",
                md_code(&format!("{}({})", s.name, args.join(", ")))
            )
        })
        .unwrap_or_default()
    };
    table.push(("syscall".into(), call(gs), call(bs)));
    let calls = |s: Option<&SyscallView>| {
        s.map(|s| format!("{} ({})", s.calls, measured(s.duration, s.coarse)))
            .unwrap_or_default()
    };
    table.push(("traced calls".into(), calls(gs), calls(bs)));
    table.push(("capture audit".into(), audit_line(g), audit_line(b)));
    table
}

/// The audit's items as marks (`✓ retval · ✗ abstime`); items of one kind
/// in a row once, counted (`⚠ record-note ×4`): each is listed below.
fn audit_line(c: &CaptureView) -> String {
    let mut marks: Vec<(String, usize)> = Vec::new();
    for a in &c.audit {
        let mark = match a.status {
            AuditStatus::Ok => "✓",
            AuditStatus::Warn => "⚠",
            AuditStatus::Missing => "✗",
        };
        let m = format!("{mark} {}", md_escape(&a.topic));
        match marks.last_mut() {
            Some((last, n)) if *last == m => *n += 1,
            _ => marks.push((m, 1)),
        }
    }
    (marks.into_iter())
        .map(|(m, n)| if n > 1 { format!("{m} ×{n}") } else { m })
        .collect::<Vec<_>>()
        .join(" · ")
}

fn capture_section<'a>(
    c: &'a CaptureView,
    flames: &FlameSet,
    base: Option<&str>,
) -> CaptureSection<'a> {
    let trees = c
        .syscalls
        .iter()
        .filter_map(|s| {
            let root = s.root.as_ref()?;
            let res = match (s.ret, &s.errno) {
                (Some(v), Some(e)) => format!("{v} {e}"),
                (Some(v), None) => fmt_ret(v),
                (None, _) => "?".into(),
            };
            Some(TreeBlock {
                summary: super::untrusted::md_html_text(&format!(
                    "#{} {} = {res} — {}, {}, line {}",
                    s.index,
                    s.title,
                    plural(s.calls, "call"),
                    measured(s.duration, s.coarse),
                    s.line
                )),
                block: fence("text", &tree_text(root, TREE_LINES)),
            })
        })
        .collect();
    let opts = c.shown_options();
    CaptureSection {
        c,
        trees,
        audit_line: audit_line(c),
        options_line: opts.join(", "),
        flamegraphs: links(
            flames,
            base,
            |s| matches!(s, Scope::Capture(k) | Scope::Syscall(k, _) if *k == c.index),
        ),
        flame_missing: flames
            .missing
            .iter()
            .find(|(s, _)| matches!(s, Scope::Capture(k) if *k == c.index))
            .map(|(_, m)| m.clone()),
    }
}
