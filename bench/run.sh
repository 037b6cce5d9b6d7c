#!/usr/bin/env bash
# End-to-end benchmark of tracereport on large captures, with peers measured
# in the same run on the same files.
#
# For each size (default 10M 100M 1G, decimal bytes) it generates, once, a
# function_graph capture made of the real fixtures and a perf-script file of
# the same size from the same call stacks (bench/gen/), then times:
#   wc -l                 reading speed of the machine
#   grep -cF              a simple scan
#   parse-only, 1 core    tracereport --parse-only under taskset -c 0, one rayon thread
#   parse-only            the same on every core
#   full report           tracereport FILE -o DIR (every output: html, md, json,
#                         flame graphs, trace.json)
#   inferno-collapse-perf on the perf-script file (its default threads)
# and prints wall time, MB/s (10^6 bytes per second), CPU time and peak RSS
# (from /usr/bin/time -v). Generated data goes to bench/data/ and inferno to
# bench/tools/ (both ignored by git). Results are also written to
# bench/results/latest.md.
#
# Then the many-short-syscalls shape (issue 11): a real 2-CPU capture at
# max_graph_depth 2 (tests/fixtures/captures/qemu-6.1/busy-2cpu/all-depth2)
# replayed to SHORT bytes (default 200M) on 2 CPUs; `--parse-only` and the
# full report run alternately SHORT_REPS times (default 5) and the medians
# and their ratio (full / parse-only speed) are printed.
#
# Usage: bench/run.sh [SIZE...]     e.g. bench/run.sh 10M 100M
#        bench/run.sh short        only the many-short-syscalls comparison
# Env:   REPS=N  runs per measurement for sizes under 1G (best is kept; default 3)
#        SHORT=SIZE, SHORT_REPS=N
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(10M 100M 1G short)
SHORT=${SHORT:-200M}
SHORT_REPS=${SHORT_REPS:-5}
REPS=${REPS:-3}
DATA=bench/data
TOOLS=bench/tools
RESULTS=bench/results/latest.md
mkdir -p "$DATA" bench/results

if [ ! -x /usr/bin/time ]; then
    echo "installing GNU time (for peak RSS)" >&2
    apt-get install -y time >/dev/null
fi

cargo build --release --quiet --bin tracereport --example gen_capture
TR=target/release/tracereport
GEN=target/release/examples/gen_capture
INFERNO=$TOOLS/bin/inferno-collapse-perf
if [ ! -x "$INFERNO" ] && [[ " ${SIZES[*]} " != " short " ]]; then
    echo "installing inferno into $TOOLS (bench only, not a project dependency)" >&2
    cargo install inferno --version '^0.12' --locked --quiet --root "$TOOLS"
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# measure NAME BYTES CMD... : best wall time of the runs, with CPU time and
# peak RSS of that run.
measure() {
    local name=$1 bytes=$2 reps=$3
    shift 3
    local best="" line
    for _ in $(seq "$reps"); do
        local t0=$EPOCHREALTIME
        if ! /usr/bin/time -f '%M %U %S' -o "$TMP/time" "$@" >"$TMP/out" 2>"$TMP/err"; then
            # grep -c exits 1 when it counts 0; anything else is a failure
            if ! [[ $name == grep* ]]; then
                echo "FAILED: $*" >&2
                cat "$TMP/err" >&2
                exit 1
            fi
        fi
        local t1=$EPOCHREALTIME
        line=$(awk -v a="$t0" -v b="$t1" -v n="$bytes" '
            NR == 1 { w = b - a; printf "%.3f %.0f %.2f %.1f", w, n / w / 1e6, $2 + $3, $1 / 1024 }' "$TMP/time")
        if [ -z "$best" ] || awk -v x="${line%% *}" -v y="${best%% *}" 'BEGIN { exit !(x < y) }'; then
            best=$line
        fi
    done
    read -r wall mbs cpu rss <<<"$best"
    printf '| %s | %s | %s | %s | %s | %s |\n' "$SIZE" "$name" "$wall" "$mbs" "$cpu" "$rss"
}

{
    echo "## tracereport benchmark, $(date -u +%Y-%m-%d)"
    echo
    echo "- CPU: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores online"
    echo "- RAM: $(free -g | awk '/^Mem:/ { print $2 }') GiB; kernel $(uname -r)"
    echo "- $(rustc --version); tracereport $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
    echo "- load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- files are in the page cache (read once before timing); best of $REPS runs under 1 GB"
    echo
    echo "| size | what | wall s | MB/s | CPU s | peak RSS MB |"
    echo "|---|---|---|---|---|---|"
} | tee "$RESULTS"

# wall NAME CMD... : one run's wall time in s (output discarded; a failure stops).
wall() {
    local t0=$EPOCHREALTIME
    "$@" >"$TMP/out" 2>"$TMP/err" || { echo "FAILED: $*" >&2; cat "$TMP/err" >&2; exit 1; }
    awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }'
}

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# The many-short-syscalls capture: parse-only and full report alternately,
# medians and the ratio of their speeds.
short_syscalls() {
    local cap=$DATA/short-$SHORT.log
    if [ ! -s "$cap" ]; then
        "$GEN" --size "$SHORT" --out "$cap" --cpus 2 --tasks 4 \
            tests/fixtures/captures/qemu-6.1/busy-2cpu/all-depth2.log.gz 2>"$TMP/gen" ||
            { cat "$TMP/gen" >&2; exit 1; }
    fi
    cat "$cap" >/dev/null
    local bytes p f
    bytes=$(stat -c %s "$cap")
    local -a parse=() full=()
    for _ in $(seq "$SHORT_REPS"); do
        parse+=("$(wall "$TR" --parse-only "$cap")")
        full+=("$(wall "$TR" "$cap" -o "$DATA/report-short" --force -q)")
    done
    p=$(median "${parse[@]}")
    f=$(median "${full[@]}")
    echo
    echo "Many short syscalls ($SHORT, 2-CPU max_graph_depth 2 capture replayed; $SHORT_REPS runs each, alternating; load before: $LOAD_BEFORE):"
    echo
    echo "| what | median wall s | MB/s | all runs (s) |"
    echo "|---|---|---|---|"
    awk -v w="$p" -v n="$bytes" -v all="${parse[*]}" 'BEGIN { printf "| --parse-only | %.3f | %.0f | %s |\n", w, n / w / 1e6, all }'
    awk -v w="$f" -v n="$bytes" -v all="${full[*]}" 'BEGIN { printf "| full report | %.3f | %.0f | %s |\n", w, n / w / 1e6, all }'
    echo
    awk -v p="$p" -v f="$f" 'BEGIN { printf "full report / parse-only speed: %.2f (must hold: >= 0.5)\n", p / f }'
}

for SIZE in "${SIZES[@]}"; do
    if [ "$SIZE" = short ]; then
        LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
        short_syscalls | tee -a "$RESULTS"
        continue
    fi
    cap=$DATA/graph-$SIZE.log
    perf=$DATA/perf-$SIZE.txt
    if [ ! -s "$cap" ] || [ ! -s "$perf" ]; then
        "$GEN" --size "$SIZE" --out "$cap" --perf-script "$perf" 2>"$TMP/gen" ||
            { cat "$TMP/gen" >&2; exit 1; }
    fi
    cat "$cap" "$perf" >/dev/null
    bytes=$(stat -c %s "$cap")
    pbytes=$(stat -c %s "$perf")
    reps=$REPS
    [ "$bytes" -lt 500000000 ] || reps=1
    {
        measure "wc -l" "$bytes" "$reps" wc -l "$cap"
        measure "grep -cF __x64_sys_" "$bytes" "$reps" grep -cF __x64_sys_ "$cap"
        measure "tracereport --parse-only, 1 core" "$bytes" "$reps" \
            env RAYON_NUM_THREADS=1 taskset -c 0 "$TR" --parse-only "$cap"
        measure "tracereport --parse-only, $(nproc) cores" "$bytes" "$reps" "$TR" --parse-only "$cap"
        measure "tracereport --stats, $(nproc) cores" "$bytes" "$reps" "$TR" --stats "$cap"
        measure "tracereport full report, $(nproc) cores" "$bytes" "$reps" \
            "$TR" "$cap" -o "$DATA/report-$SIZE" --force -q
        measure "inferno-collapse-perf ($(nproc) threads)" "$pbytes" "$reps" "$INFERNO" "$perf"
    } | tee -a "$RESULTS"
done
