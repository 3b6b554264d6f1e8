#!/usr/bin/env bash
# Runs one suite of node:test files (TypeScript through tsx) and writes its counts to
# $FLEETBOOT_TEST_COUNTS (one line "suite passed failed") for scripts/test.sh to sum.
#   unit         *.test.ts outside integration/ folders and e2e/
#   integration  **/integration/*.test.ts (real Postgres, real Debian clients in namespaces)
#   boot         e2e/boot/*.test.ts (QEMU firmware PXE-booting from bootd in namespaces)
# Extra arguments narrow the run to those files.
set -uo pipefail
cd "$(dirname "$0")/.."
suite=${1:?usage: run-node-tests.sh unit|integration [files...]}
shift
if [ $# -gt 0 ]; then
  files=("$@")
else
  case "$suite" in
    unit) mapfile -t files < <(find app components lib server boot-services scripts bench -name '*.test.ts' -not -path '*/integration/*' -not -path '*/node_modules/*' 2>/dev/null | sort) ;;
    integration) mapfile -t files < <(find server boot-services scripts -path '*/integration/*' -name '*.test.ts' -not -path '*/node_modules/*' 2>/dev/null | sort) ;;
    boot) mapfile -t files < <(find e2e/boot -name '*.test.ts' 2>/dev/null | sort) ;;
    *) echo "unknown suite $suite" >&2; exit 2 ;;
  esac
fi
if [ ${#files[@]} -eq 0 ]; then
  echo "[$suite] no test files"
  [ -n "${FLEETBOOT_TEST_COUNTS:-}" ] && echo "$suite 0 0" >> "$FLEETBOOT_TEST_COUNTS"
  exit 0
fi
# bootd's DHCP binds its sockets to the boot interfaces through a native addon: build it if
# it is missing or older than its sources (a no-op otherwise), as scripts/setup.sh does.
if [ "$suite" != unit ]; then
  bash scripts/build-native.sh || { echo "[$suite] bootd's native addon could not be built"; [ -n "${FLEETBOOT_TEST_COUNTS:-}" ] && echo "$suite 0 1" >> "$FLEETBOOT_TEST_COUNTS"; exit 1; }
fi
tap=$(mktemp)
# Integration suites share namespaces, ports and the database: run files one at a time.
concurrency=1
[ "$suite" = unit ] && concurrency=2
node --import tsx --test --test-concurrency=$concurrency --test-timeout=${FLEETBOOT_TEST_TIMEOUT_MS:-600000} \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$tap" "${files[@]}"
rc=$?
passed=$(grep -E '^# pass ' "$tap" | tail -1 | awk '{print $3}')
failed=$(grep -E '^# fail ' "$tap" | tail -1 | awk '{print $3}')
passed=${passed:-0}; failed=${failed:-0}
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
rm -f "$tap"
echo "[$suite] $passed passed, $failed failed"
[ -n "${FLEETBOOT_TEST_COUNTS:-}" ] && echo "$suite $passed $failed" >> "$FLEETBOOT_TEST_COUNTS"
exit $rc
