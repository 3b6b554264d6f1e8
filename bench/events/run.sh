#!/usr/bin/env bash
# Boot events under load: 10,000 hosts booting through bootd's EventWriter, ingest rate, lag to
# an SSE client (p50/p95), database size per million events, fleet page render at 10,000 hosts.
# Needs a build (scripts/setup.sh or `npx next build`). Env: BENCH_HOSTS, BENCH_RATE (events/s
# offered), BENCH_BURST (events for the as-fast-as-possible run).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/with-test-db.sh npx tsx bench/events/run.ts
