#!/usr/bin/env bash
# Installs Fleetboot's boot server alone on a site machine (Debian 12, as root), from a clone of
# the repository: the bootloaders it serves (Debian packages), the npm packages bootd needs and
# nothing else (pg, zod, tsx at the versions of package-lock.json: no console, no build), and its
# environment file pointing it at the central database. With --systemd, also its unit.
#
#   bash scripts/install-bootd.sh --database-url 'postgresql://fleetboot:…@db.example:5432/fleetboot' \
#     [--boot-interface eth1] [--data-dir /var/lib/fleetboot] [--env-file /etc/fleetboot/bootd.env] \
#     [--systemd [--systemd-root DIR]]
#
# Start it by hand with: set -a; . /etc/fleetboot/bootd.env; set +a; node --import tsx boot-services/main.ts
# Safe to run again: an existing environment file is kept (edit it instead).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/debian-packages.sh

database_url=${DATABASE_URL:-}
data_dir=/var/lib/fleetboot
env_file=/etc/fleetboot/bootd.env
boot_interface=
systemd=0
systemd_root=/
while [ $# -gt 0 ]; do
  case "$1" in
    --database-url) database_url=$2; shift 2 ;;
    --data-dir) data_dir=$2; shift 2 ;;
    --env-file) env_file=$2; shift 2 ;;
    --boot-interface) boot_interface=$2; shift 2 ;;
    --systemd) systemd=1; shift ;;
    --systemd-root) systemd_root=$2; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [ -z "$database_url" ] && [ ! -e "$env_file" ]; then
  echo "name the central database: --database-url postgresql://… (or DATABASE_URL=…)" >&2
  exit 2
fi

case "$database_url" in *\'*) echo "the database URL may not contain a single quote" >&2; exit 2 ;; esac
require_node 20
install_missing_packages "${bootloader_packages[@]}" "${bootd_build_packages[@]}"

# bootd's npm packages, cut out of package-lock.json (scripts/bootd-packages.mjs), installed with
# npm ci into ./node_modules. A checkout that already has the whole stack's packages keeps them.
if [ -f node_modules/.package-lock.json ] && [ -d node_modules/next ]; then
  echo "node_modules holds the whole stack's packages: kept"
else
  staging=$(mktemp -d)
  trap 'rm -rf "$staging"' EXIT
  node scripts/bootd-packages.mjs "$staging"
  (cd "$staging" && npm ci --omit=dev --no-audit --no-fund --loglevel=error)
  rm -rf node_modules
  mv "$staging/node_modules" node_modules
  echo "installed bootd's npm packages: $(node scripts/bootd-packages.mjs --list | tr '\n' ' ')"
fi
# The addon that binds DHCP sockets to the boot interfaces (SO_BINDTODEVICE), built offline.
bash scripts/build-native.sh

if [ -e "$env_file" ]; then
  echo "kept $env_file"
else
  mkdir -p "$(dirname "$env_file")"
  umask 077
  {
    echo "# Fleetboot bootd: the boot server's settings (README \"Sites and boot servers\")."
    echo "# Read by fleetboot-bootd.service, or: set -a; . $env_file; set +a"
    echo "# The central database. bootd starts and serves its snapshot while it is away."
    echo "DATABASE_URL='$database_url'"
    echo "# bootd's own state: view snapshot, events spool, hosts' logs."
    echo "FLEETBOOT_DATA_DIR=$data_dir"
    if [ -n "$boot_interface" ]; then
      echo "# The boot network's interface: DHCP answers only there."
      echo "FLEETBOOT_BOOT_INTERFACE=$boot_interface"
    else
      echo "# The boot network's interface: DHCP answers only there (off until set)."
      echo "# FLEETBOOT_BOOT_INTERFACE=eth1"
    fi
    echo "# FLEETBOOT_BOOTD_ID=$(hostname)  (unique among the boot servers sharing the database)"
    echo "# --- Registration with the console (Boot servers page): its URL and this server's credential ---"
    echo "# FLEETBOOT_BOOTD_NAME=site-a-1"
    echo "# FLEETBOOT_BOOTD_CREDENTIAL_FILE=/etc/fleetboot/bootd.credential   (shown once when the boot server is made)"
    echo "# The console's URL: artifacts are pulled from it into $data_dir/bootd/artifacts and served from there only."
    echo "# FLEETBOOT_CONSOLE_URL=http://console.example:3000"
    echo "# FLEETBOOT_ARTIFACT_CACHE_BYTES=21474836480   (20 GiB; artifacts of active, trial and previous images are never evicted)"
    echo "# Where the console reaches this bootd's status endpoint (hosts' logs, signed; metrics); it listens on every address."
    echo "# FLEETBOOT_BOOTD_STATUS_URL=http://$(hostname):9467"
  } > "$env_file"
  echo "wrote $env_file"
fi
mkdir -p "$data_dir"

if [ $systemd -eq 1 ]; then
  bash scripts/install-systemd.sh bootd --env-file "$env_file" --root "$systemd_root" --no-env-file
fi
echo "bootd is installed. Start it: set -a; . $env_file; set +a; node --import tsx boot-services/main.ts"
