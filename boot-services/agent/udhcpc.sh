#!/bin/sh
# udhcpc's event script in the agent initramfs: configures the address and route and leaves
# what the lease said in /run/fleetboot/net.env for /init (logsrv: DHCP option 7, the first
# log server, when the agent asked for it with -O logsrv).
case "$1" in
	deconfig)
		ip addr flush dev "$interface"
		;;
	bound|renew)
		ip addr flush dev "$interface"
		ip addr add "$ip/${mask:-24}" dev "$interface"
		[ -n "$router" ] && ip route replace default via "${router%% *}" dev "$interface"
		: > /etc/resolv.conf
		for d in $dns; do echo "nameserver $d" >> /etc/resolv.conf; done
		cat > /run/fleetboot/net.env <<ENV
ip=$ip
mask=$mask
router=${router%% *}
siaddr=$siaddr
logsrv=${logsrv%% *}
ENV
		;;
esac
exit 0
