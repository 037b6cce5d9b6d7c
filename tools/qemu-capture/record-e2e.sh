#!/bin/bash
# `tracereport record` end to end with a real function_graph tracer (issue 16, "what must
# hold" 3): boots the small 6.12 retval kernel with and without CONFIG_XDP_SOCKETS under
# QEMU, runs the `rec` part of init.sh in each guest (record the XSKMAP create with
# -g __x64_sys_bpf --retval --syscall bpf; and --good/--bad ARRAY vs UNSPEC with --report),
# checks in the guest that the tracefs settings are unchanged afterwards
# (rec-before.txt = rec-after.txt), and reports the seed pair on the host.
#
# Needs (see README.md): $WORK/boot/vmlinuz-6.12-retval (build-retval-kernel.sh) and
# $WORK/boot/vmlinuz-6.12-retval-noxsk (build-variant-kernel.sh noxsk -XDP_SOCKETS; about
# 10 min of both cores), qemu-system-x86, busybox-static, cpio, gcc.
# Usage (from the repo root): tools/qemu-capture/record-e2e.sh [OUTDIR]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
export WORK=${WORK:-/tmp/qemu-capture}
OUT=${1:-$WORK/out/record-e2e}
for k in vmlinuz-6.12-retval vmlinuz-6.12-retval-noxsk; do
    [ -f "$WORK/boot/$k" ] || { echo "missing $WORK/boot/$k (see the header of this script)" >&2; exit 1; }
done

# tracereport for the guest: the release binary and the shared libraries it links.
(cd "$ROOT" && cargo build --release --bin tracereport)
BIN=$ROOT/target/release/tracereport
"$HERE/build-initramfs.sh"
R=$WORK/rootfs
cp "$BIN" "$R/usr/bin/tracereport"
for l in $(ldd "$BIN" | grep -o '/[^ ]*'); do mkdir -p "$R$(dirname "$l")"; cp -L "$l" "$R$l"; done
(cd "$R" && find . | cpio -o -H newc --quiet | gzip -1) > "$WORK/initramfs.cpio.gz"

rm -rf "$OUT"; mkdir -p "$OUT"
"$HERE/run-kernel.sh" "$WORK/boot/vmlinuz-6.12-retval" "$OUT/xsk" rec
"$HERE/run-kernel.sh" "$WORK/boot/vmlinuz-6.12-retval-noxsk" "$OUT/noxsk" rec

fail=0
for k in xsk noxsk; do
    echo "== $k: record's stderr"; cat "$OUT/$k/rec.stderr.txt"
    if cmp -s "$OUT/$k/rec-before.txt" "$OUT/$k/rec-after.txt"; then
        echo "== $k: tracefs settings after = before"
    else
        echo "== $k: tracefs CHANGED:"; diff "$OUT/$k/rec-before.txt" "$OUT/$k/rec-after.txt" || true; fail=1
    fi
    grep -q '^# tracer: function_graph$' "$OUT/$k/rec-xsk.log" || { echo "$k: not a function_graph capture"; fail=1; }
done
# The seed pair: the same call on the kernel with and without CONFIG_XDP_SOCKETS.
"$BIN" "$OUT/xsk/rec-xsk.log" "$OUT/noxsk/rec-xsk.log" --label ok --label bad \
    --filter-functions "$OUT/xsk/rec-xsk.available_filter_functions" \
    --filter-functions "$OUT/noxsk/rec-xsk.available_filter_functions" -o "$OUT/report" 2>&1 | tee "$OUT/summary.txt"
grep -q 'failed with -22 EINVAL' "$OUT/report/report.md" || { echo "no EINVAL verdict"; fail=1; }
echo "outputs in $OUT; commit the last run's summary as tools/qemu-capture/record-e2e.last.txt"
exit $fail
