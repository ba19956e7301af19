#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# run.sh: boot the test platform in QEMU and run one suite inside the host.
#
#   run.sh [--profile v17|oss] [--suite hyp|nohyp|kvm|main|shell|stress|bench] [--nohyp]
#          [--kvm] [--extra PROG]... [--timeout SECONDS] [--log FILE] [--main]
#          [--fuzz-secs N] [--fuzz-seed S] [--fuzz-no-lent] [--bao] [--dtb-only FILE]
#          [--cpu MODEL] [--append ARGS]
#
# The platform: QEMU "virt" (GICv3, 2 CPUs, Cortex-A72, TCG), our test
# hypervisor at EL2, Debian's arm64 kernel at EL1 with an initramfs holding
# busybox, the modules and the tests.  --nohyp boots the same kernel
# without the hypervisor; with --kvm also with virtualization=on, so that
# it boots at EL2 and /dev/kvm exists (the bench suite's KVM side).
# --main runs the main job instead of the tests; --suite shell boots the
# sample Linux guest with a shell on this terminal (make run-shell).
# EXTRA (environment) or --extra adds programs to run after the suite.
# --fuzz-* go to the fuzzer and the kill storm on the kernel command line:
# each of them runs N/2 seconds (the stress suite), with seed S.
# --cpu (or CPU_MODEL in the environment) picks QEMU's CPU model, Cortex-A72
# by default; "max" works too (the hypervisor hides the features whose
# state it does not switch, see hyp/arch/idregs.c).
# --append (or KERNEL_APPEND in the environment) adds ARGS to the host
# kernel's command line, e.g. "nokaslr" (no KASLR, hence no KPTI on a CPU
# that Meltdown does not affect).
# --bao adds the Bao-style shared-memory channel: 1 MiB at the top of RAM
# taken from the host's memory node, the hypervisor's channel 0 with a
# guest, and bao,ipcshmem nodes in the host DT (good and deliberately bad
# ones, for the driver's tests).  --dtb-only writes the host DTB to FILE
# and stops (the binding check validates it).
#
# Prints the suite's output, then "N passed, N failed"; exits non-zero on
# any failure, on a boot that does not reach the tests, or on a timeout.
# The whole console is kept in the log file (default build/logs/).

set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
DEPS=${DEPS:-$ROOT/.deps}
HERE=$ROOT/tools/testing/gunyah

PROFILE=v17
SUITE=
NOHYP=0
KVM=0
TIMEOUT=${TIMEOUT:-1500}
LOG=
FUZZ_SECS=
FUZZ_SEED=
FUZZ_LENT=
EXTRAS=()
BAO=0
DTB_ONLY=
[ -n "${EXTRA:-}" ] && EXTRAS+=("$EXTRA")
CPUS=2
MEM_MB=2048
[ -n "${CPU_MODEL:-}" ] || CPU_MODEL=cortex-a72

while [ $# -gt 0 ]; do
	case $1 in
	--profile) PROFILE=$2; shift ;;
	--suite) SUITE=$2; shift ;;
	--nohyp) NOHYP=1 ;;
	--kvm) KVM=1 ;;
	--main) SUITE=main ;;
	--extra) EXTRAS+=("$2"); shift ;;
	--timeout) TIMEOUT=$2; shift ;;
	--log) LOG=$2; shift ;;
	--fuzz-secs) FUZZ_SECS=$2; shift ;;
	--fuzz-seed) FUZZ_SEED=$2; shift ;;
	--fuzz-no-lent) FUZZ_LENT=0 ;;
	--bao) BAO=1 ;;
	--dtb-only) DTB_ONLY=$2; shift ;;
	--cpu) CPU_MODEL=$2; shift ;;
	--append) KERNEL_APPEND=$2; shift ;;
	*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
[ -n "$SUITE" ] || { [ "$NOHYP" = 1 ] && SUITE=nohyp || SUITE=hyp; }
[ "$SUITE" = nohyp ] && NOHYP=1
case $PROFILE in v17|oss) ;; *) echo "run.sh: bad profile $PROFILE" >&2; exit 2 ;; esac
if [ -n "$FUZZ_SECS" ]; then
	# Room for the boot, the suite's checks and TCG being slow.
	[ "$TIMEOUT" -lt $((FUZZ_SECS * 3 / 2 + 600)) ] && TIMEOUT=$((FUZZ_SECS * 3 / 2 + 600))
fi

KIMAGE=$(sed -n 's/^KIMAGE := //p' "$DEPS/env.mk")
TAG=$SUITE-$PROFILE
if [ "$NOHYP" = 1 ]; then
	TAG=$SUITE
	[ "$SUITE" != nohyp ] && TAG=$SUITE-nohyp
fi
mkdir -p "$BUILD/logs" "$BUILD/run"
LOG=${LOG:-$BUILD/logs/$TAG.log}
INITRD=$BUILD/run/initramfs-$TAG.cpio
[ -z "$DTB_ONLY" ] && "$HERE/mkinitramfs.sh" "$INITRD" "${EXTRAS[@]}"

MACHINE="virt,gic-version=3,its=off,highmem=off"
QEMU=(qemu-system-aarch64 -cpu "$CPU_MODEL" -smp "$CPUS" -m "$MEM_MB" -nographic -no-reboot
      -monitor none -serial stdio -nic none)
# Lockup detectors armed: a CPU stuck for 10 s (soft lockup at twice
# watchdog_thresh), a task blocked for 10 s, an RCU stall of 10 s.
APPEND="console=ttyAMA0 panic=-1 panic_on_oops=1 rdinit=/init gh_suite=$SUITE gh_cpus=$CPUS gh_profile=$PROFILE"
APPEND+=" watchdog_thresh=5 sysctl.kernel.hung_task_timeout_secs=10 rcupdate.rcu_cpu_stall_timeout=10"
[ -n "$FUZZ_SECS" ] && APPEND+=" gh_fuzz_secs=$((FUZZ_SECS / 2))"
[ -n "$FUZZ_SEED" ] && APPEND+=" gh_fuzz_seed=$FUZZ_SEED"
[ -n "$FUZZ_LENT" ] && APPEND+=" gh_fuzz_lent=$FUZZ_LENT"
[ "$NOHYP" = 1 ] && APPEND+=" gh_nohyp=1"
[ "$NOHYP" = 1 ] && [ "$KVM" = 1 ] && APPEND+=" gh_kvm=1"
[ "$BAO" = 1 ] && APPEND+=" gh_bao=1"
[ -n "${KERNEL_APPEND:-}" ] && APPEND+=" $KERNEL_APPEND"

hex() { printf '0x%x' "$1"; }
rand64() { printf '0x%s' "$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"; }

if [ "$NOHYP" = 1 ]; then
	[ "$KVM" = 1 ] && MACHINE+=",virtualization=on"
	QEMU+=(-M "$MACHINE" -kernel "$KIMAGE" -initrd "$INITRD" -append "$APPEND")
else
	# Layout constants shared with the hypervisor (PLAT_*, BOOTCFG_*).
	eval "$(awk '$1 == "#define" && $2 ~ /^(PLAT|BOOTCFG)_/ && $3 ~ /^[0-9]/ {
		v = $3; sub(/UL$/, "", v); print $2 "=" v }' "$HERE/platform.h")"
	PLAT_BOOTCFG_ADDR=$((PLAT_HYP_BASE + PLAT_HYP_SIZE - 0x1000))
	RAM_END=$((PLAT_RAM_BASE + MEM_MB * 1024 * 1024))
	HOST_RAM_END=$RAM_END
	if [ "$BAO" = 1 ]; then
		# The channel's region is neither the host's RAM nor the hypervisor's.
		BAO_SIZE=0x100000
		HOST_RAM_END=$((RAM_END - BAO_SIZE))
		BAO_BASE=$HOST_RAM_END
		BAO_SPI=100
	fi
	INITRD_END=$PLAT_HOST_INITRD
	[ -z "$DTB_ONLY" ] && INITRD_END=$((PLAT_HOST_INITRD + $(stat -c %s "$INITRD")))
	TX_CAP=$(rand64)
	RX_CAP=$(rand64)
	TX_SPI=200
	RX_SPI=201
	DTB=${DTB_ONLY:-$BUILD/run/host-$TAG.dtb}
	"${QEMU[@]}" -M "$MACHINE,virtualization=on,dumpdtb=$DTB" >/dev/null 2>&1
	fdtput -t s "$DTB" /psci method hvc
	fdtput -t x "$DTB" /memory@40000000 reg 0 "$(hex $((PLAT_HYP_BASE + PLAT_HYP_SIZE)))" \
		0 "$(hex $((HOST_RAM_END - PLAT_HYP_BASE - PLAT_HYP_SIZE)))"
	fdtput -t x "$DTB" /chosen linux,initrd-start 0 "$(hex "$PLAT_HOST_INITRD")"
	fdtput -t x "$DTB" /chosen linux,initrd-end 0 "$(hex "$INITRD_END")"
	fdtput -t s "$DTB" /chosen bootargs "$APPEND"
	# fdtput -t x takes hexadecimal cells.
	txhi=$(hex $((TX_CAP >> 32 & 0xffffffff))); txlo=$(hex $((TX_CAP & 0xffffffff)))
	rxhi=$(hex $((RX_CAP >> 32 & 0xffffffff))); rxlo=$(hex $((RX_CAP & 0xffffffff)))
	if [ "$PROFILE" = v17 ]; then
		# The upstream binding.
		RM=/hypervisor/gunyah-resource-mgr@$(printf '%x' $((TX_CAP)))
		fdtput -c "$DTB" /hypervisor "$RM"
		fdtput -t s "$DTB" /hypervisor compatible gunyah-hypervisor
		fdtput -t s "$DTB" "$RM" compatible gunyah-resource-manager
	else
		# What the open-source Resource Manager generates for its host.
		RM=/hypervisor/qcom,resource-manager-rpc@$(printf '%016x' $((TX_CAP)))
		fdtput -c "$DTB" /hypervisor /hypervisor/qcom,gunyah-vm "$RM"
		fdtput -t s "$DTB" /hypervisor compatible qcom,gunyah-hypervisor-1.0 \
			qcom,gunyah-hypervisor simple-bus
		fdtput -t s "$DTB" /hypervisor/qcom,gunyah-vm compatible qcom,gunyah-vm-id-1.0 \
			qcom,gunyah-vm-id
		fdtput -t x "$DTB" /hypervisor/qcom,gunyah-vm qcom,vmid 3
		fdtput -t s "$DTB" /hypervisor/qcom,gunyah-vm qcom,vendor Qualcomm
		fdtput -t s "$DTB" "$RM" compatible gunyah-resource-manager \
			qcom,resource-manager-1-0 qcom,resource-manager
		fdtput -t x "$DTB" "$RM" qcom,free-irq-start "$(printf %x $((32 + 208)))"
		fdtput -t x "$DTB" "$RM" qcom,tx-message-size 0xf0
		fdtput -t x "$DTB" "$RM" qcom,rx-message-size 0xf0
		fdtput -t x "$DTB" "$RM" qcom,tx-queue-depth 8
		fdtput -t x "$DTB" "$RM" qcom,rx-queue-depth 8
		fdtput -t s "$DTB" "$RM" qcom,is-full-duplex ""
	fi
	fdtput -t x "$DTB" /hypervisor '#address-cells' 2
	fdtput -t x "$DTB" /hypervisor '#size-cells' 0
	fdtput -t x "$DTB" "$RM" reg "$txhi" "$txlo" "$rxhi" "$rxlo"
	fdtput -t x "$DTB" "$RM" interrupts 0 "$(printf %x $TX_SPI)" 1 0 "$(printf %x $RX_SPI)" 1

	[ "$BAO" = 1 ] && "$HERE/bao-dt.sh" "$DTB" "$BAO_BASE" "$BAO_SPI"
	[ -n "$DTB_ONLY" ] && exit 0

	PROFILE_NR=0
	[ "$PROFILE" = oss ] && PROFILE_NR=1
	cfg() { QEMU+=(-device "loader,addr=$(hex $((PLAT_BOOTCFG_ADDR + $1))),data=$2,data-len=$3"); }
	cfg 0 "$(hex "$BOOTCFG_MAGIC")" 4
	cfg 4 "$PROFILE_NR" 4
	cfg 8 "$TX_CAP" 8
	cfg 16 "$RX_CAP" 8
	cfg 24 $((32 + TX_SPI)) 4
	cfg 28 $((32 + RX_SPI)) 4
	cfg 32 "$(hex "$HOST_RAM_END")" 8
	cfg 40 "$CPUS" 4
	if [ "$BAO" = 1 ]; then
		cfg 48 "$(hex "$BAO_BASE")" 8
		cfg 56 "$BAO_SIZE" 8
		cfg 64 0 4
		cfg 68 $((32 + BAO_SPI)) 4
		cfg 72 0x10000 8
	fi
	QEMU+=(-M "$MACHINE,virtualization=on" -kernel "$BUILD/hyp/gunyah-hyp.elf"
	       -device "loader,file=$KIMAGE,addr=$(hex "$PLAT_HOST_KERNEL"),force-raw=on"
	       -device "loader,file=$DTB,addr=$(hex "$PLAT_HOST_DTB"),force-raw=on"
	       -device "loader,file=$INITRD,addr=$(hex "$PLAT_HOST_INITRD"),force-raw=on")
fi

if [ "$SUITE" = shell ]; then
	# Interactive: the terminal is the host's console.  QEMU's own escape
	# moves to Ctrl-t, so that Ctrl-a reaches the sample VMM.
	echo "run.sh: booting $TAG; the guest's shell follows (Ctrl-a x quits the VMM, Ctrl-t x QEMU)"
	exec "${QEMU[@]}" -echr 0x14
fi

echo "run.sh: booting $TAG (log: $LOG)"
[ -n "$FUZZ_SECS$FUZZ_SEED" ] && echo "run.sh: fuzz seconds ${FUZZ_SECS:-default} seed ${FUZZ_SEED:-random}"
start=$(date +%s.%N)
set +e
timeout --foreground -k 10 "$TIMEOUT" "${QEMU[@]}" < /dev/null 2>&1 | sed -u 's/\r//g' | tee "$LOG" |
	awk '/^@@DMESG-BEGIN/ { d = 1 } !d && (show || /^gunyah-hyp:/) { print; fflush() }
	     /^@@BOOTED/ { show = 1 } /^@@DMESG-END/ { d = 0 }'
qemu_rc=${PIPESTATUS[0]}
set -e
end=$(date +%s.%N)

# Count TAP results per test; a test that exits non-zero without a
# "not ok" line, or that never ends, counts as one failure.
read -r passed failed skipped < <(awk '
	/^@@TEST-BEGIN / { name = $2; inside = 1; nok = 0; next }
	/^@@TEST-END / { rc = $3; sub("rc=", "", rc); inside = 0;
			 if (rc != 0 && nok == 0) { f++; print "run.sh: " name " exited with " rc > "/dev/stderr" } next }
	inside && /^ok .*# SKIP/ { s++; next }
	inside && /^ok / { p++ }
	inside && /^not ok / { f++; nok++ }
	END { if (inside) { f++; print "run.sh: " name " never finished" > "/dev/stderr" }
	      printf "%d %d %d\n", p, f, s }' "$LOG")

if ! grep -q '^@@ALL-DONE' "$LOG"; then
	failed=$((failed + 1))
	echo "run.sh: $TAG did not finish (qemu exit $qemu_rc); console tail:"
	grep -v '^@@' "$LOG" | tail -n 40
elif [ "$failed" -gt 0 ]; then
	echo "run.sh: failures in $TAG; kernel log:"
	sed -n '/^@@DMESG-BEGIN/,/^@@DMESG-END/p' "$LOG" | tail -n 60
fi
boot=$(awk '/^@@BOOTED/ { sub("uptime=", "", $2); print $2; exit }' "$LOG")
printf 'run.sh: %s took %.1f s (host kernel reached user space after %s s)\n' "$TAG" \
	"$(echo "$end - $start" | bc)" "${boot:-?}"
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
