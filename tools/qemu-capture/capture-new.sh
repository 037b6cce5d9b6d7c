#!/bin/bash
# Run the new parts (one QEMU boot each, 1 vCPU TCG) and arrange tests/fixtures/captures-new.
# Run from the repo root after fetch-new.sh and build-initramfs.sh. About 8 minutes in all.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=${WORK:-/tmp/qemu-capture}
K61=$WORK/boot/vmlinuz-6.1.0-56-amd64
KNEW=$WORK/boot/vmlinuz-7.3.4+deb13-amd64
export WORK QTIMEOUT=${QTIMEOUT:-1500}
"$HERE/run-kernel.sh" "$K61"  "$WORK/out/6.1.0-56-amd64/latcomm" lat,comm
"$HERE/run-kernel.sh" "$K61"  "$WORK/out/6.1.0-56-amd64/perf" perf
"$HERE/run-kernel.sh" "$K61"  "$WORK/out/6.1.0-56-amd64/tcfn" tcfn
"$HERE/run-kernel.sh" "$KNEW" "$WORK/out/7.3.4+deb13-amd64/argslatcomm" args,lat,comm
python3 "$HERE/make-new-corpus.py" "$WORK/out" tests/fixtures/captures-new
