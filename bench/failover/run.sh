#!/usr/bin/env bash
# Failover and switchover of the Patroni setup under API writes, against the embedded database.
#   flock /work/qemu.lock bash bench/failover/run.sh [--rounds 5]
# Needs root, Debian's patroni, etcd-server, haproxy and postgresql-15, and a console build.
set -uo pipefail
cd "$(dirname "$0")/../.."
for tool in /usr/bin/patroni /usr/bin/etcd /usr/sbin/haproxy /usr/lib/postgresql/15/bin/postgres; do
  [ -x "$tool" ] || { echo "bench/failover needs $tool: apt-get install patroni etcd-server haproxy postgresql-15"; exit 1; }
done
[ -f "${FLEETBOOT_NEXT_DIST_DIR:-.next}/BUILD_ID" ] || { echo "build the console first: NEXT_TELEMETRY_DISABLED=1 npx next build"; exit 1; }
exec bash scripts/with-test-db.sh npx tsx bench/failover/run.ts "$@"
