#!/usr/bin/env bash
# Times `perfgate check` as a whole process on a synthetic store of 10,000 runs x 50 series,
# with `perfgate --version` in the same run as the floor. Target: check under 100 ms wall.
# Usage: ci/bench-check.sh [RUNS] [SERIES]
# BEFORE_BIN=DIR (a directory with an older perfgate binary) also times that binary on the same store.
# Binaries: ci/bench/binary.sh (static release build in $PERFGATE_BUILD_DIR or .build; PERFGATE_BIN_DIR=DIR
# uses binaries already built there).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-10000}"
SERIES="${2:-50}"
. ci/bench/binary.sh perfgate perfgate-bench
[[ -z "${BEFORE_BIN:-}" ]] || echo "before: $(bench_describe "$BEFORE_BIN/perfgate")"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
"$BENCH" make-check-store --runs "$RUNS" --series "$SERIES" --out "$WORK"
CURRENT=$(printf '%040x' $((RUNS + 1)))
CHECK=("$PERFGATE" check --budget "$WORK/budgets.json" --store "$WORK/history.sqlite"
       --commit "$CURRENT" --branch feature --environment bench)
set +e; "${CHECK[@]}" > "$WORK/out.txt"; rc=$?; set -e
tail -3 "$WORK/out.txt"
echo "check exit code: $rc (2 expected: endpoint-0 is 25 % slower)"
[ "$rc" = 2 ] || { echo "unexpected exit code" >&2; exit 1; }
time_ms() { python3 ci/bench/median-ms.py "$@"; }  # median wall ms of 15 runs of a command
echo "perfgate --version: $(time_ms "$PERFGATE" --version)"
if [[ -n "${BEFORE_BIN:-}" ]]; then
  echo "perfgate check, before ($BEFORE_BIN): $(time_ms "$BEFORE_BIN/perfgate" "${CHECK[@]:1}")"
fi
echo "perfgate check:     $(time_ms "${CHECK[@]}")"
rss_mb() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1 | awk '{printf "%.0f", $1 / 1024}'; }
echo "peak RSS: check $(rss_mb "${CHECK[@]}") MB, perfgate --version $(rss_mb "$PERFGATE" --version) MB"
