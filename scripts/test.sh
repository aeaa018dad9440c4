#!/usr/bin/env bash
# The whole test suite on throwaway stacks: installs what is missing, runs lint and typecheck,
# the unit tests, and the integration tests on two stacks side by side (shards), each with its
# own Postgres, Redis and Asterisk on loopback (ports from 20000 and 26000, data in temp dirs),
# and removes everything it started.
#
# Why shards: integration files run one after another on one stack (one Asterisk, one Stasis
# app), and most of their time is waiting on SIP timers and prompts, not CPU (a full run used
# about a third of one core). Two stacks halve the wall time on the 2-core machine.
#
#   ./scripts/test.sh                       the whole suite (what CI runs)
#   ./scripts/test.sh test/a.int.test.ts    only these files, on one stack (TEST_PORT_BASE, default 25000)
#   PBXDESK_TEST_SHARDS=1 ./scripts/test.sh the whole suite on one stack
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[ "$(id -u)" = 0 ] || die "run as root: Asterisk runs in a chroot"
t0=$(date +%s)
export PG_FSYNC=off

if [ -n "${PBXDESK_TEST_SHARD:-}" ]; then
  # One shard of a full run (below): the parent installed, built and checked. Start this
  # shard's stack while lint and typecheck run, then wait for the parent's go.
  export PATH="$REPO/node_modules/.bin:$PATH"
  throwaway_stack "test$PBXDESK_TEST_SHARD" "$TEST_PORT_BASE"
  log "stack up in $(( $(date +%s) - t0 )) s"
  until [ -e "$PBXDESK_TEST_GO" ]; do
    [ -e "$PBXDESK_TEST_STOP" ] && die "stopped before the tests (lint, typecheck or unit tests failed)"
    sleep 0.5
  done
  rc=0
  if [ "${PBXDESK_TEST_UNIT:-}" = 1 ]; then vitest run --project unit || rc=$?; fi
  vitest run --project integration "$@" || rc=$?
  log "shard done in $(( $(date +%s) - t0 )) s"
  exit "$rc"
fi

ensure_host_packages
ensure_node_modules
shards="${PBXDESK_TEST_SHARDS:-2}"

if [ $# -gt 0 ] || [ "$shards" = 1 ]; then
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
  exit 0
fi

# The whole suite, sharded. What the shards' stacks share is made once, here, before they start:
# the Asterisk chroot (a first install takes minutes), its mounts and the prompts.
"$REPO/scripts/asterisk-chroot.sh"
mount_chroot
"$REPO/scripts/make-prompts.sh" "$PBX_CHROOT${PROMPTS_DIR:-/var/lib/pbxdesk/prompts}"
work="$(mktemp -d /tmp/pbxdesk-shards.XXXXXX)"
pids=(); tails=()
stop_shards() {
  local rc=$?
  touch "$work/stop"
  # Each shard is a process group of its own (setsid): the signal reaches its vitest too, and its
  # script's EXIT trap then removes its stack.
  for p in "${pids[@]}"; do kill -TERM -- "-$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do while kill -0 "$p" 2>/dev/null; do sleep 0.2; done; done
  for p in "${tails[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
  exit "$rc"
}
trap stop_shards EXIT
trap 'exit 130' INT TERM
node "$REPO/scripts/test-shards.mjs" "$shards" "$work"
checks_log="$work/checks.log"
( npm run --silent lint && npm run --silent typecheck ) > "$checks_log" 2>&1 &
checks=$!
for i in $(seq 1 "$shards"); do
  # Ports 20000+ and 26000+, below Linux's ephemeral range (32768+, where any outgoing
  # connection may hold a port): a stack takes base..base+2999 (its RTP from base+1000) and the
  # two-node test's second Asterisk base+3000..+5999, so the two shards never share a port.
  # Output goes to a file, not a pipe: a shard outlives whatever reads it, and cleans up.
  : > "$work/log-$i"
  PBXDESK_TEST_SHARD="$i" TEST_PORT_BASE=$((20000 + (i - 1) * 6000)) PBXDESK_TEST_UNIT=$([ "$i" = 1 ] && echo 1 || echo 0) \
    PBXDESK_TEST_GO="$work/go" PBXDESK_TEST_STOP="$work/stop" \
    setsid -w "$REPO/scripts/test.sh" $(cat "$work/shard-$i.txt") > "$work/log-$i" 2>&1 &
  pids+=("$!")
  tail -n +1 -F "$work/log-$i" 2>/dev/null | sed -u "s/^/[$i] /" &
  tails+=("$!")
done
ok=0; wait "$checks" || ok=$?
cat "$checks_log"
[ "$ok" = 0 ] || die "lint or typecheck failed"
log "lint and typecheck passed; tests on $shards stacks"
touch "$work/go"
failed=""
for i in $(seq 1 "$shards"); do
  rc=0; wait "${pids[$((i - 1))]}" || rc=$?
  [ "$rc" = 0 ] || failed="$failed $i"
done
pids=()
sleep 1 # the last lines through tail
[ -z "$failed" ] || die "shard(s)$failed failed (their lines are marked [n] above)"
log "suite done in $(( $(date +%s) - t0 )) s"
