#!/usr/bin/env bash
# What `make test` runs after deps and format-check: unit tests under
# ASan/UBSan, loopback integration tests (plain and sanitizer builds), a
# short fuzz run, the interop lab, then the fresh check (the README's two
# commands on a fresh Debian 12 root, tools/fresh-check.sh). Every part
# runs even when an earlier one failed; the last line totals them.
#
#   NVMF_TEST_SKIP="interop fresh" tests/run_all.sh   leave out these parts
#                                                      (space-separated names)
set -uo pipefail
cd "$(dirname "$0")/.."

total_p=0 total_f=0 parts_failed=()
JOBS=${JOBS:-$(nproc)}

summary() { # part log
	local line
	line=$(grep -E "^$1: [0-9]+ passed, [0-9]+ failed" "$2" | tail -n 1)
	if [ -n "$line" ]; then
		total_p=$((total_p + $(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')))
		total_f=$((total_f + $(echo "$line" | sed -E 's/.*passed, ([0-9]+) failed.*/\1/')))
	fi
}

run_part() { # name command...
	local name=$1 log rc
	shift
	if [[ " ${NVMF_TEST_SKIP:-} " == *" $name "* ]]; then
		echo "=== $name: skipped (NVMF_TEST_SKIP)"
		return
	fi
	log=$(mktemp)
	echo "=== $name"
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	summary "$name" "$log"
	if [ "$rc" -ne 0 ]; then
		parts_failed+=("$name")
		grep -qE "^$name: [0-9]+ passed, [1-9][0-9]* failed" "$log" || total_f=$((total_f + 1))
	fi
	rm -f "$log"
}

build() { # make args...
	make --no-print-directory -j"$JOBS" "$@"
}

run_part build build all
run_part build-san build SAN=1 all
run_part unit tests/run_unit.sh build-san
run_part integration tests/run_integration.sh build
# The same against the sanitizer build: bad input must not reach a memory
# error, and the target must exit 0 with no leak.
run_part integration-san tests/run_integration.sh build-san integration-san
# A short run of every libFuzzer target from its seeds (make fuzz runs longer).
run_part fuzz build fuzz FUZZ_SECONDS=10 FUZZ_NICE=
# make install / uninstall into temporary DESTDIRs, the installed target
# serving and reporting readiness (takes /tmp/nvmf-net.lock itself).
run_part install tests/install/run.sh
run_part interop tests/interop/run.sh build
run_part fresh tools/fresh-check.sh

echo "==="
[ ${#parts_failed[@]} -gt 0 ] && echo "failed parts: ${parts_failed[*]}"
echo "total: $total_p passed, $total_f failed"
[ "$total_f" -eq 0 ] && [ "$total_p" -gt 0 ] && [ ${#parts_failed[@]} -eq 0 ]
