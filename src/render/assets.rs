//! CSS and JS of the HTML report, built into the binary from `static/` so
//! the page needs nothing at run time.

/// The report's stylesheet.
pub const REPORT_CSS: &str = include_str!("../../static/report.css");

/// The report's script (tree expansion, search, keyboard navigation).
pub const REPORT_JS: &str = include_str!("../../static/report.js");
