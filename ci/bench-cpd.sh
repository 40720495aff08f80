#!/usr/bin/env bash
# Change-point accuracy benchmark (issue 4, item 5): perfgate vs Apache Otava vs MongoDB E-Divisive.
#
#   ci/bench-cpd.sh [--out results.json] [extra cpd_accuracy.py options]
#   ci/bench-cpd.sh --tools perfgate          # perfgate only: no virtual environments, a few seconds
#   ci/bench-cpd.sh --tools perfgate --perfgate-args '--last 200 --search global'   # the detect of before
#
# Builds perfgate-bench in release mode (ci/bench/binary.sh: static, in $PERFGATE_BUILD_DIR or .build;
# PERFGATE_BIN_DIR=DIR uses one already built), installs the peers into their own virtual environments
# (.build-cpd-venv/{otava,mongodb}; benchmark-only, never on the test path), prints the in-process speed
# benchmark with a pure-Python anchor and the Markdown accuracy table (the peers are its anchors; with
# --tools perfgate it has none). Bounded: every step has a time limit.
# Environment: PERFGATE_BUILD_DIR (default .build), VENV_DIR (default .build-cpd-venv).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV_DIR="${VENV_DIR:-.build-cpd-venv}"

. ci/bench/binary.sh perfgate-bench

echo "## Speed (in-process, 5,000 points)"
echo
echo '```'
timeout 300 "$BENCH" cpd-speed --length 5000 --repetitions 15
# Anchor in the same run: the simplest change-point pass in plain Python, one Welch t at every split of
# 5,000 seeded normal points from running sums (O(n), no search, no significance test).
timeout 300 python3 - <<'PY'
import math, random, statistics, time
rng = random.Random(20240611)
y = [rng.gauss(100, 5) for _ in range(5000)]
def scan(y):
    n, s, q = len(y), sum(y), sum(v * v for v in y)
    a = b = 0.0
    best = 0.0
    for k in range(1, n - 1):
        a += y[k - 1]; b += y[k - 1] ** 2
        m1, m2 = a / k, (s - a) / (n - k)
        v1 = max(b / k - m1 * m1, 1e-12); v2 = max((q - b) / (n - k) - m2 * m2, 1e-12)
        best = max(best, abs(m1 - m2) / math.sqrt(v1 / k + v2 / (n - k)))
    return best
ts = []
for _ in range(15):
    t = time.perf_counter(); scan(y); ts.append((time.perf_counter() - t) * 1000)
print(f"  anchor: python3, one Welch t scan over 5,000 points  min {min(ts):8.2f} ms  median {statistics.median(ts):8.2f} ms")
PY
echo '```'
echo

timeout 3600 python3 ci/bench/cpd_accuracy.py --bench "$BENCH" --venv-dir "$VENV_DIR" "$@"
