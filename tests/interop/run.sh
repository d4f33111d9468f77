#!/usr/bin/env bash
# The interop harness (`make interop`, `make test`): boots the lab guest once
# (tools/vm/run.sh) and runs every scenario of tests/interop/scenarios.list in
# it against the binaries of BUILD_DIR; then boots it once more with an
# emulated IOMMU (run.sh --iommu: the SSDs on vfio-pci) for the scenarios of
# tests/interop/scenarios-iommu.list. Prints one PASS/FAIL line per step,
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

# read_list FILE: the scenario names of FILE into the array `scenarios`.
read_list() {
	mapfile -t scenarios < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$1" | grep -v '^$')
	if [ ${#scenarios[@]} -eq 0 ]; then
		fail "lab: tests/interop/$(basename "$1") names no scenario"
		return
	fi
	for s in "${scenarios[@]}"; do
		[ -f "$HERE/$s" ] || fail "lab: scenario $s listed but tests/interop/$s is missing"
	done
}
read_list "$HERE/scenarios.list"
main_scenarios=("${scenarios[@]}")
read_list "$HERE/scenarios-iommu.list"
iommu_scenarios=("${scenarios[@]}")
[ "$failed" -eq 0 ] || finish
if [ ! -d "$BUILD_DIR" ]; then
	fail "lab: build dir $BUILD_DIR does not exist"
	finish
fi

# boot LABEL [run.sh options] -- SCENARIO...: one guest boot; adds its counts.
boot() {
	local label=$1 out start vm_rc=0 p f st opts=()
	shift
	while [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	shift
	out=$(mktemp -d /tmp/nvmf-interop.XXXXXX)
	start=$(date +%s)
	"$REPO/tools/vm/run.sh" --nvme 2 "${opts[@]}" --build "$BUILD_DIR" --out "$out" \
		--timeout "$TIMEOUT" tests/interop/guest_driver.sh "$@" || vm_rc=$?
	echo "=== interop results, $label boot ($(($(date +%s) - start)) s, boot and image build included; logs in $out)"
	p=0 f=0
	if [ -s "$out/results" ]; then
		p=$(grep -c '^PASS: ' "$out/results" || true)
		f=$(grep -c '^FAIL: ' "$out/results" || true)
		grep -E '^(PASS|FAIL): ' "$out/results"
		for st in "$out"/steps/*.fail; do
			[ -e "$st" ] || continue
			echo "--- $(basename "$st" .fail)"
			cat "$st"
		done
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$vm_rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		fail "lab: the $label guest run failed (status $vm_rc) with no failing step recorded; see the console output above"
	fi
}

boot main -- "${main_scenarios[@]}"
boot iommu --iommu -- "${iommu_scenarios[@]}"
finish
