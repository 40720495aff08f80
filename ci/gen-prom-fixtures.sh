#!/usr/bin/env bash
# Regenerates Tests/PerfgateIngestTests/Fixtures/prometheus/: real Prometheus (Debian's `prometheus`
# package, 2.42) scraping ci/fixtures/server.py's /metrics every second while k6 loads the server,
# and the HTTP API's query_range responses saved with curl, as docs/server-metrics.md shows for CI.
#   leak/    server started with --leak-bytes 65536: app_memory_bytes grows per request (a known leak)
#   noleak/  the same run without the leak
#   error.prom.json   Prometheus's own error envelope for a query that does not parse
#   vector.prom.json  an instant query (resultType vector), which perfgate refuses
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=Tests/PerfgateIngestTests/Fixtures/prometheus
TMP=$(mktemp -d)
trap 'kill $SRV $PROM 2>/dev/null || true; rm -rf "$TMP"' EXIT

run_case() { # name leak-bytes
  local name=$1 leak=$2
  python3 ci/fixtures/server.py --port 0 --max-seconds 90 --leak-bytes "$leak" --pool-size 8 > "$TMP/port" &
  SRV=$!
  local port=""
  for _ in $(seq 100); do port=$(sed -n 's/^PORT=//p' "$TMP/port"); [ -n "$port" ] && break; sleep 0.2; done
  cat > "$TMP/prometheus.yml" <<YML
global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: app
    static_configs: [ { targets: ["127.0.0.1:$port"] } ]
YML
  rm -rf "$TMP/data"
  prometheus --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/data" \
    --web.listen-address=127.0.0.1:19090 > "$TMP/prom.log" 2>&1 &
  PROM=$!
  # Wait until Prometheus has scraped the server, then a few more scrapes before the test: samples
  # outside the run's window, which the ingest drops.
  for _ in $(seq 60); do
    curl -sfG http://127.0.0.1:19090/api/v1/query --data-urlencode 'query=app_memory_bytes' 2>/dev/null \
      | grep -q '"value"' && break
    sleep 0.5
  done
  sleep 4
  mkdir -p "$OUT/$name"
  BASE_URL="http://127.0.0.1:$port" VUS=4 DURATION=20s k6 run --quiet --no-color \
    --out json="$TMP/k6.ndjson" ci/fixtures/k6-script.js > /dev/null 2>&1 || true
  gzip -9n < "$TMP/k6.ndjson" > "$OUT/$name/k6.ndjson.gz"
  sleep 4  # and a few after
  local end; end=$(date +%s)
  local start=$((end - 36))
  q() { # file query
    curl -sfG http://127.0.0.1:19090/api/v1/query_range --data-urlencode "query=$2" \
      --data-urlencode start=$start --data-urlencode end=$end --data-urlencode step=1s > "$OUT/$name/$1"
  }
  q memory.prom.json 'app_memory_bytes'
  q cpu.prom.json 'app_cpu_ratio'
  q db.prom.json '{__name__=~"app_db_connections_in_use|app_db_connections_pool_size"}'
  q cache.prom.json 'app_cache_hit_ratio'
  q requests.prom.json 'app_requests_total'
  if [ "$name" = leak ]; then
    curl -sG http://127.0.0.1:19090/api/v1/query_range --data-urlencode 'query=rate(app_requests_total[' \
      --data-urlencode start=$start --data-urlencode end=$end --data-urlencode step=1s > "$OUT/error.prom.json" || true
    curl -sfG http://127.0.0.1:19090/api/v1/query --data-urlencode 'query=app_memory_bytes' > "$OUT/vector.prom.json"
  fi
  grep -q '"resultType":"matrix","result":\[\]' "$OUT/$name/memory.prom.json" && { cat "$TMP/prom.log" >&2; exit 1; }
  kill $PROM $SRV; wait $PROM $SRV 2>/dev/null || true
}
# CASES="noleak" regenerates one case.
for c in ${CASES:-leak noleak}; do
  case $c in leak) run_case leak 65536 ;; noleak) run_case noleak 0 ;; esac
  sleep 2  # let the port go before the next Prometheus binds it
done
ls -l "$OUT" "$OUT"/*/
