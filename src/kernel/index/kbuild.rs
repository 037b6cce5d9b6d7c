//! Kbuild: which `CONFIG_` option builds a source file. A `Makefile` (or
//! `Kbuild`) line `obj-$(CONFIG_X) += f.o` builds `f.c` when X is y or m;
//! `f-y := a.o b.o` makes a composite object of several files; `obj-$(CONFIG_X)
//! += dir/` gates a whole directory, so the chain climbs to the top.

use serde::{Deserialize, Serialize};

use super::ifdef::config_symbols;

/// One line of a Makefile that adds an object or a directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MakeEntry {
    /// `obj`, `lib`, or a composite object's name (`xsk` in `xsk-y += …`).
    pub target: String,
    /// `a.o` or `dir/`.
    pub item: String,
    /// 1-based line (of the first line of a continued line).
    pub line: u32,
    /// The line as written (continuations joined).
    pub text: String,
    /// The `CONFIG_` symbols that must hold: from `-$(CONFIG_X)` and from
    /// enclosing `ifeq`/`ifdef` blocks.
    pub symbols: Vec<String>,
}

/// Every object-adding line of a Makefile.
pub fn parse(text: &str) -> Vec<MakeEntry> {
    let mut out = Vec::new();
    let mut blocks: Vec<Vec<String>> = Vec::new();
    for (first, line) in super::lines::logical(text, " ") {
        let code = line.split('#').next().unwrap_or("").trim();
        let word = code.split_whitespace().next().unwrap_or("");
        match word {
            "ifeq" | "ifneq" | "ifdef" | "ifndef" => blocks.push(config_symbols(code)),
            "endif" => {
                blocks.pop();
            }
            _ => entries(code, first, &blocks, &mut out),
        }
    }
    out
}

/// `target-COND (+=|:=|=) items`.
fn entries(code: &str, line: u32, blocks: &[Vec<String>], out: &mut Vec<MakeEntry>) {
    let Some(op) = code.find(['=']) else { return };
    let lhs = code[..op].trim_end_matches([':', '+', '?']).trim();
    let rhs = &code[op + 1..];
    let (target, cond) = if let Some(t) = lhs.strip_suffix("-objs") {
        (t, "")
    } else if let Some((t, c)) = lhs.split_once("-$") {
        (t, c)
    } else if let Some(t) = lhs.strip_suffix("-y").or_else(|| lhs.strip_suffix("-m")) {
        (t, "")
    } else {
        return;
    };
    if target.is_empty()
        || !target
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-".contains(&b))
    {
        return;
    }
    let mut symbols = config_symbols(cond);
    for b in blocks {
        for s in b {
            if !symbols.contains(s) {
                symbols.push(s.clone());
            }
        }
    }
    for item in rhs.split_whitespace() {
        if item.ends_with(".o") || (item.ends_with('/') && !item.starts_with('$')) {
            out.push(MakeEntry {
                target: target.to_string(),
                item: item.to_string(),
                line,
                text: code.split_whitespace().collect::<Vec<_>>().join(" "),
                symbols: symbols.clone(),
            });
        }
    }
}

/// The lines of `entries` that build `object` (`name.o`), following
/// composite objects up to the `obj-` line (at most a few levels).
pub fn object_chain<'a>(entries: &'a [MakeEntry], object: &str) -> Vec<&'a MakeEntry> {
    let mut chain = Vec::new();
    let mut want = object.to_string();
    for _ in 0..4 {
        let Some(e) = entries
            .iter()
            .find(|e| e.item == want && !chain.iter().any(|c: &&MakeEntry| std::ptr::eq(*c, *e)))
        else {
            break;
        };
        chain.push(e);
        if e.target == "obj" || e.target == "lib" {
            break;
        }
        want = format!("{}.o", e.target);
    }
    chain
}

#[cfg(test)]
mod tests {
    use super::*;

    const XDP: &str = "# SPDX-License-Identifier: GPL-2.0-only\n\
obj-$(CONFIG_XDP_SOCKETS) += xsk.o xdp_umem.o xsk_queue.o xskmap.o\n\
obj-$(CONFIG_XDP_SOCKETS) += xsk_buff_pool.o\n\
obj-$(CONFIG_XDP_SOCKETS_DIAG) += xsk_diag.o\n";

    #[test]
    fn object_lines() {
        let e = parse(XDP);
        let c = object_chain(&e, "xskmap.o");
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].line, 2);
        assert_eq!(c[0].symbols, ["CONFIG_XDP_SOCKETS"]);
        assert!(object_chain(&e, "nothere.o").is_empty());
    }

    #[test]
    fn composites_blocks_and_continuations() {
        let mk = "obj-$(CONFIG_FOO) += foo.o\nifeq ($(CONFIG_NET),y)\nfoo-y := a.o \\\n  b.o\nendif\nfoo-${CONFIG_BAR} += c.o\nobj-y += sub/\n";
        let e = parse(mk);
        let c = object_chain(&e, "b.o");
        assert_eq!(c.iter().map(|e| e.line).collect::<Vec<_>>(), [3, 1]);
        assert_eq!(c[0].symbols, ["CONFIG_NET"]);
        assert_eq!(object_chain(&e, "c.o")[0].symbols, ["CONFIG_BAR"]);
        assert_eq!(object_chain(&e, "sub/")[0].symbols, Vec::<String>::new());
    }
}
