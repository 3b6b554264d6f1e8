#!/usr/bin/env bash
# 50,000 hosts in 200 networks, 3 real bootd on loopback: view load and RSS per bootd, artifact
# sync against curl of the same URL, change propagation to every view, hosts list API p95.
# Needs a build (scripts/setup.sh). Results: bench/scale/README.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/with-test-db.sh npx tsx bench/scale/run.ts
