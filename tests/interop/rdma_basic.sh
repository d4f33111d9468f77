#!/usr/bin/env bash
# NVMe/RDMA against our target with the Linux kernel initiator over
# soft-RoCE (rxe0 on a veth pair, 192.0.2.1 / 192.0.2.2): discovery over
# RDMA, connect, fio crc32c verify at 4k / 128k / 1M with queue depth 32,
# disconnect and reconnect, a host whose queues are torn down mid-I/O
# (controller reset), a host that disconnects under I/O while a TCP host
# keeps working, and one subsystem reached over TCP and RDMA as two paths.
# Then our own host driver over NVMe/RDMA against the same target:
# nvme_identify (a subsystem, the discovery log) and nvmf_perf --verify at
# 4 KiB (in-capsule writes) and 128 KiB (keyed SGLs both ways). Last, the
# RDMA device is deleted under a connected host and added back.
# Run: tools/vm/run.sh tests/interop/rdma_basic.sh
set -euo pipefail
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"

CONF=$LAB_REPO/tests/interop/conf/rdma_basic.conf
NQN=nqn.2016-06.io.nvmf-tgt:rdma0
NQN2=nqn.2016-06.io.nvmf-tgt:rdma1
RDMA_ADDR=192.0.2.1
HOST_A=nqn.2014-08.org.nvmexpress:uuid:aaaaaaaa-0000-4000-8000-0000000000a1
HOST_B=nqn.2014-08.org.nvmexpress:uuid:bbbbbbbb-0000-4000-8000-0000000000b2
trap lab_cleanup EXIT

rdma_discover() { # hostnqn
	timeout 60 nvme discover -t rdma -a "$RDMA_ADDR" -s "$LAB_PORT" \
		--hostnqn "$1" --hostid "$(lab_hostid "$1")"
}

rdma_connect() { # hostnqn [nvme connect args]
	local host=$1
	shift
	timeout 90 nvme connect -t rdma -a "$RDMA_ADDR" -s "$LAB_PORT" -n "$NQN" \
		--hostnqn "$host" --hostid "$(lab_hostid "$host")" "$@"
}

# The controller of NQN for HOST over transport TR (rdma / tcp).
ctrl_by_transport() { # hostnqn tr
	local c
	for c in /sys/class/nvme/nvme*; do
		[ "$(cat "$c/subsysnqn" 2>/dev/null)" = "$NQN" ] || continue
		[ "$(cat "$c/hostnqn" 2>/dev/null)" = "$1" ] || continue
		[ "$(cat "$c/transport" 2>/dev/null)" = "$2" ] || continue
		echo "${c##*/}"
		return 0
	done
	return 1
}

discover() {
	local out
	out=$(rdma_discover "$HOST_A")
	echo "$out"
	lab_disc_has "$NQN" rdma "$RDMA_ADDR" 4420 <<<"$out"
	grep -Eq 'rdma_cms: +rdma-cm' <<<"$out"
}

connect_a() {
	rdma_connect "$HOST_A" --nr-io-queues 2 "$@"
	ctrl_by_transport "$HOST_A" rdma
	lab_ns_dev "$NQN"
}

id_ctrl() {
	local out
	out=$(nvme id-ctrl "/dev/$(ctrl_by_transport "$HOST_A" rdma)")
	echo "$out"
	grep -Eq "^sn +: NVMFTGT0101 *\$" <<<"$out"
	grep -Eq "^subnqn +: $NQN\$" <<<"$out"
}

fio_size() { # bs
	case "$1" in
	1M) echo 32M ;;
	128k) echo 16M ;;
	*) echo 8M ;;
	esac
}

fio_run() { # bs qd
	lab_fio_verify "$(lab_ns_dev "$NQN")" "$1" "$2" "$(fio_size "$1")"
}

fio_reverify() {
	timeout 300 fio --name=read-verify --filename="$(lab_ns_dev "$NQN")" \
		--rw=randwrite --bs=1M --iodepth=32 --ioengine=libaio --direct=1 \
		--size=32M --verify=crc32c --verify_fatal=1 --randrepeat=1 \
		--verify_only=1 --verify_state_save=0
}

disconnect_all() {
	timeout 60 nvme disconnect -n "$NQN"
	if lab_find_ns "$NQN"; then
		echo "namespace of $NQN still present"
		return 1
	fi
}

ctrl_live() { # ctrl
	grep -qx live "/sys/class/nvme/$1/state"
}

# The host tears its RDMA queues down (controller reset) while fio runs;
# the I/O is retried on the new queues and verifies.
reset_mid_io() {
	local ctrl fio_pid rc=0
	ctrl=$(ctrl_by_transport "$HOST_A" rdma)
	lab_fio_verify "$(lab_ns_dev "$NQN")" 4k 32 16M >"$LAB_OUT/rdma_reset_fio.log" 2>&1 &
	fio_pid=$!
	sleep 3
	echo 1 >"/sys/class/nvme/$ctrl/reset_controller"
	lab_wait 60 ctrl_live "$ctrl"
	wait "$fio_pid" || rc=$?
	cat "$LAB_OUT/rdma_reset_fio.log"
	[ "$rc" -eq 0 ]
}

# Host A (RDMA, rdma0) disconnects while its fio still has I/O queued;
# host B (TCP, rdma1) runs a verify job meanwhile and must finish clean.
drop_a_keep_b() {
	local fio_a fio_b rc=0 dev_a
	rdma_connect "$HOST_A" --nr-io-queues 2
	lab_connect "$NQN2" "$HOST_B" --nr-io-queues 2
	lab_fio_verify "$(lab_ns_dev "$NQN2")" 4k 16 16M >"$LAB_OUT/rdma_drop_fio_b.log" 2>&1 &
	fio_b=$!
	dev_a=$(lab_ns_dev "$NQN")
	# allow_file_create=0: once the device is gone fio must not leave a
	# regular file under its name in /dev.
	timeout 120 fio --name=a --filename="$dev_a" --allow_file_create=0 --rw=randwrite \
		--bs=128k --iodepth=32 --ioengine=libaio --direct=1 --size=64M --runtime=60 \
		--time_based >"$LAB_OUT/rdma_drop_fio_a.log" 2>&1 &
	fio_a=$!
	sleep 4
	timeout 60 nvme disconnect -n "$NQN"
	echo "host A disconnected under I/O"
	kill "$fio_a" 2>/dev/null || true
	wait "$fio_a" 2>/dev/null || true
	[ -b "$dev_a" ] || rm -f "$dev_a"
	wait "$fio_b" || rc=$?
	cat "$LAB_OUT/rdma_drop_fio_b.log"
	[ "$rc" -eq 0 ]
}

a_reconnects() {
	connect_a
	lab_fio_verify "$(lab_ns_dev "$NQN")" 4k 8 4M
}

# One host, two transports, one subsystem with two paths.
multipath() {
	local subsys n=0 c tr seen="" dev
	rdma_connect "$HOST_A" --nr-io-queues 2
	lab_connect "$NQN" "$HOST_A" --nr-io-queues 2
	nvme list-subsys
	for subsys in /sys/class/nvme-subsystem/*/; do
		[ "$(cat "$subsys/subsysnqn")" = "$NQN" ] || continue
		n=$((n + 1))
		for c in "$subsys"nvme[0-9]*; do
			[ -e "$c/transport" ] || continue
			tr=$(cat "$c/transport")
			echo "path ${c##*/}: $tr $(cat "$c/address")"
			seen="$seen $tr"
		done
	done
	[ "$n" -eq 1 ]
	grep -qw rdma <<<"$seen"
	grep -qw tcp <<<"$seen"
	ls /sys/class/nvme-subsystem/*/
	dev=$(lab_ns_dev "$NQN")
	echo "namespace: $dev"
	lab_fio_verify "$dev" 128k 32 16M
}

# Our own host driver over RDMA: the transport ID of NQN (default rdma0).
own_trid() { # [nqn]
	echo "trtype:RDMA adrfam:IPv4 traddr:$RDMA_ADDR trsvcid:$LAB_PORT subnqn:${1:-$NQN}"
}

own_identify() {
	local out rc=0
	out=$(timeout 120 "$LAB_BUILD/bin/nvme_identify" -r "$(own_trid)") || rc=$?
	echo "$out"
	[ "$rc" -eq 0 ]
	grep -Eq '^ *Serial Number \(SN\): +NVMFTGT0101 *$' <<<"$out"
	grep -Eq '^ *Model Number \(MN\): +nvmf-tgt RDMA *$' <<<"$out"
	grep -Eq "^ *Subsystem NQN \(SUBNQN\): +$NQN *\$" <<<"$out"
}

own_discovery() {
	local out rc=0
	out=$(timeout 120 "$LAB_BUILD/bin/nvme_identify" \
		-r "$(own_trid nqn.2014-08.org.nvmexpress.discovery)") || rc=$?
	echo "$out"
	[ "$rc" -eq 0 ]
	# An rdma entry for each subsystem, at the RDMA listener.
	awk -v addr="$RDMA_ADDR" -v n1="$NQN" -v n2="$NQN2" '
		function check() {
			if (e["trtype"] == "rdma" && e["traddr"] == addr && e["trsvcid"] == "4420") {
				if (e["subnqn"] == n1) f1 = 1
				if (e["subnqn"] == n2) f2 = 1
			}
			delete e
		}
		/^ *Entry [0-9]+/ { check(); next }
		/^ *[a-z]+: / { k = $1; sub(":", "", k); e[k] = $2 }
		END { check(); exit !(f1 && f2) }' <<<"$out"
}

# nvmf_perf --verify over RDMA; exit 0, no errors, IOPS > 0 in the JSON.
own_perf() { # io-size
	local out total rc=0
	out=$(timeout 180 "$LAB_BUILD/bin/nvmf_perf" --verify --json -r "$(own_trid)" \
		-q 16 -o "$1" -w randrw -M 50 -t 5) || rc=$?
	echo "$out"
	echo "nvmf_perf exit status $rc"
	[ "$rc" -eq 0 ]
	total=$(sed -n '/"total"/,$p' <<<"$out")
	grep -Eq '"status": *"ok"' <<<"$out"
	grep -Eq '"io_errors": *0[,}]?$' <<<"$total"
	grep -Eq '"verify_errors": *0[,}]?$' <<<"$total"
	grep -Eq '"verified": *[1-9][0-9]*' <<<"$total"
	grep -Eq '"iops": *[0-9]*[1-9][0-9]*(\.[0-9]*)?' <<<"$total"
}

# Our own host vanishes mid-I/O (kill -9: no Disconnect, its QPs torn down by
# the kernel) while a kernel host verifies over TCP; the target keeps serving
# both that host and a new connection from ours.
own_host_killed() {
	local perf fio_b rc=0
	lab_connect "$NQN2" "$HOST_B" --nr-io-queues 2
	lab_fio_verify "$(lab_ns_dev "$NQN2")" 4k 16 8M >"$LAB_OUT/rdma_kill_fio_b.log" 2>&1 &
	fio_b=$!
	"$LAB_BUILD/bin/nvmf_perf" -r "$(own_trid)" -q 32 -o 4096 -w randrw -M 50 -t 60 \
		>"$LAB_OUT/rdma_kill_perf.log" 2>&1 &
	perf=$!
	sleep 5
	kill -0 "$perf" # still running, mid-I/O
	kill -9 "$perf"
	wait "$perf" 2>/dev/null || true
	echo "nvmf_perf killed mid-I/O"
	wait "$fio_b" || rc=$?
	cat "$LAB_OUT/rdma_kill_fio_b.log"
	timeout 60 nvme disconnect -n "$NQN2" || true
	[ "$rc" -eq 0 ]
	own_perf 4096
}

log_has() { # file text
	grep -qF -- "$2" "$1"
}

# rdma link delete DEV, given SEC seconds: it blocks in the kernel for as
# long as a process keeps anything of the device open.
rdma_delete_within() { # dev sec
	local pid i
	rdma link delete "$1" &
	pid=$!
	for ((i = 0; i < $2 * 5; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "rdma link delete $1 still blocked after $2 s"
		return 1
	fi
	wait "$pid"
}

# The RDMA device goes away under a connected host, then comes back. The
# target closes the connections on it and frees all it held there: CQ,
# SRQ, registered buffers, PD, CM ids; else the kernel cannot finish the
# removal. It serves TCP meanwhile, and listens on the address again once
# a device owns it. Then the device goes once more, with no host on it. (A second device stays: librdmacm lets go of a removed
# device only while the system still has another one.)
device_removal() {
	local log
	log=$(lab_tgt_log)
	connect_a
	lab_fio_verify "$(lab_ns_dev "$NQN")" 4k 8 4M
	rdma link add rxe1 type rxe netdev veth1
	rdma_delete_within rxe0 60
	echo "rxe0 deleted"
	lab_wait 30 log_has "$log" "device rxe0: removed, and all it held is released"
	grep -E 'rdma: .*(removed|listener|released|no longer)' "$log" | tail -n 10
	# The kernel host keeps trying to reconnect its controller: drop it.
	timeout 60 nvme disconnect -n "$NQN" || true
	lab_connect "$NQN2" "$HOST_B" --nr-io-queues 2
	lab_fio_verify "$(lab_ns_dev "$NQN2")" 4k 8 4M
	timeout 60 nvme disconnect -n "$NQN2"
	rdma link add rxe0 type rxe netdev veth0
	lab_wait 30 log_has "$log" "listening on rdma $RDMA_ADDR:$LAB_PORT again"
	discover
	connect_a
	lab_fio_verify "$(lab_ns_dev "$NQN")" 4k 8 4M
	timeout 60 nvme disconnect -n "$NQN"
	# Again with no host connected: the poll groups still hold a CQ, SRQ
	# and buffers on the device, and those must go too.
	rdma_delete_within rxe0 60
	lab_wait 30 bash -c "[ \$(grep -cF 'device rxe0: removed, and all it held is released' '$log') -eq 2 ]"
	rdma link add rxe0 type rxe netdev veth0
}

target_alive() {
	local pid log
	pid=$(cat "$LAB_STATE/tgt.pid")
	kill -0 "$pid"
	log=$(lab_tgt_log)
	if grep -Ei 'illegal state|still with the core|never flushed' "$log"; then
		return 1
	fi
}

lab_must rxe-setup lab_rxe_setup
lab_must tgt-start tgt_start "$CONF"
lab_step discover-rdma discover
lab_must connect-rdma connect_a
lab_step id-ctrl-rdma id_ctrl
for bs in 4k 128k 1M; do
	lab_step "fio-rdma-$bs-qd32" fio_run "$bs" 32
done
lab_step disconnect-rdma disconnect_all
lab_step reconnect-rdma connect_a
lab_step reverify-rdma fio_reverify
lab_step reset-mid-io reset_mid_io
lab_step disconnect-rdma-2 disconnect_all
lab_step drop-rdma-host-keep-tcp-host drop_a_keep_b
lab_step rdma-host-reconnects a_reconnects
lab_step disconnect-3 bash -c "nvme disconnect -n $NQN; nvme disconnect -n $NQN2"
lab_step multipath-tcp-rdma multipath
lab_step disconnect-multipath bash -c "nvme disconnect -n $NQN"
lab_step own-host-identify-rdma own_identify
lab_step own-host-discovery-rdma own_discovery
lab_step own-host-perf-rdma-4k own_perf 4096
lab_step own-host-perf-rdma-128k own_perf 131072
lab_step own-host-killed-mid-io own_host_killed
lab_step device-removed-and-back device_removal
lab_step target-alive target_alive
lab_step tgt-stop tgt_stop
lab_finish
