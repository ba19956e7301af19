#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# bench.sh: Gunyah against KVM on the paths a VMM feels (make bench).
#
# Boots the test platform BENCH_ROUNDS times (default 3) each way,
# alternating: the kernel at EL2 with KVM (run.sh --nohyp --kvm), the same
# kernel at EL1 without a hypervisor (run.sh --nohyp), then the same kernel
# as the Gunyah host on the test hypervisor (v17 profile). All boots use
# the same QEMU machine, CPU model, CPU count and memory, and run the
# "bench" suite: the same test guest and commands, once through the KVM
# twin and once through the Gunyah twin (selftests/gunyah/bench/); the
# boot without a hypervisor runs only the host_* paths.
#
# Prints one table, "path | KVM | nohyp | Gunyah | ratio": for each side the
# median of the per-boot medians; ratio = Gunyah / KVM for the VM paths and
# Gunyah / nohyp for the host_* paths (the host's own syscalls and page
# faults against the same kernel on the bare machine); lower is better for
# Gunyah. Then one line "name=ratio" per path, how each path is measured,
# and the per-boot medians. A path that could not be measured on a side
# shows n/a and the reason. Numbers are reported, never judged.
#
# CPU_MODEL and KERNEL_APPEND go to run.sh (--cpu, --append) for all boots:
# KERNEL_APPEND=nokaslr measures the host_* paths without KPTI.
# LOAD=1 runs one busy loop per build-host CPU beside QEMU (killed at the
# end): the same measurements under load. BENCH_REPORT=1 boots nothing and
# prints the report of the last run again, from its logs.

set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
HERE=$ROOT/tools/testing/gunyah
ROUNDS=${BENCH_ROUNDS:-3}
LOAD=${LOAD:-0}
LOGDIR=$BUILD/logs/bench
REPORT_ONLY=${BENCH_REPORT:-0}
HOGS=()

case $ROUNDS in ''|*[!0-9]*|0) echo "bench.sh: BENCH_ROUNDS must be a positive number" >&2; exit 2 ;; esac

stop_hogs() {
	local pid
	for pid in "${HOGS[@]}"; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	HOGS=()
}
trap stop_hogs EXIT
trap 'exit 130' INT TERM

start=$(date +%s.%N)
if [ "$REPORT_ONLY" = 1 ]; then
	ROUNDS=$(find "$LOGDIR" -name 'kvm-*.log' 2>/dev/null | wc -l)
	[ "$ROUNDS" -gt 0 ] || { echo "bench.sh: no logs in $LOGDIR" >&2; exit 1; }
	[ -e "$LOGDIR/load" ] && LOAD=1
else
	rm -rf "$LOGDIR"
	mkdir -p "$LOGDIR"
	[ "$LOAD" = 1 ] && touch "$LOGDIR/load"
fi
if [ "$REPORT_ONLY" != 1 ] && [ "$LOAD" = 1 ]; then
	for _ in $(seq "$(nproc)"); do
		( while :; do :; done ) &
		HOGS+=($!)
	done
	echo "bench: under load, ${#HOGS[@]} busy loops on the build host (pids ${HOGS[*]})"
fi
failed=0
[ "$REPORT_ONLY" = 1 ] ||
	echo "bench: $ROUNDS rounds of KVM (nohyp boot, virtualization=on), nohyp (EL1, host paths)" \
	     "then Gunyah (hyp boot, v17); CPU ${CPU_MODEL:-cortex-a72}," \
	     "extra kernel arguments: ${KERNEL_APPEND:-none}"
for r in $(seq "$ROUNDS"); do
	[ "$REPORT_ONLY" = 1 ] && break
	for side in kvm nohyp gunyah; do
		log=$LOGDIR/$side-$r.log
		case $side in
		kvm) args=(--nohyp --kvm --suite bench) ;;
		nohyp) args=(--nohyp --suite bench) ;;
		*) args=(--profile v17 --suite bench) ;;
		esac
		t0=$(date +%s)
		if "$HERE/run.sh" "${args[@]}" --log "$log" > "$LOGDIR/$side-$r.out" 2>&1; then
			st="done"
		else
			st="FAILED (see $LOGDIR/$side-$r.out)"
			failed=$((failed + 1))
		fi
		echo "bench: round $r $side: $st in $(($(date +%s) - t0)) s"
	done
done
stop_hogs
end=$(date +%s.%N)

# "@@BENCH side path median n min max" or "@@BENCH side path n/a reason"
for r in $(seq "$ROUNDS"); do
	for side in kvm nohyp gunyah; do
		grep -a '^@@BENCH' "$LOGDIR/$side-$r.log" 2>/dev/null | sed "s/^/$r /"
	done
done | awk -v load="$LOAD" '
function med(list,    a, n, i, j, t) {
	n = split(list, a, " ")
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function fmt(ns) {
	if (ns < 10000)
		return sprintf("%d ns", ns)
	if (ns < 1000000)
		return sprintf("%.1f us", ns / 1000)
	if (ns < 1000000000)
		return sprintf("%.2f ms", ns / 1000000)
	return sprintf("%.2f s", ns / 1000000000)
}
$2 == "@@BENCH-HOW" {
	if (!($3 in how)) {
		order[++npaths] = $3
		h = $0; sub(/^[0-9]+ @@BENCH-HOW [^ ]+ /, "", h); how[$3] = h
	}
	next
}
$2 == "@@BENCH" {
	side = $3; path = $4
	if ($5 == "n/a") {
		w = $0; sub(/^[0-9]+ @@BENCH [^ ]+ [^ ]+ n\/a /, "", w)
		na[side, path] = w
	} else {
		vals[side, path] = vals[side, path] " " $5
		per[side, path] = per[side, path] " " fmt($5)
	}
}
END {
	sides["kvm"] = 1
	sides["gunyah"] = 1
	if (!npaths) { print "bench: no results (see the boot logs)"; exit }
	printf "\n%-18s | %12s | %12s | %12s | %s\n", "path", "KVM", "nohyp", "Gunyah", "ratio"
	printf "%-18s-+-%12s-+-%12s-+-%12s-+-%s\n", "------------------", "------------", \
		"------------", "------------", "------"
	for (i = 1; i <= npaths; i++) {
		p = order[i]
		k = ("kvm", p) in vals ? med(vals["kvm", p]) : ""
		b = ("nohyp", p) in vals ? med(vals["nohyp", p]) : ""
		g = ("gunyah", p) in vals ? med(vals["gunyah", p]) : ""
		ref = p ~ /^host_/ ? b : k
		ratio[p] = ref != "" && g != "" && ref > 0 ? sprintf("%.2f", g / ref) : "n/a"
		printf "%-18s | %12s | %12s | %12s | %s\n", p, k != "" ? fmt(k) : "n/a", \
			b != "" ? fmt(b) : "-", g != "" ? fmt(g) : "n/a", ratio[p]
	}
	print ""
	for (i = 1; i <= npaths; i++)
		printf "%s=%s\n", order[i], ratio[order[i]]
	# Within one side: a notification through an ioeventfd against a full MMIO exit.
	for (side in sides) {
		if ((side, "ioeventfd_write") in vals && (side, "mmio_exit") in vals)
			printf "%s_ioeventfd_vs_mmio_exit=%.2f\n", side,
			       med(vals[side, "ioeventfd_write"]) / med(vals[side, "mmio_exit"])
	}
	# Of the lent teardown, the share that is the hypervisor zeroing the memory of the guest.
	if (("gunyah", "teardown_scrub") in vals && ("gunyah", "teardown_memfree") in vals)
		printf "gunyah_scrub_of_teardown_memfree=%.2f\n",
		       med(vals["gunyah", "teardown_scrub"]) / med(vals["gunyah", "teardown_memfree"])
	print "\nratio = Gunyah / KVM (host_*: Gunyah / nohyp) of the medians of the per-boot"
	print "medians; lower is better."
	print "<side>_ioeventfd_vs_mmio_exit: the cost of a guest notification through an"
	print "ioeventfd over that of a full MMIO exit to the VMM, on one side."
	print "gunyah_scrub_of_teardown_memfree: the share of the lent teardown spent by the"
	print "hypervisor zeroing the memory of the guest before the host gets it back."
	print "host_* paths run no VM: the Gunyah host (EL1 under the test hypervisor) against"
	print "the same kernel at EL1 without a hypervisor (nohyp); KVM shows the kernel at EL2."
	if (load == 1)
		print "Measured under load: one busy loop per build-host CPU beside QEMU."
	print "\nHow each path is measured (CLOCK_MONOTONIC inside the emulated host, median of batches):"
	for (i = 1; i <= npaths; i++)
		printf "  %-18s %s\n", order[i], how[order[i]]
	print "\nPer-boot medians (KVM / nohyp / Gunyah):"
	for (i = 1; i <= npaths; i++) {
		p = order[i]
		printf "  %-18s%s /%s /%s\n", p, ("kvm", p) in per ? per["kvm", p] : " n/a", \
			("nohyp", p) in per ? per["nohyp", p] : " -", \
			("gunyah", p) in per ? per["gunyah", p] : " n/a"
	}
	header = 0
	for (i = 1; i <= npaths; i++) {
		p = order[i]
		k = ("kvm", p) in na; g = ("gunyah", p) in na
		if (!k && !g)
			continue
		if (!header++)
			print "\nNot measured (n/a in at least one boot):"
		if (k && g && na["kvm", p] == na["gunyah", p])
			printf "  %-18s both: %s\n", p, na["kvm", p]
		else
			printf "  %-18s%s%s\n", p, k ? " KVM: " na["kvm", p] : "", \
				g ? (k ? ";" : "") " Gunyah: " na["gunyah", p] : ""
	}
}'
[ "$REPORT_ONLY" = 1 ] || printf '\nbench: %d boots in %.0f s, logs in %s\n' $((ROUNDS * 3)) \
	"$(echo "$end - $start" | bc)" "$LOGDIR"
[ "$failed" -eq 0 ] || { echo "bench: $failed boots failed"; exit 1; }
