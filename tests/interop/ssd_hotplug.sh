#!/usr/bin/env bash
# Local SSD surprise removal and hot-add under a connected kernel host.
# The target serves the lab's two emulated controllers (A = QEMU nvme0, one
# namespace, NSID 1; B = nvme1, NSIDs 2 and 3) in one subsystem over TCP
# (conf/pcie_basic.conf). With fio writing and verifying on A and on B,
# the host's QEMU monitor deletes A (lab_qmp del nvme0): the guest ejects
# it, the target sees it gone and removes NSID 1 (Namespace Attribute
# Changed: the host drops it), fio on A ends with errors, fio on B goes on
# with none. Then A is added again (same slot, same disk), bound to
# the same driver as at start (tools/setup.sh ADDR); the target attaches it
# again and NSID 1 returns to the same host controller (no reconnect),
# where a fio verify passes.
# The drives go to uio_pci_generic; in a guest with an IOMMU
# (tools/vm/run.sh --iommu) to vfio-pci, where the kernel's removal of A
# asks the target for the device (the VFIO request notifier) and waits
# until the target lets it go: the device_del completes only then.
# Run: tools/vm/run.sh --nvme 2 [--iommu] tests/interop/ssd_hotplug.sh
set -euo pipefail
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/interop/pcie_lib.sh
. "$(dirname "$0")/pcie_lib.sh"

NQN=nqn.2016-06.io.nvmf-tgt:pcie0
HOST=nqn.2014-08.org.nvmexpress:uuid:aaaaaaaa-0000-4000-8000-0000000000e7
CONF=$LAB_STATE/ssd_hotplug.conf
STOP_B=$LAB_STATE/stop-b
DRV=$(pci_want_driver)

cleanup() {
	local f
	touch "$STOP_B"
	for f in "$LAB_STATE/fio-a.pid" "$LAB_STATE/fio-b.pid"; do
		if [ -s "$f" ]; then
			kill "$(cat "$f")" 2>/dev/null || true
		fi
	done
	lab_cleanup
	"$PCI_SETUP" reset >/dev/null 2>&1 || true
}
trap cleanup EXIT

make_conf() {
	sed -e "s/@PCI0@/$(pci 0)/" -e "s/@PCI1@/$(pci 1)/" \
		"$LAB_REPO/tests/interop/conf/pcie_basic.conf" >"$CONF"
}

connect() {
	tgt_start "$CONF"
	lab_connect "$NQN" "$HOST" --nr-io-queues 2
	lab_wait 30 lab_ns_dev "$NQN" 1
	lab_wait 30 lab_ns_dev "$NQN" 2
	lab_ctrl_dev "$NQN" >"$LAB_STATE/ctrl"
	cat "/sys/class/nvme/$(basename "$(cat "$LAB_STATE/ctrl")")/cntlid" >"$LAB_STATE/cntlid"
	nvme list-ns "$(cat "$LAB_STATE/ctrl")"
}

# A: one long fio writing with verify until its device fails it.
fio_a_start() {
	local dev
	dev=$(lab_ns_dev "$NQN" 1)
	rm -f "$LAB_STATE/fio-a.rc"
	(
		rc=0
		timeout 900 fio --name=a --filename="$dev" --rw=randwrite --bs=4k --iodepth=8 \
			--ioengine=libaio --direct=1 --size=64M --time_based --runtime=600 \
			--verify=crc32c --verify_backlog=64 --verify_fatal=1 \
			>"$LAB_STATE/fio-a.log" 2>&1 || rc=$?
		echo "$rc" >"$LAB_STATE/fio-a.rc"
	) &
	echo $! >"$LAB_STATE/fio-a.pid"
}

# B: write-and-verify passes, one after the other, until told to stop.
fio_b_loop() {
	local dev n=0 bad=0
	dev=$(lab_ns_dev "$NQN" 2)
	while [ ! -e "$STOP_B" ]; do
		n=$((n + 1))
		lab_fio_verify "$dev" 64k 8 16M --offset=$(((n % 8) * 16))M >>"$LAB_STATE/fio-b.log" 2>&1 ||
			bad=$((bad + 1))
		echo "$n $bad" >"$LAB_STATE/fio-b.count"
	done
	touch "$LAB_STATE/fio-b.done"
}

fio_b_start() {
	rm -f "$STOP_B" "$LAB_STATE/fio-b.count" "$LAB_STATE/fio-b.done"
	fio_b_loop &
	echo $! >"$LAB_STATE/fio-b.pid"
}

both_running() {
	sleep 5
	kill -0 "$(cat "$LAB_STATE/fio-a.pid")"
	kill -0 "$(cat "$LAB_STATE/fio-b.pid")"
}

# The target holds each drive through $DRV: its VFIO group node, or its
# config file in sysfs (uio, with IOVA as PA).
drivers_in_use() {
	local pid a f
	pid=$(cat "$LAB_STATE/tgt.pid")
	grep "IOVA as" "$(lab_tgt_log)"
	while read -r a; do
		echo "$a: $(pci_driver "$a")"
		[ "$(pci_driver "$a")" = "$DRV" ]
		if [ "$DRV" = vfio-pci ]; then
			f=$(pci_vfio_node "$a")
		else
			f=$(realpath "/sys/bus/pci/devices/$a/config")
		fi
		echo "target holds $f"
		pci_fd_open "$pid" "$f"
	done <"$LAB_STATE/pci"
	pci_vfio_node "$(pci 0)" >"$LAB_STATE/a-node" || true
	if [ "$DRV" = vfio-pci ]; then
		if grep "no VFIO device request notifier" "$(lab_tgt_log)"; then
			return 1
		fi
	else
		grep -q "IOVA as PA" "$(lab_tgt_log)"
	fi
}

pci_gone() { [ ! -e "/sys/bus/pci/devices/$(pci 0)" ]; }
pci_back() { [ -e "/sys/bus/pci/devices/$(pci 0)/class" ]; }

ns1_listed() {
	nvme list-ns "$(cat "$LAB_STATE/ctrl")" | grep -qE '^\[ *[0-9]+\]:0x1$'
}

ns1_gone_from_host() {
	! ns1_listed && ! lab_ns_dev "$NQN" 1 >/dev/null 2>&1
}

device_del_a() {
	b_count >"$LAB_STATE/b-at-del"
	lab_qmp del nvme0
	lab_wait 120 pci_gone
	echo "PCI $(pci 0) left the guest"
}

# vfio-pci: the kernel relayed its request for A to the target, which
# marked A removed and closed A's group (what let the device_del complete).
vfio_released() {
	local node pid k
	node=$(cat "$LAB_STATE/a-node")
	pid=$(cat "$LAB_STATE/tgt.pid")
	dmesg >"$LAB_STATE/dmesg"
	k=$(grep -F "$(pci 0)" "$LAB_STATE/dmesg" | tail -n 8 || true)
	echo "$k"
	grep -q "vfio-pci $(pci 0): Relaying device request to user" <<<"$k"
	if grep -q "No device request channel registered" <<<"$k"; then
		return 1
	fi
	grep -E "$(pci 0): controller was removed by the kernel" "$(lab_tgt_log)"
	kill -0 "$pid"
	if pci_fd_open "$pid" "$node"; then
		echo "the target still holds $node"
		return 1
	fi
}

ns1_removed() {
	lab_wait 240 ns1_gone_from_host
	nvme list-ns "$(cat "$LAB_STATE/ctrl")"
	grep -E "namespace 1 \(nvme0n1\) removed|controller.*$(pci 0)" "$(lab_tgt_log)"
}

fio_a_failed() {
	local rc
	lab_wait 240 test -s "$LAB_STATE/fio-a.rc"
	rc=$(cat "$LAB_STATE/fio-a.rc")
	grep -E "err=|error" "$LAB_STATE/fio-a.log" | head -5
	echo "fio on A exited $rc"
	[ "$rc" -ne 0 ]
}

# B's passes so far: "passes failed".
b_count() { cat "$LAB_STATE/fio-b.count" 2>/dev/null || echo "0 0"; }

b_still_going() {
	local n bad n0
	read -r n bad <<<"$(b_count)"
	read -r n0 _ <"$LAB_STATE/b-at-del"
	echo "fio on B: $n passes ($n0 when A was deleted), $bad failed"
	[ ! -e "$LAB_STATE/fio-b.done" ] && [ "$bad" -eq 0 ]
}

device_add_a() {
	lab_qmp add nvme0
	lab_wait 60 pci_back
	lab_wait 30 test -e "/sys/bus/pci/devices/$(pci 0)/driver"
	HUGEMEM=1024 "$PCI_SETUP" "$(pci 0)"
	[ "$(pci_driver "$(pci 0)")" = "$DRV" ]
}

ns1_back() {
	lab_wait 120 ns1_listed
	lab_wait 60 lab_ns_dev "$NQN" 1
	nvme list-ns "$(cat "$LAB_STATE/ctrl")"
	grep -E "is back|controller $(pci 0) is back" "$(lab_tgt_log)"
	# The same host controller: not a reconnect.
	lab_ctrl_dev "$NQN"
	[ "$(lab_ctrl_dev "$NQN")" = "$(cat "$LAB_STATE/ctrl")" ]
	[ "$(cat "/sys/class/nvme/$(basename "$(cat "$LAB_STATE/ctrl")")/cntlid")" = "$(cat "$LAB_STATE/cntlid")" ]
	if [ "$DRV" = vfio-pci ]; then
		pci_fd_open "$(cat "$LAB_STATE/tgt.pid")" "$(pci_vfio_node "$(pci 0)")"
	fi
}

fio_a_again() {
	lab_fio_verify "$(lab_ns_dev "$NQN" 1)" 4k 8 16M
}

# At least one whole pass of B after A was deleted, none failed.
b_stop() {
	local n bad n0
	touch "$STOP_B"
	lab_wait 300 test -e "$LAB_STATE/fio-b.done"
	read -r n bad <<<"$(b_count)"
	read -r n0 _ <"$LAB_STATE/b-at-del"
	echo "fio on B: $n passes in all ($n0 when A was deleted), $bad failed"
	[ "$bad" -eq 0 ] && [ "$n" -gt "$((n0 + 1))" ]
}

# uio: A's registers show the shutdown. vfio-pci resets the function when
# the target closes it (and when nvme_pcie_regs opens it): there the
# target's own log line for A after its return tells.
stop_target() {
	local log
	lab_disconnect "$NQN"
	tgt_stop
	log=$(lab_tgt_log)
	if [ "$DRV" = vfio-pci ]; then
		sed -n '/namespace 1 (nvme0n1) is back/,$p' "$log" |
			grep "$(pci 0): controller shut down (CSTS.SHST complete"
		"$LAB_BUILD/bin/nvme_pcie_regs" "$(pci 0)"
	else
		"$LAB_BUILD/bin/nvme_pcie_regs" "$(pci 0)" | tee /dev/stderr | grep -q "SHST=2"
	fi
}

lab_must "two emulated NVMe controllers" pci_find_devices
lab_must "setup.sh binds them to $DRV" pci_setup_bind "$DRV"
lab_must "conf with [Nvme] sections" make_conf
lab_must "target serves A (NSID 1) and B (NSIDs 2, 3); host connected" connect
lab_step "the target holds both through $DRV" drivers_in_use
fio_a_start
fio_b_start
lab_must "fio with verify runs on A and on B" both_running
lab_must "QMP device_del of A: the guest ejects it" device_del_a
if [ "$DRV" = vfio-pci ]; then
	lab_step "the kernel's VFIO request reached the target; it let A go" vfio_released
fi
lab_step "A's namespace leaves the host (Namespace Attribute Changed)" ns1_removed
lab_step "fio on A ends with errors" fio_a_failed
lab_step "fio on B goes on with 0 errors" b_still_going
lab_must "QMP device_add of A, bound to $DRV again" device_add_a
lab_step "A's namespace comes back to the same host controller" ns1_back
lab_step "fio verify on A's namespace passes" fio_a_again
lab_step "fio on B ran through it all with 0 errors" b_stop
lab_step "target stops cleanly, the re-attached controller shut down" stop_target
lab_finish
