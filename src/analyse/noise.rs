//! Calls that ftrace shows anywhere, for reasons unrelated to the question a
//! good/bad comparison asks: debug-kernel checks, scheduler preemption
//! points, lockdep/RCU bookkeeping, and interrupts that a timer tick nests
//! under whatever was running. They are shown in the aligned view but never
//! decide where two runs part.
//!
//! The list is matched by name prefix (a trailing `*`) or exactly; `--ignore`
//! adds to it, `--ignore=-NAME` removes an entry.

/// The default noise list. Each entry says why in the docs (docs/analysis.md).
pub const DEFAULT_NOISE: &[&str] = &[
    // might_sleep()/might_fault() debug checks (CONFIG_DEBUG_ATOMIC_SLEEP, PROVE_LOCKING)
    "__might_fault",
    "__might_sleep",
    "__might_resched",
    "___might_sleep",
    // voluntary preemption points and what a reschedule there runs
    "__cond_resched",
    "_cond_resched",
    "cond_resched*",
    "preempt_schedule*",
    "schedule",
    "__schedule",
    "rcu_note_context_switch",
    "rcu_qs",
    // RCU/lockdep/debug bookkeeping
    "__rcu_read_lock",
    "__rcu_read_unlock",
    "rcu_read_lock_held*",
    "rcu_read_lock_sched_held",
    "rcu_read_lock_bh_held",
    "rcu_lockdep_current_cpu_online",
    "debug_lockdep_rcu_enabled",
    "lock_acquire",
    "lock_release",
    "lock_is_held_type",
    "lockdep_*",
    "__srcu_read_lock",
    "__srcu_read_unlock",
    "preempt_count_add",
    "preempt_count_sub",
    "debug_smp_processor_id",
    "check_preemption_disabled",
    "__sanitizer_cov_trace*",
    "kasan_*",
    "__kasan_*",
    "kmsan_*",
    // interrupt entry/exit (the subtree under them is an interrupt)
    "irq_enter_rcu",
    "irq_exit_rcu",
    "__irq_exit_rcu",
    "__sysvec_*",
    "sysvec_*",
    "do_IRQ",
    "smp_apic_timer_interrupt",
];

/// A noise list: exact names and prefixes.
#[derive(Debug, Clone)]
pub struct Noise {
    exact: Vec<String>,
    prefixes: Vec<String>,
}

impl Default for Noise {
    fn default() -> Self {
        Noise::new(&[])
    }
}

impl Noise {
    /// The default list changed by `--ignore` entries: `NAME` or `PREFIX*`
    /// adds, `-NAME` removes (use `-*` to start from an empty list).
    pub fn new(changes: &[String]) -> Self {
        let mut entries: Vec<String> = DEFAULT_NOISE.iter().map(|s| s.to_string()).collect();
        for c in changes {
            for item in c.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                if let Some(rm) = item.strip_prefix('-') {
                    if rm == "*" {
                        entries.clear();
                    } else {
                        entries.retain(|e| e != rm);
                    }
                } else if !entries.iter().any(|e| e == item) {
                    entries.push(item.to_string());
                }
            }
        }
        let (prefixes, exact): (Vec<_>, Vec<_>) =
            entries.into_iter().partition(|e| e.ends_with('*'));
        Noise {
            exact,
            prefixes: prefixes
                .into_iter()
                .map(|p| p.trim_end_matches('*').to_string())
                .collect(),
        }
    }

    /// Whether a call of `func` is noise. Suffixes like `.part.0` and
    /// `.isra.0` are ignored.
    pub fn is_noise(&self, func: &str) -> bool {
        let base = func.split('.').next().unwrap_or(func);
        self.exact.iter().any(|e| e == base)
            || self.prefixes.iter().any(|p| base.starts_with(p.as_str()))
    }

    /// All entries, for the report.
    pub fn entries(&self) -> Vec<String> {
        let mut v = self.exact.clone();
        v.extend(self.prefixes.iter().map(|p| format!("{p}*")));
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_changes() {
        let n = Noise::default();
        assert!(n.is_noise("__might_fault"));
        assert!(n.is_noise("__sysvec_apic_timer_interrupt"));
        assert!(n.is_noise("__cond_resched"));
        assert!(!n.is_noise("array_map_alloc_check"));
        let n = Noise::new(&["-__might_fault".into(), "security_*".into()]);
        assert!(!n.is_noise("__might_fault"));
        assert!(n.is_noise("security_bpf"));
        let n = Noise::new(&["-*".into()]);
        assert!(!n.is_noise("__cond_resched"));
    }
}
