#!/usr/bin/env bash
# Run every unit test program under BUILD (default build-san) and total the
# cmocka summaries. Exits non-zero when a test failed, a program crashed, or
# nothing ran.
set -uo pipefail

BUILD=${1:-build-san}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

passed=0 failed=0 programs=0 bad=()
log=$(mktemp)
trap 'rm -f "$log"' EXIT

for t in $(find "$BUILD/test/tests/unit" -type f -perm -u+x 2>/dev/null | sort); do
	name=${t#"$BUILD/test/tests/unit/"}
	programs=$((programs + 1))
	timeout 300 "$t" >"$log" 2>&1
	rc=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$rc" -ne 0 ] || [ "$f" -ne 0 ] || [ "$p" -eq 0 ]; then
		[ "$f" -eq 0 ] && failed=$((failed + 1)) # crashed, leaked, or ran nothing
		bad+=("$name")
		echo "FAIL: unit/$name (exit $rc, $p passed, $f failed)"
		tail -n 40 "$log" | sed 's/^/    /'
	else
		echo "PASS: unit/$name ($p tests)"
		grep -E '^\[  (PASSED|FAILED|SKIPPED) +\]' "$log" | sed 's/^/    /'
	fi
done

echo "unit: $programs programs"
echo "unit: $passed passed, $failed failed"
[ "$programs" -gt 0 ] && [ "$failed" -eq 0 ]
