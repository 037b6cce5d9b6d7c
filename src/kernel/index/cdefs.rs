//! Function definitions and ops tables in a C file, with tree-sitter's C
//! grammar: kernel C is macro-heavy, and a real parser keeps a definition
//! inside `#ifdef` branches, a multi-line prototype or an attribute from
//! fooling a line match. Bodies are never walked into.

use serde::{Deserialize, Serialize};
use tree_sitter::{Node, Parser};

/// A function defined in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Def {
    /// Its name.
    pub name: String,
    /// 1-based line of the name.
    pub line: u32,
}

/// A struct variable initialised with functions
/// (`const struct bpf_map_ops xsk_map_ops = { .map_alloc = xsk_map_alloc, … }`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ops {
    /// The variable (`xsk_map_ops`).
    pub symbol: String,
    /// 1-based line of the variable.
    pub line: u32,
    /// The identifiers its designated fields are set to.
    pub functions: Vec<String>,
}

/// A reusable parser (one per thread).
pub struct CParser(Parser);

impl CParser {
    /// A parser for C.
    pub fn new() -> Option<Self> {
        let mut p = Parser::new();
        p.set_language(&tree_sitter_c::LANGUAGE.into()).ok()?;
        Some(CParser(p))
    }

    /// Definitions and ops tables of `text`.
    pub fn defs(&mut self, text: &str) -> (Vec<Def>, Vec<Ops>) {
        let Some(tree) = self.0.parse(text, None) else {
            return (Vec::new(), Vec::new());
        };
        let src = text.as_bytes();
        let (mut defs, mut ops) = (Vec::new(), Vec::new());
        let mut stack = vec![tree.root_node()];
        while let Some(node) = stack.pop() {
            match node.kind() {
                "function_definition" => {
                    if let Some(d) = function_name(node, src) {
                        defs.push(d);
                    }
                }
                "declaration" => ops.extend(ops_table(node, src)),
                "translation_unit"
                | "preproc_if"
                | "preproc_ifdef"
                | "preproc_else"
                | "preproc_elif"
                | "preproc_elifdef"
                | "linkage_specification"
                | "declaration_list"
                | "ERROR" => {
                    let mut c = node.walk();
                    stack.extend(node.named_children(&mut c));
                }
                _ => {}
            }
        }
        defs.sort_by_key(|d| d.line);
        (defs, ops)
    }
}

fn line_of(n: Node<'_>) -> u32 {
    u32::try_from(n.start_position().row + 1).unwrap_or(u32::MAX)
}

/// The identifier a declarator chain ends in (`*f(…)`, `(f)(…)`).
fn function_name(def: Node<'_>, src: &[u8]) -> Option<Def> {
    let mut d = def.child_by_field_name("declarator")?;
    for _ in 0..8 {
        if d.kind() == "function_declarator" {
            let mut id = d.child_by_field_name("declarator")?;
            while id.kind() == "parenthesized_declarator" {
                id = id.named_child(0)?;
            }
            if id.kind() != "identifier" {
                return None;
            }
            let name = id.utf8_text(src).ok()?;
            // `SYSCALL_DEFINE3(bpf, …) {` parses as a definition of the macro.
            if name
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
            {
                return None;
            }
            return Some(Def {
                name: name.to_string(),
                line: line_of(id),
            });
        }
        d = d.child_by_field_name("declarator")?;
    }
    None
}

/// `struct T name = { .field = func, … };` → the functions.
fn ops_table(decl: Node<'_>, src: &[u8]) -> Option<Ops> {
    let init = decl.child_by_field_name("declarator")?;
    if init.kind() != "init_declarator" {
        return None;
    }
    let value = init.child_by_field_name("value")?;
    if value.kind() != "initializer_list" {
        return None;
    }
    let name = init.child_by_field_name("declarator")?;
    if name.kind() != "identifier" {
        return None;
    }
    let mut functions = Vec::new();
    let mut c = value.walk();
    for pair in value.named_children(&mut c) {
        if pair.kind() != "initializer_pair" {
            continue;
        }
        if let Some(v) = pair.child_by_field_name("value") {
            if v.kind() == "identifier" {
                functions.push(v.utf8_text(src).ok()?.to_string());
            }
        }
    }
    (!functions.is_empty()).then(|| Ops {
        symbol: name.utf8_text(src).unwrap_or("").to_string(),
        line: line_of(name),
        functions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_style_definitions() {
        let src = "static struct bpf_map *xsk_map_alloc(union bpf_attr *attr)\n{\n\treturn NULL;\n}\n\
#ifdef CONFIG_X\nstatic int __init foo_init(void)\n{\n\treturn 0;\n}\n#endif\n\
SYSCALL_DEFINE3(bpf, int, cmd, union bpf_attr __user *, uattr, unsigned int, size)\n{\n\treturn 0;\n}\n\
const struct bpf_map_ops xsk_map_ops = {\n\t.map_meta_equal = xsk_map_meta_equal,\n\t.map_alloc = xsk_map_alloc,\n\t.map_btf_id = &xsk_map_btf_ids[0],\n};\n";
        let mut p = CParser::new().unwrap();
        let (defs, ops) = p.defs(src);
        let names: Vec<(&str, u32)> = defs.iter().map(|d| (d.name.as_str(), d.line)).collect();
        assert!(names.contains(&("xsk_map_alloc", 1)), "{names:?}");
        assert!(names.contains(&("foo_init", 6)), "{names:?}");
        assert!(!names.iter().any(|(n, _)| *n == "SYSCALL_DEFINE3"));
        assert_eq!(ops.len(), 1);
        assert_eq!(ops[0].symbol, "xsk_map_ops");
        assert_eq!(ops[0].line, 15);
        assert_eq!(ops[0].functions, ["xsk_map_meta_equal", "xsk_map_alloc"]);
    }
}
