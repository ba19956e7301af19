/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Bare-metal test guest: entry points and exception vectors.  The boot
 * vCPU starts at _start (MMU off, EL1); secondaries started with PSCI
 * CPU_ON start at secondary_entry with their stack top in x0.
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
	bl	guest_main
1:	wfi
	b	1b

	.global secondary_entry
secondary_entry:
	mov	sp, x0
	adrp	x1, vectors
	add	x1, x1, :lo12:vectors
	msr	vbar_el1, x1
	isb
	bl	secondary_main
2:	wfi
	b	2b

	/* A secondary that powers itself off at once (PSCI CPU_OFF). */
	.global secondary_off_entry
secondary_off_entry:
	movz	x0, #0x0002
	movk	x0, #0x8400, lsl #16
	hvc	#0
4:	wfi
	b	4b

	/* A secondary that runs commands, like the boot vCPU. */
	.global secondary_loop_entry
secondary_loop_entry:
	mov	sp, x0
	adrp	x1, vectors
	add	x1, x1, :lo12:vectors
	msr	vbar_el1, x1
	isb
	bl	secondary_loop
3:	wfi
	b	3b

.macro ventry handler
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
	bl	\handler
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
.endm

	.align	11
vectors:
	/* Current EL, SP_EL0: unused */
	.rept	4
	.align	7
	b	.
	.endr
	/* Current EL, SP_ELx */
	ventry	sync_handler
	ventry	irq_handler
	.align	7
	b	.
	.align	7
	b	.
	/* Lower ELs: unused */
	.rept	8
	.align	7
	b	.
	.endr

	.bss
	.align	12
	.space	0x4000
	.global stack_top
stack_top:
	.space	0x1000 * 8
	.global secondary_stacks_top
secondary_stacks_top:
