//! The verdict's last sentence: the likely cause, after its evidence chain
//! (each step a fact with its file and line), and, without kernel facts,
//! what to fetch on the target to get one.

use crate::kernel::KernelFacts;

use super::{
    Prose,
    cause_links::EvidenceKind,
    causes::{Basis, Cause},
};

/// A score at least this high is a "likely" cause; below, a "possible" one.
const LIKELY: f64 = 0.4;

/// `file:line` as the reader finds it: a source file relative to the
/// tree, a config, list or capture by its file name.
fn place(e: &super::cause_links::Evidence) -> Option<String> {
    let f = e.file.as_deref()?;
    let user_file = matches!(
        e.kind,
        EvidenceKind::Config | EvidenceKind::FunctionList | EvidenceKind::Trace
    );
    let shown = if user_file {
        f.rsplit('/').next().unwrap_or(f)
    } else {
        f
    };
    Some(match e.line {
        Some(l) => format!("{shown}:{l}"),
        None => shown.to_string(),
    })
}

/// "Evidence: …; …. **Likely cause: the bad kernel is built without
/// `CONFIG_X`.**" for the top cause.
pub fn likely_cause(causes: &[Cause]) -> Option<Prose> {
    let top = causes.first()?;
    let mut p = Prose::default();
    p.text("Evidence: ");
    // The chain as a reader follows it: the trace, the lists, the source,
    // then the config lines that settle it.
    let order = |k: EvidenceKind| match k {
        EvidenceKind::Trace => 0,
        EvidenceKind::FunctionList => 1,
        EvidenceKind::Definition => 2,
        EvidenceKind::Makefile => 3,
        EvidenceKind::Ops => 4,
        EvidenceKind::Table => 5,
        EvidenceKind::Ifdef => 6,
        EvidenceKind::Config => 7,
        EvidenceKind::Name => 8,
    };
    let mut steps: Vec<_> = top
        .evidence
        .iter()
        .filter(|e| e.kind != EvidenceKind::Name && e.file.is_some())
        .collect();
    steps.sort_by_key(|e| order(e.kind));
    for (i, e) in steps.iter().enumerate() {
        if i > 0 {
            p.text("; ");
        }
        p.0.extend(Prose::from_ticks(&e.text).0);
        if let Some(at) = place(e) {
            p.text(" (").code(at).text(")");
        }
    }
    p.text(".");
    if top.basis == Basis::Names {
        if let Some(n) = top.evidence.iter().find(|e| e.kind == EvidenceKind::Name) {
            let why = n.text.split(" (a name match").next().unwrap_or("");
            p.text(" The option is tied to the code by names only (");
            p.0.extend(Prose::from_ticks(why).0);
            p.text("), weaker than a Makefile or ")
                .code("#if")
                .text(" line: ")
                .code("--kernel-src DIR")
                .text(" checks it in the source.");
        }
    }
    let word = if top.score >= LIKELY {
        "Likely cause"
    } else {
        "Possible cause (a weak tie)"
    };
    let what = match (top.good_value.as_str(), top.bad_value.as_str()) {
        (_, "is not set") => "the bad kernel is built without",
        ("is not set", _) => "the bad kernel is built with",
        (_, "m") => "the bad kernel builds as a module",
        _ => "the bad kernel differs in",
    };
    p.text(" ").strong(format!("{word}:"));
    p.text(format!(" {what} "));
    p.code(&top.config);
    p.text(".");
    Some(p)
}

/// End `verdict` with the top cause's sentence, if there is a cause.
pub fn append_likely_cause(verdict: &mut Prose, causes: &[Cause]) {
    let Some(p) = likely_cause(causes) else {
        return;
    };
    verdict.gap().extend(p);
}

/// What to fetch when kernel facts are missing (`None`: all are given).
pub fn facts_hint(good: &KernelFacts, bad: &KernelFacts, labels: (&str, &str)) -> Option<String> {
    let mut want: Vec<String> = Vec::new();
    for (facts, label) in [(good, labels.0), (bad, labels.1)] {
        if facts.functions.is_none() {
            want.push(format!("`{label}.available_filter_functions`"));
        }
        if facts.config.is_none() {
            want.push(format!("`{label}.config`"));
        }
    }
    if want.is_empty() {
        return None;
    }
    Some(format!(
        "Each kernel's function list and config would let the report rank config options as the \
         cause (which option removes the code the good run executed). Missing: {}. On each machine: \
         `cat /sys/kernel/tracing/available_filter_functions > LABEL.available_filter_functions`, \
         `zcat /proc/config.gz > LABEL.config` (or `cp /boot/config-$(uname -r) LABEL.config`), and \
         `uname -r` for the source version; put them beside `LABEL.log` (found automatically) or \
         give `--kernel LABEL:functions=FILE --kernel LABEL:config=FILE`.",
        want.join(", ")
    ))
}
