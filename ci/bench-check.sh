#!/usr/bin/env bash
# Times `perfgate check` as a whole process on a synthetic store of 10,000 runs x 50 series,
# with `perfgate --version` in the same run as the floor. Target: check under 100 ms wall.
# Usage: ci/bench-check.sh [RUNS] [SERIES]
# BEFORE_BIN=DIR (a directory with an older perfgate binary) also times that binary on the same store.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-10000}"
SERIES="${2:-50}"
BUILD_DIR="${PERFGATE_BUILD_DIR:-.build}"
swift build -c release --static-swift-stdlib --scratch-path "$BUILD_DIR" --product perfgate >/dev/null
swift build -c release --static-swift-stdlib --scratch-path "$BUILD_DIR" --product perfgate-bench >/dev/null
BIN="$BUILD_DIR/release"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
"$BIN/perfgate-bench" make-check-store --runs "$RUNS" --series "$SERIES" --out "$WORK"
CURRENT=$(printf '%040x' $((RUNS + 1)))
CHECK=("$BIN/perfgate" check --budget "$WORK/budgets.json" --store "$WORK/history.sqlite"
       --commit "$CURRENT" --branch feature --environment bench)
set +e; "${CHECK[@]}" > "$WORK/out.txt"; rc=$?; set -e
tail -3 "$WORK/out.txt"
echo "check exit code: $rc (2 expected: endpoint-0 is 25 % slower)"
[ "$rc" = 2 ] || { echo "unexpected exit code" >&2; exit 1; }
time_ms() { python3 ci/bench/median-ms.py "$@"; }  # median wall ms of 15 runs of a command
echo "perfgate --version: $(time_ms "$BIN/perfgate" --version)"
if [[ -n "${BEFORE_BIN:-}" ]]; then
  echo "perfgate check, before ($BEFORE_BIN): $(time_ms "$BEFORE_BIN/perfgate" "${CHECK[@]:1}")"
fi
echo "perfgate check:     $(time_ms "${CHECK[@]}")"
/usr/bin/time -v "${CHECK[@]}" 2>&1 >/dev/null | grep -E "Maximum resident" || true
