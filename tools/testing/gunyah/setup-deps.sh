#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Install and fetch everything the Gunyah driver stack needs to build and test
# on a Debian bookworm (amd64) machine.  Idempotent: a second run only checks.
#
# Host packages are installed with apt-get.  The arm64 kernel image, its
# headers and busybox cannot be installed on amd64, so they are downloaded
# with "apt-get download" and unpacked into $DEPS (default: .deps in the
# repository), then the headers are fixed up to build on this host:
#   - the arch headers' Makefile includes the -common headers by absolute
#     path, which is rewritten to point into $DEPS;
#   - scripts/ and tools/ point at the host's linux-kbuild package.
#
# The resulting layout is described by $DEPS/env.mk, read by the Makefiles.

set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
DEPS=${DEPS:-$ROOT/.deps}
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo

log() { echo "setup-deps: $*"; }

HOST_PKGS="gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm \
	device-tree-compiler libfdt-dev sparse cpio make gcc bc flex bison \
	libelf-dev libssl-dev xz-utils python3 perl python3-yaml yamllint"

apt_updated=
apt_update() {
	if [ -z "$apt_updated" ]; then
		$SUDO apt-get update -qq
		apt_updated=1
	fi
}

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	log "enabling the arm64 package architecture (for apt-get download)"
	$SUDO dpkg --add-architecture arm64
	apt_updated=
fi

missing=
for p in $HOST_PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	log "installing:$missing"
	apt_update
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
		$missing >/dev/null
fi

# newest_pkg REGEX: newest package name matching REGEX the mirror offers.
newest_pkg() {
	apt-cache search --names-only "$1" | awk '{print $1}' | grep -E "$1" | sort -V | tail -n 1
}

if ! apt-cache show "busybox-static:arm64" >/dev/null 2>&1; then
	apt_update
fi

IMG_PKG=$(newest_pkg '^linux-image-6\.12\.[0-9]+\+deb[0-9]+-arm64-unsigned$')
[ -n "$IMG_PKG" ] || { apt_update; IMG_PKG=$(newest_pkg '^linux-image-6\.12\.[0-9]+\+deb[0-9]+-arm64-unsigned$'); }
[ -n "$IMG_PKG" ] || { log "no linux-image-6.12 arm64 package on the mirror"; exit 1; }
KVER=${IMG_PKG#linux-image-}
KVER=${KVER%-unsigned}		# e.g. 6.12.117+deb12-arm64
KBASE=${KVER%-arm64}		# e.g. 6.12.117+deb12
HDR61=$(newest_pkg '^linux-headers-6\.1\.0-[0-9]+-arm64$')
KVER61=${HDR61#linux-headers-}	# e.g. 6.1.0-56-arm64
KBASE61=${KVER61%-arm64}	# e.g. 6.1.0-56

# Host kbuild packages (amd64 binaries of fixdep, modpost, ...).
for p in "linux-kbuild-$KBASE" linux-kbuild-6.1; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		log "installing $p"
		apt_update
		DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
			"$p" >/dev/null
	fi
done

mkdir -p "$DEPS/debs" "$DEPS/root"

# fetch PKG[:ARCH]: download once, unpack into $DEPS/root.
fetch() {
	local pkg=$1 stamp
	stamp="$DEPS/debs/${pkg//[:\/]/_}.unpacked"
	[ -e "$stamp" ] && return 0
	log "downloading $pkg"
	# apt's sandbox user cannot write here: download as root, quietly.
	# A failure may mean stale package lists: refresh them once and retry.
	if ! (cd "$DEPS/debs" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >/dev/null); then
		apt_update
		(cd "$DEPS/debs" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >/dev/null)
	fi
	local name=${pkg%%:*}
	local deb
	deb=$(ls -t "$DEPS/debs/${name}"_*.deb | head -n 1)
	dpkg -x "$deb" "$DEPS/root"
	touch "$stamp"
}

fetch "$IMG_PKG:arm64"
fetch "linux-headers-$KVER:arm64"
fetch "linux-headers-$KBASE-common"
fetch "busybox-static:arm64"
fetch "libfdt-dev:arm64"
fetch "$HDR61:arm64"
fetch "linux-headers-$KBASE61-common"

# Point a Debian arch-headers tree at the unpacked -common tree and at the
# host's kbuild package.
fix_headers() {
	local kdir=$1 common=$2 kbuild=$3
	# Idempotent: rewrite whatever path the include line has now.
	sed -i "s|^include .*/$(basename "$common")/Makefile\$|include $common/Makefile|" "$kdir/Makefile"
	for l in scripts tools; do
		if [ -L "$kdir/$l" ] || [ ! -e "$kdir/$l" ]; then
			ln -sfn "$kbuild/$l" "$kdir/$l"
		fi
	done
	if [ -L "$common/scripts" ] || [ ! -e "$common/scripts" ]; then
		ln -sfn "$kbuild/scripts" "$common/scripts"
	fi
}

KDIR="$DEPS/root/usr/src/linux-headers-$KVER"
KDIR61="$DEPS/root/usr/src/linux-headers-$KVER61"
fix_headers "$KDIR" "$DEPS/root/usr/src/linux-headers-$KBASE-common" "/usr/lib/linux-kbuild-$KBASE"
fix_headers "$KDIR61" "$DEPS/root/usr/src/linux-headers-$KBASE61-common" /usr/lib/linux-kbuild-6.1

# checkpatch.pl comes from Debian's kernel source package, extracted on demand.
CHECKPATCH_DIR="$DEPS/checkpatch"
if [ ! -x "$CHECKPATCH_DIR/scripts/checkpatch.pl" ]; then
	log "extracting checkpatch.pl from linux-source-6.12"
	(cd "$DEPS/debs" && apt-get download -q -o APT::Sandbox::User=root linux-source-6.12 \
		>/dev/null)
	rm -rf "$DEPS/src-tmp" && mkdir -p "$DEPS/src-tmp"
	dpkg -x "$(ls -t "$DEPS"/debs/linux-source-6.12_*.deb | head -n 1)" "$DEPS/src-tmp"
	tarball=$(ls "$DEPS"/src-tmp/usr/src/linux-source-6.12*.tar.xz)
	top=$(basename "$tarball" .tar.xz)
	mkdir -p "$CHECKPATCH_DIR"
	tar -xJf "$tarball" -C "$CHECKPATCH_DIR" --strip-components=1 \
		"$top/scripts/checkpatch.pl" "$top/scripts/spelling.txt" \
		"$top/scripts/const_structs.checkpatch"
	rm -rf "$DEPS/src-tmp" "$DEPS"/debs/linux-source-6.12_*.deb
fi

cat > "$DEPS/env.mk.tmp" <<EOT
# Generated by tools/testing/gunyah/setup-deps.sh
KVER := $KVER
KDIR_DEFAULT := $KDIR
KCOMMON := $DEPS/root/usr/src/linux-headers-$KBASE-common
KDIR61 := $KDIR61
KIMAGE := $DEPS/root/boot/vmlinuz-$KVER
BUSYBOX := $DEPS/root/bin/busybox
LIBFDT_ARM64 := $DEPS/root/usr
CHECKPATCH := $CHECKPATCH_DIR/scripts/checkpatch.pl
EOT
mv "$DEPS/env.mk.tmp" "$DEPS/env.mk"
log "ready: kernel $KVER, 6.1 target $KVER61"
