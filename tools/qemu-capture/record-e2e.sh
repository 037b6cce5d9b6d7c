#!/bin/bash
# `tracereport record` end to end with a real function_graph tracer (issue 16, "what must
# hold" 3): boots each kernel under QEMU, runs the `rec` part of init.sh in each guest (record
# the XSKMAP create with -g __x64_sys_bpf --retval --syscall bpf; and --good/--bad ARRAY vs
# UNSPEC with --report), checks that the tracefs settings are unchanged afterwards
# (rec-before.txt = rec-after.txt), that each capture is function_graph with its sidecars, that
# the guest's --good/--bad report says EINVAL, and, given two kernels, reports the seed pair on
# the host: the first kernel's XSKMAP capture as good, the second's as bad (their sidecars
# found automatically), expecting EINVAL and CONFIG_XDP_SOCKETS as causes[0].
#
# Kernels: E2E_KERNELS="vmlinuz-A [vmlinuz-B]" (files in $WORK/boot, config-${A#vmlinuz-}
# beside each), default "vmlinuz-6.12-retval vmlinuz-6.12-retval-noxsk": the small 6.12
# retval kernel (build-retval-kernel.sh) and its variant without CONFIG_XDP_SOCKETS
# (build-variant-kernel.sh noxsk -XDP_SOCKETS). With one kernel only the in-guest checks run.
# Needs qemu-system-x86, busybox-static, cpio, gcc. TRACEREPORT_BIN=path puts that binary in
# the guest instead of a fresh release build.
# Usage (from the repo root): tools/qemu-capture/record-e2e.sh [OUTDIR]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
export WORK=${WORK:-/tmp/qemu-capture}
OUT=${1:-$WORK/out/record-e2e}
read -r -a KS <<< "${E2E_KERNELS:-vmlinuz-6.12-retval vmlinuz-6.12-retval-noxsk}"
for k in "${KS[@]}"; do
    [ -f "$WORK/boot/$k" ] || { echo "missing $WORK/boot/$k (see the header of this script)" >&2; exit 1; }
done

# tracereport for the guest, and the shared libraries it links.
if [ -n "${TRACEREPORT_BIN:-}" ]; then
    BIN=$(realpath "$TRACEREPORT_BIN")
else
    (cd "$ROOT" && cargo build --release --bin tracereport)
    BIN=$ROOT/target/release/tracereport
fi
"$HERE/build-initramfs.sh"
R=$WORK/rootfs
cp "$BIN" "$R/usr/bin/tracereport"
for l in $(ldd "$BIN" | grep -o '/[^ ]*'); do mkdir -p "$R$(dirname "$l")"; cp -L "$l" "$R$l"; done
# Each kernel's config where `record` looks for it (/boot/config-$(uname -r); the small
# kernels have no /proc/config.gz), so the captures get their config sidecar in the guest.
mkdir -p "$R/boot"
for k in "${KS[@]}"; do
    n=${k#vmlinuz-}
    rel=$(cat "$WORK/boot/release-$n" 2>/dev/null || file -b "$WORK/boot/$k" | sed -n 's/.*version \([^ ]*\).*/\1/p')
    [ -f "$WORK/boot/config-$n" ] && cp "$WORK/boot/config-$n" "$R/boot/config-$rel"
done
(cd "$R" && find . | cpio -o -H newc --quiet | gzip -1) > "$WORK/initramfs.cpio.gz"

rm -rf "$OUT"; mkdir -p "$OUT"
fail=0
for k in "${KS[@]}"; do
    n=${k#vmlinuz-}; d=$OUT/$n
    QTIMEOUT=${QTIMEOUT:-2700} "$HERE/run-kernel.sh" "$WORK/boot/$k" "$d" rec
    echo "== $n: guest progress"; grep 'TC: rec' "$d/console.log" || true
    echo "== $n: record's stderr"; cat "$d/rec.stderr.txt" || fail=1
    if cmp -s "$d/rec-before.txt" "$d/rec-after.txt"; then
        echo "== $n: tracefs settings after = before ($(wc -l < "$d/rec-after.txt") files compared)"
    else
        echo "== $n: tracefs CHANGED:"; diff "$d/rec-before.txt" "$d/rec-after.txt" || true; fail=1
    fi
    for c in rec-xsk rec-good rec-bad; do
        [ -f "$d/$c.log" ] || { echo "$n: no $c.log"; fail=1; continue; }
        grep -q '^# tracer: function_graph$' "$d/$c.log" && echo "== $n: $c.log is function_graph ($(wc -l < "$d/$c.log") lines)" \
            || { echo "$n: $c.log is not a function_graph capture"; fail=1; }
    done
    for s in available_filter_functions config; do
        [ -s "$d/rec-xsk.$s" ] || { echo "$n: record wrote no rec-xsk.$s sidecar"; fail=1; }
    done
    echo "== $n: the guest's --good/--bad report (ARRAY ok vs UNSPEC):"
    grep -m1 'EINVAL' "$d/rec-report.md" || { echo "no EINVAL in the guest's report"; fail=1; }
done
if [ ${#KS[@]} -ge 2 ]; then
    # The seed pair: the same call on the two kernels; the kernel facts are the sidecars
    # `record` wrote beside each capture (found automatically).
    g=$OUT/${KS[0]#vmlinuz-}/rec-xsk.log b=$OUT/${KS[1]#vmlinuz-}/rec-xsk.log
    "$BIN" "$g" "$b" --label ok --label bad -o "$OUT/report" 2>&1 | tee "$OUT/summary.txt"
    grep -q 'failed with -22 EINVAL' "$OUT/report/report.md" || { echo "no EINVAL verdict"; fail=1; }
    cause=$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["comparisons"][0].get("causes") or [{}]; print(c[0].get("config"))' "$OUT/report/report.json")
    echo "== causes[0]: $cause"
    [ "$cause" = CONFIG_XDP_SOCKETS ] || { echo "causes[0] is not CONFIG_XDP_SOCKETS"; fail=1; }
else
    echo "== one kernel: no cross-kernel seed pair (give two in E2E_KERNELS)"
fi
echo "== result: $([ $fail = 0 ] && echo PASS || echo FAIL)"
echo "outputs in $OUT; commit the last run's output as tools/qemu-capture/record-e2e.last.txt"
exit $fail
