#!/usr/bin/env bash
# Whole-process ingest benchmark: builds a >= 1 GB k6 NDJSON file from the real sample
# (Tests/PerfgateIngestTests/Fixtures/generated/k6/points.ndjson, Point lines repeated), times
# `wc -l` on it as the floor, then `perfgate ingest` (parse + SHA-256 of the file + one SQLite
# transaction) with wall time, CPU time and peak RSS. Targets: >= 300 MB/s, peak RSS < 100 MB.
# `ci/bench-ingest.sh jmeter [SIZE_MB]` does the same with a JMeter CSV JTL built from the real
# corpus JTL (Tests/PerfgateIngestTests/Fixtures/corpus/jmeter/blazedemo-results.jtl, header once,
# rows repeated); same targets. `ci/bench-ingest.sh xml [SIZE_MB]` does it with a JMeter XML JTL
# of the same real samples (ci/gen-jmeter-xml.py: the corpus JTL's rows as JMeter's XML, repeated);
# the XML reader streams, so its peak RSS must not grow with SIZE_MB. `ci/bench-ingest.sh k6csv [SIZE_MB]`
# does it with a k6 --out csv file built from the real sample (Tests/PerfgateIngestTests/Fixtures/
# generated/k6/points.csv, header once, rows repeated). `ci/bench-ingest.sh locust [SIZE_MB]` ingests a
# Locust stats file whose stats_history companion is SIZE_MB of the real corpus history's rows, repeated
# later in time. For the CSV kinds a Python `csv.reader` loop over the same (history) file is timed too
# (the issue's anchor: ≥ 5× faster than Python's csv).
# For k6 NDJSON a Python loop of orjson.loads over every line is the anchor (the issue: ≥ 10× it).
# Usage: ci/bench-ingest.sh [jmeter|xml|k6csv|locust] [SIZE_MB]   (the file is deleted afterwards)
# Binary: ci/bench/binary.sh (static release build in $PERFGATE_BUILD_DIR or .build; PERFGATE_BIN_DIR=DIR
# or PERFGATE_BIN=FILE uses one already built).
set -euo pipefail
cd "$(dirname "$0")/.."
KIND=k6
if [[ "${1:-}" == "jmeter" || "${1:-}" == "xml" || "${1:-}" == "k6csv" || "${1:-}" == "locust" ]]; then KIND="$1"; shift; fi
SIZE_MB="${1:-1024}"
. ci/bench/binary.sh perfgate
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
case "$KIND" in
  jmeter) DATA="$WORK/results.jtl" ;;
  xml) DATA="$WORK/results.xml" ;;
  k6csv) DATA="$WORK/points.csv" ;;
  locust) DATA="$WORK/run_stats_history.csv" ;;
  *) DATA="$WORK/points.ndjson" ;;
esac
INPUT="$DATA"
[[ "$KIND" == locust ]] && INPUT="$WORK/run_stats.csv"   # the history is the stats file's companion
if [[ "$KIND" == xml ]]; then
  python3 ci/gen-jmeter-xml.py Tests/PerfgateIngestTests/Fixtures/corpus/jmeter/blazedemo-results.jtl "$DATA" "$SIZE_MB"
else
python3 ci/bench/gen-ingest-file.py "$DATA" "$SIZE_MB" "$KIND"
fi
BYTES=$(stat -c %s "$DATA")
MB=$(python3 -c "print(f'{$BYTES/1048576:.0f}')")
case "$KIND" in
  jmeter) echo "file: $MB MB of real JMeter CSV JTL rows" ;;
  xml) echo "file: $MB MB of real JMeter samples as an XML JTL" ;;
  k6csv) echo "file: $MB MB of real k6 --out csv rows" ;;
  locust) echo "file: $MB MB of real Locust stats_history rows (with its stats file)" ;;
  *) echo "file: $MB MB of real k6 --out json points" ;;
esac
cat "$DATA" > /dev/null   # warm the page cache for both measurements
measure() {  # prints "wall_s cpu_s maxrss_kb"
  /usr/bin/time -f "%e %U %S %M" -o "$WORK/time" "$@" > "$WORK/out" 2>&1 || { cat "$WORK/out"; exit 1; }
  python3 -c "w,u,s,m=open('$WORK/time').read().split(); print(w, float(u)+float(s), m)"
}
read -r wc_wall wc_cpu _ <<<"$(measure wc -l "$DATA")"
read -r pg_wall pg_cpu pg_rss <<<"$(measure "$PERFGATE" ingest "$INPUT" --store "$WORK/h.sqlite" \
  --commit 0123456789abcdef0123456789abcdef01234567 --branch main --environment bench --scenario bench)"
python3 - "$BYTES" "$wc_wall" "$wc_cpu" "$pg_wall" "$pg_cpu" "$pg_rss" <<'PY'
import sys
b, wcw, wcc, pw, pc, rss = map(float, sys.argv[1:])
mb = b / 1048576
rate = lambda s: f"{mb/s:7.0f}" if s >= 0.01 else f"> {mb/0.01:.0f}"  # /usr/bin/time counts 10 ms steps
print(f"wc -l (floor):    {wcw:6.2f} s wall  {rate(wcw)} MB/s   cpu {wcc:5.2f} s")
print(f"perfgate ingest:  {pw:6.2f} s wall  {mb/max(pw,1e-9):7.0f} MB/s   cpu {pc:5.2f} s ({mb/max(pc,1e-9):.0f} MB/s of CPU)   peak RSS {rss/1024:.1f} MB")
PY
tail -1 "$WORK/out"
if [[ "$KIND" == jmeter || "$KIND" == k6csv || "$KIND" == locust ]]; then
  read -r py_wall py_cpu _ <<<"$(measure python3 -c "import csv,sys
n=0
for row in csv.reader(open(sys.argv[1], newline='')): n += 1" "$DATA")"
  python3 -c "mb=$BYTES/1048576; print(f'python csv.reader loop (anchor): {$py_wall:6.2f} s wall  {mb/max($py_wall,1e-9):7.0f} MB/s   cpu {$py_cpu:5.2f} s; perfgate is {$py_wall/max($pg_wall,1e-9):.1f}x its wall time, {$py_cpu/max($pg_cpu,1e-9):.1f}x its CPU time')"
elif [[ "$KIND" == k6 ]]; then
  # The issue's anchor for NDJSON: a loop parsing every line with orjson (Python's fastest JSON parser;
  # the standard json module when orjson is not installed), one process, no store.
  if python3 -c "import orjson" 2>/dev/null; then parser=orjson; else parser=json; fi
  read -r py_wall py_cpu _ <<<"$(measure python3 -c "import sys, $parser as j
n=0
for line in open(sys.argv[1], 'rb'): j.loads(line); n += 1" "$DATA")"
  python3 -c "mb=$BYTES/1048576; print(f'python $parser.loads loop (anchor): {$py_wall:6.2f} s wall  {mb/max($py_wall,1e-9):7.0f} MB/s   cpu {$py_cpu:5.2f} s; perfgate is {$py_wall/max($pg_wall,1e-9):.1f}x its wall time, {$py_cpu/max($pg_cpu,1e-9):.1f}x its CPU time')"
fi
