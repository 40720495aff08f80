#!/usr/bin/env bash
# Times `perfgate tune` (the gate replayed at every commit, change points, suggestions and the replay
# of the suggested budget) on a synthetic store of 1,000 main commits x 50 series with a lasting
# +25 % step on one endpoint, with `perfgate --version` in the same run as the floor.
# Target: under 10 s wall. Usage: ci/bench-tune.sh [COMMITS] [SERIES]
set -euo pipefail
cd "$(dirname "$0")/.."
COMMITS="${1:-1000}"
SERIES="${2:-50}"
BUILD_DIR="${PERFGATE_BUILD_DIR:-.build}"
swift build -c release --static-swift-stdlib --scratch-path "$BUILD_DIR" --product perfgate >/dev/null
swift build -c release --static-swift-stdlib --scratch-path "$BUILD_DIR" --product perfgate-bench >/dev/null
BIN="$BUILD_DIR/release"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
# make-check-store writes COMMITS main commits plus one feature commit (not replayed by tune).
"$BIN/perfgate-bench" make-check-store --runs "$COMMITS" --series "$SERIES" --step-at $((COMMITS / 2)) --out "$WORK"
TUNE=("$BIN/perfgate" tune --budget "$WORK/budgets.json" --store "$WORK/history.sqlite" --branch main --environment bench)
"${TUNE[@]}" > "$WORK/out.txt"
head -3 "$WORK/out.txt"
time_ms() {  # min/median/max wall ms of N runs of a command
  python3 - "$1" "${@:2}" <<'PY'
import subprocess, sys, time
n = int(sys.argv[1]); cmd = sys.argv[2:]
ts = []
for _ in range(n):
    t = time.perf_counter(); subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); ts.append((time.perf_counter() - t) * 1000)
ts.sort()
print(f"min {ts[0]:.1f} ms  median {ts[len(ts)//2]:.1f} ms  max {ts[-1]:.1f} ms")
PY
}
echo "perfgate --version: $(time_ms 15 "$BIN/perfgate" --version)"
echo "perfgate tune ($COMMITS commits x $SERIES series): $(time_ms 3 "${TUNE[@]}")"
/usr/bin/time -v "${TUNE[@]}" 2>&1 >/dev/null | grep -E "Maximum resident" || true
