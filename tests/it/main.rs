//! The integration tests: one binary, modules by theme.

mod alloc;
mod analyse_dump;
mod analyse_units;
mod analysis;
mod audit;
mod browser;
mod claims;
mod cli;
mod common;
mod corpus;
mod exports;
mod faults;
mod formats;
#[path = "../../fuzz/check.rs"]
mod fuzz_body;
mod fuzz_corpus;
mod generated;
mod html;
mod htmldoc;
mod interrupt;
mod layout;
mod markdown;
mod mutants;
mod mutation;
mod properties;
mod props;
mod record;
mod report;
mod scenarios;
mod schema;
mod ticket;

/// Counts heap per thread for the memory bounds of the mutation test.
#[global_allocator]
static HEAP: alloc::PerThread = alloc::PerThread;
