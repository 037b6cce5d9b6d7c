#!/usr/bin/env bash
# trace.dat against its text form (issue 13): `tracereport --parse-only` on a
# large trace.dat (bench/gen/dat.rs: a real capture's ring-buffer events
# replayed, version 6) and on the text `trace-cmd report` prints for it
# (the same records), alternately REPS times on the same machine in the
# same run; prints each run, the medians and their ratio.
#
# Usage: bench/dat.sh [SIZE]     (default 1G; needs trace-cmd installed)
# Env:   REPS=N (default 5), TR=path of the tracereport binary to time
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${1:-1G}
REPS=${REPS:-5}
DATA=bench/data
mkdir -p "$DATA"
command -v trace-cmd >/dev/null || { echo "needs trace-cmd (apt-get install trace-cmd)" >&2; exit 1; }
cargo build --release --quiet --bin tracereport --example gen_dat
TR=${TR:-target/release/tracereport}
DAT=$DATA/graph-$SIZE.dat
TXT=$DATA/graph-$SIZE.dat.txt
[ -s "$DAT" ] || target/release/examples/gen_dat --size "$SIZE" --out "$DAT"
[ -s "$TXT" ] || trace-cmd report -i "$DAT" >"$TXT"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# wall FILE: one `--parse-only` run's wall time in s.
wall() {
    local t0=$EPOCHREALTIME
    "$TR" --parse-only "$1" >"$TMP/out"
    awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }'
}
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

cat "$DAT" "$TXT" >/dev/null # both from the page cache
echo "- CPU: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- $TR ($(git rev-parse --short HEAD 2>/dev/null || echo '?')); $REPS runs each, alternating"
dat=() txt=()
for _ in $(seq "$REPS"); do
    dat+=("$(wall "$DAT")")
    txt+=("$(wall "$TXT")")
done
echo "- load after: $(cut -d' ' -f1-3 /proc/loadavg)"
"$TR" --parse-only "$DAT" | sed 's/^/- trace.dat: /'
"$TR" --parse-only "$TXT" | sed 's/^/- its text: /'
d=$(median "${dat[@]}")
t=$(median "${txt[@]}")
echo
echo "| input | bytes | median wall s | runs (s) |"
echo "|---|---|---|---|"
echo "| trace.dat | $(stat -c %s "$DAT") | $d | ${dat[*]} |"
echo "| its trace-cmd report text | $(stat -c %s "$TXT") | $t | ${txt[*]} |"
echo
awk -v d="$d" -v t="$t" 'BEGIN { printf "text time / trace.dat time: %.2f (must hold: >= 1)\n", t / d }'
