#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The main job on the test platform: the host finds Gunyah, then the
# sample VMM boots Debian's kernel as a guest on two vCPUs (its init says
# what it sees and powers off), and runs the bare-metal sample guest, whose
# UART interrupt comes through an irqfd and whose notifications reach the
# VMM through an ioeventfd.

. /tests/lib/tap.sh

dev=$(ls -d /sys/bus/platform/drivers/gunyah/*hypervisor 2>/dev/null | head -n 1)
echo "== Gunyah host on the test platform =="
dmesg | grep -iE 'gunyah.*(API|channel)' | sed 's/^/   /'
if [ -n "$dev" ]; then
	echo "   api_version=$(cat "$dev/api_version") variant=$(cat "$dev/variant")" \
	     "features=$(cat "$dev/features")"
fi
check "Gunyah detected" [ -n "$dev" ]
check "/dev/gunyah present" [ -c /dev/gunyah ]

linux="--kernel /usr/share/gunyah/Image --initrd /usr/share/gunyah/initrd.cpio"
echo "== gunyah-vmm -c 2 $linux --append \"console=ttyAMA0 quiet\" =="
gunyah-vmm -c 2 $linux --append "console=ttyAMA0 quiet" < /dev/null > /tmp/vmm.out 2>&1
rc=$?
sed 's/^/   /' /tmp/vmm.out
check "the sample VMM booted Debian's kernel as a guest, which powered off" [ $rc -eq 0 ]
check "the guest reached user space" grep -q "== Gunyah Linux guest: userspace after" /tmp/vmm.out
check "it saw its two CPUs" grep -q "^CPUs: 2" /tmp/vmm.out

echo "== gunyah-vmm -c 2 /usr/share/gunyah/hello-guest.bin =="
gunyah-vmm -c 2 /usr/share/gunyah/hello-guest.bin > /tmp/vmm.out 2>&1
rc=$?
sed 's/^/   /' /tmp/vmm.out
check "the sample VMM ran the bare-metal guest to completion" [ $rc -eq 0 ]
check "the guest printed its greeting" grep -q "Hello from a Gunyah guest" /tmp/vmm.out
check "its second vCPU came up" grep -q "Hello from vCPU 1" /tmp/vmm.out
check "its UART interrupts came through an irqfd, its notifications through an ioeventfd" \
	grep -qE "irqfd: [1-9][0-9]*; notifications through the ioeventfd: 2$" /tmp/vmm.out
finish
