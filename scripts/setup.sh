#!/usr/bin/env bash
# Installs what Fleetboot needs on a fresh Debian 12 machine (run as root) and builds it:
# Debian's bootloaders, the npm packages (lockfile), the Prisma client (offline client
# engine), the web console. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1 DEBIAN_FRONTEND=noninteractive

need_node_major=20
if ! command -v node >/dev/null || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt $need_node_major ]; then
  echo "Fleetboot needs Node.js >= $need_node_major (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

# Debian packages: bootloaders served to the fleet (BIOS, UEFI, Secure Boot chain, memtest86+).
# Installed only when missing.
runtime_packages=(pxelinux syslinux-common ipxe memtest86+ shim-signed grub-efi-amd64-signed ipmitool)
missing=()
for p in "${runtime_packages[@]}" "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then echo "run as root to install: ${missing[*]}" >&2; exit 1; fi
  # Packages that ship daemons (dnsmasq, tftpd-hpa, nginx, kea) must not start on the real
  # network: policy-rc.d refuses service starts for the duration of the install.
  created_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; created_policy=1; fi
  # An install that fails with the lists as they are gets one `apt-get update` and a retry.
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  }
  [ $created_policy -eq 1 ] && rm -f /usr/sbin/policy-rc.d
fi

# npm packages exactly as locked. npm 11 skips dependencies' install scripts; none is needed
# except Prisma's client generation, done below without the native engines.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
# `prisma generate` wants an engine path even in client mode (the file is not loaded).
PRISMA_QUERY_ENGINE_LIBRARY="$PWD/package.json" npx prisma generate >/dev/null

# Build the console when any of its sources is newer than the last build.
if [ ! -f .next/BUILD_ID ] || [ -n "$(find app components server public next.config.js postcss.config.mjs package-lock.json -newer .next/BUILD_ID -print -quit 2>/dev/null)" ]; then
  npx next build >/dev/null
fi
echo "Fleetboot is installed and built."
