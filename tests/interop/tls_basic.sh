#!/usr/bin/env bash
# NVMe/TCP with the secure channel (TLS 1.3, PSK) against our target with
# the Linux kernel initiator: a key made by `nvme gen-tls-key`, inserted
# into the kernel's .nvme keyring for (host, subsystem), the same key in
# our conf (Host ... psk=FILE on a secure=tls listener), tlshd doing the
# host's handshake for `nvme connect --tls`; fio verify over it, our log
# naming the record path; a host whose inserted key differs is refused,
# and a plain connect to the TLS listener fails. The discovery log, read
# over a plain listener of a second subsystem, names the TLS listener as
# "secure channel required", TLS 1.3; a disconnected host reconnects.
# Run: tools/vm/run.sh tests/interop/guest_driver.sh tls_basic.sh
set -euo pipefail
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"

NQN=nqn.2016-06.io.nvmf-tgt:tls0
PLAIN_NQN=nqn.2016-06.io.nvmf-tgt:plain0
PLAIN_PORT=$((LAB_PORT + 1))
HOST_A=nqn.2014-08.org.nvmexpress:uuid:aaaaaaaa-0000-4000-8000-00000000000a
HOST_B=nqn.2014-08.org.nvmexpress:uuid:bbbbbbbb-0000-4000-8000-00000000000b
CONF=$LAB_STATE/tls_basic.conf
trap 'pkill_tlshd; lab_cleanup' EXIT

pkill_tlshd() {
	[ -s "$LAB_STATE/tlshd.pid" ] && kill "$(cat "$LAB_STATE/tlshd.pid")" 2>/dev/null
	return 0
}

gen_key() { # file
	local key
	key=$(nvme gen-tls-key --hmac=1 | grep -o 'NVMeTLSkey-1:01:[A-Za-z0-9+/=]*:')
	[ -n "$key" ]
	(umask 077 && echo "$key" >"$1")
	echo "generated a key into $1"
}

insert_key() { # hostnqn keyfile
	modprobe -a nvme-tcp tls
	nvme check-tls-key --hostnqn "$1" --subsysnqn "$NQN" --keydata "$(cat "$2")" --insert
	keyctl show %:.nvme
	keyctl show %:.nvme | grep -F "NVMe0R01 $1 $NQN"
}

write_conf() {
	cat >"$CONF" <<CONF
[Global]
  ReactorMask 0x3
  LogLevel info
  IdleSleep Yes
[Transport]
  Type TCP
  MaxIOSize 1048576
  IOUnitSize 131072
[Ram]
  Name ram0
  Size 64M
  BlockSize 512
[Ram]
  Name ram1
  Size 8M
[Subsystem]
  NQN $NQN
  Listen TCP $LAB_ADDR:$LAB_PORT secure=tls
  Host $HOST_A psk=$LAB_STATE/key_a
  Host $HOST_B psk=$LAB_STATE/key_b_target
  Namespace ram0 1
[Subsystem]
  NQN $PLAIN_NQN
  Listen TCP $LAB_ADDR:$PLAIN_PORT
  AllowAnyHost Yes
  Namespace ram1 1
CONF
	cat "$CONF"
}

start_tlshd() {
	cat >"$LAB_STATE/tlshd.conf" <<TLSHD
[debug]
loglevel=1
tls=1
nl=1
[authenticate]
keyrings=.nvme
TLSHD
	(tlshd -s -c "$LAB_STATE/tlshd.conf" >"$LAB_OUT/tlshd.log" 2>&1 &
		echo $! >"$LAB_STATE/tlshd.pid")
	sleep 1
	kill -0 "$(cat "$LAB_STATE/tlshd.pid")"
}

connect_tls() {
	lab_connect "$NQN" "$HOST_A" --nr-io-queues 2 --tls
	lab_ns_dev "$NQN"
}

# Discovery over the plain listener: the TLS subsystem's entry says TLS.
discover_tls_entry() {
	local out
	out=$(timeout 60 nvme discover -t tcp -a "$LAB_ADDR" -s "$PLAIN_PORT" --hostnqn "$HOST_A" \
		--hostid "$(lab_hostid "$HOST_A")")
	echo "$out"
	echo "$out" | lab_disc_has "$NQN" tcp "$LAB_ADDR" "$LAB_PORT"
	echo "$out" | awk -v nqn="$NQN" -v port="$LAB_PORT" '
		function check() {
			if (e["subnqn"] == nqn && e["trsvcid"] == port && e["treq"] ~ /^required/ &&
			    e["sectype"] == "tls13") found = 1
			delete e
		}
		/^=+Discovery Log Entry/ { check(); next }
		/^[a-z_]+: / { k = $1; sub(":", "", k); v = $0; sub(/^[a-z_]+: +/, "", v); e[k] = v }
		END { check(); exit !found }'
}

reconnect_tls() {
	connect_tls
	lab_fio_verify "$(lab_ns_dev "$NQN")" 4k 8 4M
	lab_disconnect "$NQN"
}

fio_tls() {
	lab_fio_verify "$(lab_ns_dev "$NQN")" 4k 16 8M
	lab_fio_verify "$(lab_ns_dev "$NQN")" 128k 4 16M
}

# The target's log names the record path of each TLS connection.
log_says_ktls() {
	local log
	log=$(lab_tgt_log)
	grep -E "TLS 1.3 TLS_AES_128_GCM_SHA256, records by" "$log"
	grep -q "records by kernel TLS" "$log"
}

wrong_key_refused() {
	local log
	if lab_connect "$NQN" "$HOST_B" --tls; then
		echo "connect with a key the target does not have succeeded"
		return 1
	fi
	log=$(lab_tgt_log)
	grep -F "TLS handshake failed" "$log"
}

plain_refused() {
	local log
	if lab_connect "$NQN" "$HOST_A"; then
		echo "a plain connect to a secure=tls listener succeeded"
		return 1
	fi
	log=$(lab_tgt_log)
	grep -F "plain NVMe/TCP" "$log"
}

lab_must gen-key-a gen_key "$LAB_STATE/key_a"
lab_must gen-key-b-host gen_key "$LAB_STATE/key_b_host"
lab_must gen-key-b-target gen_key "$LAB_STATE/key_b_target"
lab_must insert-key-a insert_key "$HOST_A" "$LAB_STATE/key_a"
lab_must insert-key-b insert_key "$HOST_B" "$LAB_STATE/key_b_host"
lab_must tlshd-start start_tlshd
lab_must write-conf write_conf
lab_must tgt-start tgt_start "$CONF"
lab_step discover-tls-entry discover_tls_entry
lab_must connect-tls connect_tls
lab_step fio-verify-tls fio_tls
lab_step log-kernel-tls log_says_ktls
lab_step disconnect lab_disconnect "$NQN"
lab_step reconnect-tls reconnect_tls
lab_step wrong-key-refused wrong_key_refused
lab_step plain-refused plain_refused
lab_step tgt-stop tgt_stop
lab_finish
