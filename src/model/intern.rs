//! Function names interned to `u32` ids, so nodes carry no heap strings and
//! comparing two calls is comparing two integers.

use rustc_hash::FxHashMap;

/// An interned function name; index into the interner's table of names.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct FuncId(pub u32);

/// Names as they appear in one capture (lossily decoded for display; the
/// kernel prints symbols in ASCII, so loss only hits damaged lines).
#[derive(Debug, Default, Clone)]
pub struct Interner {
    ids: FxHashMap<Box<[u8]>, FuncId>,
    names: Vec<Box<str>>,
}

impl Interner {
    /// The id of `name`, adding it on first sight.
    pub fn intern(&mut self, name: &[u8]) -> FuncId {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = FuncId(self.names.len() as u32);
        self.names
            .push(String::from_utf8_lossy(name).into_owned().into_boxed_str());
        self.ids.insert(name.into(), id);
        id
    }

    /// The id of `name` if it was seen.
    pub fn get(&self, name: &[u8]) -> Option<FuncId> {
        self.ids.get(name).copied()
    }

    /// The display name of `id`.
    pub fn name(&self, id: FuncId) -> &str {
        &self.names[id.0 as usize]
    }

    /// How many distinct names.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether no name was interned.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}
