#!/usr/bin/env bash
# DH-HMAC-CHAP in-band authentication against our target with the Linux
# kernel host and nvme-cli. Secrets are made in the guest by
# `nvme gen-dhchap-key` (every --hmac variant, 0 to 3: untransformed and
# transformed with SHA-256/384/512) and written into our conf as generated.
# Host-only (unidirectional) and both-way (bidirectional) connects, each
# followed by fio verify; the negotiated hash and DH group asserted on both
# sides (our log and the kernel's); a subsystem whose DhchapDigests and
# DhchapDHGroups force SHA-384 with ffdhe3072 and one forcing SHA-512 with
# ffdhe4096; a wrong host secret, a wrong controller secret and a host with
# no secret refused, each with one line in our log; re-authentication of a
# live controller; no secret in our log.
# Run: tools/vm/run.sh tests/interop/guest_driver.sh dhchap.sh
set -euo pipefail
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"

NQN=nqn.2016-06.io.nvmf-tgt:auth0
NQN_384=nqn.2016-06.io.nvmf-tgt:auth384
NQN_512=nqn.2016-06.io.nvmf-tgt:auth512
HOST_0=nqn.2014-08.org.nvmexpress:uuid:d0000000-0000-4000-8000-000000000000
HOST_1=nqn.2014-08.org.nvmexpress:uuid:d1111111-0000-4000-8000-000000000001
HOST_B=nqn.2014-08.org.nvmexpress:uuid:db000000-0000-4000-8000-0000000000b2
HOST_W=nqn.2014-08.org.nvmexpress:uuid:de000000-0000-4000-8000-0000000000e3
HOST_G=nqn.2014-08.org.nvmexpress:uuid:d6000000-0000-4000-8000-000000000006
CONF=$LAB_STATE/dhchap.conf
K=$LAB_STATE/keys
trap lab_cleanup EXIT

key() { cat "$K/$1"; }

# A secret by nvme gen-dhchap-key into $K/NAME, checked for its form.
gen_key() { # name hmac len hostnqn
	local out key
	mkdir -p "$K"
	out=$(nvme gen-dhchap-key --hmac="$2" --key-length="$3" --nqn="$4")
	key=$(grep -o 'DHHC-1:0[0-3]:[A-Za-z0-9+/=]*:' <<<"$out")
	[[ "$key" == "DHHC-1:0$2:"* ]]
	# base64 of LEN secret bytes and a 4-byte CRC-32.
	[ "$(cut -d: -f3 <<<"$key" | base64 -d | wc -c)" -eq $(($3 + 4)) ]
	(umask 077 && echo "$key" >"$K/$1")
	echo "$1: hmac $2, $3 bytes"
}

gen_keys() {
	gen_key h0 0 32 "$HOST_0"
	gen_key h1 1 32 "$HOST_1"
	gen_key b_host 2 48 "$HOST_B"
	gen_key b_ctrl 3 64 "$HOST_B"
	gen_key b_ctrl_other 3 64 "$HOST_B"
	gen_key w_target 1 32 "$HOST_W"
	gen_key w_host 1 32 "$HOST_W"
	gen_key g_host 0 48 "$HOST_G"
	gen_key g_ctrl 0 64 "$HOST_G"
	gen_key g2_host 3 64 "$HOST_G"
	gen_key g2_ctrl 2 48 "$HOST_G"
}

write_conf() {
	cat >"$CONF" <<EOF
[Global]
  ReactorMask 0x3
  LogLevel info
  IdleSleep Yes

[Transport]
  Type TCP

[Ram]
  Name ram0
  Size 32M
[Ram]
  Name ram1
  Size 32M
[Ram]
  Name ram2
  Size 32M

# The default lists: the host offers them all, we take our first.
[Subsystem]
  NQN $NQN
  Listen TCP $LAB_ADDR:$LAB_PORT
  Host $HOST_0 dhchap_key=$(key h0)
  Host $HOST_1 dhchap_key=$(key h1)
  Host $HOST_B dhchap_key=$(key b_host) dhchap_ctrlr_key=$(key b_ctrl)
  Host $HOST_W dhchap_key=$(key w_target)
  Namespace ram0 1

[Subsystem]
  NQN $NQN_384
  Listen TCP $LAB_ADDR:$LAB_PORT
  Host $HOST_G dhchap_key=$(key g_host) dhchap_ctrlr_key=$(key g_ctrl)
  DhchapDigests sha384
  DhchapDHGroups ffdhe3072
  Namespace ram1 1

[Subsystem]
  NQN $NQN_512
  Listen TCP $LAB_ADDR:$LAB_PORT
  Host $HOST_G dhchap_key=$(key g2_host) dhchap_ctrlr_key=$(key g2_ctrl)
  DhchapDigests sha512
  DhchapDHGroups ffdhe4096
  Namespace ram2 1
EOF
	"$LAB_BUILD/bin/nvmf_tgt" --check -c "$CONF"
}

# Our log from the mark (log_mark) on; dmesg likewise (dmesg_mark).
log_mark() { wc -l <"$(lab_tgt_log)" >"$LAB_STATE/logmark"; }
log_new() { tail -n +"$(($(cat "$LAB_STATE/logmark") + 1))" "$(lab_tgt_log)"; }
dmesg_mark() { dmesg | wc -l >"$LAB_STATE/dmesgmark"; }
dmesg_new() { dmesg | tail -n +"$(($(cat "$LAB_STATE/dmesgmark") + 1))"; }

# Connect HOST to SUBNQN with the secrets given, fio verify, check that
# every queue (admin and both I/O queues) was authenticated with HASH and
# GROUP (and both ways when BIDIR), then disconnect.
auth_io() { # subnqn host hash group bidir [nvme connect args]
	local nqn=$1 host=$2 hash=$3 group=$4 bidir=$5 new line n
	shift 5
	log_mark
	dmesg_mark
	if ! lab_connect "$nqn" "$host" --nr-io-queues 2 "$@"; then
		echo "--- kernel log"
		dmesg_new
		sleep 2
		echo "--- our log"
		log_new
		return 1
	fi
	lab_fio_verify "$(lab_ns_dev "$nqn")" 4k 8 2M
	new=$(log_new)
	line="subsystem $nqn: host $host: queue [0-9]+: authenticated \($hash, $group"
	[ "$bidir" = yes ] && line+=", bidirectional\)" || line+="\)"
	grep -E "$line" <<<"$new"
	n=$(grep -Ec "$line" <<<"$new")
	echo "queues authenticated: $n"
	grep -Eq "queue 0: authenticated" <<<"$new"
	[ "$n" -eq 3 ]
	echo "--- kernel log"
	dmesg_new | tee "$LAB_STATE/dmesg.last"
	lab_disconnect "$nqn"
	if lab_find_ns "$nqn"; then
		echo "namespace of $nqn still present"
		return 1
	fi
}

# The kernel names the hash and group it used for a queue it authenticated.
kernel_says() { # hash group
	grep -Ei "qid 0: .*authenticated.*$1.*$2" "$LAB_STATE/dmesg.last"
}

# Writing the host secret to the controller's sysfs makes the kernel
# authenticate again while connected: new transactions on the live
# queues, no failure, and I/O goes on.
reauth() {
	local ctrl n end=$((SECONDS + 60))
	lab_connect "$NQN" "$HOST_1" --nr-io-queues 2 --dhchap-secret "$(key h1)"
	lab_ns_dev "$NQN" >/dev/null
	ctrl=$(lab_ctrl_dev "$NQN" "$HOST_1")
	log_mark
	dmesg_mark
	key h1 >"/sys/class/nvme/${ctrl#/dev/}/dhchap_secret"
	until log_new | grep -Eq "host $HOST_1: queue 0: authenticated \(sha256, null\)"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 1
	done
	sleep 3
	lab_fio_verify "$(lab_ns_dev "$NQN")" 4k 8 2M
	dmesg_new
	log_new | grep -E "host $HOST_1: queue [0-9]+: authenticated"
	n=$(log_new | grep -Ec "host $HOST_1: queue [0-9]+: authenticated")
	echo "queues authenticated again: $n"
	if log_new | grep -F "host $HOST_1" | grep -F "authentication failed"; then
		return 1
	fi
	lab_disconnect "$NQN"
}

# A connect that must fail, leave no controller, and put exactly one
# failure line for (subsystem, host) naming WHY in our log.
refused() { # subnqn host why [nvme connect args]
	local nqn=$1 host=$2 why=$3 new n
	shift 3
	log_mark
	dmesg_mark
	if lab_connect "$nqn" "$host" --nr-io-queues 2 "$@"; then
		echo "connect succeeded"
		return 1
	fi
	if lab_ctrl_dev "$nqn" "$host"; then
		echo "a controller exists for the refused host"
		return 1
	fi
	echo "--- kernel log"
	dmesg_new
	# Our target closes the queue a grace period after the failure.
	sleep 2
	new=$(log_new)
	echo "--- our log"
	echo "$new"
	n=$(grep -F "subsystem $nqn: host $host" <<<"$new" | grep -Fc "authentication failed" || true)
	[ "$n" -eq 1 ]
	grep -F "subsystem $nqn: host $host" <<<"$new" | grep -F "authentication failed: $why"
	if grep -F "authenticated (" <<<"$new"; then
		return 1
	fi
}

# No secret, or the base64 of one, appears in our log.
no_secret_logged() {
	local log f b64
	log=$(lab_tgt_log)
	for f in "$K"/*; do
		b64=$(cut -d: -f3 "$f")
		[ -n "$b64" ]
		if grep -Fq "$b64" "$log"; then
			echo "the secret $(basename "$f") is in $log"
			return 1
		fi
		if grep -Fq "${b64:0:16}" "$log"; then
			echo "part of the secret $(basename "$f") is in $log"
			return 1
		fi
	done
	echo "$(find "$K" -type f | wc -l) secrets checked against $(wc -l <"$log") log lines"
}

# What the host offers for secure channel concatenation, for the record
# (not a check): nvme-cli's option, and what the kernel makes of it.
concat_report() {
	local help rc=0
	help=$(nvme connect --help 2>&1 || true)
	dmesg_mark
	lab_connect "$NQN" "$HOST_0" --dhchap-secret "$(key h0)" --concat >/dev/null 2>&1 || rc=$?
	{
		echo "kernel $(uname -r), $(nvme version | head -n 1)"
		grep -i -- '--concat' <<<"$help" || echo "nvme connect: no --concat option"
		echo "nvme connect --concat: exit $rc"
		echo "kernel fabrics options: $(tr '\n' ' ' </dev/nvme-fabrics 2>/dev/null)"
		dmesg_new | grep -i 'concat\|nvme' | head -n 5
	} >"$LAB_OUT/dhchap.concat.txt" 2>&1
	nvme disconnect -n "$NQN" >/dev/null 2>&1 || true
	lab_log "secure concatenation: $(tr '\n' ';' <"$LAB_OUT/dhchap.concat.txt")"
}

lab_must gen-keys gen_keys
lab_must write-conf write_conf
lab_must tgt-start tgt_start "$CONF"
concat_report
lab_step "unidirectional, hmac 0 secret, default lists: sha256 null" \
	auth_io "$NQN" "$HOST_0" sha256 null no --dhchap-secret "$(key h0)"
lab_step "the kernel used sha256 null" kernel_says sha256 null
lab_step "unidirectional, hmac 1 secret" \
	auth_io "$NQN" "$HOST_1" sha256 null no --dhchap-secret "$(key h1)"
lab_step "re-authentication on a live controller (sysfs dhchap_secret)" reauth
lab_step "bidirectional, hmac 2 host and hmac 3 controller secrets" \
	auth_io "$NQN" "$HOST_B" sha256 null yes --dhchap-secret "$(key b_host)" \
	--dhchap-ctrl-secret "$(key b_ctrl)"
lab_step "the host secret alone on a host with a controller secret" \
	auth_io "$NQN" "$HOST_B" sha256 null no --dhchap-secret "$(key b_host)"
lab_step "forced sha384 ffdhe3072, bidirectional, hmac 0 secrets" \
	auth_io "$NQN_384" "$HOST_G" sha384 ffdhe3072 yes --dhchap-secret "$(key g_host)" \
	--dhchap-ctrl-secret "$(key g_ctrl)"
lab_step "the kernel used sha384 ffdhe3072" kernel_says sha384 ffdhe3072
lab_step "forced sha512 ffdhe4096, bidirectional, hmac 3 and 2 secrets" \
	auth_io "$NQN_512" "$HOST_G" sha512 ffdhe4096 yes --dhchap-secret "$(key g2_host)" \
	--dhchap-ctrl-secret "$(key g2_ctrl)"
lab_step "the kernel used sha512 ffdhe4096" kernel_says sha512 ffdhe4096
lab_step "wrong host secret refused" \
	refused "$NQN" "$HOST_W" "response mismatch" --dhchap-secret "$(key w_host)"
lab_step "wrong controller secret refused by the host" \
	refused "$NQN" "$HOST_B" "the host refused" --dhchap-secret "$(key b_host)" \
	--dhchap-ctrl-secret "$(key b_ctrl_other)"
lab_step "host without a secret refused" refused "$NQN" "$HOST_0" \
	"queue closed before the host began"
lab_step "no secret in our log" no_secret_logged
lab_step tgt-stop tgt_stop
lab_finish
