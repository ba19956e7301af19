#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The main job on the test platform: show that the host found Gunyah.

. /tests/lib/tap.sh

dev=$(ls -d /sys/bus/platform/drivers/gunyah/*hypervisor 2>/dev/null | head -n 1)
echo "== Gunyah host on the test platform =="
dmesg | grep -i gunyah | sed 's/^/   /'
if [ -n "$dev" ]; then
	echo "   api_version=$(cat "$dev/api_version") variant=$(cat "$dev/variant")" \
	     "features=$(cat "$dev/features")"
fi
check "Gunyah detected" [ -n "$dev" ]
finish
