//! The integration tests: one binary, modules by theme.

mod analysis;
mod browser;
mod cli;
mod common;
mod corpus;
mod exports;
mod html;
mod htmldoc;
mod markdown;
mod report;
