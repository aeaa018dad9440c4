#!/usr/bin/env bash
# Places the README's demo call against the stack `scripts/stack.sh up` runs.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
eval "$("$REPO/scripts/stack.sh" env)"
export SIPP_DIR=/tmp/pbxdesk-sipp-demo
exec "$REPO/node_modules/.bin/node" "$REPO/dist/bench/demo-call.js"
