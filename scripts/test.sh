#!/usr/bin/env bash
# Sets everything up, then runs lint, type checks and the whole test suite (privileged tests included).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

npm run --silent lint
npm run --silent typecheck

rc=0
npx vitest run --reporter=default --reporter=json --outputFile=.test-results.json || rc=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync(".test-results.json", "utf8"));
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
  if (r.numPendingTests > 0 && process.getuid() === 0) { console.error("skipped tests count as failures when run as root"); process.exit(1); }
' || rc=1
exit "$rc"
