# Sourced by the fixture generators (ci/gen-capacity-fixtures.sh, ci/gen-steady-fixtures.sh): a
# scratch directory WORK removed on exit, and start_server / stop_server for ci/fixtures/server.py on
# a free port of 127.0.0.1 (PORT). Needs PYTHON, FIX_SRC, LATENCY and SERVER_SECONDS (the server's
# --max-seconds; `timeout` gets 10 s more) and a `log` function.
WORK="$(mktemp -d "${TMPDIR:-/tmp}/perfgate-fixtures.XXXXXX")"
SERVER_PID=""
PORT=""
stop_server() {
  if [[ -n "$SERVER_PID" ]]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}
cleanup() { stop_server; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_server ARGS... : a fresh server on a free port.
start_server() {
  stop_server
  : >"$WORK/server.out"
  timeout "$((SERVER_SECONDS + 10))" "$PYTHON" "$FIX_SRC/server.py" --port 0 --max-seconds "$SERVER_SECONDS" \
    --latency "$LATENCY" "$@" >"$WORK/server.out" 2>"$WORK/server.err" &
  SERVER_PID=$!
  PORT=""
  for _ in $(seq 1 100); do
    PORT="$(sed -n 's/^PORT=//p' "$WORK/server.out")"
    [[ -n "$PORT" ]] && break
    sleep 0.05
  done
  [[ -n "$PORT" ]] || { cat "$WORK/server.err" >&2; echo "server did not start" >&2; exit 1; }
  log "server on 127.0.0.1:$PORT ($*)"
}
