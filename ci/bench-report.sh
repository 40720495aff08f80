#!/usr/bin/env bash
# Times `perfgate report` as a whole process on a synthetic history of 1,000 commits × 50 series (one run
# per commit, p50/p90/p95/p99/mean/count/error_rate/throughput each): wall time and peak RSS from
# /usr/bin/time -v, with `perfgate --version` as the floor. Targets: < 3 s and < 20 MB.
#
#   ci/bench-report.sh [RUNS] [SERIES] [TIMELINE]   (defaults 1000 50 60: every run carries a run timeline of
#                                                   60 one-second buckets, drawn on its run page; release
#                                                   build in $SCRATCH or .build)
#   BASELINE=/path/to/other/perfgate ci/bench-report.sh   also times that binary on the same store, in turn
#                                                         with this one (e.g. main's release build)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-1000}
SERIES=${2:-50}
TIMELINE=${3:-60}
SCRATCH=${SCRATCH:-.build}
swift build -c release --static-swift-stdlib --scratch-path "$SCRATCH" --product perfgate >&2
swift build -c release --static-swift-stdlib --scratch-path "$SCRATCH" --product perfgate-bench >&2
BIN=$(swift build -c release --static-swift-stdlib --scratch-path "$SCRATCH" --show-bin-path)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
"$BIN/perfgate-bench" make-check-store --runs "$((RUNS - 1))" --series "$SERIES" --timeline "$TIMELINE" --out "$WORK" >&2

measure() {  # prints "wall_seconds max_rss_kb"
    /usr/bin/time -v "$@" >/dev/null 2>"$WORK/time.txt" || { cat "$WORK/time.txt" >&2; exit 1; }
    local wall rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$WORK/time.txt" | awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }')
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.txt")
    echo "$wall $rss"
}

read -r fw fr < <(measure "$BIN/perfgate" --version)
best_w=999; best_r=0
base_w=999; base_r=0
for i in 1 2 3; do
    # A new directory each run: recreating just-deleted files makes ext4 hunt for free inodes,
    # which measured the file system (up to 1 ms per file), not perfgate.
    read -r w r < <(measure "$BIN/perfgate" report --store "$WORK/history.sqlite" --out "$WORK/site-$i" --branch main)
    echo "run $i: ${w}s, $((r / 1024)) MB peak RSS" >&2
    if awk "BEGIN {exit !($w < $best_w)}"; then best_w=$w; best_r=$r; fi
    if [[ -n "${BASELINE:-}" ]]; then
        read -r w r < <(measure "$BASELINE" report --store "$WORK/history.sqlite" --out "$WORK/base-$i" --branch main)
        echo "baseline run $i: ${w}s, $((r / 1024)) MB peak RSS" >&2
        if awk "BEGIN {exit !($w < $base_w)}"; then base_w=$w; base_r=$r; fi
    fi
done
pages=$(find "$WORK/site-1" -type f | wc -l)
size=$(du -sm "$WORK/site-1" | cut -f1)
echo "perfgate report: $RUNS commits × $SERIES series → $pages files, ${size} MB: best ${best_w}s wall, $((best_r / 1024)) MB peak RSS (floor: perfgate --version ${fw}s, $((fr / 1024)) MB)"
if [[ -n "${BASELINE:-}" ]]; then
    echo "baseline $BASELINE: best ${base_w}s wall, $((base_r / 1024)) MB peak RSS, same store, runs interleaved"
fi
awk "BEGIN {exit !($best_w < 3)}" || echo "warning: over the 3 s target" >&2
(( best_r < 20 * 1024 )) || echo "warning: over the 20 MB target" >&2
