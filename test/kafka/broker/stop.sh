#!/usr/bin/env bash
# Stops the broker that test/kafka/broker/start.sh started (same TRACKLANE_KAFKA_DIR). The log
# directory stays, so start.sh brings the same broker, data and ports back.
#
#   bash test/kafka/broker/stop.sh           # SIGTERM: controlled shutdown, waits for the JVM to exit
#   bash test/kafka/broker/stop.sh --kill    # SIGKILL: a crash (for failure tests)
#   bash test/kafka/broker/stop.sh --purge   # stop, then delete the state directory (log dir included)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATE="${TRACKLANE_KAFKA_DIR:-$HERE/run}"
mode="${1:-}"

# Alive and not a zombie (an exited JVM whose parent has not reaped it yet holds nothing).
alive() { kill -0 "$1" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != "Z" ]; }

pid="$(cat "$STATE/broker.pid" 2>/dev/null || true)"
if [ -n "$pid" ] && alive "$pid" \
  && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "kafka.Kafka $STATE/server.properties"; then
  if [ "$mode" = "--kill" ]; then
    kill -KILL "$pid" 2>/dev/null || true
  else
    kill -TERM "$pid" 2>/dev/null || true
  fi
  # Wait for the JVM to exit (it holds the log directory's lock); SIGKILL after 30 s.
  for _ in $(seq 1 300); do
    alive "$pid" || break
    sleep 0.1
  done
  if alive "$pid"; then
    kill -KILL "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do alive "$pid" || break; sleep 0.1; done
  fi
  printf 'kafka: stopped broker pid %s\n' "$pid" >&2
fi
rm -f "$STATE/broker.pid"
if [ "$mode" = "--purge" ]; then rm -rf "$STATE"; fi
