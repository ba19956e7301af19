#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Nothing in the kernel log says the kernel hit a bug or a warning.

. /tests/lib/tap.sh

for pat in "BUG:" "WARNING:" "Oops" "Call trace:" "Unable to handle" "stack-protector" \
	"kernel panic" "refcount_t:" "list_del corruption" "SError"; do
	check "kernel log free of '$pat'" sh -c "! dmesg | grep -qF -- '$pat'"
done
finish
