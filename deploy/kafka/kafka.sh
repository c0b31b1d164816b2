#!/usr/bin/env bash
# Run one local Apache Kafka broker (KRaft, combined broker+controller) from Maven Central jars.
#   deploy/kafka/kafka.sh start [--secure]|stop|status|restart|reset
# reset stops the broker on this port and deletes its run directory (topics, logs, secrets),
# so the next start formats a fresh broker; CI starts from one.
# KAFKA_PORT (default 9092) picks the client port; the controller listens on KAFKA_PORT+10000.
# Jars and data live in LOGWARDEN_KAFKA_HOME (default ~/.cache/logwarden/kafka), outside git.
# --secure (or KAFKA_SECURE=1): the client port speaks SASL_SSL (SCRAM) with the
# StandardAuthorizer; a CA, the broker's certificate, one password per principal and a
# client.properties per principal are made in the run directory (see README "Security").
# Use another port for it (e.g. KAFKA_PORT=9392): a run directory keeps the mode it began with.
# A second client port (KAFKA_MTLS_PORT, default KAFKA_PORT+1) speaks SSL and requires a client
# certificate (mutual TLS); each principal gets one (CN=<principal>) and a <principal>-mtls.properties.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
port=${KAFKA_PORT:-9092}
controller_port=$((port + 10000))
mtls_port=${KAFKA_MTLS_PORT:-$((port + 1))}
home=${LOGWARDEN_KAFKA_HOME:-$HOME/.cache/logwarden/kafka}
lib=$home/lib
run=$home/run-$port
pidfile=$run/broker.pid
python=${PYTHON:-python3}
secure=${KAFKA_SECURE:-0}
[[ -f $run/secure ]] && secure=1  # a run directory keeps the mode it was formatted in
# The principals ACLs are planned for (logwarden acls plan); admin is the only super user.
principals=(admin worker emitter analytics privacy)

log() { printf 'kafka.sh: %s\n' "$*" >&2; }

is_running() {
  [[ -f $pidfile ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

answers() {
  if [[ -f $run/secure ]]; then  # TLS handshake plus ApiVersions, which needs no login
    "$python" "$here/probe.py" 127.0.0.1 "$port" --tls "$run/tls/ca.pem"
  else
    "$python" "$here/probe.py" 127.0.0.1 "$port"
  fi
}

# CA, broker certificate (SAN 127.0.0.1 and localhost), passwords and client.properties.
make_secrets() {
  local tls=$run/tls secrets=$run/secrets clients=$run/clients user
  mkdir -p "$tls" "$secrets" "$clients"
  chmod 700 "$tls" "$secrets" "$clients"
  if [[ ! -f $tls/ca.pem ]]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=logwarden local CA" \
      -keyout "$tls/ca.key" -out "$tls/ca.pem" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
      -keyout "$tls/broker.key" -out "$tls/broker.csr" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$tls/san.ext"
    openssl x509 -req -in "$tls/broker.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" \
      -CAcreateserial -days 30 -extfile "$tls/san.ext" -out "$tls/broker.crt" 2>/dev/null
    openssl pkcs8 -topk8 -nocrypt -in "$tls/broker.key" -out "$tls/broker.pk8"
    cat "$tls/broker.pk8" "$tls/broker.crt" >"$tls/broker.pem"
  fi
  for user in "${principals[@]}"; do
    [[ -f $secrets/$user.password ]] || (umask 077; openssl rand -hex 24 >"$secrets/$user.password")
    if [[ ! -f $clients/$user.crt ]]; then  # mutual TLS: the CN is the principal
      openssl req -newkey rsa:2048 -nodes -subj "/CN=$user" -keyout "$clients/$user.key" \
        -out "$clients/$user.csr" 2>/dev/null
      openssl x509 -req -in "$clients/$user.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" \
        -CAcreateserial -days 30 -out "$clients/$user.crt" 2>/dev/null
      chmod 600 "$clients/$user.key"
    fi
    (umask 077; cat >"$clients/$user-mtls.properties" <<PROPS
# $user on the local secure broker's mutual-TLS port $mtls_port (made by deploy/kafka/kafka.sh)
security.protocol=SSL
ssl.ca.location=$tls/ca.pem
ssl.certificate.location=$clients/$user.crt
ssl.key.location=$clients/$user.key
PROPS
    )
    (umask 077; cat >"$clients/$user.properties" <<PROPS
# $user on the local secure broker (made by deploy/kafka/kafka.sh)
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="$user" password="$(cat "$secrets/$user.password")";
ssl.ca.location=$tls/ca.pem
PROPS
    )
  done
}

scram_args() {
  local user pw
  for user in "${principals[@]}"; do
    pw=$(cat "$run/secrets/$user.password")
    printf -- '--add-scram\nSCRAM-SHA-512=[name=%s,password=%s]\n' "$user" "$pw"
    printf -- '--add-scram\nSCRAM-SHA-256=[name=%s,password=%s]\n' "$user" "$pw"
  done
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
  if [[ $secure == 1 && -f $run/data/meta.properties && ! -f $run/secure ]]; then
    log "$run holds a plaintext broker; use another KAFKA_PORT for --secure"
    exit 1
  fi
  mkdir -p "$run/logs" "$run/data"
  local template=$here/server.properties.in extra=()
  if [[ $secure == 1 ]]; then
    make_secrets
    touch "$run/secure"
    template=$here/server-secure.properties.in
    mapfile -t extra < <(scram_args)
  fi
  (umask 077; sed -e "s|@PORT@|$port|g" -e "s|@CONTROLLER_PORT@|$controller_port|g" \
    -e "s|@MTLS_PORT@|$mtls_port|g" \
    -e "s|@DATA@|$run/data|g" -e "s|@TLS@|$run/tls|g" \
    -e "s|@ADMIN_PASSWORD@|$(cat "$run/secrets/admin.password" 2>/dev/null || true)|g" \
    "$template" >"$run/server.properties")
  if [[ ! -f $run/data/meta.properties ]]; then
    local cluster_id
    cluster_id=$(java -cp "$lib/*" kafka.tools.StorageTool random-uuid)
    # shellcheck disable=SC2046
    java $(java_opts) -cp "$lib/*" kafka.tools.StorageTool format \
      -t "$cluster_id" -c "$run/server.properties" --ignore-formatted "${extra[@]}" \
      >"$run/format.out" 2>&1
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

reset() {
  stop
  if [[ -d $run ]]; then
    rm -rf "$run"
    log "removed $run"
  fi
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

if [[ ${2:-} == --secure ]]; then
  secure=1
elif [[ -n ${2:-} ]]; then
  echo "usage: $0 start [--secure]|stop|status|restart|reset" >&2; exit 2
fi

case ${1:-} in
  start) start ;;
  stop) stop ;;
  status) status ;;
  restart) stop; start ;;
  reset) reset ;;
  *) echo "usage: $0 start [--secure]|stop|status|restart|reset" >&2; exit 2 ;;
esac
