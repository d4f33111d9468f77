#!/usr/bin/env bash
# Our target against a peer target (SPDK's nvmf_tgt) under the same
# initiator, round by round: both targets run pinned to the same core, the
# one not measured is stopped (SIGSTOP), and each round measures both, the
# order alternating. Per point it prints the medians of both and the median
# and spread (min-max) of the per-round ours/peer ratios. A benchmark, not a
# test: it asserts nothing about speed. See tests/bench/README.md.
#
#   tests/bench/peer.sh [BUILD]                   (run.sh calls it when BENCH_PEER is set)
#
# Environment:
#   BENCH_PEER       spdk (its script is $SPDK_PEER, default
#                    ../shared/peers/spdk.sh beside the project), or the BUILD folder of another
#                    build of ours (bin/nvmf_tgt): a change against its base
#   BENCH_INITIATOR  spdk_nvme_perf (default) or nvmf_perf (BUILD's)
#   BENCH_PERF_ARGS  extra nvmf_perf options, e.g. --sq-flow-control
#   BENCH_ROUNDS     rounds per point (default 5)
#   BENCH_SECONDS    measured seconds per run (default 3; 1 s warm-up run first)
#   BENCH_PEER_POINTS  conf:workload:QD:size list (conf null or ram); default
#                    the null randread QD 1/32/128, null randwrite QD32, ram
#                    randread QD 32/128 at 4 KiB and null read/write QD8 at 128 KiB
#   BENCH_TGT_CORE / BENCH_PERF_CORE  cores (default 0 / 1)
# Needs about 2 GiB of hugepages (HUGEMEM=3072 tools/setup.sh hugepages): the
# peer's 1 GiB RAM namespace and both initiators live in them.
set -uo pipefail

BUILD=${1:-build}
PEER=${BENCH_PEER:-spdk}
SPDK_PEER=${SPDK_PEER:-$(cd "$(dirname "$0")/../.." && pwd)/../shared/peers/spdk.sh}
INITIATOR=${BENCH_INITIATOR:-spdk_nvme_perf}
ROUNDS=${BENCH_ROUNDS:-5}
SECS=${BENCH_SECONDS:-3}
TGT_CORE=${BENCH_TGT_CORE:-0}
PERF_CORE=${BENCH_PERF_CORE:-1}
POINTS=${BENCH_PEER_POINTS:-null:randread:1:4096 null:randread:32:4096 null:randread:128:4096
null:randwrite:32:4096 ram:randread:32:4096 ram:randread:128:4096 null:read:8:131072
null:write:8:131072}
read -r -a PERF_ARGS <<<"${BENCH_PERF_ARGS:-}"
HOSTNQN=nqn.2014-08.org.nvmexpress:uuid:5d0c0a52-3b8e-4f7a-9c61-2e4d8b7f3a10
PERF_MASK=$(printf '0x%x' $((1 << PERF_CORE)))

die() {
	echo "bench/peer: $*" >&2
	exit 1
}

if [ "$PEER" = spdk ]; then
	[ -x "$SPDK_PEER" ] || die "$SPDK_PEER is missing (SPDK_PEER)"
	PEER_NQN=nqn.2016-06.io.spdk:cnode1
else
	[ -x "$PEER/bin/nvmf_tgt" ] || die "BENCH_PEER: spdk or a build folder with bin/nvmf_tgt"
	PEER_NQN=nqn.2016-06.io.nvmf-tgt:b0
fi
[ -x "$BUILD/bin/nvmf_tgt" ] || die "$BUILD/bin/nvmf_tgt is missing: run 'make' first"
case $INITIATOR in
spdk_nvme_perf) ;;
nvmf_perf) [ -x "$BUILD/bin/nvmf_perf" ] || die "$BUILD/bin/nvmf_perf is missing" ;;
*) die "BENCH_INITIATOR: spdk_nvme_perf or nvmf_perf" ;;
esac

ours_pid="" peer_pid="" conf_tmp=$(mktemp) out_tmp=$(mktemp)
# Stop both targets and wait until they are gone (the peer is not our child:
# it holds its hugepages and core lock until it has exited).
stop_targets() {
	for p in $ours_pid $peer_pid; do
		kill -CONT "$p" 2>/dev/null
		kill "$p" 2>/dev/null
	done
	wait $ours_pid $peer_pid 2>/dev/null
	for _ in $(seq 1 100); do
		[ -n "$peer_pid" ] && kill -0 "$peer_pid" 2>/dev/null || break
		sleep 0.1
	done
	ours_pid="" peer_pid=""
}
cleanup() {
	stop_targets
	rm -f "$conf_tmp" "$out_tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"

# start_ours KIND PORT [BUILD]: our target with one namespace shaped like the peer's
# (null: 4 KiB blocks; ram: 1 GiB of 512-byte blocks), one core, busy polling.
start_ours() {
	local ns bin=${3:-$BUILD}/bin/nvmf_tgt pid
	if [ "$1" = null ]; then
		ns="[Null]\n  Name b0\n  Size 1G\n  BlockSize 4096"
	else
		ns="[Ram]\n  Name b0\n  Size 1G\n  BlockSize 512"
	fi
	printf "[Global]\n  ReactorMask 0x1\n  LogLevel warn\n[Transport]\n  Type TCP\n  MaxQueueDepth 128\n  MaxIOSize 128K\n$ns\n[Subsystem]\n  NQN nqn.2016-06.io.nvmf-tgt:b0\n  Listen TCP 127.0.0.1:%s\n  AllowAnyHost Yes\n  Namespace b0 1\n" \
		"$2" >"$conf_tmp"
	taskset -c "$TGT_CORE" "$bin" -c "$conf_tmp" -m "$(printf '0x%x' $((1 << TGT_CORE)))" \
		-L warn >/dev/null 2>&1 &
	pid=$!
	if [ -n "${3:-}" ]; then peer_pid=$pid; else ours_pid=$pid; fi
	for _ in $(seq 1 100); do
		port_open "$2" && return 0
		sleep 0.1
	done
	die "our nvmf_tgt did not listen on $2"
}

# start_peer KIND PORT
start_peer() {
	if [ "$PEER" != spdk ]; then
		start_ours "$1" "$2" "$PEER"
		return
	fi
	peer_pid=$("$SPDK_PEER" target "$([ "$1" = null ] && echo null || echo malloc)" "$TGT_CORE" "$2" |
		tail -n 1)
	[ -n "$peer_pid" ] && port_open "$2" || die "the peer target did not start"
}

# measure TRID WORKLOAD QD SIZE SECONDS: prints "IOPS MiB/s avg_us" of one run.
measure() {
	local trid=$1
	if [ "$INITIATOR" = spdk_nvme_perf ]; then
		timeout $(($5 + 30)) "$SPDK_PEER" perf -c "$PERF_MASK" -q "$3" -o "$4" -w "$2" -t "$5" \
			-r "$trid hostnqn:$HOSTNQN" >"$out_tmp" 2>&1 || return 1
		awk '$1 == "Total" { print $3, $4, $5 }' "$out_tmp"
	else
		timeout $(($5 + 30)) taskset -c "$PERF_CORE" "$BUILD/bin/nvmf_perf" -r "$trid hostnqn:$HOSTNQN" \
			-c "$PERF_MASK" -q "$3" -o "$4" -w "$2" -t "$5" --json "${PERF_ARGS[@]}" \
			>"$out_tmp" 2>/dev/null || return 1
		awk '/"total":/ { t = 1 } t && $1 == "\"iops\":" { i = $2 } t && $1 == "\"mib_s\":" { m = $2 }
			t && $1 == "\"avg\":" { a = $2 } END { gsub(/,/, "", i); gsub(/,/, "", m); gsub(/,/, "", a); print i, m, a }' \
			"$out_tmp"
	fi
}

# run_one WHO W QD SIZE: the other target stopped, a warm-up run, a measured run.
run_one() {
	local me other trid r
	if [ "$1" = ours ]; then
		me=$ours_pid other=$peer_pid trid=$ours_trid
	else
		me=$peer_pid other=$ours_pid trid=$peer_trid
	fi
	kill -STOP "$other"
	kill -CONT "$me"
	measure "$trid" "$2" "$3" "$4" 1 >/dev/null || die "$1 warm-up failed ($2 QD $3 $4): $(tail -n 3 "$out_tmp")"
	r=$(measure "$trid" "$2" "$3" "$4" "$SECS") || die "$1 run failed ($2 QD $3 $4): $(tail -n 3 "$out_tmp")"
	[ -n "$r" ] || die "$1: no result ($2 QD $3 $4)"
	echo "$r"
}

printf '# peer %s, initiator %s %s, %s rounds of %s s, target core %s, initiator core %s\n' "$PEER" \
	"$INITIATOR" "${BENCH_PERF_ARGS:-}" "$ROUNDS" "$SECS" "$TGT_CORE" "$PERF_CORE"
printf '%-5s %-10s %4s %7s %11s %11s %8s %13s %9s %9s %9s %9s\n' conf workload QD size "ours IOPS" \
	"peer IOPS" ours/peer "ratio spread" "ours MiB" "peer MiB" "ours avg" "peer avg"

# median of the numbers on stdin
median() {
	sort -g | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

cur_kind=""
for point in $POINTS; do
	IFS=: read -r kind w qd size <<<"$point"
	if [ "$kind" != "$cur_kind" ]; then
		stop_targets
		op=$(free_port) pp=$(free_port)
		start_ours "$kind" "$op"
		kill -STOP "$ours_pid"
		start_peer "$kind" "$pp"
		ours_trid="trtype:TCP adrfam:IPv4 traddr:127.0.0.1 trsvcid:$op subnqn:nqn.2016-06.io.nvmf-tgt:b0"
		peer_trid="trtype:TCP adrfam:IPv4 traddr:127.0.0.1 trsvcid:$pp subnqn:$PEER_NQN"
		cur_kind=$kind
	fi
	rows=()
	for r in $(seq 1 "$ROUNDS"); do
		if [ $((r % 2)) -eq 1 ]; then
			o=$(run_one ours "$w" "$qd" "$size") || exit 1
			p=$(run_one peer "$w" "$qd" "$size") || exit 1
		else
			p=$(run_one peer "$w" "$qd" "$size") || exit 1
			o=$(run_one ours "$w" "$qd" "$size") || exit 1
		fi
		rows+=("$o $p")
		[ -n "${BENCH_VERBOSE:-}" ] && echo "#  round $r: ours $o | peer $p" >&2
	done
	col() { printf '%s\n' "${rows[@]}" | awk -v c="$1" '{ print $c }' | median; }
	ratios=$(printf '%s\n' "${rows[@]}" | awk '{ printf "%.3f\n", $1 / $4 }')
	printf '%-5s %-10s %4s %7s %11.0f %11.0f %8.3f %13s %9.1f %9.1f %9.1f %9.1f\n' "$kind" "$w" "$qd" \
		"$size" "$(col 1)" "$(col 4)" "$(echo "$ratios" | median)" \
		"$(echo "$ratios" | sort -g | sed -n '1p;$p' | paste -sd-)" "$(col 2)" "$(col 5)" \
		"$(col 3)" "$(col 6)"
done
exit 0
