//! Return values typed by what they can mean, so a dentry pointer is never
//! read as a huge negative number and an errno is only ever an errno.
//!
//! funcgraph-retval prints the raw register: the kernel does not say whether
//! a function returns an int, a pointer or a bool. What the value range
//! allows is all we know: [-4095, -1] is an errno (or an `ERR_PTR`, which is
//! the same bits), the top half of the address space is a kernel pointer,
//! anything else is a number. JSON readers in JavaScript round integers
//! beyond 2^53, so such values travel as strings.

use serde::{Serialize, Serializer};

use crate::model::decode::errno_name;

/// What a return value can be, from its range alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RetKind {
    /// In [-4095, -1]: an errno (`-22`), or an `ERR_PTR` of one.
    Errno,
    /// A kernel address (`0xffff…`/`0xff11…`): shown in hex.
    KernelPointer,
    /// Zero or a positive number (a count, a bool, an fd, a user address).
    Number,
    /// Negative below -4095 and not a kernel address: raw bits, in hex.
    Bits,
}

/// Kernel addresses on 64-bit architectures live in the top half (x86-64
/// with 4- or 5-level paging, arm64).
const KERNEL_HALF: u64 = 0xff00_0000_0000_0000;

/// JSON numbers are exact up to here.
const JSON_EXACT: i64 = 1 << 53;

/// Classify a value (as [`crate::parse::RetVal::value`] gives it).
pub fn kind(v: i64) -> RetKind {
    if (-4095..=-1).contains(&v) {
        RetKind::Errno
    } else if v >= 0 {
        RetKind::Number
    } else if (v as u64) >= KERNEL_HALF {
        RetKind::KernelPointer
    } else {
        RetKind::Bits
    }
}

/// The value as a person reads it: `-22 EINVAL`, `0xff11000002458840`, `6`.
/// Nothing in [-2^63, -4096] is ever shown in decimal.
pub fn show(v: i64) -> String {
    match kind(v) {
        RetKind::Errno => match errno_name(-(v as i32)) {
            Some(e) => format!("{v} {e}"),
            None => v.to_string(),
        },
        RetKind::Number if v <= 0xffff_ffff => v.to_string(),
        RetKind::Number | RetKind::KernelPointer | RetKind::Bits => format!("{:#x}", v as u64),
    }
}

/// The value as the trace line prints it, without the errno name (the
/// aligned view's `= -22`, `= 0xff11…`).
pub fn show_short(v: i64) -> String {
    match kind(v) {
        RetKind::Errno => v.to_string(),
        _ => show(v),
    }
}

/// `show`, and for an errno returned where the good run's same call
/// returned a kernel pointer, the `ERR_PTR` it is.
pub fn show_against(v: i64, good: Option<i64>) -> String {
    let good_ptr = good.is_some_and(|g| kind(g) == RetKind::KernelPointer);
    if kind(v) != RetKind::Errno || !good_ptr {
        return show(v);
    }
    match errno_name((-v) as i32) {
        Some(e) => format!("ERR_PTR(-{e}) ({v})"),
        None => show(v),
    }
}

/// A return value in JSON: an errno or a number while JSON keeps it exact
/// (up to 2^53) is a number; a larger number is a decimal string; a kernel
/// address or other negative bits a hex string (never a negative decimal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetJson(pub i64);

impl Serialize for RetJson {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let v = self.0;
        match kind(v) {
            RetKind::Errno => s.serialize_i64(v),
            RetKind::Number if v <= JSON_EXACT => s.serialize_i64(v),
            RetKind::Number => s.serialize_str(&v.to_string()),
            RetKind::KernelPointer | RetKind::Bits => s.serialize_str(&format!("{:#x}", v as u64)),
        }
    }
}

impl From<RetJson> for i64 {
    fn from(r: RetJson) -> i64 {
        r.0
    }
}

impl std::fmt::Display for RetJson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&show_short(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(kind(-22), RetKind::Errno);
        assert_eq!(kind(-4095), RetKind::Errno);
        assert_ne!(kind(-4096), RetKind::Errno);
        assert_eq!(kind(i64::MIN), RetKind::Bits);
        assert_eq!(kind(0), RetKind::Number);
        // The mkdir dentry of issue 12, printed by the kernel as a decimal.
        assert_eq!(kind(-67272519395735488), RetKind::KernelPointer);
        assert_eq!(show(-67272519395735488), "0xff11000002458840");
        assert_eq!(show(-22), "-22 EINVAL");
        assert_eq!(show(6), "6");
        assert_eq!(show(i64::MIN), "0x8000000000000000");
        assert_eq!(
            show_against(-22, Some(-67272519395735488)),
            "ERR_PTR(-EINVAL) (-22)"
        );
        assert_eq!(show_against(-22, Some(0)), "-22 EINVAL");
    }

    #[test]
    fn no_value_below_minus_4096_is_decimal() {
        for v in [
            -4096,
            -4097,
            -1 << 40,
            -(1 << 53) - 1,
            i64::MIN,
            -67272519395735488,
        ] {
            for s in [show(v), show_short(v), show_against(v, Some(1))] {
                assert!(s.starts_with("0x"), "{v}: {s}");
            }
            let j = serde_json::to_string(&RetJson(v)).unwrap();
            assert!(!j.contains('-'), "{v}: {j}");
        }
    }

    #[test]
    fn json_is_exact() {
        assert_eq!(serde_json::to_string(&RetJson(-22)).unwrap(), "-22");
        assert_eq!(
            serde_json::to_string(&RetJson(1 << 53)).unwrap(),
            "9007199254740992"
        );
        assert_eq!(
            serde_json::to_string(&RetJson((1 << 53) + 1)).unwrap(),
            "\"9007199254740993\""
        );
        assert_eq!(
            serde_json::to_string(&RetJson(-67272519395735488)).unwrap(),
            "\"0xff11000002458840\""
        );
    }
}
