# Sourced by scripts/setup.sh and scripts/install-bootd.sh: the Debian packages Fleetboot serves
# to the fleet, and one way to install missing ones without starting their daemons.

# Bootloaders served to the fleet (BIOS, UEFI, Secure Boot chain, memtest86+): what bootd needs.
bootloader_packages=(pxelinux syslinux-common ipxe memtest86+ shim-signed grub-efi-amd64-signed)
# What bootd itself runs and builds with: iproute2 (it reads its interfaces with `ip -j addr`);
# make, g++, python3 for node-gyp, which builds its interface-binding addon (scripts/build-native.sh).
bootd_build_packages=(iproute2 make g++ python3)

# install_missing_packages PKG...: installs those not installed yet (as root).
install_missing_packages() {
  local missing=() p
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then echo "run as root to install: ${missing[*]}" >&2; return 1; fi
  # Packages that ship daemons (dnsmasq, tftpd-hpa, nginx, kea) must not start on the real
  # network: policy-rc.d refuses service starts for the duration of the install.
  local created_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; created_policy=1; fi
  # An install that fails with the lists as they are gets one `apt-get update` and a retry.
  local rc=0
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null || rc=$?
  }
  [ $created_policy -eq 1 ] && rm -f /usr/sbin/policy-rc.d
  return $rc
}

# require_node MAJOR: exits unless Node.js >= MAJOR is on the PATH.
require_node() {
  if ! command -v node >/dev/null || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt "$1" ]; then
    echo "Fleetboot needs Node.js >= $1 (found: $(node --version 2>/dev/null || echo none))" >&2
    exit 1
  fi
}
