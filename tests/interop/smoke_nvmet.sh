#!/usr/bin/env bash
# Proves the lab works: the Linux kernel target (nvmet-tcp) serves a 64 MiB
# RAM-backed namespace on 127.0.0.1:4420 and the kernel initiator discovers,
# connects, writes and verifies data with fio, and disconnects.
# Run: tools/vm/run.sh tests/interop/smoke_nvmet.sh
set -euo pipefail
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"

NQN=nqn.2016-06.io.nvmf-tgt:smoke
HOST=nqn.2014-08.org.nvmexpress:uuid:0c0c0c0c-1111-2222-3333-444444444444
trap lab_cleanup EXIT

setup() {
	local dev
	nvmet_load
	echo "$NQN" >"$LAB_STATE/nvmet.conf"
	dev=$(nvmet_backing /dev/shm/smoke.img 64M 512)
	nvmet_subsys "$NQN" SMOKE0001 "lab smoke" 1
	nvmet_ns "$NQN" 1 "$dev"
	nvmet_listen "$NQN" 127.0.0.1 4420
}

discover() {
	local out
	out=$(lab_discover --hostnqn "$HOST")
	echo "$out"
	grep -Eq 'trtype: +tcp' <<<"$out"
	grep -Eq "subnqn: +$NQN\$" <<<"$out"
}

connect() {
	lab_connect "$NQN" "$HOST" --nr-io-queues 2
	lab_ns_dev "$NQN"
}

fio_verify() {
	lab_fio_verify "$(lab_ns_dev "$NQN")" 4k 16 8M
}

size() {
	[ "$(blockdev --getsize64 "$(lab_ns_dev "$NQN")")" -eq $((64 << 20)) ]
}

disconnect() {
	lab_disconnect "$NQN"
	if lab_find_ns "$NQN"; then
		echo "namespace still present after disconnect"
		return 1
	fi
}

lab_step setup setup
lab_step discover discover
lab_step connect connect
lab_step size size
lab_step fio-verify-4k-qd16 fio_verify
lab_step disconnect disconnect
lab_step teardown nvmet_teardown
lab_finish
