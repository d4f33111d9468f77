#!/usr/bin/env bash
# Runs several scenarios in one lab guest boot (boot is the costly part under
# TCG). Inside the guest: guest_driver.sh [VAR=VALUE...] SCENARIO...
# Each scenario (a script in tests/interop/) runs in its own bash, bounded
# by LAB_SCENARIO_TIMEOUT seconds (default 900); its steps append to
# /lab/out/results. A scenario that exits non-zero without recording a FAIL,
# or that hangs, gets a FAIL line of its own. Exits 1 if anything failed.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
LAB_OUT=${LAB_OUT:-/lab/out}
TMO=${LAB_SCENARIO_TIMEOUT:-900}

while [ $# -gt 0 ] && [[ "$1" == *=* ]]; do
	export "${1?}"
	shift
done
[ $# -gt 0 ] || {
	echo "guest_driver: no scenario given"
	exit 1
}

failed=0
for s in "$@"; do
	name=$(basename "$s" .sh)
	before=$(grep -c "^FAIL: $name: " "$LAB_OUT/results" 2>/dev/null)
	echo "=== scenario $name"
	start=$(date +%s)
	LAB_SCENARIO=$name LAB_STATE=/tmp/lab-state-$name \
		timeout -k 10 "$TMO" bash "$HERE/$s"
	rc=$?
	after=$(grep -c "^FAIL: $name: " "$LAB_OUT/results" 2>/dev/null)
	echo "=== scenario $name: exit $rc after $(($(date +%s) - start)) s"
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		echo "FAIL: $name: scenario (timed out after ${TMO}s)" | tee -a "$LAB_OUT/results"
	elif [ "$rc" -ne 0 ] && [ "${after:-0}" -eq "${before:-0}" ]; then
		echo "FAIL: $name: scenario (exit $rc)" | tee -a "$LAB_OUT/results"
	fi
	[ "$rc" -eq 0 ] || failed=1
	# Whatever a scenario left behind must not leak into the next one.
	nvme disconnect-all >/dev/null 2>&1
done
exit "$failed"
