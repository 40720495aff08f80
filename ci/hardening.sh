#!/usr/bin/env bash
# The hardening suite (issue 14): kill -9 during first and later ingests, 8 processes using a new store
# at once, and a corpus of hostile inputs made from the committed real k6/Locust fixtures (truncations
# at many offsets, duplicate keys, 1e309, invalid UTF-8, NUL names, negative latencies, a cut gzip),
# plus other people's files at the --store path, and every documented limit (README "Limits": a 300 MB
# line inside a .gz, long names, 10,001 series, oversized budget and history files) with its peak RSS.
# Each asserts the exit code, the error's location and a byte-identical store; ci/hardening.py prints the figures (lost/partial runs, peak RSS). Run by
# ci/check.sh --extras (about 30 s after the release build).
#
#   ci/hardening.sh                          # build the static release binary (as e2e.sh does) and run
#   PERFGATE_BUILD_DIR=.build-e2e ci/hardening.sh   # another SwiftPM scratch path
#   PERFGATE_BIN=path/to/perfgate ci/hardening.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if [[ -z "${PERFGATE_BIN:-}" ]]; then
  BUILD_DIR="${PERFGATE_BUILD_DIR:-.build}"   # the SwiftPM scratch path, as in e2e.sh
  swift build -c release --static-swift-stdlib --product perfgate --scratch-path "$BUILD_DIR" 2>&1 | tail -n 1 >&2
  PERFGATE_BIN="$(swift build -c release --static-swift-stdlib --scratch-path "$BUILD_DIR" --show-bin-path)/perfgate"
fi
exec python3 "$ROOT/ci/hardening.py" "$PERFGATE_BIN" "$@"
