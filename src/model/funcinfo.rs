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
    /// Where the syscall's name sits in the function's name when it is an
    /// entry point (`root_top` or `root`): every syscall region asks, and
    /// the prefix scan is then done once per name.
    span: (u16, u16),
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
        match self.0.get(id.0 as usize) {
            Some(&info) => info,
            None => self.fill(names, id),
        }
    }

    /// Work out the infos of the names up to `id`.
    #[cold]
    #[inline(never)]
    fn fill(&mut self, names: &Interner, id: FuncId) -> FuncInfo {
        while self.0.len() <= id.0 as usize {
            let name = names.name(FuncId(self.0.len() as u32));
            let top = syscall_root_name(name, true);
            let span = top.map_or((0, 0), |sc| {
                let start = sc.as_ptr() as usize - name.as_ptr() as usize;
                (start as u16, (start + sc.len()) as u16)
            });
            self.0.push(FuncInfo {
                irq: Builder::is_irq_func(name.as_bytes()),
                root: syscall_root_name(name, false).is_some(),
                root_top: top.is_some(),
                exact: !name.contains(char::REPLACEMENT_CHARACTER),
                glue: is_syscall_glue(name),
                span,
            });
        }
        self.0[id.0 as usize]
    }

    /// The syscall `id` is an entry point of ([`syscall_root_name`]) when
    /// called at depth 0 (`top`) or deeper, from its info: nearly no name
    /// is one, and none is scanned again.
    #[inline]
    pub fn syscall_name<'n>(
        &mut self,
        names: &'n Interner,
        id: FuncId,
        top: bool,
    ) -> Option<&'n str> {
        let info = self.get(names, id);
        if !info.may_start_region(top) {
            return None;
        }
        names
            .name(id)
            .get(info.span.0 as usize..info.span.1 as usize)
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
        for (id, top, want) in [
            (bpf, false, Some("bpf")),
            (bpf, true, Some("bpf")),
            (open, true, Some("open")),
            (open, false, None),
            (plain, true, None),
        ] {
            assert_eq!(infos.syscall_name(&names, id, top), want);
            assert_eq!(
                infos.syscall_name(&names, id, top),
                syscall_root_name(names.name(id), top)
            );
        }
    }
}
