//! The report's value types: what a number or a mark *is*, so a renderer
//! formats it from the value instead of parsing a string back.
//!
//! Each serialises exactly as the schema (`docs/report-schema.md`) says:
//! [`Nanos`] as µs (a JSON number), [`NodeFlags`] as a list of names,
//! [`Pair`] as a two-element array.

use serde::{Serialize, Serializer, ser::SerializeSeq as _, ser::SerializeTuple as _};

/// A duration in nanoseconds; in JSON a number of µs (`7.521`), the unit
/// ftrace prints.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Nanos(pub u64);

impl Nanos {
    /// The same duration in µs.
    pub fn us(self) -> f64 {
        self.0 as f64 / 1000.0
    }
}

impl Serialize for Nanos {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.us())
    }
}

/// A call's pre-order index in its syscall's tree (deep links use it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct NodeId(pub u32);

/// One value per run of a comparison; in JSON `[good, bad]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pair<T> {
    /// The good run's.
    pub good: T,
    /// The bad run's.
    pub bad: T,
}

impl<T> From<(T, T)> for Pair<T> {
    fn from((good, bad): (T, T)) -> Self {
        Pair { good, bad }
    }
}

impl<T: Serialize> Serialize for Pair<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut t = s.serialize_tuple(2)?;
        t.serialize_element(&self.good)?;
        t.serialize_element(&self.bad)?;
        t.end()
    }
}

bitflags::bitflags! {
    /// Facts about a call that are not a number (the model's flags, bit for
    /// bit: the page's `x` column carries these bits).
    #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
    pub struct NodeFlags: u16 {
        /// Printed as a leaf line `f();`.
        const LEAF = crate::model::NodeFlags::LEAF;
        /// The `}` never came.
        const EXIT_MISSING = crate::model::NodeFlags::EXIT_MISSING;
        /// The `{` is not in the capture.
        const ENTRY_MISSING = crate::model::NodeFlags::ENTRY_MISSING;
        /// Inside an interrupt.
        const IRQ = crate::model::NodeFlags::IRQ;
        /// Rebuilt from the function tracer's `<-parent`.
        const RECONSTRUCTED = crate::model::NodeFlags::RECONSTRUCTED;
        /// Events were lost while the call was open.
        const LOST_EVENTS = crate::model::NodeFlags::LOST;
        /// Still open when the syscall's exit event came.
        const OPEN_AT_SYSCALL_EXIT = crate::model::NodeFlags::OPEN_AT_SYSCALL_EXIT;
        /// Placeholder root of a syscall seen only between its events.
        const SYNTHETIC = crate::model::NodeFlags::SYNTHETIC;
    }
}

/// Flag names as the schema spells them, in bit order (bit 0 first).
pub const FLAG_NAMES: [&str; 8] = [
    "leaf",
    "exit-missing",
    "entry-missing",
    "irq",
    "reconstructed",
    "lost-events",
    "open-at-syscall-exit",
    "synthetic",
];

impl NodeFlags {
    /// The view's flags of a model node.
    pub fn of(f: crate::model::NodeFlags) -> Self {
        NodeFlags::from_bits_truncate(f.0)
    }

    /// The names of the set flags, in bit order.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        FLAG_NAMES
            .iter()
            .enumerate()
            .filter(move |(b, _)| self.bits() & (1 << b) != 0)
            .map(|(_, n)| *n)
    }
}

impl Serialize for NodeFlags {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.bits().count_ones() as usize))?;
        for n in self.names() {
            seq.serialize_element(n)?;
        }
        seq.end()
    }
}

/// How a group of syscalls ended; in JSON `ok`, `unknown`, the errno's
/// name (`EINVAL`), or `-N` for an errno without a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupOutcome(pub crate::model::Outcome);

impl GroupOutcome {
    /// Whether the group failed.
    pub fn failed(self) -> bool {
        matches!(self.0, crate::model::Outcome::Errno(_))
    }
}

impl std::fmt::Display for GroupOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            crate::model::Outcome::Errno(e) => match crate::model::decode::errno_name(e) {
                Some(n) => f.write_str(n),
                None => write!(f, "-{e}"),
            },
            crate::model::Outcome::Ok => f.write_str("ok"),
            crate::model::Outcome::Unknown => f.write_str("unknown"),
        }
    }
}

impl Serialize for GroupOutcome {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_serialise_as_the_schema_says() {
        assert_eq!(j(&Nanos(7521)), "7.521");
        assert_eq!(j(&Nanos(0)), "0.0");
        assert_eq!(j(&Pair { good: 3u64, bad: 4 }), "[3,4]");
        let f = NodeFlags::LEAF | NodeFlags::LOST_EVENTS;
        assert_eq!(j(&f), r#"["leaf","lost-events"]"#);
        let o = |x| j(&GroupOutcome(x));
        assert_eq!(o(crate::model::Outcome::Errno(22)), r#""EINVAL""#);
        assert_eq!(o(crate::model::Outcome::Errno(4000)), r#""-4000""#);
        assert_eq!(o(crate::model::Outcome::Ok), r#""ok""#);
    }

    #[test]
    fn flag_bits_match_the_model() {
        for (b, name) in FLAG_NAMES.iter().enumerate() {
            let f = NodeFlags::of(crate::model::NodeFlags(1 << b));
            assert_eq!(f.names().collect::<Vec<_>>(), vec![*name]);
        }
    }

    fn j<T: Serialize>(v: &T) -> String {
        serde_json::to_string(v).unwrap_or_default()
    }
}
