//! A direct-mapped cache of table ids: the name table answers millions of
//! lookups about a few hundred names, and a slot checked against the table
//! costs less than hashing the whole name into a map.

/// Ids by slot (`u32::MAX`: empty), allocated on first use. The caller
/// checks an id against its table before trusting it: a slot is shared by
/// every key that hashes to it, and the last one wins.
#[derive(Clone, Default)]
pub(crate) struct RecentIds(Vec<u32>);

impl RecentIds {
    /// Slots: a power of two, `1 << SLOT_BITS`.
    pub const SLOT_BITS: u32 = 12;

    /// The slot of a key already mixed into 64 bits.
    #[inline]
    pub fn slot(key: u64) -> usize {
        (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - Self::SLOT_BITS)) as usize
    }

    /// The id last stored in `slot`, if any.
    #[inline]
    pub fn get(&self, slot: usize) -> Option<u32> {
        self.0.get(slot).copied().filter(|&id| id != u32::MAX)
    }

    /// Remember `id` in `slot`.
    pub fn set(&mut self, slot: usize, id: u32) {
        if self.0.is_empty() {
            self.0 = vec![u32::MAX; 1 << Self::SLOT_BITS];
        }
        self.0[slot] = id;
    }
}

/// A cache is no part of what its table holds: two tables built by
/// different sequences of lookups print alike.
impl std::fmt::Debug for RecentIds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecentIds")
    }
}
