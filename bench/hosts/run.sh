#!/usr/bin/env bash
# Hosts list API and page at 10,000 hosts (p50/p95). Needs a build (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/with-test-db.sh npx tsx bench/hosts/run.ts
