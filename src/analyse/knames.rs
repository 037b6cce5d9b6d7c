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

/// How strongly a function's name points at an option, 0..1, and why.
pub fn link(option_toks: &[String], func: &str) -> Option<(f64, String)> {
    let ft = fn_tokens(func);
    let first = ft.first()?.to_ascii_lowercase();
    if option_toks.len() >= 2 && first.len() >= 2 && first.len() < option_toks.concat().len() {
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
            link(&opt("CONFIG_XDP_SOCKETS"), "xsk_map_alloc").unwrap().0,
            1.0
        );
        assert_eq!(
            link(&opt("CONFIG_XDP_SOCKETS"), "__xsk_map_flush.isra.0")
                .unwrap()
                .0,
            1.0
        );
        assert_eq!(
            link(&opt("CONFIG_SECURITY"), "security_bpf").unwrap().0,
            1.0
        );
        assert_eq!(
            link(&opt("CONFIG_XDP_SOCKETS"), "xdp_do_redirect")
                .unwrap()
                .0,
            0.25
        );
        // A long name is no abbreviation of an option that starts with it.
        assert!(
            link(&opt("CONFIG_SECURITY_TOMOYO"), "security_bpf")
                .unwrap()
                .0
                < 0.5
        );
        // Initials of three tokens: a weaker match.
        assert_eq!(
            link(&opt("CONFIG_X86_SGX_KVM"), "xsk_map_alloc").unwrap().0,
            0.85
        );
        assert!(link(&opt("CONFIG_XDP_SOCKETS"), "array_map_alloc").is_none());
        assert!(link(&opt("CONFIG_XDP_SOCKETS_DIAG"), "xsk_map_alloc").is_none());
        assert!(link(&opt("CONFIG_HARDENED_USERCOPY"), "xsk_map_alloc").is_none());
        let inner = link(&opt("CONFIG_FAILSLAB"), "should_failslab").unwrap().0;
        assert!(inner < 1.0 && inner > 0.0);
    }

    #[test]
    fn roles_of_callbacks() {
        assert_eq!(roles("array_map_alloc"), ["map_alloc"]);
        assert!(roles("xsk_map_alloc").contains(&"map_alloc".to_string()));
        assert!(roles("security_bpf").is_empty());
        assert_eq!(prefix("__xsk_map_flush"), "xsk");
    }
}
