/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Gunyah test hypervisor: entering a guest vCPU and coming back.
 *
 * guest_enter(ctx, cpu) saves the hypervisor's callee-saved registers and
 * stack pointer in @cpu, switches VBAR_EL2 to guest_vectors and erets into
 * the guest with its general-purpose registers from @ctx.  Any exception
 * from the guest lands in guest_vectors, which stores the guest's
 * registers back into the running vCPU's context (cpu->guest_ctx), puts
 * the hypervisor's state back and returns from guest_enter with the kind
 * of exception: 0 synchronous, 1 IRQ, 2 FIQ, 3 SError.
 */

/* Offsets in struct vcpu_ctx and struct hyp_cpu, see vcpu.h and hyp.h. */
#define CTX_SP_EL0	(31 * 8)
#define CTX_PC		(32 * 8)
#define CTX_PSTATE	(33 * 8)
#define CPU_GUEST_CTX	24
#define CPU_EL2_REGS	32
#define CPU_EL2_SP	(CPU_EL2_REGS + 12 * 8)

	.text
	.global guest_enter
guest_enter:
	stp	x19, x20, [x1, #CPU_EL2_REGS + 16 * 0]
	stp	x21, x22, [x1, #CPU_EL2_REGS + 16 * 1]
	stp	x23, x24, [x1, #CPU_EL2_REGS + 16 * 2]
	stp	x25, x26, [x1, #CPU_EL2_REGS + 16 * 3]
	stp	x27, x28, [x1, #CPU_EL2_REGS + 16 * 4]
	stp	x29, x30, [x1, #CPU_EL2_REGS + 16 * 5]
	mov	x2, sp
	str	x2, [x1, #CPU_EL2_SP]
	str	x0, [x1, #CPU_GUEST_CTX]

	adrp	x2, guest_vectors
	add	x2, x2, :lo12:guest_vectors
	msr	vbar_el2, x2

	ldr	x2, [x0, #CTX_SP_EL0]
	msr	sp_el0, x2
	ldr	x2, [x0, #CTX_PC]
	msr	elr_el2, x2
	ldr	x2, [x0, #CTX_PSTATE]
	msr	spsr_el2, x2
	isb

	ldp	x2, x3, [x0, #16 * 1]
	ldp	x4, x5, [x0, #16 * 2]
	ldp	x6, x7, [x0, #16 * 3]
	ldp	x8, x9, [x0, #16 * 4]
	ldp	x10, x11, [x0, #16 * 5]
	ldp	x12, x13, [x0, #16 * 6]
	ldp	x14, x15, [x0, #16 * 7]
	ldp	x16, x17, [x0, #16 * 8]
	ldp	x18, x19, [x0, #16 * 9]
	ldp	x20, x21, [x0, #16 * 10]
	ldp	x22, x23, [x0, #16 * 11]
	ldp	x24, x25, [x0, #16 * 12]
	ldp	x26, x27, [x0, #16 * 13]
	ldp	x28, x29, [x0, #16 * 14]
	ldr	x30, [x0, #16 * 15]
	ldp	x0, x1, [x0, #16 * 0]
	eret

/* Guest exit: save the guest, restore the hypervisor, return \code. */
.macro guest_exit code
	.align	7
	stp	x0, x1, [sp, #-16]!
	mrs	x0, tpidr_el2
	ldr	x0, [x0, #CPU_GUEST_CTX]
	stp	x2, x3, [x0, #16 * 1]
	stp	x4, x5, [x0, #16 * 2]
	stp	x6, x7, [x0, #16 * 3]
	stp	x8, x9, [x0, #16 * 4]
	stp	x10, x11, [x0, #16 * 5]
	stp	x12, x13, [x0, #16 * 6]
	stp	x14, x15, [x0, #16 * 7]
	stp	x16, x17, [x0, #16 * 8]
	stp	x18, x19, [x0, #16 * 9]
	stp	x20, x21, [x0, #16 * 10]
	stp	x22, x23, [x0, #16 * 11]
	stp	x24, x25, [x0, #16 * 12]
	stp	x26, x27, [x0, #16 * 13]
	stp	x28, x29, [x0, #16 * 14]
	str	x30, [x0, #16 * 15]
	mov	x1, #\code
	b	guest_exit_common
.endm

.macro guest_bad_vector kind
	.align	7
	mov	x0, sp
	mov	x1, #\kind
	bl	hyp_bad_exception
	b	.
.endm

	.align	11
	.global guest_vectors
guest_vectors:
	/* Exceptions taken at EL2 while a guest runs: a hypervisor bug. */
	guest_bad_vector 0
	guest_bad_vector 1
	guest_bad_vector 2
	guest_bad_vector 3
	guest_bad_vector 4
	guest_bad_vector 5
	guest_bad_vector 6
	guest_bad_vector 7
	/* From the guest (AArch64 EL1/EL0). */
	guest_exit 0
	guest_exit 1
	guest_exit 2
	guest_exit 3
	/* AArch32 guests are not supported. */
	guest_bad_vector 12
	guest_bad_vector 13
	guest_bad_vector 14
	guest_bad_vector 15

guest_exit_common:
	ldp	x2, x3, [sp], #16	/* the guest's x0, x1 */
	stp	x2, x3, [x0, #16 * 0]
	mrs	x2, sp_el0
	str	x2, [x0, #CTX_SP_EL0]
	mrs	x2, elr_el2
	str	x2, [x0, #CTX_PC]
	mrs	x2, spsr_el2
	str	x2, [x0, #CTX_PSTATE]

	adrp	x2, hyp_vectors
	add	x2, x2, :lo12:hyp_vectors
	msr	vbar_el2, x2
	isb

	mrs	x2, tpidr_el2
	ldr	x3, [x2, #CPU_EL2_SP]
	mov	sp, x3
	ldp	x19, x20, [x2, #CPU_EL2_REGS + 16 * 0]
	ldp	x21, x22, [x2, #CPU_EL2_REGS + 16 * 1]
	ldp	x23, x24, [x2, #CPU_EL2_REGS + 16 * 2]
	ldp	x25, x26, [x2, #CPU_EL2_REGS + 16 * 3]
	ldp	x27, x28, [x2, #CPU_EL2_REGS + 16 * 4]
	ldp	x29, x30, [x2, #CPU_EL2_REGS + 16 * 5]
	mov	x0, x1
	ret

/* fpsimd_save(u64 *area): q0-q31, then FPSR and FPCR. */
	.global fpsimd_save
fpsimd_save:
	stp	q0, q1, [x0, #32 * 0]
	stp	q2, q3, [x0, #32 * 1]
	stp	q4, q5, [x0, #32 * 2]
	stp	q6, q7, [x0, #32 * 3]
	stp	q8, q9, [x0, #32 * 4]
	stp	q10, q11, [x0, #32 * 5]
	stp	q12, q13, [x0, #32 * 6]
	stp	q14, q15, [x0, #32 * 7]
	stp	q16, q17, [x0, #32 * 8]
	stp	q18, q19, [x0, #32 * 9]
	stp	q20, q21, [x0, #32 * 10]
	stp	q22, q23, [x0, #32 * 11]
	stp	q24, q25, [x0, #32 * 12]
	stp	q26, q27, [x0, #32 * 13]
	stp	q28, q29, [x0, #32 * 14]
	stp	q30, q31, [x0, #32 * 15]
	mrs	x1, fpsr
	mrs	x2, fpcr
	add	x3, x0, #32 * 16
	stp	x1, x2, [x3]
	ret

	.global fpsimd_restore
fpsimd_restore:
	ldp	q0, q1, [x0, #32 * 0]
	ldp	q2, q3, [x0, #32 * 1]
	ldp	q4, q5, [x0, #32 * 2]
	ldp	q6, q7, [x0, #32 * 3]
	ldp	q8, q9, [x0, #32 * 4]
	ldp	q10, q11, [x0, #32 * 5]
	ldp	q12, q13, [x0, #32 * 6]
	ldp	q14, q15, [x0, #32 * 7]
	ldp	q16, q17, [x0, #32 * 8]
	ldp	q18, q19, [x0, #32 * 9]
	ldp	q20, q21, [x0, #32 * 10]
	ldp	q22, q23, [x0, #32 * 11]
	ldp	q24, q25, [x0, #32 * 12]
	ldp	q26, q27, [x0, #32 * 13]
	ldp	q28, q29, [x0, #32 * 14]
	ldp	q30, q31, [x0, #32 * 15]
	add	x3, x0, #32 * 16
	ldp	x1, x2, [x3]
	msr	fpsr, x1
	msr	fpcr, x2
	ret
