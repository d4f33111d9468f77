#!/usr/bin/env bash
# Prepare this machine for local NVMe SSDs driven by nvmf_tgt's userspace
# PCIe driver, and undo it.
#
#   tools/setup.sh [config] [PCI_ADDR...]  reserve hugepages, mount hugetlbfs,
#                                          bind NVMe devices (all, or those
#                                          named) to vfio-pci, or to
#                                          uio_pci_generic when there is no IOMMU
#   tools/setup.sh reset [PCI_ADDR...]     give them back to the kernel nvme driver
#   tools/setup.sh status                  hugepages and every NVMe function's driver
#   tools/setup.sh driver                  the driver config would bind them to
#   tools/setup.sh hugepages               only reserve hugepages and mount hugetlbfs;
#                                          exits 0 even when the kernel gives none
#                                          (the target then runs without them)
#
# Installed as nvmf-tgt-setup (make install); nvmf-tgt.service runs
# `nvmf-tgt-setup hugepages` before the target.
#
# Environment: HUGEMEM=MB (default 1024) of 2 MiB hugepages; DRIVER=vfio-pci
# or uio_pci_generic to override the choice.
# A device with a mounted file system (or swap, or an LVM/MD member in use)
# on one of its namespaces is never taken.
set -euo pipefail

SYSPCI=/sys/bus/pci/devices
NVME_CLASS=0x010802
HUGEMEM=${HUGEMEM:-1024}
HUGE_MNT=/dev/hugepages

ME=$(basename "$0")
say() { echo "$ME: $*"; }
die() {
	echo "$ME: $*" >&2
	exit 1
}

[ "$(id -u)" -eq 0 ] || die "run as root"

nvme_functions() {
	local d
	for d in "$SYSPCI"/*; do
		[ "$(cat "$d/class" 2>/dev/null)" = "$NVME_CLASS" ] && basename "$d"
	done
	return 0
}

driver_of() {
	local l
	l=$(readlink "$SYSPCI/$1/driver" 2>/dev/null) || {
		echo "none"
		return
	}
	basename "$l"
}

# Which devices: the ones named, else every NVMe function.
targets() {
	if [ $# -gt 0 ]; then
		local a
		for a in "$@"; do
			[[ "$a" == *:*:*.* ]] || a="0000:$a"
			[ -e "$SYSPCI/$a" ] || die "$a: no such PCI function (see lspci -D)"
			[ "$(cat "$SYSPCI/$a/class")" = "$NVME_CLASS" ] || die "$a: not an NVMe controller"
			echo "$a"
		done
	else
		nvme_functions
	fi
}

# Block devices (namespaces and partitions) of the kernel controller at $1.
blockdevs_of() {
	local c n
	for c in "$SYSPCI/$1"/nvme/nvme*; do
		[ -d "$c" ] || continue
		for n in "$c"/nvme*n* /sys/block/"$(basename "$c")"n*; do
			[ -e "$n" ] || continue
			n=$(basename "$n")
			echo "/dev/$n"
			ls /sys/block/"$n" 2>/dev/null | grep "^${n}p" | sed 's|^|/dev/|' || true
		done
	done | sort -u
}

# Why $1 must not be taken (prints the reason), or nothing.
in_use() {
	local dev holders
	for dev in $(blockdevs_of "$1"); do
		if grep -q "^$dev " /proc/mounts; then
			echo "$dev is mounted on $(awk -v d="$dev" '$1 == d {print $2; exit}' /proc/mounts)"
			return
		fi
		if grep -q "^$dev " /proc/swaps 2>/dev/null; then
			echo "$dev is in use as swap"
			return
		fi
		holders=$(ls "/sys/class/block/${dev#/dev/}/holders" 2>/dev/null || true)
		if [ -n "$holders" ]; then
			echo "$dev is held by $holders (LVM, MD or device mapper)"
			return
		fi
	done
}

have_iommu() {
	[ -n "$(ls -A /sys/kernel/iommu_groups 2>/dev/null)" ]
}

pick_driver() {
	if [ -n "${DRIVER:-}" ]; then
		echo "$DRIVER"
	elif have_iommu; then
		echo vfio-pci
	else
		echo uio_pci_generic
	fi
}

# Reserve HUGEMEM and mount hugetlbfs. Never fails: what could not be had
# is a warning (RAM, Null and File namespaces over TCP run without them).
hugepages() {
	local pages=$(((HUGEMEM + 1) / 2)) have
	have=$(cat /proc/sys/vm/nr_hugepages)
	if [ "$have" -lt "$pages" ]; then
		echo "$pages" 2>/dev/null >/proc/sys/vm/nr_hugepages || true
		have=$(cat /proc/sys/vm/nr_hugepages)
		[ "$have" -ge "$pages" ] || say "warning: only $have of $pages hugepages could be reserved"
	fi
	say "hugepages: $have x 2 MiB reserved (HUGEMEM=${HUGEMEM} MB asked)"
	[ "$have" -gt 0 ] || return 0
	if ! grep -q ' hugetlbfs ' /proc/mounts; then
		if mkdir -p "$HUGE_MNT" && mount -t hugetlbfs nodev "$HUGE_MNT"; then
			say "mounted hugetlbfs on $HUGE_MNT"
		else
			say "warning: hugetlbfs cannot be mounted on $HUGE_MNT"
		fi
	fi
}

unbind() { # addr
	local drv
	drv=$(driver_of "$1")
	[ "$drv" = none ] || echo "$1" >"$SYSPCI/$1/driver/unbind"
}

bind_to() { # addr driver
	local a=$1 drv=$2
	[ "$(driver_of "$a")" = "$drv" ] && return 0
	modprobe "$drv" 2>/dev/null || true
	[ -d "/sys/bus/pci/drivers/$drv" ] || die "$a: driver $drv is not available (modprobe $drv)"
	unbind "$a"
	echo "$drv" >"$SYSPCI/$a/driver_override"
	echo "$a" >/sys/bus/pci/drivers_probe
	echo "" >"$SYSPCI/$a/driver_override"
	[ "$(driver_of "$a")" = "$drv" ] || die "$a: binding to $drv failed (see dmesg)"
}

config() {
	local drv a why n=0 from
	drv=$(pick_driver)
	hugepages
	if [ "$drv" = uio_pci_generic ]; then
		say "no IOMMU (/sys/kernel/iommu_groups is empty): using uio_pci_generic" \
			"(the target needs hugepages and runs with IOVA as PA)"
	fi
	for a in $(targets "$@"); do
		from=$(driver_of "$a")
		if [ "$from" = "$drv" ]; then
			say "$a: already bound to $drv"
			continue
		fi
		why=$(in_use "$a")
		if [ -n "$why" ]; then
			say "$a: NOT taken: $why; unmount it first"
			continue
		fi
		bind_to "$a" "$drv"
		say "$a: $from -> $drv"
		n=$((n + 1))
	done
	say "$n device(s) bound"
}

reset() {
	local a from
	for a in $(targets "$@"); do
		from=$(driver_of "$a")
		if [ "$from" = nvme ]; then
			say "$a: already bound to nvme"
			continue
		fi
		bind_to "$a" nvme
		say "$a: $from -> nvme"
	done
}

status() {
	local a
	echo "hugepages: $(cat /proc/sys/vm/nr_hugepages) x 2 MiB," \
		"hugetlbfs: $(awk '$3 == "hugetlbfs" {print $2; exit}' /proc/mounts)"
	echo "IOMMU: $(have_iommu && echo yes || echo no)"
	for a in $(nvme_functions); do
		echo "$a  $(cat "$SYSPCI/$a/vendor"):$(cat "$SYSPCI/$a/device")  driver: $(driver_of "$a")"
	done
}

case "${1:-config}" in
reset)
	shift
	reset "$@"
	;;
status) status ;;
driver) pick_driver ;;
hugepages) hugepages ;;
config)
	[ $# -eq 0 ] || shift
	config "$@"
	;;
*) config "$@" ;;
esac
