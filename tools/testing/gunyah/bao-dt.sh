#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# bao-dt.sh DTB BASE SPI: add the bao,ipcshmem nodes of run.sh --bao to the
# host's DTB.  BASE is the channel's 1 MiB region, SPI the host interrupt
# of channel 0 (the one the hypervisor serves; SPI + 1 is channel 7's,
# which the hypervisor does not know).  Each 64 KiB slice of the region
# gets one node:
#
#   slice 0   channel 0, shared with a guest that uses dts/guest-bao.dts
#   slice 1   channel 7: a valid node the hypervisor refuses to notify for
#   slice 2+  nodes the driver must refuse, one mistake each; the name
#             after "ipcshmem-" says which (the selftest bao_ipc_dt.sh
#             expects that name and that log line)
#
# fdtput -c puts a new node first among its siblings: the bad nodes are
# made first so that the good ones come first in the DT and probe first
# (the duplicate id is the later node).

set -euo pipefail

DTB=$1
BASE=$2
SPI=$3
SLICE=0x10000

hex() { printf '%x' "$1"; }

# node SLICE_INDEX NAME [PROP TYPE VALUE...]...: a node with reg and
# compatible, then the given properties ("-" as the value: omit it).
node() {
	local addr=$((BASE + $1 * SLICE)) path
	path=/ipcshmem$2@$(hex "$addr")
	shift 2
	fdtput -c "$DTB" "$path"
	fdtput -t s "$DTB" "$path" compatible bao,ipcshmem
	[ "$path" != "${path/-noreg/}" ] || \
		fdtput -t x "$DTB" "$path" reg 0 "$(hex "$addr")" 0 "$(hex $SLICE)"
	while [ $# -gt 0 ]; do
		local prop=$1 type=$2
		shift 2
		local vals=()
		while [ $# -gt 0 ] && [ "$1" != ";" ]; do
			vals+=("$1")
			shift
		done
		[ $# -gt 0 ] && shift
		fdtput -t "$type" "$DTB" "$path" "$prop" "${vals[@]}"
	done
}

IRQ="interrupts x 0 $(hex "$SPI") 1 ;"
IRQ7="interrupts x 0 $(hex $((SPI + 1))) 1 ;"
CH="read-channel x 0 8000 ; write-channel x 8000 8000 ;"
BADIRQ="interrupts x 0 $(hex $((SPI + 2))) 1 ;"

# shellcheck disable=SC2086 # the property lists are split on purpose
{
node 2 -outside id x 10 ';' read-channel x 8000 10000 ';' write-channel x 0 8000 ';' $BADIRQ
node 3 -overlap id x 11 ';' read-channel x 0 8000 ';' write-channel x 4000 8000 ';' $BADIRQ
node 4 -noid $CH $BADIRQ
node 5 -noread id x 13 ';' write-channel x 8000 8000 ';' $BADIRQ
node 6 -size0 id x 14 ';' read-channel x 0 8000 ';' write-channel x 8000 0 ';' $BADIRQ
node 7 -overflow id x 15 ';' read-channel x ffffff00 200 ';' write-channel x 0 8000 ';' $BADIRQ
node 8 -noirq id x 16 ';' $CH
node 9 -noreg id x 17 ';' $CH $BADIRQ
node 10 -dupid id x 0 ';' $CH $BADIRQ
node 1 "" id x 7 ';' $CH $IRQ7
node 0 "" id x 0 ';' $CH $IRQ
}
