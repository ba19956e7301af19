/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Sample guest entry: the boot vCPU starts at _start with x0 = its device
 * tree; secondaries at secondary_entry with x0 = their stack top.
 */
	.section .text.boot, "ax"
	.global _start
_start:
	adrp	x1, stack_top
	add	x1, x1, :lo12:stack_top
	mov	sp, x1
	bl	hello_main
1:	wfi
	b	1b

	.global secondary_entry
secondary_entry:
	mov	sp, x0
	bl	secondary_main
2:	wfi
	b	2b

	.bss
	.align	12
	.space	0x2000
	.global stack_top
stack_top:
	.space	0x1000 * 8
