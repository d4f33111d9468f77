#!/usr/bin/env bash
# NVMe reservations with the kernel host: our target serves one RAM
# namespace on two NVMe/TCP listeners; the guest connects twice with two
# host identities (different --hostnqn and --hostid), one per listener, so
# each controller is a host of its own. Host A registers and acquires a
# Write Exclusive reservation, resv-report shows it; a write by host B (a
# registrant, not the holder) fails with Reservation Conflict while its read
# succeeds; A releases, and B's write succeeds. Commands go to each
# controller's own device (/dev/nvmeX, NSID 1) so that the kernel's path
# choice cannot mix the two identities.
# Run: tools/vm/run.sh tests/interop/guest_driver.sh resv.sh
set -euo pipefail
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"

NQN=nqn.2016-06.io.nvmf-tgt:resv0
HOST_A=nqn.2014-08.org.nvmexpress:uuid:aaaaaaaa-0000-4000-8000-0000000000a1
HOST_B=nqn.2014-08.org.nvmexpress:uuid:aaaaaaaa-0000-4000-8000-0000000000b2
KEY_A=0xa1a1
KEY_B=0xb2b2
CONF=$LAB_STATE/resv.conf

trap lab_cleanup EXIT

start_target() {
	mkdir -p "$LAB_STATE/resv"
	cat >"$CONF" <<EOF
[Global]
  ReactorMask 0x3
  LogLevel info
  IdleSleep Yes
  ReservationDir $LAB_STATE/resv

[Transport]
  Type TCP
  MaxQueueDepth 128
  InCapsuleDataSize 8192

[Ram]
  Name resv0
  Size 64M
  BlockSize 512

[Subsystem]
  NQN $NQN
  SN RESV0001
  Listen TCP 127.0.0.1:4420
  Listen TCP 127.0.0.1:4421
  AllowAnyHost Yes
  Namespace resv0 1
EOF
	tgt_start "$CONF"
	lab_wait 20 lab_port_open 127.0.0.1 4421
}

connect_as() { # hostnqn port
	timeout 90 nvme connect -t tcp -a 127.0.0.1 -s "$2" -n "$NQN" \
		--hostnqn "$1" --hostid "$(lab_hostid "$1")"
}

connect_two() {
	connect_as "$HOST_A" 4420
	connect_as "$HOST_B" 4421
	lab_wait 20 lab_ctrl_dev "$NQN" "$HOST_A"
	lab_wait 20 lab_ctrl_dev "$NQN" "$HOST_B"
	lab_ctrl_dev "$NQN" "$HOST_A" >"$LAB_STATE/a"
	lab_ctrl_dev "$NQN" "$HOST_B" >"$LAB_STATE/b"
	[ "$(cat "$LAB_STATE/a")" != "$(cat "$LAB_STATE/b")" ]
	echo "host A: $(cat "$LAB_STATE/a"), host B: $(cat "$LAB_STATE/b")"
	nvme list-subsys
}

dev() { cat "$LAB_STATE/$1"; }

# One 512-byte block at LBA 8 written (pattern file) or read, by host $1.
blk_write() { # a|b file
	nvme io-passthru "$(dev "$1")" --opcode=0x01 --namespace-id=1 --data-len=512 \
		--cdw10=8 --cdw11=0 --cdw12=0 --write --input-file="$2"
}

blk_read() { # a|b
	nvme io-passthru "$(dev "$1")" --opcode=0x02 --namespace-id=1 --data-len=512 \
		--cdw10=8 --cdw11=0 --cdw12=0 --read -b
}

register_both() {
	nvme resv-register "$(dev a)" --namespace-id=1 --nrkey="$KEY_A" --rrega=0
	nvme resv-register "$(dev b)" --namespace-id=1 --nrkey="$KEY_B" --rrega=0
}

acquire_a() {
	nvme resv-acquire "$(dev a)" --namespace-id=1 --crkey="$KEY_A" --rtype=1 --racqa=0
}

report() {
	local out
	out=$(nvme resv-report "$(dev b)" --namespace-id=1 --eds --numd=1023)
	echo "$out" | tee "$LAB_OUT/resv.report.txt"
	grep -Eq '^rtype *: *1$' <<<"$out"
	grep -Eq '^regctl *: *2$' <<<"$out"
	grep -Eqi "rkey *: *(0x)?0*${KEY_A#0x}$" <<<"$out"
	grep -Eqi "rkey *: *(0x)?0*${KEY_B#0x}$" <<<"$out"
	# The holder's entry has rcsts 1: one such entry.
	[ "$(grep -Ec '^ *rcsts *: *(1|0x1)$' <<<"$out")" -eq 1 ]
}

holder_writes() {
	head -c 512 /dev/urandom >"$LAB_STATE/pat_a"
	blk_write a "$LAB_STATE/pat_a"
	blk_read b | cmp - "$LAB_STATE/pat_a"
}

other_write_conflicts() {
	local out
	head -c 512 /dev/urandom >"$LAB_STATE/pat_b"
	if out=$(blk_write b "$LAB_STATE/pat_b" 2>&1); then
		echo "host B's write succeeded under A's Write Exclusive reservation: $out"
		return 1
	fi
	echo "$out"
	grep -Eqi 'reservation.?conflict|0x83\b|0x(40)?83\)' <<<"$out"
	# The block still holds A's data.
	blk_read a | cmp - "$LAB_STATE/pat_a"
}

release_a() {
	nvme resv-release "$(dev a)" --namespace-id=1 --crkey="$KEY_A" --rtype=1 --rrela=0
	nvme resv-report "$(dev a)" --namespace-id=1 --eds --numd=1023 | tee "$LAB_STATE/rep2"
	grep -Eq '^rtype *: *0$' "$LAB_STATE/rep2"
}

other_writes_after_release() {
	blk_write b "$LAB_STATE/pat_b"
	blk_read a | cmp - "$LAB_STATE/pat_b"
}

unregister_both() {
	nvme resv-register "$(dev a)" --namespace-id=1 --crkey="$KEY_A" --rrega=1
	nvme resv-register "$(dev b)" --namespace-id=1 --crkey="$KEY_B" --rrega=1
	nvme resv-report "$(dev a)" --namespace-id=1 --eds --numd=1023 | tee "$LAB_STATE/rep3"
	grep -Eq '^regctl *: *0$' "$LAB_STATE/rep3"
}

stop_target() {
	nvme disconnect-all
	tgt_stop
}

lab_must "nvmf_tgt serves resv0 on two listeners" start_target
lab_must "two host identities connect (4420 as A, 4421 as B)" connect_two
lab_must "both hosts register a key" register_both
lab_must "host A acquires Write Exclusive" acquire_a
lab_step "resv-report: Write Exclusive, two registrants, A holds it" report
lab_step "the holder writes, the other host reads it" holder_writes
lab_step "host B's write fails with Reservation Conflict" other_write_conflicts
lab_step "host A releases" release_a
lab_step "host B writes after the release" other_writes_after_release
lab_step "both unregister" unregister_both
lab_step "hosts disconnect, target exits 0" stop_target
lab_finish
