#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Nothing in the kernel log says the kernel hit a bug, a warning or a
# lockup, and the lockup detectors run.sh arms are armed.

. /tests/lib/tap.sh

for pat in "BUG:" "WARNING:" "Oops" "Call trace:" "Unable to handle" "stack-protector" \
	"kernel panic" "refcount_t:" "list_del corruption" "SError" "soft lockup" \
	"hard LOCKUP" "blocked for more than"; do
	check "kernel log free of '$pat'" sh -c "! dmesg | grep -qF -- '$pat'"
done
# The command line and the RCU banner name the detectors' settings.
check "kernel log free of /hung_task/, /rcu.*stall/" sh -c "! dmesg | grep -v -e 'Kernel command line' \
	-e 'stall warnings timeout' | grep -qiE -- 'hung_task|rcu.*stall'"
# run.sh arms them on the test platform's kernel command line (with or
# without the hypervisor; it always passes gh_suite=); another boot (a real
# Gunyah) has its own command line and the kernel's defaults.
if ! grep -q "gh_suite=" /proc/cmdline; then
	why="armed by run.sh's kernel command line on the test platform: not booted by run.sh"
	skip "soft-lockup detector armed (watchdog_thresh 5):" "$why"
	skip "hung-task detector armed (timeout 10):" "$why"
	skip "RCU stall timeout 10 s:" "$why"
	finish
fi
check "soft-lockup detector armed (watchdog_thresh $(cat /proc/sys/kernel/watchdog_thresh))" \
	[ "$(cat /proc/sys/kernel/watchdog_thresh 2>/dev/null)" = 5 ]
check "hung-task detector armed (timeout $(cat /proc/sys/kernel/hung_task_timeout_secs))" \
	[ "$(cat /proc/sys/kernel/hung_task_timeout_secs 2>/dev/null)" = 10 ]
check "RCU stall timeout 10 s ($(cat /sys/module/rcupdate/parameters/rcu_cpu_stall_timeout))" \
	[ "$(cat /sys/module/rcupdate/parameters/rcu_cpu_stall_timeout 2>/dev/null)" = 10 ]
finish
