#!/usr/bin/env bash
# What `make run` calls after building: serve conf/examples/ram.conf in the
# foreground (Ctrl-C stops it). Reserves 2 MiB hugepages first when it can
# (root and /proc/sys/vm/nr_hugepages writable); otherwise the target runs
# without them, which RAM, Null and File namespaces over TCP do not need.
#
#   tools/run.sh [BUILD_DIR] [CONF]      defaults: build conf/examples/ram.conf
#   NVMF_TGT_ARGS="-L debug" tools/run.sh  extra arguments for nvmf_tgt
set -uo pipefail

cd "$(dirname "$0")/.."
BUILD=${1:-build}
CONF=${2:-conf/examples/ram.conf}
BIN=$BUILD/bin/nvmf_tgt
PAGES=${NVMF_TGT_HUGEPAGES:-512}
HUGE_MNT=/dev/hugepages

if [ ! -x "$BIN" ]; then
	echo "run: $BIN is missing; build it first (make)" >&2
	exit 1
fi

# Reserve hugepages and mount hugetlbfs; say in one line what happened.
reserve_hugepages() {
	local nr=/proc/sys/vm/nr_hugepages have
	if [ "$(id -u)" -ne 0 ] || [ ! -w "$nr" ]; then
		echo "run: hugepages: not reserved (needs root and a writable $nr); running without them"
		return
	fi
	have=$(cat "$nr")
	if [ "$have" -lt "$PAGES" ]; then
		echo "$PAGES" >"$nr" 2>/dev/null
		have=$(cat "$nr")
	fi
	if [ "$have" -eq 0 ]; then
		echo "run: hugepages: the kernel gave none; running without them"
		return
	fi
	if ! grep -q ' hugetlbfs ' /proc/mounts; then
		mkdir -p "$HUGE_MNT"
		if ! mount -t hugetlbfs nodev "$HUGE_MNT" 2>/dev/null; then
			echo "run: hugepages: $have reserved but hugetlbfs cannot be mounted; running without them"
			return
		fi
	fi
	echo "run: hugepages: $have x 2 MiB reserved, hugetlbfs at $(awk '$3 == "hugetlbfs" {print $2; exit}' /proc/mounts)"
}

reserve_hugepages
echo "run: $BIN -c $CONF ${NVMF_TGT_ARGS:-}"
# shellcheck disable=SC2086 # NVMF_TGT_ARGS is a list of words on purpose
exec "$BIN" -c "$CONF" ${NVMF_TGT_ARGS:-}
