#!/usr/bin/env bash
# Installs what Fleetboot needs on a fresh Debian 12 machine (run as root) and builds it:
# Debian's bootloaders, the npm packages (lockfile), the Prisma client (offline client
# engine), the web console. Safe to run again. A site machine that runs only bootd uses
# scripts/install-bootd.sh instead (no console, no build).
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1 DEBIAN_FRONTEND=noninteractive

source scripts/debian-packages.sh
require_node 20
# The bootloaders bootd serves and what builds its addon (bootd_build_packages), ipmitool for
# the console's power actions, zstd (the boot agent's initramfs carries it to unpack ram roots),
# and any extra packages named on the command line (scripts/test.sh passes the test tools).
install_missing_packages "${bootloader_packages[@]}" "${bootd_build_packages[@]}" ipmitool zstd "$@"

# npm packages exactly as locked. npm 11 skips dependencies' install scripts; none is needed
# except Prisma's client generation, done below without the native engines.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
# bootd's addon that binds DHCP sockets to the boot interfaces (SO_BINDTODEVICE), built here
# because npm runs no install scripts: npm's own node-gyp and the running Node's headers, offline.
bash scripts/build-native.sh
# `prisma generate` wants an engine path even in client mode (the file is not loaded).
PRISMA_QUERY_ENGINE_LIBRARY="$PWD/package.json" npx prisma generate >/dev/null

# Build the console when any of its sources is newer than the last build.
if [ ! -f .next/BUILD_ID ] || [ -n "$(find app components server public next.config.js postcss.config.mjs package-lock.json -newer .next/BUILD_ID -print -quit 2>/dev/null)" ]; then
  npx next build >/dev/null
fi
echo "Fleetboot is installed and built."
