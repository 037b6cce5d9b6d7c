//! Ranked causes on kernel pairs the ranking was not tuned on
//! (`tests/fixtures/kernel-variants/`, provenance in the fixtures README):
//! Debian's stock 6.12 kernel (thousands of options differ) against the small
//! self-built 6.12 kernels, each capture with its kernel's own function list
//! and config found as sidecars.

use serde_json::Value;

use crate::{
    common::{CAPTURES, run},
    kernel::evidence_text,
};

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

/// Captures `tracereport record` wrote inside a QEMU guest running Debian's
/// stock 6.12 (`tools/qemu-capture/record-e2e.sh`, part `rec`): the real
/// function_graph tracer, pid filter, syscall events, header lines.
const REC_XSK: &str = "deb12--record-bpf-map-xsk.log";

#[test]
fn record_made_pair_on_one_kernel_reports_einval_and_the_split() {
    let good = format!("{KV}/deb12--record-good-map-array.log");
    let bad = format!("{KV}/deb12--record-bad-map-unspec.log");
    let w = run(&[&good, &bad]);
    for cap in w.json["captures"].as_array().unwrap() {
        assert_eq!(cap["kernel"], "6.12.117+deb12-amd64");
        assert_eq!(cap["tracer"], "function_graph");
        assert_eq!(cap["options"]["syscall_events"], true);
        assert_eq!(cap["options"]["lost_events"], 0);
    }
    let c = &w.json["comparisons"][0];
    assert_eq!(c["bad_syscall"], 0);
    let v = c["verdict"].as_str().unwrap();
    assert!(v.contains("failed with -22 EINVAL"), "{v}");
    let d = &c["first_divergence"];
    assert_eq!(d["parent"], "map_create", "{d:#}");
    assert_eq!(d["good_next"], "array_map_alloc_check", "{d:#}");
    assert!(d["bad_next"].is_null(), "{d:#}");
    // One kernel: no option differs, so no cause is ranked.
    assert!(
        c["causes"].as_array().unwrap().is_empty(),
        "{:#}",
        c["causes"]
    );
}

/// The recorded XSKMAP create on Debian's kernel against the small kernel
/// without XDP_SOCKETS: the record header is read back, the sidecars
/// (`deb12.config.gz`, `deb12.available_filter_functions.gz`, the same files
/// `record` saved in the guest) are found, and the option leads.
#[test]
fn record_made_xskmap_capture_vs_small_noxsk() {
    let ok = format!("{KV}/{REC_XSK}");
    let bad = format!(
        "{CAPTURES}/xskmap-noxdpsockets-6.12/bad--funcgraph-proc+funcgraph-abstime+funcgraph-tail.log"
    );
    let w = run(&[&ok, &bad]);
    let files = w.json["captures"][0]["kernel_files"].to_string();
    assert!(
        files.contains("deb12.config.gz") && files.contains("sidecar"),
        "{files}"
    );
    let c = &w.json["comparisons"][0];
    let v = c["verdict"].as_str().unwrap();
    assert!(v.contains("failed with -22 EINVAL"), "{v}");
    let d = &c["first_divergence"];
    assert_eq!(d["parent"], "__sys_bpf", "{d:#}");
    let r = ranks(c);
    assert_eq!(r[0], "CONFIG_XDP_SOCKETS", "{r:?}");
    let ev = evidence_text(&c["causes"][0]);
    assert!(ev.contains(REC_XSK), "{ev}");
    assert!(
        ev.contains("`xsk_map_alloc` is absent from the bad kernel's function list"),
        "{ev}"
    );
}

/// `socket(AF_PACKET, SOCK_RAW, ETH_P_ALL)`: another subsystem, another
/// errno. The small 6.12 kernel leaves CONFIG_PACKET unset (EAFNOSUPPORT);
/// its variant built from the same tree with only `+PACKET` creates the
/// socket. One option differs (besides the version string).
#[test]
fn packet_variant_one_option_flipped() {
    let ok = format!("{KV}/retval-packet--socket-packet.log");
    let bad = format!("{KV}/retval--socket-packet.log");
    let c = comparison(&[&ok, &bad]);
    let v = c["verdict"].as_str().unwrap();
    assert!(v.contains("-97 EAFNOSUPPORT"), "{v}");
    let r = ranks(&c);
    assert_eq!(r[0], "CONFIG_PACKET", "{r:?}");
    let top = &c["causes"][0];
    assert_eq!(top["good_value"], "y");
    assert_eq!(top["bad_value"], "is not set");
    let ev = evidence_text(top);
    assert!(ev.contains("retval-packet.config"), "{ev}");
    assert!(ev.contains("# CONFIG_PACKET is not set"), "{ev}");
    assert!(
        ev.contains("`packet_create` is absent from the bad kernel's function list"),
        "{ev}"
    );
}

/// The same call on Debian's stock kernel (CONFIG_PACKET=y, thousands of
/// other differences) against the small kernel without it.
#[test]
fn packet_debian_stock_vs_small_kernel() {
    let ok = format!("{KV}/deb12--socket-packet.log");
    let bad = format!("{KV}/retval--socket-packet.log");
    let c = comparison(&[&ok, &bad]);
    assert!(c["kernel_diff"]["config_differences"].as_u64().unwrap() > 5000);
    let r = ranks(&c);
    // The issue asks for the top three; by names it leads (the memcg hook
    // and the capability check under `packet_create()` count little).
    assert_eq!(r[0], "CONFIG_PACKET", "{r:?}");
    let ev = evidence_text(&c["causes"][0]);
    assert!(
        ev.contains("`packet_create` is absent from the bad kernel's function list"),
        "{ev}"
    );
}
