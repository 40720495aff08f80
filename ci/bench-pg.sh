#!/usr/bin/env bash
# PostgreSQL store against SQLite, whole processes, same machine, same run (docs/postgres.md):
#  (a) `perfgate check` on a 10,000-run x 50-series history (perfgate-bench make-check-store) in a
#      SQLite file and, moved there with `perfgate export` / `perfgate import`, in PostgreSQL on
#      loopback: median of 15 runs each, `perfgate --version` as the floor. Target: PG within 2x.
#  (b) `perfgate ingest` of a k6 --out json file of SIZE_MB (ci/bench/gen-ingest-file.py, real k6
#      points repeated) into a new SQLite file and into a new PostgreSQL schema, `wc -l` as the
#      floor. Target: PG not slower than SQLite by more than 10 %.
# The server: $PERFGATE_TEST_POSTGRES when set (each measurement uses a schema of its own, dropped
# afterwards), else a throwaway one from ci/postgres.sh, stopped at the end.
# Usage: ci/bench-pg.sh [RUNS] [SERIES] [SIZE_MB]     (defaults 10000 50 1024)
# (BENCH_REPEAT=N: N timings instead of 15)
# Binaries: ci/bench/binary.sh (static release build in $PERFGATE_BUILD_DIR or .build; PERFGATE_BIN_DIR=DIR
# uses binaries already built there; the debug ones, when a release build does not fit the machine's time:
# PERFGATE_BIN_DIR=.build/debug ALLOW_DYNAMIC=1, and the binary line then says "dynamic").
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-10000}"
SERIES="${2:-50}"
SIZE_MB="${3:-1024}"
. ci/bench/binary.sh perfgate perfgate-bench
WORK="$(mktemp -d)"
STARTED=""
cleanup() {
  [ -n "$STARTED" ] && PERFGATE_PG_STATE="$WORK/pg.state" bash ci/postgres.sh stop || true
  rm -rf "$WORK"
}
trap cleanup EXIT
if [ -z "${PERFGATE_TEST_POSTGRES:-}" ]; then
  eval "$(PERFGATE_PG_STATE="$WORK/pg.state" bash ci/postgres.sh start)"
  STARTED=1
fi
SCHEMA="bench_$$_$(date +%s)"
sep="?"; [[ "$PERFGATE_TEST_POSTGRES" == *"?"* ]] && sep="&"
PG="${PERFGATE_TEST_POSTGRES}${sep}schema=${SCHEMA}"
PG_INGEST="${PERFGATE_TEST_POSTGRES}${sep}schema=${SCHEMA}_ingest"
time_ms() { python3 ci/bench/median-ms.py "$@"; }

echo "== (a) check on $RUNS runs x $SERIES series"
"$BENCH" make-check-store --runs "$RUNS" --series "$SERIES" --out "$WORK"
t0=$(date +%s.%N)
"$PERFGATE" export --store "$WORK/history.sqlite" --out "$WORK/history.json" 2>/dev/null
t1=$(date +%s.%N)
"$PERFGATE" import "$WORK/history.json" --store "$PG" | tail -1
t2=$(date +%s.%N)
# Anchors in the same run: sqlite3's own .dump of the store (the floor of reading it all out as text), and
# Python's json.load of the same export (the floor of parsing it back in, before any row is written).
a0=$(date +%s.%N)
if command -v sqlite3 >/dev/null; then sqlite3 "$WORK/history.sqlite" .dump > "$WORK/dump.sql"; dump="$(python3 -c "print(f'{$(date +%s.%N)-$a0:.1f} s')")"; else dump="n/a (no sqlite3)"; fi
a1=$(date +%s.%N)
python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$WORK/history.json"
a2=$(date +%s.%N)
python3 -c "print(f'moved into PostgreSQL: export {$t1-$t0:.1f} s (sqlite3 .dump: $dump), import {$t2-$t1:.1f} s (python3 json.load of the export: {$a2-$a1:.1f} s) ($(stat -c %s "$WORK/history.json") bytes of export)')"
rm -f "$WORK/history.json" "$WORK/dump.sql"
CURRENT=$(printf '%040x' $((RUNS + 1)))
CHECK=(check --budget "$WORK/budgets.json" --commit "$CURRENT" --branch feature --environment bench)
set +e
"$PERFGATE" "${CHECK[@]}" --store "$WORK/history.sqlite" > "$WORK/sqlite.txt"; rc_sqlite=$?
"$PERFGATE" "${CHECK[@]}" --store "$PG" > "$WORK/pg.txt"; rc_pg=$?
set -e
echo "check exit codes: SQLite $rc_sqlite, PostgreSQL $rc_pg (2 expected: endpoint-0 is 25 % slower)"
[ "$rc_sqlite" = 2 ] && [ "$rc_pg" = 2 ] || { echo "unexpected exit code" >&2; exit 1; }
cmp -s "$WORK/sqlite.txt" "$WORK/pg.txt" && echo "check prints the same on both stores" \
  || { echo "check output differs between the stores:" >&2; diff "$WORK/sqlite.txt" "$WORK/pg.txt" | head >&2; exit 1; }
echo "perfgate --version (floor): $(time_ms "$PERFGATE" --version)"
echo "perfgate check, SQLite:     $(time_ms "$PERFGATE" "${CHECK[@]}" --store "$WORK/history.sqlite")"
echo "perfgate check, PostgreSQL: $(time_ms "$PERFGATE" "${CHECK[@]}" --store "$PG")"
rm -f "$WORK/history.sqlite"*

echo "== (b) ingest of $SIZE_MB MB of k6 --out json"
DATA="$WORK/points.ndjson"
python3 ci/bench/gen-ingest-file.py "$DATA" "$SIZE_MB" k6
cat "$DATA" > /dev/null   # warm the page cache for every measurement
measure() {  # prints "wall_s cpu_s maxrss_kb"
  /usr/bin/time -f "%e %U %S %M" -o "$WORK/time" "$@" > "$WORK/out" 2>&1 || { cat "$WORK/out"; exit 1; }
  python3 -c "w,u,s,m=open('$WORK/time').read().split(); print(w, float(u)+float(s), m)"
}
read -r wc_wall _ _ <<<"$(measure wc -l "$DATA")"
# INGEST_ROUNDS rounds (default 3), SQLite and PostgreSQL in turn, each round a commit of its own (a
# new run in both stores); the medians are printed (one pair of runs moved by 30 % on a loaded machine).
: > "$WORK/rounds"
for round in $(seq 1 "${INGEST_ROUNDS:-3}"); do
  LABELS=(--commit "$(printf '%040x' "$round")" --branch main --environment bench --scenario bench)
  read -r sq_wall sq_cpu sq_rss <<<"$(measure "$PERFGATE" ingest "$DATA" --store "$WORK/h.sqlite" "${LABELS[@]}")"
  read -r pg_wall pg_cpu pg_rss <<<"$(measure "$PERFGATE" ingest "$DATA" --store "$PG_INGEST" "${LABELS[@]}")"
  echo "$sq_wall $sq_cpu $sq_rss $pg_wall $pg_cpu $pg_rss" >> "$WORK/rounds"
done
tail -1 "$WORK/out"
python3 - "$(stat -c %s "$DATA")" "$wc_wall" "$WORK/rounds" <<'PY'
import statistics, sys
b, wc = float(sys.argv[1]), float(sys.argv[2])
rows = [list(map(float, line.split())) for line in open(sys.argv[3])]
sw, sc, sr, pw, pc, pr = (statistics.median(r[i] for r in rows) for i in range(6))
print(f"{len(rows)} rounds in turn, medians:")
mb = b / 1048576
rate = f"{mb/wc:6.0f}" if wc >= 0.01 else f"> {mb/0.01:.0f}"  # /usr/bin/time counts 10 ms steps
print(f"wc -l (floor):               {wc:6.2f} s wall  {rate} MB/s")
print(f"perfgate ingest, SQLite:     {sw:6.2f} s wall  {mb/max(sw,1e-9):6.0f} MB/s  cpu {sc:5.2f} s  peak RSS {sr/1024:.1f} MB")
print(f"perfgate ingest, PostgreSQL: {pw:6.2f} s wall  {mb/max(pw,1e-9):6.0f} MB/s  cpu {pc:5.2f} s  peak RSS {pr/1024:.1f} MB")
print(f"PostgreSQL / SQLite: {pw/max(sw,1e-9):.2f}x wall (target <= 1.10)")
PY
if [ -z "$STARTED" ]; then
  # A server we did not start: leave it as we found it.
  for s in "$SCHEMA" "${SCHEMA}_ingest"; do
    bash ci/postgres.sh psql -q -c "DROP SCHEMA IF EXISTS $s CASCADE" >/dev/null 2>&1 \
      || echo "note: could not drop schema $s (drop it with psql)" >&2
  done
fi
