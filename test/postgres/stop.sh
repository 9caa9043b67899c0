#!/usr/bin/env bash
# Stops the server that test/postgres/start.sh started (same TRACKLANE_POSTGRES_DIR). The data
# directory stays, so start.sh brings the same server, databases and port back.
#
#   bash test/postgres/stop.sh           # fast shutdown (pg_ctl stop -m fast), waits for it to exit
#   bash test/postgres/stop.sh --kill    # SIGKILL of the postmaster (a crash, for failure tests)
#   bash test/postgres/stop.sh --purge   # stop, then delete the state and the data directory
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATE="${TRACKLANE_POSTGRES_DIR:-$HERE/run}"
mode="${1:-}"

DATA="$(cat "$STATE/data.path" 2>/dev/null || true)"
BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n | tail -1 || true)"
[ -n "$BIN" ] && [ -x "$BIN/pg_ctl" ] || BIN="$(dirname "$(command -v pg_ctl 2>/dev/null || echo /nonexistent/pg_ctl)")"
if [ "$(id -u)" = 0 ]; then
  as_server() { runuser -u "${TRACKLANE_POSTGRES_USER:-postgres}" -- "$@"; }
else
  as_server() { "$@"; }
fi

if [ -n "$DATA" ] && [ -f "$DATA/postmaster.pid" ] && [ -x "$BIN/pg_ctl" ] && as_server "$BIN/pg_ctl" status -D "$DATA" >/dev/null 2>&1; then
  pid="$(head -1 "$DATA/postmaster.pid")"
  if [ "$mode" = "--kill" ]; then
    kill -KILL "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  else
    as_server "$BIN/pg_ctl" stop -D "$DATA" -m fast -w -t 30 >/dev/null 2>&1 || kill -KILL "$pid" 2>/dev/null || true
  fi
  printf 'postgres: stopped server pid %s\n' "$pid" >&2
fi
rm -f "$STATE/server.pid"
if [ "$mode" = "--purge" ]; then
  if [ -n "$DATA" ]; then rm -rf "$DATA"; fi
  rm -rf "$STATE"
fi
