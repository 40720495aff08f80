#!/usr/bin/env bash
# Change-point accuracy benchmark (issue 4, item 5): perfgate vs Apache Otava vs MongoDB E-Divisive.
#
#   ci/bench-cpd.sh [--out results.json] [extra cpd_accuracy.py options]
#   ci/bench-cpd.sh --tools perfgate          # perfgate only: no virtual environments, a few seconds
#   ci/bench-cpd.sh --tools perfgate --perfgate-args '--last 200 --search global'   # the detect of before
#
# Builds perfgate-bench in release mode, installs the peers into their own virtual environments
# (.build-cpd-venv/{otava,mongodb}; benchmark-only, never on the test path), prints the in-process speed
# benchmark and the Markdown accuracy table. Bounded: every step has a time limit.
# Environment: SCRATCH (default .build-cpd-rel), VENV_DIR (default .build-cpd-venv).
set -euo pipefail
cd "$(dirname "$0")/.."
SCRATCH="${SCRATCH:-.build-cpd-rel}"
VENV_DIR="${VENV_DIR:-.build-cpd-venv}"

timeout 1800 swift build -c release --static-swift-stdlib --scratch-path "$SCRATCH" --product perfgate-bench
BENCH="$SCRATCH/release/perfgate-bench"

echo "## Speed (in-process, 5,000 points)"
echo
echo '```'
timeout 300 "$BENCH" cpd-speed --length 5000 --repetitions 15
echo '```'
echo

timeout 3600 python3 ci/bench/cpd_accuracy.py --bench "$BENCH" --venv-dir "$VENV_DIR" "$@"
