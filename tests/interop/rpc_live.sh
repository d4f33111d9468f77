#!/usr/bin/env bash
# Run-time changes by JSON-RPC while the kernel host stays connected: our
# target serves a RAM namespace over NVMe/TCP; by RPC (nvmf_rpc) a RAM bdev
# is added as namespace 2, shows up on the host without a reconnect
# (nvme list-ns and its block device), takes verified I/O, then is removed
# (namespace and bdev) and disappears from the host. Then one of the lab's
# emulated NVMe controllers, taken from the kernel with tools/setup.sh, is
# attached by bdev_nvme_attach_controller, exported as namespace 3, takes
# verified I/O from the host, and is removed and detached again (detach is
# refused while its namespace is exported; attaching it again after the
# detach works once the poll groups let it go).
# Run: tools/vm/run.sh --nvme 2 tests/interop/guest_driver.sh rpc_live.sh
set -euo pipefail
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"

NQN=nqn.2016-06.io.nvmf-tgt:live0
HOST=nqn.2014-08.org.nvmexpress:uuid:aaaaaaaa-0000-4000-8000-0000000000f1
SETUP=$LAB_REPO/tools/setup.sh
CONF=$LAB_STATE/rpc_live.conf
SOCK=$LAB_STATE/rpc.sock

cleanup() {
	lab_cleanup
	"$SETUP" reset >/dev/null 2>&1 || true
}
trap cleanup EXIT

rpc() { timeout 120 "$LAB_BUILD/bin/nvmf_rpc" -s "$SOCK" "$@"; }

# Run CMD, which must fail; print what it said. ("! CMD" would not stop a step.)
must_fail() {
	local out
	if out=$("$@" 2>&1); then
		echo "unexpectedly succeeded: $*: $out"
		return 1
	fi
	echo "$out"
}

# The first emulated NVMe function, taken from the kernel (hugepages too).
bind_one() {
	local d
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/class")" = 0x010802 ] && basename "$d" && break
	done >"$LAB_STATE/pci"
	[ -s "$LAB_STATE/pci" ] || {
		echo "no emulated NVMe function (tools/vm/run.sh --nvme 2)"
		return 1
	}
	HUGEMEM=1024 "$SETUP" "$(cat "$LAB_STATE/pci")"
	"$SETUP" status
	[ "$(basename "$(readlink "/sys/bus/pci/devices/$(cat "$LAB_STATE/pci")/driver")")" = \
		uio_pci_generic ]
}

start_target() {
	cat >"$CONF" <<EOF
[Global]
  ReactorMask 0x3
  LogLevel info
  IdleSleep Yes

[Transport]
  Type TCP
  MaxQueueDepth 128
  InCapsuleDataSize 8192

[Ram]
  Name ram0
  Size 64M
  BlockSize 512

[Subsystem]
  NQN $NQN
  SN LIVE0001
  Listen TCP 127.0.0.1:4420
  AllowAnyHost Yes
  Namespace ram0 1
EOF
	tgt_start "$CONF" -r "$SOCK"
	rpc subsystem list
}

connect() {
	lab_connect "$NQN" "$HOST"
	lab_ns_dev "$NQN" 1
	lab_ctrl_dev "$NQN" >"$LAB_STATE/ctrl"
	nvme list-ns "$(cat "$LAB_STATE/ctrl")"
}

# Does the host's controller list NSID $1 (nvme list-ns: "[   0]:0x2")?
host_lists() {
	grep -qiE ":0x0*$(printf '%x' "$1")\$" <<<"$(nvme list-ns "$(cat "$LAB_STATE/ctrl")")"
}

# NSID $1 appears on the host without a reconnect: list-ns, then /dev.
ns_appears() {
	lab_wait 20 host_lists "$1"
	nvme list-ns "$(cat "$LAB_STATE/ctrl")"
	lab_ns_dev "$NQN" "$1"
}

host_unlists() { ! host_lists "$1"; }
no_block_dev() { ! lab_find_ns "$NQN" "$1" >/dev/null; }

# ... and disappears from both.
ns_disappears() {
	lab_wait 20 host_unlists "$1"
	lab_wait 20 no_block_dev "$1"
	nvme list-ns "$(cat "$LAB_STATE/ctrl")"
}

# 8 MiB of random data written with O_DIRECT at offset $2 MiB, read back and compared.
dd_verify() { # nsid offset-mb
	local dev
	dev=$(lab_ns_dev "$NQN" "$1")
	head -c 8M /dev/urandom >"$LAB_STATE/pat"
	dd if="$LAB_STATE/pat" of="$dev" bs=1M seek="$2" oflag=direct conv=fsync status=none
	echo 3 >/proc/sys/vm/drop_caches
	dd if="$dev" of="$LAB_STATE/back" bs=1M skip="$2" count=8 iflag=direct status=none
	cmp "$LAB_STATE/pat" "$LAB_STATE/back"
	echo "$dev: 8 MiB at ${2} MiB written, read back, equal"
}

ram_add() {
	rpc bdev malloc Live0 64 512
	rpc ns add "$NQN" Live0 --nsid 2
	grep -q '"claimed": true' <<<"$(rpc raw bdev_get_bdevs '{"name":"Live0"}')"
}

ram_remove() {
	rpc ns del "$NQN" 2
	# The bdev served reads in place: deleting it must work now.
	rpc raw bdev_malloc_delete '{"name":"Live0"}'
	must_fail rpc raw bdev_get_bdevs '{"name":"Live0"}'
}

nvme_attach() {
	local out
	out=$(rpc bdev nvme-attach Nvme0 "$(cat "$LAB_STATE/pci")")
	echo "$out"
	grep -q '"Nvme0n1"' <<<"$out"
	grep -q '"NVMe disk"' <<<"$(rpc raw bdev_get_bdevs '{"name":"Nvme0n1"}')"
	rpc save-config | tee "$LAB_STATE/saved.conf" | grep -A3 '^\[Nvme\]'
	grep -q "TrAddr $(cat "$LAB_STATE/pci")" "$LAB_STATE/saved.conf"
	rpc ns add "$NQN" Nvme0n1 --nsid 3
}

# Refused by name while exported; and a second attach of the same device.
nvme_refusals() {
	local err
	err=$(must_fail rpc bdev nvme-detach Nvme0)
	echo "$err"
	grep -q "remove the namespace first" <<<"$err"
	err=$(must_fail rpc bdev nvme-attach Nvme1 "$(cat "$LAB_STATE/pci")")
	echo "$err"
	grep -q "already attached" <<<"$err"
	err=$(must_fail rpc raw bdev_nvme_attach_controller \
		'{"name":"X","trtype":"TCP","traddr":"127.0.0.1"}')
	echo "$err"
	grep -q "trtype: 'TCP' not supported" <<<"$err"
}

nvme_fio() {
	lab_fio_verify "$(lab_ns_dev "$NQN" 3)" 64k 8 16M --offset=32M
}

nvme_detach() {
	rpc ns del "$NQN" 3
	rpc bdev nvme-detach Nvme0
	must_fail rpc raw bdev_get_bdevs '{"name":"Nvme0n1"}'
	# Once every poll group let go of it, the controller attaches again.
	lab_wait 30 rpc bdev nvme-attach Nvme0 "$(cat "$LAB_STATE/pci")"
	rpc bdev nvme-detach Nvme0
	grep "nvme backend Nvme0n1" "$(lab_tgt_log)"
}

stop_target() {
	lab_disconnect "$NQN"
	tgt_stop
}

lab_must "an emulated NVMe controller bound to uio_pci_generic" bind_one
lab_must "nvmf_tgt serves ram0 over TCP, RPC socket up" start_target
lab_must "kernel host connects" connect
lab_must "RPC: RAM bdev Live0 added as namespace 2" ram_add
lab_must "namespace 2 appears on the host without a reconnect" ns_appears 2
lab_step "dd write, read back, compare on namespace 2" dd_verify 2 16
lab_step "dd on namespace 1 still fine" dd_verify 1 0
lab_must "RPC: namespace 2 removed, bdev Live0 deleted" ram_remove
lab_step "namespace 2 disappears from list-ns and /dev" ns_disappears 2
lab_must "RPC: bdev_nvme_attach_controller Nvme0 (PCIe), namespace 3" nvme_attach
lab_must "namespace 3 (the emulated SSD) appears on the host" ns_appears 3
lab_step "detach refused while exported; attach checks" nvme_refusals
lab_step "fio verify on namespace 3" nvme_fio
lab_step "dd write, read back, compare on namespace 3" dd_verify 3 64
lab_step "RPC: namespace 3 removed, controller detached (and again)" nvme_detach
lab_step "namespace 3 disappears from the host" ns_disappears 3
lab_step "host disconnects, target exits 0" stop_target
lab_finish
