//! The fuzz target's corpus as a normal test on stable Rust: every input
//! in `fuzz/corpus/parser/` (the seeds, what `cargo fuzz` kept, and each
//! crash it found, once fixed) goes through the target's body.

use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::fuzz_body::check;

#[test]
fn fuzz_corpus_passes_the_fuzz_target() {
    let mut files: Vec<_> = std::fs::read_dir("fuzz/corpus/parser")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 50, "{} corpus files", files.len());
    let failed: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let data = std::fs::read(f).unwrap();
            catch_unwind(AssertUnwindSafe(|| check(&data)))
                .err()
                .map(|_| f.display().to_string())
        })
        .collect();
    assert!(failed.is_empty(), "fuzz target fails on {failed:?}");
}
