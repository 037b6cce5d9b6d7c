#!/usr/bin/env bash
# Issue 11's hostile captures, measured: for each case of
# bench/hostile/cases.rs it generates the capture(s) once (zstd, into
# bench/data/hostile/, ignored by git), runs the release binary on them and
# prints exit code, wall time, peak RSS (GNU time) and the report directory's
# size as a Markdown table (also written to bench/results/hostile.md).
#
# The bounds it checks (issue 11, must-hold 1): exit 0 or 2 (never a
# signal), under 10 s, peak RSS under 300 MB, report under 50 MB. A row
# breaking one is marked FAIL and the script exits 1.
#
# Usage: bench/hostile.sh [CASE...]
# Env:   TIMEOUT=S  kill a run after S seconds (default 60)
#        TR=PATH    the binary to measure (default: the release build)
#        MEM_MB=N   address-space limit per run (prlimit), so a binary that
#                   blows up cannot take the machine with it
set -euo pipefail
cd "$(dirname "$0")/.."

DATA=bench/data/hostile
RESULTS=${RESULTS:-bench/results/hostile.md}
TIMEOUT=${TIMEOUT:-60}
mkdir -p "$DATA" bench/results

if [ ! -x /usr/bin/time ]; then
    echo "installing GNU time (for peak RSS)" >&2
    apt-get install -y time >/dev/null
fi

[ -n "${TR:-}" ] || cargo build --release --quiet --bin tracereport
TR=${TR:-target/release/tracereport}
if [ ! -e "$DATA/.complete" ]; then
    cargo build --release --quiet --example gen_hostile
    target/release/examples/gen_hostile --out "$DATA" >/dev/null
    touch "$DATA/.complete"
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

CASES=("$@")
[ ${#CASES[@]} -gt 0 ] || mapfile -t CASES < <(grep -o 'name: "[a-z-]*"' bench/hostile/cases.rs | cut -d'"' -f2)

# The captures and extra arguments of a case, from its files and cases.rs.
args_of() {
    local case=$1
    ls "$DATA/$case"-*.log.zst 2>/dev/null || true
    awk -v c="$case" '
        $0 ~ "name: \"" c "\"" { on = 1 }
        on && /args:/ { gsub(/.*&\[|\].*/, ""); gsub(/[",]/, " "); print; exit }' \
        bench/hostile/cases.rs
}

fail=0
{
    echo "## hostile captures, $(date -u +%Y-%m-%d), $(git rev-parse --short HEAD)"
    echo
    echo "- CPU: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    echo "| case | input (compressed) | exit | wall s | peak RSS MB | report MB | warnings | verdict |"
    echo "|---|---|---|---|---|---|---|---|"
} | tee "$RESULTS"

for case in "${CASES[@]}"; do
    mapfile -t args < <(args_of "$case" | tr ' ' '\n' | sed '/^$/d')
    in_bytes=$( (cat "$DATA/$case"-*.log.zst 2>/dev/null || true) | wc -c)
    out="$TMP/out-$case"
    rm -rf "$out"
    t0=$EPOCHREALTIME
    set +e
    limit=()
    [ -z "${MEM_MB:-}" ] || limit=(prlimit --as=$((MEM_MB << 20)))
    timeout -s KILL "$TIMEOUT" /usr/bin/time -f '%M' -o "$TMP/time" \
        "${limit[@]}" "$TR" "${args[@]}" -o "$out" >"$TMP/stdout" 2>"$TMP/stderr"
    rc=$?
    set -e
    t1=$EPOCHREALTIME
    wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
    # GNU time notes a signal on its first line; the RSS is the last line.
    rss=$(tail -1 "$TMP/time" 2>/dev/null | awk '/^[0-9]+$/ { printf "%.0f", $1 / 1024 }')
    if grep -q 'signal' "$TMP/time" 2>/dev/null; then rc="$(sed -n 's/.*signal \([0-9]*\).*/signal \1/p' "$TMP/time" | head -1)"; fi
    [ "$rc" = 137 ] && rc="killed after ${TIMEOUT}s"
    size=0
    [ -d "$out" ] && size=$(du -sb "$out" | cut -f1)
    size_mb=$(awk -v s="$size" 'BEGIN { printf "%.1f", s / 1e6 }')
    # Warning kinds shown (one line each), and the analysis' notes.
    warns=$(grep -oE '^(warning: [^ ]*: [a-z0-9-]+|note)' "$TMP/stderr" | sed -E 's/^warning: [^ ]*: //' | sort -u | paste -sd' ' || true)
    err=$(grep -m1 '^error' "$TMP/stderr" | cut -c1-60 || true)
    verdict=ok
    case "$rc" in
    0) ;;
    2) warns="$err" ;;
    *) verdict=FAIL ;;
    esac
    awk -v w="$wall" -v r="${rss:-0}" -v s="$size" 'BEGIN { exit !(w >= 10 || r >= 300 || s >= 50e6) }' && verdict=FAIL
    [ "$verdict" = ok ] || fail=1
    printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$case" \
        "$(awk -v b="$in_bytes" 'BEGIN { printf "%.1f KB", b / 1e3 }')" "$rc" "$wall" "${rss:-?}" \
        "$size_mb" "$(printf '%s' "$warns" | sed 's/|/\\|/g')" "$verdict" | tee -a "$RESULTS"
done
exit $fail
