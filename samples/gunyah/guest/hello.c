// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sample guest: greets through the VMM's emulated PL011 UART, brings its
 * other vCPUs up with PSCI CPU_ON (each says hello too) and powers the VM
 * off with PSCI SYSTEM_OFF.
 *
 * The boot vCPU writes its lines interrupt-driven: after each line it
 * waits (200 ms at most) for the UART's TX-empty interrupt, raised by the
 * VMM through an irqfd and taken through the virtual GIC, then rings the
 * VMM's notification register (an ioeventfd: no exit to the VMM).  It
 * reports how many lines saw their interrupt.
 */
#include "hello.h"

#define UART_DR			0x09000000UL
#define UART_IMSC		0x09000038UL
#define UART_MIS		0x09000040UL
#define UART_ICR		0x09000044UL
#define UART_INT_TX		0x20
#define UART_INTID		33		/* SPI 1, as the VMM's device tree says */
#define NOTIFY_REG		0x0a000000UL
#define GICD			0x3fff0000UL
#define GICR			0x3fef0000UL	/* vCPU 0's redistributor */
#define PSCI_CPU_ON		0xc4000003UL
#define PSCI_CPU_OFF		0x84000002UL
#define PSCI_AFFINITY_INFO	0xc4000004UL
#define PSCI_SYSTEM_OFF		0x84000008UL
#define MAX_VCPUS		8

static u64 tx_irqs;		/* written by irq_handler() only */

static inline void write32(unsigned long a, unsigned int v)
{
	asm volatile("str %w0, [%1]" : : "r"(v), "r"(a) : "memory");
}

static inline unsigned int read32(unsigned long a)
{
	unsigned int v;

	asm volatile("ldr %w0, [%1]" : "=r"(v) : "r"(a) : "memory");
	return v;
}

static void putc_uart(char c)
{
	asm volatile("strb %w0, [%1]" : : "r"(c), "r"(UART_DR) : "memory");
}

void irq_handler(void)
{
	unsigned long intid;

	asm volatile("mrs %0, S3_0_C12_C12_0" : "=r"(intid));	/* ICC_IAR1_EL1 */
	if (intid >= 1020)
		return;
	if (intid == UART_INTID && (read32(UART_MIS) & UART_INT_TX)) {
		write32(UART_ICR, UART_INT_TX);
		__atomic_store_n(&tx_irqs, tx_irqs + 1, __ATOMIC_RELAXED);
	}
	asm volatile("msr S3_0_C12_C12_1, %0" : : "r"(intid));	/* ICC_EOIR1_EL1 */
}

/* The GIC for vCPU 0 and the UART's SPI, then the UART's TX interrupt. */
static void irq_init(void)
{
	write32(GICD, 2);				/* GICD_CTLR: EnableGrp1 */
	write32(GICR + 0x14, 0);			/* GICR_WAKER: awake */
	write32(GICD + 0x84, 1U << (UART_INTID - 32));	/* GICD_IGROUPR1 */
	write32(GICD + 0x420, 0xa0U << 8);		/* GICD_IPRIORITYR8: INTID 33 */
	write32(GICD + 0x6000 + 8 * UART_INTID, 0);	/* GICD_IROUTER: vCPU 0 */
	write32(GICD + 0x104, 1U << (UART_INTID - 32));	/* GICD_ISENABLER1 */
	asm volatile("msr S3_0_C4_C6_0, %0" : : "r"(0xffUL));	/* ICC_PMR_EL1 */
	asm volatile("msr S3_0_C12_C12_7, %0; isb" : : "r"(1UL));	/* ICC_IGRPEN1_EL1 */
	write32(UART_IMSC, UART_INT_TX);
}

static unsigned int lines, lines_irq;

static u64 counter(void)
{
	u64 v;

	asm volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	return v;
}

/*
 * A line from vCPU 0: wait for its TX interrupt with interrupts unmasked,
 * 200 ms at most (a platform whose interrupts do not arrive must not hang
 * the guest), then notify the VMM.
 */
static void line_done(void)
{
	u64 seen = __atomic_load_n(&tx_irqs, __ATOMIC_RELAXED), start = counter(), freq;

	asm volatile("mrs %0, cntfrq_el0" : "=r"(freq));
	asm volatile("msr daifclr, #2; isb" : : : "memory");
	while (__atomic_load_n(&tx_irqs, __ATOMIC_RELAXED) == seen && counter() - start < freq / 5)
		;
	asm volatile("msr daifset, #2; isb" : : : "memory");
	lines_irq += __atomic_load_n(&tx_irqs, __ATOMIC_RELAXED) != seen;
	write32(NOTIFY_REG, ++lines);
}

static void puts_uart(const char *s)
{
	while (*s)
		putc_uart(*s++);
}

static void put_dec(u64 v)
{
	char buf[20];
	int n = 0;

	do {
		buf[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	while (n)
		putc_uart(buf[--n]);
}

static u64 mpidr(void)
{
	u64 v;

	asm volatile("mrs %0, mpidr_el1" : "=r"(v));
	return v & 0xffffff;	/* Aff2, Aff1, Aff0 */
}

void secondary_main(void)
{
	puts_uart("Hello from vCPU ");
	/* The VMM's layout: four vCPUs per cluster (Aff1), the core in Aff0. */
	put_dec((mpidr() >> 8 & 0xff) * 4 + (mpidr() & 0xff));
	puts_uart("\n");
	smccc_call(PSCI_CPU_OFF, 0, 0, 0);
}

void hello_main(void)
{
	unsigned int up = 1;

	irq_init();
	puts_uart("Hello from a Gunyah guest! (vCPU 0)\n");
	line_done();
	for (u64 i = 1; i < MAX_VCPUS; i++) {
		u64 stack = (u64)stack_top + 0x1000 * (i + 1);
		u64 cpu = (i / 4) << 8 | (i % 4);	/* its MPIDR in the VMM's layout */

		if (smccc_call(PSCI_CPU_ON, cpu, (u64)secondary_entry, stack))
			break;		/* no such vCPU */
		/* One greeting at a time: wait for the vCPU to turn itself off. */
		while (smccc_call(PSCI_AFFINITY_INFO, cpu, 0, 0) == 0)
			;
		up++;
	}
	puts_uart("All ");
	put_dec(up);
	puts_uart(" vCPU(s) said hello; powering off.\n");
	line_done();
	puts_uart("UART TX interrupts taken: ");
	put_dec(lines_irq);
	puts_uart(" of ");
	put_dec(lines);
	puts_uart(" lines\n");
	smccc_call(PSCI_SYSTEM_OFF, 0, 0, 0);
}
