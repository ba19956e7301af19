#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# make run-shell: the Linux guest with a shell on the console (this
# script's standard input and output are the host's console).

echo "== gunyah-vmm: a Linux guest with a shell; exit powers it off, Ctrl-a x quits the VMM =="
gunyah-vmm -c 2 --kernel /usr/share/gunyah/Image --initrd /usr/share/gunyah/initrd.cpio \
	--append "console=ttyAMA0 quiet gunyah.init=shell"
