#!/usr/bin/env bash
# The whole test suite on a throwaway stack: installs what is missing, starts its own
# Postgres, Redis and Asterisk on loopback (ports from 25000, data in a temp dir), runs
# lint, typecheck, unit and integration tests, and removes everything it started.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[ "$(id -u)" = 0 ] || die "run as root: Asterisk runs in a chroot"
t0=$(date +%s)
ensure_host_packages
ensure_node_modules
export STACK_DIR; STACK_DIR="$(mktemp -d /tmp/pbxdesk-test.XXXXXX)"
export PORT_BASE="${TEST_PORT_BASE:-25000}" PG_FSYNC=off PBXDESK_IGNORE_DOTENV=1
cleanup() {
  local rc=$?
  stop_asterisk; stop_redis; stop_postgres
  rm -rf "$STACK_DIR" "${PBX_CHROOT:?}/var/lib/pbxdesk/instances/$(basename "$STACK_DIR")" "${PBX_CHROOT}/tmp/pbxdesk-sipp-$(basename "$STACK_DIR")"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
stack_env
export RECORDINGS_DIR="$STACK_DIR/recordings" SIPP_DIR="/tmp/pbxdesk-sipp-$(basename "$STACK_DIR")"
start_postgres
start_redis
start_asterisk
node dist/src/cli.js migrate
log "stack up in $(( $(date +%s) - t0 )) s; lint and typecheck"
npm run --silent lint
npm run --silent typecheck
log "tests"
vitest run "$@"
log "suite done in $(( $(date +%s) - t0 )) s"
