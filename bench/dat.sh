#!/usr/bin/env bash
# trace.dat against its text form: `tracereport --parse-only` on a large
# trace.dat (bench/gen/dat.rs: a real capture's events replayed, version 6)
# and on the text `trace-cmd report` prints for it, same machine, same run.
#
# Usage: bench/dat.sh [SIZE]     (default 1G; needs trace-cmd installed)
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${1:-1G}
DATA=bench/data
mkdir -p "$DATA"
command -v trace-cmd >/dev/null || { echo "needs trace-cmd (apt-get install trace-cmd)" >&2; exit 1; }
[ -x /usr/bin/time ] || apt-get install -y time >/dev/null
cargo build --release --quiet --bin tracereport --example gen_dat
TR=target/release/tracereport
DAT=$DATA/graph-$SIZE.dat
TXT=$DATA/graph-$SIZE.dat.txt
[ -f "$DAT" ] || target/release/examples/gen_dat --size "$SIZE" --out "$DAT"
[ -f "$TXT" ] || trace-cmd report -i "$DAT" >"$TXT"

run() { # NAME FILE CMD...
    local name=$1 file=$2
    shift 2
    cat "$file" >/dev/null # both from the page cache
    local t0=$EPOCHREALTIME
    /usr/bin/time -f '%M %U %S' -o /tmp/dat-bench-time "$@" >/tmp/dat-bench-out
    local t1=$EPOCHREALTIME
    awk -v a="$t0" -v b="$t1" -v n="$(stat -c %s "$file")" -v name="$name" '
        { w = b - a; printf "| %s | %d | %.3f | %.0f | %.2f | %.1f |\n", name, n, w, n / w / 1e6, $2 + $3, $1 / 1024 }' /tmp/dat-bench-time
}

echo "- CPU: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- $(tail -1 /tmp/dat-bench-out 2>/dev/null || true)"
echo
echo "| run | bytes | wall s | MB/s | CPU s | peak RSS MB |"
echo "|---|---|---|---|---|---|"
run "--parse-only trace.dat, 2 cores" "$DAT" "$TR" --parse-only "$DAT"
run "--parse-only its text, 2 cores" "$TXT" "$TR" --parse-only "$TXT"
run "--parse-only trace.dat, 1 core" "$DAT" env RAYON_NUM_THREADS=1 taskset -c 0 "$TR" --parse-only "$DAT"
run "--parse-only its text, 1 core" "$TXT" env RAYON_NUM_THREADS=1 taskset -c 0 "$TR" --parse-only "$TXT"
echo
"$TR" --parse-only "$DAT"
"$TR" --parse-only "$TXT"
