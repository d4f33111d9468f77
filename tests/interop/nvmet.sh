# shellcheck shell=bash
# The Linux kernel target (nvmet, nvmet-tcp) driven through configfs, inside
# the lab guest. Used by smoke_nvmet.sh to prove the lab works, and by
# lib.sh when LAB_TARGET=nvmet to stand in for our target: nvmet_start reads
# the same conf file ([Ram], [File], [Null], [Subsystem] sections) and builds
# the equivalent subsystems. Every namespace is a loop device (with the conf's
# block size) over a file: RAM and Null ones live in /dev/shm.
# Sourced by lib.sh; state is kept in $LAB_STATE.

NVMET=/sys/kernel/config/nvmet

nvmet_load() {
	modprobe -a nvmet nvmet-tcp loop
	[ -d "$NVMET" ] || {
		echo "nvmet: $NVMET missing (configfs not mounted?)"
		return 1
	}
}

# A loop device with SECTOR-byte blocks over FILE (created SIZE big).
nvmet_backing() { # file size sector
	local dev
	[ -e "$1" ] || truncate -s "$2" "$1" || return 1
	dev=$(losetup --find --show --sector-size "$3" "$1") || return 1
	echo "$dev" >>"$LAB_STATE/nvmet.loops"
	echo "$dev"
}

nvmet_subsys() { # nqn serial model allow_any(0|1)
	local d=$NVMET/subsystems/$1
	mkdir "$d" || return 1
	echo "$2" >"$d/attr_serial"
	echo "$3" >"$d/attr_model"
	echo "$4" >"$d/attr_allow_any_host"
}

nvmet_ns() { # nqn nsid blockdev
	local d=$NVMET/subsystems/$1/namespaces/$2
	mkdir "$d" || return 1
	echo "$3" >"$d/device_path"
	echo 1 >"$d/enable"
}

nvmet_allow_host() { # nqn hostnqn
	mkdir -p "$NVMET/hosts/$2"
	ln -s "$NVMET/hosts/$2" "$NVMET/subsystems/$1/allowed_hosts/$2"
}

# The nvmet port id for addr:port, created on first use.
nvmet_port() { # addr port
	local p id=1
	for p in "$NVMET"/ports/*/; do
		[ -d "$p" ] || continue
		if [ "$(cat "$p/addr_traddr")" = "$1" ] &&
			[ "$(cat "$p/addr_trsvcid")" = "$2" ]; then
			basename "$p"
			return 0
		fi
		[ "$(basename "$p")" -ge "$id" ] && id=$(($(basename "$p") + 1))
	done
	p=$NVMET/ports/$id
	mkdir "$p" || return 1
	echo tcp >"$p/addr_trtype"
	echo ipv4 >"$p/addr_adrfam"
	echo "$1" >"$p/addr_traddr"
	echo "$2" >"$p/addr_trsvcid"
	echo "$id"
}

nvmet_listen() { # nqn addr port
	local id
	id=$(nvmet_port "$2" "$3") || return 1
	ln -s "$NVMET/subsystems/$1" "$NVMET/ports/$id/subsystems/$1"
}

# Remove everything under $NVMET and the loop devices nvmet_backing made.
nvmet_teardown() {
	local l n s h p dev
	for l in "$NVMET"/ports/*/subsystems/*; do
		[ -L "$l" ] && rm -f "$l"
	done
	for p in "$NVMET"/ports/*/; do
		[ -d "$p" ] && rmdir "$p"
	done
	for s in "$NVMET"/subsystems/*/; do
		[ -d "$s" ] || continue
		for h in "$s"allowed_hosts/*; do
			[ -L "$h" ] && rm -f "$h"
		done
		for n in "$s"namespaces/*/; do
			[ -d "$n" ] || continue
			echo 0 >"$n/enable"
			rmdir "$n"
		done
		rmdir "$s"
	done
	for h in "$NVMET"/hosts/*/; do
		[ -d "$h" ] && rmdir "$h"
	done
	if [ -s "$LAB_STATE/nvmet.loops" ]; then
		while read -r dev; do
			losetup -d "$dev" 2>/dev/null || true
		done <"$LAB_STATE/nvmet.loops"
	fi
	rm -f "$LAB_STATE/nvmet.loops" "$LAB_STATE/nvmet.conf"
	return 0
}

# ------------------------------------------------ conf file -> configfs
# Per-section values while parsing (see nvmet_conf_*).
_nc_sec='' _nc_name='' _nc_size='' _nc_bs='' _nc_path=''
_nc_nqn='' _nc_sn='' _nc_mn='' _nc_any=''
_nc_hosts=() _nc_ns=() _nc_listen=()

_nc_reset() {
	_nc_name='' _nc_size='' _nc_bs=512 _nc_path=''
	_nc_nqn='' _nc_sn='' _nc_mn='' _nc_any=0
	_nc_hosts=() _nc_ns=() _nc_listen=()
}

# Apply the section just read.
_nc_flush() {
	local dev x
	case "$_nc_sec" in
	Ram | Null)
		dev=$(nvmet_backing "/dev/shm/nvmet-$_nc_name.img" "$_nc_size" "$_nc_bs") || return 1
		echo "$_nc_name $dev" >>"$LAB_STATE/nvmet.bdevs"
		;;
	File)
		dev=$(nvmet_backing "$_nc_path" "$_nc_size" "$_nc_bs") || return 1
		echo "$_nc_name $dev" >>"$LAB_STATE/nvmet.bdevs"
		;;
	Subsystem)
		nvmet_subsys "$_nc_nqn" "$_nc_sn" "$_nc_mn" "$_nc_any" || return 1
		for x in ${_nc_hosts[@]+"${_nc_hosts[@]}"}; do
			nvmet_allow_host "$_nc_nqn" "$x" || return 1
		done
		for x in ${_nc_ns[@]+"${_nc_ns[@]}"}; do
			# "bdev-name nsid"
			dev=$(awk -v n="${x% *}" '$1 == n { print $2 }' "$LAB_STATE/nvmet.bdevs")
			[ -n "$dev" ] || {
				echo "nvmet: unknown namespace backend ${x% *}"
				return 1
			}
			nvmet_ns "$_nc_nqn" "${x#* }" "$dev" || return 1
		done
		for x in ${_nc_listen[@]+"${_nc_listen[@]}"}; do
			nvmet_listen "$_nc_nqn" "${x%:*}" "${x##*:}" || return 1
		done
		;;
	esac
}

_nc_line() { # key value
	case "$_nc_sec/$1" in
	Ram/Name | File/Name | Null/Name) _nc_name=$2 ;;
	*/Size) _nc_size=$2 ;;
	*/BlockSize) _nc_bs=$2 ;;
	File/Path) _nc_path=$2 ;;
	Subsystem/NQN) _nc_nqn=$2 ;;
	Subsystem/SN) _nc_sn=$2 ;;
	Subsystem/MN) _nc_mn=$2 ;;
	Subsystem/AllowAnyHost)
		case "${2,,}" in yes | true | 1) _nc_any=1 ;; *) _nc_any=0 ;; esac
		;;
	Subsystem/Host) _nc_hosts+=("$2") ;;
	Subsystem/Namespace) _nc_ns+=("$2") ;;
	Subsystem/Listen) _nc_listen+=("${2#* }") ;; # "TCP addr:port"
	esac
}

nvmet_start() { # conf
	local line key val
	nvmet_load || return 1
	: >"$LAB_STATE/nvmet.bdevs"
	echo "$1" >"$LAB_STATE/nvmet.conf"
	_nc_sec=
	_nc_reset
	while IFS= read -r line || [ -n "$line" ]; do
		line=${line%%#*}
		line=${line#"${line%%[![:space:]]*}"}
		line=${line%"${line##*[![:space:]]}"}
		[ -n "$line" ] || continue
		if [[ "$line" =~ ^\[(.*)\]$ ]]; then
			_nc_flush || return 1
			_nc_sec=${BASH_REMATCH[1]}
			_nc_reset
			continue
		fi
		key=${line%%[[:space:]]*}
		val=${line#"$key"}
		val=${val#"${val%%[![:space:]]*}"}
		_nc_line "$key" "$val"
	done <"$1"
	_nc_flush || return 1
	echo "nvmet_start: kernel target configured from $1"
}

nvmet_stop() {
	nvmet_teardown
	echo "nvmet_stop: kernel target removed"
}
