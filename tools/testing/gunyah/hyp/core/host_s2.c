// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gunyah test hypervisor: the host VM's stage-2.
 *
 * The host runs with an identity stage-2 (IPA == PA): the device window
 * below RAM as Device memory, RAM as Normal memory, except the
 * hypervisor's own region, which is never mapped.  A host access there
 * faults to EL2 and is answered with a synchronous external abort injected
 * into the host, exactly as an access to a hole in the physical address
 * map would be: user space gets SIGBUS, the kernel an oops.  The host never
 * sees the hypervisor's memory contents.
 */
#include "hyp.h"
#include "host_s2.h"
#include "page_alloc.h"

struct pgtable host_s2;
static unsigned long host_s2_faults;

#define VTCR_VALUE	(BIT(31) | (2UL << 16) | (3UL << 12) | (1UL << 10) | (1UL << 8) | \
			 (1UL << 6) | (64 - S2_IPA_BITS))

void host_stage2_init(void)
{
	u64 ram_end = bootcfg->host_ram_end;
	int ret;

	ret = pgtable_init(&host_s2, &hyp_pgtable_ops);
	if (!ret)
		ret = pgtable_map(&host_s2, 0, 0, PLAT_RAM_BASE, S2_DEVICE_RW);
	if (!ret)
		ret = pgtable_map(&host_s2, PLAT_HYP_BASE + PLAT_HYP_SIZE,
				  PLAT_HYP_BASE + PLAT_HYP_SIZE,
				  ram_end - (PLAT_HYP_BASE + PLAT_HYP_SIZE), S2_NORMAL_RWX);
	if (ret)
		panic("cannot build the host stage-2 (%d)\n", ret);
	printf("host stage-2: devices 0-%lx, RAM %lx-%lx, hypervisor %lx-%lx hidden\n",
	       PLAT_RAM_BASE, PLAT_HYP_BASE + PLAT_HYP_SIZE, ram_end, PLAT_HYP_BASE,
	       PLAT_HYP_BASE + PLAT_HYP_SIZE);
}

void host_stage2_load(void)
{
	write_sysreg(VTCR_VALUE, vtcr_el2);
	write_sysreg((u64)host_s2.root | ((u64)HOST_S2_VMID << 48), vttbr_el2);
	isb();
	asm volatile("tlbi vmalls12e1" : : : "memory");
	dsb_nsh();
	isb();
}

/**
 * host_stage2_give_back() - map host RAM at [@pa, @pa + @size) again
 * @pa: page-aligned start
 * @size: page-aligned size
 *
 * Pages the host lent come back as Normal memory; where the whole block
 * around them is the host's again, the page tables merge back into one
 * 2 MiB or 1 GiB block, and the TLB (which may hold the old pages and
 * cached walks of the freed tables) is invalidated for the host's VMID.
 * Called with rm_lock held.
 *
 * Return: 0, or a negative PGTABLE_* error.
 */
int host_stage2_give_back(u64 pa, u64 size)
{
	u64 merges = host_s2.merges;
	int ret = pgtable_map(&host_s2, pa, pa, size, S2_NORMAL_RWX);

	if (host_s2.merges != merges)
		asm volatile("dsb ishst; tlbi vmalls12e1is; dsb ish; isb" : : : "memory");
	return ret;
}

/* Back to the host after a guest ran: its stage-2 is still in the TLB. */
void host_stage2_load_vttbr(void)
{
	write_sysreg((u64)host_s2.root | ((u64)HOST_S2_VMID << 48), vttbr_el2);
	isb();
}

/*
 * Reflect a synchronous external abort to the host's EL1 vector, as the
 * hardware would have taken it.
 */
void host_inject_sea(bool iabt, u64 far, u64 wnr)
{
	u64 spsr = read_sysreg(spsr_el2);
	u64 mode = spsr & 0xf;
	bool from_el0 = mode == 0;
	u64 ec, offset;

	if (iabt)
		ec = from_el0 ? 0x20 : 0x21;
	else
		ec = from_el0 ? 0x24 : 0x25;
	offset = from_el0 ? 0x400 : (mode == 5 ? 0x200 : 0x0);

	write_sysreg(read_sysreg(elr_el2), elr_el1);
	write_sysreg(spsr, spsr_el1);
	write_sysreg(far, far_el1);
	write_sysreg((ec << 26) | BIT(25) | wnr | 0x10, esr_el1);
	write_sysreg(read_sysreg(vbar_el1) + offset, elr_el2);
	write_sysreg(0x3c5, spsr_el2);
}

void host_stage2_fault(struct trap_frame *f, u64 esr, bool iabt)
{
	u64 ipa = (read_sysreg(hpfar_el2) >> 4) << 12;
	u64 far = read_sysreg(far_el2);

	ipa |= far & 0xfff;
	if (host_s2_faults++ < 16)
		printf("host %s at IPA %lx (VA %lx, PC %lx) outside its stage-2: external abort\n",
		       iabt ? "instruction fetch" : (esr & BIT(6) ? "write" : "read"), ipa, far,
		       read_sysreg(elr_el2));
	host_inject_sea(iabt, far, iabt ? 0 : esr & BIT(6));
}
