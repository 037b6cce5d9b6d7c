//! An event's `format` file, as the kernel writes it under
//! `events/SYSTEM/NAME/format` and trace.dat embeds it: the event's id, its
//! fields (name, offset, size, signedness) and its `print fmt`.
//!
//! ```text
//! name: funcgraph_exit
//! ID: 10
//! format:
//!     field:unsigned short common_type;    offset:0;    size:2;    signed:0;
//!     field:unsigned long func;    offset:8;    size:8;    signed:0;
//! print fmt: "<-- %ps (%d)", (void *)REC->func, REC->depth
//! ```

use super::{cursor::Endian, printfmt::PrintFmt};

/// How a field's bytes are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// A number of `size` bytes.
    Scalar,
    /// A fixed array (`char comm[16]`): the bytes themselves.
    Array,
    /// `__data_loc`: a 4-byte `offset | len << 16` pointing into the event.
    DataLoc,
}

/// One field of an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// Its name (the last identifier of its declaration).
    pub name: String,
    /// Byte offset in the event's data.
    pub offset: usize,
    /// Byte size.
    pub size: usize,
    /// Signed (sign-extended when read).
    pub signed: bool,
    /// Number, array or data_loc.
    pub layout: Layout,
}

impl Field {
    /// The field as a number, sign-extended when signed; `None` when the
    /// event is too short or the field is not a 1/2/4/8-byte number.
    pub fn value(&self, data: &[u8], e: Endian) -> Option<u64> {
        let raw = e.uint(data.get(self.offset..)?, self.size)?;
        if !self.signed || self.size >= 8 {
            return Some(raw);
        }
        let shift = 64 - 8 * self.size as u32;
        Some((((raw << shift) as i64) >> shift) as u64)
    }

    /// The field's bytes: a fixed array's, or what a `__data_loc` points at.
    pub fn bytes<'d>(&self, data: &'d [u8], e: Endian) -> Option<&'d [u8]> {
        match self.layout {
            Layout::DataLoc => {
                let loc = e.uint(data.get(self.offset..)?, 4)?;
                let (off, len) = ((loc & 0xffff) as usize, (loc >> 16) as usize);
                data.get(off..off.checked_add(len)?)
            }
            // `char buf[]` (size 0): the rest of the event.
            _ if self.size == 0 => data.get(self.offset..),
            _ => data.get(self.offset..self.offset.checked_add(self.size)?),
        }
    }
}

/// One event's format.
#[derive(Debug, Clone)]
pub struct EventFormat {
    /// `ID:`.
    pub id: u32,
    /// `name:`.
    pub name: String,
    /// The fields, common ones first.
    pub fields: Vec<Field>,
    /// The `print fmt:` line, when it could be read.
    pub print: Option<PrintFmt>,
}

impl EventFormat {
    /// The field called `name`.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// Parse a format file; `None` when it has no name or id.
pub fn parse_format(text: &[u8]) -> Option<EventFormat> {
    let text = String::from_utf8_lossy(text);
    let (mut name, mut id, mut fields, mut print) = (None, None, Vec::new(), None);
    for line in text.lines() {
        let t = line.trim();
        if let Some(v) = t.strip_prefix("name:") {
            name = Some(v.trim().to_string());
        } else if let Some(v) = t.strip_prefix("ID:") {
            id = v.trim().parse().ok();
        } else if let Some(v) = t.strip_prefix("field:") {
            fields.extend(parse_field(v));
        } else if let Some(v) = t.strip_prefix("print fmt:") {
            print = PrintFmt::parse(v.trim());
        }
    }
    Some(EventFormat {
        id: id?,
        name: name?,
        fields,
        print,
    })
}

/// `unsigned long func;    offset:8;    size:8;    signed:0;` (after `field:`).
fn parse_field(v: &str) -> Option<Field> {
    let mut parts = v.split(';').map(str::trim);
    let decl = parts.next()?;
    let (mut offset, mut size, mut signed) = (None, None, false);
    for p in parts {
        if let Some(x) = p.strip_prefix("offset:") {
            offset = x.parse().ok();
        } else if let Some(x) = p.strip_prefix("size:") {
            size = x.parse().ok();
        } else if let Some(x) = p.strip_prefix("signed:") {
            signed = x == "1";
        }
    }
    let layout = if decl.starts_with("__data_loc") {
        Layout::DataLoc
    } else if decl.ends_with(']') {
        Layout::Array
    } else {
        Layout::Scalar
    };
    // Drop `[16]` / `[]` wherever they are (`char comm[16]`,
    // `__data_loc char[] name`): the name is the last word left.
    let mut base = String::with_capacity(decl.len());
    let mut depth = 0;
    for c in decl.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            _ if depth == 0 => base.push(c),
            _ => {}
        }
    }
    let name = base.trim_end().rsplit([' ', '*']).next()?.to_string();
    if name.is_empty() {
        return None;
    }
    Some(Field {
        name,
        offset: offset?,
        size: size?,
        signed,
        layout,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXIT: &str = "name: funcgraph_exit\nID: 10\nformat:\n\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n\tfield:unsigned long func;\toffset:8;\tsize:8;\tsigned:0;\n\tfield:int depth;\toffset:16;\tsize:4;\tsigned:1;\n\tfield:char comm[16];\toffset:20;\tsize:16;\tsigned:0;\n\tfield:__data_loc char[] name;\toffset:36;\tsize:4;\tsigned:0;\n\nprint fmt: \"<-- %ps (%d)\", (void *)REC->func, REC->depth\n";

    #[test]
    fn fields_of_a_real_format() {
        let f = parse_format(EXIT.as_bytes()).unwrap();
        assert_eq!((f.id, f.name.as_str()), (10, "funcgraph_exit"));
        let names: Vec<_> = f.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            ["common_type", "common_pid", "func", "depth", "comm", "name"]
        );
        let depth = f.field("depth").unwrap();
        assert!(depth.signed);
        let mut data = vec![0u8; 40];
        data[16..20].copy_from_slice(&(-3i32).to_le_bytes());
        assert_eq!(depth.value(&data, Endian::Little), Some(-3i64 as u64));
        assert_eq!(f.field("comm").unwrap().layout, Layout::Array);
        assert_eq!(f.field("name").unwrap().layout, Layout::DataLoc);
        assert!(f.print.is_some());
        assert!(depth.value(&data[..18], Endian::Little).is_none());
    }
}
