# shellcheck shell=bash
# Helpers for scenarios on the lab's emulated NVMe SSDs (tools/vm/run.sh
# --nvme 2), sourced after lib.sh:
#
#   pci_find_devices       list the NVMe functions, keep them in $LAB_STATE/pci
#   pci INDEX              the PCI address of controller INDEX (0, 1)
#   pci_setup_bind [DRIVER]  tools/setup.sh takes them from the kernel; they
#                          must end up on DRIVER (default uio_pci_generic;
#                          setup.sh picks vfio-pci in a guest with an IOMMU,
#                          tools/vm/run.sh --iommu)
#   pci_want_driver        the driver setup.sh picks here: vfio-pci or uio_pci_generic
#   pci_driver ADDR        the driver ADDR is bound to (none if unbound)
#   pci_kernel_ns ADDR [NSID]  /dev/nvmeXnY of a drive the kernel drives
#   pci_vfio_node ADDR     ADDR's VFIO group node (/dev/vfio/N)
#   pci_fd_open PID PATH   has process PID a file descriptor on PATH?

PCI_SETUP=$LAB_REPO/tools/setup.sh

# The emulated NVMe functions, in PCI order.
pci_list() {
	local d
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/class")" = 0x010802 ] && basename "$d"
	done
	return 0
}

pci_find_devices() {
	local n
	n=$(pci_list | wc -l)
	pci_list
	[ "$n" -eq 2 ] || {
		echo "expected 2 NVMe functions (tools/vm/run.sh --nvme 2), found $n"
		return 1
	}
	pci_list >"$LAB_STATE/pci"
}

pci() { sed -n "$(($1 + 1))p" "$LAB_STATE/pci"; }

pci_want_driver() { "$PCI_SETUP" driver; }

pci_driver() { # addr
	local l
	l=$(readlink "/sys/bus/pci/devices/$1/driver") || {
		echo none
		return 0
	}
	basename "$l"
}

pci_setup_bind() { # [driver]
	local want=${1:-uio_pci_generic}
	HUGEMEM=1024 "$PCI_SETUP"
	"$PCI_SETUP" status
	for a in $(cat "$LAB_STATE/pci"); do
		[ "$(pci_driver "$a")" = "$want" ]
	done
}

pci_vfio_node() { # addr
	local g
	g=$(readlink "/sys/bus/pci/devices/$1/iommu_group") || return 1
	echo "/dev/vfio/${g##*/}"
}

pci_fd_open() { # pid path
	local f
	for f in /proc/"$1"/fd/*; do
		[ "$(readlink "$f" 2>/dev/null)" = "$2" ] && return 0
	done
	return 1
}

pci_kernel_ns() { # addr [nsid]
	local b
	for b in /sys/bus/pci/devices/"$1"/nvme/nvme*/nvme*n*; do
		[ -e "$b/nsid" ] || continue
		[ "$(cat "$b/nsid")" = "${2:-1}" ] || continue
		echo "/dev/${b##*/}"
		return 0
	done
	return 1
}
