#!/usr/bin/env bash
# Shared by scripts/stack.sh (the running stack) and scripts/test.sh (the test suite's own
# throwaway stack). Everything here is idempotent: a second run reuses what is there.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PBX_CHROOT="${PBX_CHROOT:-/var/cache/pbxdesk/asterisk-chroot}"
log() { printf '\033[1m[pbxdesk]\033[0m %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

ensure_host_packages() {
  local want=(postgresql redis-server ffmpeg espeak-ng sox debootstrap gettext-base iproute2 curl chromium fonts-dejavu-core) missing=()
  for p in "${want[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ "${#missing[@]}" -gt 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    [ "$(id -u)" = 0 ] || die "installing ${missing[*]} needs root"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  # Request Tracker 5 for the rt5 connector's tests (each test starts its own RT on SQLite).
  # Without recommends: RT recommends a web server and a mail setup it does not need here.
  local rt=(request-tracker5 rt5-db-sqlite rt5-standalone) rt_missing=()
  for p in "${rt[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || rt_missing+=("$p"); done
  if [ "${#rt_missing[@]}" -gt 0 ]; then
    log "installing Debian packages: ${rt_missing[*]}"
    [ "$(id -u)" = 0 ] || die "installing ${rt_missing[*]} needs root"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${rt_missing[@]}" >/dev/null
  fi
  # The suite's own services must never be shadowed by ones the package install started.
  systemctl disable --now redis-server >/dev/null 2>&1 || true
  systemctl disable --now exim4 >/dev/null 2>&1 || true
}

ensure_node_modules() {
  cd "$REPO"
  if [ ! -x node_modules/.bin/node ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    # npm install, not npm ci: npm 11's ci rejects this lock file for the platform-specific
    # optional packages of msgpackr-extract that it leaves out itself. install keeps to the
    # lock file's versions all the same. Node 22 comes in as the devDependency 'node'.
    log "npm install (locked versions)"
    npm install --no-audit --no-fund --loglevel=error >/dev/null
  fi
  export PATH="$REPO/node_modules/.bin:$PATH"
  # PBXDESK_TEST_QUICK: another file's work in progress may not compile yet; what does is emitted all the same.
  node_modules/.bin/tsc -p tsconfig.build.json || [ "${PBXDESK_TEST_QUICK:-}" = 1 ]
}

# Ports and paths of one stack. STACK_DIR holds its data; a second stack (the tests')
# uses another dir and another PORT_BASE, so both can run side by side.
stack_env() {
  : "${STACK_DIR:?}"; : "${PORT_BASE:?}"
  mkdir -p "$STACK_DIR"; chmod 755 "$STACK_DIR"
  local secrets="$STACK_DIR/secrets.env"
  if [ ! -f "$secrets" ]; then
    umask 077
    {
      echo "PG_PASSWORD=$(openssl rand -hex 16)"
      echo "PBX_ARI_PASSWORD=$(openssl rand -hex 16)"
      echo "PBX_AMI_SECRET=$(openssl rand -hex 16)"
      echo "PBXDESK_BOOTSTRAP_ADMIN_TOKEN=pbx_admin_$(openssl rand -hex 20)"
      echo "PBXDESK_SECRET_KEY=$(openssl rand -hex 32)"
    } > "$secrets"
    umask 022
  fi
  set -a
  # shellcheck disable=SC1090
  . "$secrets"
  [ -f "$REPO/.env" ] && [ "${PBXDESK_IGNORE_DOTENV:-}" != 1 ] && . "$REPO/.env"
  PG_PORT="${PG_PORT:-$((PORT_BASE + 432))}"
  REDIS_PORT="${REDIS_PORT:-$((PORT_BASE + 379))}"
  PBX_SIP_BIND="${PBX_SIP_BIND:-127.0.0.1}"
  PBX_SIP_PORT="${PBX_SIP_PORT:-$((PORT_BASE + 60))}"
  PBX_HTTP_BIND="${PBX_HTTP_BIND:-127.0.0.1}"
  PBX_HTTP_PORT="${PBX_HTTP_PORT:-$((PORT_BASE + 88))}"
  PBX_AMI_BIND="${PBX_AMI_BIND:-127.0.0.1}"
  PBX_AMI_PORT="${PBX_AMI_PORT:-$((PORT_BASE + 38))}"
  PBX_AMI_PERMIT="${PBX_AMI_PERMIT:-127.0.0.1/255.255.255.255}"
  PBX_RTP_START="${PBX_RTP_START:-$((PORT_BASE + 1000))}"
  PBX_RTP_END="${PBX_RTP_END:-$((PBX_RTP_START + 1998))}"
  PBX_TRUNK_MATCH="${PBX_TRUNK_MATCH:-127.0.0.1}"
  PBX_TRUNK_HOST="${PBX_TRUNK_HOST:-127.0.0.1:5070}"
  PBX_ARI_USER="${PBX_ARI_USER:-pbxdesk}"
  PBX_ARI_APP="${PBX_ARI_APP:-pbxdesk}"
  PBX_ARI_ALLOWED_ORIGINS="${PBX_ARI_ALLOWED_ORIGINS:-http://127.0.0.1}"
  PBX_AMI_USER="${PBX_AMI_USER:-pbxdesk}"
  PBX_INSTANCE="${PBX_INSTANCE:-$(basename "$STACK_DIR")}"
  PBX_INSTANCE_DIR="/var/lib/pbxdesk/instances/$PBX_INSTANCE"
  DATABASE_URL="${DATABASE_URL:-postgres://pbxdesk:$PG_PASSWORD@127.0.0.1:$PG_PORT/pbxdesk}"
  REDIS_URL="${REDIS_URL:-redis://127.0.0.1:$REDIS_PORT/0}"
  ARI_URL="${ARI_URL:-http://127.0.0.1:$PBX_HTTP_PORT}"
  AMI_HOST="${AMI_HOST:-127.0.0.1}"
  AMI_PORT="${AMI_PORT:-$PBX_AMI_PORT}"
  SIP_DOMAIN="${SIP_DOMAIN:-$PBX_SIP_BIND}"
  SIP_WS_URL="${SIP_WS_URL:-ws://$PBX_HTTP_BIND:$PBX_HTTP_PORT/ws}"
  RECORDINGS_SPOOL_DIR="${RECORDINGS_SPOOL_DIR:-$PBX_CHROOT$PBX_INSTANCE_DIR/spool/recording}"
  PROMPTS_DIR="${PROMPTS_DIR:-/var/lib/pbxdesk/prompts}"
  # The local stack's lines are open around the clock, so the demo call works at any hour;
  # production (docker-compose) uses pbx-config/business-hours.json.
  BUSINESS_HOURS_FILE="${BUSINESS_HOURS_FILE:-pbx-config/business-hours.always-open.json}"
  set +a
}

pg_bin() { ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1; }

start_postgres() {
  local data="$STACK_DIR/pg" run="$STACK_DIR/pg-run" bin; bin="$(pg_bin)"
  mkdir -p "$run"; chown postgres:postgres "$run"
  if [ ! -f "$data/PG_VERSION" ]; then
    log "postgres: initdb in $data"
    mkdir -p "$data"; chown postgres:postgres "$data"
    local pw="$STACK_DIR/pg-run/pw"; printf '%s\n' "$PG_PASSWORD" > "$pw"; chown postgres "$pw"
    runuser -u postgres -- "$bin/initdb" -D "$data" -U pbxdesk --pwfile="$pw" --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
    rm -f "$pw"
  fi
  if ! runuser -u postgres -- "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    runuser -u postgres -- "$bin/pg_ctl" -D "$data" -w -t 60 -l "$run/postgres.log" \
      -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $run -c fsync=${PG_FSYNC:-on}" start >/dev/null
  fi
  PGPASSWORD="$PG_PASSWORD" psql -h 127.0.0.1 -p "$PG_PORT" -U pbxdesk -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname='pbxdesk'" | grep -q 1 ||
    PGPASSWORD="$PG_PASSWORD" psql -h 127.0.0.1 -p "$PG_PORT" -U pbxdesk -d postgres -qc "CREATE DATABASE pbxdesk" >/dev/null
  log "postgres: 127.0.0.1:$PG_PORT"
}

stop_postgres() {
  local data="$STACK_DIR/pg" bin; bin="$(pg_bin)"
  [ -f "$data/PG_VERSION" ] && runuser -u postgres -- "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
}

start_redis() {
  mkdir -p "$STACK_DIR/redis"
  if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    # BullMQ needs noeviction (a evicted job key is a lost job) and AOF for durability.
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$STACK_DIR/redis" \
      --appendonly yes --appendfsync everysec --maxmemory-policy noeviction \
      --save "" --daemonize no --logfile "$STACK_DIR/redis.log" >/dev/null 2>&1 &
    echo $! > "$STACK_DIR/redis.pid"
    for _ in $(seq 1 100); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  fi
  redis-cli -p "$REDIS_PORT" ping >/dev/null || die "redis did not start (see $STACK_DIR/redis.log)"
  log "redis: 127.0.0.1:$REDIS_PORT"
}

stop_pidfile() {
  local f="$1" pid
  [ -f "$f" ] || return 0
  pid="$(cat "$f")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

mount_chroot() {
  mountpoint -q "$PBX_CHROOT/proc" || mount -t proc proc "$PBX_CHROOT/proc"
  mountpoint -q "$PBX_CHROOT/dev" || mount --bind /dev "$PBX_CHROOT/dev"
}

make_prompts() {
  "$REPO/scripts/make-prompts.sh" "$PBX_CHROOT$PROMPTS_DIR"
}

render_pbx_config() {
  local dest="$PBX_CHROOT$PBX_INSTANCE_DIR/etc"
  "$REPO/scripts/render-pbx-config.sh" "$REPO/pbx-config/asterisk" "$dest"
}

asterisk_cli() { chroot "$PBX_CHROOT" /usr/sbin/asterisk -C "$PBX_INSTANCE_DIR/etc/asterisk.conf" -rx "$1"; }

start_asterisk() {
  "$REPO/scripts/asterisk-chroot.sh"
  mount_chroot
  make_prompts
  render_pbx_config
  local inst="$PBX_CHROOT$PBX_INSTANCE_DIR"
  mkdir -p "$inst/spool/recording" "$inst/log" "$inst/run" "$inst/db"
  if [ -f "$STACK_DIR/asterisk.pid" ] && kill -0 "$(cat "$STACK_DIR/asterisk.pid")" 2>/dev/null; then
    # Config is re-rendered on every start; PJSIP's [global] only applies on restart.
    asterisk_cli "core reload" >/dev/null 2>&1 || true
  else
    rm -f "$inst/run/asterisk.ctl" "$inst/run/asterisk.pid"
    chroot "$PBX_CHROOT" /usr/sbin/asterisk -C "$PBX_INSTANCE_DIR/etc/asterisk.conf" -f -n -q \
      > "$STACK_DIR/asterisk.out" 2>&1 &
    echo $! > "$STACK_DIR/asterisk.pid"
  fi
  for _ in $(seq 1 150); do
    curl -fs -u "$PBX_ARI_USER:$PBX_ARI_PASSWORD" "$ARI_URL/ari/asterisk/ping" >/dev/null 2>&1 && break
    kill -0 "$(cat "$STACK_DIR/asterisk.pid")" 2>/dev/null || { tail -20 "$STACK_DIR/asterisk.out"; die "asterisk exited"; }
    sleep 0.2
  done
  curl -fs -u "$PBX_ARI_USER:$PBX_ARI_PASSWORD" "$ARI_URL/ari/asterisk/ping" >/dev/null || die "ARI did not answer on $ARI_URL"
  log "asterisk: SIP udp $PBX_SIP_BIND:$PBX_SIP_PORT, ARI $ARI_URL, AMI 127.0.0.1:$PBX_AMI_PORT"
}

stop_asterisk() { stop_pidfile "$STACK_DIR/asterisk.pid"; }

# Another Asterisk node beside the stack's (the two-node test, docs/scaling.md): the same chroot,
# its own instance dir, spool and ports from $2, the stack's Postgres, Redis and secrets.
# Prints the settings a service instance driving it needs, as KEY=VALUE lines.
start_extra_node() {
  local name="$1" base="$2" parent="$STACK_DIR"
  (
    unset PBX_SIP_PORT PBX_HTTP_PORT PBX_AMI_PORT PBX_RTP_START PBX_RTP_END PBX_INSTANCE PBX_INSTANCE_DIR \
      ARI_URL AMI_PORT SIP_WS_URL SIP_DOMAIN RECORDINGS_SPOOL_DIR
    export STACK_DIR="$parent/node-$name" PORT_BASE="$base" PBX_INSTANCE="$(basename "$parent")-$name"
    mkdir -p "$STACK_DIR"; cp "$parent/secrets.env" "$STACK_DIR/secrets.env"
    stack_env
    start_asterisk >&2
    printf '%s\n' "ARI_URL=$ARI_URL" "AMI_PORT=$AMI_PORT" "PBX_SIP_PORT=$PBX_SIP_PORT" "SIP_WS_URL=$SIP_WS_URL" \
      "RECORDINGS_SPOOL_DIR=$RECORDINGS_SPOOL_DIR" "PBX_INSTANCE_DIR=$PBX_INSTANCE_DIR"
  )
}
stop_extra_nodes() {
  local f
  for f in "$STACK_DIR"/node-*/asterisk.pid; do [ -f "$f" ] && stop_pidfile "$f"; done
  rm -rf "${PBX_CHROOT:?}/var/lib/pbxdesk/instances/$(basename "$STACK_DIR")-"*
}
stop_redis() { stop_pidfile "$STACK_DIR/redis.pid"; }

# A stack of a script's own (the test suite, the benchmarks): data in a temp dir named after
# $1, ports from $2, and everything it started stopped and removed when the script exits.
throwaway_stack() {
  export STACK_DIR; STACK_DIR="$(mktemp -d "/tmp/pbxdesk-$1.XXXXXX")"
  export PORT_BASE="$2" PBXDESK_IGNORE_DOTENV=1
  export RECORDINGS_DIR="$STACK_DIR/recordings" SIPP_DIR="/tmp/pbxdesk-sipp-$(basename "$STACK_DIR")"
  trap throwaway_cleanup EXIT
  trap 'exit 130' INT TERM
  stack_env
  start_postgres
  start_redis
  start_asterisk
  node dist/src/cli.js migrate
}

# Benchmarks: Asterisk, the service (with its ffmpeg children), Postgres, Redis and the SIPp load
# each in a CPU cgroup of its own with equal shares, as docker-compose.yml's containers (or systemd
# units) have them in a deployment. In one cgroup the kernel shares the CPU per thread, and once
# the machine is saturated Asterisk's thread per channel outvotes every single-threaded process:
# the service's event loop and the SIPp phones then lag by seconds for reasons no deployment has.
# cgroup v1's cpu controller (what this machine mounts); without it everything shares one, as before.
cpu_groups_start() {
  local root=/sys/fs/cgroup/cpu
  if ! mkdir -p "$root/pbxdesk-$(basename "$STACK_DIR")" 2>/dev/null; then
    log "no writable cpu cgroup: the benchmark's processes share one"; return 0
  fi
  CPU_GROUP_DIR="$root/pbxdesk-$(basename "$STACK_DIR")"
  mkdir -p "$CPU_GROUP_DIR"/{asterisk,service,postgres,redis,load,archive}
  # The archive's ffmpeg is background work: niceness counts only within a cgroup, so inside the
  # service's group it would take that whole group's share from Asterisk (measured: 30 calls/s
  # piled up to 791 calls). It gets a group of its own at the lowest weight, entered by a wrapper
  # before exec (a per-second look would miss most of these short processes).
  echo 2 > "$CPU_GROUP_DIR/archive/cpu.shares"
  local real; real="${FFMPEG_PATH:-$(command -v ffmpeg)}"
  printf '#!/bin/sh\necho $$ > %s/archive/cgroup.procs 2>/dev/null\nexec %s "$@"\n' "$CPU_GROUP_DIR" "$real" > "$STACK_DIR/ffmpeg-archive"
  chmod +x "$STACK_DIR/ffmpeg-archive"
  export FFMPEG_PATH="$STACK_DIR/ffmpeg-archive"
  log "cpu groups: $CPU_GROUP_DIR/{asterisk,service,postgres,redis,load,archive}"
  # Placed by a look every second: processes started later (the service after a SIGKILL, Postgres
  # after a restart, each SIPp run) join their group within a second; children inherit it.
  (
    place() { local g="$1"; shift; for p in "$@"; do echo "$p" > "$CPU_GROUP_DIR/$g/cgroup.procs" 2>/dev/null || true; done; }
    while [ -d "$CPU_GROUP_DIR" ]; do
      place asterisk $(pgrep -f "$PBX_INSTANCE_DIR/etc/asterisk.conf")
      place postgres $(head -1 "$STACK_DIR/pg/postmaster.pid" 2>/dev/null)
      place redis $(cat "$STACK_DIR/redis.pid" 2>/dev/null)
      place load $(pgrep -f "sipp -sf $SIPP_DIR/") $(pgrep -f "dist/bench/")
      for p in $(pgrep -f "dist/src/main.js"); do
        tr '\0' '\n' < "/proc/$p/environ" 2>/dev/null | grep -qx "STACK_DIR=$STACK_DIR" && place service "$p"
      done
      sleep 1
    done
  ) &
  CPU_GROUP_PLACER=$!
}

cpu_groups_stop() {
  [ -n "${CPU_GROUP_DIR:-}" ] || return 0
  kill "${CPU_GROUP_PLACER:-}" 2>/dev/null || true
  local g p
  # What is left in the service and load groups is this benchmark's own (a service whose bench was
  # interrupted outlives it otherwise); the rest only leaves the groups so that they can go.
  for p in $(cat "$CPU_GROUP_DIR/service/cgroup.procs" "$CPU_GROUP_DIR/load/cgroup.procs" "$CPU_GROUP_DIR/archive/cgroup.procs" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
  sleep 0.2
  for g in "$CPU_GROUP_DIR"/*/; do
    for p in $(cat "$g/cgroup.procs" 2>/dev/null); do echo "$p" > /sys/fs/cgroup/cpu/cgroup.procs 2>/dev/null || true; done
    rmdir "$g" 2>/dev/null || true
  done
  rmdir "$CPU_GROUP_DIR" 2>/dev/null || true
}

throwaway_cleanup() {
  local rc=$?
  pkill -f "sipp -sf $SIPP_DIR/" 2>/dev/null || true
  stop_extra_nodes; stop_asterisk; stop_redis; stop_postgres
  cpu_groups_stop
  rm -rf "$STACK_DIR" "${PBX_CHROOT:?}/var/lib/pbxdesk/instances/$(basename "$STACK_DIR")" "${PBX_CHROOT}$SIPP_DIR"
  exit "$rc"
}
