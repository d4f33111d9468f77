#!/usr/bin/env bash
# Run each libFuzzer target for a while on its corpus; a crash, leak or
# timeout fails it. Usage: run.sh BUILD_DIR SECONDS NAME...
# FUZZ_NICE (e.g. "nice -n 19") prefixes each run.
set -u
dir=$1
secs=$2
shift 2
pass=0
fail=0
for name in "$@"; do
	bin=$dir/bin/${name}_fuzz
	corpus=$dir/corpus/$name
	crashes=$dir/crashes/$name
	log=$dir/logs/$name.log
	mkdir -p "$corpus" "$crashes" "$dir/logs"
	if [ -d "tests/fuzz/seeds/$name" ]; then
		cp -n tests/fuzz/seeds/"$name"/* "$corpus"/ 2>/dev/null
	fi
	# shellcheck disable=SC2086
	if ${FUZZ_NICE:-} "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$crashes/" "$corpus" >"$log" 2>&1; then
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		echo "PASS $name (${execs:-?} runs, corpus $(ls "$corpus" | wc -l))"
		pass=$((pass + 1))
	else
		echo "FAIL $name: see $log and $crashes/"
		grep -m3 -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$log" | sed 's/^/    /'
		fail=$((fail + 1))
	fi
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
