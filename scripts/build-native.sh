#!/usr/bin/env bash
# Builds bootd's native addon (boot-services/native/bound-udp: SO_BINDTODEVICE for DHCP, see
# boot-services/README.md "Design notes") with node-gyp, offline: npm's own node-gyp, and the
# headers of the Node that runs Fleetboot (--nodedir), never a download. Does nothing when the
# build is newer than its sources. Exits non-zero with the reason when it can't build.
set -euo pipefail
cd "$(dirname "$0")/../boot-services/native/bound-udp"
out=build/Release/bound_udp.node
if [ -f "$out" ] && [ "$out" -nt bound-udp.c ] && [ "$out" -nt binding.gyp ] && [ "$out" -nt "$(command -v node)" ]; then exit 0; fi

fail() { echo "cannot build bootd's interface-binding addon: $*" >&2; exit 1; }
for tool in make python3; do command -v "$tool" >/dev/null || fail "$tool is missing (apt-get install build-essential python3)"; done
command -v cc >/dev/null || command -v gcc >/dev/null || fail "no C compiler (apt-get install build-essential)"
node_prefix=$(node -p 'require("path").resolve(process.execPath, "../..")')
[ -f "$node_prefix/include/node/node_api.h" ] || fail "Node's headers are not in $node_prefix/include/node (install Node.js from its official tarball or NodeSource, which ship them; Debian's nodejs needs libnode-dev)"
gyp="$(npm prefix -g)/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"
[ -f "$gyp" ] || gyp="$(dirname "$(command -v npm)")/../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"
[ -f "$gyp" ] || fail "npm's bundled node-gyp was not found (looked in $(npm prefix -g)/lib/node_modules/npm)"
log=$(mktemp)
if ! node "$gyp" rebuild --nodedir="$node_prefix" >"$log" 2>&1; then
  cat "$log" >&2
  rm -f "$log"
  fail "node-gyp failed (output above)"
fi
rm -f "$log"
[ -f "$out" ] || fail "node-gyp ran but $out is missing"
