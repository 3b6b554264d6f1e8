#!/usr/bin/env bash
# DHCP benchmark: bootd (Postgres leases) vs kea-dhcp4 (memfile) vs dnsmasq under perfdhcp,
# all inside throwaway network namespaces. Needs root. See README.md.
#   bash bench/dhcp/run.sh
#   BENCH_SERVERS=bootd BENCH_RATES=1000,2000 bash bench/dhcp/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
exec bash scripts/with-test-db.sh npx tsx bench/dhcp/bench.ts
