#!/usr/bin/env bash
# Installs the test dependencies and runs every suite: lint, typecheck, unit, integration
# (real PostgreSQL, real Debian clients in network namespaces), Playwright UI (Debian's
# Chromium). Ends with one line "N passed, N failed" summed over all suites.
set -uo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1

test_packages=(nftables zstd chromium patroni etcd-server postgresql-15 haproxy udhcpc isc-dhcp-client isc-dhcp-relay tftp-hpa atftp curl iproute2 tcpdump dnsmasq busybox-static qemu-system-x86 ipxe-qemu ovmf cpio openipmi kmod qemu-utils e2fsprogs nfs-ganesha nfs-ganesha-vfs rpcbind nfs-common systemd git)
bash scripts/setup.sh "${test_packages[@]}" || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }

counts=$(mktemp)
export FLEETBOOT_TEST_COUNTS=$counts

step() { # name command...: a check counted as one test
  local name=$1; shift
  echo "=== $name"
  if "$@"; then echo "$name 1 0" >> "$counts"; else echo "$name 0 1" >> "$counts"; echo "[$name] FAILED"; fi
}

step lint npx eslint .
step typecheck npx tsc --noEmit -p .
echo "=== unit tests"
bash scripts/run-node-tests.sh unit
echo "=== integration tests"
bash scripts/with-test-db.sh bash scripts/run-node-tests.sh integration
echo "=== boot labs (QEMU PXE-booting from bootd)"
# A lab file may take longer than the 10 minutes other files get: QEMU runs under TCG here.
FLEETBOOT_TEST_TIMEOUT_MS=1500000 bash scripts/with-test-db.sh bash scripts/run-node-tests.sh boot
if [ -f playwright.config.ts ]; then
  echo "=== UI tests (Playwright, Debian chromium)"
  bash scripts/e2e-ui.sh
fi

passed=$(awk '{p+=$2} END {print p+0}' "$counts")
failed=$(awk '{f+=$3} END {print f+0}' "$counts")
echo
echo "per suite (passed failed):"
sed 's/^/  /' "$counts"
rm -f "$counts"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
