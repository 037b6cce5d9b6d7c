//! CSS and JS of the HTML report, built into the binary from `static/` so
//! the page needs nothing at run time.

/// The report's stylesheet.
pub const REPORT_CSS: &str = include_str!("../../static/report.css");

/// The page's scripts, in load order: number formatting (the mirror of
/// `render/format.rs`), decoding of the embedded data, the outline widget (virtual scrolling, keyboard, search), and the page
/// (what a call shows, search box, deep links, start-up).
pub const REPORT_JS: [&str; 4] = [
    include_str!("../../static/js/format.js"),
    include_str!("../../static/js/data.js"),
    include_str!("../../static/js/outline.js"),
    include_str!("../../static/js/report.js"),
];

/// Style of a flame graph's frame document.
pub const FLAME_FRAME_CSS: &str = include_str!("../../static/flame-frame.css");

/// Script of a flame graph's frame document: starts inferno's script and
/// relays the page's search.
pub const FLAME_FRAME_JS: &str = include_str!("../../static/flame-frame.js");
