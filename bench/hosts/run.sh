#!/usr/bin/env bash
# Hosts list API and page at 10,000 hosts (p50/p95), bulk role change of 10,000 hosts by filter,
# global search at 50,000 hosts. Needs a build (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/with-test-db.sh npx tsx bench/hosts/run.ts
