//! Fuzz the whole report: model, analysis and every renderer, with
//! arbitrary bytes as the capture (alone and paired). The body is
//! `check_report` in `fuzz/check.rs`, which `cargo test` also runs over
//! `fuzz/corpus/parser/` (`tests/it/fuzz_corpus.rs`).
#![no_main]

#[path = "../check.rs"]
mod check;

libfuzzer_sys::fuzz_target!(|data: &[u8]| check::check_report(data));
