#!/usr/bin/env bash
# Run the loopback integration tests (target + own initiator, no VM) built
# under BUILD. Each program gets the target binary to start in NVMF_TGT_BIN.
set -uo pipefail

BUILD=${1:-build}
LABEL=${2:-integration}
export NVMF_TGT_BIN=${NVMF_TGT_BIN:-$BUILD/bin/nvmf_tgt}
export NVMF_PERF_BIN=${NVMF_PERF_BIN:-$BUILD/bin/nvmf_perf}
export NVME_IDENTIFY_BIN=${NVME_IDENTIFY_BIN:-$BUILD/bin/nvme_identify}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

passed=0 failed=0 programs=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

for t in $(find "$BUILD/test/tests/integration" -type f -perm -u+x 2>/dev/null | sort); do
	name=$(basename "$t")
	programs=$((programs + 1))
	timeout 600 "$t" >"$log" 2>&1
	rc=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$rc" -ne 0 ] || [ "$f" -ne 0 ] || [ "$p" -eq 0 ]; then
		[ "$f" -eq 0 ] && failed=$((failed + 1))
		echo "FAIL: $LABEL/$name (exit $rc, $p passed, $f failed)"
		# cmocka's own lines first: a sanitizer report can fill the tail
		grep -E '^\[ *(ERROR|LINE|FAILED) *\]|^\[ RUN' "$log" | grep -B1 -E 'ERROR|LINE|FAILED' |
			head -n 40 | sed 's/^/    /'
		tail -n 60 "$log" | sed 's/^/    /'
	else
		echo "PASS: $LABEL/$name ($p tests)"
	fi
done

echo "$LABEL: $programs programs"
echo "$LABEL: $passed passed, $failed failed"
[ "$programs" -gt 0 ] && [ "$failed" -eq 0 ]
