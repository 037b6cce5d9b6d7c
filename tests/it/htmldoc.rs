//! Reading a written index.html back: its embedded data, its flame-graph
//! frame documents, its inline scripts and styles.

use base64::Engine as _;
use serde_json::Value;

/// The page data: JSON in `<script type="application/json" id="report-data">`,
/// or, for a big report, gzip in base64.
pub fn page_data(html: &str) -> Value {
    let json = "<script type=\"application/json\" id=\"report-data\">";
    let gz = "<script type=\"application/octet-stream\" id=\"report-data\" data-encoding=\"gzip\">";
    let (a, zipped) = match html.find(json) {
        Some(a) => (a + json.len(), false),
        None => (html.find(gz).expect("data element") + gz.len(), true),
    };
    let text = &html[a..a + html[a..].find("</script>").unwrap()];
    if !zipped {
        return serde_json::from_str(text).unwrap();
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap();
    serde_json::from_reader(flate2::read::GzDecoder::new(&bytes[..])).unwrap()
}

/// Decode one LEB128 column (zigzag when signed).
pub fn column(v: &Value, signed: bool) -> Vec<i64> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(v.as_str().unwrap())
        .unwrap();
    let mut out = Vec::new();
    let (mut x, mut shift) = (0u64, 0);
    for b in bytes {
        x |= u64::from(b & 0x7f) << shift;
        shift += 7;
        if b & 0x80 == 0 {
            out.push(if signed {
                ((x >> 1) as i64) ^ -((x & 1) as i64)
            } else {
                x as i64
            });
            x = 0;
            shift = 0;
        }
    }
    out
}

/// Decode the character references askama and the renderers write.
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(a) = rest.find('&') {
        out.push_str(&rest[..a]);
        let tail = &rest[a..];
        let end = tail.find(';').unwrap_or(0);
        let ent = &tail[1..end.max(1)];
        let ch = match ent {
            "quot" => Some('"'),
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            _ => ent
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| ent.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match ch {
            Some(c) if end > 0 => {
                out.push(c);
                rest = &tail[end + 1..];
            }
            _ => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The documents of the flame-graph frames, unescaped.
pub fn srcdocs(html: &str) -> Vec<String> {
    html.split(" srcdoc=\"")
        .skip(1)
        .map(|rest| unescape(&rest[..rest.find('"').unwrap()]))
        .collect()
}

/// The page with the srcdoc attribute values cut out.
pub fn without_srcdocs(html: &str) -> String {
    let mut parts = html.split(" srcdoc=\"");
    let mut out = parts.next().unwrap().to_string();
    for rest in parts {
        out.push_str(&rest[rest.find('"').unwrap() + 1..]);
    }
    out
}

/// Texts of the plain `<tag>` elements (no attributes) of a document.
pub fn bodies(doc: &str, tag: &str) -> Vec<String> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    doc.split(&open)
        .skip(1)
        .map(|rest| rest[..rest.find(&close).unwrap()].to_string())
        .collect()
}

pub fn sha256_b64(s: &str) -> String {
    use sha2::Digest as _;
    base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(s.as_bytes()))
}
