//! The integration tests: one binary, modules by theme.

mod analysis;
mod cli;
mod common;
mod corpus;
mod generated;
mod report;
