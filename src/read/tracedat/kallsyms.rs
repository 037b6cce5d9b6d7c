//! Function addresses to names, from the `/proc/kallsyms` a trace.dat
//! carries. The lookup is libtraceevent's (`tep_find_function`): absolute
//! (`a`/`A`) and `$`-symbols are left out, symbols are sorted by address
//! keeping their order (the list is built newest first, so among aliases of
//! one address the last in the file comes first), and an address is found by
//! the same binary search, so where several names share an address the one
//! printed is the one `trace-cmd report` prints.

use std::sync::Arc;

use rustc_hash::FxHashMap;

/// The symbol table.
#[derive(Debug, Default)]
pub struct Kallsyms {
    /// (address, name range in `names`), sorted by address.
    syms: Vec<(u64, u32, u32)>,
    names: Vec<u8>,
}

impl Kallsyms {
    /// Parse `/proc/kallsyms` text (`ffffffff81000000 T _stext`, with a
    /// `\t[module]` tail for modules). Lines that do not parse are skipped.
    pub fn parse(text: &[u8]) -> Kallsyms {
        let mut k = Kallsyms::default();
        for line in text.split(|&b| b == b'\n') {
            let mut parts = line
                .split(|&b| b == b' ' || b == b'\t')
                .filter(|p| !p.is_empty());
            let (Some(addr), Some(kind), Some(name)) = (parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            let Some(addr) = std::str::from_utf8(addr)
                .ok()
                .and_then(|a| u64::from_str_radix(a, 16).ok())
            else {
                continue;
            };
            if kind == b"a" || kind == b"A" || name.starts_with(b"$") || kind.len() != 1 {
                continue;
            }
            let start = k.names.len() as u32;
            k.names.extend_from_slice(name);
            k.syms.push((addr, start, k.names.len() as u32));
        }
        k.syms.reverse();
        k.syms.sort_by_key(|s| s.0); // stable, as glibc's merge sort
        k
    }

    /// Whether there are no symbols.
    pub fn is_empty(&self) -> bool {
        self.syms.is_empty()
    }

    /// The function `addr` is in, as glibc's `bsearch` with libtraceevent's
    /// `func_bcmp` finds it: an entry matches when `addr` equals its
    /// address or lies before the next entry's (the entry after the last
    /// has address 0).
    pub fn find(&self, addr: u64) -> Option<usize> {
        let n = self.syms.len();
        let next = |i: usize| if i + 1 < n { self.syms[i + 1].0 } else { 0 };
        let (mut l, mut u) = (0, n);
        while l < u {
            let i = (l + u) / 2;
            let a = self.syms[i].0;
            if addr == a || (addr > a && addr < next(i)) {
                return Some(i);
            }
            if addr < a {
                u = i;
            } else {
                l = i + 1;
            }
        }
        None
    }

    /// The name of entry `i` from [`Kallsyms::find`].
    pub fn name(&self, i: usize) -> &[u8] {
        let (_, s, e) = self.syms[i];
        &self.names[s as usize..e as usize]
    }
}

/// [`Kallsyms`] with a cache of the addresses already looked up (a trace
/// calls the same few thousand functions millions of times).
#[derive(Debug, Default)]
pub struct Resolver {
    /// The table (shared with the typed records' reader, which names
    /// functions by their entry).
    pub syms: Arc<Kallsyms>,
    cache: FxHashMap<u64, Option<u32>>,
}

impl Resolver {
    /// A resolver over `syms`.
    pub fn new(syms: Kallsyms) -> Self {
        Resolver {
            syms: Arc::new(syms),
            cache: FxHashMap::default(),
        }
    }

    /// A resolver over the same table with a cache of its own (for
    /// another thread).
    pub fn share(&self) -> Self {
        Resolver {
            syms: self.syms.clone(),
            cache: FxHashMap::default(),
        }
    }

    /// Look up through the cache: the entry for [`Kallsyms::name`].
    pub fn find(&mut self, addr: u64) -> Option<usize> {
        if self.cache.len() >= 1 << 20 {
            self.cache.clear(); // bounded, whatever addresses a file holds
        }
        let syms = &self.syms;
        let i = *self
            .cache
            .entry(addr)
            .or_insert_with(|| syms.find(addr).map(|i| i as u32));
        i.map(|i| i as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_function_an_address_is_in() {
        let k = Kallsyms::parse(
            b"ffffffff81000000 T _stext\nffffffff81000010 t foo\nffffffff81000010 t foo_alias\n\
              0000000000000000 A fixed_percpu_data\nffffffffc0000000 t m_fn\t[mod]\nbad line\n",
        );
        let name = |a| {
            k.find(a)
                .map(|i| String::from_utf8_lossy(k.name(i)).into_owned())
        };
        assert_eq!(name(0xffffffff81000000).as_deref(), Some("_stext"));
        assert_eq!(name(0xffffffff81000004).as_deref(), Some("_stext"));
        assert_eq!(name(0xffffffffc0000000).as_deref(), Some("m_fn"));
        assert_eq!(name(0x10), None);
        // Beyond the last symbol nothing matches (the end entry has address 0).
        assert_eq!(name(0xffffffffc0000004), None);
        assert!(name(0xffffffff81000010).is_some());
    }
}
