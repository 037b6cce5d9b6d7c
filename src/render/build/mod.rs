//! Captures + analysis → [`Report`]. All ordering and formatting decisions
//! shared by the outputs are made here.

mod budget;
mod compare;

pub use budget::{DEFAULT_MAX_REPORT_CALLS, fair_shares, keep_rows};

use std::{collections::HashMap, sync::Arc};

use crate::{
    analyse::Analysis,
    load::Capture,
    model::{CallTree, FuncId, Syscall, Trace},
};

use super::view::*;

/// What the user asked for that only changes presentation.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// `--title`.
    pub title: Option<String>,
    /// `--kernel-version`: function names link to a cross-reference.
    pub kernel_version: Option<String>,
    /// `--max-report-calls`: tree calls and aligned rows the report keeps
    /// ([`budget`]).
    pub max_report_calls: usize,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            title: None,
            kernel_version: None,
            max_report_calls: DEFAULT_MAX_REPORT_CALLS,
        }
    }
}

/// Build the report view.
pub fn build_report(captures: &[Capture], analysis: &Analysis, opts: &ReportOptions) -> Report {
    let mut plan = budget::plan(captures, analysis, opts.max_report_calls);
    let captures_v: Vec<CaptureView> = captures
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let audit = analysis.audits.get(i).cloned().unwrap_or_default();
            let mut v = capture_view(i, c, audit, &plan);
            v.kernel_files = analysis.kernel_files.get(i).cloned().unwrap_or_default();
            v
        })
        .collect();
    let comparisons: Vec<ComparisonView> = analysis
        .comparisons
        .iter()
        .enumerate()
        .map(|(k, c)| compare::comparison_view(captures, c, k, &plan))
        .collect();
    let title = opts
        .title
        .clone()
        .unwrap_or_else(|| default_title(captures, &comparisons));
    let verdict_prose = analysis.headline.clone();
    let kernel_version = opts
        .kernel_version
        .as_ref()
        .map(|v| v.trim_start_matches('v').to_string());
    Report {
        schema_version: SCHEMA_VERSION,
        generator: format!("tracereport {}", env!("CARGO_PKG_VERSION")),
        title,
        verdict: super::prose::plain(&verdict_prose),
        verdict_prose,
        captures: captures_v,
        comparisons,
        noise: analysis.noise.clone(),
        notes: analysis.notes.clone(),
        source_link_base: kernel_version
            .as_ref()
            .map(|v| format!("https://elixir.bootlin.com/linux/v{v}/A/ident/")),
        kernel_version,
        truncation: plan.truncation.take(),
    }
}

fn default_title(captures: &[Capture], comparisons: &[ComparisonView]) -> String {
    if let Some(c) = comparisons.first() {
        let bad = &captures[c.bad];
        let good = &captures[c.good];
        let s = &bad.trace.syscalls.iter().find(|s| s.index == c.bad_syscall);
        let outcome = s.and_then(|s| s.errno_name().map(|e| format!("fails with -{e}")));
        if outcome.is_none() && !c.settings_differences.is_empty() {
            let topics: Vec<&str> = c.settings_differences.iter().map(|s| s.topic).collect();
            return format!(
                "{}: {} and {} were traced differently ({})",
                c.syscall,
                bad.label,
                good.label,
                topics.join(", ")
            );
        }
        let outcome = outcome.unwrap_or_else(|| "differs".into());
        if c.good == c.bad {
            return with_others(
                comparisons,
                format!(
                    "{} {} in {} (#{} compared with #{})",
                    c.syscall, outcome, bad.label, c.bad_syscall, c.good_syscall
                ),
            );
        }
        return with_others(
            comparisons,
            format!(
                "{} {} on {}, not on {}",
                c.syscall, outcome, bad.label, good.label
            ),
        );
    }
    let labels: Vec<&str> = captures.iter().map(|c| c.label.as_str()).collect();
    format!("ftrace report: {}", labels.join(", "))
}

/// The title names the first comparison; more of them are counted, so a
/// second failure (another capture, another syscall) is not hidden by it.
fn with_others(comparisons: &[ComparisonView], title: String) -> String {
    match comparisons.len() {
        0 | 1 => title,
        2 => format!("{title} (and 1 more comparison)"),
        n => format!("{title} (and {} more comparisons)", n - 1),
    }
}

fn capture_view(
    index: usize,
    c: &Capture,
    audit: Vec<AuditItem>,
    plan: &budget::Plan,
) -> CaptureView {
    let t = &c.trace;
    let f = &t.facts;
    let mut syscalls: Vec<(usize, &Syscall)> = t.syscalls.iter().enumerate().collect();
    // Failing syscalls first, then in capture order.
    syscalls.sort_by_key(|(_, s)| (!s.failed(), s.index));
    CaptureView {
        index,
        path: c.path.clone(),
        label: c.label.clone(),
        digest: c.digest.clone(),
        bytes: c.stored_bytes,
        compression: c.compression,
        format: f.format,
        tracer: f.tracer.clone(),
        kernel: f.kernel.clone(),
        lines: f.lines,
        options: options_view(f),
        audit,
        warnings: warning_views(t),
        warning_counts: t
            .warnings
            .counts()
            .iter()
            .map(|(k, n)| WarningCount {
                kind: *k,
                count: *n,
                explanation: k.explain().to_string(),
            })
            .collect(),
        warnings_total: t.warnings.total(),
        syscalls: Trees(
            syscalls
                .into_iter()
                .map(|(k, s)| syscall_view(t, s, plan.trees.get(&(index, k))))
                .collect(),
        ),
        syscall_groups: group_views(t),
        calls_outside_syscalls: t.calls_outside_syscalls,
        traced_calls: t.facts.calls,
        tasks: t
            .tasks
            .iter()
            .filter(|x| x.merged_into.is_none())
            .map(|x| x.display())
            .collect(),
        kernel_files: Vec::new(),
    }
}

fn options_view(f: &crate::model::CaptureFacts) -> OptionsView {
    OptionsView {
        cpu: f.col_cpu,
        proc: f.col_proc,
        abstime: f.col_abstime,
        duration: f.col_duration,
        tail: f.tail,
        retval: f.retval,
        latency_flags: f.col_flags,
        syscall_events: f.sys_enter_events + f.sys_exit_events > 0,
        header: f.has_header,
        max_depth: f.max_depth,
        cpus: {
            let mut v = f.cpus.clone();
            v.sort_unstable();
            v
        },
        lost_events: f.lost_events,
        reconstructed: f.reconstructed,
    }
}

/// Kept warnings in line order: calls closed at the end of the capture
/// are found last but named at their entry lines.
fn warning_views(t: &Trace) -> Vec<WarningView> {
    let mut kept: Vec<&crate::model::Warning> = t.warnings.kept().iter().collect();
    kept.sort_by_key(|w| w.line);
    kept.into_iter()
        .map(|w| WarningView {
            line: w.line,
            kind: w.kind,
            message: w.message.clone(),
        })
        .collect()
}

/// Whether durations timed by events (`timed_by_events`) are known to the
/// µs only: the capture's timestamps have no digits below it.
fn known_to_the_us(t: &Trace, timed_by_events: bool) -> bool {
    timed_by_events && !t.facts.ts_sub_us
}

/// Every syscall group, failing ones first, then by first line.
fn group_views(t: &Trace) -> Vec<GroupView> {
    let mut groups: Vec<GroupView> = t
        .groups
        .iter()
        .map(|g| GroupView {
            title: g.title.clone(),
            outcome: GroupOutcome(g.outcome),
            count: g.count,
            kept: g.kept,
            total: Nanos(g.total_ns),
            min: g.min_ns.map(Nanos),
            max: g.max_ns.map(Nanos),
            first_line: g.first_line,
            exit_missing: g.exit_missing,
            lost_events: g.lost_events,
            root: g.root,
            coarse: known_to_the_us(t, g.timed_by_events > 0),
        })
        .collect();
    groups.sort_by(|a, b| {
        (b.outcome.failed().cmp(&a.outcome.failed())).then(a.first_line.cmp(&b.first_line))
    });
    groups
}

fn syscall_view(t: &Trace, s: &Syscall, keep: Option<&budget::TreeKeep>) -> SyscallView {
    let task = &t.tasks[s.task];
    SyscallView {
        is_root: s.root,
        index: s.index,
        name: s.name.clone(),
        title: s.title(),
        args: s
            .args
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
            .collect(),
        ret: s.ret.map(RetJson),
        ret_kind: s.ret.map(crate::analyse::retval::kind),
        errno: s.errno_name().map(str::to_string),
        ret_source: s.ret_source,
        task: task.display(),
        pid: task.pid,
        cpu: s.cpu,
        line: s.line,
        end_line: s.end_line,
        duration: s.duration_ns.map(Nanos),
        coarse: known_to_the_us(t, s.timed_by_events()),
        calls: s.calls,
        lost_events: s.lost_events,
        exit_missing: s.exit_missing,
        marker_before: s.marker_before.clone(),
        markers: s
            .markers
            .iter()
            .map(|(line, text)| MarkerView {
                line: *line,
                text: text.clone(),
            })
            .collect(),
        root: s
            .tree
            .as_ref()
            .filter(|tr| !tr.is_empty())
            .map(|tr| node_view(&mut SharedNames::new(t), tr, 0, keep)),
        kept_nodes: keep.map(|k| {
            (0..k.new_id.len() as u32)
                .filter(|&i| k.kept(i as usize))
                .collect()
        }),
    }
}

/// One shared string per function name of a tree or an alignment: a
/// million-call tree names a few thousand functions.
pub(super) struct SharedNames<'t> {
    trace: &'t Trace,
    seen: HashMap<FuncId, Arc<str>>,
}

impl<'t> SharedNames<'t> {
    pub(super) fn new(trace: &'t Trace) -> Self {
        SharedNames {
            trace,
            seen: HashMap::new(),
        }
    }

    pub(super) fn get(&mut self, id: FuncId) -> Arc<str> {
        let names = &self.trace.names;
        self.seen
            .entry(id)
            .or_insert_with(|| Arc::from(names.name(id)))
            .clone()
    }
}

/// The view of node `i` and of its kept callees (all without `keep`).
fn node_view(
    names: &mut SharedNames<'_>,
    tree: &CallTree,
    i: usize,
    keep: Option<&budget::TreeKeep>,
) -> NodeView {
    let n = &tree.nodes[i];
    let kept = |c: &usize| keep.is_none_or(|k| k.kept(*c));
    let cut = tree
        .children(i)
        .filter(|c| !kept(c))
        .map(|c| u64::from(tree.nodes[c].end) - c as u64)
        .sum();
    NodeView {
        id: NodeId(keep.map_or(i as u32, |k| k.new_id[i])),
        func: names.get(n.func),
        duration: n.duration_ns.map(Nanos),
        self_time: tree.self_ns(i).map(Nanos),
        ret: n.ret.map(|r| RetJson(r.value())),
        ret_kind: n.ret.map(|r| crate::analyse::retval::kind(r.value())),
        line: n.line,
        exit_line: (n.exit_line != 0).then_some(n.exit_line),
        flags: NodeFlags::of(n.flags),
        args: n.args.as_deref().map(str::to_string),
        repeat: 1,
        cut,
        children: {
            // Sized exactly: a million-call tree's views are most of the
            // report's memory, and grown vectors keep up to half again.
            let mut v = Vec::with_capacity(tree.children(i).filter(kept).count());
            v.extend(
                tree.children(i)
                    .filter(kept)
                    .map(|c| node_view(names, tree, c, keep)),
            );
            v
        },
    }
}
