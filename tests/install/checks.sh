# shellcheck shell=bash
# The larger checks of tests/install/run.sh (sourced; uses its pass, fail,
# check, mk, listing, $T, $PORT, $NQN).

# The installed man pages under $1: they render without a warning, and
# they document every section, directive and alias of conf/directives.c
# and every long option nvmf_tgt --help lists.
check_man() {
	local man=$1 p5=$1/man5/nvmf-tgt.conf.5 p8=$1/man8/nvmf_tgt.8 missing="" w
	local text5 text8
	for p in "$p5" "$p8"; do
		w=$(LC_ALL=C.UTF-8 groff -man -ww -z -Tutf8 "$p" 2>&1)
		check "man-renders-$(basename "$p")" "$w" test $? -eq 0 -a -z "$w"
	done
	text5=$(groff -man -Tascii -rLL=500n -rHY=0 -P-cbou "$p5" 2>/dev/null)
	text8=$(groff -man -Tascii -rLL=500n -rHY=0 -P-cbou "$p8" 2>/dev/null)
	# A section is a subheading; a directive a tag of its own; an alias is named.
	for s in $(grep -oE '\[CONF_SECT_[A-Z]+\] = "[A-Za-z]+"' conf/directives.c |
		sed -E 's/.*"(.*)"/\1/'); do
		grep -qx "   \[$s\]" <<<"$text5" || missing+=" [$s]"
	done
	for k in $(grep -oE '\{D\([^"]*"[A-Za-z]+"' conf/directives.c | sed -E 's/.*"(.*)"/\1/'); do
		grep -qE "^       $k( |$)" <<<"$text5" || missing+=" $k"
	done
	for k in $(grep -oE '\{D\([^"]*"[A-Za-z]+", "[A-Za-z]+"' conf/directives.c |
		sed -E 's/.*"(.*)"/\1/'); do
		grep -qE "Alias: $k\." <<<"$text5" || missing+=" $k"
	done
	check man-conf-directives "not in nvmf-tgt.conf(5):$missing" test -z "$missing"
	missing=""
	for o in $("$man/../../sbin/nvmf_tgt" --help | grep -oE -- '--[a-z-]+'); do
		grep -q -- "$o" <<<"$text8" || missing+=" $o"
	done
	check man-tgt-options "not in nvmf_tgt(8):$missing" test -z "$missing"
}

# systemd-analyze verify on a copy of the unit installed under $1 whose
# absolute paths point into $1 (verify wants ExecStart's binary where the
# unit says); MANPATH lets it find the installed man pages it links to.
check_unit() {
	local d=$1 out
	if ! command -v systemd-analyze >/dev/null; then
		fail unit-verify "systemd-analyze is missing (make deps installs systemd)"
		return
	fi
	mkdir -p "$T/verify"
	sed -e "s|=\(-\?\)/usr/local/|=\1$d/usr/local/|" -e "s| /etc/nvmf-tgt/| $d/etc/nvmf-tgt/|" \
		"$d/usr/local/lib/systemd/system/nvmf-tgt.service" >"$T/verify/nvmf-tgt.service"
	out=$(MANPATH=$d/usr/local/share/man SYSTEMD_LOG_COLOR=0 \
		systemd-analyze verify "$T/verify/nvmf-tgt.service" 2>&1)
	check unit-verify "$out" test $? -eq 0 -a -z "$out"
}

# PREFIX=/usr: the unit goes to /usr/lib/systemd/system and names
# /usr/sbin/nvmf_tgt; the conf file stays in /etc; uninstall clears it.
check_prefix_usr() {
	local d=$1 unit=$1/usr/lib/systemd/system/nvmf-tgt.service
	if ! mk install PREFIX=/usr DESTDIR="$d"; then
		fail prefix-usr "$T/make.log"
		return
	fi
	check prefix-usr-layout "$(listing "$d")" \
		sh -c "grep -qx 'ExecStart=/usr/sbin/nvmf_tgt -c /etc/nvmf-tgt/nvmf-tgt.conf' '$unit' &&
		       [ -x '$d/usr/sbin/nvmf_tgt' ] && [ -f '$d/etc/nvmf-tgt/nvmf-tgt.conf' ] &&
		       [ -f '$d/usr/share/man/man8/nvmf_tgt.8' ] &&
		       [ \$(find '$d' ! -type d | wc -l) -eq $(wc -l <tests/install/expected.txt) ]"
	if mk uninstall PREFIX=/usr DESTDIR="$d"; then
		check prefix-usr-uninstall "left: $(find "$d" ! -type d)" \
			test -z "$(find "$d" ! -type d)"
	else
		fail prefix-usr-uninstall "$T/make.log"
	fi
}

port_open() {
	(exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null
}

# The installed nvmf_tgt (under $1) serves conf $2: nvmf_perf --verify
# for 2 s checks reads, SIGTERM stops it with exit 0. NOTIFY_SOCKET names
# a socket nobody listens on: only a warning.
check_serve() {
	local tgt=$1/usr/local/sbin/nvmf_tgt perf=$1/usr/local/bin/nvmf_perf pid rc verified
	if port_open; then
		fail serve "127.0.0.1:$PORT is in use by something else (NVMF_INSTALL_PORT=...)"
		return
	fi
	NOTIFY_SOCKET=$T/nobody-listens "$tgt" -c "$2" >"$T/tgt.log" 2>&1 &
	pid=$!
	for _ in $(seq 300); do
		port_open && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if ! port_open; then
		fail serve "$T/tgt.log"
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		return
	fi
	pass serve
	check notify-unheard-warns "$T/tgt.log" \
		grep -q "cannot tell the service manager READY=1" "$T/tgt.log"
	"$perf" -r "trtype:TCP adrfam:IPv4 traddr:127.0.0.1 trsvcid:$PORT subnqn:$NQN" \
		-q 8 -o 4096 -w randrw -t 2 --verify --json >"$T/perf.json" 2>"$T/perf.err"
	rc=$?
	verified=$(grep -oE '"verified": *[0-9]+' "$T/perf.json" | grep -oE '[0-9]+$' | head -n 1)
	check perf-verify "exit $rc, verified '${verified}': $(cat "$T/perf.json" "$T/perf.err")" \
		test "$rc" -eq 0 -a "${verified:-0}" -gt 0
	kill -TERM "$pid"
	for _ in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null
	wait "$pid"
	rc=$?
	check sigterm-exit-0 "exit $rc; $(tail -n 5 "$T/tgt.log")" test "$rc" -eq 0
}

# /tmp/nvmf-net.lock guards the loopback ports. Taken here unless this
# script runs under a process holding it (flock /tmp/nvmf-net.lock CMD),
# which would otherwise wait for itself.
net_lock() {
	local lock=/tmp/nvmf-net.lock ino holder p
	exec {NET_LOCK_FD}>>"$lock"
	flock -n "$NET_LOCK_FD" && return 0
	ino=$(stat -c %i "$lock")
	for holder in $(awk -v ino="$ino" '$2 == "FLOCK" { n = split($6, a, ":"); if (a[n] == ino) print $5 }' /proc/locks); do
		p=$$
		while [ "${p:-1}" -gt 1 ]; do
			[ "$p" = "$holder" ] && return 0
			p=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $2}')
		done
	done
	echo "install: waiting for $lock"
	flock -w 900 "$NET_LOCK_FD" || echo "install: $lock still held after 900 s; going on"
}

net_unlock() {
	exec {NET_LOCK_FD}>&-
}
