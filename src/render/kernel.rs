//! The kernel part of a comparison: ranked causes with their evidence, the
//! whole-kernel differences, and what to fetch when facts are missing; as
//! view types (the JSON schema) and as Markdown and HTML fragments the
//! templates place. Every kernel-derived string is escaped here.

use std::fmt::Write as _;

use serde::Serialize;

use crate::analyse::{
    cause_links::Evidence,
    causes::Cause,
    kdiff::{FunctionGroup, KernelDiff},
};

use super::prose::{from_ticks, html_escape};
use super::untrusted::md_code;

/// Backticked text as Markdown.
fn md(s: &str) -> String {
    super::prose::markdown(&from_ticks(s))
}

/// Backticked text as HTML, escaped.
fn html_of(s: &str) -> String {
    super::prose::html(&from_ticks(s))
}

use super::view::{ComparisonView, Report};

/// Config options listed in `report.json` (the count says how many differ).
const MAX_CONFIG_LISTED: usize = 400;

/// Functions sharing a prefix or a file.
#[derive(Debug, Clone, Serialize)]
pub struct GroupView {
    /// Prefix or file.
    pub key: String,
    /// How many.
    pub count: usize,
    /// The first few.
    pub examples: Vec<String>,
}

/// One differing option.
#[derive(Debug, Clone, Serialize)]
pub struct ConfigDiffView {
    /// `CONFIG_…`.
    pub name: String,
    /// Good kernel's value (`y`, `m`, `is not set`, or the value).
    pub good: String,
    /// Bad kernel's.
    pub bad: String,
}

/// Whole-kernel differences.
#[derive(Debug, Clone, Serialize)]
pub struct KernelDiffView {
    /// Both function lists were given.
    pub have_functions: bool,
    /// Both configs were given.
    pub have_config: bool,
    /// Functions only the good kernel has.
    pub functions_only_good: usize,
    /// Functions only the bad kernel has.
    pub functions_only_bad: usize,
    /// `functions_only_good` grouped by name prefix, biggest first.
    pub only_good_by_prefix: Vec<GroupView>,
    /// `functions_only_bad` by prefix.
    pub only_bad_by_prefix: Vec<GroupView>,
    /// `functions_only_good` by defining file (with a source index).
    pub only_good_by_file: Vec<GroupView>,
    /// How many options differ.
    pub config_differences: usize,
    /// The first of them, by name.
    pub config: Vec<ConfigDiffView>,
}

fn groups(g: &[FunctionGroup]) -> Vec<GroupView> {
    g.iter()
        .map(|g| GroupView {
            key: g.key.clone(),
            count: g.count,
            examples: g.examples.clone(),
        })
        .collect()
}

/// The view of a comparison's kernel differences.
pub fn diff_view(d: &KernelDiff) -> KernelDiffView {
    KernelDiffView {
        have_functions: d.have_functions,
        have_config: d.have_config,
        functions_only_good: d.only_good.len(),
        functions_only_bad: d.only_bad.len(),
        only_good_by_prefix: groups(&d.only_good_prefixes),
        only_bad_by_prefix: groups(&d.only_bad_prefixes),
        only_good_by_file: groups(&d.only_good_files),
        config_differences: d.config.len(),
        config: d
            .config
            .iter()
            .take(MAX_CONFIG_LISTED)
            .map(|c| ConfigDiffView {
                name: c.name.clone(),
                good: c.good.text(),
                bad: c.bad.text(),
            })
            .collect(),
    }
}

fn at(e: &Evidence) -> Option<String> {
    let f = e.file.as_deref()?;
    Some(match e.line {
        Some(l) => format!("{f}:{l}"),
        None => f.to_string(),
    })
}

fn kind_name(e: &Evidence) -> String {
    serde_json::to_value(e.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// ` (`xsk` 49, `xp` 25)`, or nothing for no groups.
fn groups_md(g: &[GroupView], n: usize) -> String {
    if g.is_empty() {
        return String::new();
    }
    let list: Vec<String> = g
        .iter()
        .take(n)
        .map(|g| format!("{} {}", md_code(&g.key), g.count))
        .collect();
    format!(" ({})", list.join(", "))
}

/// "Kernel facts: `ok`: `ok.config` (sidecar; 1885 options, …), …".
fn files_line(r: &Report, c: &ComparisonView) -> Option<String> {
    let mut parts = Vec::new();
    for i in [c.good, c.bad] {
        let Some(cap) = r.captures.get(i) else {
            continue;
        };
        for f in &cap.kernel_files {
            let origin = match f.origin {
                crate::kernel::FactOrigin::Option => "given",
                crate::kernel::FactOrigin::Sidecar => "found beside the capture",
            };
            parts.push(format!(
                "{} {}: {} ({origin}; {})",
                md_code(&cap.label),
                f.kind.name(),
                md_code(&f.path),
                f.summary
            ));
        }
    }
    (!parts.is_empty()).then(|| format!("Kernel facts: {}.", parts.join("; ")))
}

/// The Markdown section (empty when there is nothing to say).
pub fn markdown(r: &Report, c: &ComparisonView) -> String {
    let mut out = String::new();
    if let Some(l) = files_line(r, c) {
        let _ = writeln!(out, "{l}\n");
    }
    if !c.causes.is_empty() {
        out.push_str("### Kernel: likely cause\n\n| # | option | good kernel | bad kernel | score | tied by | closest function |\n|---|---|---|---|---|---|---|\n");
        for (i, k) in c.causes.iter().enumerate() {
            let basis = k.basis.label();
            let f = k.function.as_deref().map(md_code).unwrap_or_default();
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {:.2} | {basis} | {f} |",
                i + 1,
                md_code(&k.config),
                md_code(&k.good_value),
                md_code(&k.bad_value),
                k.score
            );
        }
        let top = &c.causes[0];
        let _ = writeln!(out, "\nEvidence for {}:\n", md_code(&top.config));
        for e in &top.evidence {
            let place = at(e)
                .map(|p| format!(" — {}", md_code(&p)))
                .unwrap_or_default();
            let _ = writeln!(out, "- {}: {}{place}", kind_name(e), md(&e.text));
        }
        out.push('\n');
    }
    if let Some(d) = &c.kernel_diff {
        out.push_str(&diff_markdown(d, c.causes.is_empty()));
    }
    if let Some(h) = &c.kernel_facts_hint {
        let _ = writeln!(out, "{}", md(h));
    }
    out.trim_end().to_string()
}

fn diff_markdown(d: &KernelDiffView, no_causes: bool) -> String {
    if !d.have_functions && !d.have_config {
        // Facts of one kernel only: nothing to set against each other (a
        // bare "Kernel differences:" once stood there).
        return String::new();
    }
    let mut out = String::from("Kernel differences:");
    if d.have_functions {
        let _ = write!(
            out,
            " {} only in the good kernel{}, {} only in the bad kernel{}.",
            crate::analyse::prose::plural(d.functions_only_good as u64, "function"),
            groups_md(&d.only_good_by_prefix, 8),
            d.functions_only_bad,
            groups_md(&d.only_bad_by_prefix, 8)
        );
        if !d.only_good_by_file.is_empty() {
            let _ = write!(
                out,
                " By source file{}.",
                groups_md(&d.only_good_by_file, 8)
            );
        }
    }
    if d.have_config {
        let shown: Vec<String> = d
            .config
            .iter()
            .take(12)
            .map(|c| {
                format!(
                    "{} {} → {}",
                    md_code(&c.name),
                    md_code(&c.good),
                    md_code(&c.bad)
                )
            })
            .collect();
        let more = d.config_differences.saturating_sub(12);
        let _ = write!(
            out,
            " {} {}: {}{}.",
            crate::analyse::prose::plural(d.config_differences as u64, "config option"),
            if d.config_differences == 1 {
                "differs"
            } else {
                "differ"
            },
            shown.join(", "),
            if more > 0 {
                format!(", … {more} more in report.json")
            } else {
                String::new()
            }
        );
        if no_causes && d.config_differences > 0 {
            out.push_str(" None of them ties to the code on the error path.");
        }
    }
    out.push_str("\n\n");
    out
}

/// The HTML section (empty when there is nothing to say).
pub fn html(r: &Report, c: &ComparisonView) -> String {
    let mut out = String::new();
    if let Some(l) = files_line(r, c) {
        let _ = writeln!(out, "<p>{}</p>", html_of(&l));
    }
    if !c.causes.is_empty() {
        out.push_str("<h3>Kernel: likely cause</h3>\n<table>\n<tr><th>#</th><th>option</th><th>good kernel</th><th>bad kernel</th><th>score</th><th>tied by</th><th>closest function</th></tr>\n");
        for (i, k) in c.causes.iter().enumerate() {
            let basis = k.basis.label();
            let f = k
                .function
                .as_deref()
                .map(|f| format!("<code>{}</code>", html_escape(f)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td><code>{}</code></td><td><code>{}</code></td><td><code>{}</code></td><td>{:.2}</td><td>{basis}</td><td>{f}</td></tr>",
                i + 1,
                html_escape(&k.config),
                html_escape(&k.good_value),
                html_escape(&k.bad_value),
                k.score
            );
        }
        out.push_str("</table>\n");
        out.push_str(&evidence_html(&c.causes[0]));
    }
    if let Some(d) = c
        .kernel_diff
        .as_ref()
        .filter(|d| d.have_functions || d.have_config)
    {
        let md = diff_markdown(d, c.causes.is_empty());
        out.push_str("<p>");
        out.push_str(&html_of(md.trim()));
        out.push_str("</p>\n");
    }
    if let Some(h) = &c.kernel_facts_hint {
        let _ = writeln!(out, "<p class=\"muted\">{}</p>", html_of(h));
    }
    out
}

fn evidence_html(top: &Cause) -> String {
    let mut out = format!(
        "<p>Evidence for <code>{}</code>:</p>\n<ul>\n",
        html_escape(&top.config)
    );
    for e in &top.evidence {
        let place = at(e)
            .map(|p| format!(" — <code>{}</code>", html_escape(&p)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "<li>{}: {}{place}</li>",
            html_escape(&kind_name(e)),
            html_of(&e.text)
        );
    }
    out.push_str("</ul>\n");
    out
}
