#!/bin/bash
# Download what the new parts (tcfn perf lat comm args) need, into $WORK (never the repo):
#  - Debian's 6.1 kernel image (bookworm / bookworm-security) and the matching linux-perf,
#  - the newest Debian kernel with CONFIG_FUNCTION_TRACE_ARGS (funcgraph-args), from
#    trixie-backports, through a private apt configuration under $WORK/apt-alt (the host's
#    /etc/apt is not changed).
# Versions used for tests/fixtures/captures-new (2026-11-25): K61=6.1.0-56 (6.1.192-2),
# PERF61=6.1.192-2, KNEW=7.3.4+deb13 (7.3.4-1~bpo13+1); for tests/fixtures/captures-unseen
# (2026-11-30) also K612=6.12.117+deb12 (6.12.117-1~deb12u1; linux-perf 6.1.192-2 was gone).
set -euo pipefail
WORK=${WORK:-/tmp/qemu-capture}
K61=${K61:-6.1.0-56}
PERF61=${PERF61:-6.1.192-2}
KNEW=${KNEW:-7.3.4+deb13}
K612=${K612-6.12.117+deb12}
mkdir -p "$WORK/debs" "$WORK/boot" "$WORK/debs-new"
cd "$WORK/debs"
ls linux-image-$K61-amd64-unsigned_*.deb >/dev/null 2>&1 || apt-get download "linux-image-$K61-amd64-unsigned"
# linux-perf is only for the `perf` part; the archive drops old versions, so a missing
# one is a warning, not a failure (build-initramfs.sh then leaves perf out).
ls linux-perf_${PERF61}_*.deb >/dev/null 2>&1 || apt-get download "linux-perf=$PERF61" \
    || echo "WARNING: linux-perf=$PERF61 not available; the perf part will be skipped"
dpkg-deb --fsys-tarfile linux-image-$K61-amd64-unsigned_*.deb | tar x -C "$WORK" --wildcards './boot/*'
if ls linux-perf_${PERF61}_*.deb >/dev/null 2>&1; then
    rm -rf "$WORK/perf61"; dpkg-deb -x linux-perf_${PERF61}_*.deb "$WORK/perf61"
fi
# Debian's stock 6.12 (bookworm-security), for the unseen-kernel captures
# (tests/fixtures/captures-unseen); K612= (empty) skips it.
if [ -n "$K612" ]; then
    ls linux-image-$K612-amd64-unsigned_*.deb >/dev/null 2>&1 || apt-get download "linux-image-$K612-amd64-unsigned"
    dpkg-deb --fsys-tarfile linux-image-$K612-amd64-unsigned_*.deb | tar x -C "$WORK" --wildcards './boot/*'
fi

A=$WORK/apt-alt
mkdir -p "$A/lists/partial" "$A/cache/archives/partial" "$A/etc"
KR=/usr/share/keyrings/debian-archive-keyring.gpg
cat > "$A/etc/sources.list" <<S
deb [signed-by=$KR] http://deb.debian.org/debian bookworm-backports main
deb [signed-by=$KR] http://deb.debian.org/debian trixie-backports main
deb [signed-by=$KR] http://deb.debian.org/debian trixie main
S
cat > "$A/apt.conf" <<C
Dir::Etc::SourceList "$A/etc/sources.list";
Dir::Etc::SourceParts "/nonexistent";
Dir::State::Lists "$A/lists";
Dir::Cache "$A/cache";
Dir::State::status "/var/lib/dpkg/status";
Acquire::Languages "none";
C
export APT_CONFIG=$A/apt.conf
apt-get update -qq
apt-cache policy linux-image-amd64 | sed -n 1,12p
cd "$WORK/debs-new"
# Debian >= 7.x splits the image: linux-binary-* has the vmlinuz, linux-base-* the config.
ls linux-binary-$KNEW-amd64_*.deb >/dev/null 2>&1 || apt-get download "linux-binary-$KNEW-amd64" "linux-base-$KNEW-amd64"
rm -rf x; mkdir x
for d in linux-binary-$KNEW-amd64_*.deb linux-base-$KNEW-amd64_*.deb; do dpkg-deb --fsys-tarfile "$d" | tar x -C x ./usr/lib/modules; done
cp "x/usr/lib/modules/$KNEW-amd64/vmlinuz" "$WORK/boot/vmlinuz-$KNEW-amd64"
cp "x/usr/lib/modules/$KNEW-amd64/config" "$WORK/boot/config-$KNEW-amd64"
grep -E 'CONFIG_(FUNCTION_TRACE_ARGS|FUNCTION_GRAPH_RETVAL)[ =]' "$WORK/boot/config-$KNEW-amd64" || true
ls -la "$WORK/boot"
