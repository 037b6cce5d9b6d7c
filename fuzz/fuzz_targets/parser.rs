//! Fuzz the line parsers, format detection and the model with arbitrary
//! bytes. The body is `fuzz/check.rs`, which `cargo test` also runs over
//! every file of `fuzz/corpus/parser/` on stable Rust.
#![no_main]

#[path = "../check.rs"]
mod check;

libfuzzer_sys::fuzz_target!(|data: &[u8]| check::check(data));
