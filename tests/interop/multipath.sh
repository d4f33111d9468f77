#!/usr/bin/env bash
# Multipath (ANA) with the kernel host: our target serves one RAM namespace
# on two NVMe/TCP listeners, 127.0.0.1:4420 optimized and 127.0.0.1:4421
# non-optimized. The kernel host connects both (native NVMe multipath:
# both controllers are paths of one namespace head); nvme list-subsys shows
# both paths with their ANA states (saved to multipath.list-subsys.txt in
# the output dir). fio verify keeps working while the optimized path is set
# inaccessible by RPC and back, the kernel following each change on its
# paths. nvme discover shows the referral of the conf.
# Run: tools/vm/run.sh tests/interop/guest_driver.sh multipath.sh
set -euo pipefail
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"

NQN=nqn.2016-06.io.nvmf-tgt:mpath0
HOST=nqn.2014-08.org.nvmexpress:uuid:aaaaaaaa-0000-4000-8000-0000000000d1
CONF=$LAB_STATE/multipath.conf
SOCK=$LAB_STATE/rpc.sock
REFERRAL_ADDR=192.0.2.77
REFERRAL_PORT=8009

trap lab_cleanup EXIT

rpc() { timeout 120 "$LAB_BUILD/bin/nvmf_rpc" -s "$SOCK" "$@"; }

native_multipath() {
	local mp
	modprobe nvme-tcp
	mp=$(cat /sys/module/nvme_core/parameters/multipath)
	echo "nvme_core multipath=$mp"
	[ "$mp" = Y ]
}

start_target() {
	# The shipped example, with the referral and a private RPC socket.
	sed -e "/^\[Global\]/a\\  Referral TCP $REFERRAL_ADDR:$REFERRAL_PORT" \
		"$LAB_REPO/conf/examples/multipath.conf" >"$CONF"
	grep -n 'Referral\|Listen' "$CONF"
	tgt_start "$CONF" -r "$SOCK"
	lab_wait 20 lab_port_open 127.0.0.1 4421
	rpc listener list "$NQN"
}

connect_port() { # port
	timeout 90 nvme connect -t tcp -a 127.0.0.1 -s "$1" -n "$NQN" \
		--hostnqn "$HOST" --hostid "$(lab_hostid "$HOST")"
}

# The controller (nvmeX) connected through PORT.
ctrl_of_port() { # port
	local c
	for c in /sys/class/nvme/nvme*; do
		[ "$(cat "$c/subsysnqn" 2>/dev/null)" = "$NQN" ] || continue
		grep -q "trsvcid=$1\b" "$c/address" || continue
		echo "${c##*/}"
		return 0
	done
	return 1
}

# ANA state the kernel holds for the path through PORT (its nvmeXcYnZ).
path_state() { # port
	local c p
	c=$(ctrl_of_port "$1") || return 1
	for p in /sys/class/nvme/"$c"/nvme*c*n1; do
		[ -r "$p/ana_state" ] && cat "$p/ana_state" && return 0
	done
	return 1
}

path_is() { # port state
	[ "$(path_state "$1" 2>/dev/null)" = "$2" ]
}

connect_both() {
	connect_port 4420
	connect_port 4421
	lab_wait 20 ctrl_of_port 4420
	lab_wait 20 ctrl_of_port 4421
	lab_ns_dev "$NQN" 1 >"$LAB_STATE/dev"
	echo "head: $(cat "$LAB_STATE/dev")"
	# One head, two paths: each controller has a path device with an ANA state.
	lab_wait 20 path_state 4420
	lab_wait 20 path_state 4421
}

list_subsys() {
	local out=$LAB_OUT/multipath.list-subsys.txt
	lab_wait 20 path_is 4420 optimized
	lab_wait 20 path_is 4421 non-optimized
	{
		echo "# nvme list-subsys"
		nvme list-subsys
		echo "# nvme list-subsys $(cat "$LAB_STATE/dev")"
		nvme list-subsys "$(cat "$LAB_STATE/dev")"
	} >"$out" 2>&1
	cat "$out"
	grep -q "trsvcid=4420.* optimized" "$out"
	grep -q "trsvcid=4421.* non-optimized" "$out"
}

set_state() { # port state
	rpc listener ana-state "$NQN" tcp "127.0.0.1:$1" "$2"
}

fio_verify() {
	lab_fio_verify "$(cat "$LAB_STATE/dev")" 4k 8 16M
}

# fio runs while the optimized path goes inaccessible and comes back.
fio_across_changes() {
	local dev pid rc=0
	dev=$(cat "$LAB_STATE/dev")
	timeout 600 fio --name=flip --filename="$dev" --rw=randwrite --bs=4k --iodepth=8 \
		--ioengine=libaio --direct=1 --size=48M --offset=64M --verify=crc32c \
		--verify_fatal=1 --verify_state_save=0 --do_verify=1 --randrepeat=1 \
		>"$LAB_STATE/fio.out" 2>&1 &
	pid=$!
	sleep 3
	set_state 4420 inaccessible
	lab_wait 30 path_is 4420 inaccessible
	echo "4420: $(path_state 4420), 4421: $(path_state 4421)"
	kill -0 "$pid" || echo "fio ended before the path came back"
	sleep 3
	set_state 4420 optimized
	lab_wait 30 path_is 4420 optimized
	echo "4420: $(path_state 4420), 4421: $(path_state 4421)"
	wait "$pid" || rc=$?
	cat "$LAB_STATE/fio.out"
	[ "$rc" -eq 0 ]
	grep -q 'err= 0' "$LAB_STATE/fio.out"
}

# With the optimized path inaccessible, whole fio runs on the other path.
fio_on_other_path() {
	set_state 4420 inaccessible
	lab_wait 30 path_is 4420 inaccessible
	nvme list-subsys "$(cat "$LAB_STATE/dev")" | tee "$LAB_OUT/multipath.list-subsys.inaccessible.txt"
	grep -q "trsvcid=4420.* inaccessible" "$LAB_OUT/multipath.list-subsys.inaccessible.txt"
	fio_verify
	set_state 4420 optimized
	lab_wait 30 path_is 4420 optimized
	fio_verify
}

referral() {
	local out
	out=$(lab_discover)
	echo "$out"
	awk -v a="$REFERRAL_ADDR" -v p="$REFERRAL_PORT" '
		/^=+Discovery Log Entry/ { if (sub_ref && ad == a && po == p) f = 1; sub_ref = 0; ad = ""; po = "" }
		/^subtype:/ && /referral/ { sub_ref = 1 }
		/^traddr:/ { ad = $2 }
		/^trsvcid:/ { po = $2 }
		END { if (sub_ref && ad == a && po == p) f = 1; exit !f }' <<<"$out"
	lab_disc_has "$NQN" tcp 127.0.0.1 4420 <<<"$out"
	lab_disc_has "$NQN" tcp 127.0.0.1 4421 <<<"$out"
}

stop_target() {
	lab_disconnect "$NQN"
	tgt_stop
}

lab_must "native NVMe multipath in the guest kernel" native_multipath
lab_must "nvmf_tgt serves multipath.conf (two listeners, a referral)" start_target
lab_must "kernel host connects both paths" connect_both
lab_step "nvme list-subsys shows both paths with their ANA states" list_subsys
lab_step "fio verify through the optimized path" fio_verify
lab_step "fio verify while 4420 goes inaccessible and back" fio_across_changes
lab_step "fio verify on the non-optimized path alone, then back" fio_on_other_path
lab_step "nvme discover shows the referral and both listeners" referral
lab_step "host disconnects, target exits 0" stop_target
lab_finish
