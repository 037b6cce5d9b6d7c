//! A value per CPU, looked up on every line: a `Vec` indexed by CPU for the
//! numbers machines have, a map beyond them, so a damaged line's
//! `[4294967295]` does not allocate billions of slots.

use rustc_hash::FxHashMap;

/// CPUs below this are kept in the `Vec` (the kernel's `NR_CPUS` maximum is
/// 8192 on x86; the slots cost a few bytes each).
const DENSE: u32 = 8192;

#[derive(Debug)]
pub(crate) struct CpuMap<V> {
    dense: Vec<Option<V>>,
    sparse: FxHashMap<u32, V>,
    len: usize,
}

impl<V> Default for CpuMap<V> {
    fn default() -> Self {
        CpuMap {
            dense: Vec::new(),
            sparse: FxHashMap::default(),
            len: 0,
        }
    }
}

impl<V: Copy> CpuMap<V> {
    #[inline]
    pub fn get(&self, cpu: u32) -> Option<V> {
        if cpu < DENSE {
            self.dense.get(cpu as usize).copied().flatten()
        } else {
            self.sparse.get(&cpu).copied()
        }
    }

    pub fn insert(&mut self, cpu: u32, v: V) {
        let old = if cpu < DENSE {
            let i = cpu as usize;
            if self.dense.len() <= i {
                self.dense.resize(i + 1, None);
            }
            self.dense[i].replace(v)
        } else {
            self.sparse.insert(cpu, v)
        };
        self.len += old.is_none() as usize;
    }

    /// No CPU has a value.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_and_sparse_cpus_answer_alike() {
        let mut m = CpuMap::default();
        assert!(m.is_empty());
        for cpu in [0, 3, DENSE - 1, DENSE, u32::MAX] {
            assert_eq!(m.get(cpu), None);
            m.insert(cpu, cpu as u64 + 1);
            m.insert(cpu, cpu as u64 + 2);
            assert_eq!(m.get(cpu), Some(cpu as u64 + 2));
        }
        assert_eq!(m.get(1), None);
        assert_eq!(m.len, 5);
        assert!(m.dense.len() <= DENSE as usize);
    }
}
