#!/usr/bin/env bash
# Starts a single-node Apache Kafka broker (KRaft, broker + controller in one JVM) on 127.0.0.1 for
# Tracklane's Kafka tests, and prints its bootstrap address (`127.0.0.1:<port>`) on stdout.
#
#   bash test/kafka/broker/start.sh            # fetch the jars (first run), format, start, wait until ready
#   bash test/kafka/broker/start.sh --fetch    # only fetch the broker jars from Maven Central (CI warm-up)
#   bash test/kafka/broker/stop.sh [--kill]    # stop it (SIGTERM, or SIGKILL to simulate a crash)
#
# Idempotent: when the broker of this state directory is already running it only prints its address.
# A restart keeps the log directory and the ports, so clients and data survive a stop/start.
#
# Needs java (17+) and mvn on PATH, and Maven Central. Jars go to test/kafka/broker/lib/ (cached; the
# Maven cache ~/.m2 makes even a wiped lib/ fast), the broker's state to test/kafka/broker/run/.
#
# Environment:
#   TRACKLANE_KAFKA_DIR            state directory (config, log dir, pid, ports, broker.log) [test/kafka/broker/run]
#   TRACKLANE_KAFKA_PORT           client port on a first start [a free port]
#   TRACKLANE_KAFKA_HEAP           JVM heap [512m]
#   TRACKLANE_KAFKA_START_TIMEOUT  seconds to wait for the broker [180]
#   TRACKLANE_KAFKA_OWNER_PID      stop the broker when this process exits (tests pass their pid)
#   MAVEN_ARGS                     extra arguments for mvn (e.g. -Dmaven.repo.local=...)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LIB="$HERE/lib"
STATE="${TRACKLANE_KAFKA_DIR:-$HERE/run}"
HEAP="${TRACKLANE_KAFKA_HEAP:-512m}"
TIMEOUT="${TRACKLANE_KAFKA_START_TIMEOUT:-180}"

say() { printf 'kafka: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

need() {
  command -v "$1" >/dev/null 2>&1 || die "$1 is not on PATH ($2)"
}

# --- 1. the broker's jars, from Maven Central -------------------------------------------------
fetch_jars() {
  local stamp
  stamp="$(sha256sum "$HERE/pom.xml" | cut -c1-64)"
  if [ -f "$LIB/.complete" ] && [ "$(cat "$LIB/.complete")" = "$stamp" ]; then return 0; fi
  need mvn "install Maven 3.8+, e.g. apt-get install -y maven"
  say "fetching the broker jars with Maven (pom: test/kafka/broker/pom.xml)"
  local started=$SECONDS
  rm -rf "$LIB.tmp"
  # shellcheck disable=SC2086 # MAVEN_ARGS is a list of arguments on purpose
  mvn -q -B -Dstyle.color=never ${MAVEN_ARGS:-} -f "$HERE/pom.xml" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$LIB.tmp" 2>&1 \
    | sed 's/\x1b\[[0-9;]*m//g' >&2 || die "mvn dependency:copy-dependencies failed"
  ls "$LIB.tmp"/kafka_2.13-*.jar >/dev/null 2>&1 || die "no kafka_2.13 jar in $LIB.tmp"
  echo "$stamp" >"$LIB.tmp/.complete"
  rm -rf "$LIB"
  mv "$LIB.tmp" "$LIB"
  say "jars in test/kafka/broker/lib ($(ls "$LIB" | wc -l) files, $((SECONDS - started)) s)"
}

# --- helpers -----------------------------------------------------------------------------------
free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{process.stdout.write(String(s.address().port));s.close()})'
}

# Alive and not a zombie (an exited JVM whose parent has not reaped it yet holds nothing).
alive() { kill -0 "$1" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != "Z" ]; }

port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

port_answers() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# The pid of this state directory's broker when it is alive (and really is that broker).
running_pid() {
  [ -f "$STATE/broker.pid" ] || return 1
  local pid
  pid="$(cat "$STATE/broker.pid")"
  [ -n "$pid" ] && alive "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "kafka.Kafka $STATE/server.properties" || return 1
  echo "$pid"
}

java_cmd() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then echo "$JAVA_HOME/bin/java"; else need java "install a JDK 17+, e.g. apt-get install -y openjdk-17-jre-headless"; echo java; fi
}

write_config() {
  local port=$1 controller_port=$2
  cat >"$STATE/server.properties" <<EOF
# Written by test/kafka/broker/start.sh: one node, broker and controller, loopback only, for tests.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$STATE/data
# Topics are created by their owners (the collector's Kafka sink creates its topics).
auto.create.topics.enable=false
num.partitions=3
default.replication.factor=1
min.insync.replicas=1
# A single node: every internal topic has one replica and few partitions (fast start).
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
share.coordinator.state.topic.num.partitions=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=2
num.recovery.threads.per.data.dir=1
log.retention.hours=24
EOF
  cat >"$STATE/log4j2.properties" <<'EOF'
status = warn
appender.out.type = Console
appender.out.name = OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.out.ref = OUT
logger.server.name = kafka.server.KafkaRaftServer
logger.server.level = INFO
EOF
}

cluster_id() {
  local id
  # A Kafka Uuid: 16 random bytes, URL-safe base64 without padding; one not starting with '-'.
  while :; do
    id="$(head -c16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    case "$id" in -*) ;; *) echo "$id"; return ;; esac
  done
}

# --- main ----------------------------------------------------------------------------------------
fetch_jars
if [ "${1:-}" = "--fetch" ]; then exit 0; fi

mkdir -p "$STATE"
exec 9>"$STATE/.lock"
flock -w "$TIMEOUT" 9 || die "another start.sh holds $STATE/.lock"

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# Waits until broker $1 logged that it started and port $2 answers; gives up after $TIMEOUT s.
wait_ready() {
  local pid=$1 port=$2 since
  since=$(now_ms)
  while :; do
    if ! alive "$pid"; then
      tail -n 40 "$STATE/broker.log" >&2 || true
      say "the broker exited while starting (log: $STATE/broker.log)"
      return 1
    fi
    if grep -q "Kafka Server started" "$STATE/broker.log" && port_answers "$port"; then return 0; fi
    if [ $(($(now_ms) - since)) -ge $((TIMEOUT * 1000)) ]; then
      tail -n 40 "$STATE/broker.log" >&2 || true
      say "the broker (pid $pid) is not ready after $TIMEOUT s (log: $STATE/broker.log)"
      return 1
    fi
    sleep 0.25
  done
}

if pid="$(running_pid)"; then
  # Already running (maybe still starting or recovering): wait for it rather than start another.
  port="$(cat "$STATE/broker.port")"
  wait_ready "$pid" "$port" || exit 1
  echo "127.0.0.1:$port"
  exit 0
fi

JAVA="$(java_cmd)"
started=$(now_ms)

# Ports: the same as last time (clients keep their bootstrap address across a restart) when free.
port="$(cat "$STATE/broker.port" 2>/dev/null || true)"
controller_port="$(cat "$STATE/controller.port" 2>/dev/null || true)"
if [ -z "$port" ] || ! port_free "$port"; then port="${TRACKLANE_KAFKA_PORT:-$(free_port)}"; fi
if [ -z "$controller_port" ] || [ "$controller_port" = "$port" ] || ! port_free "$controller_port"; then
  controller_port="$(free_port)"
  while [ "$controller_port" = "$port" ]; do controller_port="$(free_port)"; done
fi
write_config "$port" "$controller_port"
echo "$port" >"$STATE/broker.port"
echo "$controller_port" >"$STATE/controller.port"

CP="$LIB/*"
JVM_OPTS=(-Xmx"$HEAP" -Xms128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true
  -Dlog4j2.configurationFile="$STATE/log4j2.properties")

if [ ! -f "$STATE/data/meta.properties" ]; then
  id="$(cluster_id)"
  say "formatting the KRaft log directory $STATE/data (cluster $id)"
  "$JAVA" "${JVM_OPTS[@]}" -cp "$CP" kafka.tools.StorageTool format \
    -t "$id" -c "$STATE/server.properties" --ignore-formatted >&2 || die "formatting $STATE/data failed"
fi

: >"$STATE/broker.log"
nohup "$JAVA" "${JVM_OPTS[@]}" -cp "$CP" kafka.Kafka "$STATE/server.properties" \
  >>"$STATE/broker.log" 2>&1 </dev/null 9>&- &
pid=$!
echo "$pid" >"$STATE/broker.pid"

if [ -n "${TRACKLANE_KAFKA_OWNER_PID:-}" ]; then
  # Watchdog: a test run that dies without stopping the broker does not leave it behind.
  owner="$TRACKLANE_KAFKA_OWNER_PID"
  nohup bash -c "while kill -0 $owner 2>/dev/null && kill -0 $pid 2>/dev/null; do sleep 2; done; kill $pid 2>/dev/null" \
    >/dev/null 2>&1 </dev/null 9>&- &
fi

wait_ready "$pid" "$port" || { kill "$pid" 2>/dev/null; exit 1; }
say "broker pid $pid ready on 127.0.0.1:$port in $(awk "BEGIN { printf \"%.1f\", ($(now_ms) - $started) / 1000 }") s (state: $STATE)"
echo "127.0.0.1:$port"
