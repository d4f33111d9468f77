#!/usr/bin/env bash
# Install every Debian package the build, the tests and the lab need.
# Idempotent: silent and fast when everything is present.
set -euo pipefail

PKGS=(
	# build
	gcc make pkg-config clang-format
	libdpdk-dev libnuma-dev libbsd-dev libmd-dev libibverbs-dev librdmacm-dev libssl-dev liburing-dev
	# tests
	libcmocka-dev clang libclang-rt-14-dev
	# tests/install: systemd-analyze verify (it runs man for the unit's
	# Documentation= links, and wants ExecReload's /bin/kill), man page
	# rendering
	systemd groff-base man-db procps
	# lab guest (tools/vm)
	qemu-system-x86 qemu-utils debootstrap e2fsprogs debian-archive-keyring socat
	# fresh check (tools/fresh-check.sh)
	iproute2
)

missing=()
for p in "${PKGS[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "deps: need root to install: ${missing[*]}" >&2; exit 1; }
	SUDO=sudo
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
