#!/usr/bin/env bash
# A throwaway PostgreSQL server on 127.0.0.1 for the PostgreSQL store's tests (docs/postgres.md).
#
#   eval "$(bash ci/postgres.sh start)"   # installs the server if missing, starts it, prints
#                                         #   export PERFGATE_TEST_POSTGRES=postgres://…
#                                         #   export PERFGATE_PG_DIR=…
#   bash ci/postgres.sh stop              # stops it and deletes its data directory
#
# The data directory is a new temporary directory; the server listens on 127.0.0.1 only (and a Unix
# socket inside that directory), with a password for the test role. Runs as root or as a normal user.
set -euo pipefail

cmd="${1:-}"
state="${PERFGATE_PG_STATE:-/tmp/perfgate-ci-postgres.dir}"

find_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  return 1
}

as_owner() {
  # initdb and postgres refuse to run as root: run them as the 'postgres' account then.
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
start)
  if ! bin="$(find_bin)"; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    echo "ci/postgres.sh: installing PostgreSQL from Debian's packages" >&2
    $SUDO apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >&2
    bin="$(find_bin)"
  fi
  dir="$(mktemp -d /tmp/perfgate-pg.XXXXXX)"
  chmod 755 "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
  port="${PERFGATE_PG_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}"
  pwfile="$dir/.pw"
  as_owner bash -c "echo postgres > '$pwfile'"
  as_owner "$bin/initdb" -D "$dir/data" -U postgres --pwfile="$pwfile" --auth-local=trust \
    --auth-host=scram-sha-256 -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=off -c max_connections=100" \
    start >&2 || { cat "$dir/server.log" >&2; exit 1; }
  as_owner "$bin/psql" -q -h "$dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 >&2 <<SQL
CREATE ROLE perfgate LOGIN PASSWORD 'perfgate';
CREATE DATABASE perfgate OWNER perfgate;
SQL
  echo "$dir" >"$state"
  echo "$bin" >"$dir/bin"
  echo "$port" >"$dir/port"
  echo "export PERFGATE_PG_DIR='$dir'"
  echo "export PERFGATE_TEST_POSTGRES='postgres://perfgate:perfgate@127.0.0.1:$port/perfgate?sslmode=disable'"
  ;;
stop)
  dir="${PERFGATE_PG_DIR:-$(cat "$state" 2>/dev/null || true)}"
  [ -n "$dir" ] && [ -d "$dir" ] || exit 0
  as_owner "$(cat "$dir/bin")/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir" "$state"
  ;;
psql)
  # Superuser psql on the running test server: bash ci/postgres.sh psql -c 'SELECT 1'
  shift
  dir="${PERFGATE_PG_DIR:-$(cat "$state")}"
  as_owner "$(cat "$dir/bin")/psql" -h "$dir" -p "$(cat "$dir/port")" -U postgres -d perfgate "$@"
  ;;
*)
  echo "usage: ci/postgres.sh start|stop|psql [ARGS]" >&2
  exit 64
  ;;
esac
