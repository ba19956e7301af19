#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The gunyah driver identified the test hypervisor and created the
# Resource Manager's device, for the device-tree form of the profile
# the platform was booted with (GH_PROFILE=v17 or oss).

. /tests/lib/tap.sh

# What the test hypervisor reports (tools/testing/gunyah/hyp/core/hypercalls.h).
if [ "$GH_PROFILE" = oss ]; then
	variant=0x51
	rm_glob='/sys/bus/platform/devices/*qcom,resource-manager-rpc@*'
else
	variant=0x48
	rm_glob='/sys/bus/platform/devices/*gunyah-resource-mgr@*'
fi
features=0x0000000000000864

dev=$(ls -d /sys/bus/platform/drivers/gunyah/*hypervisor 2>/dev/null | head -n 1)
check "gunyah module loaded" [ -d /sys/module/gunyah ]
check "gunyah_hypercall module loaded" [ -d /sys/module/gunyah_hypercall ]
check "driver bound to the /hypervisor node" [ -n "$dev" ]
check "API version 1" [ "$(cat "$dev/api_version" 2>/dev/null)" = 1 ]
check "variant $variant" [ "$(cat "$dev/variant" 2>/dev/null)" = "$variant" ]
diag "features $(cat "$dev/features" 2>/dev/null)"
if test_hyp; then
	check "features $features" [ "$(cat "$dev/features" 2>/dev/null)" = "$features" ]
else
	skip "the test hypervisor's feature word $features: $NO_TEST_HYP"
fi
check "identification logged" dmesg_has "Gunyah API v1, variant $variant"

rm=$(ls -d $rm_glob 2>/dev/null | head -n 1)
diag "resource manager device: ${rm:-none}"
check "resource manager platform device exists" [ -n "$rm" ]
check "its node is gunyah-resource-manager compatible" \
	grep -q gunyah-resource-manager "$rm/of_node/compatible"
finish
