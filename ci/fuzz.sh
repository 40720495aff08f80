#!/usr/bin/env bash
# Builds the libFuzzer harness (ci/fuzz/harness, docs/fuzzing.md) with -sanitize=fuzzer,address into
# .build-fuzz/ and runs it on each target for SECONDS seconds (default 20), starting from the committed
# seed corpus (ci/fuzz/corpus/TARGET). Fails on the first crash, trap, timeout or memory blow-up, leaving
# the input as .build-fuzz/findings/crash-* (or timeout-*, oom-*).
# Usage: ci/fuzz.sh [SECONDS] [TARGET...]      targets: ingest budgets history, or a --format value
#        ci/fuzz.sh --build                    build only; prints the binary's path
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH="${1:-20}"
[[ "$SECONDS_EACH" == --build ]] || shift || true
TARGETS=("$@")
[[ ${#TARGETS[@]} -gt 0 ]] || TARGETS=(ingest budgets history)

PERFGATE_FUZZ=1 swift build --scratch-path .build-fuzz --product perfgate-fuzz \
  -Xswiftc -sanitize=fuzzer,address >&2
BIN="$(PERFGATE_FUZZ=1 swift build --scratch-path .build-fuzz --show-bin-path)/perfgate-fuzz"
if [[ "$SECONDS_EACH" == --build ]]; then echo "$BIN"; exit 0; fi

mkdir -p .build-fuzz/findings
export SWIFT_BACKTRACE=enable=no   # let ASan/libFuzzer report; Swift's backtracer confuses ASan
for target in "${TARGETS[@]}"; do
  seeds="ci/fuzz/corpus/$target"
  [[ -d "$seeds" ]] || seeds="ci/fuzz/corpus/ingest"
  work=".build-fuzz/corpus/$target"
  mkdir -p "$work"
  echo "== fuzz $target for ${SECONDS_EACH}s (seeds: $seeds) =="
  PERFGATE_FUZZ_TARGET="$target" "$BIN" "$work" "$seeds" \
    -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix=.build-fuzz/findings/"$target"- -print_final_stats=1 2>&1 \
    | grep -E "^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::average_exec_per_sec|==[0-9]+==ERROR|SUMMARY|.*Fatal error|artifact_prefix|Test unit written)" || true
  if compgen -G ".build-fuzz/findings/$target-*" >/dev/null; then
    echo "ci/fuzz.sh: $target: findings in .build-fuzz/findings/ (reproduce: PERFGATE_FUZZ_TARGET=$target $BIN FILE)" >&2
    exit 1
  fi
done
echo "ci/fuzz.sh: no findings"
