// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gunyah test hypervisor: EL2 stage-1 translation.
 *
 * An identity map of the low 4 GiB with 1 GiB blocks: the first GiB
 * (devices) as Device-nGnRnE, the rest as Normal write-back memory.  The
 * hypervisor needs to reach all of RAM to copy message-queue data and to
 * build guest tables, so nothing finer is needed.
 */
#include "hyp.h"

#define MAIR_DEVICE_IDX		0
#define MAIR_NORMAL_IDX		1
#define MAIR_VALUE		((0x00UL << (8 * MAIR_DEVICE_IDX)) | \
				 (0xffUL << (8 * MAIR_NORMAL_IDX)))

#define PTE_BLOCK		1UL
#define PTE_ATTRIDX(i)		((u64)(i) << 2)
#define PTE_SH_INNER		(3UL << 8)
#define PTE_AF			BIT(10)
#define PTE_XN			BIT(54)

/* TCR_EL2: T0SZ = 25 (39-bit VA), WBWA, inner shareable, 4K, 40-bit PA. */
#define TCR_VALUE		(BIT(31) | BIT(23) | (2UL << 16) | (3UL << 12) | \
				 (1UL << 10) | (1UL << 8) | 25)
/* SCTLR_EL2: RES1 bits + M, C, SA, I. */
#define SCTLR_VALUE		(0x30c50830UL | BIT(0) | BIT(2) | BIT(3) | BIT(12))

static u64 l1_table[512] __aligned(4096);

void mmu_build_tables(void)
{
	l1_table[0] = 0 | PTE_BLOCK | PTE_ATTRIDX(MAIR_DEVICE_IDX) | PTE_AF | PTE_XN;
	for (u64 i = 1; i < 4; i++)
		l1_table[i] = (i << 30) | PTE_BLOCK | PTE_ATTRIDX(MAIR_NORMAL_IDX) |
			      PTE_SH_INNER | PTE_AF;
}

void mmu_enable(void)
{
	write_sysreg(MAIR_VALUE, mair_el2);
	write_sysreg(TCR_VALUE, tcr_el2);
	write_sysreg((u64)l1_table, ttbr0_el2);
	isb();
	asm volatile("tlbi alle2" : : : "memory");
	dsb_ish();
	isb();
	write_sysreg(SCTLR_VALUE, sctlr_el2);
	isb();
}
