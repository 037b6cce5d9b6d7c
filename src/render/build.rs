//! Captures + analysis → [`Report`]. All ordering and formatting decisions
//! shared by the outputs are made here.

use std::{collections::HashMap, sync::Arc};

use crate::{
    analyse::{Analysis, Comparison, RowKind},
    load::Capture,
    model::{CallTree, FuncId, NodeFlags, Syscall, Trace},
};

use super::{audit::audit, audit_cross::cross_audit, view::*};

/// What the user asked for that only changes presentation.
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    /// `--title`.
    pub title: Option<String>,
    /// `--kernel-version`: function names link to a cross-reference.
    pub kernel_version: Option<String>,
}

fn us(ns: u64) -> f64 {
    ns as f64 / 1000.0
}

/// Build the report view.
pub fn build_report(captures: &[Capture], analysis: &Analysis, opts: &ReportOptions) -> Report {
    let cross = cross_audit(captures);
    let captures_v: Vec<CaptureView> = captures
        .iter()
        .zip(cross)
        .enumerate()
        .map(|(i, (c, cross))| capture_view(i, c, cross))
        .collect();
    let comparisons: Vec<ComparisonView> = analysis
        .comparisons
        .iter()
        .map(|c| comparison_view(captures, c))
        .collect();
    let title = opts
        .title
        .clone()
        .unwrap_or_else(|| default_title(captures, &comparisons));
    let verdict_prose = analysis
        .comparisons
        .first()
        .map(|c| c.verdict.clone())
        .unwrap_or_default();
    Report {
        schema_version: SCHEMA_VERSION,
        generator: format!("tracereport {}", env!("CARGO_PKG_VERSION")),
        title,
        verdict: verdict_prose.plain(),
        verdict_prose,
        captures: captures_v,
        comparisons,
        noise: analysis.noise.clone(),
        notes: analysis.notes.clone(),
        source_link_base: opts.kernel_version.as_ref().map(|v| {
            format!(
                "https://elixir.bootlin.com/linux/v{}/A/ident/",
                v.trim_start_matches('v')
            )
        }),
    }
}

fn default_title(captures: &[Capture], comparisons: &[ComparisonView]) -> String {
    if let Some(c) = comparisons.first() {
        let bad = &captures[c.bad];
        let good = &captures[c.good];
        let s = &bad.trace.syscalls.iter().find(|s| s.index == c.bad_syscall);
        let outcome = s
            .and_then(|s| s.errno_name().map(|e| format!("fails with -{e}")))
            .unwrap_or_else(|| "differs".into());
        return format!(
            "{} {} on {}, not on {}",
            c.syscall, outcome, bad.label, good.label
        );
    }
    let labels: Vec<&str> = captures.iter().map(|c| c.label.as_str()).collect();
    format!("ftrace report: {}", labels.join(", "))
}

fn capture_view(index: usize, c: &Capture, cross: Vec<AuditItem>) -> CaptureView {
    let t = &c.trace;
    let f = &t.facts;
    let mut syscalls: Vec<&Syscall> = t.syscalls.iter().collect();
    // Failing syscalls first, then in capture order.
    syscalls.sort_by_key(|s| (!s.failed(), s.index));
    let mut groups = t.groups.clone();
    groups.sort_by(|a, b| {
        let fa = matches!(a.outcome, crate::model::Outcome::Errno(_));
        let fb = matches!(b.outcome, crate::model::Outcome::Errno(_));
        fb.cmp(&fa).then(a.first_line.cmp(&b.first_line))
    });
    CaptureView {
        index,
        path: c.path.clone(),
        label: c.label.clone(),
        sha256: c.sha256.clone(),
        bytes: c.stored_bytes,
        compression: format!("{:?}", c.compression).to_lowercase(),
        format: f.format.map(|x| x.name().to_string()).unwrap_or_default(),
        tracer: f.tracer.clone(),
        kernel: f.kernel.clone(),
        lines: f.lines,
        options: OptionsView {
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
        },
        audit: audit(t).into_iter().chain(cross).collect(),
        warnings: {
            // In line order: calls closed at the end of the capture are
            // found last but named at their entry lines.
            let mut kept: Vec<&crate::model::Warning> = t.warnings.kept().iter().collect();
            kept.sort_by_key(|w| w.line);
            kept.into_iter()
                .map(|w| WarningView {
                    line: w.line,
                    kind: kind_name(w.kind),
                    message: w.message.clone(),
                })
                .collect()
        },
        warning_counts: t
            .warnings
            .counts()
            .iter()
            .map(|(k, n)| WarningCount {
                kind: kind_name(*k),
                count: *n,
                explanation: k.explain().to_string(),
            })
            .collect(),
        warnings_total: t.warnings.total(),
        syscalls: Trees(syscalls.into_iter().map(|s| syscall_view(t, s)).collect()),
        syscall_groups: groups
            .iter()
            .map(|g| GroupView {
                title: g.title.clone(),
                outcome: match g.outcome {
                    crate::model::Outcome::Errno(e) => crate::model::decode::errno_name(e)
                        .map(str::to_string)
                        .unwrap_or_else(|| format!("-{e}")),
                    crate::model::Outcome::Ok => "ok".into(),
                    crate::model::Outcome::Unknown => "unknown".into(),
                },
                count: g.count,
                kept: g.kept,
                total_us: us(g.total_ns),
                min_us: g.min_ns.map(us),
                max_us: g.max_ns.map(us),
                first_line: g.first_line,
                exit_missing: g.exit_missing,
                lost_events: g.lost_events,
            })
            .collect(),
        calls_outside_syscalls: t.calls_outside_syscalls,
        tasks: t
            .tasks
            .iter()
            .filter(|x| x.merged_into.is_none())
            .map(|x| x.display())
            .collect(),
    }
}

fn kind_name(k: crate::model::WarningKind) -> String {
    serde_json::to_value(k)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn syscall_view(t: &Trace, s: &Syscall) -> SyscallView {
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
        ret: s.ret,
        errno: s.errno_name().map(str::to_string),
        ret_source: s.ret_source.map(|r| {
            serde_json::to_value(r)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        }),
        task: task.display(),
        pid: task.pid,
        cpu: s.cpu,
        line: s.line,
        end_line: s.end_line,
        duration_us: s.duration_ns.map(us),
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
            .map(|tr| node_view(&mut SharedNames::new(t), tr, 0)),
    }
}

/// Flag names as the schema spells them.
pub fn flag_names(f: NodeFlags) -> Vec<&'static str> {
    const NAMES: [(u16, &str); 8] = [
        (NodeFlags::LEAF, "leaf"),
        (NodeFlags::EXIT_MISSING, "exit-missing"),
        (NodeFlags::ENTRY_MISSING, "entry-missing"),
        (NodeFlags::IRQ, "irq"),
        (NodeFlags::RECONSTRUCTED, "reconstructed"),
        (NodeFlags::LOST, "lost-events"),
        (NodeFlags::OPEN_AT_SYSCALL_EXIT, "open-at-syscall-exit"),
        (NodeFlags::SYNTHETIC, "synthetic"),
    ];
    NAMES
        .iter()
        .filter(|(b, _)| f.has(*b))
        .map(|(_, n)| *n)
        .collect()
}

/// One shared string per function name of a tree or an alignment: a
/// million-call tree names a few thousand functions.
struct SharedNames<'t> {
    trace: &'t Trace,
    seen: HashMap<FuncId, Arc<str>>,
}

impl<'t> SharedNames<'t> {
    fn new(trace: &'t Trace) -> Self {
        SharedNames {
            trace,
            seen: HashMap::new(),
        }
    }

    fn get(&mut self, id: FuncId) -> Arc<str> {
        let names = &self.trace.names;
        self.seen
            .entry(id)
            .or_insert_with(|| Arc::from(names.name(id)))
            .clone()
    }
}

fn node_view(names: &mut SharedNames<'_>, tree: &CallTree, i: usize) -> NodeView {
    let n = &tree.nodes[i];
    NodeView {
        id: i as u32,
        func: names.get(n.func),
        duration_us: n.duration_ns.map(us),
        self_us: tree.self_ns(i).map(us),
        ret: n.ret.map(|r| r.value()),
        line: n.line,
        exit_line: (n.exit_line != 0).then_some(n.exit_line),
        flags: flag_names(n.flags),
        args: n.args.as_deref().map(str::to_string),
        repeat: 1,
        children: {
            // Sized exactly: a million-call tree's views are most of the
            // report's memory, and grown vectors keep up to half again.
            let mut v = Vec::with_capacity(tree.children(i).count());
            v.extend(tree.children(i).map(|c| node_view(names, tree, c)));
            v
        },
    }
}

fn comparison_view(captures: &[Capture], c: &Comparison) -> ComparisonView {
    let gcap = &captures[c.plan.good.0];
    let bcap = &captures[c.plan.bad.0];
    let gs = &gcap.trace.syscalls[c.plan.good.1];
    let bs = &bcap.trace.syscalls[c.plan.bad.1];
    let gt = gs.tree.as_ref().expect("compared syscalls have trees");
    let bt = bs.tree.as_ref().expect("compared syscalls have trees");
    let gname = |n: u32| gcap.trace.names.name(gt.nodes[n as usize].func).to_string();
    let bname = |n: u32| bcap.trace.names.name(bt.nodes[n as usize].func).to_string();
    let (mut gnames, mut bnames) = (SharedNames::new(&gcap.trace), SharedNames::new(&bcap.trace));
    let cell = |names: &mut SharedNames<'_>, tree: &CallTree, n: u32, depth: u16| {
        let node = &tree.nodes[n as usize];
        Cell {
            id: n,
            func: names.get(node.func),
            depth,
            duration_us: node.duration_ns.map(us),
            ret: node.ret.map(|r| r.value()),
            line: node.line,
            has_children: tree.children(n as usize).next().is_some(),
        }
    };
    let div_row = c.divergence.as_ref().map(|d| d.row);
    let aligned = c
        .alignment
        .rows
        .iter()
        .enumerate()
        .map(|(k, r)| AlignedRow {
            kind: match r.kind {
                RowKind::Same => "same",
                RowKind::GoodOnly => "good-only",
                RowKind::BadOnly => "bad-only",
            },
            good: r.good.map(|n| cell(&mut gnames, gt, n, r.good_depth)),
            bad: r.bad.map(|n| cell(&mut bnames, bt, n, r.bad_depth)),
            noise: r.noise,
            wrapper: r.wrapper,
            fold: r.fold,
            divergence: div_row == Some(k),
        })
        .collect();
    let first_divergence = c.divergence.as_ref().map(|d| {
        let (gp, bp) = d.parent;
        let last = d.last_common.unwrap_or(d.parent);
        let bad_parent = &bt.nodes[bp as usize];
        DivergenceView {
            parent: bname(bp),
            last_common: bname(last.1),
            good_next: d.good_next.map(gname),
            bad_next: d.bad_next.map(bname),
            good_line: d
                .good_next
                .map(|n| gt.nodes[n as usize].line)
                .unwrap_or_else(|| {
                    let p = &gt.nodes[gp as usize];
                    if p.exit_line != 0 {
                        p.exit_line
                    } else {
                        p.line
                    }
                }),
            bad_line: d.bad_next.map(|n| bt.nodes[n as usize].line).unwrap_or(
                if bad_parent.exit_line != 0 {
                    bad_parent.exit_line
                } else {
                    bad_parent.line
                },
            ),
            bad_return: bad_parent.ret.map(|r| r.value()),
            last_common_lines: (
                gt.nodes[last.0 as usize].line,
                bt.nodes[last.1 as usize].line,
            ),
            path: bt
                .path(bp as usize)
                .into_iter()
                .map(|i| bname(i as u32))
                .collect(),
            good_next_inside_parent: d.good_next_inside,
            hidden: d.hidden,
            reconverges: d.reconverges,
            row: d.row,
        }
    });
    let candidates: Vec<CandidateView> = c
        .candidates
        .iter()
        .map(|k| CandidateView {
            func: k.func.clone(),
            wrapper: k.wrapper,
            traceable_good: k.traceable_good,
            traceable_bad: k.traceable_bad,
        })
        .collect();
    ComparisonView {
        good: c.plan.good.0,
        bad: c.plan.bad.0,
        good_syscall: gs.index,
        bad_syscall: bs.index,
        syscall: c.title.clone(),
        reason: c.plan.reason.clone(),
        verdict: c.verdict.plain(),
        verdict_prose: c.verdict.clone(),
        first_divergence,
        error_origin: OriginView {
            func: c.origin.node.map(bname),
            line: c.origin.node.map(|n| bt.nodes[n as usize].line),
            chain: c.origin.chain.iter().map(|&n| bname(n)).collect(),
            span: c.origin.span.clone(),
            errno: c
                .origin
                .errno
                .and_then(crate::model::decode::errno_name)
                .map(str::to_string),
            good_ret: c
                .origin
                .good_node
                .and_then(|n| gt.nodes[n as usize].ret.map(|r| r.value())),
        },
        inlined_suspects: c
            .suspects
            .iter()
            .map(|s| SuspectView {
                func: bname(s.node),
                line: bt.nodes[s.node as usize].line,
                gap_us: us(s.gap_ns),
                duration_us: us(s.duration_ns),
                at_divergence: s.at_divergence,
                location: s.location.clone(),
                candidates: if s.at_divergence {
                    candidates.clone()
                } else {
                    Vec::new()
                },
            })
            .collect(),
        minor_differences: c
            .alignment
            .minors
            .iter()
            .map(|m| MinorView {
                parent: gname(m.parent.0),
                good: m.good.map(gname),
                bad: m.bad.map(bname),
                counts: m.counts,
                row: m.row,
            })
            .collect(),
        aligned,
        stats: AlignStats {
            matched: c.alignment.matched,
            good_only: c.alignment.good_only,
            bad_only: c.alignment.bad_only,
        },
        next_capture: c.next_capture.as_ref().map(|n| NextCaptureView {
            tracefs: n.tracefs.clone(),
            trace_cmd: n.trace_cmd.clone(),
            why: n.why.clone(),
        }),
    }
}
