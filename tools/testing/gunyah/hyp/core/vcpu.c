// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gunyah test hypervisor: vcpu_run, the proxy-scheduling hypercall.
 *
 * The host calls vcpu_run(cap, resume data) on any physical CPU; the
 * hypervisor switches that CPU to the guest (EL1 system registers, FP/SIMD,
 * virtual timer, GICv3 virtual CPU interface, VMID and stage-2) and back
 * when the guest needs the host:
 *
 *   - MMIO to an address outside guest RAM (with a valid syndrome): VMMIO
 *     exit; the next call carries the read value and an action;
 *   - WFI with nothing pending: EXPECTS_WAKEUP.  If the guest's virtual
 *     timer is armed, the hypervisor's own EL2 timer (CNTHP, PPI 26, a
 *     Group 0 interrupt taken as FIQ at EL2) is set for its deadline, and
 *     when it fires the vCPU's wake-up SPI is raised for the host;
 *   - PSCI CPU_OFF, SYSTEM_OFF, SYSTEM_RESET: POWERED_OFF (with the
 *     "exited" flag once the VM is gone, and VM_EXITED from the RM; the
 *     caller of SYSTEM_OFF first sees it without the flag, as on real
 *     Gunyah, and gets no wake-up interrupt).  In the oss profile the
 *     caller of SYSTEM_RESET sees PSCI_SYSTEM_RESET (reset type and
 *     cookie) instead, at once and at every later call, as the open-source
 *     hypervisor reports it;
 *   - a physical interrupt: READY, so that the host takes it at once.
 *
 * The host's own timer (its tick, the EL1 virtual timer) is not in the
 * hardware while a guest runs, so it cannot interrupt the guest: the EL2
 * timer is armed for its deadline too, and vcpu_run returns READY once it
 * has passed.  Whatever the guest does (spin, loop on its own exceptions
 * at EL1 without ever trapping), the host gets its CPU back within a tick.
 *
 * Guest interrupts come from the guest's virtual GIC (vgic.c): its list
 * registers are filled before every entry and folded back after every
 * exit; accesses to its distributor and redistributors and its writes to
 * ICC_SGI1R_EL1 are emulated here without a trip to the host.  Sources:
 * the virtual timer (PPI 27), SGIs, doorbells (SPIs).
 */
#include "bao_ipc.h"
#include "cspace.h"
#include "fault.h"
#include "gic.h"
#include "guest.h"
#include "host_s2.h"
#include "hypercalls.h"
#include "idregs.h"
#include "psci.h"
#include "smccc.h"

#define HCR_VM		BIT(0)
#define HCR_SWIO	BIT(1)
#define HCR_FMO		BIT(3)
#define HCR_IMO		BIT(4)
#define HCR_AMO		BIT(5)
#define HCR_FB		BIT(9)
#define HCR_BSU_IS	BIT(10)
#define HCR_TWI		BIT(13)
#define HCR_TSC		BIT(19)
#define HCR_RW		BIT(31)
#define HCR_HOST	(HCR_RW | HCR_VM | HCR_SWIO | HCR_TSC | HCR_FMO)
#define HCR_GUEST	(HCR_RW | HCR_VM | HCR_SWIO | HCR_TSC | HCR_FMO | HCR_IMO | HCR_AMO | \
			 HCR_FB | HCR_BSU_IS | HCR_TWI)

#define ESR_EC(esr)	(((esr) >> 26) & 0x3f)
#define EC_WFX		0x01
#define EC_HVC64	0x16
#define EC_SMC64	0x17
#define EC_SYSREG	0x18
#define EC_IABT_LOW	0x20
#define EC_DABT_LOW	0x24

#define EXIT_SYNC	0
#define EXIT_IRQ	1
#define EXIT_FIQ	2

#define CNT_ENABLE	BIT(0)
#define CNT_IMASK	BIT(1)

#define INTID_HYP_KICK	15	/* an SGI the host does not use (Linux uses 0-7) */
#define INTID_HYP_TIMER	26
#define INTID_VTIMER	27
#define GICR_STRIDE	0x20000
#define GICR_SGI_BASE	0x10000
#define GICR_IGROUPR0	0x80
#define GICR_ISENABLER0	0x100
#define GICR_IPRIORITYR	0x400
#define GICD_CTLR	0x0

#define ICH_HCR_EN	BIT(0)
#define MAX_EXITS_PER_RUN	256

/*
 * Host state while a guest's is in the CPU, one per physical CPU: its EL1
 * registers, FP/SIMD, and where its vcpu_run call returns to.
 */
static struct {
	u64 sys[NR_GUEST_SYSREGS];
	u64 fp[66];
	u64 elr, spsr, sp_el0;
} host_state[PLAT_MAX_CPUS];

/* vCPUs blocked with an armed virtual timer, per physical CPU. */
static struct vcpu *timer_waiters[PLAT_MAX_CPUS][16];

/* Guest exits by kind, per physical CPU (summed when read). */
static u64 exit_counts[PLAT_MAX_CPUS][NR_VCPU_EXIT_KINDS];

static void count_exit(enum vcpu_exit_kind kind)
{
	exit_counts[this_cpu_index()][kind]++;
}

/**
 * vcpu_exit_count() - guest exits of one kind since boot, all CPUs
 * @kind: an &enum vcpu_exit_kind
 */
u64 vcpu_exit_count(unsigned int kind)
{
	u64 n = 0;

	for (unsigned int c = 0; c < PLAT_MAX_CPUS; c++)
		n += __atomic_load_n(&exit_counts[c][kind], __ATOMIC_RELAXED);
	return n;
}

/* The host's timer deadline while a guest runs on the CPU; ~0 if none. */
static u64 host_deadline[PLAT_MAX_CPUS];

/* EL1 state that the host and each guest have their own copy of. */
static void save_sysregs(u64 *r)
{
	r[SYS_SCTLR] = read_sysreg(sctlr_el1);
	r[SYS_CPACR] = read_sysreg(cpacr_el1);
	r[SYS_TTBR0] = read_sysreg(ttbr0_el1);
	r[SYS_TTBR1] = read_sysreg(ttbr1_el1);
	r[SYS_TCR] = read_sysreg(tcr_el1);
	r[SYS_ESR] = read_sysreg(esr_el1);
	r[SYS_AFSR0] = read_sysreg(afsr0_el1);
	r[SYS_AFSR1] = read_sysreg(afsr1_el1);
	r[SYS_FAR] = read_sysreg(far_el1);
	r[SYS_MAIR] = read_sysreg(mair_el1);
	r[SYS_VBAR] = read_sysreg(vbar_el1);
	r[SYS_CONTEXTIDR] = read_sysreg(contextidr_el1);
	r[SYS_AMAIR] = read_sysreg(amair_el1);
	r[SYS_CNTKCTL] = read_sysreg(cntkctl_el1);
	r[SYS_PAR] = read_sysreg(par_el1);
	r[SYS_TPIDR_EL1] = read_sysreg(tpidr_el1);
	r[SYS_SP_EL1] = read_sysreg(sp_el1);
	r[SYS_ELR_EL1] = read_sysreg(elr_el1);
	r[SYS_SPSR_EL1] = read_sysreg(spsr_el1);
	r[SYS_TPIDR_EL0] = read_sysreg(tpidr_el0);
	r[SYS_TPIDRRO_EL0] = read_sysreg(tpidrro_el0);
	r[SYS_CSSELR] = read_sysreg(csselr_el1);
	r[SYS_MDSCR] = read_sysreg(mdscr_el1);
	r[SYS_CNTV_CTL] = read_sysreg(cntv_ctl_el0);
	r[SYS_CNTV_CVAL] = read_sysreg(cntv_cval_el0);
	r[SYS_VMPIDR] = read_sysreg(vmpidr_el2);
}

static void load_sysregs(const u64 *r)
{
	write_sysreg(r[SYS_SCTLR], sctlr_el1);
	write_sysreg(r[SYS_CPACR], cpacr_el1);
	write_sysreg(r[SYS_TTBR0], ttbr0_el1);
	write_sysreg(r[SYS_TTBR1], ttbr1_el1);
	write_sysreg(r[SYS_TCR], tcr_el1);
	write_sysreg(r[SYS_ESR], esr_el1);
	write_sysreg(r[SYS_AFSR0], afsr0_el1);
	write_sysreg(r[SYS_AFSR1], afsr1_el1);
	write_sysreg(r[SYS_FAR], far_el1);
	write_sysreg(r[SYS_MAIR], mair_el1);
	write_sysreg(r[SYS_VBAR], vbar_el1);
	write_sysreg(r[SYS_CONTEXTIDR], contextidr_el1);
	write_sysreg(r[SYS_AMAIR], amair_el1);
	write_sysreg(r[SYS_CNTKCTL], cntkctl_el1);
	write_sysreg(r[SYS_PAR], par_el1);
	write_sysreg(r[SYS_TPIDR_EL1], tpidr_el1);
	write_sysreg(r[SYS_SP_EL1], sp_el1);
	write_sysreg(r[SYS_ELR_EL1], elr_el1);
	write_sysreg(r[SYS_SPSR_EL1], spsr_el1);
	write_sysreg(r[SYS_TPIDR_EL0], tpidr_el0);
	write_sysreg(r[SYS_TPIDRRO_EL0], tpidrro_el0);
	write_sysreg(r[SYS_CSSELR], csselr_el1);
	write_sysreg(r[SYS_MDSCR], mdscr_el1);
	write_sysreg(r[SYS_CNTV_CVAL], cntv_cval_el0);
	write_sysreg(r[SYS_VMPIDR], vmpidr_el2);
	write_sysreg(r[SYS_CNTV_CTL], cntv_ctl_el0);
}

static u64 counter(void)
{
	isb();
	return read_sysreg(cntpct_el0);
}

static struct hyp_cpu *this_cpu(void)
{
	return (struct hyp_cpu *)read_sysreg(tpidr_el2);
}

/*
 * The hypervisor's own interrupt: the EL2 physical timer's PPI as Group 0
 * (a FIQ at EL2, since HCR_EL2.FMO is set for the host too).  The host
 * configures every PPI as Group 1 when its CPUs come up, so this is done
 * (again) before each use, after the host's set-up.
 */
static void hyp_gic_take(u64 rd, u32 intid)
{
	u64 prio = rd + GICR_IPRIORITYR + (intid & ~3);

	mmio_write32(rd + GICR_IGROUPR0, mmio_read32(rd + GICR_IGROUPR0) & ~BIT(intid));
	mmio_write32(prio, (mmio_read32(prio) & ~(0xffU << (8 * (intid & 3)))) |
			   (0x20U << (8 * (intid & 3))));
	mmio_write32(rd + GICR_ISENABLER0, BIT(intid));
}

void hyp_gic_cpu_init(void)
{
	u64 rd = PLAT_GICR_BASE + this_cpu_index() * GICR_STRIDE + GICR_SGI_BASE;

	hyp_gic_take(rd, INTID_HYP_TIMER);
	hyp_gic_take(rd, INTID_HYP_KICK);
	mmio_write32(PLAT_GICD_BASE + GICD_CTLR, mmio_read32(PLAT_GICD_BASE + GICD_CTLR) | 1);
	write_sysreg(1, S3_0_C12_C12_6);	/* ICC_IGRPEN0_EL1 */
	isb();
	this_cpu()->gic_ready = 1;
}

/**
 * vcpu_kick_cpu() - make a physical CPU leave the guest it runs
 * @cpu: the CPU (its MPIDR's Aff0 on this platform)
 *
 * Its vCPU's next entry lists what became pending for it in the meantime.
 */
void vcpu_kick_cpu(u32 cpu)
{
	write_sysreg(((u64)INTID_HYP_KICK << 24) | BIT(cpu), S3_0_C12_C11_7);	/* ICC_SGI0R_EL1 */
	isb();
}

static void hyp_timer_program(u32 cpu)
{
	u64 next = host_deadline[cpu] ? host_deadline[cpu] : ~0ULL;

	for (unsigned int i = 0; i < ARRAY_SIZE(timer_waiters[cpu]); i++)
		if (timer_waiters[cpu][i] && timer_waiters[cpu][i]->deadline < next)
			next = timer_waiters[cpu][i]->deadline;
	if (next == ~0ULL) {
		write_sysreg(0, cnthp_ctl_el2);
	} else {
		write_sysreg(next, cnthp_cval_el2);
		write_sysreg(CNT_ENABLE, cnthp_ctl_el2);
	}
	isb();
}

/* Called with guest_lock held. */
static void vcpu_timer_disarm(struct vcpu *v)
{
	if (!v->timer_armed)
		return;
	for (unsigned int i = 0; i < ARRAY_SIZE(timer_waiters[v->timer_cpu]); i++)
		if (timer_waiters[v->timer_cpu][i] == v)
			timer_waiters[v->timer_cpu][i] = NULL;
	v->timer_armed = false;
	if (v->timer_cpu == this_cpu_index())
		hyp_timer_program(v->timer_cpu);
}

/* Called with guest_lock held, on the CPU that will wake @v. */
static bool vcpu_timer_arm(struct vcpu *v, u64 deadline)
{
	u32 cpu = this_cpu_index();

	for (unsigned int i = 0; i < ARRAY_SIZE(timer_waiters[cpu]); i++) {
		if (!timer_waiters[cpu][i]) {
			timer_waiters[cpu][i] = v;
			v->timer_armed = true;
			v->timer_cpu = cpu;
			v->deadline = deadline;
			if (!this_cpu()->gic_ready)
				hyp_gic_cpu_init();
			hyp_timer_program(cpu);
			return true;
		}
	}
	return false;
}

/* @v goes away: drop it from the timer lists of every CPU. */
void vcpu_forget(struct vcpu *v)
{
	guest_lock();
	for (unsigned int c = 0; c < PLAT_MAX_CPUS; c++)
		for (unsigned int i = 0; i < ARRAY_SIZE(timer_waiters[c]); i++)
			if (timer_waiters[c][i] == v)
				timer_waiters[c][i] = NULL;
	guest_unlock();
}

/* The EL2 timer fired (wake the vCPUs whose deadline has passed), or a kick. */
void hyp_timer_fiq(void)
{
	u32 intid = (u32)read_sysreg(S3_0_C12_C8_0);	/* ICC_IAR0_EL1 */
	u32 cpu = this_cpu_index();
	u64 now = counter();

	if (intid >= 1020)
		return;
	guest_lock();
	for (unsigned int i = 0; i < ARRAY_SIZE(timer_waiters[cpu]); i++) {
		struct vcpu *v = timer_waiters[cpu][i];

		if (v && v->deadline <= now) {
			timer_waiters[cpu][i] = NULL;
			v->timer_armed = false;
			gic_raise_host_spi(v->wake_virq);
		}
	}
	hyp_timer_program(cpu);
	guest_unlock();
	write_sysreg(intid, S3_0_C12_C8_1);		/* ICC_EOIR0_EL1 */
	isb();
}

/*
 * The host's SGI writes trap while HCR_EL2.FMO is set: replay them.  Its
 * ID register reads trap too (HCR_EL2.TID3): idregs.c answers.
 */
void host_sysreg_trap(struct trap_frame *f, u64 esr)
{
	u32 rt = (esr >> 5) & 0x1f;
	u32 sysreg = esr & 0x3ffc1e;	/* Op0, Op2, Op1, CRn, CRm: without Rt and direction */
	u64 val = rt == 31 ? 0 : f->x[rt];

	if (idreg_read(esr, &val)) {
		if (rt != 31)
			f->x[rt] = val;
		write_sysreg(read_sysreg(elr_el2) + 4, elr_el2);
		return;
	}
	switch (sysreg) {
	case 0x3a3016:	/* ICC_SGI1R_EL1: Op0 3, Op1 0, CRn 12, CRm 11, Op2 5 */
		write_sysreg(val, S3_0_C12_C11_5);
		break;
	case 0x3c3016:	/* ICC_ASGI1R_EL1: Op2 6 */
		write_sysreg(val, S3_0_C12_C11_6);
		break;
	case 0x3e3016:	/* ICC_SGI0R_EL1: Op2 7 */
		write_sysreg(val, S3_0_C12_C11_7);
		break;
	default:
		printf("unexpected system register trap from the host: ESR %lx\n", esr);
		break;
	}
	write_sysreg(read_sysreg(elr_el2) + 4, elr_el2);
}

/* A virtual timer with these controls and compare value fires now (no counter offset). */
static bool timer_due(u64 ctl, u64 cval)
{
	return (ctl & (CNT_ENABLE | CNT_IMASK)) == CNT_ENABLE && cval <= counter();
}

/*
 * The host's timer condition is met: read from the CPU, or (@loaded: a
 * guest's state is in it) from the host's saved registers.
 */
static bool host_timer_due(u32 c, bool loaded)
{
	if (loaded)
		return timer_due(host_state[c].sys[SYS_CNTV_CTL], host_state[c].sys[SYS_CNTV_CVAL]);
	return timer_due(read_sysreg(cntv_ctl_el0), read_sysreg(cntv_cval_el0));
}

/*
 * Arm the EL2 timer for the host's deadline (saved in @sys) while a guest
 * runs on CPU @c, or (@sys NULL) only for the vCPUs waiting on it again.
 */
static void host_timer_guard(u32 c, const u64 *sys)
{
	u64 deadline = 0;

	if (sys && (sys[SYS_CNTV_CTL] & (CNT_ENABLE | CNT_IMASK)) == CNT_ENABLE)
		deadline = sys[SYS_CNTV_CVAL] ? sys[SYS_CNTV_CVAL] : 1;
	if (!deadline && !host_deadline[c])
		return;
	guest_lock();
	if (!this_cpu()->gic_ready)
		hyp_gic_cpu_init();
	host_deadline[c] = deadline;
	hyp_timer_program(c);
	guest_unlock();
}

/* Make the virtual timer's interrupt pending if it fired; mask it until the guest acts. */
static bool vtimer_check(struct vcpu *v)
{
	if (!timer_due(v->ctx.sys[SYS_CNTV_CTL], v->ctx.sys[SYS_CNTV_CVAL]))
		return false;
	v->ctx.sys[SYS_CNTV_CTL] |= CNT_IMASK;
	v->sys_dirty = true;
	guest_lock();
	vgic_pulse(v->guest->vgic, v->index, INTID_VTIMER);
	guest_unlock();
	return true;
}

/*
 * Put @v's EL1 state, FP/SIMD, VMID and stage-2 in the CPU in place of the
 * host's.  They stay there while the hypervisor handles the guest's exits
 * itself, and go back (vcpu_put()) only when vcpu_run returns to the host:
 * every EL1 register written costs an emulated CPU a TLB flush.
 */
static void vcpu_load(struct vcpu *v, struct hyp_cpu *cpu)
{
	u32 c = cpu->index;
	struct guest *g = v->guest;

	host_state[c].elr = read_sysreg(elr_el2);
	host_state[c].spsr = read_sysreg(spsr_el2);
	host_state[c].sp_el0 = read_sysreg(sp_el0);
	save_sysregs(host_state[c].sys);
	fpsimd_save(host_state[c].fp);
	host_timer_guard(c, host_state[c].sys);

	load_sysregs(v->ctx.sys);
	v->sys_dirty = false;
	fpsimd_restore(v->ctx.fp);
	write_sysreg(HCR_GUEST | idregs_hcr_trap(), hcr_el2);
	write_sysreg((u64)g->s2.root | ((u64)g->hw_vmid << 48), vttbr_el2);
	isb();
}

/* The host's state back in the CPU; @v's EL1 registers were saved at its last exit. */
static void vcpu_put(struct vcpu *v, struct hyp_cpu *cpu)
{
	u32 c = cpu->index;

	fpsimd_save(v->ctx.fp);
	/* Mask the guest's timer in hardware before the host's comes back. */
	write_sysreg(0, cntv_ctl_el0);
	load_sysregs(host_state[c].sys);
	fpsimd_restore(host_state[c].fp);
	write_sysreg(HCR_HOST | idregs_hcr_trap(), hcr_el2);
	host_stage2_load_vttbr();
	write_sysreg(host_state[c].elr, elr_el2);
	write_sysreg(host_state[c].spsr, spsr_el2);
	write_sysreg(host_state[c].sp_el0, sp_el0);
	host_timer_guard(c, NULL);
}

/*
 * Enter the loaded vCPU @v until its next exit.  Its EL1 registers are
 * saved in its context after every exit, for the exit's handling; what
 * that changes there (sys_dirty) goes back into the CPU before the entry.
 */
static u64 run_guest(struct vcpu *v, struct hyp_cpu *cpu, u64 *esr, u64 *far, u64 *hpfar)
{
	u64 exit;

	if (v->sys_dirty) {
		load_sysregs(v->ctx.sys);
		v->sys_dirty = false;
	}
	write_sysreg(v->ctx.ich_lr[0], S3_4_C12_C12_0);
	write_sysreg(v->ctx.ich_lr[1], S3_4_C12_C12_1);
	write_sysreg(v->ctx.ich_lr[2], S3_4_C12_C12_2);
	write_sysreg(v->ctx.ich_lr[3], S3_4_C12_C12_3);
	write_sysreg(v->ctx.ich_vmcr, S3_4_C12_C11_7);
	write_sysreg(v->ctx.ich_ap0r0, S3_4_C12_C8_0);
	write_sysreg(v->ctx.ich_ap1r0, S3_4_C12_C9_0);
	write_sysreg(ICH_HCR_EN, S3_4_C12_C11_0);
	isb();

	exit = guest_enter(&v->ctx, cpu);

	*esr = read_sysreg(esr_el2);
	*far = read_sysreg(far_el2);
	*hpfar = read_sysreg(hpfar_el2);
	save_sysregs(v->ctx.sys);
	v->ctx.ich_lr[0] = read_sysreg(S3_4_C12_C12_0);
	v->ctx.ich_lr[1] = read_sysreg(S3_4_C12_C12_1);
	v->ctx.ich_lr[2] = read_sysreg(S3_4_C12_C12_2);
	v->ctx.ich_lr[3] = read_sysreg(S3_4_C12_C12_3);
	v->ctx.ich_vmcr = read_sysreg(S3_4_C12_C11_7);
	v->ctx.ich_ap0r0 = read_sysreg(S3_4_C12_C8_0);
	v->ctx.ich_ap1r0 = read_sysreg(S3_4_C12_C9_0);
	write_sysreg(0, S3_4_C12_C11_0);
	return exit;
}

/* Reflect a synchronous exception to the guest's EL1 vector. */
static void inject_sync(struct vcpu *v, u64 esr, u64 far)
{
	u64 mode = v->ctx.pstate & 0xf;
	u64 offset = mode == 0 ? 0x400 : (mode == 5 ? 0x200 : 0);

	v->ctx.sys[SYS_ELR_EL1] = v->ctx.pc;
	v->ctx.sys[SYS_SPSR_EL1] = v->ctx.pstate;
	v->ctx.sys[SYS_ESR] = esr;
	v->ctx.sys[SYS_FAR] = far;
	v->sys_dirty = true;
	v->ctx.pc = v->ctx.sys[SYS_VBAR] + offset;
	v->ctx.pstate = 0x3c5;
}

static void inject_dabt(struct vcpu *v, u64 far)
{
	bool el0 = (v->ctx.pstate & 0xf) == 0;

	/* Synchronous external abort, as for an access to nothing. */
	inject_sync(v, ((u64)(el0 ? 0x24 : 0x25) << 26) | BIT(25) | 0x10, far);
}

static void inject_undef(struct vcpu *v)
{
	inject_sync(v, BIT(25), 0);
}

static void set_result(struct trap_frame *f, u64 state, u64 d0, u64 d1, u64 d2)
{
	f->x[0] = GH_ERROR_OK;
	f->x[1] = state;
	f->x[2] = d0;
	f->x[3] = d1;
	f->x[4] = d2;
}

static void guest_exit_vm(struct vcpu *v, u16 exit_type)
{
	struct guest *g = v->guest;

	guest_lock();
	if (g->exited) {
		guest_unlock();
		return;
	}
	g->exited = true;
	for (u32 i = 0; i < g->nr_vcpus; i++)
		g->vcpus[i]->on = false;
	guest_unlock();
	if (g->exited_cb)
		g->exited_cb(g, exit_type);
	guest_stop(g, v);
}

/*
 * A PSCI or SMCCC call from the guest.  Returns true if the vCPU goes on
 * running, false if vcpu_run returns (the result is set in @f).
 */
static bool guest_smccc(struct vcpu *v, struct trap_frame *f)
{
	struct guest *g = v->guest;
	u64 *x = v->ctx.x;
	u32 fid = (u32)x[0];
	struct vcpu *t;

	switch (fid) {
	case PSCI_0_2_FN_PSCI_VERSION:
		x[0] = PSCI_VERSION_1_0;
		return true;
	case SMCCC_VERSION:
		x[0] = 0x10001;		/* 1.1 */
		return true;
	case SMCCC_ARCH_FEATURES:
		switch ((u32)x[1]) {
		case SMCCC_ARCH_FEATURES:
			x[0] = 0;
			break;
		case SMCCC_ARCH_WORKAROUND_1:
		case SMCCC_ARCH_WORKAROUND_2:
		case SMCCC_ARCH_WORKAROUND_3:
			/* Nothing to mitigate in firmware: the platform is emulated. */
			x[0] = (u64)SMCCC_RET_NOT_REQUIRED;
			break;
		default:
			x[0] = (u64)SMCCC_RET_NOT_SUPPORTED;
			break;
		}
		return true;
	case PSCI_0_2_FN_MIGRATE_INFO_TYPE:
		x[0] = PSCI_TOS_NOT_PRESENT;
		return true;
	case PSCI_1_0_FN_PSCI_FEATURES:
		switch ((u32)x[1]) {
		case SMCCC_VERSION:
		case PSCI_0_2_FN_MIGRATE_INFO_TYPE:
		case PSCI_0_2_FN_PSCI_VERSION:
		case PSCI_0_2_FN_CPU_ON:
		case PSCI_0_2_FN64_CPU_ON:
		case PSCI_0_2_FN_CPU_OFF:
		case PSCI_0_2_FN_AFFINITY_INFO:
		case PSCI_0_2_FN64_AFFINITY_INFO:
		case PSCI_0_2_FN_SYSTEM_OFF:
		case PSCI_0_2_FN_SYSTEM_RESET:
		case PSCI_1_0_FN_PSCI_FEATURES:
			x[0] = 0;
			break;
		default:
			x[0] = (u64)PSCI_RET_NOT_SUPPORTED;
			break;
		}
		return true;
	case PSCI_0_2_FN_CPU_ON:
	case PSCI_0_2_FN64_CPU_ON:
		t = guest_vcpu_by_mpidr(g, fid == PSCI_0_2_FN_CPU_ON ? (u32)x[1] : x[1]);
		if (!t) {
			x[0] = (u64)PSCI_RET_INVALID_PARAMS;
			return true;
		}
		guest_lock();
		if (t->on) {
			x[0] = (u64)-4;		/* ALREADY_ON */
		} else if (t->running) {
			/*
			 * Off, but its vcpu_run is still on its way out and
			 * owns its context: the reset waits for its next run.
			 */
			t->on_pending = true;
			t->on_entry = x[2];
			t->on_arg = x[3];
			/* Ordered after the above: vcpu_run reads @on first. */
			__atomic_store_n(&t->on, true, __ATOMIC_RELEASE);
			x[0] = PSCI_RET_SUCCESS;
		} else {
			u64 entry = x[2], ctx = x[3];

			vcpu_reset(t);
			t->ctx.pc = entry;
			t->ctx.x[0] = ctx;
			t->on = true;
			x[0] = PSCI_RET_SUCCESS;
		}
		guest_unlock();
		if (x[0] == PSCI_RET_SUCCESS)
			gic_raise_host_spi(t->wake_virq);
		return true;
	case PSCI_0_2_FN_AFFINITY_INFO:
	case PSCI_0_2_FN64_AFFINITY_INFO:
		/* Level 0 only: the lowest affinity level is all Linux asks about. */
		t = guest_vcpu_by_mpidr(g, fid == PSCI_0_2_FN_AFFINITY_INFO ? (u32)x[1] : x[1]);
		x[0] = !t || x[2] ? (u64)PSCI_RET_INVALID_PARAMS : t->on ? 0 : 1;
		return true;
	case PSCI_0_2_FN_CPU_OFF:
		v->on = false;
		set_result(f, VCPU_STATE_POWERED_OFF, 0, 0, 0);
		return false;
	case PSCI_0_2_FN_SYSTEM_OFF:
		/*
		 * As real Gunyah: the caller powers itself off (no "exited"
		 * flag, no wake-up interrupt); its host learns the VM's end
		 * from the RM's VM_EXITED, which may come after this return.
		 */
		guest_exit_vm(v, GUEST_EXIT_PLATFORM_OFF);
		set_result(f, VCPU_STATE_POWERED_OFF, 0, 0, 0);
		return false;
	case PSCI_0_2_FN_SYSTEM_RESET:
		guest_exit_vm(v, GUEST_EXIT_PLATFORM_RESET);
		if (v->guest->reset_run_state) {
			v->reset_data = VCPU_RESET_NOT_RESET2;
			set_result(f, VCPU_STATE_PSCI_SYSTEM_RESET, v->reset_data, 0, 0);
		} else {
			set_result(f, VCPU_STATE_POWERED_OFF, 1, 0, 0);
		}
		return false;
	case BAO_IPC_NOTIFY_FID:
		x[0] = bao_ipc_guest_call(g, x[1]);
		return true;
	default:
		x[0] = (u64)SMCCC_RET_NOT_SUPPORTED;
		return true;
	}
}

static void mmio_resume(struct vcpu *v, u64 value, u64 action);

/* A trapped system register access of the guest: its SGIs, ID registers, or undefined. */
static void guest_sysreg(struct vcpu *v, u64 esr)
{
	u32 rt = (esr >> 5) & 0x1f;
	u64 val = rt == 31 ? 0 : v->ctx.x[rt];

	if (idreg_read(esr, &val)) {
		if (rt != 31)
			v->ctx.x[rt] = val;
		v->ctx.pc += 4;
		return;
	}

	switch (esr & 0x3ffc1f) {	/* Op0, Op2, Op1, CRn, CRm and the direction */
	case 0x3a3016:			/* write ICC_SGI1R_EL1 */
		guest_lock();
		guest_vgic_kick(v->guest, vgic_send_sgi(v->guest->vgic, v->index, val));
		guest_unlock();
		break;
	case 0x3c3016:			/* write ICC_ASGI1R_EL1: no other security state */
	case 0x3e3016:			/* write ICC_SGI0R_EL1: Group 0 SGIs are not modelled */
		break;
	default:
		if (guest_may_log(v->guest))
			printf("VM %u vCPU %u: system register trap ESR %lx at PC %lx: undef\n",
			       v->guest->vmid, v->index, esr, v->ctx.pc);
		inject_undef(v);
		return;
	}
	v->ctx.pc += 4;
}

/* A guest access to its virtual GIC's frames, emulated here. */
static void guest_vgic_mmio(struct vcpu *v, u64 ipa, u64 esr, u32 size, u32 rt)
{
	u64 val = 0;
	u32 kick;

	if (esr & BIT(6))
		val = rt == 31 ? 0 : v->ctx.x[rt];
	guest_lock();
	kick = vgic_mmio(v->guest->vgic, v->index, ipa, esr & BIT(6), size, &val);
	guest_vgic_kick(v->guest, kick);
	guest_unlock();
	/* Complete it as the host would complete an MMIO exit. */
	v->mmio_rt = rt;
	v->mmio_size = size;
	v->mmio_sign_extend = esr & BIT(21);
	v->mmio_64bit = esr & BIT(15);
	v->pending = esr & BIT(6) ? VCPU_PENDING_MMIO_WRITE : VCPU_PENDING_MMIO_READ;
	mmio_resume(v, val, 0);
}

/* A guest data abort outside its memory: MMIO for the host, or a fault. */
static bool guest_dabt(struct vcpu *v, struct trap_frame *f, u64 esr, u64 far, u64 hpfar)
{
	u64 ipa = ((hpfar >> 4) << 12) | (far & 0xfff);
	u32 size = 1U << ((esr >> 22) & 3);
	u32 rt = (esr >> 16) & 0x1f;
	u64 val;

	if (guest_in_dp_range(v->guest, ipa)) {
		count_exit(VCPU_EXIT_PAGE_FAULT);
		/* Demand paging: the host provides the page, then the access is retried. */
		set_result(f, VCPU_STATE_PAGE_FAULT, ipa & ~0xfffUL, (esr & BIT(6)) ? 1 : 0, 0);
		return false;
	}
	if (vgic_is_mmio(v->guest->vgic, ipa) && (esr & BIT(24))) {
		count_exit(VCPU_EXIT_VGIC);
		guest_vgic_mmio(v, ipa, esr, size, rt);
		return true;
	}
	count_exit(VCPU_EXIT_MMIO);
	if (!(esr & BIT(24))) {
		/* No syndrome (e.g. LDP, writeback): not emulable. */
		if (guest_may_log(v->guest))
			printf("VM %u vCPU %u: MMIO at IPA %lx without syndrome (PC %lx): abort\n",
			       v->guest->vmid, v->index, ipa, v->ctx.pc);
		inject_dabt(v, far);
		return true;
	}
	v->mmio_rt = rt;
	v->mmio_size = size;
	v->mmio_sign_extend = esr & BIT(21);
	v->mmio_64bit = esr & BIT(15);
	if (esr & BIT(6)) {
		val = rt == 31 ? 0 : v->ctx.x[rt];
		if (size < 8)
			val &= (1ULL << (8 * size)) - 1;
		v->pending = VCPU_PENDING_MMIO_WRITE;
		set_result(f, VCPU_STATE_VMMIO_WRITE, ipa, size, val);
	} else {
		v->pending = VCPU_PENDING_MMIO_READ;
		set_result(f, VCPU_STATE_VMMIO_READ, ipa, size, 0);
	}
	return false;
}

/* Complete the pending MMIO access with the host's answer. */
static void mmio_resume(struct vcpu *v, u64 value, u64 action)
{
	if (action == 2) {		/* FAULT */
		inject_dabt(v, 0);
	} else if (action == 0) {	/* EMULATE */
		if (v->pending == VCPU_PENDING_MMIO_READ && v->mmio_rt != 31) {
			u32 bits = 8 * v->mmio_size;

			if (bits < 64) {
				value &= (1ULL << bits) - 1;
				if (v->mmio_sign_extend && (value & (1ULL << (bits - 1))))
					value |= ~0ULL << bits;
			}
			if (!v->mmio_64bit)
				value &= 0xffffffffULL;
			v->ctx.x[v->mmio_rt] = value;
		}
		v->ctx.pc += 4;
	}
	/* RETRY: run the access again. */
	v->pending = VCPU_PENDING_NONE;
}

/*
 * A CPU_ON that came while this vCPU's last run was still ending (its
 * context was that run's until then): start from the entry point now.
 */
static void vcpu_take_cpu_on(struct vcpu *v)
{
	guest_lock();
	if (v->on_pending) {
		vcpu_reset(v);
		v->ctx.pc = v->on_entry;
		v->ctx.x[0] = v->on_arg;
	}
	guest_unlock();
}

void vcpu_run(struct trap_frame *f)
{
	struct hyp_cpu *cpu = this_cpu();
	struct vcpu *v;
	s64 err = 0;
	u64 esr, far, hpfar, exit;
	unsigned int handled = 0;
	bool go_on, pending, loaded = false;

	/*
	 * Look the vCPU up under guest_lock: VM_RESET deletes the vCPU
	 * capabilities under it before the vCPUs go away.
	 */
	guest_lock();
	v = cspace_lookup(f->x[1], CAP_TYPE_VCPU, 0, &err);
	if (!v) {
		guest_unlock();
		f->x[0] = (u64)err;
		return;
	}
	if (v->running || !v->guest->started) {
		guest_unlock();
		f->x[0] = GH_ERROR_BUSY;
		return;
	}
	/* The caller of SYSTEM_RESET is not killed: it reports the reset again. */
	if (v->guest->exited && v->reset_data) {
		guest_unlock();
		set_result(f, VCPU_STATE_PSCI_SYSTEM_RESET, v->reset_data, 0, 0);
		return;
	}
	if (v->guest->exited && v->guest->exit_kills_vcpus) {
		guest_unlock();
		f->x[0] = GH_ERROR_OBJECT_STATE;
		return;
	}
	v->running = true;
	v->run_cpu = this_cpu_index();
	vcpu_timer_disarm(v);
	guest_unlock();
	if (!this_cpu()->gic_ready)
		hyp_gic_cpu_init();

	if (v->pending != VCPU_PENDING_NONE) {
		if (f->x[3] > 2) {
			f->x[0] = GH_ERROR_ARG_INVAL;
			goto out;
		}
		mmio_resume(v, f->x[2], f->x[3]);
	}

	for (;;) {
		if (v->guest->exited) {
			set_result(f, VCPU_STATE_POWERED_OFF, 1, 0, 0);
			break;
		}
		if (!__atomic_load_n(&v->on, __ATOMIC_ACQUIRE)) {
			set_result(f, VCPU_STATE_POWERED_OFF, 0, 0, 0);
			break;
		}
		if (v->on_pending) {
			/* The reset rewrites the whole context, FP/SIMD too. */
			if (loaded) {
				vcpu_put(v, cpu);
				loaded = false;
			}
			vcpu_take_cpu_on(v);
		}
		vtimer_check(v);
		if (v->in_wfi) {
			guest_lock();
			pending = vgic_has_pending(v->guest->vgic, v->index);
			guest_unlock();
			if (!pending) {
				u64 ctl = v->ctx.sys[SYS_CNTV_CTL];

				if ((ctl & (CNT_ENABLE | CNT_IMASK)) == CNT_ENABLE) {
					guest_lock();
					vcpu_timer_arm(v, v->ctx.sys[SYS_CNTV_CVAL]);
					guest_unlock();
				}
				set_result(f, VCPU_STATE_EXPECTS_WAKEUP, 0, 1, 0);
				break;
			}
			v->in_wfi = false;
		}

		/*
		 * Give the CPU back now and then, whatever the guest does, and
		 * at once when the host's tick is due.
		 */
		if (++handled > MAX_EXITS_PER_RUN || host_timer_due(cpu->index, loaded)) {
			set_result(f, VCPU_STATE_READY, 0, 0, 0);
			break;
		}
		guest_lock();
		vgic_flush_lrs(v->guest->vgic, v->index, v->ctx.ich_lr);
		guest_unlock();
		if (!loaded) {
			vcpu_load(v, cpu);
			loaded = true;
		}
		exit = run_guest(v, cpu, &esr, &far, &hpfar);
		guest_lock();
		vgic_sync_lrs(v->guest->vgic, v->index, v->ctx.ich_lr);
		guest_unlock();

		if (exit == EXIT_IRQ) {
			count_exit(VCPU_EXIT_IRQ);
			/* The guest's own timer, or an interrupt for the host. */
			if (vtimer_check(v))
				continue;
			set_result(f, VCPU_STATE_READY, 0, 0, 0);
			break;
		}
		if (exit == EXIT_FIQ) {
			count_exit(VCPU_EXIT_FIQ);
			/* The EL2 timer (a blocked vCPU's deadline or the host's), or a kick. */
			hyp_timer_fiq();
			if (host_timer_due(cpu->index, loaded)) {
				set_result(f, VCPU_STATE_READY, 0, 0, 0);
				break;
			}
			continue;
		}
		if (exit != EXIT_SYNC)
			continue;

		go_on = true;
		switch (ESR_EC(esr)) {
		case EC_HVC64:
			count_exit(VCPU_EXIT_SMCCC);
			go_on = guest_smccc(v, f);
			break;
		case EC_SMC64:
			count_exit(VCPU_EXIT_SMCCC);
			v->ctx.pc += 4;
			go_on = guest_smccc(v, f);
			break;
		case EC_WFX:
			count_exit(VCPU_EXIT_WFX);
			v->ctx.pc += 4;
			if (!(esr & 1))		/* WFI, not WFE */
				v->in_wfi = true;
			break;
		case EC_DABT_LOW:
			go_on = guest_dabt(v, f, esr, far, hpfar);
			break;
		case EC_SYSREG:
			count_exit(VCPU_EXIT_SYSREG);
			guest_sysreg(v, esr);
			break;
		case EC_IABT_LOW:
			if (guest_in_dp_range(v->guest, ((hpfar >> 4) << 12))) {
				count_exit(VCPU_EXIT_PAGE_FAULT);
				set_result(f, VCPU_STATE_PAGE_FAULT, (hpfar >> 4) << 12, 0, 0);
				go_on = false;
				break;
			}
			count_exit(VCPU_EXIT_OTHER);
			if (guest_may_log(v->guest))
				printf("VM %u vCPU %u: instruction fetch from IPA %lx, no memory\n",
				       v->guest->vmid, v->index,
				       ((hpfar >> 4) << 12) | (far & 0xfff));
			inject_sync(v, ((u64)0x21 << 26) | BIT(25) | 0x10, far);
			break;
		default:
			count_exit(VCPU_EXIT_OTHER);
			if (guest_may_log(v->guest))
				printf("VM %u vCPU %u: unhandled exit ESR %lx at PC %lx: undef\n",
				       v->guest->vmid, v->index, esr, v->ctx.pc);
			inject_undef(v);
			break;
		}
		if (!go_on)
			break;
	}
	if (loaded)
		vcpu_put(v, cpu);
out:
	fault_vcpu_exit_delay();
	guest_lock();
	v->running = false;
	guest_unlock();
}
