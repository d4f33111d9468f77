#!/usr/bin/env bash
# Build the interop lab guest once and cache it outside the git tree.
#
#   tools/vm/build.sh            build if needed; print the cache dir on stdout
#   tools/vm/build.sh --dir      print the cache dir (no build)
#   tools/vm/build.sh --force    rebuild even if cached
#
# The guest is a minimal Debian trixie (kernel with the NVMe-oF initiator,
# nvme-cli, fio, rdma-core, ktls-utils) on an ext4 image, with kernel and
# initrd beside it and tools/vm/lab-init.sh as /sbin/lab-init.
# Cache: ${NVMF_LAB_CACHE:-/var/cache/nvmf-tgt-lab}/<recipe-hash>/, where the
# hash covers this file (package list included) and lab-init.sh, so a changed
# recipe builds a new image. Builds are serialised with flock.
# Environment: NVMF_LAB_CACHE, NVMF_LAB_MIRROR (default deb.debian.org).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SUITE=trixie
MIRROR=${NVMF_LAB_MIRROR:-http://deb.debian.org/debian}
CACHE_ROOT=${NVMF_LAB_CACHE:-/var/cache/nvmf-tgt-lab}
IMG_SIZE=2G

PACKAGES=(
	linux-image-amd64 kmod udev procps iproute2 mount util-linux
	nvme-cli fio keyutils ktls-utils jq
	rdma-core ibverbs-utils ibverbs-providers rdmacm-utils
	libibverbs1 librdmacm1t64 libssl3t64 liburing2 libnuma1
)

log() { echo "vm/build: $*" >&2; }

recipe_hash() {
	{
		cat "$HERE/build.sh" "$HERE/lab-init.sh"
		printf '%s\n' "$SUITE" "${PACKAGES[@]}"
	} | sha256sum | cut -c1-16
}

need_tools() {
	local t missing=()
	for t in debootstrap mkfs.ext4 flock sha256sum; do
		command -v "$t" >/dev/null || missing+=("$t")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		log "missing tools: ${missing[*]} (run 'make deps')"
		exit 1
	fi
	if [ "$(id -u)" -ne 0 ]; then
		log "debootstrap needs root"
		exit 1
	fi
}

# Populate ROOTFS; the caller holds the lock.
bootstrap() {
	local rootfs=$1 inc
	inc=$(
		IFS=,
		echo "${PACKAGES[*]}"
	)
	log "debootstrap $SUITE from $MIRROR"
	debootstrap --variant=minbase --include="$inc" \
		--keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
		"$SUITE" "$rootfs" "$MIRROR" >"$rootfs.debootstrap.log" 2>&1 || {
		tail -n 30 "$rootfs.debootstrap.log" >&2
		return 1
	}
	install -m 0755 "$HERE/lab-init.sh" "$rootfs/sbin/lab-init"
	echo lab >"$rootfs/etc/hostname"
	printf '127.0.0.1 localhost lab\n::1 localhost\n' >"$rootfs/etc/hosts"
	mkdir -p "$rootfs/lab/repo" "$rootfs/lab/build" "$rootfs/lab/out"
	# Per-run identities come from the scenarios (--hostnqn/--hostid).
	rm -f "$rootfs/etc/nvme/hostnqn" "$rootfs/etc/nvme/hostid"
	# Nothing in the guest needs these; they only make the image bigger.
	rm -rf "$rootfs/var/cache/apt/archives/"*.deb "$rootfs/usr/share/doc" \
		"$rootfs/usr/share/man" "$rootfs/usr/share/locale" \
		"$rootfs/lib/firmware" "$rootfs/usr/lib/firmware"
}

# Set NEWEST to the last of the (sorted) paths given; fail if none exists.
newest() {
	NEWEST=${*: -1}
	[ -e "$NEWEST" ] || {
		log "missing in the guest: $NEWEST"
		return 1
	}
}

build_image() {
	local dir=$1 tmp=$1.tmp rootfs
	rm -rf "$tmp"
	mkdir -p "$tmp"
	rootfs=$tmp/rootfs
	bootstrap "$rootfs"
	newest "$rootfs"/boot/vmlinuz-* && cp "$NEWEST" "$tmp/vmlinuz"
	newest "$rootfs"/boot/initrd.img-* && cp "$NEWEST" "$tmp/initrd.img"
	newest "$rootfs"/boot/config-* && cp "$NEWEST" "$tmp/kernel.config"
	log "mkfs.ext4 ($IMG_SIZE)"
	mkfs.ext4 -q -F -L labroot -d "$rootfs" "$tmp/rootfs.img" "$IMG_SIZE" 2>&1 |
		{ grep -v '^Creating regular file' || true; } >&2
	rm -rf "$rootfs"
	mv "$rootfs.debootstrap.log" "$tmp/debootstrap.log"
	recipe_hash >"$tmp/recipe"
	rm -rf "$dir"
	mv "$tmp" "$dir"
	touch "$dir/ready"
}

# Drop images of other recipes that no run used for a week.
prune_old() { # current-hash
	local d
	for d in "$CACHE_ROOT"/*/; do
		d=${d%/}
		if [ "${d##*/}" = "$1" ] || [ ! -f "$d/ready" ]; then
			continue
		fi
		[ -n "$(find "$d/ready" "$d/last-used" -maxdepth 0 -mtime -7 2>/dev/null)" ] && continue
		log "removing unused old image $d"
		rm -rf "$d"
	done
}

main() {
	local force=0 hash dir start
	case "${1:-}" in
	--dir)
		echo "$CACHE_ROOT/$(recipe_hash)"
		return 0
		;;
	--force) force=1 ;;
	"") ;;
	*)
		echo "usage: $0 [--dir|--force]" >&2
		return 2
		;;
	esac
	hash=$(recipe_hash)
	dir=$CACHE_ROOT/$hash
	if [ "$force" -eq 0 ] && [ -f "$dir/ready" ]; then
		echo "$dir"
		return 0
	fi
	need_tools
	mkdir -p "$CACHE_ROOT"
	exec 9>"$CACHE_ROOT/$hash.lock"
	flock -n 9 || {
		log "another build holds $CACHE_ROOT/$hash.lock; waiting"
		flock 9
	}
	# Another build may have finished while we waited.
	if [ "$force" -eq 0 ] && [ -f "$dir/ready" ]; then
		echo "$dir"
		return 0
	fi
	start=$(date +%s)
	log "building lab image in $dir"
	build_image "$dir"
	log "lab image built in $(($(date +%s) - start)) s: $dir"
	prune_old "$hash"
	echo "$dir"
}

main "$@"
