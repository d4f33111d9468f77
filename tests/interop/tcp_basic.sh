#!/usr/bin/env bash
# NVMe/TCP against our target with the Linux kernel initiator and nvme-cli:
# discovery, connect (with and without digests), identify and log pages,
# fio crc32c verify on a RAM and a file namespace over several block sizes
# and queue depths, host access control, disconnect/reconnect, and a second
# host that keeps its I/O going while the first host's sockets are reset.
# Run: tools/vm/run.sh tests/interop/tcp_basic.sh
# (LAB_TARGET=nvmet tools/vm/run.sh ... checks it against the kernel target.)
set -euo pipefail
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"

CONF=$LAB_REPO/tests/interop/conf/tcp_basic.conf
RAM_NQN=nqn.2016-06.io.nvmf-tgt:ram0
FILE_NQN=nqn.2016-06.io.nvmf-tgt:file0
RAM_SIZE=$((128 << 20))
FILE_SIZE=$((128 << 20))
# HOST_A may reach ram0 only (any host); HOST_B is the one file0 admits.
HOST_A=nqn.2014-08.org.nvmexpress:uuid:aaaaaaaa-0000-4000-8000-000000000001
HOST_B=nqn.2014-08.org.nvmexpress:uuid:11111111-2222-3333-4444-555555555555
HOST_X=nqn.2014-08.org.nvmexpress:uuid:99999999-0000-4000-8000-000000000009
trap lab_cleanup EXIT

# Does discovery output OUT hold a TCP/IPv4 127.0.0.1:4420 entry for NQN?
disc_has() { # out nqn
	awk -v nqn="$2" '
		function check() {
			if (e["subnqn"] == nqn && e["trtype"] == "tcp" &&
			    e["adrfam"] == "ipv4" && e["traddr"] == "127.0.0.1" &&
			    e["trsvcid"] == "4420") found = 1
			delete e
		}
		/^=+Discovery Log Entry/ { check(); next }
		/^[a-z]+: / { k = $1; sub(":", "", k); e[k] = $2 }
		END { check(); exit !found }' <<<"$1"
}

discover() {
	local out
	out=$(lab_discover --hostnqn "$HOST_B" --hostid "$(lab_hostid "$HOST_B")")
	echo "$out"
	disc_has "$out" "$RAM_NQN"
	disc_has "$out" "$FILE_NQN"
}

connect_ram() {
	lab_connect "$RAM_NQN" "$HOST_A" --nr-io-queues 2 "$@"
	lab_ns_dev "$RAM_NQN"
}

nvme_list() { # nqn serial model size
	local dev out
	dev=$(lab_ns_dev "$1")
	out=$(nvme list)
	echo "$out"
	grep -F "$dev " <<<"$out" | grep -F "$2" | grep -Fq "$3"
	[ "$(blockdev --getsize64 "$dev")" -eq "$4" ]
}

id_ctrl() { # nqn serial model
	local out
	out=$(nvme id-ctrl "$(lab_ctrl_dev "$1")")
	echo "$out"
	grep -Eq "^sn +: $2 *\$" <<<"$out"
	grep -Eq "^mn +: $3 *\$" <<<"$out"
	grep -Eq "^subnqn +: $1\$" <<<"$out"
}

id_ns() { # nqn nsze lbads
	local out
	out=$(nvme id-ns "$(lab_ns_dev "$1")")
	echo "$out"
	grep -Eq "^nsze +: $(printf '%#x' "$2")\$" <<<"$out"
	grep -Eq "lbads:$3 .*in use" <<<"$out"
}

get_feature_queues() { # nqn
	local out
	out=$(nvme get-feature "$(lab_ctrl_dev "$1")" -f 7)
	echo "$out"
	grep -q "Current value" <<<"$out"
}

error_log() { # nqn
	local out
	out=$(nvme error-log "$(lab_ctrl_dev "$1")")
	echo "$out"
	grep -qi "error log" <<<"$out"
}

smart_save() { # nqn
	local v
	v=$(lab_smart_duw "$(lab_ctrl_dev "$1")")
	echo "data units written: $v"
	[ -n "$v" ]
	echo "$v" >"$LAB_STATE/duw"
}

smart_grew() { # nqn
	local before after
	before=$(cat "$LAB_STATE/duw")
	after=$(lab_smart_duw "$(lab_ctrl_dev "$1")")
	echo "data units written: $before -> $after"
	[ "$after" -gt "$before" ]
}

# Sizes keep each run short under TCG (~1k IOPS; a few ms per I/O at QD 1).
fio_size() { # bs qd
	case "$1/$2" in
	512/1) echo 1M ;;
	512/*) echo 2M ;;
	4k/1) echo 2M ;;
	1M/1) echo 16M ;;
	1M/*) echo 32M ;;
	*) echo 8M ;;
	esac
}

fio_run() { # nqn bs qd
	local dev
	dev=$(lab_ns_dev "$1")
	lab_fio_verify "$dev" "$2" "$3" "$(fio_size "$2" "$3")"
}

# Re-read what the last 1M run wrote: the data outlived the connection.
fio_reverify() { # nqn
	local dev
	dev=$(lab_ns_dev "$1")
	timeout 300 fio --name=read-verify --filename="$dev" --rw=randwrite \
		--bs=1M --iodepth=32 --ioengine=libaio --direct=1 --size=32M \
		--verify=crc32c --verify_fatal=1 --randrepeat=1 --verify_only=1 \
		--verify_state_save=0
}

disconnect() { # nqn
	lab_disconnect "$1"
	if lab_find_ns "$1"; then
		echo "namespace of $1 still present"
		return 1
	fi
}

connect_file_digest() {
	lab_connect "$FILE_NQN" "$HOST_B" --nr-io-queues 2 --hdr-digest --data-digest
	lab_ns_dev "$FILE_NQN"
}

refused_host() {
	local log
	if lab_connect "$FILE_NQN" "$HOST_X"; then
		echo "connect of a host not on the list succeeded"
		return 1
	fi
	if lab_ctrl_dev "$FILE_NQN" "$HOST_X"; then
		echo "a controller exists for the refused host"
		return 1
	fi
	log=$(lab_tgt_log)
	grep -F "$HOST_X" "$log"
}

# Host A (ram0, source address 127.0.0.2) loses its sockets to a reset
# while host B (file0) runs a verify job; B must finish clean.
sockets_a() {
	ss -Htn state established src 127.0.0.2 dst 127.0.0.1 dport = 4420
}

cut_host_a_keep_b() {
	local fio_pid killed ports p rc=0
	lab_connect "$RAM_NQN" "$HOST_A" --nr-io-queues 2 --host-traddr 127.0.0.2 \
		--reconnect-delay 1 --ctrl-loss-tmo 60
	lab_connect "$FILE_NQN" "$HOST_B" --nr-io-queues 2
	lab_ns_dev "$RAM_NQN" >/dev/null
	echo "host A sockets:"
	sockets_a
	[ "$(sockets_a | wc -l)" -ge 2 ]
	modprobe -a -q inet_diag tcp_diag || true
	lab_fio_verify "$(lab_ns_dev "$FILE_NQN")" 4k 16 32M >"$LAB_OUT/cut_fio_b.log" 2>&1 &
	fio_pid=$!
	sleep 3
	# Once one socket is reset the host tears down the others itself, so
	# ss may get to destroy only the first.
	ports=$(sockets_a | awk '{ print $3 }')
	killed=$(ss -HtnK state established src 127.0.0.2 dst 127.0.0.1 dport = 4420 | wc -l)
	echo "reset $killed host A sockets"
	wait "$fio_pid" || rc=$?
	cat "$LAB_OUT/cut_fio_b.log"
	[ "$killed" -ge 1 ]
	for p in $ports; do
		if sockets_a | awk '{ print $3 }' | grep -qx "$p"; then
			echo "host A socket $p survived the reset"
			return 1
		fi
	done
	[ "$rc" -eq 0 ]
}

host_a_reconnected() {
	local ctrl
	ctrl=$(lab_ctrl_dev "$RAM_NQN" "$HOST_A")
	lab_wait 60 grep -qx live "/sys/class/nvme/${ctrl#/dev/}/state"
	lab_fio_verify "$(lab_ns_dev "$RAM_NQN")" 4k 8 4M
}

lab_must tgt-start tgt_start "$CONF"
lab_step discover discover
lab_step connect-ram connect_ram
lab_step nvme-list-ram nvme_list "$RAM_NQN" NVMFTGT0001 "nvmf-tgt RAM" "$RAM_SIZE"
lab_step id-ctrl-ram id_ctrl "$RAM_NQN" NVMFTGT0001 "nvmf-tgt RAM"
lab_step id-ns-ram id_ns "$RAM_NQN" $((RAM_SIZE / 512)) 9
lab_step get-feature-7 get_feature_queues "$RAM_NQN"
lab_step error-log error_log "$RAM_NQN"
lab_step smart-log smart_save "$RAM_NQN"
for bs in 512 4k 128k 1M; do
	for qd in 1 32; do
		lab_step "fio-ram-$bs-qd$qd" fio_run "$RAM_NQN" "$bs" "$qd"
	done
done
lab_step smart-log-grew smart_grew "$RAM_NQN"
lab_step disconnect-ram disconnect "$RAM_NQN"
lab_step reconnect-ram-digest connect_ram --hdr-digest --data-digest
lab_step reverify-ram fio_reverify "$RAM_NQN"
lab_step disconnect-ram-2 disconnect "$RAM_NQN"
lab_step connect-file-digest connect_file_digest
lab_step nvme-list-file nvme_list "$FILE_NQN" NVMFTGT0002 "nvmf-tgt File" "$FILE_SIZE"
lab_step id-ctrl-file id_ctrl "$FILE_NQN" NVMFTGT0002 "nvmf-tgt File"
lab_step id-ns-file id_ns "$FILE_NQN" $((FILE_SIZE / 4096)) 12
for bs in 4k 128k 1M; do
	for qd in 1 32; do
		lab_step "fio-file-$bs-qd$qd" fio_run "$FILE_NQN" "$bs" "$qd"
	done
done
lab_step refused-host refused_host
lab_step disconnect-file disconnect "$FILE_NQN"
lab_step cut-host-a-keep-host-b cut_host_a_keep_b
lab_step host-a-reconnected host_a_reconnected
lab_step disconnect-both bash -c "nvme disconnect -n $RAM_NQN && nvme disconnect -n $FILE_NQN"
lab_step tgt-stop tgt_stop
lab_finish
