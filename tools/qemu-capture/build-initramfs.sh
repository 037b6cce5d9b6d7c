#!/bin/bash
# Build the guest initramfs: static busybox, /init (init.sh), static bpfcase,
# trace-cmd and perf plus the shared libraries they need.  Output: $WORK/initramfs.cpio.gz
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=${WORK:-/tmp/qemu-capture}
R=$WORK/rootfs
rm -rf "$R"; mkdir -p "$R"/{bin,sbin,etc,proc,sys,dev,tmp,usr/bin,lib64,lib/x86_64-linux-gnu}
cp /bin/busybox "$R/bin/busybox"            # busybox-static package
ln -s busybox "$R/bin/sh"
gcc -static -O2 -Wall -o "$R/bin/bpfcase" "$HERE/bpfcase.c"
cp "$HERE/init.sh" "$R/init"; chmod +x "$R/init"
echo qemu-guest > "$R/etc/hostname"
if command -v trace-cmd >/dev/null; then
    cp "$(command -v trace-cmd)" "$R/usr/bin/trace-cmd"
    for l in $(ldd "$(command -v trace-cmd)" | grep -o '/[^ ]*'); do cp -L "$l" "$R$l"; done
    P=/usr/lib/x86_64-linux-gnu/traceevent/plugins
    [ -d $P ] && mkdir -p "$R$P" && cp -a $P/. "$R$P/"
fi
# perf (for `perf ftrace`): Debian's linux-perf matching the 6.1 kernel, unpacked by the
# README step into $WORK/perf61 (PERF=path overrides); binary + the shared libs ldd lists.
PERF=${PERF:-$WORK/perf61/usr/bin/perf}
if [ -x "$PERF" ]; then
    cp "$PERF" "$R/usr/bin/perf"
    for l in $(ldd "$PERF" | grep -o '/[^ ]*'); do mkdir -p "$R$(dirname "$l")"; cp -L "$l" "$R$l"; done
fi
(cd "$R" && find . | cpio -o -H newc --quiet | gzip -1) > "$WORK/initramfs.cpio.gz"
ls -la "$WORK/initramfs.cpio.gz"
