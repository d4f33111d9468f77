#!/usr/bin/env bash
# Benchmark: nvmf_perf against nvmf_tgt on this machine (NVMe/TCP on
# loopback), target pinned to one core and nvmf_perf to another. Prints
# figures; asserts nothing about speed. See tests/bench/README.md.
#
#   tests/bench/run.sh [BUILD]          (make bench runs it on build/)
#
# Environment:
#   BENCH_SECONDS  measured seconds per run (default 10)
#   BENCH_WARMUP   seconds of warm-up run before each measured run (default 2)
#   BENCH_REPEAT   measured runs per point (default 2)
#   BENCH_CONFS    example confs to serve, in order (default "null ram")
#   BENCH_FLOOR    1 (default): after each null.conf point, the same point
#                  through tcp_floor, the same exchange over bare loopback
#                  sockets with nothing behind them; 0: no floor rows
#   BENCH_TGT_CORE / BENCH_PERF_CORE  cores (default 0 / 1)
#   BENCH_TRID     drive this target instead of starting ours (no CPU column)
#   BENCH_POINTS   workload:QD list (default "randread:1 randread:32
#                  randread:128 randwrite:32")
#   BENCH_IDLE     IdleSleep of the target: No (default: it busy-polls, the
#                  figures are the data path's) or Yes (the idle policy on,
#                  to compare); the idle CPU figure is tests/bench/idle.sh's
#   BENCH_SQFC     nvmf_perf modes per point (default "off on"): off, its
#                  own (I/O queues ask for SQ flow control to be disabled, so
#                  reads end on C2HData SUCCESS); on, --sq-flow-control (reads
#                  end with a CapsuleResp, as the Linux and SPDK hosts do)
#   BENCH_PEER     spdk: run tests/bench/peer.sh instead (our target against
#                  SPDK's under one initiator, round by round)
#   BENCH_TLS      1 (default): last, null.conf over a plain and a secure=tls
#                  listener: 4 KiB randread QD32 and 128 KiB read QD8 on each
#                  (rows "tcp" and "tls"); 0: no TLS rows
set -uo pipefail

BUILD=${1:-build}
SECONDS_PER_RUN=${BENCH_SECONDS:-10}
WARMUP=${BENCH_WARMUP:-2}
REPEAT=${BENCH_REPEAT:-2}
CONFS=${BENCH_CONFS:-null ram}
FLOOR=${BENCH_FLOOR:-1}
TGT_CORE=${BENCH_TGT_CORE:-0}
PERF_CORE=${BENCH_PERF_CORE:-1}
POINTS=${BENCH_POINTS:-randread:1 randread:32 randread:128 randwrite:32}
IO_SIZE=4096
TLS=${BENCH_TLS:-1}
IDLE=${BENCH_IDLE:-No}
SQFC_MODES=${BENCH_SQFC:-off on}
FC_ARGS=()
TLS_HOST=nqn.2014-08.org.nvmexpress:uuid:0b5e7c1a-6d2f-4e38-9a01-5c7d3e2f1b40
TLS_KEY=NVMeTLSkey-1:01:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+KfiaR:
PERF_EXTRA=()

if [ -n "${BENCH_PEER:-}" ]; then
	exec "$(dirname "$0")/peer.sh" "$BUILD"
fi

TGT_BIN=${NVMF_TGT_BIN:-$BUILD/bin/nvmf_tgt}
FLOOR_BIN=${TCP_FLOOR_BIN:-$BUILD/test/tests/bench/tcp_floor}
PERF_BIN=${NVMF_PERF_BIN:-$BUILD/bin/nvmf_perf}
CLK_TCK=$(getconf CLK_TCK)
PERF_MASK=$(printf '0x%x' $((1 << PERF_CORE)))
TGT_MASK=$(printf '0x%x' $((1 << TGT_CORE)))

tgt_pid=""
conf_tmp=""
out_tmp=$(mktemp)
err_tmp=$(mktemp)

cleanup() {
	if [ -n "$tgt_pid" ]; then
		kill "$tgt_pid" 2>/dev/null
		wait "$tgt_pid" 2>/dev/null
	fi
	rm -f "$conf_tmp" "$out_tmp" "$err_tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() {
	echo "bench: $*" >&2
	exit 1
}

[ -x "$PERF_BIN" ] || die "$PERF_BIN is missing: run 'make' first"
[ -n "${BENCH_TRID:-}" ] || [ -x "$TGT_BIN" ] || die "$TGT_BIN is missing: run 'make' first"
[ "$(nproc)" -gt "$PERF_CORE" ] || die "core $PERF_CORE does not exist (BENCH_PERF_CORE)"

# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"

# utime + stime of a process, in clock ticks.
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}

# start_target CONF [SED-EXPR...]: serve conf/examples/CONF on a free port, pinned.
start_target() {
	local conf=$1 port
	shift
	port=$(free_port)
	conf_tmp=$(mktemp)
	# IdleSleep No by default: the figures are the data path's, not the idle policy's.
	sed -e "s/127\.0\.0\.1:4420/127.0.0.1:$port/" -e '/^[[:space:]]*IdleSleep/d' \
	    -e "s/^\[Global\]/[Global]\n  IdleSleep $IDLE/" \
	    -e "s#/var/tmp/nvmf-tgt-file0.img#/var/tmp/nvmf-tgt-bench-$$.img#" "$@" \
	    "conf/examples/$conf" >"$conf_tmp"
	taskset -c "$TGT_CORE" "$TGT_BIN" -c "$conf_tmp" -m "$TGT_MASK" -L warn >/dev/null 2>&1 &
	tgt_pid=$!
	for _ in $(seq 1 150); do
		port_open "$port" && break
		kill -0 "$tgt_pid" 2>/dev/null || die "nvmf_tgt -c conf/examples/$conf exited at start"
		sleep 0.1
	done
	port_open "$port" || die "nvmf_tgt did not listen on $port"
	subnqn=$(awk '$1 == "NQN" { print $2; exit }' "$conf_tmp")
	trid="trtype:TCP adrfam:IPv4 traddr:127.0.0.1 trsvcid:$port subnqn:$subnqn"
}

stop_target() {
	kill "$tgt_pid" 2>/dev/null
	wait "$tgt_pid" 2>/dev/null
	tgt_pid=""
	rm -f "$conf_tmp" "/var/tmp/nvmf-tgt-bench-$$.img"
}

# perf WORKLOAD QD SECONDS: one nvmf_perf --json run into $out_tmp.
perf() {
	taskset -c "$PERF_CORE" "$PERF_BIN" -r "$trid" -c "$PERF_MASK" -w "$1" -q "$2" \
		-o "$IO_SIZE" -t "$3" --json "${PERF_EXTRA[@]}" "${FC_ARGS[@]}" >"$out_tmp" 2>"$err_tmp"
}

# Value of KEY in the "total" object of nvmf_perf's pretty JSON.
total_field() {
	awk -v key="\"$1\":" '/"total":/ { t = 1 } t && $1 == key { gsub(/,/, "", $2); print $2; exit }' "$out_tmp"
}

# Idle share of the (single) nvmf_perf core: its polls that completed nothing.
host_idle() {
	awk '$1 == "\"idle_pct\":" { gsub(/,/, "", $2); printf "%.1f", $2; exit }' "$out_tmp"
}

printf '%-6s %-10s %4s %4s %3s %11s %9s %9s %9s %14s %10s\n' conf workload QD SQFC run IOPS MiB/s \
	"avg(us)" "p99(us)" "tgt CPU us/IO" "host idle%"

# bench_conf NAME: every point, REPEAT times, against $trid.
bench_conf() {
	local name=$1 point w qd fc
	for point in $POINTS; do
		w=${point%%:*}
		qd=${point##*:}
		for fc in $SQFC_MODES; do
			FC_ARGS=()
			[ "$fc" = on ] && FC_ARGS=(--sq-flow-control)
			bench_point "$name" "$w" "$qd" "$fc"
		done
		FC_ARGS=()
		if [ "$name" = null ] && [ "$FLOOR" = 1 ]; then
			# The target busy-polls on the floor server's core: stop it meanwhile.
			[ -n "$tgt_pid" ] && kill -STOP "$tgt_pid"
			floor_point "$w" "$qd"
			[ -n "$tgt_pid" ] && kill -CONT "$tgt_pid"
		fi
	done
}

# bench_point NAME WORKLOAD QD SQFC: a warm-up, then REPEAT rows.
bench_point() {
	local name=$1 w=$2 qd=$3 fc=$4 rep c0 c1 ios cpu
	if [ "$WARMUP" -gt 0 ]; then
		perf "$w" "$qd" "$WARMUP" || { cat "$err_tmp" >&2; die "warm-up run failed"; }
	fi
	for rep in $(seq 1 "$REPEAT"); do
		c0=$([ -n "$tgt_pid" ] && cpu_ticks "$tgt_pid")
		if ! perf "$w" "$qd" "$SECONDS_PER_RUN"; then
			tail -n 5 "$err_tmp" >&2
			die "nvmf_perf failed ($name $w QD $qd)"
		fi
		c1=$([ -n "$tgt_pid" ] && cpu_ticks "$tgt_pid")
		ios=$(total_field ios)
		cpu="-"
		if [ -n "$tgt_pid" ] && [ "${ios:-0}" -gt 0 ]; then
			cpu=$(awk -v d=$((c1 - c0)) -v hz="$CLK_TCK" -v n="$ios" \
				'BEGIN { printf "%.2f", d / hz * 1e6 / n }')
		fi
		printf '%-6s %-10s %4s %4s %3s %11.0f %9.1f %9.1f %9.1f %14s %10s\n' "$name" "$w" \
			"$qd" "$fc" "$rep" "$(total_field iops)" "$(total_field mib_s)" \
			"$(total_field avg)" "$(total_field p99)" "$cpu" "$(host_idle)"
	done
}

# floor_point WORKLOAD QD: the point through tcp_floor, REPEAT times.
floor_point() {
	local fw qd=$2 rep line iops avg
	case $1 in
	read | randread) fw=read ;;
	write | randwrite) fw=write ;;
	*) return 0 ;;
	esac
	[ -x "$FLOOR_BIN" ] || die "$FLOOR_BIN is missing: run 'make' first"
	for rep in $(seq 1 "$REPEAT"); do
		line=$("$FLOOR_BIN" -w "$fw" -q "$qd" -o "$IO_SIZE" -t "$SECONDS_PER_RUN" \
			-a "$WARMUP" -s "$TGT_CORE" -c "$PERF_CORE") || die "tcp_floor failed"
		iops=$(echo "$line" | awk '{ for (i = 1; i < NF; i++) if ($i == "IOPS") print $(i + 1) }')
		avg=$(echo "$line" | awk '{ for (i = 1; i < NF; i++) if ($i == "avg_us") print $(i + 1) }')
		printf '%-6s %-10s %4s %4s %3s %11.0f %9.1f %9.1f %9s %14s %10s\n' floor "$1" "$qd" - "$rep" \
			"$iops" "$(awk -v n="$iops" -v s="$IO_SIZE" 'BEGIN { print n * s / 1048576 }')" \
			"$avg" - - -
	done
}

if [ -n "${BENCH_TRID:-}" ]; then
	trid=$BENCH_TRID
	bench_conf external
	exit 0
fi

for conf in $CONFS; do
	[ -f "conf/examples/$conf.conf" ] || die "no conf/examples/$conf.conf"
	start_target "$conf.conf"
	bench_conf "$conf"
	stop_target
done

# tls_rows: the same target over a plain and a secure=tls listener (TLS 1.3,
# AES-128-GCM), 4 KiB randread QD32 and 128 KiB read QD8, rows tcp and tls.
tls_rows() {
	local tls_port plain_trid
	tls_port=$(free_port)
	start_target null.conf \
		-e "/^[[:space:]]*Listen TCP/a\\  Listen TCP 127.0.0.1:$tls_port secure=tls\\n  Host $TLS_HOST psk=$TLS_KEY"
	plain_trid="$trid hostnqn:$TLS_HOST"
	for point in "randread:32:4096" "read:8:131072"; do
		IFS=: read -r w qd IO_SIZE <<<"$point"
		POINTS="$w:$qd"
		trid=$plain_trid
		PERF_EXTRA=()
		bench_conf tcp
		trid="trtype:TCP adrfam:IPv4 traddr:127.0.0.1 trsvcid:$tls_port subnqn:${plain_trid#*subnqn:}"
		PERF_EXTRA=(--tls-key "$TLS_KEY")
		bench_conf tls
	done
	PERF_EXTRA=()
	IO_SIZE=4096
	stop_target
}

[ "$TLS" = 1 ] && tls_rows
exit 0
