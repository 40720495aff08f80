#!/usr/bin/env bash
# End-to-end proof with the REAL k6 and Locust (issue 6, item 3). Called by ci/check.sh.
#
#   ci/e2e.sh                               # build release perfgate, run everything (~2-3 min + build)
#   PERFGATE_BUILD_DIR=.build-e2e ci/e2e.sh  # use another SwiftPM scratch path
#   PERFGATE_E2E_KEEP=1 ci/e2e.sh           # keep the work directory (store, results, reports)
#   PERFGATE_BIN=path/to/perfgate ci/e2e.sh # skip the build, use this binary
#
# What it proves, in a temporary git repository (so commit identity comes from real git) with a
# temporary store (.perfgate/history.sqlite at that repository's root, the default location):
#
#   main     A ── C           A: baseline, k6 and Locust run TWICE each (two repeats)
#             \                C: a second main commit, no slowdown  -> perfgate check exits 0
#   feature    B              B: POST /api/orders 30 % slower        -> perfgate check exits 2 and
#                                names /api/orders for k6 and Locust; the other endpoints pass
#   errors          D         D (branched off C): GET /api/search fails 3 % of its requests
#
# Then the README's quick start, extracted from README.md and run as written (its own repository and
# store): the first main run exits 0, a pull request with orders 30 % slower exits 2, main again 0.
#
# Every budget example (README.md and docs/*.md JSON snippets, ci/examples/*.json; extracted by
# ci/extract-budgets.py so docs and test cannot drift) is also checked on the k6 and on the Locust
# result of B (exit 2, a failure on /api/orders and on no other endpoint), of C (exit 0, nothing fails)
# and of D (exit 2 from an error_rate failure on /api/search). These checks pass the result files the
# phase's own checks already stored (a duplicate stores nothing), so they do not change any baseline.
#
# The load tests talk only to ci/fixtures/server.py on 127.0.0.1 (free port). Every process this
# script starts is stopped on exit (trap), every tool call is wrapped in `timeout`, and the server
# stops by itself after --max-seconds. Budget rules: ci/e2e/budgets.json.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BUILD_DIR="${PERFGATE_BUILD_DIR:-.build}"
PYTHON="${PYTHON:-python3}"
K6_VERSION="${K6_VERSION:-1.1.0}"
LOCUST_VERSION="${LOCUST_VERSION:-2.47.0}"
BUDGETS="$ROOT/ci/e2e/budgets.json"
FIX="$ROOT/ci/fixtures"
# Load: ~85 requests per endpoint and tool run, short enough for CI. Latencies are 4x those of the
# fixtures so that scheduling noise on a busy 2-core machine (a few ms) stays small against them;
# one iteration (4 requests + 0.3 s think time) takes about 0.7 s.
K6_VUS="${E2E_K6_VUS:-12}"
K6_DURATION="${E2E_K6_DURATION:-5s}"
LOCUST_USERS="${E2E_LOCUST_USERS:-12}"
LATENCY="${E2E_LATENCY:-users=80,products=60,orders=160,search=100}"
EXPECTED_PER_ENDPOINT=$(( K6_VUS * 5 * 10 / 7 ))

START_TIME=$SECONDS
log() { printf '[e2e %3ds] %s\n' "$((SECONDS - START_TIME))" "$*" >&2; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/perfgate-e2e.XXXXXX")"
REPO="$WORK/repo"
RES="$WORK/results"
OUT="$WORK/out"
mkdir -p "$REPO" "$RES" "$OUT"
SERVER_PID=""
PORT=""
FAILURES=()
PASSES=()

stop_server() {
  if [[ -n "$SERVER_PID" ]]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}
cleanup() {
  local rc=$?
  stop_server
  if [[ "${PERFGATE_E2E_KEEP:-0}" == 1 ]]; then
    log "kept $WORK"
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pass() { PASSES+=("$*"); log "ok: $*"; }
fail() { FAILURES+=("$*"); log "FAILED: $*"; }

# ---------------------------------------------------------------- build
if [[ -n "${PERFGATE_BIN:-}" ]]; then
  PERFGATE="$PERFGATE_BIN"   # an already built perfgate (local runs); CI always builds
else
  log "building perfgate (release, $BUILD_DIR)"
  swift build -c release --static-swift-stdlib --product perfgate --scratch-path "$BUILD_DIR" 2>&1 | tail -n 3 >&2
  PERFGATE="$(swift build -c release --static-swift-stdlib --scratch-path "$BUILD_DIR" --show-bin-path)/perfgate"
fi
[[ -x "$PERFGATE" ]] || { echo "no perfgate binary at $PERFGATE" >&2; exit 1; }
BUILD_SECONDS=$((SECONDS - START_TIME))
log "built in ${BUILD_SECONDS}s: $PERFGATE"
for cmd in check; do
  if ! "$PERFGATE" "$cmd" --help >/dev/null 2>&1; then
    echo "e2e: this perfgate has no '$cmd' command yet" >&2
    exit 1
  fi
done

# ---------------------------------------------------------------- tools (same pins as ci/gen-fixtures.sh)
source "$ROOT/ci/load-tools.sh"
log "$("$K6" version | head -n1); $("$PYTHON" -m locust --version 2>&1 | head -n1 | sed 's| from .* (| (|')"

# ---------------------------------------------------------------- budget examples from the docs
EXAMPLES="$WORK/examples"
if ! "$PYTHON" "$ROOT/ci/extract-budgets.py" "$EXAMPLES" >"$WORK/examples.list"; then
  echo "e2e: ci/extract-budgets.py failed (see above)" >&2
  exit 1
fi
log "budget examples: $(cut -f2 "$WORK/examples.list" | tr '\n' ' ')"

# ---------------------------------------------------------------- helpers
# start_server ARGS... : a fresh server on a free port of 127.0.0.1.
start_server() {
  stop_server
  : >"$WORK/server.out"
  timeout 120 "$PYTHON" "$FIX/server.py" --port 0 --max-seconds 110 --latency "$LATENCY" "$@" \
    >"$WORK/server.out" 2>"$WORK/server.err" &
  SERVER_PID=$!
  PORT=""
  for _ in $(seq 1 200); do
    PORT="$(sed -n 's/^PORT=//p' "$WORK/server.out")"
    [[ -n "$PORT" ]] && break
    sleep 0.05
  done
  if [[ -z "$PORT" ]]; then
    cat "$WORK/server.err" >&2
    echo "e2e: server did not start" >&2
    exit 1
  fi
}

# run_k6 OUTFILE : k6 exits 99 when its own (deliberately tight) orders threshold is crossed.
run_k6() {
  local rc=0
  (cd "$WORK" && BASE_URL="http://127.0.0.1:$PORT" DURATION="$K6_DURATION" VUS="$K6_VUS" \
    timeout 60 "$K6" run --quiet --summary-export "$1" "$FIX/k6-script.js" >"$WORK/k6.stdout" 2>"$WORK/k6.stderr") || rc=$?
  if [[ $rc != 0 && $rc != 99 ]]; then
    cat "$WORK/k6.stderr" >&2
    echo "e2e: k6 exited $rc" >&2
    exit 1
  fi
}

# run_locust PREFIX : writes PREFIX_stats.csv etc. Users stop after 5 s and idle 3 s so the CSV is final
# (Locust writes it from a 1-second loop only).
run_locust() {
  local rc=0
  (cd "$WORK" && PERFGATE_ACTIVE_SECONDS=5 timeout 60 "$PYTHON" -m locust --headless --only-summary \
    -u "$LOCUST_USERS" -r "$LOCUST_USERS" -f "$FIX/locustfile.py" --host "http://127.0.0.1:$PORT" -t 8s \
    --csv "$1" >"$WORK/locust.stdout" 2>"$WORK/locust.stderr") || rc=$?
  if [[ $rc != 0 && $rc != 1 ]]; then
    cat "$WORK/locust.stderr" >&2
    echo "e2e: locust exited $rc" >&2
    exit 1
  fi
  [[ -s "$1_stats.csv" ]] || { echo "e2e: locust wrote no $1_stats.csv" >&2; exit 1; }
}

# perfgate run inside the temporary repository, with CI variables removed so that commit, branch
# and time come from real git (on GitHub Actions GITHUB_SHA would otherwise win).
clean_env() {
  env -u GITHUB_ACTIONS -u GITHUB_STEP_SUMMARY -u GITLAB_CI -u BUILDKITE -u CIRCLECI -u JENKINS_URL \
    -u PERFGATE_COMMIT -u PERFGATE_BRANCH -u PERFGATE_COMMIT_TIME -u PERFGATE_STORE \
    PERFGATE_ENVIRONMENT=e2e-loopback "$@"
}
pg() { (cd "$REPO" && clean_env "$PERFGATE" "$@"); }

gitr() { git -C "${GITR_REPO:-$REPO}" -c user.name="perfgate e2e" -c user.email=e2e@perfgate.invalid -c commit.gpgsign=false "$@"; }
NOW="$(date +%s)"
# commit MESSAGE AGE_SECONDS : an empty commit dated AGE seconds ago (distinct, increasing times).
commit() {
  GIT_AUTHOR_DATE="@$((NOW - $2)) +0000" GIT_COMMITTER_DATE="@$((NOW - $2)) +0000" gitr commit -q --allow-empty -m "$1"
  gitr rev-parse --short HEAD
}

# load_test TAG : one k6 run and one Locust run against the running server, ingested as scenarios
# k6-api and locust-api for the repository's HEAD.
load_test() {
  local tag="$1"
  run_k6 "$RES/k6-$tag.json"
  run_locust "$RES/locust-$tag"
  pg ingest --scenario k6-api "$RES/k6-$tag.json" 2>&1 | sed 's/^/    /' >&2
  pg ingest --scenario locust-api "$RES/locust-${tag}_stats.csv" 2>&1 | sed 's/^/    /' >&2
}

# run_check NAME ARGS... : perfgate check with Markdown/JUnit/JSON outputs in $OUT/NAME.*; sets CHECK_RC.
# The budget file is $CHECK_BUDGET (default ci/e2e/budgets.json); CHECK_QUIET=1 prints nothing.
run_check() {
  local name="$1"; shift
  CHECK_RC=0
  pg check --budget "${CHECK_BUDGET:-$BUDGETS}" --markdown "$OUT/$name.md" --junit "$OUT/$name.xml" --json "$OUT/$name.json" "$@" \
    >"$OUT/$name.out" 2>"$OUT/$name.err" || CHECK_RC=$?
  [[ "${CHECK_QUIET:-0}" == 1 ]] && return 0
  sed 's/^/    /' "$OUT/$name.out" >&2
  [[ -s "$OUT/$name.err" ]] && sed 's/^/    stderr: /' "$OUT/$name.err" >&2
  return 0
}

# assert_example NAME MODE RC : the check of a budget example ($OUT/NAME.*, exit code RC).
#   MODE regression: exit 2; a finding on /api/orders fails; no other endpoint fails.
#   MODE clean:      exit 0; nothing fails.
#   MODE errors:     exit 2; error_rate fails on /api/search; no other endpoint fails.
assert_example() {
  "$PYTHON" - "$OUT/$1" "$2" "$3" <<'PY'
import json, os, sys
base, mode, rc = sys.argv[1], sys.argv[2], int(sys.argv[3])
problems = []
want = {"regression": 2, "clean": 0, "errors": 2}[mode]
if rc != want:
    problems.append(f"exit {rc}, expected {want}")
doc = json.load(open(base + ".json")) if os.path.exists(base + ".json") and os.path.getsize(base + ".json") else {"findings": []}
fs = doc.get("findings", [])
fails = [f for f in fs if f["verdict"] == "fail"]
def label(f):
    return f'{f["endpoint"] or "(all)"} {f["metric"]} {f["statistic"]} {f["ruleClass"]}'
if mode == "regression":
    if not any(f["endpoint"].endswith("/api/orders") for f in fails):
        problems.append("no failure names /api/orders")
    problems += ["unchanged endpoint failed: " + label(f) for f in fails if f["endpoint"] and not f["endpoint"].endswith("/api/orders")]
elif mode == "clean":
    problems += ["failed without a change: " + label(f) for f in fails]
elif mode == "errors":
    if not any(f["endpoint"].endswith("/api/search") and f["statistic"] == "error_rate" for f in fails):
        problems.append("the 3 % error rate of /api/search did not fail an error_rate rule")
    problems += ["unchanged endpoint failed: " + label(f) for f in fails if f["endpoint"] and not f["endpoint"].endswith("/api/search")]
    whole = [f for f in fs if not f["endpoint"] and f["statistic"] == "error_rate" and f["metric"] == "http_req_duration"]
    for f in whole:
        if f.get("current") is not None and f["verdict"] != "fail":
            print(f'    whole-run error_rate {f["current"] * 100:.2f}% ({f["verdict"]}): a whole-run budget alone would not fail', file=sys.stderr)
for p in problems:
    print("    assertion: " + p, file=sys.stderr)
sys.exit(1 if problems else 0)
PY
}

# check_examples N MODE : every budget example on the k6 and Locust results of attempt N (see
# assert_example). The files were stored by the phase's own checks (phase D: by its first example
# check), so these checks store nothing new.
check_examples() {
  local n="$1" mode="$2" name origin tool file scenario out
  while IFS=$'\t' read -r -u 3 name origin; do
    for tool in k6 locust; do
      if [[ $tool == k6 ]]; then file="$RES/k6-$n.json"; scenario=k6-api; else file="$RES/locust-${n}_stats.csv"; scenario=locust-api; fi
      out="example-$n-$tool-${name%.json}"
      CHECK_BUDGET="$EXAMPLES/$name" CHECK_QUIET=1 run_check "$out" --scenario "$scenario" "$file"
      if assert_example "$out" "$mode" "$CHECK_RC"; then
        pass "example $origin, $tool, commit $n: exit $CHECK_RC ($mode)"
      else
        sed 's/^/    /' "$OUT/$out.out" >&2
        [[ -s "$OUT/$out.err" ]] && sed 's/^/    stderr: /' "$OUT/$out.err" >&2
        fail "example $origin, $tool, commit $n: $mode"
      fi
    done
  done 3<"$WORK/examples.list"
}

# assert_findings NAME MODE SCENARIO... : checks $OUT/NAME.{json,md,xml}.
#   MODE regression: /api/orders p50 fails (relative rule) in every SCENARIO, no other endpoint fails.
#   MODE clean:      nothing fails.
assert_findings() {
  "$PYTHON" - "$OUT/$1" "$2" "${@:3}" <<'PY'
import json, sys, xml.etree.ElementTree as ET
base, mode, scenarios = sys.argv[1], sys.argv[2], sys.argv[3:]
doc = json.load(open(base + ".json"))
md = open(base + ".md", encoding="utf-8").read()
ET.parse(base + ".xml")  # JUnit must be well-formed XML
problems = []
fs = [f for f in doc["findings"] if f["scenario"] in scenarios]
def label(f):
    return f'{f["scenario"]} {f["endpoint"] or "(all)"} {f["metric"]} {f["statistic"]} {f["ruleClass"]}={f["verdict"]}'
def is_orders(f): return f["endpoint"].endswith("/api/orders")
rel = [f for f in fs if f["ruleClass"] == "relative" and f["statistic"] == "p50" and f["metric"] == "http_req_duration"]
for sc in scenarios:
    eps = {f["endpoint"] for f in rel if f["scenario"] == sc and f["endpoint"]}
    if len(eps) < 4:
        problems.append(f"{sc}: expected relative p50 findings for 4 endpoints, got {sorted(eps)}")
for f in sorted((f for f in fs if f["ruleClass"] == "relative" and f["endpoint"]), key=lambda f: (f["scenario"], f["endpoint"], f["statistic"])):
    b, c, ch = f.get("baseline"), f.get("current"), f.get("change")
    print(f'    {f["scenario"]:<11} {f["endpoint"]:<18} {f["statistic"]:<4} {"-" if b is None else f"{b:.1f}":>6} -> {"-" if c is None else f"{c:.1f}":>6} ms'
          f'  {"" if ch is None else f"{ch * 100:+.1f}%":>7}  {f["verdict"]}', file=sys.stderr)
if doc.get("baselineMissing"):
    problems.append("no baseline was found")
if mode == "regression":
    if doc["verdict"] != "fail":
        problems.append(f'overall verdict {doc["verdict"]}, expected fail')
    for sc in scenarios:
        hit = [f for f in rel if f["scenario"] == sc and is_orders(f) and f["verdict"] == "fail"]
        if not hit:
            problems.append(f"{sc}: /api/orders p50 did not fail the relative rule")
        if f"{sc} · " not in md or "/api/orders" not in md:
            problems.append(f"{sc}: the Markdown summary does not name {sc} /api/orders")
    for f in fs:
        if f["endpoint"] and not is_orders(f) and f["verdict"] == "fail":
            problems.append("unchanged endpoint failed: " + label(f))
    if "/api/orders" not in open(base + ".xml", encoding="utf-8").read():
        problems.append("JUnit does not name /api/orders")
elif mode == "clean":
    for f in fs:
        if f["verdict"] == "fail":
            problems.append("failed without a slowdown: " + label(f))
    if doc["verdict"] == "fail":
        problems.append("overall verdict fail")
for p in problems:
    print("    assertion: " + p, file=sys.stderr)
sys.exit(1 if problems else 0)
PY
}

# starved TAG... : exit 1 (and a note) when a tool's measurements are not meaningful because this
# machine is overloaded: far fewer requests than the load asks for, or the medians of the endpoints
# that are never slowed (users, products, search) more than 25 % above the server's configured
# latency (the load generator's own scheduling delays dominate; Locust, in Python, feels it first).
starved() {
  "$PYTHON" - "$RES" "$EXPECTED_PER_ENDPOINT" "$LATENCY" "$@" <<'PY'
import csv, json, os, sys
res, expected, latency, tags = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
base = {k: float(v) for k, v in (p.split("=") for p in latency.split(","))}
bad = False
for tag in tags:
    got = {}
    k6 = os.path.join(res, f"k6-{tag}.json")
    if os.path.exists(k6):
        m = json.load(open(k6))["metrics"]
        got["k6"] = {e: (m.get(f"http_req_duration{{name:/api/{e}}}", {}).get("count", 0),
                         m.get(f"http_req_duration{{name:/api/{e}}}", {}).get("med", 0.0)) for e in base}
    loc = os.path.join(res, f"locust-{tag}_stats.csv")
    if os.path.exists(loc):
        rows = {r["Name"]: r for r in csv.DictReader(open(loc))}
        got["locust"] = {e: (int(rows[f"/api/{e}"]["Request Count"]), float(rows[f"/api/{e}"]["Median Response Time"]))
                         if f"/api/{e}" in rows else (0, 0.0) for e in base}
    for tool, eps in got.items():
        n = min(c for c, _ in eps.values())
        infl = max(med / base[e] - 1 for e, (_, med) in eps.items() if e != "orders")
        note = ""
        if n < expected // 2:
            note = "  <- far below the expected load"
        elif infl > 0.25:
            note = "  <- latencies inflated by the load generator"
        print(f"    {tag} {tool}: >= {n} requests per endpoint (about {expected} expected), unchanged endpoints' "
              f"medians up to {infl * 100:+.0f}% over the server's latency{note}", file=sys.stderr)
        bad = bad or bool(note)
if bad:
    print("    this machine is overloaded: these measurements are not meaningful", file=sys.stderr)
sys.exit(1 if bad else 0)
PY
}

# ---------------------------------------------------------------- commit A (main): baseline, two repeats
gitr init -q
gitr symbolic-ref HEAD refs/heads/main
A="$(commit "A: baseline" 3000)"
log "commit A $A on main: k6 + Locust, two repeats each"
start_server --seed 1
load_test A1
load_test A2
stop_server
starved A1 A2 || log "warning: the baseline was measured on a starved machine"

# Phases B and C: the assertions of a phase are recorded only when they all pass, or when the tools
# got their load; a phase whose load generator was starved (see `starved`) is measured once more.
PHASE_PASSES=()
PHASE_FAILURES=()
pass() { PHASE_PASSES+=("$*"); log "ok: $*"; }
fail() { PHASE_FAILURES+=("$*"); log "FAILED: $*"; }
# phase NAME FUNCTION : runs FUNCTION ATTEMPT (1, then 2 if needed) and records its results.
phase() {
  local name="$1" fn="$2" attempt
  for attempt in 1 2; do
    PHASE_PASSES=()
    PHASE_FAILURES=()
    STARVED=0
    "$fn" "$attempt"
    if [[ ${#PHASE_FAILURES[@]} -gt 0 && $STARVED == 1 && $attempt == 1 ]]; then
      log "phase $name: assertions failed while the load generator was starved; measuring once more"
      continue
    fi
    break
  done
  [[ $attempt == 2 ]] && PASSES+=("$name: measured twice (first attempt on a starved machine)")
  PASSES+=("${PHASE_PASSES[@]+"${PHASE_PASSES[@]}"}")
  FAILURES+=("${PHASE_FAILURES[@]+"${PHASE_FAILURES[@]}"}")
}

# ---------------------------------------------------------------- commit B (feature): orders 30 % slower
gitr checkout -q -b feature
B="$(commit "B: orders 30% slower" 2000)"
phase_b() {
  local n="B$1"
  log "commit B $B on feature: server --slow orders=1.3 (attempt $1)"
  start_server --seed "$((1 + $1))" --slow orders=1.3
  run_k6 "$RES/k6-$n.json"
  run_locust "$RES/locust-$n"
  stop_server
  starved "$n" || STARVED=1

  log "check B (k6 result file, ingested by check; baseline = merge-base with main)"
  run_check "feature-k6-$n" --scenario k6-api "$RES/k6-$n.json"
  if [[ $CHECK_RC == 2 ]]; then pass "feature/k6: exit 2"; else fail "feature/k6: exit $CHECK_RC, expected 2"; fi
  if assert_findings "feature-k6-$n" regression k6-api; then pass "feature/k6: /api/orders p50 fails, users/products/search do not"; else fail "feature/k6: findings"; fi

  log "check B (Locust result file)"
  run_check "feature-locust-$n" --scenario locust-api "$RES/locust-${n}_stats.csv"
  if [[ $CHECK_RC == 2 ]]; then pass "feature/locust: exit 2"; else fail "feature/locust: exit $CHECK_RC, expected 2"; fi
  if assert_findings "feature-locust-$n" regression locust-api; then pass "feature/locust: POST /api/orders p50 fails, the others do not"; else fail "feature/locust: findings"; fi

  log "check B (no files: every run stored for HEAD, both scenarios in one summary)"
  run_check "feature-all-$n"
  if [[ $CHECK_RC == 2 ]]; then pass "feature/all: exit 2"; else fail "feature/all: exit $CHECK_RC, expected 2"; fi
  if assert_findings "feature-all-$n" regression k6-api locust-api; then pass "feature/all: one summary names orders for k6 and Locust"; else fail "feature/all: findings"; fi
  if grep -q "merge-base" "$OUT/feature-all-$n.out" && grep -q "${A:0:7}" "$OUT/feature-all-$n.out"; then
    pass "feature/all: baseline is main @ $A (merge-base)"
  else
    fail "feature/all: baseline is not the merge-base commit $A"
  fi

  log "check B with every budget example (k6 and Locust)"
  check_examples "$n" regression
}
phase B phase_b

# ---------------------------------------------------------------- commit C (main): no slowdown
gitr checkout -q main
C="$(commit "C: unrelated change" 1000)"
phase_c() {
  local n="C$1"
  log "commit C $C on main: no slowdown (attempt $1)"
  start_server --seed "$((3 + $1))"
  run_k6 "$RES/k6-$n.json"
  run_locust "$RES/locust-$n"
  stop_server
  starved "$n" || STARVED=1

  log "check C (k6)"
  run_check "main-k6-$n" --scenario k6-api "$RES/k6-$n.json"
  if [[ $CHECK_RC == 0 ]]; then pass "main/k6: exit 0"; else fail "main/k6: exit $CHECK_RC, expected 0"; fi
  if assert_findings "main-k6-$n" clean k6-api; then pass "main/k6: nothing fails"; else fail "main/k6: findings"; fi
  log "check C (Locust)"
  run_check "main-locust-$n" --scenario locust-api "$RES/locust-${n}_stats.csv"
  if [[ $CHECK_RC == 0 ]]; then pass "main/locust: exit 0"; else fail "main/locust: exit $CHECK_RC, expected 0"; fi
  if assert_findings "main-locust-$n" clean locust-api; then pass "main/locust: nothing fails"; else fail "main/locust: findings"; fi

  log "check C with every budget example (k6 and Locust)"
  check_examples "$n" clean
}
phase C phase_c

# ---------------------------------------------------------------- commit D (branch off C): errors on one endpoint
gitr checkout -q -b errors
D="$(commit "D: search fails 3% of its requests" 500)"
phase_d() {
  local n="D$1"
  log "commit D $D on errors: server --error-rate search=0.03 (attempt $1)"
  start_server --seed "$((5 + $1))" --error-rate search=0.03
  run_k6 "$RES/k6-$n.json"
  run_locust "$RES/locust-$n"
  stop_server
  starved "$n" || STARVED=1

  log "check D with every budget example (k6 and Locust): the per-endpoint error-rate rule fails /api/search"
  check_examples "$n" errors
}
phase D phase_d
pass() { PASSES+=("$*"); log "ok: $*"; }
fail() { FAILURES+=("$*"); log "FAILED: $*"; }

# ---------------------------------------------------------------- the README's quick start, as written
# The README's "Quick start in CI" section (budgets.json and the commands, extracted from README.md)
# run in a repository of its own with ci/quickstart/load.js and locustfile.py, on PATH: perfgate, k6,
# locust. QA (main): the first run, no baseline yet -> exit 0. QB (a pull request, orders 30 % slower)
# -> exit 2 naming /api/orders for k6 and Locust and no other endpoint. QC (main, unchanged) -> exit 0.
QS="$WORK/quickstart"
QS_BIN="$WORK/quickstart-bin"
mkdir -p "$QS" "$QS_BIN"
# readme_block MARKER : the fenced block that follows the line `<!-- quick-start: MARKER`.
readme_block() {
  "$PYTHON" - "$ROOT/README.md" "$1" <<'PY'
import sys
lines, marker = open(sys.argv[1], encoding="utf-8").read().split("\n"), "<!-- quick-start: " + sys.argv[2]
at = next((i for i, l in enumerate(lines) if l.startswith(marker)), None)
if at is None or not lines[at + 1].startswith("```"):
    sys.exit(f"README.md: no fenced block after '{marker}'")
end = next(i for i in range(at + 2, len(lines)) if lines[i].startswith("```"))
print("\n".join(lines[at + 2:end]))
PY
}
readme_block budgets.json >"$QS/budgets.json"
readme_block commands >"$WORK/quickstart.sh"
cp "$ROOT/ci/quickstart/load.js" "$ROOT/ci/quickstart/locustfile.py" "$QS/"
ln -sf "$PERFGATE" "$QS_BIN/perfgate"
ln -sf "$K6" "$QS_BIN/k6"
printf '#!/bin/sh\nexec "%s" -m locust "$@"\n' "$PYTHON" >"$QS_BIN/locust"
chmod +x "$QS_BIN/locust"
log "quick start: $(grep -c . "$WORK/quickstart.sh") commands from README.md"
GITR_REPO="$QS"
gitr init -q
gitr symbolic-ref HEAD refs/heads/main
gitr add budgets.json load.js locustfile.py

# quick_start NAME WANT SERVER_ARGS... : the README's commands, as a CI job would run them (a fresh
# workspace: no results/, the store kept), then the same check with --json for the assertions.
quick_start() {
  local name="$1" want="$2" rc=0; shift 2
  start_server "$@"
  rm -rf "$QS/results" "$QS/summary.md" "$QS/perf.xml"
  (cd "$QS" && BASE_URL="http://127.0.0.1:$PORT" PATH="$QS_BIN:$PATH" clean_env timeout 240 bash -euo pipefail "$WORK/quickstart.sh") \
    >"$OUT/$name.out" 2>"$OUT/$name.err" || rc=$?
  stop_server
  sed 's/^/    /' "$OUT/$name.out" | grep -v '^ *$' | tail -n 25 >&2
  if [[ $rc == "$want" ]]; then pass "quick start $name: the README's commands exit $rc"; else
    sed 's/^/    stderr: /' "$OUT/$name.err" | tail -n 20 >&2
    fail "quick start $name: the README's commands exit $rc, expected $want"
  fi
  if [[ -s "$QS/summary.md" && -s "$QS/perf.xml" ]]; then pass "quick start $name: summary.md and perf.xml written"; else
    fail "quick start $name: summary.md or perf.xml missing"
  fi
  (cd "$QS" && clean_env "$PERFGATE" check --budget budgets.json --markdown "$OUT/$name.md" --junit "$OUT/$name.xml" \
    --json "$OUT/$name.json" >/dev/null 2>&1) || true
}
commit "QA: quick start on main" 900 >/dev/null
quick_start qs-A 0 --seed 11
gitr checkout -q -b pull-request
commit "QB: orders 30% slower" 800 >/dev/null
quick_start qs-B 2 --seed 12 --slow orders=1.3
if assert_findings qs-B regression k6 locust; then pass "quick start qs-B: /api/orders fails for k6 and Locust, nothing else"; else fail "quick start qs-B: findings"; fi
gitr checkout -q main
commit "QC: unrelated change" 700 >/dev/null
quick_start qs-C 0 --seed 13
if assert_findings qs-C clean k6 locust; then pass "quick start qs-C: nothing fails"; else fail "quick start qs-C: findings"; fi
unset GITR_REPO

# ---------------------------------------------------------------- history and report
RUNS="$(pg query "select count(*) from runs" --format csv 2>/dev/null | tail -n1 || true)"
log "store: ${RUNS:-?} runs (4 at A, 2 per attempt at B, C and D)"
if pg report --help >/dev/null 2>&1; then
  log "report"
  if pg report --out "$OUT/site" >"$OUT/report.out" 2>&1 && [[ -s "$OUT/site/index.html" ]]; then
    pass "report: $(find "$OUT/site" -type f | wc -l | tr -d ' ') files, index.html present"
  else
    sed 's/^/    /' "$OUT/report.out" >&2
    fail "report: perfgate report failed or wrote no index.html"
  fi
else
  log "notice: this perfgate has no 'report' command yet; skipping the report step"
fi

# ---------------------------------------------------------------- summary
TOTAL=$((SECONDS - START_TIME))
echo
echo "== e2e summary (build ${BUILD_SECONDS}s, total ${TOTAL}s) =="
for p in "${PASSES[@]}"; do echo "  PASS  $p"; done
for f in "${FAILURES[@]+"${FAILURES[@]}"}"; do echo "  FAIL  $f"; done
if [[ ${#FAILURES[@]} -gt 0 ]]; then
  echo "e2e: FAIL (${#FAILURES[@]} of $(( ${#FAILURES[@]} + ${#PASSES[@]} )) assertions failed; PERFGATE_E2E_KEEP=1 keeps $WORK)"
  exit 1
fi
echo "e2e: PASS (${#PASSES[@]} assertions)"
