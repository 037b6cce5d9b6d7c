#!/usr/bin/env bash
# Benchmark for issue 5: a capture of about 1 000 000 calls must give an
# index.html under 25 MB that becomes interactive in headless Chromium in
# under 3 s. Prints one table row per run and fails when a bound is broken.
#
#   bench/html/run.sh            # N=1000000 calls, 5 browser runs
#   N=200000 RUNS=3 bench/html/run.sh
#
# Needs: cargo, python3, node, chromium (CHROMIUM=path), and `npm ci` in
# tests/browser (done here when missing). Data goes to bench/data/html-1m/
# (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${N:-1000000}
RUNS=${RUNS:-5}
data=bench/data/html-1m
mkdir -p "$data"

python3 bench/html/gen-capture.py "$N" > "$data/capture.log"
cargo build --release -q
[ -x /usr/bin/time ] || apt-get install -y time >/dev/null
# Peak RSS in MB of a command (GNU time), its wall time in ms on stdout.
measure() {
  local t0 t1
  t0=$(date +%s%N)
  /usr/bin/time -f %M -o "$data/rss" "$@"
  t1=$(date +%s%N)
  echo "$(( (t1 - t0) / 1000000 )) ms, peak RSS $(( $(cat "$data/rss") / 1024 )) MB"
}
# One tree of a million calls: above the default --max-tree-calls and
# --max-report-calls (the page is to show it whole).
whole=$(measure target/release/tracereport -q --force --max-tree-calls 1100000 --max-report-calls 2200000 "$data/capture.log" -o "$data/out")
# The same capture at the default bound (the tree keeps its first 250 000 calls).
bounded=$(measure target/release/tracereport -q --force "$data/capture.log" -o "$data/out-default")
[ -d tests/browser/node_modules ] || (cd tests/browser && npm ci --no-audit --no-fund)

html=$(stat -c %s "$data/out/index.html")
echo "capture: $(stat -c %s "$data/capture.log") bytes, $(wc -l < "$data/capture.log") lines"
echo "tracereport (release), whole tree: $whole"
echo "tracereport (release), default --max-tree-calls: $bounded"
for f in index.html report.json report.md trace.json; do
  printf '  %-12s %12d bytes\n' "$f" "$(stat -c %s "$data/out/$f")"
done
echo "browser runs (ms; ready = navigation start to the page script's ready mark):"
worst=0
for i in $(seq "$RUNS"); do
  r=$(cd tests/browser && node check.mjs timing "../../$data/out" "../../$data/shot.png" '{"bigtree":"n0-0-0"}')
  echo "  $r"
  ms=$(echo "$r" | python3 -c 'import json,sys; print(json.load(sys.stdin)["notes"]["ready_ms"])')
  [ "$ms" -gt "$worst" ] && worst=$ms
done
echo "index.html: $html bytes (bound 25000000); slowest ready: $worst ms (bound 3000); load: $(cut -d' ' -f1-3 /proc/loadavg)"
[ "$html" -lt 25000000 ] && [ "$worst" -lt 3000 ]
