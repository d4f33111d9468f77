#!/usr/bin/env bash
# The interop harness (`make interop`, `make test`): boots the lab guest once
# (tools/vm/run.sh) and runs every scenario of tests/interop/scenarios.list in
# it against the binaries of BUILD_DIR. Prints one PASS/FAIL line per step,
# the step output and target log tail of each failure, and the summary line
# "interop: N passed, M failed". Exits non-zero on any FAIL or if nothing
# ran; a lab that cannot run at all is a FAIL with its reason.
#
#   tests/interop/run.sh BUILD_DIR
#
# Environment: LAB_* variables go to the scenarios (e.g. LAB_TARGET=nvmet
# runs them against the Linux kernel target), NVMF_LAB_TIMEOUT (default
# 3600 s for the whole guest run), and those of tools/vm/run.sh.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BUILD_DIR=${1:?usage: tests/interop/run.sh BUILD_DIR}
TIMEOUT=${NVMF_LAB_TIMEOUT:-3600}

passed=0
failed=0
fail() {
	echo "FAIL: $*"
	failed=$((failed + 1))
}

finish() {
	echo "interop: $passed passed, $failed failed"
	[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
	exit
}

mapfile -t scenarios < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$HERE/scenarios.list" | grep -v '^$')
if [ ${#scenarios[@]} -eq 0 ]; then
	fail "lab: tests/interop/scenarios.list names no scenario"
	finish
fi
for s in "${scenarios[@]}"; do
	[ -f "$HERE/$s" ] || fail "lab: scenario $s listed but tests/interop/$s is missing"
done
[ "$failed" -eq 0 ] || finish
if [ ! -d "$BUILD_DIR" ]; then
	fail "lab: build dir $BUILD_DIR does not exist"
	finish
fi

OUT=$(mktemp -d /tmp/nvmf-interop.XXXXXX)
start=$(date +%s)
vm_rc=0
"$REPO/tools/vm/run.sh" --nvme 2 --build "$BUILD_DIR" --out "$OUT" --timeout "$TIMEOUT" \
	tests/interop/guest_driver.sh "${scenarios[@]}" || vm_rc=$?

echo "=== interop results ($(($(date +%s) - start)) s, boot and image build included; logs in $OUT)"
if [ -s "$OUT/results" ]; then
	passed=$(grep -c '^PASS: ' "$OUT/results" || true)
	failed=$(grep -c '^FAIL: ' "$OUT/results" || true)
	grep -E '^(PASS|FAIL): ' "$OUT/results"
	for f in "$OUT"/steps/*.fail; do
		[ -e "$f" ] || continue
		echo "--- $(basename "$f" .fail)"
		cat "$f"
	done
fi
if [ "$vm_rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
	fail "lab: the guest run failed (status $vm_rc) with no failing step recorded; see the console output above"
fi
finish
