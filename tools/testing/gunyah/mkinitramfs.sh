#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# mkinitramfs.sh OUT.cpio [EXTRA...]: build the host's initramfs from
# busybox, the Gunyah modules, the selftests, the sample VMM with its
# guests and optional extra programs.  The sample Linux guest is Debian's
# kernel (the host's own Image) with a busybox initramfs built here.

set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
DEPS=${DEPS:-$ROOT/.deps}
OUT=$1
shift

BUSYBOX=$(sed -n 's/^BUSYBOX := //p' "$DEPS/env.mk")
KVER=$(sed -n 's/^KVER := //p' "$DEPS/env.mk")
KIMAGE=$(sed -n 's/^KIMAGE := //p' "$DEPS/env.mk")
STAGE=$(mktemp -d "$BUILD/initramfs.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT

MODDIR=$STAGE/lib/modules/$KVER/gunyah
mkdir -p "$STAGE"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,extra} "$MODDIR"
cp "$BUSYBOX" "$STAGE/bin/busybox"
ln -s busybox "$STAGE/bin/sh"
cp "$ROOT/tools/testing/gunyah/initramfs/init" "$STAGE/init"
find "$ROOT/arch" "$ROOT/drivers" "$ROOT/tools/testing/selftests/gunyah/module" -name '*.ko' \
	-exec cp {} "$MODDIR/" \;
cp -r "$BUILD/selftests/tests" "$STAGE/tests"
mkdir -p "$STAGE/usr/share/gunyah"
cp "$BUILD/samples/gunyah-vmm" "$BUILD/samples/kvm-vmm" "$STAGE/usr/bin/"
cp "$BUILD/samples/hello-guest.bin" "$STAGE/usr/share/gunyah/"
cp "$KIMAGE" "$STAGE/usr/share/gunyah/Image"
GUEST=$STAGE/guest-initramfs
mkdir -p "$GUEST/bin"
cp "$BUSYBOX" "$GUEST/bin/busybox"
ln -s busybox "$GUEST/bin/sh"
cp "$ROOT/samples/gunyah/linux-guest/init" "$GUEST/init"
(cd "$GUEST" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) \
	> "$STAGE/usr/share/gunyah/initrd.cpio"
rm -rf "$GUEST"
for x in "$@"; do
	[ -n "$x" ] || continue
	[ -e "$x" ] || { echo "mkinitramfs: no such file: $x" >&2; exit 1; }
	cp "$x" "$STAGE/extra/"
	chmod +x "$STAGE/extra/$(basename "$x")"
done

(cd "$STAGE" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) > "$OUT"
