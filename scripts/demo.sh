#!/usr/bin/env bash
# Sets everything up, deploys the demo range, then runs the server (API, web UI, consoles) on
# http://127.0.0.1:8080 with the embedded SQLite store. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export CYRANGE_STATE_DIR="${CYRANGE_STATE_DIR:-/var/lib/cyrange}"
export CYRANGE_MICROVM_ASSETS="${CYRANGE_MICROVM_ASSETS:-/var/lib/cyrange/microvm}"
bin/cyrange deploy examples/demo.yaml
bin/cyrange inspect demo

# The first admin: CYRANGE_ADMIN_TOKEN when set (serve uses it), else a new token printed once.
if [ -z "${CYRANGE_ADMIN_TOKEN:-}" ]; then
  token=$(bin/cyrange admin create --if-none)
  if [ -n "$token" ]; then
    echo
    echo "Admin API token, shown once (paste it on the login page): $token"
    echo
  fi
fi
exec bin/cyrange serve --host "${CYRANGE_HOST:-127.0.0.1}" --port "${CYRANGE_PORT:-8080}"
