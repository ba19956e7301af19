# SPDX-License-Identifier: GPL-2.0-only
#
# TAP helpers for the in-host shell tests.  Source it, call check for each
# assertion, then finish.

tap_n=0
tap_fail=0
tap_skipped=0
echo "TAP version 13"

# check DESCRIPTION COMMAND...: run COMMAND, report ok / not ok.
check() {
	desc=$1
	shift
	tap_n=$((tap_n + 1))
	if "$@"; then
		echo "ok $tap_n - $desc"
	else
		echo "not ok $tap_n - $desc"
		tap_fail=$((tap_fail + 1))
	fi
}

# diag MESSAGE: a TAP comment line.
diag() {
	echo "# $*"
}

# skip DESCRIPTION: a check that cannot run here, and why.
skip() {
	tap_n=$((tap_n + 1))
	tap_skipped=$((tap_skipped + 1))
	echo "ok $tap_n - # SKIP $*"
}

# test_hyp: the hypervisor is the project's test hypervisor (see test_hyp()
# in gunyah_util.h: GH_TESTHYP=1 from the test platform's init, else the
# gunyah_test module's debugfs).
NO_TEST_HYP="not the test hypervisor (no /sys/kernel/debug/gunyah_test)"
test_hyp() {
	[ "${GH_TESTHYP:-}" = 1 ] || [ -e /sys/kernel/debug/gunyah_test ]
}

finish() {
	echo "1..$tap_n"
	if [ "$tap_skipped" -gt 0 ]; then
		echo "$((tap_n - tap_fail - tap_skipped)) passed, $tap_fail failed, $tap_skipped skipped"
	else
		echo "$((tap_n - tap_fail)) passed, $tap_fail failed"
	fi
	[ "$tap_fail" -eq 0 ]
	exit $?
}

# dmesg_has TEXT: the kernel log contains TEXT.
dmesg_has() {
	dmesg | grep -qF -- "$1"
}
