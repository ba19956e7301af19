#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The sample VMM with the sample guest: shared and lent memory, one to
# four vCPUs; the guest's console output must come through the emulated
# UART, whose interrupt reaches the guest through an irqfd, its
# notifications must reach the VMM through an ioeventfd, and the VM must
# power off cleanly.

. /tests/lib/tap.sh

guest=/usr/share/gunyah/hello-guest.bin
for mode in "--share" "-l"; do
	for n in 1 4; do
		out=$(gunyah-vmm -m 8 -c $n $mode $guest 2>&1)
		rc=$?
		echo "$out" | sed 's/^/# /'
		check "gunyah-vmm -c $n $mode: exits 0" [ $rc -eq 0 ]
		check "  ... guest greets" sh -c "echo \"\$0\" | grep -q 'Hello from a Gunyah guest'" "$out"
		check "  ... all $n vCPU(s) said hello" \
			sh -c "echo \"\$0\" | grep -q 'All $n vCPU(s) said hello'" "$out"
		check "  ... VM exited by powering off (status 2, type 1)" \
			sh -c "echo \"\$0\" | grep -q 'VM exited: status 2, exit type 1'" "$out"
		# vCPU 0 waits for the UART's interrupt after each of its two lines,
		# then writes the notification register once.  That interrupt is
		# a level irqfd: off the test hypervisor, an RM that gives the
		# host's doorbell without the right to set its masks refuses it
		# (bell_set_mask: EACCES, logged), see LEVEL_IRQFD_REFUSED.
		if ! test_hyp && dmesg_has "bell_set_mask failed: -13"; then
			skip "  ... the guest took the UART's TX interrupt after each of its lines:" \
			     "the RM gave the host's doorbell without the right to set its masks" \
			     "(bell_set_mask: EACCES)"
		else
			check "  ... the guest took the UART's TX interrupt after each of its lines" \
				sh -c "echo \"\$0\" | grep -q 'UART TX interrupts taken: 2 of 2 lines'" "$out"
		fi
		check "  ... UART interrupts came through the irqfd, two notifications through the ioeventfd" \
			sh -c "echo \"\$0\" | grep -qE 'irqfd: [1-9][0-9]*; notifications through the ioeventfd: 2\$'" "$out"
	done
done
out=$(gunyah-vmm -c 9 $guest 2>&1)
check "gunyah-vmm refuses 9 vCPUs" [ $? -eq 2 ]
finish
