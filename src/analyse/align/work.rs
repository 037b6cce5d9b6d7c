//! The alignment's total work budget: every diff of every alignment of one
//! analysis draws from it (counted in steps, like each diff's own budget in
//! `myers`, never in time). Two huge trees that differ everywhere would
//! otherwise cost one full diff budget per level, and there can be a
//! level per call. Once it is spent, every further level is aligned by the
//! cheaper rule (common start and end paired, the middle unpaired: linear
//! in its length), and the analysis says how many levels were.

use std::cell::Cell;

use super::myers::{Budget, DIFF_BUDGET};

/// Steps all alignments of one analysis may take together: a few seconds
/// of work on a current CPU, four diffs at their own budget.
pub const ALIGN_BUDGET: u64 = 4 * DIFF_BUDGET;

/// What is left of the total budget, and what its exhaustion cost.
#[derive(Debug)]
pub struct AlignWork {
    left: Cell<u64>,
    cheap: Cell<u64>,
    total: u64,
}

impl Default for AlignWork {
    fn default() -> Self {
        AlignWork::new(ALIGN_BUDGET)
    }
}

impl AlignWork {
    /// A budget of `steps`.
    pub fn new(steps: u64) -> Self {
        AlignWork {
            left: Cell::new(steps),
            cheap: Cell::new(0),
            total: steps,
        }
    }

    /// The budget for the next diff: its own cap, or what is left.
    pub(super) fn take(&self) -> Budget {
        Budget(DIFF_BUDGET.min(self.left.get()))
    }

    /// A diff given `given` is done with `left` unspent; `cheap` when it
    /// had to answer part of its lists by the cheaper rule.
    pub(super) fn done(&self, given: Budget, left: Budget, cheap: bool) {
        let spent = given.0 - left.0;
        self.left.set(self.left.get().saturating_sub(spent));
        if cheap && self.exhausted() {
            self.cheap.set(self.cheap.get() + 1);
        }
    }

    /// Whether the total budget is spent.
    pub fn exhausted(&self) -> bool {
        self.left.get() == 0
    }

    /// Child lists aligned by the cheaper rule after the budget was spent.
    pub fn cheap_levels(&self) -> u64 {
        self.cheap.get()
    }

    /// The report's note when the budget ran out, naming it.
    pub fn note(&self) -> Option<String> {
        (self.cheap_levels() > 0).then(|| {
            let lists = self.cheap_levels();
            format!(
                "alignment work budget spent ({} steps in all): {} of calls {} aligned by the cheaper rule (the same calls at their start and end paired, the rest shown unpaired), so differences there may be overstated",
                self.total,
                crate::analyse::prose::plural(lists, "list"),
                if lists == 1 { "was" } else { "were" }
            )
        })
    }
}
