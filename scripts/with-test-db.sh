#!/usr/bin/env bash
# Starts a throwaway embedded PostgreSQL, exports FLEETBOOT_TEST_DATABASE_URL (unix socket) and
# FLEETBOOT_TEST_DATABASE_TCP_URL, runs the given command, then stops and removes the cluster.
#   bash scripts/with-test-db.sh bash scripts/run-node-tests.sh integration
set -uo pipefail
cd "$(dirname "$0")/.."
dir=$(mktemp -d /var/tmp/fleetboot-test-db.XXXXXX)
chmod 755 "$dir"
info=$(mktemp)
node --import tsx scripts/test-db-server.ts "$dir" "$info" > "$dir.log" 2>&1 &
server=$!
cleanup() {
  kill -TERM $server 2>/dev/null
  wait $server 2>/dev/null
  rm -rf "$dir" "$dir.log" "$info"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
for _ in $(seq 1 300); do
  [ -s "$info" ] && break
  kill -0 $server 2>/dev/null || { echo "test PostgreSQL failed to start:"; cat "$dir.log"; exit 1; }
  sleep 0.2
done
[ -s "$info" ] || { echo "test PostgreSQL did not start in 60 s"; cat "$dir.log"; kill $server; exit 1; }
export FLEETBOOT_TEST_DATABASE_URL=$(sed -n 1p "$info")
export FLEETBOOT_TEST_DATABASE_TCP_URL=$(sed -n 2p "$info")
"$@"
