#!/usr/bin/env bash
# The replay harness (logic in ci/replay.py): how often does the gate raise a false alarm or miss a
# regression on a realistic CI history? See ci/README.md, "Replay harness".
#
#   ci/replay.sh [replay] [--no-fail] [--flavour k6-summary] [--tsv rows.tsv] [--keep DIR] [--budget FILE]
#       build release perfgate (unless PERFGATE_BIN is set) and replay the committed fixtures
#   ci/replay.sh generate [--only c01,c02]
#       regenerate Tests/PerfgateCLITests/Fixtures/replay/ with the real k6 and Locust (~8 min)
#
#   PERFGATE_BIN=path/to/perfgate   skip the build, use this binary
#   PERFGATE_BUILD_DIR=DIR          SwiftPM scratch path (default .build)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
K6_VERSION="${K6_VERSION:-1.1.0}"
LOCUST_VERSION="${LOCUST_VERSION:-2.47.0}"
BUILD_DIR="${PERFGATE_BUILD_DIR:-.build}"
START_TIME=$SECONDS
log() { printf '[replay.sh %3ds] %s\n' "$((SECONDS - START_TIME))" "$*" >&2; }

CMD=replay
if [[ $# -gt 0 && ( "$1" == generate || "$1" == replay || "$1" == medians ) ]]; then CMD="$1"; shift; fi

case "$CMD" in
  generate)
    source "$ROOT/ci/load-tools.sh"
    log "$("$K6" version | head -n1); $("$PYTHON" -m locust --version 2>&1 | head -n1 | sed 's| from .* (| (|')"
    exec "$PYTHON" ci/replay.py generate --k6 "$K6" "$@"
    ;;
  medians)
    exec "$PYTHON" ci/replay.py medians "$@"
    ;;
  replay)
    if [[ -n "${PERFGATE_BIN:-}" ]]; then
      PERFGATE="$PERFGATE_BIN"
    else
      log "building perfgate (release, $BUILD_DIR)"
      swift build -c release --static-swift-stdlib --product perfgate --scratch-path "$BUILD_DIR" 2>&1 | tail -n 3 >&2
      PERFGATE="$(swift build -c release --static-swift-stdlib --scratch-path "$BUILD_DIR" --show-bin-path)/perfgate"
    fi
    [[ -x "$PERFGATE" ]] || { echo "replay: no perfgate binary at $PERFGATE" >&2; exit 1; }
    log "perfgate: $PERFGATE"
    exec "$PYTHON" ci/replay.py replay --perfgate "$PERFGATE" "$@"
    ;;
esac
