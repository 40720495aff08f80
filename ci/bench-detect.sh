#!/usr/bin/env bash
# Times `perfgate detect` as a whole process on a synthetic store of COMMITS commits x SERIES series (one
# run per commit; the default statistics p50/p95/p99/throughput/error_rate, so 5 x SERIES histories),
# with `perfgate --version` in the same run as the floor. Targets (issue 15): < 200 ms and < 64 MB
# peak RSS for 1,000 commits x 50 series. `--dry-run`: nothing is stored, so every run reads the same.
#
#   ci/bench-detect.sh [COMMITS] [SERIES]     (defaults 1000 50; binaries: ci/bench/binary.sh, the static
#                                              release build in $PERFGATE_BUILD_DIR or .build, or PERFGATE_BIN_DIR=DIR)
#   BEFORE_BIN=DIR ci/bench-detect.sh          also times DIR/perfgate (an older build) on the same store
set -euo pipefail
cd "$(dirname "$0")/.."
COMMITS="${1:-1000}"
SERIES="${2:-50}"
. ci/bench/binary.sh perfgate perfgate-bench
[[ -z "${BEFORE_BIN:-}" ]] || echo "before: $(bench_describe "$BEFORE_BIN/perfgate")"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
"$BENCH" make-check-store --runs "$((COMMITS - 1))" --series "$SERIES" --out "$WORK" >&2
DETECT=(detect --store "$WORK/history.sqlite" --branch main --dry-run)
"$PERFGATE" "${DETECT[@]}"
time_ms() { python3 ci/bench/median-ms.py "$@"; }  # wall ms of BENCH_REPEAT (15) runs of a command
rss() { /usr/bin/time -f "%M" "$@" 2>&1 >/dev/null | tail -1; }
echo "perfgate --version: $(time_ms "$PERFGATE" --version), peak RSS $(( $(rss "$PERFGATE" --version) / 1024 )) MB"
if [[ -n "${BEFORE_BIN:-}" ]]; then
  echo "perfgate detect, before ($BEFORE_BIN): $(time_ms "$BEFORE_BIN/perfgate" "${DETECT[@]}"), peak RSS $(( $(rss "$BEFORE_BIN/perfgate" "${DETECT[@]}") / 1024 )) MB"
fi
echo "perfgate detect:    $(time_ms "$PERFGATE" "${DETECT[@]}"), peak RSS $(( $(rss "$PERFGATE" "${DETECT[@]}") / 1024 )) MB"
