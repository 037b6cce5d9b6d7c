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

/// Whether `a` and `b` hold the same bytes. Names checked against a slot
/// are mostly 8 to 32 bytes: compared as four overlapping words, not by a
/// call into `memcmp` (that call was 2 % of a full report's perf samples
/// on short syscalls; the lookup with words costs about 0.5 % less).
#[inline]
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if !(8..=32).contains(&n) {
        return a == b;
    }
    let word = |s: &[u8], i: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&s[i..i + 8]);
        u64::from_ne_bytes(w)
    };
    // Bytes 0..8 and n-8..n cover up to 16; for more, 8..16 and
    // n-16..n-8 cover the rest (n - 16 <= 16).
    word(a, 0) == word(b, 0)
        && word(a, n - 8) == word(b, n - 8)
        && (n <= 16 || (word(a, 8) == word(b, 8) && word(a, n - 16) == word(b, n - 16)))
}

/// A cache is no part of what its table holds: two tables built by
/// different sequences of lookups print alike.
impl std::fmt::Debug for RecentIds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecentIds")
    }
}

#[cfg(test)]
mod tests {
    use super::same_bytes;
    use proptest::prelude::*;

    proptest! {
        /// Equal to `==` whatever the lengths, and for slices that differ
        /// in one byte anywhere (the words overlap: no byte is skipped).
        #[test]
        fn same_bytes_is_equality(a in proptest::collection::vec(any::<u8>(), 0..48), at in any::<usize>(), x in 1u8..) {
            let mut b = a.clone();
            prop_assert!(same_bytes(&a, &b));
            if !b.is_empty() {
                let i = at % b.len();
                b[i] ^= x;
                prop_assert!(!same_bytes(&a, &b));
            }
            prop_assert_eq!(same_bytes(&a, &a[..a.len() / 2]), a.is_empty());
        }
    }
}
