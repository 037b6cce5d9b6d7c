//! The integration tests: one binary, modules by theme.

mod analysis;
mod audit;
mod cli;
mod common;
mod corpus;
mod faults;
mod formats;
mod report;
