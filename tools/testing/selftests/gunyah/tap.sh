# SPDX-License-Identifier: GPL-2.0-only
#
# TAP helpers for the in-host shell tests.  Source it, call check for each
# assertion, then finish.

tap_n=0
tap_fail=0
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

finish() {
	echo "1..$tap_n"
	echo "$((tap_n - tap_fail)) passed, $tap_fail failed"
	[ "$tap_fail" -eq 0 ]
	exit $?
}

# dmesg_has TEXT: the kernel log contains TEXT.
dmesg_has() {
	dmesg | grep -qF -- "$1"
}
