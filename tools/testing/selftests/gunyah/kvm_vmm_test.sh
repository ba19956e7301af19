#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# kvm-vmm, the sample VMM on KVM that make bench compares gunyah-vmm with,
# in a boot where the kernel runs at EL2 with KVM (run.sh --nohyp --kvm):
# the sample guest on one and four vCPUs greets through the emulated UART
# and powers off; the Linux guest reaches user space on one and two vCPUs,
# takes the UART's interrupt (a level irqfd with a resample eventfd) and
# powers off, or asks for a reset; bad options are refused.

. /tests/lib/tap.sh

KERNEL=/usr/share/gunyah/Image
INITRD=/usr/share/gunyah/initrd.cpio

has() {
	echo "$1" | grep -q -- "$2"
}

if [ ! -e /dev/kvm ]; then
	skip "kvm-vmm: no /dev/kvm in this boot (run.sh --nohyp --kvm has it)"
	finish
fi

for n in 1 4; do
	out=$(kvm-vmm -c $n /usr/share/gunyah/hello-guest.bin 2>&1 </dev/null)
	rc=$?
	echo "$out" | sed 's/^/# /'
	check "kvm-vmm -c $n hello-guest.bin: exits 0" [ $rc -eq 0 ]
	check "  ... guest greets" has "$out" "Hello from a Gunyah guest"
	check "  ... all $n vCPU(s) said hello" has "$out" "All $n vCPU(s) said hello"
	check "  ... the guest took the UART's TX interrupt after each of its lines" \
		has "$out" "UART TX interrupts taken: 2 of 2 lines"
	check "  ... VM exited by powering off" has "$out" "VM exited: powered off"
done

for n in 1 2; do
	out=$(kvm-vmm -c $n --kernel $KERNEL --initrd $INITRD \
		--append "console=ttyAMA0 quiet" 2>&1 </dev/null)
	rc=$?
	echo "$out" | grep -v '^\[' | sed 's/^/# /'
	check "kvm-vmm -c $n, Linux guest: exits 0" [ $rc -eq 0 ]
	check "  ... reaches user space" has "$out" "userspace after"
	check "  ... sees $n CPU(s)" has "$out" "CPUs: $n"
	check "  ... VM exited by powering off" has "$out" "VM exited: powered off"
done

# Typed input comes through the UART's receive interrupt, raised again on
# resample while characters wait: type a command once the shell is there.
rm -f /tmp/kvm-vmm.in
mkfifo /tmp/kvm-vmm.in
kvm-vmm -c 1 --kernel $KERNEL --initrd $INITRD \
	--append "console=ttyAMA0 quiet gunyah.init=shell" </tmp/kvm-vmm.in >/tmp/kvm-vmm.out 2>&1 &
pid=$!
exec 3>/tmp/kvm-vmm.in
for _ in $(seq 240); do
	grep -q "== shell" /tmp/kvm-vmm.out && break
	sleep 1
done
sleep 1
echo 'echo typed-$((6*7)); exit' >&3
wait $pid
rc=$?
exec 3>&-
out=$(cat /tmp/kvm-vmm.out)
rm -f /tmp/kvm-vmm.in /tmp/kvm-vmm.out
echo "$out" | grep -v '^\[' | tail -n 6 | sed 's/^/# /'
check "kvm-vmm, Linux guest shell: a command typed in runs" has "$out" "typed-42"
check "  ... exit powers the guest off, kvm-vmm exits 0" [ $rc -eq 0 ]

out=$(kvm-vmm -c 1 --kernel $KERNEL --initrd $INITRD \
	--append "console=ttyAMA0 quiet gunyah.init=reboot" 2>&1 </dev/null)
rc=$?
check "kvm-vmm, Linux guest asking for a reset: exits 0" [ $rc -eq 0 ]
check "  ... VM exited with a reset" has "$out" "VM exited: reset"

kvm-vmm -c 5 /usr/share/gunyah/hello-guest.bin >/dev/null 2>&1
check "kvm-vmm refuses 5 vCPUs (usage, exit 2)" [ $? -eq 2 ]
kvm-vmm --kernel /nonexistent >/dev/null 2>&1
check "kvm-vmm refuses a kernel that is not there (exit 1)" [ $? -eq 1 ]
finish
