//! The depth cap: no kernel stack nests a thousand traced calls (x86-64
//! kernel stacks are 16 KiB, and the graph tracer's return stack holds far
//! fewer), so a deeper call is forged or damaged. Ignoring it, with a
//! `depth-cap` warning at its line, bounds every walk of the trees (the
//! builder's placeholders, folding, alignment, rendering, serialisation)
//! by [`MAX_DEPTH`] levels, whatever the input.

use super::{super::warnings::WarningKind, Builder};

/// The deepest call level kept (0 is the outermost).
pub const MAX_DEPTH: usize = 1000;

impl Builder {
    /// Whether a call at `depth` is over the cap (then warned and ignored).
    pub(super) fn over_depth_cap(&mut self, line: u64, depth: usize) -> bool {
        if depth <= MAX_DEPTH {
            return false;
        }
        self.warn(line, WarningKind::DepthCap, || {
            format!(
                "a call at depth {depth}, deeper than the cap of {MAX_DEPTH} levels (no kernel stack nests that deep): ignored"
            )
        });
        true
    }
}
