#!/usr/bin/env bash
# Playwright UI suite: a fresh database and the real web process (server/testing/web-app.ts),
# Debian's Chromium. Adds "ui passed failed" to $FLEETBOOT_TEST_COUNTS.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/with-test-db.sh npx tsx scripts/e2e-ui-run.ts "$@"
