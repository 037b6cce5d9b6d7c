//! Properties of the alignment, on random call trees written out as the
//! kernel's function_graph text and read back through the real pipeline.

use proptest::prelude::*;
use serde_json::Value;

use crate::common::run;

/// A call and its callees.
#[derive(Debug, Clone)]
struct Tree {
    name: String,
    kids: Vec<Tree>,
}

impl Tree {
    fn size(&self) -> usize {
        1 + self.kids.iter().map(Tree::size).sum::<usize>()
    }

    /// Pre-order paths of every node below the root.
    fn paths(&self, prefix: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        for (i, k) in self.kids.iter().enumerate() {
            prefix.push(i);
            out.push(prefix.clone());
            k.paths(prefix, out);
            prefix.pop();
        }
    }

    fn at(&self, path: &[usize]) -> &Tree {
        path.iter().fold(self, |t, &i| &t.kids[i])
    }

    fn parent_mut(&mut self, path: &[usize]) -> &mut Tree {
        path[..path.len() - 1]
            .iter()
            .fold(self, |t, &i| &mut t.kids[i])
    }
}

/// Random subtrees; `unique` gives every call its own name.
fn tree(unique: bool) -> impl Strategy<Value = Tree> {
    let leaf = (0u32..6).prop_map(|n| Tree {
        name: format!("fn_{n}"),
        kids: vec![],
    });
    let t = leaf.prop_recursive(5, 48, 5, |inner| {
        ((0u32..6), prop::collection::vec(inner, 1..5)).prop_map(|(n, kids)| Tree {
            name: format!("fn_{n}"),
            kids,
        })
    });
    prop::collection::vec(t, 1..6).prop_map(move |kids| {
        let mut root = Tree {
            name: "__x64_sys_bpf".into(),
            kids,
        };
        if unique {
            let mut n = 0;
            rename(&mut root, &mut n);
        }
        root
    })
}

fn rename(t: &mut Tree, n: &mut usize) {
    for k in &mut t.kids {
        *n += 1;
        k.name = format!("call_{n}");
        rename(k, n);
    }
}

/// The tree as a kernel `trace` file with syscall events; each leaf takes
/// 1 µs, each call 1 µs more than its callees.
fn capture_text(root: &Tree, ret: i64) -> String {
    let mut body = String::new();
    lines(root, 0, &mut body);
    crate::common::graph_trace("bpf", "cmd: 0, uattr: 7ffc67703670, size: 90", &body, ret)
}

fn lines(t: &Tree, depth: usize, out: &mut String) -> f64 {
    let indent = "  ".repeat(depth);
    if t.kids.is_empty() {
        out.push_str(&format!(" 0)   1.000 us    |  {indent}{}();\n", t.name));
        return 1.0;
    }
    out.push_str(&format!(" 0)               |  {indent}{}() {{\n", t.name));
    let total = 1.0 + t.kids.iter().map(|k| lines(k, depth + 1, out)).sum::<f64>();
    let mark = if total > 100.0 {
        '!'
    } else if total > 10.0 {
        '+'
    } else {
        ' '
    };
    out.push_str(&format!(" 0) {mark} {total:>7.3} us  |  {indent}}}\n"));
    total
}

fn compare(good: &Tree, bad: &Tree) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let g = dir.path().join("good.log");
    let b = dir.path().join("bad.log");
    std::fs::write(&g, capture_text(good, 0)).unwrap();
    std::fs::write(&b, capture_text(bad, -22)).unwrap();
    let w = run(&[g.to_str().unwrap(), b.to_str().unwrap()]);
    let c = w.json["comparisons"][0].clone();
    assert!(!c.is_null(), "a failing bad run is always compared");
    c
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// A tree aligned with itself: every call pairs, nothing parts.
    #[test]
    fn a_tree_aligned_with_itself_has_no_divergence(t in tree(false)) {
        let c = compare(&t, &t);
        prop_assert_eq!(&c["stats"]["good_only"], 0);
        prop_assert_eq!(&c["stats"]["bad_only"], 0);
        prop_assert_eq!(c["stats"]["matched"].as_u64().unwrap() as usize, t.size());
        prop_assert_eq!(&c["first_divergence"]["hidden"], true);
    }

    /// Removing one wrapper level (a call with callees) from a copy is not a
    /// divergence: its callees align through it.
    #[test]
    fn removing_a_wrapper_level_is_transparent(t in tree(true), pick in any::<prop::sample::Index>()) {
        let mut paths = Vec::new();
        t.paths(&mut Vec::new(), &mut paths);
        let wrappers: Vec<&Vec<usize>> = paths.iter().filter(|p| !t.at(p).kids.is_empty()).collect();
        prop_assume!(!wrappers.is_empty());
        let path = pick.get(&wrappers).to_vec();
        let mut bad = t.clone();
        let parent = bad.parent_mut(&path);
        let i = *path.last().unwrap();
        let w = parent.kids.remove(i);
        for (k, kid) in w.kids.iter().enumerate() {
            parent.kids.insert(i + k, kid.clone());
        }
        let c = compare(&t, &bad);
        prop_assert_eq!(&c["stats"]["good_only"], 0, "{}", c["aligned"]);
        prop_assert_eq!(&c["stats"]["bad_only"], 0);
        prop_assert_eq!(&c["first_divergence"]["hidden"], true);
        let wrapper_rows: Vec<&Value> = c["aligned"].as_array().unwrap().iter().filter(|r| r["wrapper"] == true).collect();
        prop_assert_eq!(wrapper_rows.len(), 1);
        prop_assert_eq!(&wrapper_rows[0]["good"]["func"], &Value::from(w.name));
    }

    /// Deleting a subtree from a copy: the divergence is found exactly there.
    #[test]
    fn a_deleted_subtree_is_found_exactly_there(t in tree(true), pick in any::<prop::sample::Index>()) {
        let mut paths = Vec::new();
        t.paths(&mut Vec::new(), &mut paths);
        let path = pick.get(&paths).to_vec();
        let deleted = t.at(&path).name.clone();
        let parent_name = if path.len() == 1 { t.name.clone() } else { t.at(&path[..path.len() - 1]).name.clone() };
        let mut bad = t.clone();
        bad.parent_mut(&path).kids.remove(*path.last().unwrap());
        let c = compare(&t, &bad);
        let d = &c["first_divergence"];
        prop_assert_eq!(d["parent"].as_str(), Some(parent_name.as_str()), "{}", d);
        prop_assert_eq!(d["good_next"].as_str(), Some(deleted.as_str()), "{}", d);
        prop_assert!(d["bad_next"].is_null());
        prop_assert_eq!(c["stats"]["good_only"].as_u64().unwrap() as usize, t.at(&path).size());
    }
}
