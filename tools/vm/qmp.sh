#!/usr/bin/env bash
# Send QMP commands to a running lab guest's QEMU (tools/vm/run.sh opens
# the monitor socket).
#
#   tools/vm/qmp.sh SOCKET JSON...
#
# Each JSON is one command object, e.g.
#   '{"execute":"device_del","arguments":{"id":"nvme0"}}'
# The capabilities handshake is sent first. Prints QEMU's answers (events
# included) and exits 1 when a command got an error, or when fewer answers
# than commands came back.
set -euo pipefail

[ $# -ge 2 ] || {
	sed -n '2,/^set -e/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//' >&2
	exit 2
}
command -v socat >/dev/null || {
	echo "qmp: socat missing (run 'make deps')" >&2
	exit 1
}
sock=$1
shift
out=$({
	echo '{"execute":"qmp_capabilities"}'
	printf '%s\n' "$@"
	sleep 1
} | socat -t 5 - "UNIX-CONNECT:$sock")
echo "$out"
answers=$(grep -c '^{"return"' <<<"$out" || true)
if grep -q '^{"error"' <<<"$out" || [ "$answers" -lt $(($# + 1)) ]; then
	exit 1
fi
