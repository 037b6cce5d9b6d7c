//! The builder on small captures written inline, each with the tree it
//! must build (rust-analyzer's `check(input, expect![[…]])` style): change
//! the builder, run `UPDATE_EXPECT=1 cargo test --lib builder`, read the diff.

use std::fmt::Write;

use expect_test::{Expect, expect};

use super::{BuildOptions, Builder};
use crate::{
    model::{NodeFlags, Trace},
    parse::{InputFormat, parse_line},
};

/// Build `text` (graph format) and dump what came out: each kept syscall
/// with its tree (indent = depth; duration, return value, flags), then the
/// warnings.
fn build(text: &str) -> Trace {
    let mut b = Builder::new(InputFormat::Graph, BuildOptions::default());
    for (i, line) in text.lines().enumerate() {
        let n = i as u64 + 1;
        b.count_line(line.len());
        match parse_line(InputFormat::Graph, line.as_bytes()) {
            Ok(rec) => b.push(n, &rec),
            Err(e) => panic!("line {n} does not parse ({}): {line}", e.expected),
        }
    }
    b.finish()
}

fn dump(t: &Trace) -> String {
    const FLAGS: [(u16, &str); 8] = [
        (NodeFlags::LEAF, "leaf"),
        (NodeFlags::EXIT_MISSING, "exit-missing"),
        (NodeFlags::ENTRY_MISSING, "entry-missing"),
        (NodeFlags::IRQ, "irq"),
        (NodeFlags::RECONSTRUCTED, "reconstructed"),
        (NodeFlags::LOST, "lost"),
        (NodeFlags::OPEN_AT_SYSCALL_EXIT, "open-at-exit"),
        (NodeFlags::SYNTHETIC, "synthetic"),
    ];
    let mut out = String::new();
    for s in &t.syscalls {
        let ret = s.ret.map_or("?".into(), |r| r.to_string());
        writeln!(
            out,
            "{}() = {ret} lines {}-{} calls {}",
            s.name, s.line, s.end_line, s.calls
        )
        .unwrap();
        let Some(tree) = &s.tree else { continue };
        for n in &tree.nodes {
            let mut l = format!(
                "{}{}",
                "  ".repeat(n.depth as usize + 1),
                t.names.name(n.func)
            );
            if let Some(d) = n.duration_ns {
                write!(l, " {d}ns").unwrap();
            }
            if let Some(r) = n.ret {
                write!(l, " = {}", r.raw).unwrap();
            }
            for (bit, name) in FLAGS {
                if n.flags.has(bit) {
                    write!(l, " [{name}]").unwrap();
                }
            }
            writeln!(out, "{l}").unwrap();
        }
    }
    for w in t.warnings.kept() {
        writeln!(out, "warning {}: {:?}", w.line, w.kind).unwrap();
    }
    out
}

fn check(text: &str, want: Expect) {
    want.assert_eq(&dump(&build(text)));
}

#[test]
fn a_syscall_found_by_its_wrapper() {
    check(
        r#"
 0)               |  __x64_sys_bpf() {
 0)   0.300 us    |    __might_fault(); /* = 0x0 */
 0)               |    array_map_alloc_check() {
 0)   0.100 us    |      bpf_map_attr_numa_node();
 0)   1.000 us    |    } /* array_map_alloc_check = -22 */
 0)   5.000 us    |  } /* __x64_sys_bpf = -22 */
"#,
        expect![[r#"
            bpf() = -22 lines 2-7 calls 4
              __x64_sys_bpf 5000ns = -22
                __might_fault 300ns = 0 [leaf]
                array_map_alloc_check 1000ns = -22
                  bpf_map_attr_numa_node 100ns [leaf]
        "#]],
    );
}

#[test]
fn a_return_without_its_entry_gets_a_placeholder() {
    check(
        r#"
 0)               |  __x64_sys_bpf() {
 0)   0.300 us    |      deeper_first();
 0)   1.000 us    |    } /* lost_entry */
 0)   5.000 us    |  }
"#,
        expect![[r#"
            bpf() = ? lines 2-5 calls 3
              __x64_sys_bpf 5000ns
                lost_entry 1000ns [entry-missing]
                  deeper_first 300ns [leaf]
            warning 3: ExitWithoutEntry
        "#]],
    );
}

#[test]
fn a_shallower_entry_closes_calls_that_never_returned() {
    check(
        r#"
 0)               |  __x64_sys_openat() {
 0)               |    do_sys_open() {
 0)               |      getname() {
 0)   0.500 us    |    fput();
 0)   3.000 us    |  }
"#,
        expect![[r#"
            openat() = ? lines 2-6 calls 4
              __x64_sys_openat 3000ns
                do_sys_open [exit-missing]
                  getname [exit-missing]
                fput 500ns [leaf]
            warning 4: ExitNotCaptured
            warning 3: ExitNotCaptured
        "#]],
    );
}

#[test]
fn events_bound_a_syscall_and_give_its_result() {
    check(
        r#"
 0)               |  /* sys_bpf(cmd: 0, uattr: 7ffc67703670, size: 90) */
 0)               |  __x64_sys_bpf() {
 0)   0.300 us    |    __might_fault();
 0)   2.000 us    |  }
 0)               |  /* sys_bpf -> 0xffffffffffffffea */
"#,
        expect![[r#"
            bpf() = -22 lines 2-6 calls 2
              __x64_sys_bpf 2000ns
                __might_fault 300ns [leaf]
        "#]],
    );
}
