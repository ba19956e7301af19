// SPDX-License-Identifier: GPL-2.0-only
/*
 * Bare-metal test guest: runs the commands the test VMM hands it through
 * MMIO (guest_abi.h).  Every MMIO access is a single load or store with a
 * register base, so that the hypervisor gets a valid syndrome for it.
 */
#include "guest.h"
#include "guest_abi.h"

#define PSCI_VERSION		0x84000000UL
#define PSCI_CPU_ON		0xc4000003UL
#define PSCI_CPU_OFF		0x84000002UL
#define PSCI_AFFINITY_INFO	0xc4000004UL
#define PSCI_SYSTEM_OFF		0x84000008UL
#define PSCI_SYSTEM_RESET	0x84000009UL

static u64 timer_fired;
/* Interrupts taken, per vCPU (Aff0) and INTID. */
static u64 irq_count[8][128];

static inline u64 mmio_read64(u64 a)
{
	u64 v;

	asm volatile("ldr %0, [%1]" : "=r"(v) : "r"(a) : "memory");
	return v;
}

static inline void mmio_write64(u64 a, u64 v)
{
	asm volatile("str %0, [%1]" : : "r"(v), "r"(a) : "memory");
}

static inline u64 mmio_read32(u64 a)
{
	unsigned int v;

	asm volatile("ldr %w0, [%1]" : "=r"(v) : "r"(a) : "memory");
	return v;
}

static inline void mmio_write32(u64 a, u64 v)
{
	asm volatile("str %w0, [%1]" : : "r"(v), "r"(a) : "memory");
}

#define SYSREG_READ(r) ({ u64 __v; asm volatile("mrs %0, " #r : "=r"(__v)); __v; })
#define SYSREG_WRITE(v, r)						\
	do {								\
		u64 __w = (v);						\
		asm volatile("msr " #r ", %0" : : "r"(__w));		\
	} while (0)

static u64 *irq_counter(u64 intid)
{
	return &irq_count[SYSREG_READ(mpidr_el1) & 7][intid & 127];
}

static void do_write(unsigned int size, u64 v)
{
	u64 a = GUEST_REG_DATA;

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

static u64 do_read(unsigned int size, int mode)
{
	u64 a = GUEST_REG_DATA, v = 0x5555555555555555ULL;

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
	u64 intid = SYSREG_READ(S3_0_C12_C12_0);	/* ICC_IAR1_EL1 */

	if (intid >= 1020)
		return;					/* spurious */
	if (intid == 27) {
		SYSREG_WRITE(0, cntv_ctl_el0);
		__atomic_store_n(&timer_fired, intid, __ATOMIC_RELAXED);
	}
	__atomic_fetch_add(irq_counter(intid), 1, __ATOMIC_RELAXED);
	SYSREG_WRITE(intid, S3_0_C12_C12_1);		/* ICC_EOIR1_EL1 */
}

/* This vCPU's redistributor: RD_base, then its SGI_base frame at 0x10000. */
static u64 gic_rd(void)
{
	return GUEST_GICR + (SYSREG_READ(mpidr_el1) & 0xff) * GUEST_GICR_STRIDE;
}

/*
 * This vCPU's redistributor: wake it, SGIs and PPIs in group 1, the timer
 * on.  The SGIs stay as the reset left them, disabled: a guest enables
 * those it takes (CMD_SGI_ENABLE), as an OS does for its IPIs.
 */
static void gic_cpu_init(void)
{
	u64 rd = gic_rd();

	mmio_write32(rd + 0x14, 0);			/* GICR_WAKER */
	mmio_write32(rd + 0x10080, 0xffffffff);		/* GICR_IGROUPR0 */
	mmio_write32(rd + 0x10418, 0xa0000000);		/* GICR_IPRIORITYR6: PPI 27 */
	mmio_write32(rd + 0x10100, 1U << 27);		/* GICR_ISENABLER0 */
	SYSREG_WRITE(0xff, S3_0_C4_C6_0);		/* ICC_PMR_EL1 */
	SYSREG_WRITE(1, S3_0_C12_C12_7);		/* ICC_IGRPEN1_EL1 */
	asm volatile("isb");
}

/* An SPI: ARG = intid | level << 16 | target Aff0 << 32. */
static void irq_setup(u64 arg)
{
	u32 intid = arg & 0xffff, bit = 1U << (intid % 32);
	u64 cfg = GUEST_GICD + 0xc00 + 4 * (intid / 16);
	u32 shift = 2 * (intid % 16) + 1;

	mmio_write32(GUEST_GICD + 0x80 + 4 * (intid / 32),
		     mmio_read32(GUEST_GICD + 0x80 + 4 * (intid / 32)) | bit);
	mmio_write32(GUEST_GICD + 0x400 + (intid & ~3U),
		     (mmio_read32(GUEST_GICD + 0x400 + (intid & ~3U)) &
		      ~(0xffU << 8 * (intid % 4))) | 0xa0U << 8 * (intid % 4));
	mmio_write32(cfg, (mmio_read32(cfg) & ~(1U << shift)) |
		     ((arg >> 16) & 1 ? 0 : 1U << shift));
	mmio_write64(GUEST_GICD + 0x6000 + 8 * intid, (arg >> 32) & 0xff);
	mmio_write32(GUEST_GICD + 0x100 + 4 * (intid / 32), bit);
}

/* WFI until INTID (arg & 0xffff) was taken (arg >> 32) times. */
static u64 irq_wait(u64 arg)
{
	u64 *count = irq_counter(arg & 0xffff);

	while (__atomic_load_n(count, __ATOMIC_RELAXED) < arg >> 32)
		asm volatile("msr daifset, #2; isb; wfi; msr daifclr, #2; isb; msr daifset, #2"
			     : : : "memory");
	return __atomic_load_n(count, __ATOMIC_RELAXED);
}

/* Stores of 8 bytes at the start of @count pages from @base. */
static void touch_pages(u64 base, u64 count)
{
	for (u64 i = 0; i < count; i++)
		__atomic_store_n((u64 *)(base + (i << 12)), i + 1, __ATOMIC_RELAXED);
	mmio_write64(GUEST_REG_RESULT, count);
}

/* @passes times, one load from each of @count pages from @base, in order. */
static void load_pages(u64 base, u64 count, u64 passes)
{
	u64 sum = 0;

	for (u64 p = 0; p < passes; p++) {
		/* Every pass from an empty TLB: each load is a refill. */
		asm volatile("dsb ishst; tlbi vmalle1; dsb nsh; isb" : : : "memory");
		for (u64 i = 0; i < count; i++)
			sum += __atomic_load_n((u64 *)(base + (i << 12)), __ATOMIC_RELAXED);
	}
	mmio_write64(GUEST_REG_RESULT, sum);
}

static void wfi_timer(u64 ticks)
{
	u64 start = SYSREG_READ(cntvct_el0);

	__atomic_store_n(&timer_fired, 0, __ATOMIC_RELAXED);
	SYSREG_WRITE(start + ticks, cntv_cval_el0);
	SYSREG_WRITE(1, cntv_ctl_el0);
	asm volatile("isb");
	while (!__atomic_load_n(&timer_fired, __ATOMIC_RELAXED))
		asm volatile("msr daifset, #2; isb; wfi; msr daifclr, #2; isb" : : : "memory");
	asm volatile("msr daifset, #2" : : : "memory");
	mmio_write64(GUEST_REG_RESULT, SYSREG_READ(cntvct_el0) - start);
}

/* @n echoes of @len bytes on channel @id; see CMD_BAO_ECHO. */
static u64 bao_echo(u64 n, u64 len, u64 id)
{
	u64 *rd = (u64 *)(GUEST_BAO_BASE + GUEST_BAO_RD);
	u64 *wr = (u64 *)(GUEST_BAO_BASE + GUEST_BAO_WR);
	u64 base = __atomic_load_n(irq_counter(GUEST_BAO_SPI), __ATOMIC_RELAXED);

	if (len > GUEST_BAO_CH_SIZE)
		len = GUEST_BAO_CH_SIZE;
	for (u64 i = 1; i <= n; i++) {
		irq_wait(GUEST_BAO_SPI | (base + i) << 32);
		for (u64 w = 0; w < (len + 7) / 8; w++)
			__atomic_store_n(&wr[w], __atomic_load_n(&rd[w], __ATOMIC_RELAXED),
					 __ATOMIC_RELAXED);
		asm volatile("dsb sy" : : : "memory");
		smccc_call(BAO_NOTIFY_FID, id, 0, 0);
	}
	return n;
}

void secondary_main(void)
{
	mmio_write64(GUEST_REG_HELLO, SYSREG_READ(mpidr_el1));
	smccc_call(PSCI_CPU_OFF, 0, 0, 0);
}

static void command_loop(void);

void secondary_loop(void)
{
	gic_cpu_init();
	mmio_write64(GUEST_REG_HELLO, SYSREG_READ(mpidr_el1));
	command_loop();
}

void guest_main(void)
{
	mmio_write32(GUEST_GICD, 2);			/* GICD_CTLR: EnableGrp1 */
	gic_cpu_init();
	command_loop();
}

static void command_loop(void)
{
	for (;;) {
		u64 cmd = mmio_read64(GUEST_REG_CMD);
		unsigned int size = (cmd >> 8) & 0xff;
		u64 arg = 0;

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
			u64 a = GUEST_REG_DATA, lo = 0, hi = 0;

			asm volatile("ldp %0, %1, [%2]" : "=r"(lo), "=r"(hi) : "r"(a) : "memory");
			mmio_write64(GUEST_REG_RESULT, lo | hi);
			break;
		}
		case CMD_WFI_TIMER:
			wfi_timer(arg);
			break;
		case CMD_SPIN:
			while (!__atomic_load_n((u64 *)arg, __ATOMIC_RELAXED))
				;
			mmio_write64(GUEST_REG_RESULT, 0);
			break;
		case CMD_CPU_ON: {
			u64 stack = (u64)stack_top + 0x1000 * (arg + 1);

			mmio_write64(GUEST_REG_RESULT,
				     smccc_call(PSCI_CPU_ON, arg, (u64)secondary_entry, stack));
			break;
		}
		case CMD_CPU_ON_OFF: {
			u64 rounds = mmio_read64(GUEST_REG_ARG), failed = 0;

			for (u64 i = 0; i < rounds; i++) {
				while (smccc_call(PSCI_AFFINITY_INFO, arg, 0, 0) != 1)
					;
				failed += smccc_call(PSCI_CPU_ON, arg, (u64)secondary_off_entry,
						     0) != 0;
			}
			mmio_write64(GUEST_REG_RESULT, failed);
			break;
		}
		case CMD_SYSTEM_OFF:
			smccc_call(PSCI_SYSTEM_OFF, 0, 0, 0);
			break;
		case CMD_SYSTEM_RESET:
			smccc_call(PSCI_SYSTEM_RESET, 0, 0, 0);
			break;
		case CMD_STORE:
			__atomic_store_n((u64 *)arg, STORE_VALUE, __ATOMIC_RELAXED);
			mmio_write64(GUEST_REG_RESULT,
				     __atomic_load_n((u64 *)arg, __ATOMIC_RELAXED));
			break;
		case CMD_LOAD:
			mmio_write64(GUEST_REG_RESULT,
				     __atomic_load_n((u64 *)arg, __ATOMIC_RELAXED));
			break;
		case CMD_BENCH:
			for (u64 i = 0; i < arg; i++)
				mmio_write64(GUEST_REG_DATA, i);
			mmio_write64(GUEST_REG_RESULT, arg);
			break;
		case CMD_HVC_BENCH: {
			u64 v = 0;

			for (u64 i = 0; i < arg; i++)
				v = smccc_call(PSCI_VERSION, 0, 0, 0);
			mmio_write64(GUEST_REG_RESULT, v);
			break;
		}
		case CMD_TOUCH_PAGES:
			touch_pages(arg, mmio_read64(GUEST_REG_ARG));
			break;
		case CMD_LOAD_PAGES: {
			u64 count = mmio_read64(GUEST_REG_ARG);

			load_pages(arg, count, mmio_read64(GUEST_REG_ARG));
			break;
		}
		case CMD_PUTS:
			for (u64 i = 0; i < arg; i++) {
				u64 c = do_read(1, 0);

				u64 uart = GUEST_UART_DR;

				asm volatile("strb %w0, [%1]" : : "r"(c), "r"(uart) : "memory");
			}
			mmio_write64(GUEST_REG_RESULT, arg);
			break;
		case CMD_CPU_ON_LOOP: {
			u64 stack = (u64)stack_top + 0x1000 * (arg + 1);
			u64 entry = (u64)secondary_loop_entry;

			mmio_write64(GUEST_REG_RESULT, smccc_call(PSCI_CPU_ON, arg, entry, stack));
			break;
		}
		case CMD_IRQ_SETUP:
			irq_setup(arg);
			mmio_write64(GUEST_REG_RESULT, 0);
			break;
		case CMD_IRQ_COUNT:
			mmio_write64(GUEST_REG_RESULT,
				     __atomic_load_n(irq_counter(arg), __ATOMIC_RELAXED));
			break;
		case CMD_IRQ_WAIT:
			mmio_write64(GUEST_REG_RESULT, irq_wait(arg));
			break;
		case CMD_IRQ_PENDING: {
			/* Private interrupts: this vCPU's GICR_ISPENDR0 (GICD's reads 0). */
			u64 reg = (arg & 0x3ff) < 32 ? gic_rd() + 0x10200 :
				  GUEST_GICD + 0x200 + 4 * ((arg & 0x3ff) / 32);

			mmio_write64(GUEST_REG_RESULT, (mmio_read32(reg) >> (arg % 32)) & 1);
			break;
		}
		case CMD_IRQ_MASK:
			if (arg)
				asm volatile("msr daifset, #2; isb" : : : "memory");
			else
				asm volatile("msr daifclr, #2; isb" : : : "memory");
			mmio_write64(GUEST_REG_RESULT, 0);
			break;
		case CMD_SGI_ENABLE:
			mmio_write32(gic_rd() + 0x10100, arg & 0xffff);	/* GICR_ISENABLER0 */
			mmio_write64(GUEST_REG_RESULT, mmio_read32(gic_rd() + 0x10100));
			break;
		case CMD_SGI:
			SYSREG_WRITE(arg, S3_0_C12_C11_5);	/* ICC_SGI1R_EL1 */
			asm volatile("isb");
			mmio_write64(GUEST_REG_RESULT, 0);
			break;
		case CMD_BAO_ECHO: {
			u64 len = mmio_read64(GUEST_REG_ARG);
			u64 id = mmio_read64(GUEST_REG_ARG);

			mmio_write64(GUEST_REG_RESULT, bao_echo(arg, len, id));
			break;
		}
		case CMD_BAO_NOTIFY:
			mmio_write64(GUEST_REG_RESULT, smccc_call(BAO_NOTIFY_FID, arg, 0, 0));
			break;
		default:
			mmio_write64(GUEST_REG_ERROR, ~0ULL);
			break;
		}
	}
}
