#!/bin/sh
# udhcpc's event script in the agent initramfs: configures the address and route and leaves
# what the lease said in /run/fleetboot/net.env for /init (logsrv: DHCP option 7's first log
# server, when the agent asked for it with -O 7).

# BusyBox 1.35's udhcpc has no name for option 7 (older ones exported $logsrv): it exports it
# as opt7, hex. The first address of such a list: 0a420001… → 10.66.0.1.
hex_ip() {
	h=$1 out=''
	for i in 1 2 3 4; do
		byte=${h%"${h#??}"}; h=${h#??}
		case "$byte" in [0-9a-fA-F][0-9a-fA-F]) ;; *) return 0 ;; esac
		out="$out${out:+.}$((0x$byte))"
	done
	echo "$out"
}

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
logsrv=$(if [ -n "$logsrv" ]; then echo "${logsrv%% *}"; else hex_ip "$opt7"; fi)
ENV
		;;
esac
exit 0
