//! Kernel facts: what is known about the kernels the captures ran on,
//! beside the captures themselves. Per capture a function list and a build
//! config (`facts`, checked for what they claim to be, given or found as
//! sidecars), and for the run a source index (`index`: function → file →
//! Kbuild and `#if` gates, ops and macro tables). `analyse` compares and
//! ranks with them; nothing here knows of call trees.

pub mod config;
pub mod facts;
pub mod functions;
pub mod index;
pub mod load;
pub mod sidecars;

pub use config::{ConfigEntry, ConfigValue, KernelConfig};
pub use facts::{
    FactError, FactFile, FactKind, FactOrigin, KernelFacts, check_covers, load_config,
    load_functions, summarise_config, summarise_functions,
};
pub use functions::{FunctionList, FunctionListKind};
