#!/usr/bin/env bash
# Starts a PostgreSQL server on 127.0.0.1 for Tracklane's warehouse tests and prints its connection
# URL (`postgres://tracklane@127.0.0.1:<port>/postgres`) on stdout.
#
#   bash test/postgres/start.sh            # initdb (first run), pg_ctl start, wait until it answers
#   bash test/postgres/start.sh --check    # only check that Debian's binaries are there
#   bash test/postgres/stop.sh [--kill]    # stop it (fast shutdown, or SIGKILL to simulate a crash)
#
# Idempotent: when this state directory's server is running it only prints the URL. A restart keeps
# the data directory and the port. Uses Debian's binaries (/usr/lib/postgresql/<major>/bin, the
# newest; `apt-get install -y postgresql`). PostgreSQL refuses to run as root: as root the server
# runs as the unprivileged user TRACKLANE_POSTGRES_USER (the Debian package creates `postgres`),
# and its data directory and socket directory are owned by that user.
# Loopback only, trust authentication (a test server: nothing else can connect to it).
#
# Environment:
#   TRACKLANE_POSTGRES_DIR            state directory (url, port, pid, server.log) [test/postgres/run]
#   TRACKLANE_POSTGRES_PORT           port on a first start [a free port]
#   TRACKLANE_POSTGRES_USER           the user that runs the server when started as root [postgres]
#   TRACKLANE_POSTGRES_START_TIMEOUT  seconds to wait for the server [60]
#   TRACKLANE_POSTGRES_OWNER_PID      stop the server when this process exits (tests pass their pid)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATE="${TRACKLANE_POSTGRES_DIR:-$HERE/run}"
TIMEOUT="${TRACKLANE_POSTGRES_START_TIMEOUT:-60}"
ROLE=tracklane

say() { printf 'postgres: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# Debian installs each major under /usr/lib/postgresql/<major>/bin; the newest wins.
bin_dir() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n | tail -1 || true)"
  if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return; fi
  if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then dirname "$(command -v pg_ctl)"; return; fi
  die "PostgreSQL's initdb and pg_ctl are not installed: apt-get install -y postgresql (Debian)"
}

BIN="$(bin_dir)"
if [ "${1:-}" = "--check" ]; then say "binaries in $BIN"; exit 0; fi

# As root, every server command runs as the unprivileged user.
if [ "$(id -u)" = 0 ]; then
  SERVER_USER="${TRACKLANE_POSTGRES_USER:-postgres}"
  id "$SERVER_USER" >/dev/null 2>&1 || die "user $SERVER_USER does not exist (the postgresql package creates postgres; or set TRACKLANE_POSTGRES_USER)"
  as_server() { runuser -u "$SERVER_USER" -- "$@"; }
else
  SERVER_USER="$(id -un)"
  as_server() { "$@"; }
fi

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{process.stdout.write(String(s.address().port));s.close()})'
}
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

mkdir -p "$STATE"
exec 9>"$STATE/.lock"
flock -w "$TIMEOUT" 9 || die "another start.sh holds $STATE/.lock"

# The data directory: in the state directory when the server user can write there, else in a
# private temp directory of that user (its path kept in data.path), e.g. a checkout root cannot share.
data_dir() {
  if [ -f "$STATE/data.path" ] && [ -d "$(cat "$STATE/data.path")" ]; then cat "$STATE/data.path"; return; fi
  local dir="$STATE/data"
  if [ "$(id -u)" = 0 ]; then
    mkdir -p "$dir" && chown "$SERVER_USER" "$dir" && chmod 700 "$dir"
    if ! as_server test -w "$dir"; then
      rmdir "$dir" 2>/dev/null || true
      dir="$(as_server mktemp -d "${TMPDIR:-/tmp}/tracklane-postgres-XXXXXX")"
    fi
  fi
  echo "$dir" >"$STATE/data.path"
  echo "$dir"
}

DATA="$(data_dir)"
SOCKETS="$DATA/sockets"
url() { echo "postgres://$ROLE@127.0.0.1:$1/postgres"; }

ready() { "$BIN/pg_isready" -q -h 127.0.0.1 -p "$1" -U "$ROLE" -d postgres -t 1; }

wait_ready() {
  local port=$1 since=$SECONDS
  until ready "$port"; do
    if [ $((SECONDS - since)) -ge "$TIMEOUT" ]; then
      tail -n 40 "$STATE/server.log" >&2 || true
      die "the server is not ready on 127.0.0.1:$port after $TIMEOUT s (log: $STATE/server.log)"
    fi
    sleep 0.2
  done
}

running() { [ -f "$DATA/postmaster.pid" ] && as_server "$BIN/pg_ctl" status -D "$DATA" >/dev/null 2>&1; }

if running; then
  port="$(cat "$STATE/port")"
  wait_ready "$port"
  url "$port"
  exit 0
fi

started=$SECONDS
if [ ! -f "$DATA/PG_VERSION" ]; then
  say "initdb $DATA (as $SERVER_USER)"
  # The superuser is `tracklane` whoever runs the server, so the URL is the same everywhere.
  as_server "$BIN/initdb" -D "$DATA" -U "$ROLE" --auth=trust --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$STATE/initdb.log" 2>&1 \
    || { cat "$STATE/initdb.log" >&2; die "initdb failed"; }
fi
as_server mkdir -p "$SOCKETS"

port="$(cat "$STATE/port" 2>/dev/null || true)"
if [ -z "$port" ] || ! port_free "$port"; then port="${TRACKLANE_POSTGRES_PORT:-$(free_port)}"; fi
echo "$port" >"$STATE/port"

# The log goes where the server user can write; copied next to the state on failure.
LOG="$DATA/server.log"
# Tests, not production: no fsync (a kill -9 of the loader is what the tests crash, not the server).
as_server "$BIN/pg_ctl" start -D "$DATA" -l "$LOG" -w -t "$TIMEOUT" -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$SOCKETS -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c shared_buffers=128MB" >&2 9>&- \
  || { cp "$LOG" "$STATE/server.log" 2>/dev/null; tail -n 40 "$LOG" >&2 || true; die "pg_ctl start failed (log: $LOG)"; }
ln -sf "$LOG" "$STATE/server.log"
as_server cat "$DATA/postmaster.pid" | head -1 >"$STATE/server.pid"
pid="$(cat "$STATE/server.pid")"

if [ -n "${TRACKLANE_POSTGRES_OWNER_PID:-}" ]; then
  # Watchdog: a test run that dies without stopping the server does not leave it behind.
  owner="$TRACKLANE_POSTGRES_OWNER_PID"
  nohup bash -c "while kill -0 $owner 2>/dev/null && kill -0 $pid 2>/dev/null; do sleep 2; done; kill -INT $pid 2>/dev/null" \
    >/dev/null 2>&1 </dev/null 9>&- &
fi

wait_ready "$port"
say "server pid $pid ready on 127.0.0.1:$port in $((SECONDS - started)) s (data: $DATA, as $SERVER_USER)"
url "$port"
