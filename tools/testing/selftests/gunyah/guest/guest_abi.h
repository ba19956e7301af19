/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The command protocol between the bare-metal test guest and the test VMM
 * (vcpu_test.c).  The guest reads commands and arguments from MMIO
 * registers, which exit to the VMM; it reports through MMIO writes.
 */
#ifndef GUEST_ABI_H
#define GUEST_ABI_H

#define GUEST_REG_CMD		0x6000	/* read: next command */
#define GUEST_REG_ARG		0x6008	/* read: 64-bit argument */
#define GUEST_REG_RESULT	0x6010	/* write: 64-bit result */
#define GUEST_REG_HELLO		0x6018	/* write: a secondary vCPU reports its MPIDR */
#define GUEST_REG_ERROR		0x6020	/* write: ESR of an exception the guest took */
#define GUEST_REG_FAR		0x6028	/* write: FAR of that exception */
#define GUEST_REG_DATA		0x7000	/* MMIO data register for the access tests */

/* Commands; the low byte is the command, the next byte its access size. */
#define CMD_WRITE		1	/* write ARG to DATA with a size-byte store */
#define CMD_READ		2	/* size-byte load from DATA, zero-extended; report it */
#define CMD_READ_SIGNED		3	/* size-byte sign-extending load into x; report it */
#define CMD_READ_W_SIGNED	4	/* size-byte sign-extending load into w; report it */
#define CMD_NO_SYNDROME		5	/* ldp from DATA: no syndrome, must fault */
#define CMD_WFI_TIMER		6	/* timer ARG ticks ahead, WFI until it fires */
#define CMD_SPIN		7	/* spin until the shared word at ARG becomes non-zero */
#define CMD_CPU_ON		8	/* PSCI CPU_ON of vCPU ARG; report the PSCI result */
#define CMD_SYSTEM_OFF		9
#define CMD_SYSTEM_RESET	10
#define CMD_BENCH		11	/* ARG MMIO writes in a row; report done */
#define CMD_PUTS		12	/* print ARG characters read from DATA to the UART */
#define CMD_STORE		13	/* store STORE_VALUE at guest address ARG, report a load */
#define CMD_LOAD		14	/* report the 64-bit value at guest address ARG */
/*
 * Benchmark commands (bench/); each ARG below is one read of GUEST_REG_ARG,
 * in this order.
 */
#define CMD_HVC_BENCH		15	/* ARG times HVC PSCI_VERSION; report the last answer */
#define CMD_TOUCH_PAGES		16	/* ARG base, ARG count: store to each page; report count */
#define CMD_LOAD_PAGES		17	/* ARG base, ARG count, ARG passes: one load per page,
					 * the TLB emptied before each pass; report the sum
					 * of the loaded values
					 */

/* Interrupts (the virtual GIC, doorbells); numbered apart from the rest. */
#define CMD_CPU_ON_LOOP		32	/* PSCI CPU_ON of vCPU ARG, which runs commands too */
#define CMD_IRQ_SETUP		33	/* SPI: ARG = intid | level << 16 | target Aff0 << 32 */
#define CMD_IRQ_COUNT		34	/* report how often this vCPU took INTID ARG (< 128) */
#define CMD_IRQ_WAIT		35	/* WFI until INTID ARG & 0xffff came ARG >> 32 times here */
#define CMD_IRQ_PENDING		36	/* report INTID ARG's pending bit: GICD_ISPENDR, or
					 * this vCPU's GICR_ISPENDR0 for an SGI or PPI
					 */
#define CMD_IRQ_MASK		37	/* ARG 1: mask IRQs (PSTATE.I), 0: unmask */
#define CMD_SGI			38	/* write ARG to ICC_SGI1R_EL1 */
#define CMD_CPU_ON_OFF		39	/* ARG vCPU, ARG rounds: wait until AFFINITY_INFO
					 * says it is off, CPU_ON it (it powers itself
					 * off at once); report the CPU_ONs that failed
					 */
#define CMD_SGI_ENABLE		40	/* set the SGIs of mask ARG (bits 0-15) enabled on
					 * this vCPU (GICR_ISENABLER0); report the register
					 */

/*
 * The Bao-style shared-memory channel of dts/guest-bao.dts (run.sh --bao);
 * numbered apart from the rest.
 */
#define CMD_BAO_ECHO		48	/* ARG n, ARG len, ARG id: n times, wait for the
					 * channel's interrupt, copy len bytes (rounded up to
					 * 8) of the read channel to the write channel and
					 * notify with HVC 0xc6000001 (x1 = id); report n
					 */
#define CMD_BAO_NOTIFY		49	/* HVC 0xc6000001 with x1 = ARG; report x0 */

#define GUEST_BAO_BASE		0x70000000	/* the region, in the guest's IPA space */
#define GUEST_BAO_SIZE		0x10000
#define GUEST_BAO_RD		0x8000		/* its read channel: the host's write one */
#define GUEST_BAO_WR		0x0		/* its write channel: the host's read one */
#define GUEST_BAO_CH_SIZE	0x8000
#define GUEST_BAO_SPI		(32 + 20)	/* edge-triggered, to vCPU 0 */
#define BAO_NOTIFY_FID		0xc6000001UL

#define STORE_VALUE		0x1122334455667788ULL

/* Where the test DTs put the virtual GIC (guest-*.dts). */
#define GUEST_GICD		0x3fff0000
#define GUEST_GICR		0x3fef0000
#define GUEST_GICR_STRIDE	0x20000

#define GUEST_UART_DR		0x09000000

#endif
