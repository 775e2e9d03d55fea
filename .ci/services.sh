#!/usr/bin/env bash
# Starts the servers the full test suite needs, on 127.0.0.1 only, under $WORK (default .ci-work/).
# Usage: source .ci/services.sh   (exports ASTRALYTIQ_TEST_POSTGRES, ASTRALYTIQ_TEST_SMALL_DISK)   ·   .ci/services.sh stop
set -euo pipefail
WORK="${WORK:-$(pwd)/.ci-work}"
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
PG_PORT="${PG_PORT:-5433}"
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"

stop_services() {
  if mountpoint -q "$WORK/small-disk" 2>/dev/null; then
    umount "$WORK/small-disk" || true
  fi
  if [ -n "$PG_BIN" ] && [ -f "$WORK/pg/postmaster.pid" ]; then
    su postgres -c "$PG_BIN/pg_ctl -D $WORK/pg -m fast -w stop" >/dev/null 2>&1 || true
  fi
}

if [ "${1:-}" = "stop" ]; then
  stop_services
  exit 0
fi

start_postgres() {
  [ -n "$PG_BIN" ] || { echo "PostgreSQL server binaries not found under /usr/lib/postgresql" >&2; return 1; }
  mkdir -p "$WORK"
  chmod 755 "$WORK"
  if [ ! -f "$WORK/pg/PG_VERSION" ]; then
    rm -rf "$WORK/pg"
    install -d -o postgres -g postgres "$WORK/pg"
    su postgres -c "$PG_BIN/initdb -D $WORK/pg -U postgres --auth=trust --no-sync" >/dev/null
  fi
  if ! su postgres -c "$PG_BIN/pg_ctl -D $WORK/pg status" >/dev/null 2>&1; then
    while port_busy "$PG_PORT"; do PG_PORT=$((PG_PORT + 1)); done
    echo "$PG_PORT" > "$WORK/pg.port"
    su postgres -c "$PG_BIN/pg_ctl -D $WORK/pg -l $WORK/pg/server.log -o '-p $PG_PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300' -w start" >/dev/null
  fi
  [ -f "$WORK/pg.port" ] && PG_PORT="$(cat "$WORK/pg.port")"
  export ASTRALYTIQ_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=postgres;Pooling=false"
  echo "PostgreSQL on 127.0.0.1:$PG_PORT ($("$PG_BIN/postgres" --version))"
}

start_postgres

# A small disk of its own (tmpfs, 64 MiB) for the test that fills a disk: the platform's data directory on it runs
# out of space while the rest of the machine does not. Needs root (CI runs as root); without it that test skips.
start_small_disk() {
  local dir="$WORK/small-disk"
  mkdir -p "$dir"
  if mountpoint -q "$dir" || mount -t tmpfs -o size=64m,mode=0777 tmpfs "$dir" 2>/dev/null; then
    export ASTRALYTIQ_TEST_SMALL_DISK="$dir"
    echo "Small disk (tmpfs, 64 MiB) at $dir"
  else
    echo "No small disk: mounting a tmpfs needs root (the disk-full test will skip)"
  fi
}

start_small_disk
