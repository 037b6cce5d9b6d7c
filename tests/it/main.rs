//! The integration tests: one binary, modules by theme.

mod alloc;
mod analyse_dump;
mod analyse_units;
mod analysis;
mod audit;
mod browser;
mod budget;
mod claims;
mod cli;
mod common;
mod corpus;
mod counting;
mod diff_rows;
mod exports;
mod faults;
mod formats;
#[path = "../../fuzz/check.rs"]
mod fuzz_body;
mod fuzz_corpus;
mod generated;
mod hostile;
mod html;
mod htmldoc;
mod interrupt;
mod kernel;
mod kernel_variants;
mod layout;
mod markdown;
mod mutants;
mod mutation;
mod output_safety;
mod properties;
mod props;
mod public;
mod record;
mod report;
mod scenarios;
mod schema;
mod ticket;
mod tracedat;
mod unseen;
mod untrusted;
mod wrapped;

/// Counts heap per thread for the memory bounds of the mutation test.
#[global_allocator]
static HEAP: counting::Counting = alloc::PER_THREAD;
