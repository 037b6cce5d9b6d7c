#!/bin/bash
# Boot one kernel under QEMU (TCG) with the capture initramfs and split the
# results.  Usage: run-kernel.sh VMLINUZ OUTDIR [part] [smp]
#   part: pairs|variants|rvpairs|tracecmd|busy|aff|lost|xsk, new: tcfn|perf|lat|comm|args
#         (comma list; empty = every scenario in init.sh)
#   TCV=set:set (env): only these option sets of `variants` ("+" joins options), see init.sh
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=${WORK:-/tmp/qemu-capture}
K=$1 OUT=$2 TCS=${3:-} SMP=${4:-}
# single-call parts run on 1 vCPU (MTTCG with 2 vCPUs hung on this 2-core host);
# busy/lost use 2 vCPUs on one round-robin TCG thread.
ACC="-accel tcg -cpu max"
case $TCS in busy|lost) SMP=${SMP:-2}; ACC="-accel tcg,thread=single -cpu max";; *) SMP=${SMP:-1};; esac
mkdir -p "$OUT"
BUFARG=""
[ "$TCS" = lost ] && BUFARG="trace_buf_size=4K"
rm -f "$OUT/console.log" "$OUT/data.bin"
timeout ${QTIMEOUT:-600} qemu-system-x86_64 ${QACCEL:-$ACC} -m 1024 -smp "$SMP" \
    -kernel "$K" -initrd "$WORK/initramfs.cpio.gz" \
    -append "console=ttyS0 loglevel=4 panic=-1 tcs=$TCS $BUFARG${TCV:+ tcv=$TCV}" \
    -display none -monitor none -no-reboot \
    -serial file:"$OUT/console.log" -serial file:"$OUT/data.bin" || echo "qemu exit $? (timeout/crash), splitting what arrived"
python3 "$HERE/split.py" "$OUT/data.bin" "$OUT"
