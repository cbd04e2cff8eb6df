#!/usr/bin/env bash
# A throw-away PostgreSQL for the test suite and the scale bench.
#
#   .ci/postgres.sh          start (installing from Debian packages if needed); the last
#                            line printed is `export SLUICE_TEST_POSTGRES=postgres://…`
#   .ci/postgres.sh stop     stop the server and remove its data directory
#
# Typical use:  eval "$(.ci/postgres.sh | tail -n 1)"
# Settings (environment): SLUICE_PG_DIR (default /tmp/sluice-pg), SLUICE_PG_PORT (default 55432).
# The cluster trusts every local connection: for tests only, never for real data.
set -euo pipefail

DIR="${SLUICE_PG_DIR:-/tmp/sluice-pg}"
PORT="${SLUICE_PG_PORT:-55432}"
DB=sluice_test
DATA="$DIR/data"
LOG="$DIR/server.log"

log() { echo "postgres.sh: $*" >&2; }

find_bin() {
  if command -v initdb >/dev/null 2>&1; then
    # resolve symlinks (e.g. /usr/local/bin/initdb) to reach psql and createdb next to it
    dirname "$(readlink -f "$(command -v initdb)")"
    return 0
  fi
  local candidate
  candidate="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [ -n "$candidate" ] && [ -x "$candidate/initdb" ]; then
    echo "$candidate"
    return 0
  fi
  return 1
}

# initdb and postgres refuse to run as root: run them as the postgres user then.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

stop() {
  local bin
  case "$DIR" in
    "" | / | /tmp | /tmp/) log "refusing to remove '$DIR'"; exit 1 ;;
  esac
  if bin="$(find_bin)" && [ -f "$DATA/PG_VERSION" ]; then
    as_owner "$bin/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$DIR"
  log "stopped and removed $DIR"
}

start() {
  local bin
  if ! bin="$(find_bin)"; then
    log "initdb not found; installing PostgreSQL from Debian packages"
    if [ "$(id -u)" -ne 0 ]; then
      log "installing needs root"
      exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update >&2
    apt-get install -y postgresql >&2
    bin="$(find_bin)" || { log "initdb still not found after installing"; exit 1; }
  fi

  if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
    useradd --system --home-dir "$DIR" --shell /usr/sbin/nologin postgres
  fi

  mkdir -p "$DIR"
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$DIR"; fi

  if [ ! -f "$DATA/PG_VERSION" ]; then
    as_owner "$bin/initdb" -D "$DATA" -U postgres -A trust -E UTF8 --no-sync >/dev/null
  fi

  if as_owner "$bin/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    log "already running in $DIR"
  else
    as_owner "$bin/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c max_connections=200" start >/dev/null
  fi

  if ! as_owner "$bin/psql" -h 127.0.0.1 -p "$PORT" -U postgres -Atqc "SELECT 1 FROM pg_database WHERE datname = '$DB'" postgres | grep -q 1; then
    as_owner "$bin/createdb" -h 127.0.0.1 -p "$PORT" -U postgres "$DB"
  fi

  log "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT, data in $DATA"
  echo "export SLUICE_TEST_POSTGRES=postgres://postgres@127.0.0.1:$PORT/$DB"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  *)
    echo "usage: $0 [start|stop]" >&2
    exit 2
    ;;
esac
