#!/usr/bin/env bash
# The RDMA examples of conf/examples/, served as shipped (192.0.2.1 is the
# lab's soft-RoCE address, rxe0 on veth0), with the Linux kernel initiator:
# each passes nvmf_tgt --check; rdma.conf: discovery and connect over
# RDMA, a short fio crc32c verify, disconnect; tcp-rdma.conf: discovery
# lists the subsystem on both transports, the host connects over RDMA and
# over TCP (one subsystem, two paths), fio verifies through them,
# disconnect. Each target must stop cleanly.
# Run: tools/vm/run.sh tests/interop/rdma_examples.sh
set -euo pipefail
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"

EXAMPLES=$LAB_REPO/conf/examples
ADDR=192.0.2.1
NQN_RDMA=nqn.2016-06.io.nvmf-tgt:rdma0
NQN_BOTH=nqn.2016-06.io.nvmf-tgt:both0
HOST=nqn.2014-08.org.nvmexpress:uuid:cccccccc-0000-4000-8000-0000000000c3
trap lab_cleanup EXIT

check_ok() { # conf
	local out
	out=$("$LAB_BUILD/bin/nvmf_tgt" --check -c "$1")
	echo "$out"
	grep -qxF "$1: ok" <<<"$out"
}

discover() { # transport nqn: [expected transports...]
	local tr=$1 nqn=$2 out t
	shift 2
	out=$(timeout 60 nvme discover -t "$tr" -a "$ADDR" -s 4420 --hostnqn "$HOST" \
		--hostid "$(lab_hostid "$HOST")")
	echo "$out"
	for t in "$@"; do
		lab_disc_has "$nqn" "$t" "$ADDR" 4420 <<<"$out"
	done
}

connect() { # transport nqn
	timeout 90 nvme connect -t "$1" -a "$ADDR" -s 4420 -n "$2" --hostnqn "$HOST" \
		--hostid "$(lab_hostid "$HOST")" --nr-io-queues 2
}

# The transports of the controllers of subsystem NQN, sorted, one line.
paths_of() { # nqn
	local c
	for c in /sys/class/nvme/nvme*; do
		[ "$(cat "$c/subsysnqn" 2>/dev/null)" = "$1" ] || continue
		cat "$c/transport"
	done | sort | tr '\n' ' '
}

serve_rdma() {
	connect rdma "$NQN_RDMA"
	[ "$(paths_of "$NQN_RDMA")" = "rdma " ]
	lab_fio_verify "$(lab_ns_dev "$NQN_RDMA")" 4k 16 8M
}

serve_both() {
	connect rdma "$NQN_BOTH"
	connect tcp "$NQN_BOTH"
	nvme list-subsys
	[ "$(paths_of "$NQN_BOTH")" = "rdma tcp " ]
	lab_fio_verify "$(lab_ns_dev "$NQN_BOTH")" 128k 16 16M
}

lab_must rxe-setup lab_rxe_setup
lab_step check-rdma.conf check_ok "$EXAMPLES/rdma.conf"
lab_step check-tcp-rdma.conf check_ok "$EXAMPLES/tcp-rdma.conf"

lab_must rdma.conf-start tgt_start "$EXAMPLES/rdma.conf"
lab_step rdma.conf-discover-rdma discover rdma "$NQN_RDMA" rdma
lab_step rdma.conf-connect-fio serve_rdma
lab_step rdma.conf-disconnect lab_disconnect "$NQN_RDMA"
lab_step rdma.conf-stop tgt_stop

lab_must tcp-rdma.conf-start tgt_start "$EXAMPLES/tcp-rdma.conf"
lab_step tcp-rdma.conf-discover-tcp discover tcp "$NQN_BOTH" tcp rdma
lab_step tcp-rdma.conf-discover-rdma discover rdma "$NQN_BOTH" tcp rdma
lab_step tcp-rdma.conf-two-paths-fio serve_both
lab_step tcp-rdma.conf-disconnect lab_disconnect "$NQN_BOTH"
lab_step tcp-rdma.conf-stop tgt_stop
lab_finish
