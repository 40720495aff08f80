#!/usr/bin/env bash
# Dogfood (issue 6, item 5): perfgate gates its own performance. Called by ci/check.sh.
#
#   ci/dogfood.sh                                   # ~1-3 min after the release build
#   PERFGATE_BUILD_DIR=.build-x ci/dogfood.sh       # another SwiftPM scratch path
#   PERFGATE_DOGFOOD_STORE=.perfgate/dogfood.sqlite ci/dogfood.sh   # keep the history between runs
#   PERFGATE_DOGFOOD_REPORT=perf-dogfood ci/dogfood.sh              # also build the HTML site there
#   DOGFOOD_INGEST_MB=1024 ci/dogfood.sh            # a bigger ingest benchmark (default 200 MB)
#   PERFGATE_BIN_DIR=dir ci/dogfood.sh              # skip the build: dir holds perfgate and perfgate-bench
#   PERFGATE_DOGFOOD_OUT=dir ci/dogfood.sh          # keep dogfood.json + dogfood-budgets.json there (the
#                                                   # project's CI gates them again through ci/github-action)
#
# 1. builds perfgate and perfgate-bench in release mode;
# 2. runs the benchmarks: `perfgate-bench ingest-ndjson` (k6 NDJSON parser throughput and peak RSS),
#    then times the CLI on a synthetic history (ci/dogfood-native.py synth): ingesting it, `perfgate
#    check` (latency, 7 runs) and `perfgate report` (when the command exists, 3 runs);
# 3. converts the results into ONE perfgate native JSON run (ci/dogfood-native.py native), scenario
#    `dogfood`, for the current git commit;
# 4. `perfgate check --budget ci/dogfood-budgets.json <that file> --baseline dogfood` against the
#    pinned Baselines/dogfood.json.
#
# The budgets only WARN (CI machines are noisy; the baseline comes from another machine, compared
# with --allow-environment-mismatch, which the output says): the script exits 0 whatever the
# numbers do, and non-zero only when perfgate itself breaks (exit 1 or >= 64) or a benchmark fails.
# To re-pin after a deliberate change: see ci/README.md ("Dogfood").
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BUILD_DIR="${PERFGATE_BUILD_DIR:-.build}"
PYTHON="${PYTHON:-python3}"
INGEST_MB="${DOGFOOD_INGEST_MB:-200}"
SYNTH_COMMITS="${DOGFOOD_COMMITS:-60}"
SYNTH_ENDPOINTS="${DOGFOOD_ENDPOINTS:-20}"
BUDGETS="$ROOT/ci/dogfood-budgets.json"
NATIVE="$ROOT/ci/dogfood-native.py"

START_TIME=$SECONDS
log() { printf '[dogfood %3ds] %s\n' "$((SECONDS - START_TIME))" "$*" >&2; }
WORK="$(mktemp -d "${TMPDIR:-/tmp}/perfgate-dogfood.XXXXXX")"
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- build
if [[ -n "${PERFGATE_BIN_DIR:-}" ]]; then
  BIN="$PERFGATE_BIN_DIR"   # already built perfgate and perfgate-bench (local runs); CI always builds
else
  log "building perfgate and perfgate-bench (release, $BUILD_DIR)"
  swift build -c release --static-swift-stdlib --product perfgate --scratch-path "$BUILD_DIR" 2>&1 | tail -n 2 >&2
  swift build -c release --static-swift-stdlib --product perfgate-bench --scratch-path "$BUILD_DIR" 2>&1 | tail -n 2 >&2
  BIN="$(swift build -c release --static-swift-stdlib --scratch-path "$BUILD_DIR" --show-bin-path)"
fi
PERFGATE="$BIN/perfgate"
BENCH="$BIN/perfgate-bench"
log "built in $((SECONDS - START_TIME))s"

# perfgate without CI variables leaking in for the synthetic history (its commits are given as flags).
pg() { env -u GITHUB_ACTIONS -u GITHUB_STEP_SUMMARY -u PERFGATE_COMMIT -u PERFGATE_BRANCH -u PERFGATE_COMMIT_TIME "$PERFGATE" "$@"; }
# Exit codes of perfgate itself: 1 and >= 64 are errors of perfgate or of this script's inputs.
perfgate_broke() { [[ $1 == 1 || $1 -ge 64 ]]; }

# ---------------------------------------------------------------- 1. ingest throughput (in-process parser)
log "perfgate-bench ingest-ndjson --size-mb $INGEST_MB"
(cd "$WORK" && TMPDIR="$WORK" "$BENCH" ingest-ndjson --size-mb "$INGEST_MB") | tee "$WORK/ingest.log" | sed 's/^/    /' >&2
TIMINGS=()

# ---------------------------------------------------------------- 2. CLI on a synthetic history
# `perfgate-bench make-check-store` builds the history in-process (runs on main, one endpoint 25 %
# slower at the commit under test, a budget with absolute, relative and statistical rules); without
# it, ci/dogfood-native.py writes native files that are ingested one commit per call (also timed).
SYNTH_RUNS="${DOGFOOD_RUNS:-300}"
if "$BENCH" make-check-store --runs "$SYNTH_RUNS" --series "$SYNTH_ENDPOINTS" --out "$WORK/checkstore" >"$WORK/make-store.log" 2>&1; then
  sed 's/^/    /' "$WORK/make-store.log" >&2
  SYN_STORE="$WORK/checkstore/history.sqlite"
  SYN_BUDGETS="$WORK/checkstore/budgets.json"
  SYN_ENV=bench
  LAST_SHA="$(sed -n 's/^current commit: \([0-9a-f]*\).*/\1/p' "$WORK/make-store.log")"
  CHECK_CMD=(--budget "$SYN_BUDGETS" --store "$SYN_STORE" --commit "$LAST_SHA" --branch feature --environment "$SYN_ENV")
else
  SYN_STORE="$WORK/synthetic.sqlite"
  log "synthetic history: $SYNTH_COMMITS commits x $SYNTH_ENDPOINTS endpoints (no make-check-store benchmark)"
  LAST_SHA="$("$PYTHON" "$NATIVE" synth --out "$WORK/synth" --commits "$SYNTH_COMMITS" --endpoints "$SYNTH_ENDPOINTS")"
  # One ingest per commit (the commit identity comes from the flags), timed together.
  "$PYTHON" - "$WORK/synth" "$SYN_STORE" "$PERFGATE" "$WORK/history-ingest.json" <<'PY'
import json, os, subprocess, sys, time
d, store, perfgate, out = sys.argv[1:5]
env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "PERFGATE_COMMIT", "PERFGATE_BRANCH", "PERFGATE_COMMIT_TIME")}
ms = []
for name in sorted(os.listdir(d)):
    c = json.load(open(os.path.join(d, name)))["commit"]
    cmd = [perfgate, "ingest", "--store", store, "--commit", c["sha"], "--branch", c["branch"],
           "--commit-time", c["time"], "--environment", "dogfood-synthetic", os.path.join(d, name)]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    ms.append(round((time.perf_counter() - t0) * 1000, 3))
    if p.returncode != 0:
        sys.stderr.write(p.stderr.decode(errors="replace"))
        sys.exit(f"dogfood: perfgate ingest {name} exited {p.returncode}")
json.dump({"ms": ms, "codes": [0] * len(ms)}, open(out, "w"))
ms.sort()
print(f"    ingest: {len(ms)} runs, median {ms[len(ms) // 2]:.1f} ms per run", file=sys.stderr)
PY
  TIMINGS+=(--timing "history-ingest=$WORK/history-ingest.json")
  cat >"$WORK/synthetic-budgets.json" <<'JSON'
{
  "version": 1,
  "baseline": { "branch": "main", "strategy": "window", "window": 5 },
  "budgets": [
    { "name": "SLA", "max": { "p95": "500ms" }, "warn": { "max": { "p95": "300ms" } } },
    { "name": "relative", "regression": { "p95": "10%" }, "significant": { "p95": "5%" } },
    { "name": "errors", "max": { "error_rate": "1%" } }
  ]
}
JSON
  CHECK_CMD=(--budget "$WORK/synthetic-budgets.json" --store "$SYN_STORE" --commit "$LAST_SHA" --branch feature
    --environment dogfood-synthetic)
fi
rc=0
pg check "${CHECK_CMD[@]}" >"$WORK/synthetic-check.out" 2>&1 || rc=$?
if perfgate_broke "$rc"; then
  cat "$WORK/synthetic-check.out" >&2
  echo "dogfood: perfgate check on the synthetic history exited $rc" >&2
  exit 1
fi
log "perfgate check latency (synthetic history; verdict exit $rc, expected 2: one endpoint is slower)"
"$PYTHON" "$NATIVE" time --repeat 7 --ok 0,2,4 --label "perfgate check" --out "$WORK/check.json" -- \
  env -u GITHUB_ACTIONS "$PERFGATE" check "${CHECK_CMD[@]}" | sed 's/^/    /' >&2
TIMINGS+=(--timing "check=$WORK/check.json")

if "$PERFGATE" report --help >/dev/null 2>&1; then
  # A smaller history for the report (it renders a page per series and run).
  REPORT_STORE="$SYN_STORE"
  if "$BENCH" make-check-store --runs "${DOGFOOD_REPORT_RUNS:-40}" --series 10 --out "$WORK/reportstore" >/dev/null 2>&1; then
    REPORT_STORE="$WORK/reportstore/history.sqlite"
  fi
  log "perfgate report time (synthetic history, ${DOGFOOD_REPORT_RUNS:-40} runs x 10 endpoints)"
  timeout 240 "$PYTHON" "$NATIVE" time --repeat 2 --label "perfgate report" --out "$WORK/report.json" -- \
    "$PERFGATE" report --store "$REPORT_STORE" --out "$WORK/synthetic-site" | sed 's/^/    /' >&2
  TIMINGS+=(--timing "report=$WORK/report.json")
else
  log "notice: this perfgate has no 'report' command yet; report_time is not measured"
fi

# ---------------------------------------------------------------- 3. native JSON
# Commit identity from git; a detached HEAD (some CI checkouts) gets an explicit branch label.
BRANCH="${PERFGATE_BRANCH:-$(git symbolic-ref --short -q HEAD || echo detached)}"
log "native result (scenario dogfood, commit $(git rev-parse --short HEAD) on $BRANCH)"
"$PYTHON" "$NATIVE" native --out "$WORK/dogfood.json" --ingest-log "$WORK/ingest.log" "${TIMINGS[@]}" \
  --tool-version "$("$PERFGATE" --version 2>/dev/null | head -n1 || echo unknown)" | sed 's/^/    /' >&2
python3 -c "import jsonschema" 2>/dev/null && "$PYTHON" - "$ROOT/schemas/perfgate-result.schema.json" "$WORK/dogfood.json" <<'PY'
import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))
print("    dogfood.json is valid against schemas/perfgate-result.schema.json", file=sys.stderr)
PY

# ---------------------------------------------------------------- 4. check against the pinned baseline
# Budget rules for benchmarks that did not run (e.g. no report command yet) are dropped: a rule that
# matches nothing is an error by design (a typo must never switch a gate off).
"$PYTHON" - "$BUDGETS" "$WORK/dogfood.json" "$WORK/dogfood-budgets.json" <<'PY'
import json, sys
budgets, result, out = sys.argv[1:4]
b = json.load(open(budgets))
have = {s["metric"] for s in json.load(open(result))["series"]}
kept = [e for e in b["budgets"] if e.get("metric") in have]
for e in b["budgets"]:
    if e not in kept:
        print(f"    notice: no {e.get('metric')} result; rule '{e.get('name')}' skipped", file=sys.stderr)
b["budgets"] = kept
json.dump(b, open(out, "w"), indent=2)
PY

if [[ -n "${PERFGATE_DOGFOOD_OUT:-}" ]]; then
  mkdir -p "$PERFGATE_DOGFOOD_OUT"
  cp "$WORK/dogfood.json" "$WORK/dogfood-budgets.json" "$PERFGATE_DOGFOOD_OUT/"
  log "kept dogfood.json and dogfood-budgets.json in $PERFGATE_DOGFOOD_OUT"
fi

STORE="${PERFGATE_DOGFOOD_STORE:-$WORK/dogfood.sqlite}"
log "perfgate check --baseline dogfood (store $STORE)"
rc=0
env -u PERFGATE_COMMIT -u PERFGATE_COMMIT_TIME PERFGATE_BRANCH="$BRANCH" "$PERFGATE" check \
  --budget "$WORK/dogfood-budgets.json" --store "$STORE" --scenario dogfood \
  --baseline "${DOGFOOD_BASELINE:-$ROOT/Baselines/dogfood.json}" --allow-environment-mismatch \
  --markdown "$WORK/dogfood.md" "$WORK/dogfood.json" || rc=$?
if perfgate_broke "$rc"; then
  echo "dogfood: FAIL - perfgate check exited $rc (an error of perfgate, not a slowdown)" >&2
  exit 1
fi
if [[ -n "${PERFGATE_DOGFOOD_REPORT:-}" ]] && "$PERFGATE" report --help >/dev/null 2>&1; then
  "$PERFGATE" report --store "$STORE" --out "$PERFGATE_DOGFOOD_REPORT" >&2
  log "report: $PERFGATE_DOGFOOD_REPORT/index.html"
fi
log "dogfood: PASS (check exit $rc; the budgets only warn) in $((SECONDS - START_TIME))s"
