//! What a function's name says about it, worked out once per interned name
//! instead of once per call: the builder asks on every call whether the
//! function is an interrupt entry and whether it can start a syscall region,
//! and both answers are string prefix tests.

use super::{
    builder::Builder,
    intern::{FuncId, Interner},
    syscall::{is_syscall_glue, syscall_root_name},
};

/// The answers for one function.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct FuncInfo {
    /// An interrupt entry or exit function ([`Builder::is_irq_func`]).
    pub irq: bool,
    /// A syscall entry point at any depth (`__x64_sys_bpf`).
    pub root: bool,
    /// A syscall entry point when called at depth 0 (also `sys_open`).
    pub root_top: bool,
    /// The interned (lossily decoded) name is exactly the bytes the capture
    /// printed, so comparing it with a line's bytes identifies the name.
    pub exact: bool,
    /// The kernel's syscall entry or exit work (`x64_sys_call`,
    /// `exit_to_user_mode_prepare`, …): never a root of its own.
    pub glue: bool,
}

impl FuncInfo {
    /// Whether a call of it at depth 0 (`top`) or deeper can start a region.
    pub fn may_start_region(self, top: bool) -> bool {
        self.root || (top && self.root_top)
    }
}

/// [`FuncInfo`] per [`FuncId`], filled as names are met.
#[derive(Debug, Default)]
pub(crate) struct FuncInfos(Vec<FuncInfo>);

impl FuncInfos {
    /// The info of `id`, computed on first use.
    #[inline]
    pub fn get(&mut self, names: &Interner, id: FuncId) -> FuncInfo {
        let i = id.0 as usize;
        while self.0.len() <= i {
            let name = names.name(FuncId(self.0.len() as u32));
            self.0.push(FuncInfo {
                irq: Builder::is_irq_func(name.as_bytes()),
                root: syscall_root_name(name, false).is_some(),
                root_top: syscall_root_name(name, true).is_some(),
                exact: !name.contains(char::REPLACEMENT_CHARACTER),
                glue: is_syscall_glue(name),
            });
        }
        self.0[i]
    }

    /// The syscall `id` is an entry point of ([`syscall_root_name`]),
    /// answered from its info first: nearly no name is one, and those are
    /// not scanned again.
    pub fn syscall_name<'n>(
        &mut self,
        names: &'n Interner,
        id: FuncId,
        top: bool,
    ) -> Option<&'n str> {
        if !self.get(names, id).may_start_region(top) {
            return None;
        }
        syscall_root_name(names.name(id), top)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_match_the_name_tests() {
        let mut names = Interner::default();
        let mut infos = FuncInfos::default();
        let bpf = names.intern(b"__x64_sys_bpf");
        let open = names.intern(b"sys_open");
        let tick = names.intern(b"__sysvec_apic_timer_interrupt");
        let plain = names.intern(b"kmalloc");
        let damaged = names.intern(b"kmal\xffloc");
        assert!(!infos.get(&names, damaged).exact);
        assert!(infos.get(&names, bpf).may_start_region(false));
        assert!(!infos.get(&names, open).may_start_region(false));
        assert!(infos.get(&names, open).may_start_region(true));
        assert!(infos.get(&names, tick).irq);
        assert_eq!(
            infos.get(&names, plain),
            FuncInfo {
                exact: true,
                ..FuncInfo::default()
            }
        );
    }
}
