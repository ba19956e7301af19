#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# lint.sh: static checks, each reported as a TAP line.
#   - checkpatch.pl --strict on every C, header, assembly and Kconfig file
#   - the modules built with W=1 and sparse (C=2) against the 6.12 headers
#     and against Debian's 6.1 headers (compile-only target), no warnings
#   - the test hypervisor built with -Werror (done by its Makefile)
#   - DT bindings: yamllint with the kernel's rules, their examples compile
#     and validate (dt-validate.py), and so do the test platform's nodes

set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
DEPS=${DEPS:-$ROOT/.deps}
CROSS_COMPILE=${CROSS_COMPILE:-aarch64-linux-gnu-}
env_get() { sed -n "s/^$1 := //p" "$DEPS/env.mk"; }
CHECKPATCH=$(env_get CHECKPATCH)
KDIR=$(env_get KDIR_DEFAULT)
KDIR61=$(env_get KDIR61)

n=0
failed=0
result() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}

echo "TAP version 13"
cd "$ROOT" || exit 1
mapfile -t files < <(git ls-files -co --exclude-standard -- \
	'arch/*.c' 'arch/*.h' 'drivers/*.c' 'drivers/*.h' 'include/*.h' 'samples/*.c' \
	'samples/*.h' 'tools/testing/*.c' 'tools/testing/*.h' 'tools/testing/*.S' \
	'*Kconfig' | sort -u | while read -r f; do [ -e "$f" ] && echo "$f"; done)
for f in "${files[@]}"; do
	out=$("$CHECKPATCH" --strict --no-tree --quiet --show-types \
		--ignore SPDX_LICENSE_TAG,FILE_PATH_CHANGES -f "$f" 2>&1)
	rc=$?
	[ -n "$out" ] && rc=1
	[ $rc -ne 0 ] && echo "$out" | sed 's/^/# /'
	result $rc "checkpatch --strict $f"
done

# DT bindings, and the test platform's nodes against them: the good nodes
# of run.sh --bao and of the guest's DT pass; each deliberately bad host
# node fails (but the duplicate id, which no schema of one node can see).
KCOMMON=$(env_get KCOMMON)
BAO_SCHEMA=Documentation/devicetree/bindings/misc/bao,ipcshmem.yaml
for b in $(git ls-files -co --exclude-standard -- 'Documentation/devicetree/bindings/*.yaml'); do
	out=$(yamllint -f parsable -c Documentation/devicetree/bindings/.yamllint "$b" 2>&1)
	rc=$?
	[ -n "$out" ] && rc=1
	[ $rc -ne 0 ] && echo "$out" | sed 's/^/# /'
	result $rc "yamllint $b"
	out=$("$ROOT/tools/testing/gunyah/dt-validate.py" --example "$b" "$KCOMMON/include" 2>&1)
	rc=$?
	echo "$out" | sed 's/^/# /'
	result $rc "$b: examples compile with dtc and validate"
done
mkdir -p "$BUILD/lint-dt"
dt=$BUILD/lint-dt
rc=0
"$ROOT/tools/testing/gunyah/run.sh" --bao --dtb-only "$dt/host-bao.dtb" > /dev/null 2>&1 || rc=1
dtc -q -I dts -O dtb -o "$dt/guest-bao.dtb" tools/testing/selftests/gunyah/dts/guest-bao.dts || rc=1
out=$("$ROOT/tools/testing/gunyah/dt-validate.py" "$BAO_SCHEMA" "$dt/host-bao.dtb" \
	"$dt/guest-bao.dtb" 2>&1)
echo "$out" | sed 's/^/# /'
echo "$out" | awk '
	/^ok \/ipcshmem@/ || /^ok \/ipcshmem-dupid@/ { good++; next }
	/^fail \/ipcshmem-(outside|overlap|noid|noread|size0|overflow|noirq|noreg)@/ { bad++; next }
	{ wrong++ }
	END { exit !(good == 4 && bad == 8 && !wrong) }' || rc=1
result $rc "test platform bao,ipcshmem nodes: 3 good and the duplicate id pass, 8 bad fail"

# build_modules NAME KDIR: W=1 + sparse build of a copy of the sources.
build_modules() {
	local name=$1 kdir=$2 dir=$BUILD/lint-$1 log
	rm -rf "$dir" && mkdir -p "$dir"
	cp -r "$ROOT/Kbuild" "$ROOT/arch" "$ROOT/drivers" "$ROOT/include" "$dir/"
	find "$dir" \( -name '*.o' -o -name '*.ko' -o -name '*.cmd' -o -name '*.mod*' \) -delete
	log=$dir/build.log
	make -C "$kdir" ARCH=arm64 CROSS_COMPILE="$CROSS_COMPILE" CONFIG_GUNYAH=m CONFIG_BAO_IPCSHMEM=m M="$dir" \
		W=1 C=2 modules > "$log" 2>&1
	local rc=$?
	if grep -E 'warning:|error:' "$log" >/dev/null; then
		rc=1
	fi
	[ $rc -ne 0 ] && grep -E -A3 'warning:|error:|Error' "$log" | head -n 40 | sed 's/^/# /'
	result $rc "modules build with W=1 and sparse, no warnings ($name)"
}
build_modules 6.12 "$KDIR"
build_modules 6.1 "$KDIR61"

echo "1..$n"
echo "$((n - failed)) passed, $failed failed"
[ $failed -eq 0 ]
