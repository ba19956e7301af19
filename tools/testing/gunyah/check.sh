#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# check.sh: every test suite of the project, one after the other.
#   lint      checkpatch --strict, W=1 + sparse for 6.12 and 6.1
#   unit      pure logic on the build host
#   hyp-v17   in-host tests on the test platform, v17 Resource Manager, with
#             the Bao-style shared-memory channel (run.sh --bao)
#   hyp-oss   the same with the open-source (12/2023) Resource Manager
#   nohyp     the same kernel without the hypervisor
#   kvm       the same kernel at EL2 with KVM: kvm-vmm, make bench's KVM VMM
# EXTRA=/path/prog runs an extra program inside the host (hyp-v17 boot).
# Ends with the total "N passed, N failed"; non-zero exit on any failure.

set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
HERE=$ROOT/tools/testing/gunyah
mkdir -p "$BUILD/logs"

total_p=0
total_f=0
total_s=0
summary=()

run_suite() {
	local name=$1 out rc p f s line
	shift
	echo "=== $name"
	out=$BUILD/logs/check-$name.out
	"$@" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
	s=0
	if [ -z "$line" ]; then
		p=0
		f=1
	else
		case $line in *skipped*) s=${line##*failed, }; s=${s%% skipped*} ;; esac
		p=${line%% passed*}
		f=${line#*passed, }
		f=${f%% failed*}
		[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
	fi
	total_p=$((total_p + p))
	total_f=$((total_f + f))
	total_s=$((total_s + s))
	summary+=("$(printf '%-8s %5d passed, %d failed, %d skipped' "$name" "$p" "$f" "$s")")
}

start=$(date +%s)
run_suite lint "$HERE/lint.sh"
run_suite unit make -s -C "$HERE/unit" O="$BUILD/unit" run
run_suite hyp-v17 "$HERE/run.sh" --profile v17 --bao
EXTRA='' run_suite hyp-oss "$HERE/run.sh" --profile oss
EXTRA='' run_suite nohyp "$HERE/run.sh" --nohyp
EXTRA='' run_suite kvm "$HERE/run.sh" --nohyp --kvm --suite kvm

echo "=== summary ($(($(date +%s) - start)) s)"
printf '%s\n' "${summary[@]}"
if [ "$total_s" -gt 0 ]; then
	echo "$total_p passed, $total_f failed, $total_s skipped"
else
	echo "$total_p passed, $total_f failed"
fi
[ "$total_f" -eq 0 ]
