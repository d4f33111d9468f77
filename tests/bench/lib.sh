# Shared by the bench scripts (sourced; the caller defines die()).
# shellcheck shell=bash

# Does something accept connections on 127.0.0.1:PORT?
port_open() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# A loopback port nothing listens on, printed.
free_port() {
	local p
	for _ in $(seq 1 50); do
		p=$((20000 + RANDOM % 20000))
		port_open "$p" || { echo "$p"; return 0; }
	done
	die "no free port found"
}
