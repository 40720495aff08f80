#!/usr/bin/env bash
# Times `perfgate tune` (the gate replayed at every commit, change points, suggestions and the replay
# of the suggested budget) on a synthetic store of 1,000 main commits x 50 series with a lasting
# +25 % step on one endpoint, with `perfgate --version` in the same run as the floor, and
# `perfgate report --budget --tune` (tune.html) against the same report without --tune.
# Target: under 10 s wall. Usage: ci/bench-tune.sh [COMMITS] [SERIES]
# BEFORE_BIN=DIR (a directory with an older perfgate binary) also times that binary on the same store,
# for before/after figures measured in the same run.
# Binaries: ci/bench/binary.sh (static release build in $PERFGATE_BUILD_DIR or .build; PERFGATE_BIN_DIR=DIR
# uses binaries already built there).
set -euo pipefail
cd "$(dirname "$0")/.."
COMMITS="${1:-1000}"
SERIES="${2:-50}"
. ci/bench/binary.sh perfgate perfgate-bench
[[ -z "${BEFORE_BIN:-}" ]] || echo "before: $(bench_describe "$BEFORE_BIN/perfgate")"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
# make-check-store writes COMMITS main commits plus one feature commit (not replayed by tune).
"$BENCH" make-check-store --runs "$COMMITS" --series "$SERIES" --step-at $((COMMITS / 2)) --out "$WORK"
ARGS=(tune --budget "$WORK/budgets.json" --store "$WORK/history.sqlite" --branch main --environment bench)
"$PERFGATE" "${ARGS[@]}" > "$WORK/out.txt"
head -3 "$WORK/out.txt"
time_ms() {  # min/median/max wall ms of N runs of a command, and the CPU time (user + system) of the fastest
  python3 - "$1" "${@:2}" <<'PY'
import resource, subprocess, sys, time
n = int(sys.argv[1]); cmd = sys.argv[2:]
ts = []
for _ in range(n):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter(); subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = (time.perf_counter() - t) * 1000
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    ts.append((wall, (r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime) * 1000))
ts.sort()
print(f"min {ts[0][0]:.1f} ms  median {ts[len(ts)//2][0]:.1f} ms  max {ts[-1][0]:.1f} ms wall; CPU {ts[0][1]:.0f} ms")
PY
}
echo "perfgate --version: $(time_ms 15 "$PERFGATE" --version)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
if [[ -n "${BEFORE_BIN:-}" ]]; then
  "$BEFORE_BIN/perfgate" "${ARGS[@]}" > "$WORK/before.txt"
  if cmp -s "$WORK/out.txt" "$WORK/before.txt"; then echo "before and after print the same report"; else echo "warning: before and after differ:"; diff "$WORK/before.txt" "$WORK/out.txt" | head -20; fi
  echo "perfgate tune, before ($BEFORE_BIN, 1 run): $(time_ms 1 "$BEFORE_BIN/perfgate" "${ARGS[@]}")"
fi
echo "perfgate tune ($COMMITS commits x $SERIES series): $(time_ms 3 "$PERFGATE" "${ARGS[@]}")"
rss_mb() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1 | awk '{printf "%.0f", $1 / 1024}'; }
echo "peak RSS: tune $(rss_mb "$PERFGATE" "${ARGS[@]}") MB, perfgate --version $(rss_mb "$PERFGATE" --version) MB"
REPORT=(report --store "$WORK/history.sqlite" --branch main --budget "$WORK/budgets.json")
echo "perfgate report --budget: $(time_ms 3 "$PERFGATE" "${REPORT[@]}" --out "$WORK/site")"
echo "perfgate report --budget --tune: $(time_ms 3 "$PERFGATE" "${REPORT[@]}" --tune --out "$WORK/site-tune")"
