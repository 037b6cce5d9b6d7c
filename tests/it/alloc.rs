//! Heap held by the current thread, for the memory bounds of the robustness
//! tests.
//!
//! Per thread, because libtest runs tests in parallel: a process-wide count
//! (what allocator-statistics crates such as `stats_alloc` or `peak_alloc`
//! keep) would add unrelated tests together. The reading path under test
//! (`read_source`) runs on the calling thread only.

use std::cell::Cell;

/// The system allocator, counting live and peak bytes per thread.
pub const PER_THREAD: super::counting::Counting = super::counting::Counting(add);

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn add(delta: isize) {
    // `try_with`: a thread being torn down still frees memory.
    let _ = LIVE.try_with(|live| {
        let v = live.get() + delta;
        live.set(v);
        let _ = PEAK.try_with(|p| p.set(p.get().max(v)));
    });
}

/// Run `f`; return its result and the most heap this thread held at once
/// while it ran, above what it held before.
pub fn peak_during<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let base = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(base));
    let r = f();
    let peak = PEAK.with(Cell::get);
    (r, (peak - base).max(0) as usize)
}
