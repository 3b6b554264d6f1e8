#!/bin/sh
# The Fleetboot boot agent: /init of the agent initramfs (DESIGN.md "The boot, end to end").
# Brings the boot NIC up with udhcpc, asks bootd who this machine is, reports each phase,
# mounts the root of the role's mode (ram | nfs | disk), installs the "up" hook into it and
# switch_roots. An unknown machine reports its hardware and waits to be claimed, then reboots
# into its role. Any failure is reported with its phase and reason; the agent retries with
# backoff and finally leaves a rescue shell on the console.
# POSIX sh for BusyBox ash. BusyBox 1.35's `wget -T` crashes: every wget is bounded by `timeout`.

export PATH=/bin:/sbin:/usr/bin:/usr/sbin
/bin/busybox mkdir -p /proc /sys /dev /run /tmp /newroot /usr/bin /usr/sbin /sbin
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /run/fleetboot
# Keep the kernel's own chatter off the console while the agent talks.
echo 1 > /proc/sys/kernel/printk

# The agent's lines go to the console and to bootd's syslog (forward_logs); until forwarding
# runs they wait in early.log. to_syslog TEXT [SEVERITY]
SYSLOG_TARGET=''; SYSLOG_PID=''
to_syslog() {
	if [ -n "$SYSLOG_PID" ]; then logger -t fleetboot-agent -p "daemon.${2:-info}" "$1"
	else echo "${2:-info} $1" >> /run/fleetboot/early.log; fi
}
say() { echo "fleetboot-agent: $*"; to_syslog "$*"; }

# BusyBox syslogd -R sends what is logged here to bootd's syslog receiver (address:port): the
# identity's syslogServer, or before it DHCP option 7 (udhcpc -O 7, on 514). The booted system gets
# the same target in agent.env (SYSLOG=) and forwards its own log.
forward_logs() {
	[ -n "$1" ] && [ "$1" != "$SYSLOG_TARGET" ] || return 0
	stop_forwarding
	syslogd -n -R "$1" &
	SYSLOG_PID=$!; SYSLOG_TARGET=$1
	n=0
	while [ ! -S /dev/log ] && [ $n -lt 20 ]; do usleep 50000; n=$((n + 1)); done
	if [ -f /run/fleetboot/early.log ]; then
		while read -r severity line; do logger -t fleetboot-agent -p "daemon.$severity" "$line"; done < /run/fleetboot/early.log
		rm -f /run/fleetboot/early.log
	fi
	return 0
}

# Before switch_root: the last lines leave, and no syslogd of the initramfs outlives it
# (devtmpfs is shared with the booted system, so its /dev/log would too).
# Adds a line to a file of the new root unless it is there. On an NFS root the first write copies
# the file up from the export into the tmpfs above it, and that can fail with "Interrupted system
# call" when a signal reaches this shell meanwhile. One always may: this shell is PID 1, and
# BusyBox `timeout` (every post) leaves a watcher process that PID 1 inherits and that exits up to
# a second later; ash does not restart system calls after its SIGCHLD. Seen once in CI (the
# inittab append failed right after the root-mounted report, and the host never reported up).
add_line_once() {
	tries=0
	while [ $tries -lt 5 ]; do
		grep -qxF "$2" "$1" 2>/dev/null && return 0
		echo "$2" 2>/dev/null >> "$1" && return 0
		tries=$((tries + 1))
		say "writing $1 failed (try $tries of 5), trying again"
		usleep 200000
	done
	return 1
}

stop_forwarding() {
	[ -n "$SYSLOG_PID" ] || return 0
	usleep 300000
	kill "$SYSLOG_PID" 2>/dev/null
	wait "$SYSLOG_PID" 2>/dev/null
	rm -f /dev/log
	SYSLOG_PID=''
}

BOOTD=''; MODE=boot; HOST_PARAM=''; MAC=''; DEBUG=''
# A ram root's download may take its size at this rate plus the start allowance, no longer
# (fleetboot.rootfs_min_rate= in bytes per second for a slow link).
ROOTFS_MIN_BYTES_PER_SECOND=1048576; ROOTFS_START_SECONDS=60
RAM_ROOT_SIZE=90%
for word in $(cat /proc/cmdline); do
	case "$word" in
		fleetboot.bootd=*) BOOTD=${word#*=} ;;
		fleetboot.mode=*) MODE=${word#*=} ;;
		fleetboot.host=*) HOST_PARAM=${word#*=} ;;
		fleetboot.mac=*) MAC=${word#*=} ;;
		fleetboot.debug) DEBUG=1 ;;
		fleetboot.rootfs_min_rate=*) ROOTFS_MIN_BYTES_PER_SECOND=${word#*=} ;;
		fleetboot.ram_root_size=*) RAM_ROOT_SIZE=${word#*=} ;;
		# pxelinux SYSAPPEND 2 / iPXE: BOOTIF=01-aa-bb-cc-dd-ee-ff (01 = Ethernet)
		BOOTIF=01-*) MAC=$(echo "${word#BOOTIF=01-}" | tr 'A-F-' 'a-f:') ;;
	esac
done
case "$ROOTFS_MIN_BYTES_PER_SECOND" in ''|*[!0-9]*|0) ROOTFS_MIN_BYTES_PER_SECOND=1048576 ;; esac
[ -n "$DEBUG" ] && set -x

json_str() { printf '%s' "$1" | tr -d '\000-\037' | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g'; }

# POST a JSON body to bootd; bounded, never fatal (the boot goes on without its report).
post() {
	timeout 10 wget -q -O /dev/null --header 'Content-Type: application/json' --post-data "$2" "$BOOTD$1" 2>/dev/null || say "report to $1 failed"
	return 0
}

# progress PHASE [BYTES_DONE [BYTES_TOTAL]] [REASON] [EXTRA_JSON_MEMBERS]
progress() {
	body="{\"mac\":\"$MAC\",\"phase\":\"$1\""
	[ -n "$2" ] && body="$body,\"bytesDone\":$2"
	[ -n "$3" ] && body="$body,\"bytesTotal\":$3"
	[ -n "$4" ] && body="$body,\"reason\":\"$(json_str "$4")\""
	[ -n "$5" ] && body="$body,$5"
	[ -n "$HOST_PARAM" ] && body="$body,\"host\":\"$(json_str "$HOST_PARAM")\""
	post /boot/v1/progress "$body}"
	# The log gets each phase; of the download's and unpack's ticks, the first and the last.
	case "$1" in rootfs-download|rootfs-unpack) ticking=1 ;; *) ticking='' ;; esac
	if [ -z "$ticking" ] || [ "${2:-0}" = 0 ] || [ "$2" = "$3" ]; then
		case "$1" in failed|rescue) sev=err ;; *) sev=info ;; esac
		to_syslog "phase $1${2:+ ($2${3:+ of $3} bytes)}${4:+: $4}" "$sev"
	fi
	return 0
}

load_modules() { # list name: network | disk | nfs
	[ -f "/etc/fleetboot/modules.$1" ] || return 0
	while read -r m; do
		[ -n "$m" ] && insmod "/lib/modules/$m" 2>/dev/null
	done < "/etc/fleetboot/modules.$1"
	return 0
}

# The NIC that booted (BOOTIF), else the first Ethernet interface the drivers created.
find_nic() {
	n=0
	while [ $n -lt 50 ]; do
		for dev in /sys/class/net/*; do
			name=${dev##*/}
			[ "$name" = lo ] && continue
			[ "$(cat "$dev/type" 2>/dev/null)" = 1 ] || continue
			addr=$(cat "$dev/address")
			if [ -z "$MAC" ] || [ "$addr" = "$MAC" ]; then
				NIC=$name; MAC=$addr; return 0
			fi
		done
		n=$((n + 1)); usleep 200000
	done
	return 1
}

network_up() {
	load_modules network
	find_nic || { REASON="no network interface (looked for ${MAC:-any})"; return 1; }
	ip link set lo up
	ip link set "$NIC" up
	rm -f /run/fleetboot/net.env
	timeout 60 udhcpc -i "$NIC" -f -q -n -t 8 -T 2 -V fleetboot-agent -O 7 -s /etc/fleetboot/udhcpc.sh >/dev/null 2>&1
	[ -s /run/fleetboot/net.env ] || { REASON="no DHCP lease on $NIC"; return 1; }
	. /run/fleetboot/net.env
	# bootd's address from the lease when the cmdline didn't name it (a hand-made boot entry).
	[ -z "$BOOTD" ] && [ -n "$siaddr" ] && BOOTD="http://$siaddr:8080"
	[ -n "$BOOTD" ] || { REASON='no fleetboot.bootd= and no next-server'; return 1; }
	forward_logs "${logsrv:+$logsrv:514}"
	say "network up: $NIC $MAC $ip"
	progress network-up
}

# Reads key=value lines from bootd into ID_* variables, without evaluating anything.
identity() {
	q="mac=$MAC"
	[ -n "$HOST_PARAM" ] && q="$q&host=$HOST_PARAM"
	rm -f /run/fleetboot/identity
	# bootd's refusal (e.g. 404 for a fleetboot.host= no host has) is in wget's last line.
	err=$(timeout 15 wget -q -O /run/fleetboot/identity "$BOOTD/boot/v1/identity?$q&format=env" 2>&1) \
		|| { REASON="identity request failed${HOST_PARAM:+ (fleetboot.host=$HOST_PARAM)}: $(echo "$err" | tail -n 1)"; return 1; }
	ID_STATUS=''; ID_ACTION=''; ID_HOSTNAME=''; ID_ROOTMODE=''; ID_ROOTFS_URL=''; ID_ROOTFS_SHA256=''; ID_ROOTFS_BYTES=''; ID_ROOTFS_UNPACKED_BYTES=''
	ID_NFS_EXPORT=''; ID_DISK_ROOT=''; ID_REASON=''; ID_HEALTH_COMMAND=''; ID_BY=''; ID_SYSLOG=''
	while IFS='=' read -r key value; do
		case "$key" in
			status) ID_STATUS=$value ;;
			action) ID_ACTION=$value ;;
			hostname) ID_HOSTNAME=$value ;;
			rootMode) ID_ROOTMODE=$value ;;
			rootfsUrl) ID_ROOTFS_URL=$value ;;
			rootfsSha256) ID_ROOTFS_SHA256=$value ;;
			rootfsBytes) ID_ROOTFS_BYTES=$value ;;
			rootfsUnpackedBytes) ID_ROOTFS_UNPACKED_BYTES=$value ;;
			nfsExport) ID_NFS_EXPORT=$value ;;
			diskRoot) ID_DISK_ROOT=$value ;;
			healthCommand) ID_HEALTH_COMMAND=$value ;;
			syslogServer) ID_SYSLOG=$value ;;
			by) ID_BY=$value ;;
			reason) ID_REASON=$value ;;
		esac
	done < /run/fleetboot/identity
	[ -n "$ID_STATUS" ] || { REASON='identity answer unreadable'; return 1; }
}

discovery_facts() {
	dmi() { cat "/sys/class/dmi/id/$1" 2>/dev/null | tr -d '\n'; }
	cpus=$(grep -c '^processor' /proc/cpuinfo)
	model=$(grep -m1 '^model name' /proc/cpuinfo | sed 's/^[^:]*: //')
	memkib=$(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo)
	disks=''
	for b in /sys/block/*; do
		# No disks: the glob stays literal; an arithmetic error would end the whole subshell.
		[ -e "$b/size" ] || continue
		name=${b##*/}
		case "$name" in loop*|ram*|zram*|sr*) continue ;; esac
		sectors=$(cat "$b/size" 2>/dev/null)
		bytes=$(( ${sectors:-0} * 512 ))
		disks="$disks${disks:+,}{\"name\":\"$name\",\"bytes\":$bytes,\"model\":\"$(json_str "$(cat "$b/device/model" 2>/dev/null)")\"}"
	done
	nics=''
	for dev in /sys/class/net/*; do
		name=${dev##*/}
		[ "$name" = lo ] || [ ! -e "$dev/address" ] && continue
		nics="$nics${nics:+,}{\"name\":\"$name\",\"mac\":\"$(cat "$dev/address")\",\"driver\":\"$(basename "$(readlink "$dev/device/driver" 2>/dev/null)" 2>/dev/null)\"}"
	done
	printf '{"mac":"%s","facts":{"serial":"%s","assetTag":"%s","product":"%s","vendor":"%s","uuid":"%s","cpus":%s,"cpuModel":"%s","memoryKib":%s,"disks":[%s],"nics":[%s]}}' \
		"$MAC" "$(json_str "$(dmi product_serial)")" "$(json_str "$(dmi chassis_asset_tag)")" "$(json_str "$(dmi product_name)")" \
		"$(json_str "$(dmi sys_vendor)")" "$(json_str "$(dmi product_uuid)")" "${cpus:-0}" "$(json_str "$model")" "${memkib:-0}" "$disks" "$nics"
}

# An unknown machine: report the hardware, wait to be claimed, then reboot into the role.
discover() {
	say "unknown machine $MAC: reporting hardware and waiting to be claimed"
	progress discovery-wait
	post /boot/v1/discovery "$(discovery_facts)"
	polls=0
	while :; do
		sleep 3
		identity || continue
		if [ "$ID_STATUS" = known ]; then
			say "claimed as $ID_HOSTNAME: rebooting into its role"
			progress claimed
			sync
			reboot -f
		fi
		# Facts again now and then: a bootd that lost them (restart, new database) learns them back.
		polls=$((polls + 1))
		[ $((polls % 20)) -eq 0 ] && post /boot/v1/discovery "$(discovery_facts)"
	done
}

# A counter of a process's reads (/proc/PID/io), 0 once it is gone.
bytes_read() { sed -n 's/^rchar: //p' "/proc/$1/io" 2>/dev/null || echo 0; }

# ram root: download, hash, decompress and unpack in one pipe into the tmpfs root, so the host
# needs RAM for the unpacked tree only, never for the tarball as well (issue 21). The sha256
# is known only at the end of the stream: on a mismatch or a cut download the half-unpacked
# root is thrown away (cleanup_mounts unmounts the tmpfs) and never switched into.
# Debian's zstd decompresses zstd, gzip and xz alike, knowing each by its magic number
# (RFC 8878 §3.1.1, RFC 1952 §2.3.1): no format to be told.
#   wget ─► dl ─► tee ─► plain ─► zstd -d ─► tar -x -C /newroot
#                   ├──► hash ─► sha256sum
#                   └──► wc -c (bytes downloaded)
# tee, wc and sha256sum are coreutils' from /usr/libexec/fleetboot (build-initramfs.ts says why):
# BusyBox's wc -c reads a byte at a time, and every byte of the rootfs passes all three.
PIPE_TOOLS=/usr/libexec/fleetboot
fetch_rootfs() {
	[ -n "$ID_ROOTFS_URL" ] || { REASON="no rootfs in the image${ID_REASON:+: $ID_REASON}"; return 1; }
	# A tmpfs's default cap is half the RAM: a ram root may use most of it (fleetboot.ram_root_size=).
	mount -t tmpfs -o "mode=0755,size=$RAM_ROOT_SIZE" tmpfs /newroot || { REASON="tmpfs mount failed (size=$RAM_ROOT_SIZE)"; return 1; }
	command -v zstd >/dev/null || { REASON='this initramfs has no zstd to unpack the rootfs'; return 1; }
	[ -x $PIPE_TOOLS/tee ] && [ -x $PIPE_TOOLS/wc ] && [ -x $PIPE_TOOLS/sha256sum ] || { REASON="this initramfs has no $PIPE_TOOLS/{tee,wc,sha256sum} for the rootfs pipe"; return 1; }
	total=${ID_ROOTFS_BYTES:-0}
	# The time cap follows the image: its size at the slowest rate we accept, plus a start allowance.
	cap=$(( ROOTFS_START_SECONDS + total / ROOTFS_MIN_BYTES_PER_SECOND ))
	d=/run/fleetboot
	rm -f $d/dl $d/hash $d/plain $d/rootfs.sum $d/downloaded $d/download.rc $d/decompress.rc $d/tar.rc $d/tar.err $d/zstd.err
	mkfifo $d/dl $d/hash $d/plain || { REASON='mkfifo failed'; return 1; }
	memory_before=$(memory_in_use); memory_peak=$memory_before
	progress rootfs-download 0 "$total"
	{ timeout "$cap" wget -q -O - "$ID_ROOTFS_URL" 2>/dev/null; echo $? > $d/download.rc; } > $d/dl &
	$PIPE_TOOLS/sha256sum < $d/hash > $d/rootfs.sum &
	hash_pid=$!
	$PIPE_TOOLS/tee $d/hash $d/plain < $d/dl | $PIPE_TOOLS/wc -c > $d/downloaded &
	count_pid=$!
	# tar stops at the archive's end marker: what follows (padding) is drained, so neither the
	# decompressor nor tee dies of a closed pipe and the hash sees every byte.
	{ zstd -dcq < $d/plain 2>$d/zstd.err; echo $? > $d/decompress.rc; } | { tar -x -C /newroot 2>$d/tar.err; echo $? > $d/tar.rc; cat > /dev/null; } &
	tar_pid=$!
	# Four looks a second at memory, a report a second: light enough for a slow CPU, which the
	# pipe needs for itself.
	ticks=0
	while kill -0 $tar_pid 2>/dev/null; do
		usleep 250000
		ticks=$((ticks + 1))
		in_use=$(memory_in_use)
		[ "$in_use" -gt "$memory_peak" ] && memory_peak=$in_use
		if [ $((ticks % 4)) -eq 0 ]; then
			progress rootfs-download "$(bytes_read $count_pid)" "$total"
			progress rootfs-unpack "$(unpacked_bytes)" "${ID_ROOTFS_UNPACKED_BYTES}"
		fi
	done
	wait $tar_pid
	wait $count_pid
	wait $hash_pid
	rm -f $d/dl $d/hash $d/plain
	unpacked=$(unpacked_bytes)
	download_rc=$(cat $d/download.rc 2>/dev/null); decompress_rc=$(cat $d/decompress.rc 2>/dev/null); tar_rc=$(cat $d/tar.rc 2>/dev/null)
	sum=$(cut -c1-64 $d/rootfs.sum 2>/dev/null); downloaded=$(cat $d/downloaded 2>/dev/null)
	# One reason, the first cause: a cut or slow download, then the checksum, then the unpack.
	if [ "$download_rc" != 0 ] || { [ "$total" -gt 0 ] && [ "${downloaded:-0}" -ne "$total" ]; }; then
		REASON="rootfs download cut at ${downloaded:-0} of $total bytes (wget exit ${download_rc:-?}, cap ${cap}s)"; return 1
	fi
	if [ -n "$ID_ROOTFS_SHA256" ] && [ "$sum" != "$ID_ROOTFS_SHA256" ]; then
		REASON="rootfs sha256 mismatch (got ${sum:-nothing}): the unpacked root is thrown away"; return 1
	fi
	[ -n "$ID_ROOTFS_SHA256" ] && progress rootfs-verified
	if [ "$decompress_rc" != 0 ] || [ "$tar_rc" != 0 ]; then
		REASON="rootfs unpack failed (zstd exit ${decompress_rc:-?}: $(tail -n 1 $d/zstd.err 2>/dev/null); tar exit ${tar_rc:-?}: $(tail -n 1 $d/tar.err 2>/dev/null))"; return 1
	fi
	progress rootfs-download "$total" "$total"
	progress rootfs-unpack "$unpacked" "${ID_ROOTFS_UNPACKED_BYTES:-$unpacked}" '' "\"memoryBeforeBytes\":$memory_before,\"memoryPeakBytes\":$memory_peak"
}

# Memory in use now (MemTotal - MemAvailable), in bytes: the pipe must hold nothing twice.
memory_in_use() { awk '/^MemTotal:/ { t = $2 } /^MemAvailable:/ { a = $2 } END { print (t - a) * 1024 }' /proc/meminfo; }

# Bytes the tmpfs root holds now.
unpacked_bytes() { df -k /newroot 2>/dev/null | awk 'NR == 2 { print $3 * 1024 }'; }

mount_nfs() {
	[ -n "$ID_NFS_EXPORT" ] || { REASON='role has no NFS export'; return 1; }
	load_modules nfs
	mkdir -p /run/fleetboot/lower /run/fleetboot/rw
	# Read-only NFS below, a tmpfs above for writes: hosts never write to the shared export.
	mount -t nfs -o ro,nolock,vers=3,tcp "$ID_NFS_EXPORT" /run/fleetboot/lower || { REASON="NFS mount of $ID_NFS_EXPORT failed"; return 1; }
	mount -t tmpfs tmpfs /run/fleetboot/rw
	mkdir -p /run/fleetboot/rw/upper /run/fleetboot/rw/work
	mount -t overlay overlay -o lowerdir=/run/fleetboot/lower,upperdir=/run/fleetboot/rw/upper,workdir=/run/fleetboot/rw/work /newroot \
		|| { REASON='overlay mount failed'; return 1; }
}

mount_disk() {
	[ -n "$ID_DISK_ROOT" ] || { REASON='role has no disk root'; return 1; }
	load_modules disk
	n=0; dev=''
	while [ $n -lt 50 ]; do
		case "$ID_DISK_ROOT" in
			/dev/*) [ -b "$ID_DISK_ROOT" ] && dev=$ID_DISK_ROOT ;;
			*) dev=$(findfs "$ID_DISK_ROOT" 2>/dev/null) ;;
		esac
		[ -n "$dev" ] && break
		n=$((n + 1)); usleep 200000
	done
	[ -n "$dev" ] || { REASON="disk root $ID_DISK_ROOT not found"; return 1; }
	mount -t ext4 -o rw "$dev" /newroot || { REASON="mounting $dev failed"; return 1; }
}

# The booted system says "up" itself: a hook with its own static BusyBox, started by the
# image's init (inittab or systemd), else by a wrapper that runs before the image's init.
install_up_hook() {
	hook=/newroot/.fleetboot
	mkdir -p "$hook"
	cp /bin/busybox "$hook/busybox"
	cat > "$hook/agent.env" <<EOF
BOOTD=$BOOTD
MAC=$MAC
HOSTNAME=$ID_HOSTNAME
HOST_PARAM=$HOST_PARAM
NIC=$NIC
IP=$ip
SYSLOG=$SYSLOG_TARGET
EOF
	cp /etc/fleetboot/report-up "$hook/report-up"
	# The lease keeper (keep-lease), unless the image runs its own DHCP client on this NIC.
	KEEP_LEASE=''
	if [ ! -e /newroot/etc/fleetboot/no-lease-keeper ]; then
		cp /etc/fleetboot/keep-lease /etc/fleetboot/lease-hook "$hook/"
		chmod 755 "$hook/keep-lease" "$hook/lease-hook"
		KEEP_LEASE=1
	fi
	# The role's health check command (Role.healthCheck): written as a script, never eval'd here.
	rm -f "$hook/role-health"
	if [ -n "$ID_HEALTH_COMMAND" ]; then
		printf '#!/.fleetboot/busybox sh\n%s\n' "$ID_HEALTH_COMMAND" > "$hook/role-health"
		chmod 755 "$hook/role-health"
	fi
	chmod 755 "$hook/report-up" "$hook/busybox"
	INIT=/sbin/init
	if [ -f /newroot/etc/inittab ]; then
		add_line_once /newroot/etc/inittab '::once:/.fleetboot/report-up' || { REASON='could not add report-up to /etc/inittab'; return 1; }
		if [ -n "$KEEP_LEASE" ]; then
			add_line_once /newroot/etc/inittab '::respawn:/.fleetboot/keep-lease' || { REASON='could not add keep-lease to /etc/inittab'; return 1; }
		fi
	elif [ -d /newroot/etc/systemd/system ]; then
		cat > /newroot/etc/systemd/system/fleetboot-up.service <<'EOF'
[Unit]
Description=Tell Fleetboot this host is up
After=multi-user.target
[Service]
Type=oneshot
ExecStart=/.fleetboot/report-up
[Install]
WantedBy=multi-user.target
EOF
		mkdir -p /newroot/etc/systemd/system/multi-user.target.wants
		ln -sf ../fleetboot-up.service /newroot/etc/systemd/system/multi-user.target.wants/fleetboot-up.service
		if [ -n "$KEEP_LEASE" ]; then
			cat > /newroot/etc/systemd/system/fleetboot-lease.service <<'EOF'
[Unit]
Description=Keep the boot NIC's DHCP lease (Fleetboot)
DefaultDependencies=no
[Service]
ExecStart=/.fleetboot/keep-lease
Restart=always
RestartSec=5
[Install]
WantedBy=multi-user.target
EOF
			ln -sf ../fleetboot-lease.service /newroot/etc/systemd/system/multi-user.target.wants/fleetboot-lease.service
		fi
	else
		cp /etc/fleetboot/init-wrapper "$hook/init"
		chmod 755 "$hook/init"
		INIT=/.fleetboot/init
	fi
	return 0
}

cleanup_mounts() {
	for m in /newroot /run/fleetboot/lower /run/fleetboot/rw; do umount "$m" 2>/dev/null; done
}

boot_once() {
	PHASE=network; network_up || return 1
	PHASE=identity; identity || return 1
	forward_logs "$ID_SYSLOG"
	progress identity
	case "$ID_STATUS" in
		unknown) discover ;;
		known) ;;
		*) REASON="identity: unexpected status $ID_STATUS"; return 1 ;;
	esac
	[ "$ID_ACTION" = fail ] && { REASON="bootd: $ID_REASON"; return 1; }
	[ "$MODE" = rescue ] || [ "$ID_ACTION" = rescue ] && { RESCUE_REQUESTED=1; return 1; }
	say "this is $ID_HOSTNAME${ID_BY:+ (by $ID_BY)}, root mode $ID_ROOTMODE"
	PHASE=root
	case "$ID_ROOTMODE" in
		ram) fetch_rootfs || return 1 ;;
		nfs) mount_nfs || return 1 ;;
		disk) mount_disk || return 1 ;;
		*) REASON="unknown root mode $ID_ROOTMODE"; return 1 ;;
	esac
	[ -x /newroot/sbin/init ] || [ -L /newroot/sbin/init ] || { REASON='the root has no /sbin/init'; return 1; }
	progress root-mounted
	install_up_hook || return 1
	progress switch-root
	say "switching root to $ID_ROOTMODE root"
	stop_forwarding
	umount /sys /proc 2>/dev/null
	exec switch_root /newroot "$INIT"
}

say "starting (mode $MODE, bootd ${BOOTD:-from DHCP})"
attempt=1
RESCUE_REQUESTED=''
for backoff in 5 15 45; do
	REASON=''
	boot_once
	[ -n "$RESCUE_REQUESTED" ] && break
	say "attempt $attempt failed in $PHASE: $REASON"
	progress failed '' '' "$PHASE: $REASON (attempt $attempt)"
	cleanup_mounts
	[ $attempt -eq 3 ] && break
	say "retrying in ${backoff}s"
	sleep "$backoff"
	attempt=$((attempt + 1))
done
progress rescue '' '' "${REASON:-rescue requested}"
say 'rescue shell on the console (exit to reboot)'
setsid cttyhack sh
reboot -f
