//! Function names interned to `u32` ids, so nodes carry no heap strings and
//! comparing two calls is comparing two integers.

use rustc_hash::FxHashMap;

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
    names: Vec<Box<str>>,
    bytes: usize,
    over: Option<FuncId>,
    caps: NameCaps,
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
    pub fn intern(&mut self, name: &[u8]) -> FuncId {
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
