//! Stage 5: the report. Builds one [`view::Report`] from the captures and
//! the analysis, then writes it as JSON, Markdown and HTML.
//!
//! Must not: analyse. Every output reads the same view, so they cannot
//! disagree; anything two outputs both show is computed in `build`.

mod assets;
mod audit;
mod audit_cross;
pub mod build;
pub mod embed;
pub mod flamegraph;
pub mod folded;
pub mod html;
pub mod json;
pub mod markdown;
pub mod notes;
pub mod page;
pub mod perfetto;
pub mod source;
pub mod text;
pub mod untrusted;
pub mod view;

pub use build::{ReportOptions, build_report};
pub use view::Report;
