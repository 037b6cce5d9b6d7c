//! `report.json`: the [`Report`] view, pretty-printed. The schema is in
//! `docs/report-schema.md`.

use std::io::Write;

use super::view::Report;

/// Serialise the report.
pub fn render_json(r: &Report) -> serde_json::Result<String> {
    let mut s = serde_json::to_string_pretty(r)?;
    s.push('\n');
    Ok(s)
}

/// Serialise the report into `w` as it goes (a report with big trees is
/// hundreds of MB of JSON: never held whole in memory).
pub fn write_json(r: &Report, mut w: impl Write) -> serde_json::Result<()> {
    serde_json::to_writer_pretty(&mut w, r)?;
    w.write_all(b"\n").map_err(serde_json::Error::io)
}
