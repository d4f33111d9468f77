#!/usr/bin/env bash
# Boot the interop lab guest under QEMU and run one scenario in it as root.
#
#   tools/vm/run.sh [--nvme N] [--iommu] [--timeout SEC] [--build DIR]
#                   [--out DIR] SCENARIO [ARGS...]
#
# SCENARIO is a script path inside the repo (e.g. tests/interop/smoke_nvmet.sh).
# In the guest: /lab/repo is this repo (read-only), /lab/build the build dir
# (read-only, default <repo>/build), /lab/out a writable result dir (default a
# fresh temp dir, kept and printed at the end). The root file system is a
# throwaway qcow2 overlay on the cached image (tools/vm/build.sh builds it if
# needed). --nvme N attaches N emulated 1 GiB NVMe SSDs (serial LABSN000K,
# QEMU id nvmeK, PCI slot 0x10+K); the second one has two namespaces. QEMU's
# monitor (QMP) listens on a socket (tools/vm/qmp.sh); a scenario asks for
# device_del / device_add of nvmeK through lab_qmp (tests/interop/lib.sh).
# --iommu gives the guest an emulated IOMMU (q35 machine, intel-iommu,
# intel_iommu=on iommu=pt): tools/setup.sh then binds the SSDs to vfio-pci;
# each nvmeK sits behind its own PCIe root port (slot 0x10+K), where it can
# still be deleted and added. The guest console streams to stdout;
# the exit status is the scenario's, or 1 when the guest hung past --timeout
# (default 900 s) or died without reporting one.
#
# A guest that dies or hangs before its init has started the scenario (the
# guest kernel under TCG has been seen to oops while booting, now and then)
# is booted again, up to NVMF_LAB_BOOT_TRIES times in all (default 3), each
# on a fresh overlay. Once the scenario has started, nothing is retried.
#
# Environment: LAB_* variables (e.g. LAB_TARGET=nvmet) are passed to the
# scenario. NVMF_LAB_ACCEL=kvm opts in to KVM (default TCG; nested KVM
# hangs on the build machines), NVMF_LAB_CACHE (see build.sh),
# NVMF_LAB_MEM (default 3G), NVMF_LAB_SMP (default 2), NVMF_LAB_BOOT_TRIES.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)

usage() {
	sed -n '2,/^set -e/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//' >&2
	exit 2
}

die() {
	echo "vm/run: $*" >&2
	exit 1
}

NVME=0
IOMMU=0
TIMEOUT=900
BUILD_DIR=$REPO/build
OUT=
while [ $# -gt 0 ]; do
	case "$1" in
	--nvme) NVME=${2:?}; shift 2 ;;
	--iommu) IOMMU=1; shift ;;
	--timeout) TIMEOUT=${2:?}; shift 2 ;;
	--build) BUILD_DIR=${2:?}; shift 2 ;;
	--out) OUT=${2:?}; shift 2 ;;
	-h | --help) usage ;;
	--) shift; break ;;
	-*) usage ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || usage
[[ "$NVME" =~ ^[0-9]+$ ]] || die "--nvme wants a number"
[[ "$TIMEOUT" =~ ^[0-9]+$ ]] || die "--timeout wants seconds"

# The scenario as a repo-relative path.
scenario_path() {
	local p=$1 abs
	[ -f "$p" ] || [ -f "$REPO/$p" ] || die "no such scenario: $p"
	[ -f "$p" ] && abs=$(realpath "$p") || abs=$(realpath "$REPO/$p")
	case "$abs" in
	"$REPO"/*) echo "${abs#"$REPO"/}" ;;
	*) die "scenario must live in the repo ($REPO): $p" ;;
	esac
}

SCEN=$(scenario_path "$1")
shift
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing (run 'make deps')"
command -v qemu-img >/dev/null || die "qemu-img missing (run 'make deps')"
mkdir -p "$BUILD_DIR"
BUILD_DIR=$(realpath "$BUILD_DIR")

IMG_DIR=$("$HERE/build.sh" | tail -n 1) || die "lab image build failed"
[ -f "$IMG_DIR/ready" ] || die "lab image missing in $IMG_DIR"
touch "$IMG_DIR/last-used" 2>/dev/null || true

if [ -z "$OUT" ]; then
	OUT=$(mktemp -d /tmp/nvmf-lab-out.XXXXXX)
fi
mkdir -p "$OUT"
OUT=$(realpath "$OUT")
printf '%s\n' "$SCEN" "$@" >"$OUT/.lab-cmd"
# Scenario knobs (LAB_TARGET, LAB_HUGEPAGES, ...) travel to the guest.
for v in $(compgen -v LAB_); do
	case "$v" in
	LAB_OUT | LAB_BUILD | LAB_REPO | LAB_STATE) ;;
	*) printf '%s=%q\n' "$v" "${!v}" ;;
	esac
done >"$OUT/.lab-env"

CMDLINE="console=ttyS0 root=/dev/vda rw quiet loglevel=3 init=/sbin/lab-init panic=-1"
if [ "$IOMMU" -eq 1 ]; then
	# Passthrough for the kernel's own DMA: only vfio's domains translate.
	CMDLINE+=" intel_iommu=on iommu=pt"
fi

WORK=$(mktemp -d /tmp/nvmf-lab-work.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

args=(
	-smp "${NVMF_LAB_SMP:-2}" -m "${NVMF_LAB_MEM:-3G}"
	-nographic -no-reboot
	-kernel "$IMG_DIR/vmlinuz" -initrd "$IMG_DIR/initrd.img"
	-append "$CMDLINE"
	-drive "file=$WORK/root.qcow2,if=virtio,format=qcow2"
	-virtfs "local,path=$REPO,mount_tag=repo,security_model=none,readonly=on"
	-virtfs "local,path=$BUILD_DIR,mount_tag=build,security_model=none,readonly=on"
	-virtfs "local,path=$OUT,mount_tag=out,security_model=none"
	-nic none
)
if [ "$IOMMU" -eq 1 ]; then
	args+=(-machine q35 -device intel-iommu)
fi
if [ "${NVMF_LAB_ACCEL:-tcg}" = kvm ]; then
	args+=(-accel kvm -cpu host)
else
	args+=(-accel "tcg,thread=multi" -cpu max)
fi

# Emulated SSDs: sparse 1 GiB files; the second controller has two namespaces.
# Each controller nvmeK sits in slot 0x10+K of the root bus (ACPI hot-plug)
# with block nodes dK (and dKb) that outlive it, so that it can be deleted
# and added again by QMP; $WORK/dev-nvmeK holds its -device strings. On q35
# (--iommu) the root bus takes no hot-plug: nvmeK goes behind root port rpK
# in that slot.
for ((k = 0; k < NVME; k++)); do
	sn=$(printf 'LABSN%04d' "$k")
	slot=$(printf '0x%x' $((0x10 + k)))
	place="addr=$slot"
	if [ "$IOMMU" -eq 1 ]; then
		args+=(-device "pcie-root-port,id=rp$k,bus=pcie.0,chassis=$((k + 1)),addr=$slot")
		place="bus=rp$k"
	fi
	truncate -s 1G "$WORK/disk$k.img"
	args+=(-blockdev "driver=raw,node-name=d$k,file.driver=file,file.filename=$WORK/disk$k.img")
	if [ "$k" -eq 1 ]; then
		truncate -s 1G "$WORK/disk${k}b.img"
		args+=(-blockdev "driver=raw,node-name=d${k}b,file.driver=file,file.filename=$WORK/disk${k}b.img")
		printf '%s\n' "nvme,id=nvme$k,serial=$sn,$place" \
			"nvme-ns,id=nvme$k-1,drive=d$k,bus=nvme$k,nsid=1" \
			"nvme-ns,id=nvme$k-2,drive=d${k}b,bus=nvme$k,nsid=2" >"$WORK/dev-nvme$k"
	else
		echo "nvme,id=nvme$k,serial=$sn,drive=d$k,$place" >"$WORK/dev-nvme$k"
	fi
	while read -r d; do
		args+=(-device "$d")
	done <"$WORK/dev-nvme$k"
done

# QMP: the monitor socket, and requests from the guest. A scenario writes
# "del ID" or "add ID" into /lab/out/.qmp/N.req (lab_qmp in
# tests/interop/lib.sh); the host answers in N.ans ("ok" or "error ...").
# "add" replays the device's -device strings from its start-up.
QMP_SOCK=$WORK/qmp.sock
args+=(-qmp "unix:$QMP_SOCK,server=on,wait=off")

# "nvme,id=x,nsid=1" -> {"driver":"nvme","id":"x","nsid":1}
dev_json() {
	local IFS=, kv j
	read -ra kv <<<"$1"
	j="{\"driver\":\"${kv[0]}\""
	for p in "${kv[@]:1}"; do
		if [[ "${p#*=}" =~ ^[0-9]+$ ]]; then
			j+=",\"${p%%=*}\":${p#*=}"
		else
			j+=",\"${p%%=*}\":\"${p#*=}\""
		fi
	done
	echo "$j}"
}

qmp_request() { # file
	local req id cmds=() d
	read -r req id <"$1" || true
	[[ "$id" =~ ^[A-Za-z0-9_-]+$ ]] || {
		echo "error: bad request '$req $id'"
		return
	}
	case "$req" in
	del) cmds=("{\"execute\":\"device_del\",\"arguments\":{\"id\":\"$id\"}}") ;;
	add)
		[ -f "$WORK/dev-$id" ] || {
			echo "error: no device $id"
			return
		}
		while read -r d; do
			cmds+=("{\"execute\":\"device_add\",\"arguments\":$(dev_json "$d")}")
		done <"$WORK/dev-$id"
		;;
	*)
		echo "error: bad request '$req'"
		return
		;;
	esac
	if "$HERE/qmp.sh" "$QMP_SOCK" "${cmds[@]}" >"$OUT/.qmp/qmp.log.tmp" 2>&1; then
		echo ok
	else
		echo "error: $(tr '\n' ' ' <"$OUT/.qmp/qmp.log.tmp")"
	fi
	cat "$OUT/.qmp/qmp.log.tmp" >>"$OUT/.qmp/qmp.log"
}

# Runs beside QEMU: answers the guest's requests until QEMU's process ends.
qmp_server() { # qemu-pid
	local f
	while kill -0 "$1" 2>/dev/null; do
		for f in "$OUT"/.qmp/*.req; do
			[ -e "$f" ] || continue
			echo "vm/run: QMP request $(cat "$f")"
			qmp_request "$f" >"${f%.req}.tmp"
			mv "${f%.req}.tmp" "${f%.req}.ans"
			rm -f "$f"
		done
		sleep 0.5
	done
}

# One boot. Returns QEMU's status; the guest's own results are in $OUT.
boot_once() {
	local qrc=0 srv
	rm -rf "$OUT/.qmp"
	mkdir -p "$OUT/.qmp"
	qmp_server "$BASHPID" &
	srv=$!
	# --foreground: QEMU owns the terminal with -nographic; without a
	# terminal it must not read the caller's stdin.
	if [ -t 0 ]; then
		timeout --foreground -k 10 "$TIMEOUT" qemu-system-x86_64 "${args[@]}" || qrc=$?
	else
		timeout --foreground -k 10 "$TIMEOUT" qemu-system-x86_64 "${args[@]}" </dev/null || qrc=$?
	fi
	kill "$srv" 2>/dev/null || true
	wait "$srv" 2>/dev/null || true
	return "$qrc"
}

TRIES=${NVMF_LAB_BOOT_TRIES:-3}
[[ "$TRIES" =~ ^[1-9][0-9]*$ ]] || die "NVMF_LAB_BOOT_TRIES wants a positive number"
start=$(date +%s)
try=1
while :; do
	echo "vm/run: booting lab guest for $SCEN (try $try of $TRIES, timeout ${TIMEOUT}s, results in $OUT)"
	rm -f "$OUT/.lab-started" "$OUT/.lab-status"
	qemu-img create -q -f qcow2 -F raw -b "$IMG_DIR/rootfs.img" "$WORK/root.qcow2"
	qrc=0
	boot_once || qrc=$?
	[ -e "$OUT/.lab-started" ] && break
	[ "$try" -ge "$TRIES" ] && break
	echo "vm/run: the guest stopped (qemu status $qrc) before its init started the scenario: booting it again"
	try=$((try + 1))
done
elapsed=$(($(date +%s) - start))

if [ ! -e "$OUT/.lab-started" ]; then
	echo "vm/run: FAIL: the guest never started the scenario in $TRIES boot(s) (last qemu status $qrc, ${elapsed}s; results in $OUT)"
	exit 1
fi
if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
	echo "vm/run: FAIL: guest still running after ${TIMEOUT}s: killed (results in $OUT)"
	exit 1
fi
if [ ! -s "$OUT/.lab-status" ]; then
	echo "vm/run: FAIL: guest stopped (qemu status $qrc) without a scenario status after ${elapsed}s (results in $OUT)"
	exit 1
fi
rc=$(cat "$OUT/.lab-status")
[[ "$rc" =~ ^[0-9]+$ ]] || die "bad status '$rc' in $OUT/.lab-status"
echo "vm/run: $SCEN exited $rc after ${elapsed}s (boot included); results in $OUT"
exit "$rc"
