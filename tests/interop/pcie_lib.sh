# shellcheck shell=bash
# Helpers for scenarios on the lab's emulated NVMe SSDs (tools/vm/run.sh
# --nvme 2), sourced after lib.sh:
#
#   pci_find_devices       list the NVMe functions, keep them in $LAB_STATE/pci
#   pci INDEX              the PCI address of controller INDEX (0, 1)
#   pci_setup_bind         tools/setup.sh takes them from the kernel
#                          (uio_pci_generic)
#   pci_kernel_ns ADDR [NSID]  /dev/nvmeXnY of a drive the kernel drives

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

pci_setup_bind() {
	HUGEMEM=1024 "$PCI_SETUP"
	"$PCI_SETUP" status
	for a in $(cat "$LAB_STATE/pci"); do
		[ "$(basename "$(readlink "/sys/bus/pci/devices/$a/driver")")" = uio_pci_generic ]
	done
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
