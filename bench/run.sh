#!/usr/bin/env bash
# Runs every benchmark that exists (each measures its reference servers in the same run and
# prints a table with ratios). Usage: bash bench/run.sh [hosts|dhcp|tftp|http|boot|events|ramroot|failover ...]
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
wanted=("$@")
[ ${#wanted[@]} -eq 0 ] && wanted=(hosts dhcp tftp http boot events ramroot failover)
for b in "${wanted[@]}"; do
  if [ -x "bench/$b/run.sh" ] || [ -f "bench/$b/run.sh" ]; then
    echo "=== bench/$b"
    bash "bench/$b/run.sh" || echo "bench/$b failed"
  fi
done
