#!/bin/bash
# PID 1 of the interop lab guest (installed as /sbin/lab-init by build.sh).
# Mounts the pseudo file systems and the 9p shares, runs the scenario the
# host wrote into the result share, records its exit status there and powers
# the guest off. The host side is tools/vm/run.sh.
#
# Shares (9p mount tags): repo -> /lab/repo (read-only), build -> /lab/build
# (read-only), out -> /lab/out (writable). The command to run is in
# /lab/out/.lab-cmd, one argument a line; the first is a path relative to
# the repo (or absolute inside the guest). The exit status goes to
# /lab/out/.lab-status; /lab/out/.lab-started marks the scenario's start.
# /lab/out/.lab-env, if present, holds LAB_* variable
# assignments from the host (sourced before the scenario runs).
set -uo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 TERM=dumb

poweroff_now() {
	sync
	echo o >/proc/sysrq-trigger 2>/dev/null
	sleep 30
}

say() { echo "lab-init: $*"; }

mount_basics() {
	mount -t proc proc /proc
	mount -t sysfs sys /sys
	mount -t devtmpfs dev /dev 2>/dev/null || true
	mkdir -p /dev/pts /dev/shm /dev/hugepages
	mount -t devpts devpts /dev/pts
	mount -t tmpfs shm /dev/shm
	mount -t tmpfs tmp /tmp
	mount -t tmpfs run /run
	mount -t configfs configfs /sys/kernel/config
	mount -t hugetlbfs hugetlbfs /dev/hugepages
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null || true
}

mount_shares() {
	local tag dir opts=trans=virtio,version=9p2000.L,msize=512000
	modprobe -q 9pnet_virtio && modprobe -q 9p || return 1
	for tag in repo build out; do
		dir=/lab/$tag
		mkdir -p "$dir"
		if [ "$tag" = out ]; then
			mount -t 9p -o "$opts,rw" "$tag" "$dir" || return 1
		else
			mount -t 9p -o "$opts,ro" "$tag" "$dir" || return 1
		fi
	done
}

main() {
	local rc=0 cmd=()
	mount_basics
	hostname lab
	ip link set lo up
	# The fabrics initiator and the loopback bits every scenario needs.
	modprobe -a -q nvme-fabrics nvme-tcp nvme-rdma nvme-keyring 2>/dev/null
	if ! mount_shares; then
		say "cannot mount the 9p shares"
		poweroff_now
	fi
	if [ ! -r /lab/out/.lab-cmd ]; then
		say "no /lab/out/.lab-cmd: nothing to run"
		echo 125 >/lab/out/.lab-status
		poweroff_now
	fi
	mapfile -t cmd </lab/out/.lab-cmd
	if [ -r /lab/out/.lab-env ]; then
		set -a
		# shellcheck source=/dev/null
		. /lab/out/.lab-env
		set +a
	fi
	case "${cmd[0]}" in
	/*) ;;
	*) cmd[0]=/lab/repo/${cmd[0]} ;;
	esac
	cd /lab/repo || true
	say "running ${cmd[*]}"
	# From here on the host does not boot the guest again (tools/vm/run.sh).
	: >/lab/out/.lab-started
	LAB_OUT=/lab/out LAB_BUILD=/lab/build LAB_REPO=/lab/repo \
		bash "${cmd[@]}" </dev/null || rc=$?
	say "scenario exit status $rc"
	dmesg >/lab/out/dmesg.log 2>&1
	echo "$rc" >/lab/out/.lab-status
	umount /lab/out 2>/dev/null
	poweroff_now
}

main "$@"
