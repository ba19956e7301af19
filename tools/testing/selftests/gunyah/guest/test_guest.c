// SPDX-License-Identifier: GPL-2.0-only
/*
 * Bare-metal test guest: runs the commands the test VMM hands it through
 * MMIO (guest_abi.h).  Every MMIO access is a single load or store with a
 * register base, so that the hypervisor gets a valid syndrome for it.
 */
#include <stdint.h>

#include "guest_abi.h"

#define PSCI_CPU_ON		0xc4000003UL
#define PSCI_CPU_OFF		0x84000002UL
#define PSCI_SYSTEM_OFF		0x84000008UL
#define PSCI_SYSTEM_RESET	0x84000009UL

extern char stack_top[];
void secondary_entry(void);

static volatile uint64_t timer_fired;

static inline uint64_t mmio_read64(uint64_t a)
{
	uint64_t v;

	asm volatile("ldr %0, [%1]" : "=r"(v) : "r"(a) : "memory");
	return v;
}

static inline void mmio_write64(uint64_t a, uint64_t v)
{
	asm volatile("str %0, [%1]" : : "r"(v), "r"(a) : "memory");
}

static uint64_t hvc(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 asm("x0") = fn;
	register uint64_t x1 asm("x1") = a1;
	register uint64_t x2 asm("x2") = a2;
	register uint64_t x3 asm("x3") = a3;

	asm volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
	return x0;
}

#define SYSREG_READ(r) ({ uint64_t __v; asm volatile("mrs %0, " #r : "=r"(__v)); __v; })
#define SYSREG_WRITE(v, r) asm volatile("msr " #r ", %0" : : "r"((uint64_t)(v)))

static void do_write(unsigned int size, uint64_t v)
{
	uint64_t a = GUEST_REG_DATA;

	switch (size) {
	case 1:
		asm volatile("strb %w0, [%1]" : : "r"(v), "r"(a) : "memory");
		break;
	case 2:
		asm volatile("strh %w0, [%1]" : : "r"(v), "r"(a) : "memory");
		break;
	case 4:
		asm volatile("str %w0, [%1]" : : "r"(v), "r"(a) : "memory");
		break;
	default:
		asm volatile("str %0, [%1]" : : "r"(v), "r"(a) : "memory");
		break;
	}
}

static uint64_t do_read(unsigned int size, int mode)
{
	uint64_t a = GUEST_REG_DATA, v = 0x5555555555555555ULL;

	if (mode == 0) {
		switch (size) {
		case 1:
			asm volatile("ldrb %w0, [%1]" : "+r"(v) : "r"(a) : "memory");
			break;
		case 2:
			asm volatile("ldrh %w0, [%1]" : "+r"(v) : "r"(a) : "memory");
			break;
		case 4:
			asm volatile("ldr %w0, [%1]" : "+r"(v) : "r"(a) : "memory");
			break;
		default:
			asm volatile("ldr %0, [%1]" : "+r"(v) : "r"(a) : "memory");
			break;
		}
	} else if (mode == 1) {
		switch (size) {
		case 1:
			asm volatile("ldrsb %0, [%1]" : "+r"(v) : "r"(a) : "memory");
			break;
		case 2:
			asm volatile("ldrsh %0, [%1]" : "+r"(v) : "r"(a) : "memory");
			break;
		default:
			asm volatile("ldrsw %0, [%1]" : "+r"(v) : "r"(a) : "memory");
			break;
		}
	} else {
		switch (size) {
		case 1:
			asm volatile("ldrsb %w0, [%1]" : "+r"(v) : "r"(a) : "memory");
			break;
		default:
			asm volatile("ldrsh %w0, [%1]" : "+r"(v) : "r"(a) : "memory");
			break;
		}
	}
	return v;
}

/* Synchronous exception: report it and skip the instruction. */
void sync_handler(void)
{
	mmio_write64(GUEST_REG_FAR, SYSREG_READ(far_el1));
	mmio_write64(GUEST_REG_ERROR, SYSREG_READ(esr_el1));
	SYSREG_WRITE(SYSREG_READ(elr_el1) + 4, elr_el1);
}

void irq_handler(void)
{
	uint64_t intid = SYSREG_READ(S3_0_C12_C12_0);	/* ICC_IAR1_EL1 */

	if (intid == 27) {
		SYSREG_WRITE(0, cntv_ctl_el0);
		timer_fired = intid;
	}
	SYSREG_WRITE(intid, S3_0_C12_C12_1);		/* ICC_EOIR1_EL1 */
}

static void wfi_timer(uint64_t ticks)
{
	uint64_t start = SYSREG_READ(cntvct_el0);

	timer_fired = 0;
	SYSREG_WRITE(0xff, S3_0_C4_C6_0);		/* ICC_PMR_EL1 */
	SYSREG_WRITE(1, S3_0_C12_C12_7);		/* ICC_IGRPEN1_EL1 */
	SYSREG_WRITE(start + ticks, cntv_cval_el0);
	SYSREG_WRITE(1, cntv_ctl_el0);
	asm volatile("isb");
	while (!timer_fired) {
		asm volatile("msr daifset, #2; isb; wfi; msr daifclr, #2; isb" : : : "memory");
	}
	asm volatile("msr daifset, #2" : : : "memory");
	mmio_write64(GUEST_REG_RESULT, SYSREG_READ(cntvct_el0) - start);
}

void secondary_main(void)
{
	mmio_write64(GUEST_REG_HELLO, SYSREG_READ(mpidr_el1));
	hvc(PSCI_CPU_OFF, 0, 0, 0);
}

void guest_main(void)
{
	for (;;) {
		uint64_t cmd = mmio_read64(GUEST_REG_CMD);
		unsigned int size = (cmd >> 8) & 0xff;
		uint64_t arg = 0;

		if ((cmd & 0xff) != CMD_SYSTEM_OFF && (cmd & 0xff) != CMD_SYSTEM_RESET &&
		    (cmd & 0xff) != CMD_NO_SYNDROME)
			arg = mmio_read64(GUEST_REG_ARG);

		switch (cmd & 0xff) {
		case CMD_WRITE:
			do_write(size, arg);
			mmio_write64(GUEST_REG_RESULT, 0);
			break;
		case CMD_READ:
			mmio_write64(GUEST_REG_RESULT, do_read(size, 0));
			break;
		case CMD_READ_SIGNED:
			mmio_write64(GUEST_REG_RESULT, do_read(size, 1));
			break;
		case CMD_READ_W_SIGNED:
			mmio_write64(GUEST_REG_RESULT, do_read(size, 2));
			break;
		case CMD_NO_SYNDROME: {
			uint64_t a = GUEST_REG_DATA, lo = 0, hi = 0;

			asm volatile("ldp %0, %1, [%2]" : "=r"(lo), "=r"(hi) : "r"(a) : "memory");
			mmio_write64(GUEST_REG_RESULT, lo | hi);
			break;
		}
		case CMD_WFI_TIMER:
			wfi_timer(arg);
			break;
		case CMD_SPIN:
			while (!*(volatile uint64_t *)arg)
				;
			mmio_write64(GUEST_REG_RESULT, 0);
			break;
		case CMD_CPU_ON:
			mmio_write64(GUEST_REG_RESULT,
				     hvc(PSCI_CPU_ON, arg, (uint64_t)secondary_entry,
					 (uint64_t)stack_top + 0x1000 * (arg + 1)));
			break;
		case CMD_SYSTEM_OFF:
			hvc(PSCI_SYSTEM_OFF, 0, 0, 0);
			break;
		case CMD_SYSTEM_RESET:
			hvc(PSCI_SYSTEM_RESET, 0, 0, 0);
			break;
		case CMD_BENCH:
			for (uint64_t i = 0; i < arg; i++)
				mmio_write64(GUEST_REG_DATA, i);
			mmio_write64(GUEST_REG_RESULT, arg);
			break;
		case CMD_PUTS:
			for (uint64_t i = 0; i < arg; i++) {
				uint64_t c = do_read(1, 0);

				asm volatile("strb %w0, [%1]" : : "r"(c), "r"((uint64_t)GUEST_UART_DR)
					     : "memory");
			}
			mmio_write64(GUEST_REG_RESULT, arg);
			break;
		default:
			mmio_write64(GUEST_REG_ERROR, ~0ULL);
			break;
		}
	}
}
