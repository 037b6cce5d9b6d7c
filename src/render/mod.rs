//! Stage 5: the report. Builds one [`view::Report`] from the captures and
//! the analysis, then writes it as JSON, Markdown and HTML.
//!
//! Must not: analyse (the capture audit is judged in `analyse::audit`). Every output reads the same view, so they cannot
//! disagree; anything two outputs both show is computed in `build`.

mod assets;
pub mod build;
pub mod embed;
pub mod exporter;
pub mod fit;
pub mod flamegraph;
pub mod folded;
pub mod format;
pub mod html;
pub mod json;
pub mod kernel;
pub mod mail;
pub mod markdown;
pub mod notes;
pub mod page;
pub mod perfetto;
pub mod prose;
pub mod source;
pub mod text;
pub mod units;
pub mod untrusted;
pub mod view;

pub use build::{ReportOptions, build_report};
pub use view::Report;
