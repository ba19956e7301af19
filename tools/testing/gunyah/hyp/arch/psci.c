// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gunyah test hypervisor: PSCI for the host.
 *
 * The host's PSCI calls arrive by HVC.  Power management of physical CPUs
 * is forwarded by SMC to the platform firmware (QEMU's built-in PSCI), with
 * CPU_ON redirected through the hypervisor's own secondary entry point so
 * that every CPU passes through EL2 set-up before it enters the host.
 */
#include "hyp.h"
#include "psci.h"

struct hyp_cpu hyp_cpus[PLAT_MAX_CPUS];

static s64 firmware_smc(u64 fid, u64 a1, u64 a2, u64 a3)
{
	register u64 x0 asm("x0") = fid;
	register u64 x1 asm("x1") = a1;
	register u64 x2 asm("x2") = a2;
	register u64 x3 asm("x3") = a3;

	asm volatile("smc #0"
		     : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
		     :
		     : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13",
		       "x14", "x15", "x16", "x17", "memory");
	return (s64)x0;
}

/* QEMU "virt" numbers CPUs by Aff0 (up to 16 per cluster with GICv3). */
static int mpidr_to_cpu(u64 mpidr)
{
	u64 aff0 = mpidr & 0xff;

	if (mpidr & 0xff00ffff00UL || aff0 >= bootcfg->nr_cpus || aff0 >= PLAT_MAX_CPUS)
		return -1;
	return (int)aff0;
}

static s64 psci_cpu_on(u64 mpidr, u64 entry, u64 ctx)
{
	int cpu = mpidr_to_cpu(mpidr);

	if (cpu < 0)
		return PSCI_RET_INVALID_PARAMS;
	hyp_cpus[cpu].host_entry = entry;
	hyp_cpus[cpu].host_ctx = ctx;
	dsb_ish();
	return firmware_smc(PSCI_0_2_FN64_CPU_ON, mpidr, (u64)secondary_entry, (u64)cpu);
}

bool psci_handle(struct trap_frame *f)
{
	u32 fid = (u32)f->x[0];

	switch (fid) {
	case PSCI_0_2_FN_PSCI_VERSION:
		f->x[0] = PSCI_VERSION_1_0;
		break;
	case PSCI_0_2_FN_CPU_ON:
	case PSCI_0_2_FN64_CPU_ON:
		f->x[0] = psci_cpu_on(f->x[1], f->x[2], f->x[3]);
		break;
	case PSCI_0_2_FN_CPU_OFF:
		f->x[0] = firmware_smc(fid, 0, 0, 0);
		break;
	case PSCI_0_2_FN_AFFINITY_INFO:
	case PSCI_0_2_FN64_AFFINITY_INFO:
		f->x[0] = firmware_smc(PSCI_0_2_FN64_AFFINITY_INFO, f->x[1], f->x[2], 0);
		break;
	case PSCI_0_2_FN_MIGRATE_INFO_TYPE:
		f->x[0] = PSCI_TOS_NOT_PRESENT;
		break;
	case PSCI_0_2_FN_SYSTEM_OFF:
		printf("host requested system off\n");
		firmware_smc(fid, 0, 0, 0);
		panic("system off failed\n");
	case PSCI_0_2_FN_SYSTEM_RESET:
		printf("host requested system reset\n");
		firmware_smc(fid, 0, 0, 0);
		panic("system reset failed\n");
	case PSCI_1_0_FN_PSCI_FEATURES:
		switch ((u32)f->x[1]) {
		case PSCI_0_2_FN_PSCI_VERSION:
		case PSCI_0_2_FN_CPU_ON:
		case PSCI_0_2_FN64_CPU_ON:
		case PSCI_0_2_FN_CPU_OFF:
		case PSCI_0_2_FN_AFFINITY_INFO:
		case PSCI_0_2_FN64_AFFINITY_INFO:
		case PSCI_0_2_FN_MIGRATE_INFO_TYPE:
		case PSCI_0_2_FN_SYSTEM_OFF:
		case PSCI_0_2_FN_SYSTEM_RESET:
		case PSCI_1_0_FN_PSCI_FEATURES:
		case 0x80000000:	/* SMCCC_VERSION */
			f->x[0] = 0;
			break;
		default:
			f->x[0] = PSCI_RET_NOT_SUPPORTED;
			break;
		}
		break;
	default:
		f->x[0] = PSCI_RET_NOT_SUPPORTED;
		break;
	}
	return true;
}
