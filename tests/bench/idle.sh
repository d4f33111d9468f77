#!/usr/bin/env bash
# Idle figures: the CPU an idle target burns, and the latency of an I/O that
# follows an idle pause. Serves conf/examples/ram.conf (one core, IdleSleep
# as the conf says unless IDLE_POLICY overrides it) on a free port, keeps
# one nvmf_perf connected at QD1 with a pause between its I/Os, and prints:
#   idle  <policy> cpu%  <percent of one core over IDLE_SECONDS>
#   qd1   <policy> avg(us) <plain QD1 average latency> p50(us) <median>
#   pause <policy> avg(us) <QD1 average latency after a PAUSE_MS pause> p50(us) <median>
#   floor busy|sleep avg(us) <the same paused round trip between bare
#                            sockets (tcp_floor -p): server spinning, or
#                            blocked in epoll_wait() as an idle target>
# Asserts nothing about speed. See tests/bench/README.md.
#
#   tests/bench/idle.sh [BUILD]
#
# Environment:
#   IDLE_SECONDS   seconds the CPU time is measured over (default 30)
#   IDLE_POLICY    yes / no: IdleSleep of the target (default: ram.conf's)
#   PAUSE_MS       idle pause between two I/Os (default 1000)
#   PAUSE_COUNT    I/Os after such a pause per figure (default 10)
#   BENCH_TGT_CORE / BENCH_PERF_CORE  cores (default 0 / 1)
set -uo pipefail

BUILD=${1:-build}
IDLE_SECONDS=${IDLE_SECONDS:-30}
PAUSE_MS=${PAUSE_MS:-1000}
PAUSE_COUNT=${PAUSE_COUNT:-10}
TGT_CORE=${BENCH_TGT_CORE:-0}
PERF_CORE=${BENCH_PERF_CORE:-1}
TGT_BIN=${NVMF_TGT_BIN:-$BUILD/bin/nvmf_tgt}
PERF_BIN=${NVMF_PERF_BIN:-$BUILD/bin/nvmf_perf}
FLOOR_BIN=${TCP_FLOOR_BIN:-$BUILD/test/tests/bench/tcp_floor}
CLK_TCK=$(getconf CLK_TCK)

tgt_pid="" perf_pid=""
conf_tmp=$(mktemp)
out_tmp=$(mktemp)

cleanup() {
	[ -n "$perf_pid" ] && kill "$perf_pid" 2>/dev/null && wait "$perf_pid" 2>/dev/null
	[ -n "$tgt_pid" ] && kill "$tgt_pid" 2>/dev/null && wait "$tgt_pid" 2>/dev/null
	rm -f "$conf_tmp" "$out_tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() {
	echo "idle: $*" >&2
	exit 1
}

# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"

[ -x "$TGT_BIN" ] && [ -x "$PERF_BIN" ] || die "$TGT_BIN or $PERF_BIN is missing: run 'make' first"
port=
for _ in $(seq 1 50); do
	p=$((20000 + RANDOM % 20000))
	port_open "$p" || { port=$p; break; }
done
[ -n "$port" ] || die "no free port found"

policy=${IDLE_POLICY:-}
sed_policy=()
if [ -n "$policy" ]; then
	sed_policy=(-e "s/^\([[:space:]]*IdleSleep\) .*/\1 $policy/")
else
	policy=$(awk '$1 == "IdleSleep" { print tolower($2); exit }' conf/examples/ram.conf)
	policy=${policy:-default}
fi
sed -e "s/127\.0\.0\.1:4420/127.0.0.1:$port/" "${sed_policy[@]}" conf/examples/ram.conf >"$conf_tmp"
taskset -c "$TGT_CORE" "$TGT_BIN" -c "$conf_tmp" -m "$(printf '0x%x' $((1 << TGT_CORE)))" \
	-L warn -r "/tmp/nvmf-idle-$$.sock" >/dev/null 2>&1 &
tgt_pid=$!
for _ in $(seq 1 150); do
	port_open "$port" && break
	kill -0 "$tgt_pid" 2>/dev/null || die "nvmf_tgt exited at start"
	sleep 0.1
done
port_open "$port" || die "nvmf_tgt did not listen on $port"
trid="trtype:TCP adrfam:IPv4 traddr:127.0.0.1 trsvcid:$port subnqn:nqn.2016-06.io.nvmf-tgt:ram0"
perf_mask=$(printf '0x%x' $((1 << PERF_CORE)))

# avg RUN-SECONDS [nvmf_perf options]: average and median latency (us) of a
# QD1 randread run, as "AVG P50".
avg() {
	local t=$1
	shift
	taskset -c "$PERF_CORE" "$PERF_BIN" -r "$trid" -c "$perf_mask" -w randread -q 1 \
		-o 4096 -t "$t" --json "$@" >"$out_tmp" 2>/dev/null || die "nvmf_perf failed"
	awk '/"total":/ { t = 1 }
	     t && $1 == "\"avg\":" { gsub(/,/, "", $2); a = $2 }
	     t && $1 == "\"p50\":" { gsub(/,/, "", $2); p = $2 }
	     a != "" && p != "" { print a, p; exit }' "$out_tmp"
}
# row NAME POLICY "AVG P50"
row() {
	printf '%-6s %-8s %-8s %8.1f   p50(us) %8.1f\n' "$1" "$2" "avg(us)" ${3:-0 0}
}

# An idle connected host: QD1 with a pause far longer than the measurement.
taskset -c "$PERF_CORE" "$PERF_BIN" -r "$trid" -c "$perf_mask" -w randread -q 1 -o 4096 \
	-t $((IDLE_SECONDS + 10)) --pause-ms $(((IDLE_SECONDS + 10) * 1000)) >/dev/null 2>&1 &
perf_pid=$!
sleep 3
kill -0 "$perf_pid" 2>/dev/null || die "the idle nvmf_perf did not connect"
c0=$(awk '{ print $14 + $15 }' "/proc/$tgt_pid/stat")
sleep "$IDLE_SECONDS"
c1=$(awk '{ print $14 + $15 }' "/proc/$tgt_pid/stat")
kill "$perf_pid" 2>/dev/null
wait "$perf_pid" 2>/dev/null
perf_pid=""
printf '%-6s %-8s %-8s %8.2f\n' idle "$policy" "cpu%" \
	"$(awk -v d=$((c1 - c0)) -v hz="$CLK_TCK" -v s="$IDLE_SECONDS" 'BEGIN { print d / hz / s * 100 }')"

row qd1 "$policy" "$(avg 5)"
# The pause: about PAUSE_COUNT I/Os, each after PAUSE_MS of idle.
n=$((PAUSE_MS >= 1000 ? PAUSE_COUNT : PAUSE_COUNT * 1000 / (PAUSE_MS + 1)))
row pause "$policy" "$(avg $(((n * PAUSE_MS + 999) / 1000)) --pause-ms "$PAUSE_MS")"

# The machine's own price of a pause and of a sleeping core, without a target.
if [ -x "$FLOOR_BIN" ]; then
	for mode in busy sleep; do
		flag=()
		[ "$mode" = sleep ] && flag=(-b)
		v=$("$FLOOR_BIN" -p "$PAUSE_MS" -t $(((n * PAUSE_MS + 999) / 1000)) -a 0 \
			-s "$TGT_CORE" -c "$PERF_CORE" "${flag[@]}" |
			awk '{ for (i = 1; i < NF; i++) { if ($i == "avg_us") a = $(i + 1); if ($i == "p50_us") p = $(i + 1) } } END { if (a != "") print a, p }')
		if [ -n "$v" ]; then
			row floor "$mode" "$v"
		fi
	done
fi
