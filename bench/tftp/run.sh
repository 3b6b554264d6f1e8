#!/usr/bin/env bash
# TFTP benchmark: bootd's TFTP against tftpd-hpa, atftpd and dnsmasq, measured in the same run
# on the same machine (DESIGN.md: numbers move from run to run, compare ratios).
#   sudo bash bench/tftp/run.sh            # needs root (network namespaces)
#   STORMS="100 200" SINGLE_MB=50 STORM_MB=8 ROUNDS=2 bash bench/tftp/run.sh
# Setup: a server namespace and a client namespace joined by a veth with a 1500-byte MTU (a
# boot LAN). Every client is atftp asking "blksize 1468, tsize, windowsize 64": each server
# answers with the best it supports (tftpd-hpa and dnsmasq ignore windowsize and run lock-step).
# Single file and storms: best of ROUNDS, rounds interleaved across servers. Storm: N clients at
# once, total time and failures (non-zero exit or wrong sha256, summed over all rounds). Every client is bounded by `timeout`. atftpd comes from its .deb, extracted
# under /tmp (it conflicts with tftpd-hpa as a package).
set -uo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
STORMS=${STORMS:-"100 200"}
SINGLE_MB=${SINGLE_MB:-50}
STORM_MB=${STORM_MB:-8}
ROUNDS=${ROUNDS:-2}
SERVERS=${SERVERS:-"fleetboot tftpd-hpa atftpd dnsmasq"}
CLIENT_TIMEOUT_S=${CLIENT_TIMEOUT_S:-120}
[ "$(id -u)" = 0 ] || { echo "bench/tftp/run.sh needs root (network namespaces)"; exit 1; }

id=$RANDOM
srv=fbbts$id; cli=fbbtc$id
srvip=10.79.0.1; cliip=10.79.0.2
work=$(mktemp -d /tmp/fleetboot-bench-tftp.XXXXXX)
root=$work/root; mkdir -p "$root" "$work/out" "$work/state"
server_pid=""

cleanup() {
  stop_server
  for ns in $srv $cli; do
    for p in $(ip netns pids $ns 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
    ip netns del $ns 2>/dev/null
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add $srv; ip netns add $cli
ip link add vbs$id netns $srv type veth peer name vbc$id netns $cli
ip -n $srv addr add $srvip/24 dev vbs$id; ip -n $cli addr add $cliip/24 dev vbc$id
for ns in $srv $cli; do ip -n $ns link set lo up; done
ip -n $srv link set vbs$id up mtu 1500; ip -n $cli link set vbc$id up mtu 1500

head -c $((SINGLE_MB * 1024 * 1024)) /dev/urandom > "$root/single.bin"
head -c $((STORM_MB * 1024 * 1024)) /dev/urandom > "$root/storm.bin"
chmod -R a+rX "$root"; chmod a+rx "$work"
single_sha=$(sha256sum < "$root/single.bin" | cut -d' ' -f1)
storm_sha=$(sha256sum < "$root/storm.bin" | cut -d' ' -f1)

atftpd_bin=/tmp/atftpd-deb/root/usr/sbin/atftpd
if [ ! -x $atftpd_bin ] && [[ " $SERVERS " == *" atftpd "* ]]; then
  (mkdir -p /tmp/atftpd-deb && cd /tmp/atftpd-deb && apt-get download atftpd >/dev/null 2>&1 && dpkg-deb -x atftpd_*.deb root) || echo "atftpd: could not fetch its .deb; skipped"
fi

cat > "$work/fleetboot.json" <<EOF
{"config":{"serverAddress":"$srvip","bindAddress":"$srvip","interfaceName":null,"dhcpPort":67,"dhcpClientPort":68,"tftpPort":69,"httpPort":8080,
 "bootloaderDirs":["$root"],"stateDir":"$work/state","httpBaseUrl":"http://$srvip:8080","enableDhcp":false,"enableTftp":true,"enableHttp":false},
 "view":{"hosts":[],"roles":[],"images":[],"networkList":[]},"quiet":true}
EOF

start_server() {
  case $1 in
    fleetboot)
      ip netns exec $srv node --import tsx "$repo/boot-services/tftp/integration/boot-services-runner.ts" "$work/fleetboot.json" > "$work/server.log" 2>&1 &
      server_pid=$!
      for _ in $(seq 1 100); do grep -q '"ready"' "$work/server.log" 2>/dev/null && break; sleep 0.1; done ;;
    tftpd-hpa)
      ip netns exec $srv /usr/sbin/in.tftpd --foreground --listen --address $srvip:69 --secure "$root" > "$work/server.log" 2>&1 &
      server_pid=$! ;;
    atftpd)
      ip netns exec $srv $atftpd_bin --daemon --no-fork --user root --group root --bind-address $srvip --port 69 --maxthread 1000 --logfile /dev/null "$root" > "$work/server.log" 2>&1 &
      server_pid=$! ;;
    dnsmasq)
      ip netns exec $srv dnsmasq --keep-in-foreground --port=0 --enable-tftp --tftp-root="$root" --listen-address=$srvip --bind-interfaces \
        --tftp-max=1000 --user=root --pid-file="$work/dnsmasq.pid" --conf-file=/dev/null > "$work/server.log" 2>&1 &
      server_pid=$! ;;
  esac
  sleep 0.5
}

stop_server() {
  [ -n "$server_pid" ] || return 0
  kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null
  for p in $(ip netns pids $srv 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
  server_pid=""
}

now() { date +%s.%N; }

# fetch <remote> <local>: the one client command every server gets.
client_cmd() {
  echo "timeout $CLIENT_TIMEOUT_S atftp --option 'blksize 1468' --option 'tsize 0' --option 'windowsize 64' -g -r $1 -l $2 $srvip 69 >/dev/null 2>&1"
}

single_run() {
  rm -f "$work/out/single"
  local t0 t1
  t0=$(now)
  ip netns exec $cli sh -c "$(client_cmd single.bin "$work/out/single")"
  local rc=$?
  t1=$(now)
  if [ $rc -ne 0 ] || [ "$(sha256sum < "$work/out/single" 2>/dev/null | cut -d' ' -f1)" != "$single_sha" ]; then echo "fail"; return; fi
  echo "$t1 - $t0" | bc
}

storm_run() {
  local n=$1
  rm -f "$work/out"/storm.*
  local script="fails=0; for i in \$(seq 1 $n); do ( $(client_cmd storm.bin "$work/out/storm.\$i") || echo fail ) & done; wait"
  local t0 t1
  t0=$(now)
  local out; out=$(ip netns exec $cli sh -c "$script")
  t1=$(now)
  local fails; fails=$(printf '%s\n' "$out" | grep -c fail)
  local bad; bad=$(for f in $(seq 1 "$n"); do sha256sum < "$work/out/storm.$f" 2>/dev/null | cut -d' ' -f1 || echo missing; done | grep -vc "^$storm_sha$")
  echo "$(echo "$t1 - $t0" | bc) $((bad > fails ? bad : fails))"
}

# Rounds go across servers (round 1: every server, round 2: every server, ...) so that load
# from anything else on the machine hits them alike; each cell keeps its best round.
declare -A single storm_time storm_fail
better() { [ -z "$2" ] || [ "$(echo "$1 < $2" | bc)" = 1 ]; }
for round in $(seq 1 "$ROUNDS"); do
  for s in $SERVERS; do
    if [ "$s" = atftpd ] && [ ! -x $atftpd_bin ]; then continue; fi
    echo "== round $round: $s" >&2
    start_server "$s"
    t=$(single_run)
    echo "   single ${SINGLE_MB} MB: $t s" >&2
    if [ "$t" != fail ]; then better "$t" "${single[$s]:-}" && single[$s]=$t; else single[$s]=${single[$s]:-fail}; fi
    for n in $STORMS; do
      read -r t f < <(storm_run "$n")
      echo "   storm $n × ${STORM_MB} MB: $t s, $f failed" >&2
      # Failures are summed over rounds: one failed client in any round is a failure.
      storm_fail[$s,$n]=$(( ${storm_fail[$s,$n]:-0} + f ))
      better "$t" "${storm_time[$s,$n]:-}" && storm_time[$s,$n]=$t
    done
    stop_server
  done
done

ref=tftpd-hpa
peer=atftpd
ratio() { # ratio <value> <reference>: value / reference, "-" when either is missing
  if [[ "$1" == fail || "$2" == fail || -z "$1" || -z "$2" ]]; then echo "-"; return; fi
  echo "scale=2; $1 / $2" | bc
}
echo
echo "TFTP benchmark ($(date -u +%FT%TZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), veth MTU 1500, client atftp blksize 1468 + tsize + windowsize 64, best of $ROUNDS interleaved rounds)"
printf '%-10s | %-22s | %-10s | %-10s' server "single ${SINGLE_MB} MB" "speed ×hpa" "time ×atftpd"
for n in $STORMS; do printf ' | %-24s | %-9s | %-12s' "storm $n × ${STORM_MB} MB" "time ×hpa" "time ×atftpd"; done; echo
for s in $SERVERS; do
  [ -n "${single[$s]:-}" ] || continue
  if [ "${single[$s]}" = fail ]; then cell="fail"; speed="-"; else
    cell="$(printf '%.2f s (%.0f MB/s)' "${single[$s]}" "$(echo "$SINGLE_MB / ${single[$s]}" | bc -l)")"
    speed=$(ratio "${single[$ref]:-fail}" "${single[$s]}"); fi
  printf '%-10s | %-22s | %-10s | %-12s' "$s" "$cell" "$speed" "$(ratio "${single[$s]}" "${single[$peer]:-fail}")"
  for n in $STORMS; do
    printf ' | %-24s | %-9s | %-12s' "$(printf '%.2f s, %s failed' "${storm_time[$s,$n]}" "${storm_fail[$s,$n]}")" \
      "$(ratio "${storm_time[$s,$n]}" "${storm_time[$ref,$n]:-fail}")" "$(ratio "${storm_time[$s,$n]}" "${storm_time[$peer,$n]:-fail}")"
  done; echo
done
echo "speed ×hpa: tftpd-hpa's single-file time / this server's (target ≥ 2); time ×hpa: storm time / tftpd-hpa's (target ≤ 0.5, 0 failures);"
echo "time ×atftpd: this server's time / atftpd's, single file and storms (issue 15 target for bootd: ≤ 0.8 on every row)"
