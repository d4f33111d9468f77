#!/usr/bin/env bash
# The Discovery Log Page Change event with the Linux kernel host: the guest
# keeps a persistent discovery controller to our target (`nvme discover
# --persistent`, which connects with a keep-alive timeout) and watches the
# kernel's uevents (udevadm monitor --kernel). A listener added by RPC
# (nvmf_rpc) must reach it as NVME_AEN=0x70f002 (notice, Discovery Log Page
# Change, log page 70h); once the host has read the log through that
# controller, a subsystem added by RPC must raise the event again. The
# controller stays live through it all, keep-alives answered.
# Run: tools/vm/run.sh tests/interop/guest_driver.sh discovery_aen.sh
# (RPC-driven: our target only, not LAB_TARGET=nvmet.)
set -euo pipefail
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"

CONF=$LAB_REPO/tests/interop/conf/discovery_aen.conf
DISC_NQN=nqn.2014-08.org.nvmexpress.discovery
NQN=nqn.2016-06.io.nvmf-tgt:aen0
NQN2=nqn.2016-06.io.nvmf-tgt:aen1
HOST=nqn.2014-08.org.nvmexpress:uuid:d15c0000-0000-4000-8000-0000000000a1
RPC_SOCK=$LAB_STATE/rpc.sock
EVENTS=$LAB_OUT/discovery_aen.uevents
trap 'kill "$(cat "$LAB_STATE/monitor.pid" 2>/dev/null)" 2>/dev/null; lab_cleanup' EXIT

rpc() { timeout 30 "$LAB_BUILD/bin/nvmf_rpc" -s "$RPC_SOCK" "$@"; }

disc_dev() { lab_ctrl_dev "$DISC_NQN" "$HOST"; }

# The kernel's uevents, with their properties, into EVENTS.
monitor_start() {
	: >"$EVENTS"
	udevadm monitor --kernel --property --subsystem-match=nvme >>"$EVENTS" 2>&1 &
	echo $! >"$LAB_STATE/monitor.pid"
	sleep 2
	kill -0 "$(cat "$LAB_STATE/monitor.pid")"
}

persistent_discover() {
	local dev
	lab_discover --persistent --hostnqn "$HOST" --hostid "$(lab_hostid "$HOST")"
	dev=$(disc_dev)
	echo "persistent discovery controller: $dev"
	cat "/sys/class/nvme/${dev#/dev/}/state"
	grep -qx live "/sys/class/nvme/${dev#/dev/}/state"
}

aen_count() { grep -Eic '^NVME_AEN=0x0*70f002$' "$EVENTS" || true; }

# Wait until EVENTS holds N discovery-change events of the controller.
wait_aen() { # n
	if ! lab_wait 60 bash -c "[ \"\$(grep -Eic '^NVME_AEN=0x0*70f002\$' '$EVENTS')\" -ge $1 ]"; then
		echo "no NVME_AEN=0x70f002 number $1 within 60 s; uevents seen:"
		cat "$EVENTS"
		return 1
	fi
	grep -B12 -Ei '^NVME_AEN=' "$EVENTS"
}

add_listener() {
	[ "$(aen_count)" -eq 0 ]
	rpc listener add "$NQN" tcp 127.0.0.1:4421
	wait_aen 1
}

# The new entry, read through the persistent controller (this read, with
# Retain Asynchronous Event clear, re-arms the event) and through a new one.
log_has_listener() {
	local out dev
	dev=$(disc_dev)
	out=$(timeout 60 nvme discover --device="${dev#/dev/}")
	echo "$out"
	lab_disc_has "$NQN" tcp 127.0.0.1 4421 <<<"$out"
	out=$(lab_discover --hostnqn "$HOST" --hostid "$(lab_hostid "$HOST")")
	lab_disc_has "$NQN" tcp 127.0.0.1 4421 <<<"$out"
}

add_subsystem() {
	rpc bdev malloc Malloc1 8 512
	rpc subsystem add "$NQN2" --allow-any-host
	rpc ns add "$NQN2" Malloc1
	rpc listener add "$NQN2" tcp 127.0.0.1:4420
	wait_aen 2
}

# Past the KATO (nvme-cli's persistent default is 30 s) the controller is still live.
still_live() {
	local dev log
	dev=$(disc_dev)
	sleep 40
	grep -qx live "/sys/class/nvme/${dev#/dev/}/state"
	log=$(lab_tgt_log)
	if grep -E 'keep-alive timeout' "$log"; then
		return 1
	fi
	lab_disc_has "$NQN2" tcp 127.0.0.1 4420 < <(timeout 60 nvme discover --device="${dev#/dev/}")
}

disconnect_discovery() {
	local dev
	dev=$(disc_dev)
	timeout 60 nvme disconnect -d "${dev#/dev/}"
	if disc_dev; then
		echo "the discovery controller is still there"
		return 1
	fi
}

lab_must tgt-start tgt_start "$CONF" -r "$RPC_SOCK"
lab_must uevent-monitor monitor_start
lab_must discover-persistent persistent_discover
lab_step aen-listener-added add_listener
lab_step log-has-listener log_has_listener
lab_step aen-subsystem-added add_subsystem
lab_step discovery-still-live still_live
lab_step disconnect-discovery disconnect_discovery
lab_step tgt-stop tgt_stop
lab_finish
