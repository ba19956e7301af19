// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gunyah test hypervisor: EL2 configuration and exceptions from the host.
 */
#include "hyp.h"
#include "guest.h"
#include "host_s2.h"
#include "idregs.h"

#define HCR_VM		BIT(0)
#define HCR_SWIO	BIT(1)
#define HCR_FMO		BIT(3)
#define HCR_TSC		BIT(19)
#define HCR_RW		BIT(31)

#define ESR_EC(esr)	(((esr) >> 26) & 0x3f)
#define EC_UNKNOWN	0x00
#define EC_HVC64	0x16
#define EC_SMC64	0x17
#define EC_SYSREG	0x18
#define EC_IABT_LOW	0x20
#define EC_DABT_LOW	0x24

static const char *const vector_names[] = {
	"EL2t sync", "EL2t IRQ", "EL2t FIQ", "EL2t SError",
	"EL2h sync", "EL2h IRQ", "EL2h FIQ", "EL2h SError",
	"lower sync", "lower IRQ", "lower FIQ", "lower SError",
	"AArch32 sync", "AArch32 IRQ", "AArch32 FIQ", "AArch32 SError",
};

void cpu_init_el2(void)
{
	/* The host sees the real CPU identity. */
	write_sysreg(read_sysreg(midr_el1), vpidr_el2);
	write_sysreg(read_sysreg(mpidr_el1), vmpidr_el2);
	/*
	 * Trap SMC (the host's firmware calls come to us) and, where there
	 * are features to hide, ID register reads (idregs.c); AArch64 EL1.
	 */
	write_sysreg(HCR_RW | HCR_VM | HCR_SWIO | HCR_TSC | HCR_FMO | idregs_hcr_trap(), hcr_el2);
	/* No FP/SIMD traps; all PMU counters to the host. */
	write_sysreg(0x33ffUL, cptr_el2);
	write_sysreg((read_sysreg(pmcr_el0) >> 11) & 0x1f, mdcr_el2);
	write_sysreg(0, hstr_el2);
	/* EL1 physical counter and timer accessible, no virtual offset. */
	write_sysreg(3, cnthctl_el2);
	write_sysreg(0, cntvoff_el2);
	/* GICv3 system registers for EL1. */
	write_sysreg(0xf, S3_4_C12_C9_5);	/* ICC_SRE_EL2: SRE, DFB, DIB, Enable */
	isb();
	/*
	 * FIQs (Group 0) belong to the hypervisor: HCR_EL2.FMO routes them
	 * to EL2, which also makes the host's ICC_PMR_EL1 and ICC_CTLR_EL1
	 * virtual; the physical priority mask lets everything through.
	 */
	write_sysreg(0xff, S3_0_C4_C6_0);	/* ICC_PMR_EL1 */
	write_sysreg(0, S3_4_C12_C11_0);	/* ICH_HCR_EL2 */
	write_sysreg(0x30d00800UL, sctlr_el1);	/* RES1, MMU off */
	host_stage2_load();
}

void hyp_bad_exception(struct trap_frame *f, u64 kind)
{
	panic("unexpected %s exception on CPU%u: ESR %lx ELR %lx FAR %lx SPSR %lx\n",
	      vector_names[kind & 15], this_cpu_index(), read_sysreg(esr_el2),
	      read_sysreg(elr_el2), read_sysreg(far_el2), read_sysreg(spsr_el2));
}

static void host_inject_undef(void)
{
	u64 spsr = read_sysreg(spsr_el2);
	u64 mode = spsr & 0xf;
	u64 offset = mode == 0 ? 0x400 : (mode == 5 ? 0x200 : 0x0);

	write_sysreg(read_sysreg(elr_el2), elr_el1);
	write_sysreg(spsr, spsr_el1);
	write_sysreg(BIT(25), esr_el1);		/* EC 0: unknown reason */
	write_sysreg(read_sysreg(vbar_el1) + offset, elr_el2);
	write_sysreg(0x3c5, spsr_el2);
}

void handle_lower_sync(struct trap_frame *f, u64 kind)
{
	u64 esr = read_sysreg(esr_el2);

	switch (ESR_EC(esr)) {
	case EC_HVC64:
		if (esr & 0xffff)	/* only HVC #0 is SMCCC */
			f->x[0] = (u64)-1;
		else
			smccc_handle(f, false);
		break;
	case EC_SMC64:
		smccc_handle(f, true);
		write_sysreg(read_sysreg(elr_el2) + 4, elr_el2);
		break;
	case EC_DABT_LOW:
		host_stage2_fault(f, esr, false);
		break;
	case EC_SYSREG:
		host_sysreg_trap(f, esr);
		break;
	case EC_IABT_LOW:
		host_stage2_fault(f, esr, true);
		break;
	default:
		printf("unhandled trap from the host: ESR %lx ELR %lx, injecting undef\n", esr,
		       read_sysreg(elr_el2));
		host_inject_undef();
		break;
	}
}

void handle_lower_irq(struct trap_frame *f, u64 kind)
{
	hyp_bad_exception(f, kind);
}

void handle_lower_fiq(struct trap_frame *f, u64 kind)
{
	hyp_timer_fiq();
}

void handle_lower_serror(struct trap_frame *f, u64 kind)
{
	printf("SError from the host on CPU%u: ESR %lx\n", this_cpu_index(),
	       read_sysreg(esr_el2));
}
