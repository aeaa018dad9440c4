#!/usr/bin/env bash
# Benchmarks that need a stack of their own: `scripts/bench.sh load [-- args]` (the load ramp
# against a plain-Asterisk baseline), `scripts/bench.sh soak [-- args]` and
# `scripts/bench.sh smoke` (a 30-second load run). Like scripts/test.sh, it installs what is
# missing, starts Postgres, Redis and Asterisk on loopback (ports from 45000, data in a temp dir),
# and removes everything it started. Results go to bench/results/*.json.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[ "$(id -u)" = 0 ] || die "run as root: Asterisk runs in a chroot"
what="${1:-load}"; shift || true
[ "${1:-}" = "--" ] && shift
t0=$(date +%s)
ensure_host_packages
ensure_node_modules
throwaway_stack bench "${BENCH_PORT_BASE:-45000}"
# BENCH_CPU_GROUPS=0: everything in one cgroup (how the runs before 2026-12-07 were made).
[ "${BENCH_CPU_GROUPS:-1}" = 0 ] || cpu_groups_start
log "stack up in $(( $(date +%s) - t0 )) s; $what"
case "$what" in
  load) node dist/bench/load.js "$@" ;;
  smoke) node dist/bench/load.js --smoke "$@" ;;
  soak) node dist/bench/soak.js "$@" ;;
  *) die "unknown benchmark: $what (load, smoke, soak)" ;;
esac
log "done in $(( $(date +%s) - t0 )) s"
