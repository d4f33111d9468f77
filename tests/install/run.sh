#!/usr/bin/env bash
# make install / make uninstall into temporary DESTDIRs, and the installed
# programs at work:
#   - the files installed, with their modes, are exactly tests/install/expected.txt;
#   - an existing nvmf-tgt.conf is kept; no @TOKEN@ is left; the man pages
#     render without warnings and document every conf directive and option;
#   - systemd-analyze verify accepts the unit (a copy whose paths point into
#     DESTDIR, since verify wants ExecStart's binary at its absolute path);
#   - the installed nvmf_tgt serves the installed example conf (on $PORT):
#     nvmf_perf --verify for 2 s verifies reads, SIGTERM gives exit 0;
#   - the readiness protocol: READY=1 only once the port accepts, then
#     STOPPING=1 on SIGTERM (tests/install/notify_listen.c), path and
#     abstract sockets;
#   - make uninstall leaves no file behind.
# Uses the release build (build/), building it when needed. Takes
# /tmp/nvmf-net.lock around the runs on $PORT, unless it runs under a
# process that holds it already. Last line: "install: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1

PORT=${NVMF_INSTALL_PORT:-4433}
NQN=nqn.2016-06.io.nvmf-tgt:ram0
HELPER=build/test/tests/install/notify_listen
unset NOTIFY_SOCKET

passed=0 failed=0
T=$(mktemp -d /tmp/nvmf-install.XXXXXX)
trap 'rm -rf "$T"' EXIT
D=$T/dest     # the default layout
DU=$T/dest-usr # PREFIX=/usr

pass() {
	echo "PASS: install/$1"
	passed=$((passed + 1))
}
fail() { # name [detail file or text]
	echo "FAIL: install/$1"
	if [ -f "${2:-}" ]; then
		tail -n 40 "$2" | sed 's/^/    /'
	elif [ -n "${2:-}" ]; then
		echo "$2" | sed 's/^/    /'
	fi
	failed=$((failed + 1))
}
check() { # name detail command...
	local name=$1 detail=$2
	shift 2
	if "$@"; then pass "$name"; else fail "$name" "$detail"; fi
}

mk() { # make arguments...
	make --no-print-directory -j"${JOBS:-2}" "$@" >"$T/make.log" 2>&1
}

# Every file and symlink under $1, as "MODE path", sorted.
listing() {
	(cd "$1" && find . ! -type d -printf '%m %P\n' | LC_ALL=C sort -k2)
}

source tests/install/checks.sh

# ---------------------------------------------------------------- install
if ! mk install DESTDIR="$D"; then
	fail make-install "$T/make.log"
	echo "install: $passed passed, $failed failed"
	exit 1
fi
pass make-install
listing "$D" >"$T/got.txt"
check files "$(diff tests/install/expected.txt "$T/got.txt")" \
	cmp -s tests/install/expected.txt "$T/got.txt"
check default-conf "it differs from conf/examples/ram.conf" \
	cmp -s conf/examples/ram.conf "$D/etc/nvmf-tgt/nvmf-tgt.conf"
check no-tokens-left "$(grep -rl '@[A-Z]*DIR@' "$D")" \
	sh -c "! grep -rq '@[A-Z]*DIR@' '$D'"
check unit-paths "$(grep '^Exec' "$D/usr/local/lib/systemd/system/nvmf-tgt.service")" \
	grep -qx 'ExecStart=/usr/local/sbin/nvmf_tgt -c /etc/nvmf-tgt/nvmf-tgt.conf' \
	"$D/usr/local/lib/systemd/system/nvmf-tgt.service"

echo "# edited" >>"$D/etc/nvmf-tgt/nvmf-tgt.conf"
if mk install DESTDIR="$D"; then
	check conf-kept "make install overwrote an edited nvmf-tgt.conf" \
		grep -qx '# edited' "$D/etc/nvmf-tgt/nvmf-tgt.conf"
else
	fail conf-kept "$T/make.log"
fi

check_man "$D/usr/local/share/man"
check_unit "$D"
check_prefix_usr "$DU"

# ------------------------------------------------------- the programs run
sed -e "s/127\.0\.0\.1:4420/127.0.0.1:$PORT/" "$D/usr/local/share/nvmf-tgt/examples/ram.conf" \
	>"$T/serve.conf"
net_lock
check_serve "$D" "$T/serve.conf"
for mode in path abstract; do
	opt=()
	[ $mode = abstract ] && opt=(-a)
	if "$HELPER" "${opt[@]}" "$PORT" 30 -- \
		"$D/usr/local/sbin/nvmf_tgt" -c "$T/serve.conf" >"$T/notify.log" 2>&1; then
		pass "notify-$mode"
	else
		fail "notify-$mode" "$T/notify.log"
	fi
done
net_unlock

# -------------------------------------------------------------- uninstall
if mk uninstall DESTDIR="$D"; then
	left=$(find "$D" ! -type d)
	check uninstall-files "left behind: $left" test -z "$left"
	check uninstall-dirs "left behind: $(ls -d "$D/etc/nvmf-tgt" "$D/usr/local/share/nvmf-tgt" 2>&1)" \
		sh -c "[ ! -e '$D/etc/nvmf-tgt' ] && [ ! -e '$D/usr/local/share/nvmf-tgt' ]"
	check uninstall-says-edited "$T/make.log" grep -q 'which had been edited' "$T/make.log"
else
	fail uninstall "$T/make.log"
fi

echo "install: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
