#!/usr/bin/env bash
# Regenerates the real-client packet captures used by codec.test.ts. Runs as root; everything
# happens inside two throwaway network namespaces (client + dnsmasq as the server), nothing
# touches the root namespace. Output: <client>.pcap in this directory (origin: the named
# Debian 12 client talking to Debian 12 dnsmasq 2.90).
#   bash boot-services/dhcp/testdata/capture.sh
set -euo pipefail
cd "$(dirname "$0")"
id=$$
srv=fbcapsrv$id; cli=fbcapcli$id
cleanup() {
  for ns in $srv $cli; do
    for p in $(ip netns pids $ns 2>/dev/null); do kill -9 $p 2>/dev/null || true; done
    ip netns del $ns 2>/dev/null || true
  done
}
trap cleanup EXIT
ip netns add $srv; ip netns add $cli
ip link add vs$id netns $srv type veth peer name vc$id netns $cli
ip -n $srv addr add 10.99.0.1/24 dev vs$id
ip -n $srv link set vs$id up; ip -n $cli link set vc$id address 52:54:00:12:34:56; ip -n $cli link set vc$id up
ip -n $srv link set lo up; ip -n $cli link set lo up
ip netns exec $srv dnsmasq --no-daemon --port=0 --interface=vs$id --bind-interfaces \
  --dhcp-range=10.99.0.100,10.99.0.150,255.255.255.0,120 --dhcp-boot=pxelinux.0,boot,10.99.0.1 \
  --dhcp-option=option:router,10.99.0.1 --dhcp-option=option:dns-server,10.99.0.53 \
  --dhcp-option=option:domain-name,lab.example --dhcp-leasefile=/tmp/fbcap$id.leases --conf-file=/dev/null --no-ping &
sleep 2
capture() { # name, command...
  local name=$1; shift
  ip netns exec $srv timeout 30 tcpdump --immediate-mode -Z root -i vs$id -U -s 0 -w $name.pcap 'udp port 67 or udp port 68' 2>/dev/null &
  local tp=$!
  sleep 2
  ip netns exec $cli timeout 20 "$@" || true
  sleep 0.5
  kill $tp; wait $tp 2>/dev/null || true
}
# BusyBox udhcpc: DORA, renew (SIGUSR1 is not needed: -q exits after the lease), release with -R.
capture udhcpc udhcpc -f -q -R -n -i vc$id -s /bin/true -t 3 -T 1 -x hostname:cap-bbox
# BusyBox udhcpc dressed as a PXE BIOS client (option 60 PXEClient, 93 arch 0, 94, 97).
capture udhcpc-pxe udhcpc -f -q -n -i vc$id -s /bin/true -t 3 -T 1 -V PXEClient:Arch:00000:UNDI:002001 \
  -x 0x5d:0000 -x 0x5e:010201 -x 0x61:00a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5 -O 66 -O 67
# ISC dhclient: DORA then release (-r) in one capture.
cat > /tmp/fbcap$id.hook <<'SH'
#!/bin/sh
case "$reason" in BOUND) ip addr add "$new_ip_address/$new_subnet_mask" dev "$interface" ;; esac
SH
chmod +x /tmp/fbcap$id.hook
cat > /tmp/fbcap$id.sh <<SH
dhclient -1 -v -sf /tmp/fbcap$id.hook -lf /tmp/fbcap$id.dhl -pf /tmp/fbcap$id.pid vc$id
dhclient -r -v -sf /tmp/fbcap$id.hook -lf /tmp/fbcap$id.dhl -pf /tmp/fbcap$id.pid vc$id
SH
capture dhclient bash /tmp/fbcap$id.sh
rm -f /tmp/fbcap$id.*
ls -l *.pcap
