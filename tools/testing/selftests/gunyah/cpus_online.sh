#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Every CPU of the platform came up in the host: PSCI calls go by HVC to
# the test hypervisor, whose CPU_ON brings each secondary through EL2.

. /tests/lib/tap.sh

last=$((GH_CPUS - 1))
expected="0-$last"
[ "$last" -eq 0 ] && expected=0
online=$(cat /sys/devices/system/cpu/online)
diag "online CPUs: $online, expected $expected"
check "all $GH_CPUS CPUs online" [ "$online" = "$expected" ]
if test_hyp; then
	check "PSCI method is hvc" [ "$(tr -d '\0' < /proc/device-tree/psci/method)" = hvc ]
	check "PSCI v1.0 answered by the hypervisor" dmesg_has "PSCIv1.0 detected in firmware"
else
	diag "PSCI: method $(tr -d '\0' < /proc/device-tree/psci/method 2>/dev/null)," \
	     "$(dmesg | grep -m1 -o 'PSCIv[0-9.]* detected')"
	skip "the test hypervisor's PSCI method and version: $NO_TEST_HYP"
	skip "its PSCI v1.0: $NO_TEST_HYP"
fi
check "SMCCC v1.3 answered by the hypervisor" dmesg_has "SMC Calling Convention v1.3"
check "the kernel runs at EL1 (no KVM at EL2)" dmesg_has "CPU: All CPU(s) started at EL1"
finish
