#!/usr/bin/env bash
# Run one local Apache Kafka broker (KRaft, combined broker+controller) from Maven Central jars.
#   deploy/kafka/kafka.sh start|stop|status
# KAFKA_PORT (default 9092) picks the client port; the controller listens on KAFKA_PORT+10000.
# Jars and data live in LOGWARDEN_KAFKA_HOME (default ~/.cache/logwarden/kafka), outside git.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
port=${KAFKA_PORT:-9092}
controller_port=$((port + 10000))
home=${LOGWARDEN_KAFKA_HOME:-$HOME/.cache/logwarden/kafka}
lib=$home/lib
run=$home/run-$port
pidfile=$run/broker.pid
python=${PYTHON:-python3}

log() { printf 'kafka.sh: %s\n' "$*" >&2; }

is_running() {
  [[ -f $pidfile ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

answers() {
  "$python" "$here/probe.py" 127.0.0.1 "$port"
}

fetch_jars() {
  local stamp=$lib/.pom.sha256 want
  want=$(sha256sum "$here/pom.xml" | cut -d' ' -f1)
  if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then
    return
  fi
  log "fetching the broker jars from Maven Central into $lib"
  rm -rf "$lib" && mkdir -p "$lib"
  mvn -q -B -f "$here/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$lib" -DincludeScope=runtime
  echo "$want" >"$stamp"
}

java_opts() {
  echo "-Xms256m -Xmx768m -Dkafka.logs.dir=$run/logs -Dlog4j2.configurationFile=$here/log4j2.properties"
}

start() {
  if is_running; then
    log "broker already running on 127.0.0.1:$port (pid $(cat "$pidfile"))"
    wait_ready
    return
  fi
  if answers; then
    log "something already answers on 127.0.0.1:$port; reusing it"
    return
  fi
  fetch_jars
  mkdir -p "$run/logs" "$run/data"
  sed -e "s|@PORT@|$port|g" -e "s|@CONTROLLER_PORT@|$controller_port|g" -e "s|@DATA@|$run/data|g" \
    "$here/server.properties.in" >"$run/server.properties"
  if [[ ! -f $run/data/meta.properties ]]; then
    local cluster_id
    cluster_id=$(java -cp "$lib/*" kafka.tools.StorageTool random-uuid)
    # shellcheck disable=SC2046
    java $(java_opts) -cp "$lib/*" kafka.tools.StorageTool format \
      -t "$cluster_id" -c "$run/server.properties" --ignore-formatted >"$run/format.out" 2>&1
  fi
  # shellcheck disable=SC2046
  nohup java $(java_opts) -cp "$lib/*" kafka.Kafka "$run/server.properties" \
    >"$run/broker.out" 2>&1 </dev/null &
  echo $! >"$pidfile"
  log "started broker pid $(cat "$pidfile"); waiting for metadata on 127.0.0.1:$port"
  wait_ready
}

wait_ready() {
  local deadline=$((SECONDS + ${KAFKA_START_TIMEOUT:-90}))
  until answers; do
    if ! is_running; then
      log "broker exited during start; last lines of $run/broker.out:"
      tail -n 30 "$run/broker.out" >&2 || true
      exit 1
    fi
    if ((SECONDS > deadline)); then
      log "broker did not answer metadata within ${KAFKA_START_TIMEOUT:-90}s"
      tail -n 30 "$run/broker.out" >&2 || true
      exit 1
    fi
    sleep 0.5
  done
  log "broker ready on 127.0.0.1:$port"
}

stop() {
  if ! is_running; then
    log "no broker running on port $port"
    rm -f "$pidfile"
    return
  fi
  local pid
  pid=$(cat "$pidfile")
  kill "$pid"
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "broker did not stop in 30s; killing pid $pid"
    kill -9 "$pid"
  fi
  rm -f "$pidfile"
  log "broker stopped"
}

status() {
  if is_running && answers; then
    echo "running: 127.0.0.1:$port pid $(cat "$pidfile")"
  elif is_running; then
    echo "starting: pid $(cat "$pidfile") not answering yet"
    return 1
  else
    echo "stopped"
    return 3
  fi
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  status) status ;;
  restart) stop; start ;;
  *) echo "usage: $0 start|stop|status|restart" >&2; exit 2 ;;
esac
