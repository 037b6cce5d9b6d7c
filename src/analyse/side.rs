//! One syscall's call tree prepared for comparison: function names mapped to
//! ids shared by all captures, noise marked, and a shape hash per subtree so
//! identical subtrees are aligned without looking inside.

use std::hash::{Hash, Hasher};

use rustc_hash::{FxHashMap, FxHasher};

use crate::model::{CallTree, NodeFlags, Syscall, Trace};

use super::noise::Noise;

/// Names shared by the captures of one analysis.
#[derive(Debug, Default)]
pub struct GlobalNames {
    ids: FxHashMap<String, u32>,
    names: Vec<String>,
}

impl GlobalNames {
    /// The shared id of `name`.
    pub fn id(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(name.to_string());
        self.ids.insert(name.to_string(), id);
        id
    }

    /// The name of a shared id.
    pub fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }
}

/// A syscall tree ready to be aligned.
pub struct Side<'a> {
    /// The capture.
    pub trace: &'a Trace,
    /// The syscall.
    pub syscall: &'a Syscall,
    /// Its tree.
    pub tree: &'a CallTree,
    /// Shared name id per node.
    pub gid: Vec<u32>,
    /// Node is noise, or inside a noise subtree.
    pub noise: Vec<bool>,
    /// Node is an interrupt (or inside one): left out of the alignment.
    pub irq: Vec<bool>,
    /// Shape hash of each node's subtree (names and structure, no times).
    pub hash: Vec<u64>,
}

impl<'a> Side<'a> {
    /// Prepare `syscall`'s tree (it must have one).
    pub fn new(
        trace: &'a Trace,
        syscall: &'a Syscall,
        names: &mut GlobalNames,
        noise: &Noise,
    ) -> Option<Self> {
        let tree = syscall.tree.as_ref()?;
        let n = tree.nodes.len();
        let mut gid = Vec::with_capacity(n);
        let mut local: FxHashMap<u32, (u32, bool)> = FxHashMap::default();
        let mut own_noise = Vec::with_capacity(n);
        for node in &tree.nodes {
            let (g, is_noise) = *local.entry(node.func.0).or_insert_with(|| {
                let name = trace.names.name(node.func);
                (names.id(name), noise.is_noise(name))
            });
            gid.push(g);
            own_noise.push(is_noise);
        }
        let mut noise_v = vec![false; n];
        let mut irq = vec![false; n];
        for i in 0..n {
            let node = &tree.nodes[i];
            let p = node.parent;
            let parent_noise = p != u32::MAX && noise_v[p as usize];
            let parent_irq = p != u32::MAX && irq[p as usize];
            irq[i] = parent_irq || node.flags.has(NodeFlags::IRQ);
            noise_v[i] = parent_noise || own_noise[i] || irq[i];
        }
        let mut hash = vec![0u64; n];
        for i in (0..n).rev() {
            let mut h = FxHasher::default();
            gid[i].hash(&mut h);
            for c in tree.children(i) {
                hash[c].hash(&mut h);
            }
            hash[i] = h.finish();
        }
        Some(Side {
            trace,
            syscall,
            tree,
            gid,
            noise: noise_v,
            irq,
            hash,
        })
    }

    /// The display name of node `i`.
    pub fn name(&self, i: u32) -> &str {
        self.trace.names.name(self.tree.nodes[i as usize].func)
    }

    /// Non-noise calls in the tree.
    pub fn signal_calls(&self) -> usize {
        self.noise.iter().filter(|n| !**n).count()
    }

    /// The next non-noise node in call order after the subtree of `i`.
    pub fn next_after_subtree(&self, i: u32) -> Option<u32> {
        let start = self.tree.nodes[i as usize].end as usize;
        (start..self.tree.nodes.len())
            .find(|&k| !self.noise[k])
            .map(|k| k as u32)
    }
}
