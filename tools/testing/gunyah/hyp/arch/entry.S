/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Gunyah test hypervisor: EL2 entry points and exception vectors.
 *
 * QEMU enters _start on the boot CPU at EL2 with the MMU off.  Secondary
 * CPUs arrive at secondary_entry through PSCI CPU_ON with their index in x0.
 * Every CPU runs on its own stack; exceptions from the host save the
 * general-purpose registers in a struct trap_frame on that stack.
 */

#define STACK_SIZE	0x4000
#define FRAME_SIZE	(32 * 8)

	.section .text.boot, "ax"
	.global _start
_start:
	msr	daifset, #0xf
	/* Clear .bss (MMU off: plain aligned stores only). */
	adrp	x1, __bss_start
	add	x1, x1, :lo12:__bss_start
	adrp	x2, __bss_end
	add	x2, x2, :lo12:__bss_end
1:	cmp	x1, x2
	b.hs	2f
	stp	xzr, xzr, [x1], #16
	b	1b
2:	mov	x0, #0
	bl	hyp_stack_top
	mov	sp, x0
	adrp	x1, hyp_vectors
	add	x1, x1, :lo12:hyp_vectors
	msr	vbar_el2, x1
	isb
	bl	hyp_main_primary
	b	.

	.global secondary_entry
secondary_entry:
	msr	daifset, #0xf
	mov	x19, x0
	bl	hyp_stack_top
	mov	sp, x0
	adrp	x1, hyp_vectors
	add	x1, x1, :lo12:hyp_vectors
	msr	vbar_el2, x1
	isb
	mov	x0, x19
	bl	hyp_main_secondary
	b	.

	.text
	.global hyp_stack_top
/* u64 hyp_stack_top(u32 cpu): top of the stack of CPU @cpu (leaf, no stack). */
hyp_stack_top:
	adrp	x1, hyp_stacks
	add	x1, x1, :lo12:hyp_stacks
	add	x0, x0, #1
	mov	x2, #STACK_SIZE
	madd	x0, x0, x2, x1
	ret

	.global enter_host
/* enter_host(entry, arg, stack_top): drop to the host at EL1h, never returns. */
enter_host:
	mov	sp, x2
	msr	elr_el2, x0
	mov	x3, #0x3c5		/* EL1h, DAIF masked */
	msr	spsr_el2, x3
	mov	x0, x1
	mov	x1, xzr
	mov	x2, xzr
	mov	x3, xzr
	msr	sp_el1, xzr
	eret

/* Save x0..x30 into a struct trap_frame on the EL2 stack. */
.macro save_frame
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #16 * 0]
	stp	x2, x3, [sp, #16 * 1]
	stp	x4, x5, [sp, #16 * 2]
	stp	x6, x7, [sp, #16 * 3]
	stp	x8, x9, [sp, #16 * 4]
	stp	x10, x11, [sp, #16 * 5]
	stp	x12, x13, [sp, #16 * 6]
	stp	x14, x15, [sp, #16 * 7]
	stp	x16, x17, [sp, #16 * 8]
	stp	x18, x19, [sp, #16 * 9]
	stp	x20, x21, [sp, #16 * 10]
	stp	x22, x23, [sp, #16 * 11]
	stp	x24, x25, [sp, #16 * 12]
	stp	x26, x27, [sp, #16 * 13]
	stp	x28, x29, [sp, #16 * 14]
	str	x30, [sp, #16 * 15]
.endm

.macro restore_frame_eret
	ldp	x0, x1, [sp, #16 * 0]
	ldp	x2, x3, [sp, #16 * 1]
	ldp	x4, x5, [sp, #16 * 2]
	ldp	x6, x7, [sp, #16 * 3]
	ldp	x8, x9, [sp, #16 * 4]
	ldp	x10, x11, [sp, #16 * 5]
	ldp	x12, x13, [sp, #16 * 6]
	ldp	x14, x15, [sp, #16 * 7]
	ldp	x16, x17, [sp, #16 * 8]
	ldp	x18, x19, [sp, #16 * 9]
	ldp	x20, x21, [sp, #16 * 10]
	ldp	x22, x23, [sp, #16 * 11]
	ldp	x24, x25, [sp, #16 * 12]
	ldp	x26, x27, [sp, #16 * 13]
	ldp	x28, x29, [sp, #16 * 14]
	ldr	x30, [sp, #16 * 15]
	add	sp, sp, #FRAME_SIZE
	eret
.endm

.macro vector_entry handler, kind
	.align	7
	save_frame
	mov	x0, sp
	mov	x1, #\kind
	bl	\handler
	b	exception_return
.endm

	.align	11
	.global hyp_vectors
hyp_vectors:
	/* Current EL with SP_EL0: never used. */
	vector_entry hyp_bad_exception, 0
	vector_entry hyp_bad_exception, 1
	vector_entry hyp_bad_exception, 2
	vector_entry hyp_bad_exception, 3
	/* Current EL with SP_ELx: a hypervisor bug. */
	vector_entry hyp_bad_exception, 4
	vector_entry hyp_bad_exception, 5
	vector_entry hyp_bad_exception, 6
	vector_entry hyp_bad_exception, 7
	/* Lower EL, AArch64. */
	vector_entry handle_lower_sync, 8
	vector_entry handle_lower_irq, 9
	vector_entry handle_lower_fiq, 10
	vector_entry handle_lower_serror, 11
	/* Lower EL, AArch32: not supported. */
	vector_entry hyp_bad_exception, 12
	vector_entry hyp_bad_exception, 13
	vector_entry hyp_bad_exception, 14
	vector_entry hyp_bad_exception, 15

exception_return:
	restore_frame_eret

	.bss
	.align	12
	.global hyp_stacks
hyp_stacks:
	.space	STACK_SIZE * 8
