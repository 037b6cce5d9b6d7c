//! How numbers read in every rendering (Markdown, HTML, text trees, flame
//! graph titles, `trace.json`): one place, so the outputs cannot drift.
//! `static/js/format.js` mirrors it for the page scripts.

use super::units::Nanos;

/// A duration in the unit a person reads it in: `7.521 µs`, `12.400 ms`,
/// `3.590 s` (ftrace prints µs up to 7 digits, then drops decimals).
pub fn duration(d: Nanos) -> String {
    let us = d.us();
    if us < 1000.0 {
        format!("{us:.3} µs")
    } else if us < 1_000_000.0 {
        format!("{:.3} ms", us / 1000.0)
    } else {
        format!("{:.3} s", us / 1_000_000.0)
    }
}

/// A duration in running text: µs with one decimal below 1 ms (`7.5 µs`,
/// what the eye compares), else as [`duration`].
pub fn duration_short(d: Nanos) -> String {
    if d.us() < 1000.0 {
        format!("{:.1} µs", d.us())
    } else {
        duration(d)
    }
}

/// [`duration`], or an empty string when the duration is not known.
pub fn duration_opt(d: Option<Nanos>) -> String {
    d.map(duration).unwrap_or_default()
}

/// A duration as [`duration_opt`], or in whole µs below 1 ms when it is
/// `coarse`: known to the µs only (taken between two timestamps printed in
/// µs), it shows no digits it does not have.
pub fn measured(d: Option<Nanos>, coarse: bool) -> String {
    match d {
        Some(d) if coarse && d.us() < 1000.0 => format!("{:.0} µs", d.us()),
        _ => duration_opt(d),
    }
}

/// A total as [`us_1`], or in whole µs when it is `coarse` (see
/// [`measured`]).
pub fn total(d: Nanos, coarse: bool) -> String {
    if coarse {
        format!("{:.0} µs", d.us())
    } else {
        us_1(d)
    }
}

/// A duration in µs with one decimal, for tables of comparable sizes
/// (`40.9 µs`).
pub fn us_1(d: Nanos) -> String {
    format!("{:.1} µs", d.us())
}

/// A return value typed by its range ([`crate::analyse::retval`]): errnos
/// and numbers in decimal, kernel pointers and other negative bits in hex
/// (nothing in [-2^63, -4096] is ever a decimal).
pub fn ret(v: impl Into<i64>) -> String {
    crate::analyse::retval::show_short(v.into())
}

/// A syscall's result with its errno's name when it has one (`-22 EINVAL`),
/// else as [`ret`].
pub fn ret_errno(v: impl Into<i64>, errno: Option<&str>) -> String {
    let v = v.into();
    match errno {
        Some(e) if crate::analyse::retval::kind(v) == crate::analyse::retval::RetKind::Errno => {
            format!("{v} {e}")
        }
        _ => ret(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_in_readable_units() {
        assert_eq!(duration(Nanos(7521)), "7.521 µs");
        assert_eq!(duration(Nanos(12_400_000)), "12.400 ms");
        assert_eq!(duration(Nanos(3_590_000_000)), "3.590 s");
        assert_eq!(duration_opt(None), "");
        assert_eq!(us_1(Nanos(40_949)), "40.9 µs");
        assert_eq!(duration_short(Nanos(7_521)), "7.5 µs");
        assert_eq!(duration_short(Nanos(1_200_000)), "1.200 ms");
    }

    #[test]
    fn durations_known_to_the_us_show_no_ns_digits() {
        assert_eq!(measured(Some(Nanos(4000)), true), "4 µs");
        assert_eq!(measured(Some(Nanos(4000)), false), "4.000 µs");
        assert_eq!(measured(Some(Nanos(12_400_000)), true), "12.400 ms");
        assert_eq!(measured(None, true), "");
        assert_eq!(total(Nanos(35_000), true), "35 µs");
        assert_eq!(total(Nanos(35_000), false), "35.0 µs");
    }

    #[test]
    fn return_values_as_the_kernel_prints_them() {
        assert_eq!(ret(-22), "-22");
        assert_eq!(ret(4095), "4095");
        assert_eq!(ret(-4096), "0xfffffffffffff000");
        assert_eq!(ret_errno(-22, Some("EINVAL")), "-22 EINVAL");
        assert_eq!(ret_errno(6, None), "6");
    }
}
