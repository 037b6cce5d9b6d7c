//! CSS and JS of the HTML report, built into the binary from `static/` so
//! the page needs nothing at run time.

/// The report's stylesheet.
pub const REPORT_CSS: &str = include_str!("../../static/report.css");

/// The report's script (trees, aligned view, search, keyboard, deep links).
pub const REPORT_JS: &str = include_str!("../../static/report.js");

/// Style of a flame graph's frame document.
pub const FLAME_FRAME_CSS: &str = include_str!("../../static/flame-frame.css");

/// Script of a flame graph's frame document: starts inferno's script and
/// relays the page's search.
pub const FLAME_FRAME_JS: &str = include_str!("../../static/flame-frame.js");
