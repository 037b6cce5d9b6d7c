//! Ranked causes on kernel pairs the ranking was not tuned on
//! (`tests/fixtures/kernel-variants/`, provenance in the fixtures README):
//! Debian's stock 6.12 kernel (thousands of options differ) against the small
//! self-built 6.12 kernels, each capture with its kernel's own function list
//! and config found as sidecars.

use serde_json::Value;

use crate::common::{CAPTURES, run};

const KV: &str = "tests/fixtures/kernel-variants";
const EXTRACT: &str = "tests/fixtures/kernel-src-extract";

fn comparison(args: &[&str]) -> Value {
    run(args).json["comparisons"][0].clone()
}

fn ranks(c: &Value) -> Vec<String> {
    c["causes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["config"].as_str().unwrap().to_string())
        .collect()
}

fn evidence_text(c: &Value) -> String {
    c["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{} {} {}:{}\n", e["kind"], e["text"], e["file"], e["line"]))
        .collect()
}

/// Debian's 6.12.117 image (XDP_SOCKETS=y, 6 257 options differ) creates the
/// XSKMAP; the small 6.12.117 kernel without XDP_SOCKETS fails with EINVAL.
/// The good run also passes security hooks, hardened-usercopy checks and
/// capability checks the small kernel lacks: none of them may outrank the
/// option that removed the map type.
#[test]
fn debian_stock_vs_small_noxsk_ranks_xdp_sockets_first() {
    let ok = format!("{KV}/deb12--bpf-map-xsk.log");
    let bad = format!("{CAPTURES}/xskmap-noxdpsockets-6.12/bad--default.log");
    let c = comparison(&[&ok, &bad]);
    let kd = &c["kernel_diff"];
    assert!(kd["config_differences"].as_u64().unwrap() > 5000, "{kd:#}");
    assert!(
        kd["functions_only_good"].as_u64().unwrap() > 20000,
        "{kd:#}"
    );
    let r = ranks(&c);
    assert_eq!(r[0], "CONFIG_XDP_SOCKETS", "{r:?}");
    for noise in [
        "CONFIG_SECURITY",
        "CONFIG_HARDENED_USERCOPY",
        "CONFIG_BPF_LSM",
    ] {
        let at = r.iter().position(|o| o == noise);
        assert!(at.is_none_or(|i| i >= 2), "{noise} at {at:?}: {r:?}");
    }
    let top = &c["causes"][0];
    assert_eq!(top["good_value"], "y");
    assert_eq!(top["bad_value"], "is not set");
    assert_eq!(top["basis"], "names");
    let ev = evidence_text(top);
    assert!(ev.contains("deb12.config.gz\":1310"), "{ev}");
    assert!(ev.contains("# CONFIG_XDP_SOCKETS is not set"), "{ev}");
    assert!(
        ev.contains("the good run called `xsk_map_alloc()` past the split")
            && ev.contains("deb12--bpf-map-xsk.log\":249"),
        "{ev}"
    );
    assert!(
        ev.contains("`xsk_map_alloc` is absent from the bad kernel's function list"),
        "{ev}"
    );
    // A check the bad kernel lacks is said to be one, where it is ranked.
    let sec = c["causes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["config"] == "CONFIG_SECURITY")
        .expect("CONFIG_SECURITY differs and ties to security_bpf");
    let ev = evidence_text(sec);
    assert!(ev.contains("is a security hook"), "{ev}");
    assert!(
        c["verdict"]
            .as_str()
            .unwrap()
            .contains("CONFIG_XDP_SOCKETS")
    );
}

/// The same pair with the source extract: the tie is by Makefile and
/// `bpf_types.h` lines, and the option still leads.
#[test]
fn debian_stock_vs_small_noxsk_with_source_extract() {
    let ok = format!("{KV}/deb12--bpf-map-xsk.log");
    let bad = format!("{CAPTURES}/xskmap-noxdpsockets-6.12/bad--default.log");
    let c = comparison(&[&ok, &bad, "--kernel-src", EXTRACT]);
    let r = ranks(&c);
    assert_eq!(r[0], "CONFIG_XDP_SOCKETS", "{r:?}");
    let ev = evidence_text(&c["causes"][0]);
    assert!(ev.contains("\"net/xdp/Makefile\":2"), "{ev}");
    assert!(ev.contains("\"include/linux/bpf_types.h\":119"), "{ev}");
}
