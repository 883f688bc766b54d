#!/usr/bin/env bash
# The services sepal's broker and store tests talk to, on loopback:
#   nats 4222 (JetStream) · redis 6379 · rabbitmq 5672 (guest/guest) · postgres 5432 (trust) · kafka 9092
#
#   scripts/services.sh up [name...]     install what is missing (apt), start what is down, wait for the ports
#   scripts/services.sh status           one line per service; exit 1 if any is down
#   scripts/services.sh restart <name>   stop and start the broker process itself (reconnect tests use this)
#   scripts/services.sh down <name>      stop it
#   scripts/services.sh install [name...] only install what is missing (e.g. when building a machine image)
#
# Idempotent and quiet when everything is already up. Kafka has no Debian package: scripts/kafka.sh runs it
# from its Maven Central jars.
set -euo pipefail

SCRIPTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ALL_SERVICES=(nats redis rabbitmq postgres kafka)
NATS_BIN=/usr/sbin/nats-server
NATS_STORE=/var/lib/nats-server

say() { echo "services: $*" >&2; }
die() { say "$*"; exit 1; }

port_of() {
  case "$1" in
    nats) echo 4222 ;; redis) echo 6379 ;; rabbitmq) echo 5672 ;; postgres) echo 5432 ;; kafka) echo 9092 ;;
    *) echo "services: unknown service '$1'; known: ${ALL_SERVICES[*]}" >&2; exit 2 ;;
  esac
}

# Seconds to wait for a port after starting; RabbitMQ and the Kafka JVM boot slowly on two cores.
start_budget_of() {
  case "$1" in rabbitmq) echo 120 ;; kafka) echo 120 ;; postgres) echo 60 ;; *) echo 30 ;; esac
}

answers() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

wait_until_answers() {
  local name="$1" port budget deadline
  port="$(port_of "$name")"
  budget="$(start_budget_of "$name")"
  deadline=$((SECONDS + budget))
  until answers "$port"; do
    ((SECONDS < deadline)) || die "$name did not answer on 127.0.0.1:$port within ${budget} s. $(log_hint "$name")"
    sleep 0.5
  done
}

wait_until_silent() {
  local name="$1" port deadline=$((SECONDS + 60))
  port="$(port_of "$name")"
  while answers "$port"; do
    ((SECONDS < deadline)) || die "$name still answers on 127.0.0.1:$port 60 s after being stopped"
    sleep 0.5
  done
}

log_hint() {
  case "$1" in
    nats) echo "Its log: /var/log/nats-server.log" ;;
    redis) echo "Its log: /var/log/redis/ (if that folder exists)" ;;
    rabbitmq) echo "Its logs: /var/log/rabbitmq/" ;;
    postgres) echo "Its logs: /var/log/postgresql/" ;;
    kafka) echo "Its log: $(bash "$SCRIPTS_DIR/kafka.sh" log)" ;;
  esac
}

# --- installing -------------------------------------------------------------------------------------------

as_root() { if [[ $EUID -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null || die "cannot install $* here: no apt-get; install it by hand"
  say "installing $* (apt)"
  if ((APT_UPDATED == 0)); then
    as_root apt-get update -qq >/dev/null || die "apt-get update failed"
    APT_UPDATED=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null \
    || die "apt-get install $* failed"
}

java_major() { java -version 2>&1 | sed -n 's/.*version "\([0-9]*\)[."].*/\1/p' | head -n 1; }

ensure_installed() {
  case "$1" in
    nats) [[ -x "$NATS_BIN" ]] || apt_install nats-server ;;&
    nats | kafka) command -v ss >/dev/null || apt_install iproute2 ;;&
    redis)
      if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
        apt_install redis-server redis-tools
      fi
      ;;
    rabbitmq) [[ -x /usr/sbin/rabbitmq-server ]] || apt_install rabbitmq-server ;;
    postgres) compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || apt_install postgresql ;;
    kafka)
      if ! command -v java >/dev/null || [[ "$(java_major)" -lt 17 ]]; then apt_install openjdk-17-jre-headless; fi
      command -v mvn >/dev/null || apt_install maven
      ;;
  esac
}

# --- PostgreSQL cluster ----------------------------------------------------------------------------------

pg_version() {
  local version
  version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)"
  [[ -n "$version" ]] || version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
  echo "$version"
}

# A fresh install may have no cluster, and Debian's default asks passwords over TCP; tests use trust.
ensure_pg_cluster() {
  local version hba conf
  version="$(pg_version)"
  if [[ ! -d "/etc/postgresql/$version/main" ]]; then
    say "creating PostgreSQL $version cluster 'main'"
    as_root pg_createcluster "$version" main -- --auth-local=trust --auth-host=trust >/dev/null
  fi
  hba="/etc/postgresql/$version/main/pg_hba.conf"
  if ! grep -Eq '^host[[:space:]]+all[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$hba"; then
    say "allowing trust auth for 127.0.0.1 in $hba (test machine only)"
    as_root sed -i '1i local all all trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
    # pg_hba is read at start and on reload; a running server must reload to use the new rules.
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main reload >/dev/null 2>&1 || true
  fi
  # Debian gives a new cluster the next free port (5433 when something held 5432 at install time).
  conf="/etc/postgresql/$version/main/postgresql.conf"
  if ! grep -Eq '^port[[:space:]]*=[[:space:]]*5432([^0-9]|$)' "$conf"; then
    say "setting port = 5432 in $conf"
    as_root sed -i -E 's/^#?port[[:space:]]*=.*/port = 5432/' "$conf"
  fi
}

# --- start / stop per service ----------------------------------------------------------------------------

redis_dir() { if [[ -d /var/lib/redis && -w /var/lib/redis ]]; then echo /var/lib/redis; else echo "$HOME"; fi; }

start_service() {
  case "$1" in
    nats)
      as_root mkdir -p "$NATS_STORE"
      # A pid file of our own, so a nats-server elsewhere on the machine does not count as "already running".
      as_root start-stop-daemon --start --oknodo --background --pidfile /run/sepal-nats-server.pid --make-pidfile \
        --exec "$NATS_BIN" -- \
        -a 127.0.0.1 -p 4222 -js -sd "$NATS_STORE" -l /var/log/nats-server.log >/dev/null
      ;;
    redis)
      # Nothing is saved on a schedule; `restart` saves explicitly so the data outlives the restart.
      redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
        --dir "${REDIS_DIR:-$(redis_dir)}" >/dev/null
      ;;
    rabbitmq) as_root rabbitmq-server -detached >/dev/null 2>&1 ;;
    postgres)
      ensure_pg_cluster
      # Running but not on 5432 (its port was just corrected): restart, else start.
      if as_root pg_ctlcluster --skip-systemctl-redirect "$(pg_version)" main status >/dev/null 2>&1; then
        as_root pg_ctlcluster --skip-systemctl-redirect "$(pg_version)" main restart -m fast
      else
        as_root pg_ctlcluster --skip-systemctl-redirect "$(pg_version)" main start
      fi
      ;;
    kafka) bash "$SCRIPTS_DIR/kafka.sh" start ;;
  esac
}

# The pid of the process listening on 127.0.0.1:<port> if its name is <comm>. Stopping by port, not by
# program name, leaves alone any other copy of the program (another port, another container).
port_owner_pid() {
  local pid
  pid="$(ss -Hltnp "sport = :$1" 2>/dev/null | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -n 1)"
  [[ -n "$pid" && "$(cat "/proc/$pid/comm" 2>/dev/null)" == "$2" ]] && echo "$pid"
}

stop_port_owner() {
  local pid waited=0
  pid="$(port_owner_pid "$1" "$2")" || return 0
  as_root kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null && ((waited < 40)); do sleep 0.5; waited=$((waited + 1)); done
  as_root kill -KILL "$pid" 2>/dev/null || true
}

stop_service() {
  case "$1" in
    nats) stop_port_owner 4222 nats-server ;;
    redis) redis-cli -h 127.0.0.1 -p 6379 shutdown "${REDIS_SHUTDOWN:-nosave}" >/dev/null 2>&1 || true ;;
    rabbitmq) as_root rabbitmqctl stop >/dev/null 2>&1 || true ;;
    postgres) as_root pg_ctlcluster --skip-systemctl-redirect "$(pg_version)" main stop -m fast || true ;;
    kafka) bash "$SCRIPTS_DIR/kafka.sh" stop ;;
  esac
}

up() {
  local names=("$@") name started=()
  ((${#names[@]})) || names=("${ALL_SERVICES[@]}")
  for name in "${names[@]}"; do port_of "$name" >/dev/null; done
  # Start everything that is down first, then wait: the slow boots (RabbitMQ, Kafka) overlap.
  for name in "${names[@]}"; do
    answers "$(port_of "$name")" && continue
    ensure_installed "$name"
    answers "$(port_of "$name")" && continue  # a package install may have started it
    start_service "$name" 9>&-  # a daemon must not inherit (and hold) the lock
    started+=("$name")
  done
  for name in "${started[@]}"; do
    wait_until_answers "$name"
    say "started $name on 127.0.0.1:$(port_of "$name")"
  done
}

install() {
  local names=("$@") name
  ((${#names[@]})) || names=("${ALL_SERVICES[@]}")
  for name in "${names[@]}"; do port_of "$name" >/dev/null; ensure_installed "$name"; done
  if [[ " ${names[*]} " == *" kafka "* ]]; then bash "$SCRIPTS_DIR/kafka.sh" fetch; fi
}

down() {
  local name="$1"
  port_of "$name" >/dev/null
  stop_service "$name"
  wait_until_silent "$name"
}

restart() {
  local name="$1"
  port_of "$name" >/dev/null
  if [[ "$name" == redis ]] && answers 6379; then
    # Redis here keeps nothing on disk; save once so streams survive the restart as on a real deployment.
    REDIS_DIR="$(redis-cli -h 127.0.0.1 -p 6379 --raw config get dir | tail -n 1)"
    local dump
    dump="$REDIS_DIR/$(redis-cli -h 127.0.0.1 -p 6379 --raw config get dbfilename | tail -n 1)"
    REDIS_SHUTDOWN=save down redis
    up redis
    # Loaded; remove it so a later cold start begins empty, as before.
    rm -f "$dump"
    return
  fi
  down "$name"
  up "$name"
}

status() {
  local name port some_down=0
  for name in "${ALL_SERVICES[@]}"; do
    port="$(port_of "$name")"
    if answers "$port"; then printf '%-9s 127.0.0.1:%-5s up\n' "$name" "$port"
    else printf '%-9s 127.0.0.1:%-5s down\n' "$name" "$port"; some_down=1; fi
  done
  return "$some_down"
}

usage() {
  echo "usage: scripts/services.sh up [name...] | status | restart <name> | down <name> | install [name...]" >&2
  echo "names: ${ALL_SERVICES[*]}" >&2
  exit 2
}

# Test workers may ask for a restart while another run brings services up: one caller at a time.
if command -v flock >/dev/null; then
  mkdir -p "$HOME/.cache"
  exec 9>"$HOME/.cache/sepal-services.lock"
  flock -w 300 9 || die "another scripts/services.sh has held the lock for 300 s"
fi

command="${1:-}"
shift || true
case "$command" in
  up) up "$@" ;;
  status) status ;;
  restart) (($# == 1)) || usage; restart "$1" ;;
  down) (($# == 1)) || usage; down "$1" ;;
  install) install "$@" ;;
  *) usage ;;
esac
