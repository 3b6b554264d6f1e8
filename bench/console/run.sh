#!/usr/bin/env bash
# Serial console latency and memory (issue 20): a byte written to a host's serial line until it
# arrives in a WebSocket client of the real web process (through ipmi_sim's SOL and ipmitool),
# p50/p95 at 1 and at BENCH_SESSIONS (50) concurrent sessions, against the reference in the
# same run: Debian's ipmitool `sol activate` reading the same BMC directly (no web hop).
# Memory per open session: the web process's RSS and its ipmitool children's. Needs a build.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/with-test-db.sh npx tsx bench/console/run.ts
