#!/usr/bin/env bash
# Writes Fleetboot's systemd unit for this checkout and its environment file (kept if it
# exists), and enables the unit when systemd runs this machine.
#   bash scripts/install-systemd.sh stack   fleetboot.service: console, bootd, embedded PostgreSQL
#   bash scripts/install-systemd.sh bootd   fleetboot-bootd.service: the boot server alone
# Options: --env-file PATH (default /etc/fleetboot/fleetboot.env or bootd.env), --root DIR
# (write under DIR instead of /: image builds and tests; nothing is enabled then), --no-env-file
# (the caller wrote it: scripts/install-bootd.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-}
shift || true
case "$kind" in
  stack) unit=fleetboot.service; env_file=/etc/fleetboot/fleetboot.env ;;
  bootd) unit=fleetboot-bootd.service; env_file=/etc/fleetboot/bootd.env ;;
  *) echo "usage: install-systemd.sh stack|bootd [--env-file PATH] [--root DIR]" >&2; exit 2 ;;
esac
root=/
write_env=1
while [ $# -gt 0 ]; do
  case "$1" in
    --env-file) env_file=$2; shift 2 ;;
    --root) root=$2; shift 2 ;;
    --no-env-file) write_env=0; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
node_bin=$(command -v node) || { echo "node is not on the PATH" >&2; exit 1; }
checkout=$(pwd -P)

unit_dir="$root/etc/systemd/system"
mkdir -p "$unit_dir"
[ $write_env -eq 1 ] && mkdir -p "$(dirname "$root/$env_file")"
sed -e "s#@ROOT@#$checkout#g" -e "s#@NODE@#$node_bin#g" -e "s#@ENV_FILE@#$env_file#g" \
  "packaging/systemd/$unit.in" > "$unit_dir/$unit"
echo "wrote $unit_dir/$unit"

if [ $write_env -eq 1 ] && [ ! -e "$root/$env_file" ]; then
  if [ "$kind" = stack ]; then
    cat > "$root/$env_file" <<EOT
# Fleetboot (fleetboot.service): see README "Configuration" for every variable.
FLEETBOOT_DATA_DIR=$checkout/data
# FLEETBOOT_PORT=3000
# The boot network's interface: DHCP answers only there.
# FLEETBOOT_BOOT_INTERFACE=eth1
# An existing PostgreSQL instead of the embedded one:
# DATABASE_URL='postgresql://user:password@db.example:5432/fleetboot'
EOT
  else
    cat > "$root/$env_file" <<EOT
# Fleetboot bootd (fleetboot-bootd.service): scripts/install-bootd.sh writes this with the
# database's URL; see README "Sites and boot servers".
DATABASE_URL='postgresql://user:password@console.example:5432/fleetboot'
FLEETBOOT_DATA_DIR=/var/lib/fleetboot
# FLEETBOOT_BOOT_INTERFACE=eth1
EOT
  fi
  chmod 600 "$root/$env_file"
  echo "wrote $root/$env_file (edit it, then start the unit)"
fi

if [ "$root" = / ] && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable "$unit"
  echo "enabled $unit: systemctl start ${unit%.service}"
else
  echo "not enabled (systemd does not run here, or --root): systemctl enable --now ${unit%.service} on the target"
fi
