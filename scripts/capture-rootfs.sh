#!/usr/bin/env bash
# capture-rootfs.sh — turn a real server's running system into a Fleetboot root filesystem
# image (the seed's "change it on a real machine, regenerate the image"), and upload it.
#
# Run as root on the reference server of a role, after changing it the way every host of the
# role should be:
#
#   FLEETBOOT_TOKEN=fbt_... scripts/capture-rootfs.sh \
#       --url https://fleetboot.example:3000 --image <image id>
#
# What goes in: the whole tree under --root (default /), numeric owners, permissions, ACLs,
# xattrs (file capabilities) and hard links kept. What stays out:
#   - kernel and runtime trees: /proc /sys /dev /run /tmp /var/tmp (kept as empty mount points),
#     swap files, lost+found, and other mounted filesystems' contents with --one-file-system
#   - per-host identity, so hosts booting the image don't share it:
#       /etc/hostname (the agent names each host), /etc/ssh/ssh_host_*, DHCP client leases
#       (/var/lib/dhcp, /var/lib/dhclient, /var/lib/NetworkManager/*.lease), udev persistent
#       net rules, /var/lib/systemd/random-seed, /var/lib/systemd/credential.secret
#   - /etc/machine-id is stored empty (systemd makes a new one at first boot)
#   - /etc/fstab keeps only lines that name no local disk (UUID=, LABEL=, PARTUUID=, /dev/…):
#     a ram or nfs root has none of the reference server's disks
# Then gzip (or zstd: smaller and several times faster to unpack on the booting host), sha256,
# and an upload with curl -T (the server checks the checksum and stores the
# file only if it matches; nothing half-uploaded is ever visible).
#
# Options:
#   --root DIR        tree to capture (default /; tests use a small directory)
#   --output FILE     where the tarball is written (default /var/tmp/rootfs-<host>-<time>.tar.gz or .tar.zst)
#   --zstd            compress with zstd instead of gzip (the agent reads both, by their magic numbers)
#   --url URL         Fleetboot web console URL (or FLEETBOOT_URL)
#   --image ID        image to upload the rootfs to (register the version in the console first)
#   --token TOKEN     API token, operator role (or FLEETBOOT_TOKEN; the environment keeps it out of `ps`)
#   --force           replace the rootfs of an image that is already ready
#   --exclude PATTERN extra tar --exclude pattern, relative to the root (e.g. './srv/cache/*'); repeatable
#   --one-file-system don't descend into other mounted filesystems
#   --no-upload       only write the tarball and print its sha256
set -euo pipefail

root=/
output=''
url=${FLEETBOOT_URL:-}
image=''
token=${FLEETBOOT_TOKEN:-}
force=''
upload=1
extra=()
onefs=()
format=gzip

usage() { sed -n '2,/^set -euo/p' "$0" | sed 's/^# \{0,1\}//; /^set -euo/d'; exit "${1:-2}"; }
while [ $# -gt 0 ]; do
  case $1 in
    --root) root=$2; shift 2 ;;
    --output) output=$2; shift 2 ;;
    --url) url=$2; shift 2 ;;
    --image) image=$2; shift 2 ;;
    --token) token=$2; shift 2 ;;
    --force) force=1; shift ;;
    --exclude) extra+=("--exclude=$2"); shift 2 ;;
    --one-file-system) onefs=(--one-file-system); shift ;;
    --no-upload) upload=''; shift ;;
    --zstd) format=zstd; shift ;;
    -h|--help) usage 0 ;;
    *) echo "capture-rootfs: unknown option $1" >&2; usage ;;
  esac
done

[ -d "$root" ] || { echo "capture-rootfs: $root is not a directory" >&2; exit 2; }
root=$(cd "$root" && pwd)
if [ -n "$upload" ]; then
  [ -n "$url" ] || { echo "capture-rootfs: give --url (or FLEETBOOT_URL), or --no-upload" >&2; exit 2; }
  [ -n "$image" ] || { echo "capture-rootfs: give --image <id> (register the version in the console first)" >&2; exit 2; }
  [ -n "$token" ] || { echo "capture-rootfs: give an API token: FLEETBOOT_TOKEN=fbt_… (or --token)" >&2; exit 2; }
fi
suffix=tar.gz; [ "$format" = zstd ] && suffix=tar.zst
[ -n "$output" ] || output=/var/tmp/rootfs-$(hostname -s 2>/dev/null || echo host)-$(date -u +%Y%m%dT%H%M%SZ).$suffix
if [ "$root" = / ] && [ "$(id -u)" != 0 ]; then echo "capture-rootfs: run as root to read the whole system" >&2; exit 2; fi

# Replacement files, added to the archive under ./.fleetboot-capture/ and renamed on the way in
# (--transform applies after --exclude, so the originals stay out and the replacements go in).
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/.fleetboot-capture/etc"
: > "$stage/.fleetboot-capture/etc/machine-id"
members=()
if [ -f "$root/etc/machine-id" ]; then members+=(./.fleetboot-capture/etc/machine-id); fi
if [ -f "$root/etc/fstab" ]; then
  awk '/^[[:space:]]*(#|$)/ { print; next } $1 ~ /^(UUID=|LABEL=|PARTUUID=|PARTLABEL=|\/dev\/)/ { print "# removed by capture-rootfs (a local disk of the reference server): " $0; next } { print }' \
    "$root/etc/fstab" > "$stage/.fleetboot-capture/etc/fstab"
  members+=(./.fleetboot-capture/etc/fstab)
fi

excludes=(
  './proc/*' './sys/*' './dev/*' './run/*' './tmp/*' './var/tmp/*' './lost+found' './swapfile' './swap.img'
  './etc/hostname' './etc/machine-id' './etc/fstab' './etc/ssh/ssh_host_*'
  './var/lib/dhcp/*' './var/lib/dhclient/*' './var/lib/NetworkManager/*.lease' './var/lib/NetworkManager/*.leases'
  './etc/udev/rules.d/70-persistent-net.rules' './etc/udev/rules.d/75-persistent-net-generator.rules'
  './var/lib/systemd/random-seed' './var/lib/systemd/credential.secret'
)
exclude_args=(--anchored)
for p in "${excludes[@]}"; do exclude_args+=("--exclude=$p"); done
exclude_args+=("${extra[@]}")
[ "$output" = "${output#"$root"/}" ] || exclude_args+=("--exclude=./${output#"$root"/}")

if [ "$format" = zstd ]; then
  command -v zstd >/dev/null 2>&1 || { echo "capture-rootfs: --zstd needs zstd (apt-get install zstd)" >&2; exit 2; }
  # All cores, level 6; the default window (no --long), so the agent's zstd -d needs no flag.
  compress=(zstd -q -6 -T0)
else
  compress=(gzip -6)
  command -v pigz >/dev/null 2>&1 && compress=(pigz -6)
fi

echo "capture-rootfs: archiving $root → $output" >&2
# tar exits 1 when a file changed while it was read (logs on a live system): a warning, not a failure.
set +e
tar -C "$root" --create --numeric-owner --acls --xattrs --xattrs-include='*' --sparse "${onefs[@]}" \
  "${exclude_args[@]}" . \
  -C "$stage" --no-anchored --transform='s,^\./\.fleetboot-capture/,./,' "${members[@]}" \
  | "${compress[@]}" > "$output.part"
status=("${PIPESTATUS[@]}")
set -e
if [ "${status[0]}" -gt 1 ] || [ "${status[1]}" -ne 0 ]; then
  rm -f "$output.part"
  echo "capture-rootfs: tar or $format failed (exit ${status[*]})" >&2
  exit 1
fi
mv "$output.part" "$output"
sum=$(sha256sum "$output" | cut -d' ' -f1)
size=$(stat -c %s "$output")
echo "capture-rootfs: $output: $size bytes, sha256 $sum" >&2

if [ -z "$upload" ]; then
  echo "$sum  $output"
  exit 0
fi
echo "capture-rootfs: uploading to ${url%/}/api/v1/images/$image/artifacts/rootfs" >&2
# The token goes through a header file, not the command line.
headers=$(mktemp)
trap 'rm -rf "$stage" "$headers"' EXIT
printf 'Authorization: Bearer %s\nX-Checksum-Sha256: %s\nContent-Type: application/octet-stream\n' "$token" "$sum" > "$headers"
answer=$(mktemp)
trap 'rm -rf "$stage" "$headers" "$answer"' EXIT
code=$(curl -sS -o "$answer" -w '%{http_code}' -T "$output" -H @"$headers" "${url%/}/api/v1/images/$image/artifacts/rootfs${force:+?force=true}") || { echo "capture-rootfs: upload failed (curl)" >&2; exit 1; }
if [ "$code" != 200 ]; then
  echo "capture-rootfs: the server refused the upload (HTTP $code): $(cat "$answer")" >&2
  exit 1
fi
echo "capture-rootfs: uploaded; the image is now $(sed -n 's/.*"status":"\([a-z]*\)".*/\1/p' "$answer")" >&2
echo "$sum  $output"
