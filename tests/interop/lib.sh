# shellcheck shell=bash
# Helpers for interop scenarios. Sourced by scripts that run INSIDE the lab
# guest (tools/vm/run.sh), as root, with /lab/repo, /lab/build and /lab/out.
#
#   lab_step NAME CMD...   run one check in a subshell under `set -e`; print
#                          "PASS: NAME" or "FAIL: NAME" and record it
#   lab_must NAME CMD...   lab_step; on FAIL end the scenario (lab_finish)
#   lab_finish             print the scenario summary; exit 1 on any failure
#                          or when no step ran
#   tgt_start CONF [ARGS]  start the target on CONF, wait until it listens
#   tgt_stop               SIGTERM the target, wait; fail on non-zero exit
#   lab_connect NQN HOSTNQN [nvme-connect args]   and lab_disconnect NQN
#   lab_ns_dev NQN [NSID] / lab_ctrl_dev NQN [HOSTNQN]   device nodes
#   lab_fio_verify DEV BS QD SIZE [fio args]      write, verify, re-verify
#   lab_rxe_setup          soft-RoCE rxe0 on 192.0.2.1 (veth0)
#   lab_disc_has NQN TRTYPE ADDR PORT   an entry in discovery output (stdin)
#
# LAB_TARGET=nvmet makes tgt_start/tgt_stop build the same subsystems from
# the conf file with the Linux kernel target (nvmet over configfs), to check
# a scenario's own logic without our target.
# State shared between steps (which run in subshells) lives in $LAB_STATE.

LAB_OUT=${LAB_OUT:-/lab/out}
LAB_BUILD=${LAB_BUILD:-/lab/build}
LAB_REPO=${LAB_REPO:-/lab/repo}
LAB_ADDR=${LAB_ADDR:-127.0.0.1}
LAB_PORT=${LAB_PORT:-4420}
LAB_TARGET=${LAB_TARGET:-nvmf_tgt}
LAB_SCENARIO=${LAB_SCENARIO:-$(basename "$0" .sh)}
LAB_STATE=${LAB_STATE:-/tmp/lab-state}
LAB_TGT_START_TIMEOUT=${LAB_TGT_START_TIMEOUT:-60}
LAB_TGT_STOP_TIMEOUT=${LAB_TGT_STOP_TIMEOUT:-30}
LAB_HUGEPAGES=${LAB_HUGEPAGES:-512}
LAB_PASSED=0
LAB_FAILED=0

mkdir -p "$LAB_STATE" "$LAB_OUT/steps"
# Tools that drop files in the working directory (fio) need a writable one.
cd "$LAB_STATE"

lab_log() { echo "[$LAB_SCENARIO] $*"; }

# Print the last N lines of FILE, indented, under a title.
lab_tail() { # title file [lines]
	[ -s "$2" ] || return 0
	echo "  --- $1: last ${3:-40} lines of $2"
	tail -n "${3:-40}" "$2" | sed 's/^/  | /'
}

# The current target log, refreshed from the kernel log for nvmet.
lab_tgt_log() {
	local log
	log=$(cat "$LAB_STATE/tgt.logpath" 2>/dev/null) || return 1
	if [ "$LAB_TARGET" = nvmet ]; then
		dmesg 2>/dev/null | grep 'nvmet' >"$log" || true
	fi
	echo "$log"
}

lab_step() { # name cmd...
	local name=$1 safe log rc opts=$- tlog t0
	shift
	safe=$(printf '%s' "$name" | tr -c 'A-Za-z0-9_.-' '_')
	log=$LAB_OUT/steps/$LAB_SCENARIO.$safe.log
	t0=$(date +%s)
	set +e
	(
		set -e
		"$@"
	) >"$log" 2>&1 </dev/null
	rc=$?
	[[ "$opts" == *e* ]] && set -e
	echo "$LAB_SCENARIO $name rc=$rc $(($(date +%s) - t0))s" >>"$LAB_OUT/steps/times"
	if [ "$rc" -eq 0 ]; then
		LAB_PASSED=$((LAB_PASSED + 1))
		echo "PASS: $name"
		echo "PASS: $LAB_SCENARIO: $name" >>"$LAB_OUT/results"
		return 0
	fi
	LAB_FAILED=$((LAB_FAILED + 1))
	echo "FAIL: $name (exit $rc)"
	echo "FAIL: $LAB_SCENARIO: $name (exit $rc)" >>"$LAB_OUT/results"
	{
		lab_tail "step output" "$log" 25
		if tlog=$(lab_tgt_log); then
			lab_tail "target log" "$tlog" 40
		fi
	} | tee "$LAB_OUT/steps/$LAB_SCENARIO.$safe.fail"
	return 0
}

# As lab_step, but a failure ends the scenario (later steps depend on it).
lab_must() { # name cmd...
	local before=$LAB_FAILED
	lab_step "$@"
	if [ "$LAB_FAILED" -ne "$before" ]; then
		echo "[$LAB_SCENARIO] step $1 failed: the remaining steps cannot run"
		lab_finish
	fi
}

lab_finish() {
	local total=$((LAB_PASSED + LAB_FAILED))
	echo "scenario $LAB_SCENARIO: $LAB_PASSED passed, $LAB_FAILED failed"
	if [ "$total" -eq 0 ]; then
		echo "FAIL: $LAB_SCENARIO: no step ran" | tee -a "$LAB_OUT/results"
		exit 1
	fi
	[ "$LAB_FAILED" -eq 0 ] || exit 1
	exit 0
}

# Cleanup for an EXIT trap: drop host connections and stop any target.
lab_cleanup() {
	nvme disconnect-all >/dev/null 2>&1 || true
	if [ -s "$LAB_STATE/tgt.pid" ] || [ -s "$LAB_STATE/nvmet.conf" ]; then
		tgt_stop >/dev/null 2>&1 || true
	fi
}

# Wait until CMD succeeds, at most SEC seconds (polled every 0.2 s).
lab_wait() { # sec cmd...
	local end=$(($(date +%s) + $1))
	shift
	until "$@"; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.2
	done
}

# Ask the host's QEMU monitor for "del ID" (device_del) or "add ID"
# (device_add again, as at boot) of an emulated device (tools/vm/run.sh);
# waits for the host's answer, at most 60 s. Returns 0 when QEMU accepted it
# (device_del only starts the unplug: the guest then ejects the device).
lab_qmp() { # del|add ID
	local n req ans
	mkdir -p "$LAB_OUT/.qmp"
	n=$(date +%s%N)
	req=$LAB_OUT/.qmp/$n.req
	ans=$LAB_OUT/.qmp/$n.ans
	echo "$1 $2" >"$req.tmp"
	mv "$req.tmp" "$req"
	lab_wait 60 test -e "$ans" || {
		echo "lab_qmp $1 $2: no answer from the host"
		return 1
	}
	cat "$ans"
	[ "$(head -c 2 "$ans")" = ok ]
}

lab_port_open() { # addr port
	timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

# The first "Listen TCP addr:port" of a conf file, as "addr port".
lab_conf_listen() { # conf
	awk 'tolower($1) == "listen" && toupper($2) == "TCP" {
		n = split($3, a, ":"); print a[1], a[n]; exit }' "$1"
}

lab_hugepages() {
	local have
	have=$(cat /proc/sys/vm/nr_hugepages)
	[ "$have" -ge "$LAB_HUGEPAGES" ] && return 0
	echo "$LAB_HUGEPAGES" >/proc/sys/vm/nr_hugepages
}

# --------------------------------------------------------------- the target
tgt_start() { # conf [extra args]
	local conf=$1 name log bin=$LAB_BUILD/bin/nvmf_tgt pid addr port
	shift
	[ -r "$conf" ] || {
		echo "tgt_start: no conf file $conf"
		return 1
	}
	name=$(basename "$conf" .conf)
	log=$LAB_OUT/$name.log
	echo "$log" >"$LAB_STATE/tgt.logpath"
	if [ "$LAB_TARGET" = nvmet ]; then
		nvmet_start "$conf"
		return
	fi
	[ -x "$bin" ] || {
		echo "tgt_start: no target binary $bin (build it first)"
		return 1
	}
	lab_hugepages
	rm -f "$LAB_STATE/tgt.pid" "$LAB_STATE/tgt.rc"
	echo "tgt_start: $bin -c $conf -m 0x3 -L info $*"
	(
		set +e
		"$bin" -c "$conf" -m 0x3 -L info "$@" >"$log" 2>&1 </dev/null &
		echo $! >"$LAB_STATE/tgt.pid"
		wait $!
		echo $? >"$LAB_STATE/tgt.rc"
	) >/dev/null 2>&1 &
	lab_wait 5 test -s "$LAB_STATE/tgt.pid" || return 1
	pid=$(cat "$LAB_STATE/tgt.pid")
	# An RDMA-only conf has no TCP listener: then the log's "ready" line tells.
	read -r addr port < <(lab_conf_listen "$conf") || true
	tgt_wait_listening "$log" "${addr:-$LAB_ADDR}" "${port:-$LAB_PORT}" || return 1
	echo "tgt_start: target pid $pid listening"
}

# Up once the target says it is ready (every listener up; an RDMA-only
# conf has no TCP port to probe), or its TCP port takes connections.
tgt_listening() { # log addr port
	[ ! -e "$LAB_STATE/tgt.rc" ] || return 2
	grep -q 'ready: serving' "$1" 2>/dev/null && return 0
	lab_port_open "$2" "$3"
}

tgt_wait_listening() { # log addr port
	local end=$(($(date +%s) + LAB_TGT_START_TIMEOUT)) rc
	while :; do
		rc=0
		tgt_listening "$@" || rc=$?
		[ "$rc" -eq 0 ] && return 0
		if [ "$rc" -eq 2 ]; then
			echo "tgt_start: target exited with status $(cat "$LAB_STATE/tgt.rc") before listening"
			return 1
		fi
		if [ "$(date +%s)" -ge "$end" ]; then
			echo "tgt_start: target not listening on $2:$3 after ${LAB_TGT_START_TIMEOUT}s"
			return 1
		fi
		sleep 0.5
	done
}

tgt_stop() {
	local pid rc
	if [ "$LAB_TARGET" = nvmet ]; then
		nvmet_stop
		return
	fi
	pid=$(cat "$LAB_STATE/tgt.pid" 2>/dev/null) || {
		echo "tgt_stop: no target running"
		return 1
	}
	kill -TERM "$pid" 2>/dev/null || true
	if ! lab_wait "$LAB_TGT_STOP_TIMEOUT" test -e "$LAB_STATE/tgt.rc"; then
		echo "tgt_stop: target pid $pid still running ${LAB_TGT_STOP_TIMEOUT}s after SIGTERM: killed"
		kill -KILL "$pid" 2>/dev/null || true
		rm -f "$LAB_STATE/tgt.pid"
		return 1
	fi
	rc=$(cat "$LAB_STATE/tgt.rc")
	rm -f "$LAB_STATE/tgt.pid" "$LAB_STATE/tgt.rc"
	if [ "$rc" -ne 0 ]; then
		echo "tgt_stop: target exited with status $rc"
		return 1
	fi
	echo "tgt_stop: target exited 0"
}

# Soft-RoCE: rxe0 on veth0 (192.0.2.1), veth1 (192.0.2.2) its peer, and the
# kernel's NVMe/RDMA host. Keeps what an earlier scenario set up.
lab_rxe_setup() {
	if ! ip link show veth0 >/dev/null 2>&1; then
		ip link add veth0 type veth peer name veth1
		ip addr add 192.0.2.1/24 dev veth0
		ip addr add 192.0.2.2/24 dev veth1
		ip link set veth0 up
		ip link set veth1 up
	fi
	modprobe rdma_rxe
	rdma link show | grep -q '^link rxe0/' || rdma link add rxe0 type rxe netdev veth0
	modprobe nvme-rdma
	lab_wait 10 bash -c 'ibv_devices | grep -q rxe0'
	ibv_devices
	rdma link show
}

# Does the discovery log text (nvme discover's output) on stdin have an
# entry for NQN of transport TRTYPE (tcp, rdma) at ADDR:PORT?
lab_disc_has() { # nqn trtype addr port
	awk -v nqn="$1" -v tr="$2" -v addr="$3" -v port="$4" '
		function check() {
			if (e["subnqn"] == nqn && e["trtype"] == tr &&
			    e["traddr"] == addr && e["trsvcid"] == port) found = 1
			delete e
		}
		/^=+Discovery Log Entry/ { check(); next }
		/^[a-z_]+: / { k = $1; sub(":", "", k); e[k] = $2 }
		END { check(); exit !found }'
}

# ----------------------------------------------------------------- the host
# A host ID for a host NQN: its UUID if it has one, else one made from it.
lab_hostid() { # hostnqn
	local h
	case "$1" in
	*:uuid:*) echo "${1##*:uuid:}" ;;
	*)
		h=$(echo -n "$1" | md5sum | cut -c1-32)
		echo "${h:0:8}-${h:8:4}-${h:12:4}-${h:16:4}-${h:20:12}"
		;;
	esac
}

lab_discover() { # [nvme discover args]
	timeout 60 nvme discover -t tcp -a "$LAB_ADDR" -s "$LAB_PORT" "$@"
}

lab_connect() { # nqn hostnqn [nvme connect args]
	local nqn=$1 host=$2
	shift 2
	timeout 90 nvme connect -t tcp -a "$LAB_ADDR" -s "$LAB_PORT" -n "$nqn" \
		--hostnqn "$host" --hostid "$(lab_hostid "$host")" "$@"
}

lab_disconnect() { # nqn
	timeout 60 nvme disconnect -n "$1"
}

# /dev/nvmeX of the controller connected to NQN (by HOSTNQN if given).
lab_ctrl_dev() { # nqn [hostnqn]
	local c
	for c in /sys/class/nvme/nvme*; do
		[ -r "$c/subsysnqn" ] || continue
		[ "$(cat "$c/subsysnqn")" = "$1" ] || continue
		if [ -n "${2:-}" ] && [ "$(cat "$c/hostnqn" 2>/dev/null)" != "$2" ]; then
			continue
		fi
		echo "/dev/${c##*/}"
		return 0
	done
	return 1
}

# /dev/nvmeXnY of namespace NSID (default 1) of subsystem NQN.
lab_find_ns() { # nqn [nsid]
	local s b nsid=${2:-1}
	for s in /sys/class/nvme-subsystem/*/ /sys/class/nvme/nvme*/; do
		[ -r "$s/subsysnqn" ] || continue
		[ "$(cat "$s/subsysnqn")" = "$1" ] || continue
		for b in "$s"nvme*n*; do
			b=${b##*/}
			[ -e "/sys/block/$b" ] || continue
			[ "$(cat "/sys/block/$b/nsid" 2>/dev/null)" = "$nsid" ] || continue
			echo "/dev/$b"
			return 0
		done
	done
	return 1
}

# As lab_find_ns, waiting up to 15 s for the device node to show up.
lab_ns_dev() { # nqn [nsid]
	local dev
	lab_wait 15 lab_find_ns "$@" >/dev/null || {
		echo "no block device for $1 namespace ${2:-1}" >&2
		return 1
	}
	dev=$(lab_find_ns "$@")
	lab_wait 10 test -b "$dev" || return 1
	echo "$dev"
}

# Random writes with crc32c verify headers, read back and checked in the same
# run, then read and checked again by a fresh fio (verify_only).
lab_fio_verify() { # dev bs qd size [fio args]
	local dev=$1 bs=$2 qd=$3 size=$4
	shift 4
	local common=(--filename="$dev" --rw=randwrite --bs="$bs" --iodepth="$qd"
		--ioengine=libaio --direct=1 --size="$size" --verify=crc32c
		--verify_fatal=1 --verify_state_save=0 --randrepeat=1 --group_reporting
		"$@")
	timeout 600 fio --name=write-verify "${common[@]}" --do_verify=1 || return 1
	timeout 600 fio --name=read-verify "${common[@]}" --verify_only=1 || return 1
}

# Data units written (SMART log) of controller DEV, as a plain number.
lab_smart_duw() { # ctrl-dev
	nvme smart-log "$1" | awk -F: 'tolower($1) ~ /data.units.written/ {
		if (match($2, /[0-9][0-9,]*/)) {
			v = substr($2, RSTART, RLENGTH); gsub(",", "", v); print v; exit
		} }'
}

# shellcheck source=tests/interop/nvmet.sh
. "$(dirname "${BASH_SOURCE[0]}")/nvmet.sh"
