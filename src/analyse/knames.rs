//! Name evidence, for when no source index says which option builds a
//! function: `xsk_map_alloc`'s prefix `xsk` abbreviates `XDP_SOCKETS`,
//! `security_bpf` starts with `SECURITY`. Weaker than a Makefile line, and
//! the report says so.

/// A function's name tokens, without leading underscores and compiler
/// suffixes (`__xsk_map_flush.isra.0` → `xsk`, `map`, `flush`).
pub fn fn_tokens(func: &str) -> Vec<&str> {
    let base = func.split('.').next().unwrap_or(func);
    base.split('_').filter(|t| !t.is_empty()).collect()
}

/// An option's name tokens, lower case (`CONFIG_XDP_SOCKETS` → `xdp`,
/// `sockets`).
pub fn option_tokens(option: &str) -> Vec<String> {
    option
        .strip_prefix("CONFIG_")
        .unwrap_or(option)
        .split('_')
        .filter(|t| !t.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

/// Letters one token may give an abbreviation (`sk` of `sockets`): more,
/// and `security` would "abbreviate" `SECURITY_TOMOYO`.
const MAX_PER_TOKEN: usize = 3;

/// `p` abbreviates the tokens: each token gives its first letter and at
/// most two more, in order, and every letter of `p` comes from them (`xsk`
/// ← `xdp` `sockets`).
fn abbreviates(p: &[u8], toks: &[&[u8]]) -> bool {
    let Some((tok, rest)) = toks.split_first() else {
        return p.is_empty();
    };
    if p.is_empty() || tok.is_empty() || p[0] != tok[0] {
        return false;
    }
    // Letters 1..k of p from this token (in order), the rest from the next.
    let mut ti = 1;
    for k in 1..=p.len().min(MAX_PER_TOKEN) {
        if abbreviates(&p[k..], rest) {
            return true;
        }
        if k == p.len() {
            break;
        }
        while ti < tok.len() && tok[ti] != p[k] {
            ti += 1;
        }
        if ti == tok.len() {
            return false;
        }
        ti += 1;
    }
    false
}

/// The words of the config's own vocabulary: every token of every option
/// name either kernel's config names. A function prefix that is such a word
/// (`btf`: `CONFIG_DEBUG_INFO_BTF`) is that word, not an abbreviation of
/// another option (`BTRFS_FS` would give `b`,`t` + `f`); `xsk` is no option's
/// word, so it may abbreviate `XDP_SOCKETS`.
#[derive(Debug, Default)]
pub struct Vocab(rustc_hash::FxHashSet<String>);

impl Vocab {
    /// The tokens of these option names.
    pub fn of<'a>(options: impl IntoIterator<Item = &'a str>) -> Self {
        Vocab(options.into_iter().flat_map(option_tokens).collect())
    }

    fn has(&self, word: &str) -> bool {
        self.0.contains(word)
    }
}

/// How strongly a function's name points at an option, 0..1, and why.
pub fn link(option_toks: &[String], func: &str, vocab: &Vocab) -> Option<(f64, String)> {
    let ft = fn_tokens(func);
    let first = ft.first()?.to_ascii_lowercase();
    // Two letters abbreviate far too many option pairs by chance (`sk` of
    // `SENSORS_K10TEMP`): three at least (`xsk`).
    if option_toks.len() >= 2
        && first.len() >= 3
        && first.len() < option_toks.concat().len()
        && !vocab.has(&first)
    {
        let toks: Vec<&[u8]> = option_toks.iter().map(|t| t.as_bytes()).collect();
        if abbreviates(first.as_bytes(), &toks) {
            // Initials of three or more tokens match by chance more often
            // than letters taken inside a token (`sk` of `sockets`).
            let w = if first.len() == toks.len() && toks.len() >= 3 {
                0.85
            } else {
                1.0
            };
            return Some((
                w,
                format!(
                    "`{first}` abbreviates `{}`",
                    option_toks.join("_").to_uppercase()
                ),
            ));
        }
    }
    let lower: Vec<String> = ft.iter().map(|t| t.to_ascii_lowercase()).collect();
    let covered = option_toks.iter().filter(|t| lower.contains(t)).count();
    if covered == 0 {
        return None;
    }
    // Squared: `security_bpf` is generic LSM code, not `SECURITY_TOMOYO`'s.
    let share = (covered as f64 / option_toks.len() as f64).powi(2);
    // The option's name at the start of the function's (`security_bpf`)
    // says more than a token somewhere inside it.
    let at_start = lower.starts_with(&option_toks[..covered.min(option_toks.len())])
        && lower[0] == option_toks[0];
    let w = if at_start { share } else { share * 0.6 };
    Some((
        w,
        format!(
            "`{func}` contains `{}`",
            option_toks
                .iter()
                .filter(|t| lower.contains(t))
                .cloned()
                .collect::<Vec<_>>()
                .join("_")
                .to_uppercase()
        ),
    ))
}

/// The roles a name plays: its tails of at least two tokens after dropping
/// one or more leading ones (`array_map_alloc` → `map_alloc`), so
/// `xsk_map_alloc` is seen as the XSKMAP's version of the same callback.
pub fn roles(func: &str) -> Vec<String> {
    let t = fn_tokens(func);
    (1..t.len().saturating_sub(1))
        .map(|i| t[i..].join("_"))
        .collect()
}

/// Prefixes of the Linux security modules' own functions (`apparmor_capable`;
/// Landlock names its hooks `hook_*`; `lsm_blob_alloc` is the framework's).
const LSM_PREFIXES: [&str; 15] = [
    "apparmor",
    "selinux",
    "smack",
    "tomoyo",
    "landlock",
    "yama",
    "lockdown",
    "evm",
    "ima",
    "integrity",
    "ipe",
    "safesetid",
    "loadpin",
    "hook",
    "lsm",
];

/// Why a function is a check that lets a call through when it is compiled
/// out: a permission hook (`security_bpf`, `bpf_lsm_bpf`, `apparmor_capable`),
/// a capability check, hardened usercopy's object check, or a `*_hook`
/// (memcg accounting, debugging). Without such a
/// function the kernel allows what the check would have judged, so a kernel
/// lacking it cannot fail a call for that reason: an option that only adds
/// such checks explains a failure of the kernel that has them, not of the
/// one without.
pub fn permissive_check(func: &str) -> Option<&'static str> {
    let t = fn_tokens(func);
    let first = *t.first()?;
    if first == "security" || (first == "bpf" && t.get(1) == Some(&"lsm")) {
        return Some("a security hook");
    }
    if LSM_PREFIXES.contains(&first) && t.len() >= 2 {
        return Some("a security module's hook");
    }
    if t.last() == Some(&"capable") {
        return Some("a capability check");
    }
    // `__memcg_slab_post_alloc_hook`: accounting and debugging hooks are
    // no-ops when compiled out.
    if t.len() >= 2 && t.last() == Some(&"hook") {
        return Some("a hook");
    }
    if t.len() == 3 && t[0] == "check" && matches!(t[1], "object" | "stack" | "heap" | "page") {
        return Some("a hardened-usercopy check");
    }
    None
}

/// An option that only moves code between inline and out of line
/// (`CONFIG_UNINLINE_SPIN_UNLOCK`, `CONFIG_INLINE_READ_LOCK`): the functions
/// it removes from the list still run, inlined, so it explains no failure.
pub fn inlining_only(option_toks: &[String]) -> bool {
    option_toks.iter().any(|t| t == "inline" || t == "uninline")
}

/// The first token, for grouping (`__xsk_map_flush` → `xsk`).
pub fn prefix(func: &str) -> &str {
    fn_tokens(func).first().copied().unwrap_or(func)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opt(o: &str) -> Vec<String> {
        option_tokens(o)
    }

    #[test]
    fn abbreviations_and_tokens() {
        assert_eq!(
            link(
                &opt("CONFIG_XDP_SOCKETS"),
                "xsk_map_alloc",
                &Vocab::default()
            )
            .unwrap()
            .0,
            1.0
        );
        assert_eq!(
            link(
                &opt("CONFIG_XDP_SOCKETS"),
                "__xsk_map_flush.isra.0",
                &Vocab::default()
            )
            .unwrap()
            .0,
            1.0
        );
        assert_eq!(
            link(&opt("CONFIG_SECURITY"), "security_bpf", &Vocab::default())
                .unwrap()
                .0,
            1.0
        );
        assert_eq!(
            link(
                &opt("CONFIG_XDP_SOCKETS"),
                "xdp_do_redirect",
                &Vocab::default()
            )
            .unwrap()
            .0,
            0.25
        );
        // A long name is no abbreviation of an option that starts with it.
        assert!(
            link(
                &opt("CONFIG_SECURITY_TOMOYO"),
                "security_bpf",
                &Vocab::default()
            )
            .unwrap()
            .0 < 0.5
        );
        // Initials of three tokens: a weaker match.
        assert_eq!(
            link(
                &opt("CONFIG_X86_SGX_KVM"),
                "xsk_map_alloc",
                &Vocab::default()
            )
            .unwrap()
            .0,
            0.85
        );
        assert!(
            link(
                &opt("CONFIG_XDP_SOCKETS"),
                "array_map_alloc",
                &Vocab::default()
            )
            .is_none()
        );
        assert!(
            link(
                &opt("CONFIG_XDP_SOCKETS_DIAG"),
                "xsk_map_alloc",
                &Vocab::default()
            )
            .is_none()
        );
        assert!(
            link(
                &opt("CONFIG_HARDENED_USERCOPY"),
                "xsk_map_alloc",
                &Vocab::default()
            )
            .is_none()
        );
        let inner = link(
            &opt("CONFIG_FAILSLAB"),
            "should_failslab",
            &Vocab::default(),
        )
        .unwrap()
        .0;
        assert!(inner < 1.0 && inner > 0.0);
    }

    #[test]
    fn two_letters_are_no_abbreviation() {
        let none = Vocab::default();
        assert!(link(&opt("CONFIG_SENSORS_K10TEMP"), "sk_prot_alloc", &none).is_none());
    }

    #[test]
    fn a_word_of_the_config_is_no_abbreviation() {
        let none = Vocab::default();
        // `b`,`t` of `btrfs` + `f` of `fs`: an abbreviation by letters alone.
        assert!(link(&opt("CONFIG_BTRFS_FS"), "btf_parse_vmlinux", &none).is_some());
        let vocab = Vocab::of([
            "CONFIG_BTRFS_FS",
            "CONFIG_DEBUG_INFO_BTF",
            "CONFIG_XDP_SOCKETS",
        ]);
        assert!(link(&opt("CONFIG_BTRFS_FS"), "btf_parse_vmlinux", &vocab).is_none());
        assert_eq!(
            link(&opt("CONFIG_XDP_SOCKETS"), "xsk_map_alloc", &vocab)
                .unwrap()
                .0,
            1.0
        );
        // A word still counts as a whole token of its own option.
        let w = link(&opt("CONFIG_DEBUG_INFO_BTF"), "btf_parse_vmlinux", &vocab)
            .unwrap()
            .0;
        assert!((w - 0.6 / 9.0).abs() < 1e-9, "{w}");
    }

    #[test]
    fn permissive_checks() {
        for f in [
            "security_bpf",
            "bpf_lsm_bpf_map_create",
            "apparmor_capable",
            "selinux_file_alloc_security",
            "bpf_token_capable",
            "__check_object_size",
            "__memcg_slab_post_alloc_hook",
            "lsm_blob_alloc",
        ] {
            assert!(permissive_check(f).is_some(), "{f}");
        }
        for f in [
            "xsk_map_alloc",
            "packet_create",
            "check_preempt_curr",
            "capable_wrt_inode_uidgid",
        ] {
            assert!(permissive_check(f).is_none(), "{f}");
        }
        assert!(permissive_check("hook").is_none());
        assert!(inlining_only(&opt("CONFIG_UNINLINE_SPIN_UNLOCK")));
        assert!(!inlining_only(&opt("CONFIG_XDP_SOCKETS")));
    }

    #[test]
    fn roles_of_callbacks() {
        assert_eq!(roles("array_map_alloc"), ["map_alloc"]);
        assert!(roles("xsk_map_alloc").contains(&"map_alloc".to_string()));
        assert!(roles("security_bpf").is_empty());
        assert_eq!(prefix("__xsk_map_flush"), "xsk");
    }
}
