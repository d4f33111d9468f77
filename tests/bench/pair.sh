#!/usr/bin/env bash
# Paired comparison of two builds on this machine: the same point is run
# with A's binaries and with B's, back to back, ROUNDS times (the order
# alternates each round), and the median of the per-round B/A IOPS ratios
# is printed. On a shared machine whose speed drifts by tens of percent
# from one minute to the next, this ratio is steadier than two tables taken
# minutes apart. A benchmark, not a test: it asserts nothing about speed.
#
#   tests/bench/pair.sh BUILD_A BUILD_B      e.g. /tmp/base build
#   tests/bench/pair.sh BUILD floor          BUILD against tcp_floor: the
#                                            same exchange over bare sockets
#
# Environment:
#   PAIR_ROUNDS   rounds per point (default 6)
#   PAIR_SECONDS  measured seconds per run (default 3; 1 s of warm-up first)
#   PAIR_CONF     example conf to serve (default null)
#   PAIR_POINTS   workload:QD list (default "randread:1 randread:32 randread:128")
#   PAIR_TGT_ONLY=1  use A's nvmf_perf for both sides (compare targets only)
#   BENCH_TGT_CORE / BENCH_PERF_CORE  cores (default 0 / 1)
set -uo pipefail

[ $# -eq 2 ] || {
	sed -n '2,/^set -uo/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//' >&2
	exit 2
}
A=$1
B=$2
ROUNDS=${PAIR_ROUNDS:-6}
SECS=${PAIR_SECONDS:-3}
CONF=${PAIR_CONF:-null}
POINTS=${PAIR_POINTS:-randread:1 randread:32 randread:128}
TGT_CORE=${BENCH_TGT_CORE:-0}
PERF_CORE=${BENCH_PERF_CORE:-1}
PORT=$((20000 + RANDOM % 20000))

die() {
	echo "bench/pair: $*" >&2
	exit 1
}

for b in "$A" "$B"; do
	[ "$b" = floor ] && b=$A && { [ -x "$A/test/tests/bench/tcp_floor" ] || die "no $A/test/tests/bench/tcp_floor"; }
	[ -x "$b/bin/nvmf_tgt" ] && [ -x "$b/bin/nvmf_perf" ] || die "$b/bin has no nvmf_tgt/nvmf_perf"
done
[ -f "conf/examples/$CONF.conf" ] || die "no conf/examples/$CONF.conf (run from the repo root)"

conf_tmp=$(mktemp)
out_tmp=$(mktemp)
tgt_pid=""
cleanup() {
	[ -n "$tgt_pid" ] && kill "$tgt_pid" 2>/dev/null && wait "$tgt_pid" 2>/dev/null
	rm -f "$conf_tmp" "$out_tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# One core for the target, no idle naps, our port.
sed -e "s/127\.0\.0\.1:4420/127.0.0.1:$PORT/" -e '/^[[:space:]]*IdleSleep/d' \
	-e '/^[[:space:]]*ReactorMask/d' -e '/^[[:space:]]*CoreList/d' \
	"conf/examples/$CONF.conf" >"$conf_tmp"
subnqn=$(awk '$1 == "NQN" { print $2; exit }' "$conf_tmp")
trid="trtype:TCP adrfam:IPv4 traddr:127.0.0.1 trsvcid:$PORT subnqn:$subnqn"

# run BUILD WORKLOAD QD: print the IOPS of one run against a fresh target.
run() {
	local build=$1 perf_build=$1 iops fw
	if [ "$build" = floor ]; then
		case $2 in read | randread) fw=read ;; write | randwrite) fw=write ;; *) die "floor: $2" ;; esac
		"$A/test/tests/bench/tcp_floor" -w "$fw" -q "$3" -o 4096 -t "$SECS" -a 1 \
			-s "$TGT_CORE" -c "$PERF_CORE" | awk '{ for (i = 1; i < NF; i++) if ($i == "IOPS") print $(i + 1) }'
		return
	fi
	[ "${PAIR_TGT_ONLY:-0}" = 1 ] && perf_build=$A
	taskset -c "$TGT_CORE" "$build/bin/nvmf_tgt" -c "$conf_tmp" -m "$(printf '0x%x' $((1 << TGT_CORE)))" \
		-L warn >/dev/null 2>&1 &
	tgt_pid=$!
	for _ in $(seq 1 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
		sleep 0.05
	done
	taskset -c "$PERF_CORE" "$perf_build/bin/nvmf_perf" -r "$trid" \
		-c "$(printf '0x%x' $((1 << PERF_CORE)))" -w "$2" -q "$3" -o 4096 -t "$SECS" -a 1 \
		--json >"$out_tmp" 2>/dev/null
	kill "$tgt_pid" 2>/dev/null
	wait "$tgt_pid" 2>/dev/null
	tgt_pid=""
	iops=$(awk '/"total":/ { t = 1 } t && $1 == "\"iops\":" { gsub(/,/, "", $2); print $2; exit }' \
		"$out_tmp")
	[ -n "$iops" ] || die "a run against $build failed"
	printf '%.0f' "$iops"
}

printf '%-10s %4s %6s %12s %12s %8s\n' workload QD round "A IOPS" "B IOPS" "B/A"
for point in $POINTS; do
	w=${point%%:*}
	qd=${point##*:}
	ratios=()
	for r in $(seq 1 "$ROUNDS"); do
		if [ $((r % 2)) -eq 1 ]; then
			a=$(run "$A" "$w" "$qd") || exit 1
			b=$(run "$B" "$w" "$qd") || exit 1
		else
			b=$(run "$B" "$w" "$qd") || exit 1
			a=$(run "$A" "$w" "$qd") || exit 1
		fi
		ratio=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", b / a }')
		ratios+=("$ratio")
		printf '%-10s %4s %6s %12s %12s %8s\n' "$w" "$qd" "$r" "$a" "$b" "$ratio"
	done
	printf '%s\n' "${ratios[@]}" | sort -n | awk -v w="$w" -v qd="$qd" '
		{ v[NR] = $1; if ($1 > 1) wins++ }
		END {
			m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%-10s %4s median B/A %.3f, B faster in %d of %d rounds\n", w, qd, m, wins, NR
		}'
done
