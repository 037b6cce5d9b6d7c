//! `report.json`: the [`Report`] view, pretty-printed. The schema is in
//! `docs/report-schema.md`.

use super::view::Report;

/// Serialise the report.
pub fn render_json(r: &Report) -> serde_json::Result<String> {
    let mut s = serde_json::to_string_pretty(r)?;
    s.push('\n');
    Ok(s)
}
