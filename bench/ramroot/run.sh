#!/usr/bin/env bash
# Ram roots: boot-to-up and memory for a large root, gzip vs zstd, against the landed agent.
#   bash bench/ramroot/run.sh [--size-mb 1024] [--rounds 1] [--baseline-rev 3c34056]
set -uo pipefail
cd "$(dirname "$0")/../.."
for tool in qemu-system-x86_64 zstd; do
  command -v "$tool" >/dev/null || { echo "bench/ramroot needs $tool: bash scripts/test.sh installs the lab's packages"; exit 1; }
done
exec bash scripts/with-test-db.sh npx tsx bench/ramroot/run.ts "$@"
