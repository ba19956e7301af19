#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The Bao shared-memory channel driver against the host DT of run.sh --bao
# (tools/testing/gunyah/bao-dt.sh): it loads, the two good nodes become
# /dev/baoipc0 and /dev/baoipc7, and every bad node is refused with one
# log line saying why, and no device.

. /tests/lib/tap.sh

if [ "${GH_BAO:-0}" != 1 ]; then
	skip "the Bao channel's DT nodes: no Bao channel on this boot (run.sh --bao)"
	finish
fi

drv=/sys/bus/platform/drivers/bao-ipcshmem
check "bao-ipcshmem loads" insmod "$GH_MODDIR/bao-ipcshmem.ko"
check "/dev/baoipc0 appears (channel 0)" [ -c /dev/baoipc0 ]
check "/dev/baoipc7 appears (channel 7)" [ -c /dev/baoipc7 ]
check "no other channel device" [ "$(ls /dev | grep -c '^baoipc')" = 2 ]
check "two devices bound" [ "$(ls -d $drv/*ipcshmem* | wc -l)" = 2 ]

# refused NAME MESSAGE: exactly one log line names the node, it says
# MESSAGE, and the node has no device.
refused() {
	n=$(dmesg | grep -F "ipcshmem-$1" | grep -c .)
	[ "$n" = 1 ] || { diag "ipcshmem-$1: $n log lines"; return 1; }
	dmesg | grep -F "ipcshmem-$1" | grep -qF -- "refused: $2" || return 1
	! ls -d $drv/*ipcshmem-"$1"* > /dev/null 2>&1
}

check "range outside reg refused" refused outside \
	"'read-channel' <0x8000 0x10000> lies outside reg (size 0x10000)"
check "overlapping channels refused" refused overlap \
	"read-channel <0x0 0x8000> and write-channel <0x4000 0x8000> overlap"
check "missing id refused" refused noid "'id' missing"
check "missing read-channel refused" refused noread "'read-channel' missing or not <offset size>"
check "channel of size 0 refused" refused size0 "'write-channel' has size 0"
check "offset + size overflow refused" refused overflow \
	"'read-channel' <0xffffff00 0x200>: offset + size overflows"
check "missing interrupts refused" refused noirq "'interrupts' missing or invalid"
check "missing reg refused" refused noreg "'reg' missing or empty"
check "duplicate channel id refused" refused dupid "channel id 0 already in use"
dmesg | grep -F 'refused:' | sed 's/^/# /'
finish
