#!/usr/bin/env bash
# HTTP benchmark: bootd's HTTP boot service against nginx serving the same files, in the same
# run on the same machine (DESIGN.md: compare ratios, never numbers from another day).
#   bash bench/http/run.sh
#   ROUNDS=5 WRK_SECONDS=10 WRK_CONNECTIONS=50 bash bench/http/run.sh
# Both servers listen on 127.0.0.1 only. nginx: worker_processes auto, sendfile, open_file_cache
# (a production setup). bootd: boot-services-runner.ts with the HTTP service alone, files under
# /boot/v1/files/<name>. Measured, rounds interleaved (nginx, bootd, nginx, ...):
#   - one 100 MB download with curl (MB/s, best of ROUNDS)
#   - wrk -t2 -c$WRK_CONNECTIONS on a 64 KiB file (requests/s, best and median of ROUNDS)
set -uo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
ROUNDS=${ROUNDS:-3}
WRK_SECONDS=${WRK_SECONDS:-8}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-50}
NGINX_PORT=${NGINX_PORT:-18180}
BOOTD_PORT=${BOOTD_PORT:-18181}
command -v wrk >/dev/null && command -v nginx >/dev/null && command -v curl >/dev/null || { echo "needs wrk, nginx, curl"; exit 1; }

work=$(mktemp -d /tmp/fleetboot-bench-http.XXXXXX)
root=$work/root; mkdir -p "$root" "$work/nginx" "$work/state"
nginx_pid=""; bootd_pid=""
cleanup() {
  [ -n "$bootd_pid" ] && kill "$bootd_pid" 2>/dev/null && wait "$bootd_pid" 2>/dev/null
  [ -f "$work/nginx/nginx.pid" ] && kill "$(cat "$work/nginx/nginx.pid")" 2>/dev/null
  sleep 0.2
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

head -c $((100 * 1024 * 1024)) /dev/urandom > "$root/big.bin"
head -c $((64 * 1024)) /dev/urandom > "$root/small.bin"
chmod -R a+rX "$work"

cat > "$work/nginx/nginx.conf" <<EOF
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on; tcp_nopush on; keepalive_requests 1000000;
  open_file_cache max=1000 inactive=60s;
  server { listen 127.0.0.1:$NGINX_PORT; root $root; }
}
EOF
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" || { echo "nginx failed to start"; exit 1; }

cat > "$work/bootd.json" <<EOF
{"config":{"serverAddress":"127.0.0.1","bindAddress":"127.0.0.1","interfaceName":null,"dhcpPort":0,"dhcpClientPort":0,"tftpPort":0,"httpPort":$BOOTD_PORT,
 "bootloaderDirs":["$root"],"stateDir":"$work/state","httpBaseUrl":"http://127.0.0.1:$BOOTD_PORT","enableDhcp":false,"enableTftp":false,"enableHttp":true},
 "view":{"hosts":[],"roles":[],"images":[],"networkList":[]},"quiet":true}
EOF
node --import tsx "$repo/boot-services/tftp/integration/boot-services-runner.ts" "$work/bootd.json" > "$work/bootd.log" 2>&1 &
bootd_pid=$!
for _ in $(seq 1 100); do grep -q '"ready"' "$work/bootd.log" 2>/dev/null && break; sleep 0.1; done

declare -A url
url[nginx]="http://127.0.0.1:$NGINX_PORT"
url[fleetboot]="http://127.0.0.1:$BOOTD_PORT/boot/v1/files"
big_sha=$(sha256sum < "$root/big.bin" | cut -d' ' -f1)
for s in nginx fleetboot; do
  got=$(curl -sS --max-time 60 "${url[$s]}/big.bin" | sha256sum | cut -d' ' -f1)
  [ "$got" = "$big_sha" ] || { echo "$s served a wrong big.bin"; exit 1; }
done

declare -A mbps rps
for r in $(seq 1 "$ROUNDS"); do
  for s in nginx fleetboot; do
    speed=$(curl -sS --max-time 60 -o /dev/null -w '%{speed_download}' "${url[$s]}/big.bin")
    mbps[$s]="${mbps[$s]:-} $(echo "$speed / 1048576" | bc -l)"
    req=$(timeout $((WRK_SECONDS + 20)) wrk -t2 -c"$WRK_CONNECTIONS" -d"${WRK_SECONDS}s" "${url[$s]}/small.bin" | awk '/Requests\/sec/ {print $2}')
    rps[$s]="${rps[$s]:-} ${req:-0}"
    echo "round $r $s: 100 MB at $(printf '%.0f' "$(echo "$speed / 1048576" | bc -l)") MB/s, 64 KiB: ${req:-0} req/s" >&2
  done
done

best() { tr ' ' '\n' | grep -v '^$' | sort -g | tail -1; }
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
rss=$(awk '/VmHWM/ {print $2}' /proc/$bootd_pid/status)
echo
echo "HTTP benchmark ($(date -u +%FT%TZ), $(nproc) cores, loopback; $ROUNDS rounds interleaved; wrk -t2 -c$WRK_CONNECTIONS -d${WRK_SECONDS}s)"
printf '%-10s | %-22s | %-28s | %-28s\n' server "100 MB curl (best)" "64 KiB wrk req/s (best)" "64 KiB wrk req/s (median)"
for s in nginx fleetboot; do
  b=$(echo "${mbps[$s]}" | best); w=$(echo "${rps[$s]}" | best); m=$(echo "${rps[$s]}" | median)
  if [ $s = nginx ]; then rb=""; rw=""; rm_=""; else
    rb=" (×$(printf '%.2f' "$(echo "$b / $(echo "${mbps[nginx]}" | best)" | bc -l)"))"
    rw=" (×$(printf '%.2f' "$(echo "$w / $(echo "${rps[nginx]}" | best)" | bc -l)"))"
    rm_=" (×$(printf '%.2f' "$(echo "$m / $(echo "${rps[nginx]}" | median)" | bc -l)"))"; fi
  printf '%-10s | %-22s | %-28s | %-28s\n' "$s" "$(printf '%.0f MB/s' "$b")$rb" "$(printf '%.0f' "$w")$rw" "$(printf '%.0f' "$m")$rm_"
done
echo "×: bootd / nginx (target ≥ 0.9). bootd peak RSS: $((rss / 1024)) MiB"
