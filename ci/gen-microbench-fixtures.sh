#!/usr/bin/env bash
# Regenerate REAL microbenchmark fixtures for perfgate (called by `ci/gen-fixtures.sh --microbench`,
# or run on its own). Tools: hyperfine, golang-go and libbenchmark-dev (+ g++) from Debian's
# packages, pytest-benchmark from PyPI. Every tool call is bounded by `timeout`; about 1 minute.
#
# Writes
#   Tests/PerfgateIngestTests/Fixtures/generated/microbench/   one file per format
#   Tests/PerfgateCLITests/Fixtures/microbench-history/c1..c6/ a 6-commit history (go.txt,
#       hyperfine.json); commit 6 is the regressed one: MICROBENCH_SLOWDOWN=3 makes
#       BenchmarkParse do 4× the work and BenchmarkWait sleep 4 ms instead of 1 ms, and the
#       hyperfine command "sleep-100ms" sleeps 200 ms. (Sleeps, because a shared CI machine's CPU
#       contention moves CPU-bound times by a factor of several between runs.)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SRC="$ROOT/ci/fixtures/microbench"
GEN="$ROOT/Tests/PerfgateIngestTests/Fixtures/generated/microbench"
HIST="$ROOT/Tests/PerfgateCLITests/Fixtures/microbench-history"
PYTHON="${PYTHON:-python3}"
log() { printf '[gen-microbench] %s\n' "$*" >&2; }

for tool in hyperfine go g++; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install hyperfine golang-go libbenchmark-dev g++" >&2; exit 1; }
done
"$PYTHON" -c 'import pytest_benchmark' 2>/dev/null || { echo "missing pytest-benchmark: pip install pytest-benchmark" >&2; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/perfgate-microbench.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
export GOCACHE="$WORK/gocache" GOPATH="$WORK/gopath" GOFLAGS=-mod=mod GO111MODULE=on
mkdir -p "$GEN" "$HIST"

gobench() {  # $1 = output file, $2 = slowdown
  (cd "$SRC/gobench" && MICROBENCH_SLOWDOWN="$2" timeout 120 go test -run '^$' -bench . -benchmem -count 5 -benchtime 20ms .) >"$1"
}
hyperfine_json() {  # $1 = output file, $2 = sleep seconds
  timeout 120 hyperfine --style none 2>/dev/null --runs 10 --warmup 1 --export-json "$1" \
    --command-name "sleep-100ms" "sleep $2" --command-name "true" "true" >/dev/null
  # Absolute paths of the work directory never enter the fixture (hyperfine writes none).
}

log "go:        $(go version)"
gobench "$GEN/go-bench.txt" 0
(cd "$SRC/gobench" && timeout 120 go test -json -run '^$' -bench . -benchmem -count 5 -benchtime 20ms .) >"$GEN/go-bench.json"

log "hyperfine: $(hyperfine --version)"
hyperfine_json "$GEN/hyperfine.json" 0.1

log "google benchmark: libbenchmark-dev $(dpkg-query -W -f='${Version}' libbenchmark-dev 2>/dev/null || echo '?')"
g++ -O2 -std=c++17 "$SRC/gbench/bench.cc" -o "$WORK/gbench" -lbenchmark -lpthread
timeout 120 "$WORK/gbench" --benchmark_repetitions=5 --benchmark_min_time=0.02 \
  --benchmark_out="$GEN/google-benchmark.json" --benchmark_out_format=json >/dev/null
# The executable path names the temporary directory; keep the fixture stable.
sed -i "s|$WORK/gbench|./gbench|" "$GEN/google-benchmark.json"

log "pytest-benchmark: $("$PYTHON" -c 'import pytest_benchmark; print(pytest_benchmark.__version__)')"
(cd "$SRC/pytest" && timeout 180 "$PYTHON" -m pytest -q -p no:cacheprovider test_parse.py \
  --benchmark-json="$GEN/pytest-benchmark.json" --benchmark-max-time=0.05 --benchmark-min-rounds=20) >/dev/null

for c in 1 2 3 4 5 6; do
  mkdir -p "$HIST/c$c"
  if [[ $c == 6 ]]; then slow=3; sleep_s=0.2; else slow=0; sleep_s=0.1; fi
  gobench "$HIST/c$c/go.txt" "$slow"
  hyperfine_json "$HIST/c$c/hyperfine.json" "$sleep_s"
  log "history commit $c done"
done
log "done: $GEN, $HIST"
