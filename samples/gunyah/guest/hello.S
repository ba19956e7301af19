/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Sample guest entry: the boot vCPU starts at _start with x0 = its device
 * tree; secondaries at secondary_entry with x0 = their stack top.  Only
 * the boot vCPU takes interrupts.
 */
	.section .text.boot, "ax"
	.global _start
_start:
	adrp	x1, stack_top
	add	x1, x1, :lo12:stack_top
	mov	sp, x1
	adrp	x1, vectors
	add	x1, x1, :lo12:vectors
	msr	vbar_el1, x1
	isb
	bl	hello_main
1:	wfi
	b	1b

	.global secondary_entry
secondary_entry:
	mov	sp, x0
	bl	secondary_main
2:	wfi
	b	2b

/* Exception vectors: IRQs taken at EL1 with SP_EL1 go to irq_handler. */
	.align	11
vectors:
	.rept	5
	.align	7
	b	.
	.endr
	.align	7
	sub	sp, sp, #256
	stp	x0, x1, [sp, #0]
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x30, [sp, #144]
	bl	irq_handler
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x30, [sp, #144]
	add	sp, sp, #256
	eret
	.rept	10
	.align	7
	b	.
	.endr

	.bss
	.align	12
	.space	0x2000
	.global stack_top
stack_top:
	.space	0x1000 * 8
