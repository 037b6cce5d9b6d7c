//! The analysis, case by case, without rendering: a good and a bad capture
//! written inline as the kernel prints them (function_graph, a few calls
//! each), and what the aligner, the split, the origin and the gap finder
//! make of them (the dump is described in `analyse_dump.rs`).
//!
//! `UPDATE_EXPECT=1 cargo test --test it analyse_units` rewrites the
//! expectations; review them as a kernel engineer would. Where today's
//! answer is wrong, the expectation keeps it (the test pins behaviour) and a
//! `KNOWN WRONG:` comment says what the right answer is.

use expect_test::expect;

use crate::analyse_dump::{check, check_gaps};

/// The openat(2) lines of a run that opens the file, as 6.1 prints them.
const OPENAT_OK: &str = "
     0)               |  /* sys_openat(dfd: ffffff9c, filename: 47a075, flags: 0, mode: 0) */
     0)               |  __x64_sys_openat() {
     0)               |    do_sys_openat2() {
     0)   0.500 us    |      getname();
     0)               |      do_filp_open() {
     0)               |        path_openat() {
     0)   0.500 us    |          link_path_walk();
     0)   0.500 us    |          lookup_fast();
     0)   0.500 us    |          complete_walk();
     0)   2.000 us    |        }
     0)   2.500 us    |      }
     0)   0.500 us    |      fd_install();
     0)   4.000 us    |    }
     0)   4.500 us    |  }
     0)               |  /* sys_openat -> 0x3 */
";

#[test]
fn identical_runs() {
    // Nothing failed and no traced call differs: no split, no decision to
    // place, no gap at a split, no candidate.
    check(
        OPENAT_OK,
        OPENAT_OK,
        expect![[r#"
            good: openat() = 3 (sys_exit event)
            bad: openat() = 3 (sys_exit event)
            = __x64_sys_openat
            =   do_sys_openat2
            =     getname
            =     do_filp_open
            =       path_openat
            =         link_path_walk
            =         lookup_fast
            =         complete_walk
            =     fd_install
            split: none
            origin: none (errno -)
              span: the bad run did not fail (or its result was not captured): no error to trace
            verdict: openat() returned 3 in `bad` after 4.5 µs; in `good` it returned 3. Every traced call matches between the runs (noise aside); they differ only in durations.
        "#]],
    );
}

#[test]
fn a_leaf_missing_in_bad() {
    check(
        OPENAT_OK,
        "
         0)               |  /* sys_openat(dfd: ffffff9c, filename: 47a075, flags: 0, mode: 0) */
         0)               |  __x64_sys_openat() {
         0)               |    do_sys_openat2() {
         0)   0.500 us    |      getname();
         0)               |      do_filp_open() {
         0)               |        path_openat() {
         0)   0.500 us    |          link_path_walk();
         0)   0.500 us    |          lookup_fast();
         0)   1.500 us    |        }
         0)   2.000 us    |      }
         0)   3.000 us    |    }
         0)   3.500 us    |  }
         0)               |  /* sys_openat -> 0xfffffffffffffffe */
        ",
        expect![[r#"
            good: openat() = 3 (sys_exit event)
            bad: openat() = -2 ENOENT (sys_exit event)
            = __x64_sys_openat
            =   do_sys_openat2
            =     getname
            =     do_filp_open
            =       path_openat
            =         link_path_walk
            =         lookup_fast
            +         complete_walk
            +     fd_install
            split: row 7; under path_openat; after lookup_fast; good next complete_walk (inside); bad next returns
            origin: none (errno 2)
              span: at or after the first parting (in `path_openat()`, after `lookup_fast()` returned); in one of: `lookup_fast()`, the own code of `path_openat()`, the own code of `do_filp_open()`, or one ranked lower (listed in report.json)
            gap: path_openat 1.5 µs, untraced 0.5 µs [at split]
            candidate: complete_walk
            verdict: openat() failed with -2 ENOENT in `bad` after 3.5 µs; in `good` it returned 3. Both runs agree inside `__x64_sys_openat()` → `do_sys_openat2()` → `do_filp_open()` → `path_openat()` up to `lookup_fast()`. Then the good run calls `complete_walk()`, while the bad run makes no further traced call: `path_openat()` returns after 1.5 µs. The error is born at or after this first parting; no return value was captured, so from the shape of both runs it is born in one of (most likely first): `lookup_fast()` (both runs make it; after it the good run goes on to work the bad run skips); the own code of `path_openat()` (after `lookup_fast()` returned); the own code of `do_filp_open()` (after `path_openat()` returned); 1 ranked lower in report.json (`error_origin.more_candidates`). funcgraph-retval would show which function returned it. `path_openat()` spent 0.5 µs of its 1.5 µs in no traced callee (timing): code ftrace does not show ran there, inlined callees or its own. Calls the good run makes there that the bad run never makes: `complete_walk()`.
        "#]],
    );
}

#[test]
fn an_extra_call_in_bad_at_the_split() {
    check(
        OPENAT_OK,
        "
         0)               |  /* sys_openat(dfd: ffffff9c, filename: 47a075, flags: 0, mode: 0) */
         0)               |  __x64_sys_openat() {
         0)               |    do_sys_openat2() {
         0)   0.500 us    |      getname();
         0)               |      do_filp_open() {
         0)               |        path_openat() {
         0)   0.500 us    |          link_path_walk();
         0)   0.500 us    |          lookup_fast();
         0)   0.500 us    |          complete_walk();
         0)   0.500 us    |          terminate_walk();
         0)   2.500 us    |        }
         0)   3.000 us    |      }
         0)   0.500 us    |      put_unused_fd();
         0)   4.000 us    |    }
         0)   4.500 us    |  }
         0)               |  /* sys_openat -> 0xfffffffffffffffe */
        ",
        expect![[r#"
            good: openat() = 3 (sys_exit event)
            bad: openat() = -2 ENOENT (sys_exit event)
            = __x64_sys_openat
            =   do_sys_openat2
            =     getname
            =     do_filp_open
            =       path_openat
            =         link_path_walk
            =         lookup_fast
            =         complete_walk
            -         terminate_walk
            +     fd_install
            -     put_unused_fd
            split: row 8; under path_openat; after complete_walk; good next fd_install (after path_openat); bad next terminate_walk
            origin: none (errno 2)
              span: at or after the first parting (in `path_openat()`, after `complete_walk()` returned); in one of: `do_filp_open()`, the own code of `do_sys_openat2()`, `terminate_walk()` or its callees
            gap: path_openat 2.5 µs, untraced 0.5 µs [at split]
            candidate: fd_install
            verdict: openat() failed with -2 ENOENT in `bad` after 4.5 µs; in `good` it returned 3. Both runs agree inside `__x64_sys_openat()` → `do_sys_openat2()` → `do_filp_open()` → `path_openat()` up to `complete_walk()`. Then the good run returns from `path_openat()` and goes on to `fd_install()`, while the bad run calls `terminate_walk()` instead. The error is born at or after this first parting; no return value was captured, so from the shape of both runs it is born in one of (most likely first): `do_filp_open()` (both runs make it; after it the good run goes on to work the bad run skips); the own code of `do_sys_openat2()` (after `do_filp_open()` returned; the bad run then makes calls the good run does not); `terminate_walk()` or its callees (the call the bad run makes where the runs part). funcgraph-retval would show which function returned it. `path_openat()` spent 0.5 µs of its 2.5 µs in no traced callee (timing): code ftrace does not show ran there, inlined callees or its own. Calls the good run makes there that the bad run never makes: `fd_install()`.
        "#]],
    );
}

/// A slab slow path taken in one run only: both runs go on alike after it.
#[test]
fn an_extra_call_in_bad_that_meets_again() {
    check(
        "
         0)               |  /* sys_openat(dfd: ffffff9c, filename: 47a075, flags: 0, mode: 0) */
         0)               |  __x64_sys_openat() {
         0)               |    do_sys_openat2() {
         0)               |      getname() {
         0)   0.500 us    |        kmem_cache_alloc();
         0)   1.000 us    |      }
         0)   0.500 us    |      fd_install();
         0)   2.000 us    |    }
         0)   2.500 us    |  }
         0)               |  /* sys_openat -> 0x3 */
        ",
        "
         0)               |  /* sys_openat(dfd: ffffff9c, filename: 47a075, flags: 0, mode: 0) */
         0)               |  __x64_sys_openat() {
         0)               |    do_sys_openat2() {
         0)               |      getname() {
         0)               |        kmem_cache_alloc() {
         0)   0.500 us    |          ___slab_alloc();
         0)   1.000 us    |        }
         0)   1.500 us    |      }
         0)   0.500 us    |      fd_install();
         0)   2.500 us    |    }
         0)   3.000 us    |  }
         0)               |  /* sys_openat -> 0x4 */
        ",
        // The runs meet again at fd_install() right after kmem_cache_alloc()
        // returns and nothing failed: ___slab_alloc() is a difference that meets
        // again, not a split.
        expect![[r#"
            good: openat() = 3 (sys_exit event)
            bad: openat() = 4 (sys_exit event)
            = __x64_sys_openat
            =   do_sys_openat2
            =     getname
            =       kmem_cache_alloc
            -         ___slab_alloc
            =     fd_install
            minor: under kmem_cache_alloc; good -; bad ___slab_alloc
            split: none
            origin: none (errno -)
              span: the bad run did not fail (or its result was not captured): no error to trace
            verdict: openat() returned 4 in `bad` after 3.0 µs; in `good` it returned 3. The runs do not part: 1 difference between them meets again (`___slab_alloc()` only in the bad run), and the bad run did not fail: there is no error to trace.
        "#]],
    );
}

/// The same slab slow path, but the bad run fails: the error was decided
/// somewhere, and with no parting that stays apart the only one is the
/// lead, marked as meeting again.
#[test]
fn a_parting_that_meets_again_in_a_failing_run() {
    check(
        "
         0)               |  /* sys_openat(dfd: ffffff9c, filename: 47a075, flags: 0, mode: 0) */
         0)               |  __x64_sys_openat() {
         0)               |    do_sys_openat2() {
         0)               |      getname() {
         0)   0.500 us    |        kmem_cache_alloc();
         0)   1.000 us    |      }
         0)   0.500 us    |      putname();
         0)   2.000 us    |    }
         0)   2.500 us    |  }
         0)               |  /* sys_openat -> 0x3 */
        ",
        "
         0)               |  /* sys_openat(dfd: ffffff9c, filename: 47a075, flags: 0, mode: 0) */
         0)               |  __x64_sys_openat() {
         0)               |    do_sys_openat2() {
         0)               |      getname() {
         0)               |        kmem_cache_alloc() {
         0)   0.500 us    |          ___slab_alloc();
         0)   1.000 us    |        }
         0)   1.500 us    |      }
         0)   0.500 us    |      putname();
         0)   2.500 us    |    }
         0)   3.000 us    |  }
         0)               |  /* sys_openat -> 0xfffffffffffffff4 */
        ",
        expect![[r#"
            good: openat() = 3 (sys_exit event)
            bad: openat() = -12 ENOMEM (sys_exit event)
            = __x64_sys_openat
            =   do_sys_openat2
            =     getname
            =       kmem_cache_alloc
            -         ___slab_alloc
            =     putname
            split: row 4; under kmem_cache_alloc; after -; good next putname (after kmem_cache_alloc); bad next ___slab_alloc; reconverges
            origin: none (errno 12)
              span: at or after the first parting (in `kmem_cache_alloc()`, right after it was entered); in one of: the own code of `kmem_cache_alloc()`, `___slab_alloc()` or its callees
            gap: kmem_cache_alloc 1.0 µs, untraced 0.5 µs [at split]
            verdict: openat() failed with -12 ENOMEM in `bad` after 3.0 µs; in `good` it returned 3. Both runs agree inside `__x64_sys_openat()` → `do_sys_openat2()` → `getname()` → `kmem_cache_alloc()`, and part right after entering `kmem_cache_alloc()`. Then the good run returns from `kmem_cache_alloc()`, while the bad run first calls `___slab_alloc()`; both then go on to `putname()`, where the runs meet again. The error is born at or after this first parting; no return value was captured, so from the shape of both runs it is born in one of (most likely first): the own code of `kmem_cache_alloc()` (from its entry on; the bad run then makes calls the good run does not); `___slab_alloc()` or its callees (the call the bad run makes where the runs part). funcgraph-retval would show which function returned it. `kmem_cache_alloc()` spent 0.5 µs of its 1.0 µs in no traced callee (timing): code ftrace does not show ran there, inlined callees or its own.
        "#]],
    );
}

/// An openat whose `do_sys_openat2()` calls `getname()`, `kfree()` `frees`
/// times, then `last()`, and returns `ret` (the exit event's hex).
fn kfrees_then(frees: usize, last: &str, ret: &str) -> String {
    let kfree = "         0)   0.200 us    |      kfree();\n".repeat(frees);
    format!(
        "
         0)               |  /* sys_openat(dfd: ffffff9c, filename: 47a075, flags: 0, mode: 0) */
         0)               |  __x64_sys_openat() {{
         0)               |    do_sys_openat2() {{
         0)   0.500 us    |      getname();
{kfree}         0)   0.500 us    |      {last}();
         0)   2.000 us    |    }}
         0)   2.500 us    |  }}
         0)               |  /* sys_openat -> {ret} */
        "
    )
}

/// Three `kfree()` in one run, two in the other: one row with counts.
#[test]
fn repeated_calls_are_folded() {
    let run = |frees, ret| kfrees_then(frees, "fd_install", ret);
    // Nothing failed and the runs meet again after the kfree()s: the 3/2 minor
    // is the only difference, there is no split.
    check(
        &run(3, "0x3"),
        &run(2, "0x3"),
        expect![[r#"
            good: openat() = 3 (sys_exit event)
            bad: openat() = 3 (sys_exit event)
            = __x64_sys_openat
            =   do_sys_openat2
            =     getname
            =     kfree ×3/×2
            =     fd_install
            minor: under do_sys_openat2; good kfree; bad kfree; counts 3/2
            split: none
            origin: none (errno -)
              span: the bad run did not fail (or its result was not captured): no error to trace
            verdict: openat() returned 3 in `bad` after 2.5 µs; in `good` it returned 3. The runs do not part: 1 difference between them meets again (`kfree()` ×3 in good vs ×2 in bad), and the bad run did not fail: there is no error to trace.
        "#]],
    );
}

/// Every call pairs but one run repeats `kfree()` once more, and the bad
/// run failed: the split is hidden, and the verdict does not say every
/// traced call matches; it names the count.
#[test]
fn a_hidden_split_after_a_repeat_count_difference() {
    let run = |frees, ret| kfrees_then(frees, "putname", ret);
    check(
        &run(3, "0x3"),
        &run(2, "0xfffffffffffffffe"),
        expect![[r#"
            good: openat() = 3 (sys_exit event)
            bad: openat() = -2 ENOENT (sys_exit event)
            = __x64_sys_openat
            =   do_sys_openat2
            =     getname
            =     kfree ×3/×2
            =     putname
            minor: under do_sys_openat2; good kfree; bad kfree; counts 3/2
            split: row 4; under do_sys_openat2; after putname; good next -; bad next returns; hidden
            origin: none (errno 2)
              span: no traced call parts the runs, so the decision is made in code the capture does not show (inlined, notrace, or below max_graph_depth); in one of: `putname()` or its untraced callees, the own code of `do_sys_openat2()` after `putname()` returned, the own code of `__x64_sys_openat()` after `do_sys_openat2()` returned
            gap: putname 0.5 µs, untraced 0.5 µs [at split]
            verdict: openat() failed with -2 ENOENT in `bad` after 2.5 µs; in `good` it returned 3. Both runs make the same traced calls, down to `putname()`, which took 0.5 µs in the good run and 0.5 µs in the bad run. The decision is inside `putname()`, whose callees the capture does not show (the capture goes 3 levels deep: probably max_graph_depth), or after it returned, in the own code of `do_sys_openat2()` or `__x64_sys_openat()` (callees inlined into them included). funcgraph-retval would show which returned the error. 1 earlier difference meets again (first: `kfree()` ×3 in good vs ×2 in bad).
        "#]],
    );
}

/// `__sys_bpf()` traced in the good kernel only, and both runs succeed:
/// no split, no difference that meets again, yet not "every traced call
/// matches": the call level is named.
#[test]
fn a_wrapper_level_without_a_split_is_named() {
    check(
        "
         0)               |  /* sys_bpf(cmd: 0, uattr: 7ffd68a5c620, size: 90) */
         0)               |  __x64_sys_bpf() {
         0)               |    __sys_bpf() {
         0)   0.500 us    |      bpf_check_uarg_tail_zero();
         0)   0.500 us    |      security_bpf();
         0)   1.500 us    |    }
         0)   2.000 us    |  }
         0)               |  /* sys_bpf -> 0x6 */
        ",
        "
         0)               |  /* sys_bpf(cmd: 0, uattr: 7ffc67703670, size: 90) */
         0)               |  __x64_sys_bpf() {
         0)   0.500 us    |    bpf_check_uarg_tail_zero();
         0)   0.500 us    |    security_bpf();
         0)   1.500 us    |  }
         0)               |  /* sys_bpf -> 0x6 */
        ",
        expect![[r#"
            good: bpf(BPF_MAP_CREATE) = 6 (sys_exit event)
            bad: bpf(BPF_MAP_CREATE) = 6 (sys_exit event)
            = __x64_sys_bpf
            +   __sys_bpf wrapper
            =     bpf_check_uarg_tail_zero @g2/b1
            =     security_bpf @g2/b1
            split: none
            origin: none (errno -)
              span: the bad run did not fail (or its result was not captured): no error to trace
            candidate: __sys_bpf [wrapper]
            verdict: bpf(BPF_MAP_CREATE) returned 6 in `bad` after 1.5 µs; in `good` it returned 6. Every traced call pairs between the runs (noise aside) once the call levels only one run shows are aligned through: `__sys_bpf()`.
        "#]],
    );
}

/// The seed case's shape: `__sys_bpf()` is traced in the good kernel and
/// inlined into `__x64_sys_bpf()` in the bad one. The calls under it pair
/// across the missing level.
#[test]
fn a_wrapper_level_in_one_kernel_only_is_transparent() {
    check(
        "
         0)               |  /* sys_bpf(cmd: 0, uattr: 7ffd68a5c620, size: 90) */
         0)               |  __x64_sys_bpf() {
         0)               |    __sys_bpf() {
         0)   0.500 us    |      bpf_check_uarg_tail_zero();
         0)   0.500 us    |      security_bpf();
         0)   0.500 us    |      array_map_alloc_check();
         0)   0.500 us    |      bpf_map_init_from_attr();
         0)   2.500 us    |    }
         0)   3.000 us    |  }
         0)               |  /* sys_bpf -> 0x6 */
        ",
        "
         0)               |  /* sys_bpf(cmd: 0, uattr: 7ffc67703670, size: 90) */
         0)               |  __x64_sys_bpf() {
         0)   0.500 us    |    bpf_check_uarg_tail_zero();
         0)   0.500 us    |    security_bpf();
         0)   1.500 us    |  }
         0)               |  /* sys_bpf -> 0xffffffffffffffea */
        ",
        expect![[r#"
            good: bpf(BPF_MAP_CREATE) = 6 (sys_exit event)
            bad: bpf(BPF_MAP_CREATE) = -22 EINVAL (sys_exit event)
            = __x64_sys_bpf
            +   __sys_bpf wrapper
            =     bpf_check_uarg_tail_zero @g2/b1
            =     security_bpf @g2/b1
            +     array_map_alloc_check
            +     bpf_map_init_from_attr
            split: row 4; under __x64_sys_bpf; after security_bpf; good next array_map_alloc_check (inside); bad next returns
            origin: none (errno 22)
              span: at or after the first parting (in `__x64_sys_bpf()`, after `security_bpf()` returned); in one of: `security_bpf()`, the own code of `__x64_sys_bpf()`
            gap: __x64_sys_bpf 1.5 µs, untraced 0.5 µs [at split]
            candidate: array_map_alloc_check
            candidate: bpf_map_init_from_attr
            candidate: __sys_bpf [wrapper]
            verdict: bpf(BPF_MAP_CREATE) failed with -22 EINVAL in `bad` after 1.5 µs; in `good` it returned 6. Both runs make the same calls inside `__x64_sys_bpf()` up to `security_bpf()` (apart from a call level only one run shows, named below). Then the good run calls `array_map_alloc_check()`, while the bad run makes no further traced call: `__x64_sys_bpf()` returns after 1.5 µs. The error is born at or after this first parting; no return value was captured, so from the shape of both runs it is born in one of (most likely first): `security_bpf()` (both runs make it; after it the good run goes on to work the bad run skips); the own code of `__x64_sys_bpf()` (after `security_bpf()` returned). funcgraph-retval would show which function returned it. `__x64_sys_bpf()` spent 0.5 µs of its 1.5 µs in no traced callee (timing): code ftrace does not show ran there, inlined callees or its own. Calls the good run makes there that the bad run never makes: `array_map_alloc_check()`, `bpf_map_init_from_attr()`. `__sys_bpf()` is a call level only one run shows; it is inlined (or absent) in the other and was aligned through.
        "#]],
    );
}

/// funcgraph-retval: the errno followed down from the syscall. NULL from
/// `lookup_fast()` (not in the dcache) is its normal "go the slow way"
/// answer, not an error.
#[test]
fn error_origin_with_return_values() {
    check(
        "
         0)               |  /* sys_openat(dfd: ffffff9c, filename: 47a075, flags: 0, mode: 0) */
         0)               |  __x64_sys_openat() {
         0)               |    do_sys_openat2() {
         0)               |      do_filp_open() {
         0)               |        path_openat() {
         0)   0.500 us    |          link_path_walk(); /* = 0x0 */
         0)               |          open_last_lookups() {
         0)   0.500 us    |            lookup_fast(); /* = 0xffff888004d1e0c0 */
         0)   1.000 us    |          } /* open_last_lookups = 0x0 */
         0)   0.500 us    |          do_open(); /* = 0x0 */
         0)   2.500 us    |        } /* path_openat = 0xffff888003a1c000 */
         0)   3.000 us    |      } /* do_filp_open = 0xffff888003a1c000 */
         0)   0.500 us    |      fd_install(); /* = 0x0 */
         0)   4.000 us    |    } /* do_sys_openat2 = 0x3 */
         0)   4.500 us    |  } /* __x64_sys_openat = 0x3 */
         0)               |  /* sys_openat -> 0x3 */
        ",
        "
         0)               |  /* sys_openat(dfd: ffffff9c, filename: 47a075, flags: 0, mode: 0) */
         0)               |  __x64_sys_openat() {
         0)               |    do_sys_openat2() {
         0)               |      do_filp_open() {
         0)               |        path_openat() {
         0)   0.500 us    |          link_path_walk(); /* = 0x0 */
         0)               |          open_last_lookups() {
         0)   0.500 us    |            lookup_fast(); /* = 0x0 */
         0)   1.000 us    |          } /* open_last_lookups = -2 */
         0)   0.500 us    |          terminate_walk(); /* = 0x0 */
         0)   2.500 us    |        } /* path_openat = -2 */
         0)   3.000 us    |      } /* do_filp_open = -2 */
         0)   0.500 us    |      put_unused_fd(); /* = 0x0 */
         0)   4.000 us    |    } /* do_sys_openat2 = -2 */
         0)   4.500 us    |  } /* __x64_sys_openat = -2 */
         0)               |  /* sys_openat -> 0xfffffffffffffffe */
        ",
        // lookup_fast() returned 0 (NULL: not in the dcache, take the slow
        // path), not -2: with a known errno a NULL is no part of the chain, so
        // the origin is open_last_lookups(), whose callees did not return -2.
        expect![[r#"
            good: openat() = 3 (sys_exit event)
            bad: openat() = -2 ENOENT (sys_exit event)
            = __x64_sys_openat
            =   do_sys_openat2
            =     do_filp_open
            =       path_openat
            =         link_path_walk
            =         open_last_lookups
            =           lookup_fast
            +         do_open
            -         terminate_walk
            +     fd_install
            -     put_unused_fd
            split: row 7; under path_openat; after open_last_lookups; good next do_open (inside); bad next terminate_walk
            origin: errno 2 at open_last_lookups; chain __x64_sys_openat = -2 > do_sys_openat2 = -2 > do_filp_open = -2 > path_openat = -2 > open_last_lookups = -2; good open_last_lookups
              span: `open_last_lookups()` returned -2 (ENOENT) although its one traced callee did not return it: the error was made in its own code or in a callee the capture does not show (inlined, notrace, or beyond max_graph_depth); its callee `lookup_fast()` returned NULL where the good run's returned a pointer, which may be where the failure starts
            gap: path_openat 2.5 µs, untraced 0.5 µs [at split]
            candidate: do_open
            verdict: openat() failed with -2 ENOENT in `bad` after 4.5 µs; in `good` it returned 3. Both runs agree inside `__x64_sys_openat()` → `do_sys_openat2()` → `do_filp_open()` → `path_openat()` up to `open_last_lookups()` (which returned -2 ENOENT in the bad run). Then the good run calls `do_open()`, while the bad run calls `terminate_walk()` instead. The error is born in `open_last_lookups()` (in the good run it returned 0): it returned -2 (ENOENT) and none of its traced callees did, so the deciding code is its own or in a callee the capture does not show: inlined, notrace, or below max_graph_depth. `path_openat()` spent 0.5 µs of its 2.5 µs in no traced callee (timing): code ftrace does not show ran there, inlined callees or its own. Calls the good run makes there that the bad run never makes: `do_open()`.
        "#]],
    );
}

/// The seed case without funcgraph-retval (real lines of
/// `examples/xskmap-noxdpsockets-6.12/{ok,bad}--default.log`, the good
/// run cut after its first calls): the origin can only be a span.
#[test]
fn error_origin_without_return_values() {
    check(
        "
         0)               |  /* sys_bpf(cmd: 0, uattr: 7ffd68a5c620, size: 90) */
         0)               |  __x64_sys_bpf() {
         0)               |    __sys_bpf() {
         0)   1.382 us    |      bpf_check_uarg_tail_zero();
         0)               |      bpf_token_capable() {
         0)               |        ns_capable() {
         0)   1.542 us    |          cap_capable();
         0)   4.146 us    |        }
         0)   6.730 us    |      }
         0)   1.652 us    |      bpf_obj_name_cpy();
         0) + 12.000 us   |    }
         0) + 14.000 us   |  }
         0)               |  /* sys_bpf -> 0x6 */
        ",
        "
         0)               |  /* sys_bpf(cmd: 0, uattr: 7ffc67703670, size: 90) */
         0)               |  __x64_sys_bpf() {
         0)               |    __sys_bpf() {
         0)   1.262 us    |      bpf_check_uarg_tail_zero();
         0)   6.700 us    |    }
         0) + 10.846 us   |  }
         0)               |  /* sys_bpf -> 0xffffffffffffffea */
        ",
        expect![[r#"
            good: bpf(BPF_MAP_CREATE) = 6 (sys_exit event)
            bad: bpf(BPF_MAP_CREATE) = -22 EINVAL (sys_exit event)
            = __x64_sys_bpf
            =   __sys_bpf
            =     bpf_check_uarg_tail_zero
            +     bpf_token_capable
            +       ns_capable
            +         cap_capable
            +     bpf_obj_name_cpy
            split: row 3; under __sys_bpf; after bpf_check_uarg_tail_zero; good next bpf_token_capable (inside); bad next returns
            origin: none (errno 22)
              span: at or after the first parting (in `__sys_bpf()`, after `bpf_check_uarg_tail_zero()` returned); in one of: `bpf_check_uarg_tail_zero()`, the own code of `__sys_bpf()`
            gap: __sys_bpf 6.7 µs, untraced 5.4 µs [at split]
            candidate: bpf_token_capable
            candidate: bpf_obj_name_cpy
            verdict: bpf(BPF_MAP_CREATE) failed with -22 EINVAL in `bad` after 10.8 µs; in `good` it returned 6. Both runs agree inside `__x64_sys_bpf()` → `__sys_bpf()` up to `bpf_check_uarg_tail_zero()`. Then the good run calls `bpf_token_capable()`, while the bad run makes no further traced call: `__sys_bpf()` returns after 6.7 µs. The error is born at or after this first parting; no return value was captured, so from the shape of both runs it is born in one of (most likely first): `bpf_check_uarg_tail_zero()` (both runs make it; after it the good run goes on to work the bad run skips); the own code of `__sys_bpf()` (after `bpf_check_uarg_tail_zero()` returned). funcgraph-retval would show which function returned it. `__sys_bpf()` spent 5.4 µs of its 6.7 µs in no traced callee (timing): code ftrace does not show ran there, inlined callees or its own. Calls the good run makes there that the bad run never makes: `bpf_token_capable()`, `bpf_obj_name_cpy()`.
        "#]],
    );
}

/// `__sys_bpf()` takes 45 µs of which its one traced callee takes 1: code
/// ftrace cannot see (inlined `map_create()`) ran there. With abstime the
/// untraced stretch is placed. `kmem_cache_alloc()` has a gap too, away
/// from the split (a leaf such as `should_failslab()` never does).
#[test]
fn an_inlined_gap_is_suspected() {
    check(
        "
            10.000000 |   0)               |  /* sys_bpf(cmd: 0, uattr: 7ffd68a5c620, size: 90) */
            10.000001 |   0)               |  __x64_sys_bpf() {
            10.000002 |   0)               |    __sys_bpf() {
            10.000003 |   0)   1.000 us    |      bpf_check_uarg_tail_zero();
            10.000005 |   0)   1.000 us    |      security_bpf();
            10.000007 |   0)   1.000 us    |      array_map_alloc_check();
            10.000009 |   0)   2.000 us    |    }
            10.000012 |   0)   3.000 us    |  }
            10.000013 |   0)               |  /* sys_bpf -> 0x6 */
        ",
        "
            20.000000 |   0)               |  /* sys_bpf(cmd: 0, uattr: 7ffc67703670, size: 90) */
            20.000001 |   0)               |  __x64_sys_bpf() {
            20.000002 |   0)               |    __sys_bpf() {
            20.000003 |   0)               |      kmem_cache_alloc() {
            20.000004 |   0)   1.000 us    |        should_failslab();
            20.000013 |   0) + 10.000 us   |      }
            20.000014 |   0)   1.000 us    |      bpf_check_uarg_tail_zero();
            20.000050 |   0) + 48.000 us   |    }
            20.000051 |   0) + 50.000 us   |  }
            20.000052 |   0)               |  /* sys_bpf -> 0xffffffffffffffea */
        ",
        expect![[r#"
            good: bpf(BPF_MAP_CREATE) = 6 (sys_exit event)
            bad: bpf(BPF_MAP_CREATE) = -22 EINVAL (sys_exit event)
            = __x64_sys_bpf
            =   __sys_bpf
            -     kmem_cache_alloc
            -       should_failslab
            =     bpf_check_uarg_tail_zero
            +     security_bpf
            +     array_map_alloc_check
            minor: under __sys_bpf; good -; bad kmem_cache_alloc
            split: row 5; under __sys_bpf; after bpf_check_uarg_tail_zero; good next security_bpf (inside); bad next returns
            origin: none (errno 22)
              span: at or after the parting (in `__sys_bpf()`, after `bpf_check_uarg_tail_zero()` returned); in one of: `bpf_check_uarg_tail_zero()`, the own code of `__sys_bpf()`
            gap: __sys_bpf 48.0 µs, untraced 37.0 µs [at split] [where 35.0 µs after `bpf_check_uarg_tail_zero()` returned, before `__sys_bpf()` returned]
            gap: kmem_cache_alloc 10.0 µs, untraced 9.0 µs [where 8.0 µs after `should_failslab()` returned, before `kmem_cache_alloc()` returned]
            candidate: security_bpf
            candidate: array_map_alloc_check
            verdict: bpf(BPF_MAP_CREATE) failed with -22 EINVAL in `bad` after 50.0 µs; in `good` it returned 6. Both runs make the same calls inside `__x64_sys_bpf()` → `__sys_bpf()` up to `bpf_check_uarg_tail_zero()` (apart from 1 difference that meets again, named below). Then the good run calls `security_bpf()`, while the bad run makes no further traced call: `__sys_bpf()` returns after 48.0 µs. The error is born at or after this parting; no return value was captured, so from the shape of both runs it is born in one of (most likely first): `bpf_check_uarg_tail_zero()` (both runs make it; after it the good run goes on to work the bad run skips); the own code of `__sys_bpf()` (after `bpf_check_uarg_tail_zero()` returned). funcgraph-retval would show which function returned it. `__sys_bpf()` spent 37.0 µs of its 48.0 µs in no traced callee (35.0 µs after `bpf_check_uarg_tail_zero()` returned, before `__sys_bpf()` returned) (timing): code ftrace does not show ran there, inlined callees or its own. Calls the good run makes there that the bad run never makes: `security_bpf()`, `array_map_alloc_check()`. 1 earlier difference meets again (first: `kmem_cache_alloc()` only in the bad run).
        "#]],
    );
}

/// A timer interrupt the kernel nests under whatever it hit (x86 6.1 prints
/// no `==========>` arrows; real lines of
/// `qemu-6.1/openat-enoent--funcgraph-abstime/bad.log`, times dropped). It
/// tells nothing about the syscall: both runs do the same.
#[test]
fn an_interrupt_subtree_is_noise() {
    check(
        OPENAT_OK,
        "
         0)               |  /* sys_openat(dfd: ffffff9c, filename: 47a075, flags: 0, mode: 0) */
         0)               |  __x64_sys_openat() {
         0)               |    do_sys_openat2() {
         0)   0.500 us    |      getname();
         0)               |      do_filp_open() {
         0)               |        path_openat() {
         0)   0.500 us    |          link_path_walk();
         0)   1.332 us    |          irq_enter_rcu();
         0)               |          __sysvec_apic_timer_interrupt() {
         0)               |            hrtimer_interrupt() {
         0)   0.901 us    |              _raw_spin_lock_irqsave();
         0)   2.043 us    |              ktime_get_update_offsets_now();
         0)   5.000 us    |            }
         0)   6.000 us    |          }
         0)               |          irq_exit_rcu() {
         0)   0.500 us    |            idle_cpu();
         0)   1.000 us    |          }
         0)   0.500 us    |          lookup_fast();
         0)   0.500 us    |          complete_walk();
         0) + 10.500 us   |        }
         0) + 11.000 us   |      }
         0)   0.500 us    |      fd_install();
         0) + 12.500 us   |    }
         0) + 13.000 us   |  }
         0)               |  /* sys_openat -> 0x3 */
        ",
        // Nothing failed and no traced call differs besides the interrupt
        // (noise): no split.
        expect![[r#"
            good: openat() = 3 (sys_exit event)
            bad: openat() = 3 (sys_exit event)
            = __x64_sys_openat
            =   do_sys_openat2
            =     getname
            =     do_filp_open
            =       path_openat
            =         link_path_walk
            -         irq_enter_rcu noise
            -         __sysvec_apic_timer_interrupt noise
            -           hrtimer_interrupt noise
            -             _raw_spin_lock_irqsave noise
            -             ktime_get_update_offsets_now noise
            -         irq_exit_rcu noise
            -           idle_cpu noise
            =         lookup_fast
            =         complete_walk
            =     fd_install
            split: none
            origin: none (errno -)
              span: the bad run did not fail (or its result was not captured): no error to trace
            verdict: openat() returned 3 in `bad` after 13.0 µs; in `good` it returned 3. Every traced call matches between the runs (noise aside); they differ only in durations.
        "#]],
    );
}

/// The result comes from the `sys_exit` event (the syscall's register, in
/// hex), not from funcgraph-retval; `cmd: 0` is `BPF_MAP_CREATE`, and
/// `0xffffffffffffffea` is -22 EINVAL.
#[test]
fn sys_exit_event_values() {
    check(
        "
         0)               |  /* sys_bpf(cmd: 0, uattr: 7ffd68a5c620, size: 90) */
         0)               |  __x64_sys_bpf() {
         0)   0.500 us    |    bpf_check_uarg_tail_zero();
         0)   1.000 us    |  }
         0)               |  /* sys_bpf -> 0x6 */
        ",
        "
         0)               |  /* sys_bpf(cmd: 0, uattr: 7ffc67703670, size: 90) */
         0)               |  __x64_sys_bpf() {
         0)   0.500 us    |    bpf_check_uarg_tail_zero();
         0)   1.000 us    |  }
         0)               |  /* sys_bpf -> 0xffffffffffffffea */
        ",
        // No return values, the same traced calls and a leaf last (a capture
        // too small to look cut by max_graph_depth): the decision is below the
        // leaf or in __x64_sys_bpf()'s own (inlined) code after it returned, so
        // the gap at the split is __x64_sys_bpf()'s.
        expect![[r#"
            good: bpf(BPF_MAP_CREATE) = 6 (sys_exit event)
            bad: bpf(BPF_MAP_CREATE) = -22 EINVAL (sys_exit event)
            = __x64_sys_bpf
            =   bpf_check_uarg_tail_zero
            split: row 1; under __x64_sys_bpf; after bpf_check_uarg_tail_zero; good next -; bad next returns; hidden
            origin: none (errno 22)
              span: every traced call matches, so the decision is made in code the capture does not show (inlined, notrace, or below max_graph_depth); in one of: `bpf_check_uarg_tail_zero()` or its untraced callees, the own code of `__x64_sys_bpf()` after `bpf_check_uarg_tail_zero()` returned
            gap: __x64_sys_bpf 1.0 µs, untraced 0.5 µs [at split]
            verdict: bpf(BPF_MAP_CREATE) failed with -22 EINVAL in `bad` after 1.0 µs; in `good` it returned 6. Every traced call matches between the runs, down to `bpf_check_uarg_tail_zero()`, which took 0.5 µs in the good run and 0.5 µs in the bad run. The decision is inside `bpf_check_uarg_tail_zero()` (code it runs that the capture does not show, or what it returned), or after it returned, in the own code of `__x64_sys_bpf()` (callees inlined into it included). funcgraph-retval would show which returned the error.
        "#]],
    );
}

/// Gap thresholds given by the caller (`--gap-min-us 0.4 --gap-min-ratio
/// 0.2`): the 0.5 µs of own time of `do_filp_open()` (of 2.5) and
/// `path_openat()` (of 2.0) are then suspect, not that of
/// `do_sys_openat2()` (0.5 of 4.0).
#[test]
fn gap_thresholds_are_the_callers() {
    check_gaps(
        OPENAT_OK,
        OPENAT_OK,
        (400, 0.2),
        expect![[r#"
            good: openat() = 3 (sys_exit event)
            bad: openat() = 3 (sys_exit event)
            = __x64_sys_openat
            =   do_sys_openat2
            =     getname
            =     do_filp_open
            =       path_openat
            =         link_path_walk
            =         lookup_fast
            =         complete_walk
            =     fd_install
            split: none
            origin: none (errno -)
              span: the bad run did not fail (or its result was not captured): no error to trace
            gap: do_filp_open 2.5 µs, untraced 0.5 µs
            gap: path_openat 2.0 µs, untraced 0.5 µs
            verdict: openat() returned 3 in `bad` after 4.5 µs; in `good` it returned 3. Every traced call matches between the runs (noise aside); they differ only in durations.
        "#]],
    );
}
