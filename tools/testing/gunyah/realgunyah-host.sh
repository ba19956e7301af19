#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# realgunyah-host.sh: run in the host VM of the real open-source Gunyah
# (as an EXTRA program of boot-realgunyah.sh, see test-platform.rst), not on
# the test platform.  Raises the driver's RPC timeout (the RM under TCG
# answers in seconds), then
#   1. the sample VMM with the sample guest on 1, 2 and 4 vCPUs, shared and
#      lent, each under a deadline; after each: its exit line, the gunyah
#      files left open, MemFree, the new kernel lines; the kernel stacks of
#      a VMM that hangs and the RM's log then;
#   2. every in-host test of /tests/hyp under a deadline, what a killed test
#      forked killed with it, the RM's log after a failure, the new kernel
#      lines after each.
# Markers: @@VMM, @@T-BEGIN/@@T-END, @@T-DONE.
VMM_LIMIT=240
TEST_LIMIT=600
IMG=/usr/share/gunyah/hello-guest.bin

memfree() { sed -n 's/^MemFree: *\([0-9]*\).*/\1/p' /proc/meminfo; }
open_fds() {
	n=0
	for f in /proc/[0-9]*/fd/*; do
		# the device and the driver's anonymous files, not this script's own
		case $(readlink "$f" 2>/dev/null) in
		/dev/gunyah | anon_inode:gunyah-vm | anon_inode:gh-vcpu* | *gh-gmem*) n=$((n + 1)) ;;
		esac
	done
	echo "$n"
}

echo 60000 > /sys/module/gunyah_rsc_mgr/parameters/rpc_timeout_ms
last=$(dmesg | wc -l)

sync
echo 3 > /proc/sys/vm/drop_caches
f0=$(memfree)
echo "@@VMM memfree-before=${f0}kB"
for c in 1 2 4; do
	for m in --share --lend; do
		gunyah-vmm -c "$c" "$m" "$IMG" > /tmp/vmm.out 2>&1 &
		pid=$!
		t=0
		while kill -0 "$pid" 2>/dev/null && [ "$t" -lt "$VMM_LIMIT" ]; do
			sleep 2
			t=$((t + 2))
		done
		if kill -0 "$pid" 2>/dev/null; then
			echo "@@VMM STUCK after ${VMM_LIMIT}s; thread stacks:"
			for s in /proc/"$pid"/task/*; do
				echo "   task ${s##*/}"
				sed 's/^/      /' "$s/stack"
			done
			[ -x /extra/rmlog ] && /extra/rmlog | tail -40 | sed 's/^/  rm: /'
			kill "$pid"
			sleep 5
			kill -9 "$pid" 2>/dev/null
		fi
		wait "$pid"
		rc=$?
		sed 's/^/   vmm: /' /tmp/vmm.out
		echo "@@VMM end -c $c $m rc=$rc hello=$(grep -c 'Hello from' /tmp/vmm.out)" \
		     "exit=\"$(grep -m1 'VM exited' /tmp/vmm.out)\""
		echo "@@VMM   open gunyah fds: $(open_fds) memfree=$(memfree)kB"
		dmesg | tail -n +$((last + 1)) | sed 's/^/  k: /'
		last=$(dmesg | wc -l)
	done
done
sync
echo 3 > /proc/sys/vm/drop_caches
sleep 1
echo "@@VMM memfree-after=$(memfree)kB"
sed 's/^/@@VMM rpc: /' /sys/kernel/debug/gunyah_rm/rpc_stats

for t in /tests/hyp/*; do
	[ -x "$t" ] || continue
	n=$(basename "$t")
	echo "@@T-BEGIN $n"
	timeout -s KILL "$TEST_LIMIT" "$t" < /dev/null
	rc=$?
	# a test's forked children, and the sample VMMs it ran, outlive its SIGKILL
	tp=$(readlink -f "$t")
	vp=$(readlink -f "$(command -v gunyah-vmm)")
	for p in /proc/[0-9]*; do
		e=$(readlink "$p/exe" 2>/dev/null)
		[ "$e" = "$tp" ] || [ "$e" = "$vp" ] || continue
		echo "  stray: ${p#/proc/}"
		kill -9 "${p#/proc/}"
	done
	[ "$rc" -ne 0 ] && [ -x /extra/rmlog ] && /extra/rmlog | tail -30 | sed 's/^/  rm: /'
	echo "@@T-END $n rc=$rc memfree=$(memfree)"
	dmesg | tail -n +$((last + 1)) | sed 's/^/  k: /'
	last=$(dmesg | wc -l)
done
echo "@@T-DONE"
