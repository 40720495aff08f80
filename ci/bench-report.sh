#!/usr/bin/env bash
# Times `perfgate report` as a whole process on a synthetic history of 1,000 commits × 50 series (one run
# per commit, p50/p90/p95/p99/mean/count/error_rate/throughput each): wall time and peak RSS from
# /usr/bin/time -v, with `perfgate --version` as the floor. Targets: < 3 s and < 20 MB.
#
#   ci/bench-report.sh [RUNS] [SERIES] [TIMELINE]   (defaults 1000 50 60: every run carries a run timeline of
#                                                   60 one-second buckets, drawn on its run page; binaries:
#                                                   ci/bench/binary.sh, the static release build in
#                                                   $PERFGATE_BUILD_DIR or .build, or PERFGATE_BIN_DIR=DIR)
#   BASELINE=/path/to/other/perfgate ci/bench-report.sh   also times that binary on the same store, in turn
#                                                         with this one (e.g. main's release build)
#   INCREMENTAL=1 ci/bench-report.sh [RUNS] [SERIES] [TIMELINE]
#       the incremental report instead (issue 15; target < 200 ms): a full report of RUNS-1 commits,
#       one more commit ingested (a perfgate-format file of SERIES endpoints), then `perfgate report`
#       into the same directory, timed (3 rounds, each from a copy of the store and the site, mtimes
#       kept); beside it the full build of all RUNS commits into an empty directory, and a check that
#       both directories hold the same bytes. Wall, CPU (user + system) and peak RSS of each.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-1000}
SERIES=${2:-50}
TIMELINE=${3:-60}
. ci/bench/binary.sh perfgate perfgate-bench
[[ -z "${BASELINE:-}" || -n "${INCREMENTAL:-}" ]] || echo "baseline: $(bench_describe "$BASELINE")"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
STORE_RUNS=$((RUNS - 1))
[[ -n "${INCREMENTAL:-}" ]] && STORE_RUNS=$((RUNS - 2))  # one commit fewer: the bench adds it
"$BENCH" make-check-store --runs "$STORE_RUNS" --series "$SERIES" --timeline "$TIMELINE" --out "$WORK" >&2

measure() {  # prints "wall_seconds max_rss_kb cpu_seconds"
    /usr/bin/time -v "$@" >/dev/null 2>"$WORK/time.txt" || { cat "$WORK/time.txt" >&2; exit 1; }
    local wall rss cpu
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$WORK/time.txt" | awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }')
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.txt")
    cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$WORK/time.txt")
    echo "$wall $rss $cpu"
}

if [[ -n "${INCREMENTAL:-}" ]]; then
    export SOURCE_DATE_EPOCH=1767225600  # every page's footer shows the generation time: fixed, pages can be kept
    read -r fw fr fc < <(measure "$PERFGATE" --version)
    read -r w r c < <(measure "$PERFGATE" report --store "$WORK/history.sqlite" --out "$WORK/site" --branch main --full)
    echo "full report of $((RUNS - 1)) commits: ${w}s wall, ${c}s CPU, $((r / 1024)) MB peak RSS" >&2
    {
        printf '{"format": "perfgate", "version": 1, "tool": "k6", "scenario": "load", "series": ['
        for ((e = 0; e < SERIES; e++)); do
            ((e > 0)) && printf ','
            printf '{"endpoint": "GET /api/endpoint-%d", "metric": "http_req_duration", "unit": "ms", "direction": "lower", "stats": {"count": 5000, "p50": %d, "p95": %d, "p99": %d, "error_rate": 0.001, "throughput": 100}}' \
                "$e" "$((16 + e))" "$((30 + e))" "$((50 + e))"
        done
        printf ']}\n'
    } >"$WORK/new-commit.json"
    best_w=999; best_r=0; best_c=0
    for i in 1 2 3; do
        cp "$WORK/history.sqlite" "$WORK/store-$i.sqlite"
        cp -a "$WORK/site" "$WORK/site-$i"  # -a keeps the mtimes the manifest recorded
        "$PERFGATE" ingest "$WORK/new-commit.json" --store "$WORK/store-$i.sqlite" --commit "$(printf 'f%039d' 1)" --branch main \
            --commit-time 2030-01-01T00:00:00Z --environment bench >/dev/null 2>&1
        read -r w r c < <(measure "$PERFGATE" report --store "$WORK/store-$i.sqlite" --out "$WORK/site-$i" --branch main)
        echo "incremental run $i: ${w}s wall, ${c}s CPU, $((r / 1024)) MB peak RSS" >&2
        if awk "BEGIN {exit !($w < $best_w)}"; then best_w=$w; best_r=$r; best_c=$c; fi
    done
    "$PERFGATE" report --store "$WORK/store-1.sqlite" --out "$WORK/site-1" --branch main 2>&1 >/dev/null | sed 's/^/again: /' >&2
    read -r w r c < <(measure "$PERFGATE" report --store "$WORK/store-1.sqlite" --out "$WORK/full" --branch main --full)
    same=$(diff -rq -x .perfgate-site.json "$WORK/site-1" "$WORK/full" >/dev/null && echo "byte-identical" || echo "DIFFERENT")
    pages=$(find "$WORK/full" -type f | wc -l)
    echo "perfgate report, one commit added to $((RUNS - 1)) × $SERIES series ($pages files): incremental best ${best_w}s wall, ${best_c}s CPU, $((best_r / 1024)) MB peak RSS; full build of $RUNS commits ${w}s wall, ${c}s CPU, $((r / 1024)) MB; sites $same (floor: perfgate --version ${fw}s wall, ${fc}s CPU, $((fr / 1024)) MB)"
    awk "BEGIN {exit !($best_w < 0.2)}" || echo "warning: over the 200 ms target" >&2
    [[ $same == byte-identical ]] || exit 1
    exit 0
fi

read -r fw fr _ < <(measure "$PERFGATE" --version)
best_w=999; best_r=0
base_w=999; base_r=0
for i in 1 2 3; do
    # A new directory each run: recreating just-deleted files makes ext4 hunt for free inodes,
    # which measured the file system (up to 1 ms per file), not perfgate.
    read -r w r _ < <(measure "$PERFGATE" report --store "$WORK/history.sqlite" --out "$WORK/site-$i" --branch main)
    echo "run $i: ${w}s, $((r / 1024)) MB peak RSS" >&2
    if awk "BEGIN {exit !($w < $best_w)}"; then best_w=$w; best_r=$r; fi
    if [[ -n "${BASELINE:-}" ]]; then
        read -r w r _ < <(measure "$BASELINE" report --store "$WORK/history.sqlite" --out "$WORK/base-$i" --branch main)
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
