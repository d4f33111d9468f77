#!/usr/bin/env bash
# Managing the local NVMe SSDs (QEMU's emulated controllers) with
# tools/nvme_ssd and the target's ownership and health reporting:
#   - nvme_ssd list / list --json show both drives with their health;
#   - a pattern written by the kernel nvme driver is gone after
#     nvme_ssd format --yes-wipe (read back as zeroes through nvmf_tgt);
#   - fw-download / fw-commit get either success or the status QEMU answers
#     (its controller has no firmware commands: Invalid Command Opcode);
#   - a drive nvmf_tgt holds is refused to a second nvmf_tgt, to
#     nvme_identify and to nvme_ssd, each naming the holder's PID;
#   - the fabric host's smart-log of an exported namespace carries the
#     drive's own temperature and spare values, as nvme_ssd log ADDR 2 read
#     them before the target started;
#   - with [Subsystem] AdminPassthru Yes on a subsystem of drive 0 alone,
#     the host's nvme format reaches the drive (its data reads back zeroes).
# Run: tools/vm/run.sh --nvme 2 tests/interop/guest_driver.sh ssd_ops.sh
set -euo pipefail
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/interop/pcie_lib.sh
. "$(dirname "$0")/pcie_lib.sh"

NQN=nqn.2016-06.io.nvmf-tgt:pcie0
HOST=nqn.2014-08.org.nvmexpress:uuid:aaaaaaaa-0000-4000-8000-0000000000e2
SSD=$LAB_BUILD/bin/nvme_ssd
CONF=$LAB_STATE/ssd_ops.conf
MIB=1048576
# The pattern's offsets on drive 0's namespace, in MiB.
OFFSETS="0 511 1023"

cleanup() {
	lab_cleanup
	"$PCI_SETUP" reset >/dev/null 2>&1 || true
}
trap cleanup EXIT

write_pattern() {
	local dev off
	dev=$(pci_kernel_ns "$(pci 0)" 1)
	echo "drive 0 namespace 1 is $dev (kernel nvme driver)"
	head -c "$MIB" /dev/urandom >"$LAB_STATE/pattern"
	for off in $OFFSETS; do
		dd if="$LAB_STATE/pattern" of="$dev" bs="$MIB" seek="$off" count=1 oflag=direct status=none
	done
	for off in $OFFSETS; do
		dd if="$dev" bs="$MIB" skip="$off" count=1 iflag=direct status=none | cmp - "$LAB_STATE/pattern"
	done
	echo "pattern written and read back at MiB $OFFSETS"
}

list_text() {
	local out
	out=$("$SSD" list)
	echo "$out"
	echo "$out" >"$LAB_OUT/nvme_ssd_list.txt"
	for a in $(cat "$LAB_STATE/pci"); do
		grep -q "^$a  driver uio_pci_generic" <<<"$out"
	done
	[ "$(grep -c "model QEMU NVMe Ctrl" <<<"$out")" -eq 2 ]
	grep -q "serial LABSN0000" <<<"$out"
	grep -q "serial LABSN0001" <<<"$out"
	grep -q "2 namespaces, $((2 << 30)) bytes" <<<"$out"
	[ "$(grep -c "health: [1-9][0-9]* K" <<<"$out")" -eq 2 ]
}

list_json() {
	local out k
	out=$("$SSD" list --json)
	echo "$out"
	echo "$out" >"$LAB_OUT/nvme_ssd_list.json"
	for k in 0 1; do
		jq -e --arg a "$(pci "$k")" --arg sn "$(printf 'LABSN%04d' "$k")" \
			'.[] | select(.address == $a) | select(.serial == $sn and
			.model == "QEMU NVMe Ctrl" and .health.temperature_k > 0 and
			.capacity_bytes > 0)' <<<"$out"
	done
	[ "$(jq -r '.[] | select(.address == "'"$(pci 1)"'") | .namespaces' <<<"$out")" -eq 2 ]
}

# The drive's health log (02h) as nvme_ssd reads it, fields kept for later.
drive_health() {
	local out d
	out=$("$SSD" log "$(pci 0)" 2 --json)
	echo "$out"
	d=$(jq -r .data <<<"$out")
	[ "${#d}" -eq 1024 ]
	# Byte 0 critical warning, 1-2 composite temperature (K), 3 available
	# spare, 4 its threshold, 5 percentage used.
	printf '%d %d %d %d %d\n' "0x${d:0:2}" "0x${d:4:2}${d:2:2}" "0x${d:6:2}" \
		"0x${d:8:2}" "0x${d:10:2}" | tee "$LAB_STATE/health0"
	read -r _ t _ <"$LAB_STATE/health0"
	echo "drive 0 composite temperature: $t K"
	[ "$t" -gt 0 ] && [ "$t" -ne 293 ]
}

format_wipe() {
	local out
	# Refused without --yes-wipe.
	if "$SSD" format "$(pci 0)"; then
		echo "format ran without --yes-wipe"
		return 1
	fi
	out=$(timeout 600 "$SSD" format "$(pci 0)" --yes-wipe)
	echo "$out"
	grep -q ": ok$" <<<"$out"
}

# A firmware command: done, or QEMU's answer (it implements no firmware
# commands: Invalid Command Opcode), shown as such.
fw_expect() { # what cmd...
	local out rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	echo "$out (exit $rc)"
	if [ "$rc" -eq 0 ]; then
		grep -q ": ok$" <<<"$out"
		return
	fi
	grep -q "the drive answered status 0x001 (SCT 0, SC 0x01: Invalid Command Opcode)" <<<"$out"
}

fw_download() {
	head -c 8190 /dev/urandom >"$LAB_STATE/fw.bin"
	fw_expect download "$SSD" fw-download "$(pci 0)" "$LAB_STATE/fw.bin"
}

fw_commit() {
	fw_expect commit "$SSD" fw-commit "$(pci 0)" --slot 1 --action 1
}

make_conf() {
	sed -e "s/@PCI0@/$(pci 0)/" -e "s/@PCI1@/$(pci 1)/" \
		"$LAB_REPO/tests/interop/conf/pcie_basic.conf" >"$CONF"
}

start_target() {
	tgt_start "$CONF"
	lab_connect "$NQN" "$HOST" --nr-io-queues 2
	lab_ns_dev "$NQN" 1
}

read_zeroes() {
	local dev off
	dev=$(lab_ns_dev "$NQN" 1)
	head -c "$MIB" /dev/zero >"$LAB_STATE/zero"
	for off in $OFFSETS; do
		dd if="$dev" bs="$MIB" skip="$off" count=1 iflag=direct status=none | cmp - "$LAB_STATE/zero"
	done
	echo "MiB $OFFSETS of $dev read back as zeroes"
}

tgt_pid() { cat "$LAB_STATE/tgt.pid"; }

second_target() {
	local pid rc=0 log=$LAB_OUT/ssd_ops_second.log
	pid=$(tgt_pid)
	sed -e '/^\[Nvme\]/,$d' "$CONF" >"$LAB_STATE/second.conf"
	cat >>"$LAB_STATE/second.conf" <<-CONF
		[Nvme]
		  Name nvme0
		  TrAddr $(pci 0)

		[Subsystem]
		  NQN nqn.2016-06.io.nvmf-tgt:second
		  Listen TCP 127.0.0.1:4425
		  AllowAnyHost Yes
		  Namespace nvme0n1 1
	CONF
	timeout 120 "$LAB_BUILD/bin/nvmf_tgt" -c "$LAB_STATE/second.conf" -m 0x1 -L info \
		>"$log" 2>&1 </dev/null || rc=$?
	cat "$log"
	echo "second nvmf_tgt exit $rc; the first is pid $pid"
	[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ]
	grep -q "in use by process $pid" "$log"
}

identify_refused() {
	local out rc=0 pid
	pid=$(tgt_pid)
	out=$(timeout 120 "$LAB_BUILD/bin/nvme_identify" -r "trtype:PCIe traddr:$(pci 0)" 2>&1) || rc=$?
	echo "$out"
	echo "nvme_identify exit $rc; the target is pid $pid"
	[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ]
	grep -q "in use by process $pid" <<<"$out"
}

ssd_refused() {
	local out rc=0 pid
	pid=$(tgt_pid)
	out=$("$SSD" list)
	echo "$out"
	grep -q "^$(pci 0)  driver uio_pci_generic  in use by process $pid" <<<"$out"
	out=$("$SSD" log "$(pci 0)" 2 2>&1) || rc=$?
	echo "$out (exit $rc)"
	[ "$rc" -eq 1 ]
	grep -q "in use by process $pid" <<<"$out"
}

# The fabric host's smart-log of namespace 1 (drive 0) against the drive's.
smart_log() {
	local ctrl out js cw t sp th used
	ctrl=$(lab_ctrl_dev "$NQN" "$HOST")
	out=$(nvme smart-log "$ctrl" --namespace-id=1)
	echo "$out"
	js=$(nvme smart-log "$ctrl" --namespace-id=1 --output-format=json)
	echo "$js"
	read -r cw t sp th used <"$LAB_STATE/health0"
	echo "drive: critical warning $cw, $t K, spare $sp% (threshold $th%), $used% used"
	grep -Eq "^temperature[[:space:]]*: .*\($t K" <<<"$out"
	[ "$(jq -r .critical_warning <<<"$js")" -eq "$cw" ]
	[ "$(jq -r .avail_spare <<<"$js")" -eq "$sp" ]
	[ "$(jq -r .spare_thresh <<<"$js")" -eq "$th" ]
	[ "$(jq -r .percent_used <<<"$js")" -eq "$used" ]
}

stop_target() {
	lab_disconnect "$NQN"
	tgt_stop
}

# A subsystem of drive 0 alone that passes Format NVM to the drive.
passthru_format() {
	local conf=$LAB_STATE/ssd_passthru.conf nqn=nqn.2016-06.io.nvmf-tgt:passthru dev off
	sed -e '/^\[Nvme\]/,$d' "$CONF" >"$conf"
	cat >>"$conf" <<-CONF
		[Nvme]
		  Name nvme0
		  TrAddr $(pci 0)

		[Subsystem]
		  NQN $nqn
		  Listen TCP 127.0.0.1:4420
		  AllowAnyHost Yes
		  AdminPassthru Yes
		  Namespace nvme0n1 1
	CONF
	tgt_start "$conf"
	lab_connect "$nqn" "$HOST"
	dev=$(lab_ns_dev "$nqn" 1)
	for off in $OFFSETS; do
		dd if="$LAB_STATE/pattern" of="$dev" bs="$MIB" seek="$off" count=1 oflag=direct status=none
	done
	dd if="$dev" bs="$MIB" skip=0 count=1 iflag=direct status=none | cmp - "$LAB_STATE/pattern"
	# NSID 1 of the subsystem: the drive's namespace 1. On a refusal the
	# host's error log shows the drive's answer.
	if ! timeout 300 nvme format "$dev" --force; then
		nvme error-log "$(lab_ctrl_dev "$nqn" "$HOST")" --log-entries=2 || true
		return 1
	fi
	dev=$(lab_ns_dev "$nqn" 1)
	for off in $OFFSETS; do
		dd if="$dev" bs="$MIB" skip="$off" count=1 iflag=direct status=none | cmp - "$LAB_STATE/zero"
	done
	echo "nvme format through the fabric wiped MiB $OFFSETS of drive 0"
	lab_disconnect "$nqn"
	tgt_stop
}

lab_must "two emulated NVMe controllers" pci_find_devices
lab_must "kernel writes a pattern on drive 0" write_pattern
lab_must "setup.sh binds them to uio_pci_generic" pci_setup_bind
lab_step "nvme_ssd list: both drives with health" list_text
lab_step "nvme_ssd list --json: both drives with health" list_json
lab_step "nvme_ssd log ADDR 2: the drive's own temperature" drive_health
lab_step "nvme_ssd fw-download: done or QEMU's status" fw_download
lab_step "nvme_ssd fw-commit: done or QEMU's status" fw_commit
lab_must "nvme_ssd format --yes-wipe" format_wipe
make_conf
lab_must "nvmf_tgt exports the drives, host connects" start_target
lab_step "the pattern reads back as zeroes after format" read_zeroes
lab_step "a second nvmf_tgt on drive 0 is refused, naming the holder" second_target
lab_step "nvme_identify on drive 0 is refused, naming the holder" identify_refused
lab_step "nvme_ssd on drive 0 is refused, naming the holder" ssd_refused
lab_step "host smart-log of namespace 1 is drive 0's health" smart_log
lab_step "target stops" stop_target
lab_step "AdminPassthru: the host's nvme format reaches the drive" passthru_format
lab_finish
