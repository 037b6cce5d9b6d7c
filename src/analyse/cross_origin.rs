//! One failure compared more than once: a report of a good run and two bad
//! runs of the same failing call, one with return values and one without,
//! ranked the second's candidate origins from structure alone while the
//! first's printed values had already named the origin, and neither said so.
//! A comparison without return values now points to one of the same failure
//! that has them. Only a pointer: the two are different runs, so the named
//! origin is where to look first, not a fact of this run.

use crate::load::Capture;

use super::{Comparison, origin::Evidence};

/// Append to each comparison whose origin rests on no return value the
/// first other comparison of the same failure (syscall title and errno, a
/// different bad run) whose printed values name the origin.
pub fn point_to_printed_origins(captures: &[Capture], comparisons: &mut [Comparison]) {
    let bad = |c: &Comparison| &captures[c.plan.bad.0].trace.syscalls[c.plan.bad.1];
    let named: Vec<Option<(String, i32, String)>> = comparisons
        .iter()
        .map(|c| {
            let n = c
                .origin
                .node
                .filter(|_| c.origin.evidence == Evidence::Retval)?;
            let s = bad(c);
            let tree = s.tree.as_ref()?;
            let func = captures[c.plan.bad.0]
                .trace
                .names
                .name(tree.nodes.get(n as usize)?.func);
            Some((c.title.clone(), s.errno()?, func.to_string()))
        })
        .collect();
    for i in 0..comparisons.len() {
        let c = &comparisons[i];
        if c.origin.evidence == Evidence::Retval {
            continue;
        }
        let Some(errno) = bad(c).errno() else {
            continue;
        };
        let found = named.iter().enumerate().find_map(|(j, n)| {
            let (title, e, func) = n.as_ref()?;
            let other = &comparisons[j];
            (j != i && *title == c.title && *e == errno && other.plan.bad != c.plan.bad)
                .then_some((j, func))
        });
        let Some((j, func)) = found else {
            continue;
        };
        let label = captures[comparisons[j].plan.bad.0].label.clone();
        let errno_name = bad(&comparisons[j])
            .errno_name()
            .map_or_else(|| format!("errno {errno}"), str::to_string);
        let title = c.title.clone();
        comparisons[i]
            .verdict
            .gap()
            .text("The comparison with ")
            .code(label)
            .text(" has return values for the same failing call (")
            .code(title)
            .text(format!(" with {errno_name}): there the error is born in "))
            .func(func)
            .text(", the place to look first here too if both runs failed the same way.");
    }
}
