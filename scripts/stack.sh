#!/usr/bin/env bash
# The running stack: `scripts/stack.sh up` installs what is missing, starts Postgres, Redis
# and Asterisk on loopback, applies migrations and runs the service in the foreground
# (Ctrl-C stops all of it). `scripts/stack.sh down` stops a stack left in the background.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export STACK_DIR="${STACK_DIR:-/var/lib/pbxdesk/stack}" PORT_BASE="${PORT_BASE:-15000}"

stop_all() { stop_pidfile "$STACK_DIR/service.pid"; stop_asterisk; stop_redis; stop_postgres; }

case "${1:-up}" in
  up)
    [ "$(id -u)" = 0 ] || die "run as root: Asterisk runs in a chroot"
    t0=$(date +%s)
    ensure_host_packages
    ensure_node_modules
    stack_env
    export HTTP_HOST="${HTTP_HOST:-127.0.0.1}" HTTP_PORT="${HTTP_PORT:-$((PORT_BASE + 80))}"
    export RECORDINGS_DIR="${RECORDINGS_DIR:-$REPO/recordings}"
    start_postgres
    start_redis
    start_asterisk
    node "$REPO/dist/src/cli.js" migrate
    trap 'log "stopping"; stop_all; exit 0' INT TERM
    node "$REPO/dist/src/main.js" &
    echo $! > "$STACK_DIR/service.pid"
    for _ in $(seq 1 100); do curl -fs "http://$HTTP_HOST:$HTTP_PORT/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
    cat >&2 <<INFO

pbxdesk is up in $(( $(date +%s) - t0 )) s
  API          http://$HTTP_HOST:$HTTP_PORT   (readyz: curl http://$HTTP_HOST:$HTTP_PORT/readyz)
  admin token  $PBXDESK_BOOTSTRAP_ADMIN_TOKEN   (from $STACK_DIR/secrets.env)
  SIP trunk    udp $PBX_SIP_BIND:$PBX_SIP_PORT (calls from $PBX_TRUNK_MATCH land in from-trunk)
  SIP over WS  $SIP_WS_URL
  ARI          $ARI_URL   AMI $AMI_HOST:$AMI_PORT
  Postgres     127.0.0.1:$PG_PORT   Redis 127.0.0.1:$REDIS_PORT
  recordings   $RECORDINGS_DIR
Ctrl-C stops everything.
INFO
    wait "$(cat "$STACK_DIR/service.pid")" || true
    stop_all
    ;;
  down)
    stack_env >/dev/null
    stop_all
    log "stopped"
    ;;
  env)
    # Prints the stack's environment, for `eval "$(scripts/stack.sh env)"` in another shell.
    stack_env
    for v in DATABASE_URL REDIS_URL ARI_URL PBX_ARI_USER PBX_ARI_PASSWORD PBX_ARI_APP AMI_HOST AMI_PORT PBX_AMI_USER PBX_AMI_SECRET SIP_DOMAIN SIP_WS_URL PBX_SIP_PORT PBX_CHROOT RECORDINGS_SPOOL_DIR PROMPTS_DIR PBXDESK_SECRET_KEY PBXDESK_BOOTSTRAP_ADMIN_TOKEN; do
      printf 'export %s=%q\n' "$v" "${!v}"
    done
    printf 'export HTTP_PORT=%q\n' "$((PORT_BASE + 80))"
    ;;
  *) die "usage: scripts/stack.sh up|down|env" ;;
esac
