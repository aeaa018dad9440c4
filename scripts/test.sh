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
export PG_FSYNC=off
checks=""
if [ "${PBXDESK_TEST_QUICK:-}" != 1 ]; then
  # Lint and typecheck run while the stack starts (mostly waiting on initdb and Asterisk), and
  # are awaited before the tests, which they would otherwise slow.
  checks_log="$(mktemp /tmp/pbxdesk-checks.XXXXXX)"
  ( npm run --silent lint && npm run --silent typecheck ) > "$checks_log" 2>&1 &
  checks=$!
fi
throwaway_stack test "${TEST_PORT_BASE:-25000}"
if [ -z "$checks" ]; then
  # While iterating on a few test files: no lint or typecheck of the whole tree (CI never sets it).
  log "stack up in $(( $(date +%s) - t0 )) s; PBXDESK_TEST_QUICK: no lint or typecheck"
else
  log "stack up in $(( $(date +%s) - t0 )) s; waiting for lint and typecheck"
  ok=0; wait "$checks" || ok=$?
  cat "$checks_log"; rm -f "$checks_log"
  [ "$ok" = 0 ] || die "lint or typecheck failed"
fi
log "tests"
vitest run "$@"
log "suite done in $(( $(date +%s) - t0 )) s"
