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

/// The `report` fuzz target's body over the same corpus: every input that
/// reads as a capture goes through the analysis and every renderer.
#[test]
fn fuzz_corpus_passes_the_report_target() {
    let mut files: Vec<_> = std::fs::read_dir("fuzz/corpus/parser")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let failed: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let data = std::fs::read(f).unwrap();
            catch_unwind(AssertUnwindSafe(|| crate::fuzz_body::check_report(&data)))
                .err()
                .map(|_| f.display().to_string())
        })
        .collect();
    assert!(failed.is_empty(), "report target fails on {failed:?}");
}
