// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gunyah test hypervisor: boot.
 *
 * The boot CPU builds the EL2 page tables and the host's stage-2, then
 * enters the host kernel at EL1 with the DTB the harness prepared.
 * Secondary CPUs come through PSCI CPU_ON and enter the host at the entry
 * point the host asked for.
 */
#include "bao_ipc.h"
#include "hyp.h"
#include "page_alloc.h"
#include "rm.h"

const struct hyp_bootcfg *bootcfg = (const struct hyp_bootcfg *)PLAT_BOOTCFG_ADDR;

static void set_this_cpu(u32 cpu)
{
	hyp_cpus[cpu].index = cpu;
	write_sysreg((u64)&hyp_cpus[cpu], tpidr_el2);
}

void __noreturn hyp_main_primary(void)
{
	set_this_cpu(0);
	mmu_build_tables();
	mmu_enable();
	printf("Gunyah test hypervisor starting at EL%lu\n", (read_sysreg(S3_0_C4_C2_2) >> 2) & 3);
	if (bootcfg->magic != BOOTCFG_MAGIC)
		panic("no boot configuration at %lx\n", PLAT_BOOTCFG_ADDR);
	if (bootcfg->nr_cpus == 0 || bootcfg->nr_cpus > PLAT_MAX_CPUS)
		panic("bad CPU count %u\n", bootcfg->nr_cpus);
	printf("resource manager profile: %s, %u CPUs\n",
	       bootcfg->rm_profile == BOOTCFG_RM_OSS ? "open-source 12/2023" : "v17",
	       bootcfg->nr_cpus);
	page_alloc_init();
	host_stage2_init();
	bao_ipc_init();
	rm_init();
	cpu_init_el2();
	printf("entering the host kernel at %lx, DTB %lx\n", PLAT_HOST_KERNEL, PLAT_HOST_DTB);
	enter_host(PLAT_HOST_KERNEL, PLAT_HOST_DTB, hyp_stack_top(0));
}

void __noreturn hyp_main_secondary(u64 cpu)
{
	if (cpu >= PLAT_MAX_CPUS)
		panic("secondary CPU with bad index %lu\n", cpu);
	set_this_cpu((u32)cpu);
	mmu_enable();
	cpu_init_el2();
	enter_host(hyp_cpus[cpu].host_entry, hyp_cpus[cpu].host_ctx, hyp_stack_top((u32)cpu));
}
