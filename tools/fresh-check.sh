#!/usr/bin/env bash
# The README's two commands, typed as a newcomer would on a fresh Debian 12
# machine: a minimal bookworm root (debootstrap minbase plus make and git),
# a clean clone of REF in /root/nvmf-tgt, then in a chroot:
#   make        (plain, nothing installed) must stop with "run make deps"
#   make run    until nvmf_tgt says "ready: serving"; a verified nvmf_perf
#               run against it; SIGINT; the target and make must exit 0
#   make test   without the lab and this check (NVMF_TEST_SKIP), in its own
#               network namespace with only loopback up; must pass
#
#   tools/fresh-check.sh [REF]     REF: any commit of this repository (HEAD)
#
# Needs root, debootstrap, unshare, flock and ip (make deps installs them).
# Cache: ${NVMF_FRESH_CACHE:-/var/cache/nvmf-tgt-fresh}/<recipe-hash>/rootfs,
# built once under flock; the hash covers the suite, the package list and
# the function that builds it. Each run works on a copy of it, which it
# removes at the end; the cached root is never changed. Downloaded .deb
# files are kept in apt-archives/ beside it and bind-mounted as the copy's
# apt archives, so later runs download less; they still install everything.
# The whole check runs in a private mount namespace, so its mounts never
# show on the host and go away with it even when it is killed.
# Environment: NVMF_FRESH_CACHE, NVMF_FRESH_MIRROR (deb.debian.org),
# NVMF_FRESH_SECURITY (its debian-security), NVMF_NET_LOCK: the lock held
# around make run and nvmf_perf (/tmp/nvmf-net.lock; empty: none, for a
# caller that already holds it; waits at most 30 minutes for it).
set -uo pipefail

SELF=$(readlink -f "${BASH_SOURCE[0]}")
REPO=$(cd "$(dirname "$SELF")/.." && pwd)
SUITE=bookworm
INCLUDE=(make git)
MIRROR=${NVMF_FRESH_MIRROR:-http://deb.debian.org/debian}
SECURITY=${NVMF_FRESH_SECURITY:-http://deb.debian.org/debian-security}
CACHE_ROOT=${NVMF_FRESH_CACHE:-/var/cache/nvmf-tgt-fresh}
NET_LOCK=${NVMF_NET_LOCK-/tmp/nvmf-net.lock}
SRC=/root/nvmf-tgt # the clone, as seen inside the root
NQN=nqn.2016-06.io.nvmf-tgt:ram0
PERF="build/bin/nvmf_perf -r 'trtype:TCP traddr:127.0.0.1 trsvcid:4420 subnqn:$NQN'"
PERF+=" -w randrw -M 50 -q 8 -o 4096 -t 3 --verify --json"
CHROOT_ENV=(env -i HOME=/root LANG=C.UTF-8 TERM=dumb
	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)

log() { echo "fresh: $*"; }
die() {
	fail "$*"
	finish
}

# ------------------------------------------------------------- cached root
# Populate ROOTFS with what a fresh Debian 12 machine has, plus make and git
# (to clone and to type the README's commands). The caller holds the lock.
bootstrap_root() { # rootfs
	local rootfs=$1 inc
	inc=$(
		IFS=,
		echo "${INCLUDE[*]}"
	)
	debootstrap --variant=minbase --include="$inc" \
		--keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
		"$SUITE" "$rootfs" "$MIRROR" || return 1
	cat >"$rootfs/etc/apt/sources.list" <<-EOF
		deb $MIRROR $SUITE main
		deb $MIRROR $SUITE-updates main
		deb $SECURITY $SUITE-security main
	EOF
	printf '127.0.0.1 localhost\n::1 localhost\n' >"$rootfs/etc/hosts"
	echo fresh >"$rootfs/etc/hostname"
	# No service a package brings may start on the host's init.
	printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
	chmod 0755 "$rootfs/usr/sbin/policy-rc.d"
	rm -rf "$rootfs/var/cache/apt/archives/"*.deb "$rootfs/var/lib/apt/lists/"*_*
}

recipe_hash() {
	{
		printf '%s\n' "$SUITE" "${INCLUDE[@]}"
		declare -f bootstrap_root
	} | sha256sum | cut -c1-16
}

# Print the cached root's directory, building it first when needed.
cached_root() {
	local dir tmp
	dir=$CACHE_ROOT/$(recipe_hash)
	mkdir -p "$CACHE_ROOT"
	exec 9>"$dir.lock"
	flock 9
	if [ ! -f "$dir/ready" ]; then
		tmp=$dir.tmp
		rm -rf --one-file-system "$tmp"
		mkdir -p "$tmp"
		log "debootstrap $SUITE minbase + ${INCLUDE[*]} into $dir" >&2
		if ! bootstrap_root "$tmp/rootfs" >"$tmp/debootstrap.log" 2>&1; then
			tail -n 30 "$tmp/debootstrap.log" >&2
			exec 9>&-
			return 1
		fi
		rm -rf "$dir"
		mv "$tmp" "$dir"
		touch "$dir/ready"
	fi
	exec 9>&-
	echo "$dir"
}

# ------------------------------------------------------------------ one run
RUN='' ROOT='' MOUNTS=() TGT_PGID='' HUGE_DIR_MADE=0 HUGE_SET=''

# Drop run directories that no live run holds (left by a killed run).
prune_runs() {
	local d
	for d in "$CACHE_ROOT"/run.*; do
		[ -d "$d" ] || continue
		flock -n "$d/lock" true 2>/dev/null || continue
		rm -rf --one-file-system "$d"
	done
}

new_run() {
	exec 9>"$CACHE_ROOT/runs.lock"
	flock 9
	prune_runs
	RUN=$(mktemp -d "$CACHE_ROOT/run.XXXXXX") || return 1
	exec 8>"$RUN/lock"
	flock 8
	exec 9>&-
	ROOT=$RUN/root
}

mount_in() { # mount args... target (last)
	mount "$@" && MOUNTS+=("${*: -1}")
}

mount_all() {
	local archives=$CACHE_ROOT/apt-archives
	mkdir -p "$archives/partial"
	mount_in --bind "$archives" "$ROOT/var/cache/apt/archives" &&
		mount_in -t proc proc "$ROOT/proc" &&
		mount_in --bind /sys "$ROOT/sys" &&
		mount_in --bind /dev "$ROOT/dev" &&
		mount_in --bind /dev/pts "$ROOT/dev/pts" &&
		mount_in -t tmpfs tmpfs "$ROOT/dev/shm" || return 1
	if [ ! -d /dev/hugepages ]; then
		mkdir /dev/hugepages && HUGE_DIR_MADE=1
	fi
	mount_in -t hugetlbfs nodev "$ROOT/dev/hugepages"
}

cleanup() {
	local i
	if [ -n "$TGT_PGID" ]; then
		kill -TERM -- "-$TGT_PGID" 2>/dev/null && sleep 2
		kill -KILL -- "-$TGT_PGID" 2>/dev/null
	fi
	for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
		umount "${MOUNTS[i]}" 2>/dev/null || umount -l "${MOUNTS[i]}"
	done
	[ "$HUGE_DIR_MADE" -eq 1 ] && rmdir /dev/hugepages 2>/dev/null
	# make run reserved hugepages on the host: give back what nobody changed.
	if [ -n "$HUGE_SET" ] && [ "$(cat /proc/sys/vm/nr_hugepages)" = "${HUGE_SET#*:}" ]; then
		echo "${HUGE_SET%%:*}" >/proc/sys/vm/nr_hugepages 2>/dev/null
	fi
	if [ -n "$RUN" ] && ! grep -q " $RUN/" /proc/self/mounts; then
		# The logs of the last run stay (make-run.log, perf.json, make-test.log).
		rm -rf "$CACHE_ROOT/last-logs"
		mkdir -p "$CACHE_ROOT/last-logs"
		cp "$RUN"/*.log "$RUN"/*.json "$RUN"/*.err "$CACHE_ROOT/last-logs/" 2>/dev/null
		rm -rf --one-file-system "$RUN"
	fi
}

# -------------------------------------------------------------- the checks
PASSED=0 FAILED=0 T0=$SECONDS PHASE_T0=$SECONDS

phase() { # name
	PHASE_T0=$SECONDS
	log "== $1"
}

# Each result line gives the seconds since the last one or the phase start.
ok() { # message
	PASSED=$((PASSED + 1))
	log "ok: $* ($((SECONDS - PHASE_T0)) s)"
	PHASE_T0=$SECONDS
}

fail() { # message [log]
	FAILED=$((FAILED + 1))
	log "FAILED: $1 ($((SECONDS - PHASE_T0)) s)"
	PHASE_T0=$SECONDS
	if [ -n "${2:-}" ] && [ -f "$2" ]; then
		if grep -q '^FAIL: ' "$2"; then
			log "failed tests in ${2##*/}:"
			grep -A 30 '^FAIL: ' "$2" | head -n 150 | sed 's/^/    /'
		fi
		log "last lines of ${2##*/}:"
		tail -n 30 "$2" | sed 's/^/    /'
	fi
}

finish() {
	log "total time $((SECONDS - T0)) s"
	[ "$FAILED" -eq 0 ] || [ -z "$RUN" ] || log "logs: $CACHE_ROOT/last-logs/"
	echo "fresh: $PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ] && [ "$PASSED" -gt 0 ]
	exit
}

in_root() { # command line, run by bash in $SRC
	chroot "$ROOT" "${CHROOT_ENV[@]}" /bin/bash -c "cd $SRC && $1"
}

# Print the pid of the nvmf_tgt below process PID, if any.
target_pid() { # pid
	local p stat comm ppid want=" $1 " found=1
	while [ "$found" -eq 1 ]; do
		found=0
		for p in /proc/[0-9]*; do
			stat=$(cat "$p/stat" 2>/dev/null) || continue
			comm=${stat#*(} comm=${comm%)*}
			ppid=$(echo "${stat##*) }" | cut -d' ' -f2)
			[[ "$want" == *" $ppid "* ]] && [[ "$want" != *" ${p#/proc/} "* ]] || continue
			want+="${p#/proc/} " found=1
			[ "$comm" = nvmf_tgt ] && echo "${p#/proc/}" && return 0
		done
	done
	return 1
}

# Plain make, before any package is there, must say what to do.
check_plain_make() {
	local out=$RUN/plain-make.log
	in_root make >"$out" 2>&1 </dev/null
	if [ $? -ne 0 ] && grep -q "missing .*: run 'make deps'" "$out"; then
		sed 's/^/    /' "$out"
		ok "plain make stops with a clear message"
	else
		fail "plain make on the fresh root did not ask for make deps" "$out"
	fi
}

# make run in the background until the target is ready.
start_make_run() {
	local out=$RUN/make-run.log deadline=$((SECONDS + 3600)) deps_s=''
	HUGE_SET="$(cat /proc/sys/vm/nr_hugepages):"
	: >"$out"
	setsid chroot "$ROOT" "${CHROOT_ENV[@]}" /bin/bash -c "cd $SRC && exec make run" \
		>"$out" 2>&1 </dev/null &
	TGT_PGID=$!
	while ! grep -q 'ready: serving' "$out"; do
		if [ -z "$deps_s" ] && grep -q '^deps: done' "$out"; then
			deps_s=$((SECONDS - PHASE_T0))
			log "    make deps done after $deps_s s; building"
		fi
		if ! kill -0 "$TGT_PGID" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
			wait "$TGT_PGID"
			fail "make run ended (exit $?) before the target was ready" "$out"
			TGT_PGID=
			return 1
		fi
		sleep 2
	done
	HUGE_SET+=$(cat /proc/sys/vm/nr_hugepages)
	grep -E '^(deps|run):|ready: serving' "$out" | sed 's/^/    /'
	ok "make run: the target is serving"
}

check_perf() {
	local out=$RUN/perf.json errs=$RUN/perf.err rc v e
	in_root "$PERF" >"$out" 2>"$errs"
	rc=$?
	# The last object of the report is the total.
	v=$(grep -o '"verified": *[0-9]*' "$out" | tail -n 1 | grep -o '[0-9]*$')
	e=$(grep -oE '"(io|verify)_errors": *[0-9]*' "$out" | tail -n 2 |
		awk '{ s += $2; n++ } END { if (n == 2) print s }')
	log "    nvmf_perf exit $rc, total: ${v:-?} reads verified, ${e:-?} errors"
	if [ "$rc" -eq 0 ] && [ "${v:-0}" -gt 0 ] && [ "${e:-1}" -eq 0 ]; then
		ok "nvmf_perf randrw --verify against it"
	else
		cat "$errs" >>"$out"
		fail "nvmf_perf randrw --verify against it" "$out"
	fi
}

stop_target() {
	local out=$RUN/make-run.log pid rc i
	pid=$(target_pid "$TGT_PGID") || {
		fail "no nvmf_tgt process under make run" "$out"
		return 1
	}
	kill -INT "$pid"
	for ((i = 0; i < 60; i++)); do
		kill -0 "$TGT_PGID" 2>/dev/null || break
		sleep 1
	done
	kill -0 "$TGT_PGID" 2>/dev/null && {
		fail "make run still running 60 s after SIGINT to nvmf_tgt" "$out"
		return 1
	}
	wait "$TGT_PGID"
	rc=$?
	TGT_PGID=
	if [ "$rc" -eq 0 ] && grep -q 'nvmf_tgt: stopped' "$out"; then
		ok "SIGINT: nvmf_tgt stopped, make run exited 0"
	else
		fail "after SIGINT make run exited $rc" "$out"
	fi
}

# The README's `make test`, less the lab and this check, with only its own
# loopback: nothing it starts can meet a port in use on the host.
check_make_test() {
	local out=$RUN/make-test.log rc
	unshare --net -- /bin/bash -c 'ip link set lo up && exec "$@"' - \
		chroot "$ROOT" "${CHROOT_ENV[@]}" NVMF_TEST_SKIP="interop fresh" \
		/bin/bash -c "cd $SRC && timeout 5400 make test" >"$out" 2>&1 </dev/null
	rc=$?
	grep -E '^(=== |[a-z-]+: [0-9]+ passed, [0-9]+ failed|failed parts:|total:)' "$out" | sed 's/^/    /'
	if [ "$rc" -eq 0 ] && grep -qE '^total: [1-9][0-9]* passed, 0 failed' "$out"; then
		ok "make test (NVMF_TEST_SKIP=\"interop fresh\", own network namespace)"
	else
		fail "make test exited $rc" "$out"
	fi
}

prepare() { # ref
	local sha dir
	sha=$(git -C "$REPO" rev-parse --verify --quiet "$1^{commit}") || die "unknown commit: $1"
	phase "root: cached Debian $SUITE minbase + ${INCLUDE[*]}"
	dir=$(cached_root) || die "cannot build the root (see above)"
	new_run || die "cannot make a run directory in $CACHE_ROOT"
	cp -a "$dir/rootfs" "$ROOT" || die "cannot copy $dir/rootfs"
	cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
	log "copy of $dir/rootfs in $ROOT ($((SECONDS - PHASE_T0)) s)"
	phase "clone $1 ($sha) into $SRC"
	git clone -q --no-local "$REPO" "$ROOT$SRC" &&
		git -C "$ROOT$SRC" checkout -q --detach "$sha" || die "cannot clone $sha"
	mount_all || die "cannot mount /proc, /sys, /dev, /dev/pts, hugetlbfs in $ROOT"
}

main() {
	local ref=${1:-HEAD}
	prepare "$ref"
	phase "make (nothing installed yet)"
	check_plain_make
	phase "make run (then nvmf_perf, SIGINT)"
	if [ -n "$NET_LOCK" ]; then
		exec 7>"$NET_LOCK"
		flock -w 1800 7 || die "no $NET_LOCK in 30 min (a caller holding it: NVMF_NET_LOCK='')"
		log "    got $NET_LOCK after $((SECONDS - PHASE_T0)) s"
		PHASE_T0=$SECONDS
	fi
	if start_make_run; then
		check_perf
		stop_target
	fi
	if [ -n "$NET_LOCK" ]; then
		flock -u 7
		exec 7>&-
	fi
	phase "make test"
	check_make_test
	finish
}

if [ "${NVMF_FRESH_NS:-}" != 1 ]; then
	[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot, mounts); run it as root"
	for t in debootstrap unshare flock ip chroot git; do
		command -v "$t" >/dev/null || die "missing $t (run 'make deps')"
	done
	NVMF_FRESH_NS=1 exec unshare --mount --propagation private -- "$SELF" "$@"
fi
trap cleanup EXIT
trap 'exit 1' INT TERM
main "$@"
