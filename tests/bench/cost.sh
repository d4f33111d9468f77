#!/usr/bin/env bash
# Cost per I/O of the NVMe/TCP data path, in figures that survive a noisy
# machine: system calls per I/O (kernel tracepoints, counted by perf stat) of
# the target and of nvmf_perf, and CPU time per I/O of both, next to IOPS and
# latency. Prints figures; asserts nothing. See tests/bench/README.md.
#
#   tests/bench/cost.sh [BUILD]
#
# Environment:
#   COST_CONF      example conf to serve (default null)
#   COST_POINTS    workload:QD list (default "randread:1 randread:32")
#   COST_SECONDS   measured seconds per run (default 5)
#   COST_REPEAT    runs per point (default 1)
#   COST_CALLGRIND set to 1 to run the target under callgrind instead and
#                  print its user-space instructions per I/O (slow: the
#                  target, not the network, is then the bottleneck)
#   BENCH_TGT_CORE / BENCH_PERF_CORE, NVMF_TGT_BIN / NVMF_PERF_BIN as run.sh
#
# tgt rx_data is the recvmsg() calls that returned data (the rest said
# EAGAIN: a busy-polling target spins on them while it waits for the host).
#
# IdleSleep is removed from the served conf: a sleeping target measures its
# sleep, not its data path.
set -uo pipefail

BUILD=${1:-build}
CONF=${COST_CONF:-null}
POINTS=${COST_POINTS:-randread:1 randread:32}
SECS=${COST_SECONDS:-5}
REPEAT=${COST_REPEAT:-1}
CALLGRIND=${COST_CALLGRIND:-0}
TGT_CORE=${BENCH_TGT_CORE:-0}
PERF_CORE=${BENCH_PERF_CORE:-1}
TGT_BIN=${NVMF_TGT_BIN:-$BUILD/bin/nvmf_tgt}
PERF_BIN=${NVMF_PERF_BIN:-$BUILD/bin/nvmf_perf}
CLK_TCK=$(getconf CLK_TCK)
PERF_MASK=$(printf '0x%x' $((1 << PERF_CORE)))
TGT_MASK=$(printf '0x%x' $((1 << TGT_CORE)))
# System calls counted one by one; "all" is raw_syscalls:sys_enter.
SYSCALLS="recvmsg recvfrom readv sendmsg sendto writev epoll_wait accept4 io_uring_enter nanosleep"

tmp=$(mktemp -d)
tgt_pid=""
cleanup() {
	[ -n "$tgt_pid" ] && kill "$tgt_pid" 2>/dev/null && wait "$tgt_pid" 2>/dev/null
	[ -n "${COST_KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() {
	echo "cost: $*" >&2
	exit 1
}

command -v perf >/dev/null || die "perf (linux-perf) is missing"
[ -x "$TGT_BIN" ] && [ -x "$PERF_BIN" ] || die "binaries missing: run 'make' first"
[ -f "conf/examples/$CONF.conf" ] || die "no conf/examples/$CONF.conf"

events="raw_syscalls:sys_enter"
for s in $SYSCALLS; do
	events="$events,syscalls:sys_enter_$s"
done

# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"

start_target() {
	local port=$((20000 + RANDOM % 20000)) i
	sed -e "s/127\.0\.0\.1:4420/127.0.0.1:$port/" -e '/^[[:space:]]*IdleSleep/d' \
		"conf/examples/$CONF.conf" >"$tmp/conf"
	if [ "$CALLGRIND" = 1 ]; then
		taskset -c "$TGT_CORE" valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.%p" \
			--collect-atstart=yes "$TGT_BIN" -c "$tmp/conf" -m "$TGT_MASK" -L warn \
			>/dev/null 2>"$tmp/vg.err" &
	else
		taskset -c "$TGT_CORE" "$TGT_BIN" -c "$tmp/conf" -m "$TGT_MASK" -L warn \
			>/dev/null 2>&1 &
	fi
	tgt_pid=$!
	for i in $(seq 1 600); do
		port_open "$port" && break
		kill -0 "$tgt_pid" 2>/dev/null || die "target exited at start"
		sleep 0.1
	done
	port_open "$port" || die "target did not listen on $port"
	trid="trtype:TCP adrfam:IPv4 traddr:127.0.0.1 trsvcid:$port subnqn:$(awk '$1 == "NQN" { print $2; exit }' "$tmp/conf")"
}

# Sum of event E in perf stat CSV file F.
ev() {
	awk -F, -v e="$2" '$3 == e { s += $1 } END { printf "%d", s }' "$1"
}

# field KEY of the "total" object of nvmf_perf's JSON
total_field() {
	awk -v key="\"$1\":" '/"total":/ { t = 1 } t && $1 == key { gsub(/,/, "", $2); print $2; exit }' "$tmp/out"
}

ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

per_io() {
	awk -v a="$1" -v n="$2" 'BEGIN { printf "%.2f", (n > 0 ? a / n : 0) }'
}

# Instructions so far of the callgrind target: dump, then sum the totals.
cg_instr() {
	callgrind_control -d "$tgt_pid" >/dev/null 2>&1
	sleep 0.5
	cat "$tmp"/cg.* 2>/dev/null | awk '/^summary:/ { s += $2 } END { printf "%d", s }'
}

run_point() {
	local w=$1 qd=$2 c0 c1 ios i0 i1 line top
	taskset -c "$PERF_CORE" "$PERF_BIN" -r "$trid" -c "$PERF_MASK" -w "$w" -q "$qd" -o 4096 \
		-t 1 --json >/dev/null 2>&1 || die "warm-up failed"
	[ "$CALLGRIND" = 1 ] && i0=$(cg_instr)
	c0=$(ticks "$tgt_pid")
	perf stat -x, -e "$events" -e syscalls:sys_exit_recvmsg --filter 'ret > 0' \
		-p "$tgt_pid" -o "$tmp/tgt.csv" &
	local ps_pid=$!
	sleep 0.2
	perf stat -x, -e "$events" -o "$tmp/perf.csv" taskset -c "$PERF_CORE" "$PERF_BIN" \
		-r "$trid" -c "$PERF_MASK" -w "$w" -q "$qd" -o 4096 -t "$SECS" --json \
		>"$tmp/out" 2>"$tmp/err" || { tail -3 "$tmp/err" >&2; die "nvmf_perf failed"; }
	kill -INT "$ps_pid"
	wait "$ps_pid"
	c1=$(ticks "$tgt_pid")
	[ "$CALLGRIND" = 1 ] && i1=$(cg_instr)
	ios=$(total_field ios)
	top=""
	for s in $SYSCALLS; do
		line=$(per_io "$(ev "$tmp/tgt.csv" "syscalls:sys_enter_$s")" "$ios")
		[ "$line" != "0.00" ] && top="$top $s=$line"
	done
	printf '%-9s %4s %9.0f %7.1f %8s %8s %8s %8s' "$w" "$qd" "$(total_field iops)" \
		"$(total_field avg)" \
		"$(per_io "$(ev "$tmp/tgt.csv" raw_syscalls:sys_enter)" "$ios")" \
		"$(awk -v d=$((c1 - c0)) -v hz="$CLK_TCK" -v n="$ios" 'BEGIN { printf "%.2f", d / hz * 1e6 / n }')" \
		"$(per_io "$(ev "$tmp/perf.csv" raw_syscalls:sys_enter)" "$ios")" \
		"$([ "$CALLGRIND" = 1 ] && per_io $((i1 - i0)) "$ios" || echo -)"
	echo "  tgt:$top rx_data=$(per_io "$(ev "$tmp/tgt.csv" syscalls:sys_exit_recvmsg)" "$ios")"
	top=""
	for s in $SYSCALLS; do
		line=$(per_io "$(ev "$tmp/perf.csv" "syscalls:sys_enter_$s")" "$ios")
		[ "$line" != "0.00" ] && top="$top $s=$line"
	done
	echo "  nvmf_perf:$top"
}

echo "conf $CONF, load $(cut -d' ' -f1-3 /proc/loadavg), target core $TGT_CORE, nvmf_perf core $PERF_CORE"
printf '%-9s %4s %9s %7s %8s %8s %8s %8s\n' workload QD IOPS "avg(us)" tgt_sc/IO \
	"tgt_us/IO" perf_sc/IO instr/IO
start_target
for point in $POINTS; do
	for _ in $(seq 1 "$REPEAT"); do
		run_point "${point%%:*}" "${point##*:}"
	done
done
