//! Function names interned to `u32` ids, so nodes carry no heap strings and
//! comparing two calls is comparing two integers.

use rustc_hash::FxHashMap;

use super::recent::{RecentIds, same_bytes};

/// An interned function name; index into the interner's table of names.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct FuncId(pub u32);

/// Longest name kept, in bytes: the kernel's own symbol limit
/// (`KSYM_NAME_LEN`, 512 since 6.1). A longer name is cut there and marked
/// `…`; it is no kernel symbol, so nothing is lost that the kernel printed.
pub const MAX_NAME_LEN: usize = 512;

/// Bytes of distinct names a capture keeps (each is stored twice: key and
/// display). A whole kernel's `available_filter_functions` is ~2 MB; past
/// this budget every new name is [`OVER_CAP_NAME`].
pub const MAX_NAME_BYTES: usize = 16 << 20;

/// The name every call gets once [`MAX_NAME_BYTES`] are spent.
pub const OVER_CAP_NAME: &str = "[name not kept: too many distinct names]";

/// Names as they appear in one capture (lossily decoded for display; the
/// kernel prints symbols in ASCII, so loss only hits damaged lines).
/// Bounded: names are cut at [`MAX_NAME_LEN`] and the table holds at most
/// [`MAX_NAME_BYTES`]; [`Interner::caps`] counts both, for the warnings.
#[derive(Debug, Default, Clone)]
pub struct Interner {
    ids: FxHashMap<Box<[u8]>, FuncId>,
    /// Ids by a cheap hash of their name's ends, checked byte for byte: a
    /// capture calls a few hundred names millions of times, and this
    /// answers most calls without hashing the whole name in the map.
    recent: RecentIds,
    names: Vec<Box<str>>,
    bytes: usize,
    over: Option<FuncId>,
    caps: NameCaps,
}

/// A name's slot in [`Interner::intern`]'s cache: its length and its first
/// and last eight bytes (names of one kernel often share a prefix, rarely
/// both ends).
#[inline]
fn recent_slot(name: &[u8]) -> usize {
    let word = |b: &[u8]| {
        let mut w = [0u8; 8];
        w[..b.len()].copy_from_slice(b);
        u64::from_le_bytes(w)
    };
    let n = name.len();
    let (head, tail) = if n >= 8 {
        (word(&name[..8]), word(&name[n - 8..]))
    } else {
        (word(name), 0)
    };
    RecentIds::slot(head ^ tail.rotate_left(29) ^ n as u64)
}

/// How often the interner's bounds were hit.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct NameCaps {
    /// Names cut at [`MAX_NAME_LEN`].
    pub cut: u64,
    /// Names not kept once [`MAX_NAME_BYTES`] were spent.
    pub over: u64,
}

impl Interner {
    /// The id of `name`, new if unseen.
    #[inline]
    pub fn intern(&mut self, name: &[u8]) -> FuncId {
        let slot = recent_slot(name);
        if let Some(id) = self.recent.get(slot) {
            if self
                .names
                .get(id as usize)
                .is_some_and(|n| same_bytes(n.as_bytes(), name))
            {
                return FuncId(id);
            }
        }
        self.intern_missed(name, slot)
    }

    /// A name not in its cache slot: looked up whole, and cached.
    #[inline(never)]
    fn intern_missed(&mut self, name: &[u8], slot: usize) -> FuncId {
        let id = self.intern_slow(name);
        // Only names shown as they are read: a cut or damaged name must
        // take the slow path every time (it counts the cuts).
        if self.over != Some(id) && self.names[id.0 as usize].as_bytes() == name {
            self.recent.set(slot, id.0);
        }
        id
    }

    fn intern_slow(&mut self, name: &[u8]) -> FuncId {
        let key = if name.len() > MAX_NAME_LEN {
            self.caps.cut += 1;
            &name[..MAX_NAME_LEN]
        } else {
            name
        };
        if let Some(&id) = self.ids.get(key) {
            return id;
        }
        if self.bytes + key.len() > MAX_NAME_BYTES {
            self.caps.over += 1;
            if let Some(id) = self.over {
                return id;
            }
            let id = self.push(OVER_CAP_NAME.as_bytes(), false);
            self.over = Some(id);
            return id;
        }
        self.push(key, name.len() > key.len())
    }

    fn push(&mut self, key: &[u8], cut: bool) -> FuncId {
        let id = FuncId(self.names.len() as u32);
        let mut shown = String::from_utf8_lossy(key).into_owned();
        if cut {
            shown.push('…');
        }
        self.bytes += key.len() + shown.len();
        self.names.push(shown.into_boxed_str());
        self.ids.insert(key.into(), id);
        id
    }

    /// The id of `name` if it was interned (cut as [`Interner::intern`]
    /// cuts it).
    pub fn get(&self, name: &[u8]) -> Option<FuncId> {
        self.ids.get(&name[..name.len().min(MAX_NAME_LEN)]).copied()
    }

    /// The name of `id`.
    pub fn name(&self, id: FuncId) -> &str {
        &self.names[id.0 as usize]
    }

    /// How many distinct names.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// How often the bounds were hit so far.
    pub fn caps(&self) -> NameCaps {
        self.caps
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Two names in one cache slot: same length, same first and last
    /// eight bytes.
    #[test]
    fn names_sharing_a_cache_slot_keep_their_own_ids() {
        let (a, b) = (
            b"__x64_sysAcall_bpf".as_slice(),
            b"__x64_sysBcall_bpf".as_slice(),
        );
        assert_eq!(recent_slot(a), recent_slot(b));
        let mut i = Interner::default();
        let (ia, ib) = (i.intern(a), i.intern(b));
        assert_ne!(ia, ib);
        for _ in 0..3 {
            assert_eq!((i.intern(a), i.intern(b), i.intern(a)), (ia, ib, ia));
        }
        assert_eq!(i.len(), 2);
    }

    /// A cut name is counted on every call, cached or not.
    #[test]
    fn every_call_of_a_cut_name_is_counted() {
        let long = vec![b'f'; MAX_NAME_LEN + 10];
        let mut i = Interner::default();
        let id = i.intern(&long);
        assert_eq!((i.intern(&long), i.intern(&long)), (id, id));
        assert_eq!(i.caps().cut, 3);
        assert!(i.name(id).ends_with('…'));
    }

    /// Past the byte budget every new name is the placeholder, and each
    /// call of one is counted (the placeholder is never a cached answer).
    #[test]
    fn calls_past_the_name_budget_are_counted_each_time() {
        let mut i = Interner::default();
        let mut n = 0u64;
        while i.caps().over == 0 {
            i.intern(format!("{n:0>500}").as_bytes());
            n += 1;
        }
        let late = format!("{:x>500}", "one_more");
        let over = i.intern(late.as_bytes());
        assert_eq!(i.name(over), OVER_CAP_NAME);
        for _ in 0..3 {
            assert_eq!(i.intern(late.as_bytes()), over);
        }
        assert_eq!(i.caps().over, 5);
        assert_eq!(i.intern(OVER_CAP_NAME.as_bytes()), over);
    }

    proptest! {
        /// The cache never changes an answer: ids are those of a plain map
        /// handing out numbers in order of first sight.
        #[test]
        fn ids_are_first_sight_order(calls in proptest::collection::vec(
            proptest::collection::vec(prop_oneof![Just(b'a'), Just(b'b'), Just(0xffu8)], 0..20),
            1..300,
        )) {
            let mut i = Interner::default();
            let mut seen: std::collections::HashMap<Vec<u8>, u32> = Default::default();
            for name in &calls {
                let next = seen.len() as u32;
                let want = *seen.entry(name.clone()).or_insert(next);
                prop_assert_eq!(i.intern(name), FuncId(want));
                prop_assert_eq!(i.get(name), Some(FuncId(want)));
            }
        }
    }
}
