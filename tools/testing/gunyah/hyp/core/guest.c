// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gunyah test hypervisor: guest VMs, their stage-2 and their vCPUs.
 */
#include "bao_ipc.h"
#include "gic.h"
#include "guest.h"
#include "page_alloc.h"
#include "spinlock.h"

#define PSTATE_EL1H_MASKED	0x3c5
#define SCTLR_EL1_RESET		0x30d00800UL
#define CPACR_FP_ON		(3UL << 20)

static struct spinlock guest_spinlock;
static u64 hw_vmids_used = 1;	/* VMID 0 is the host's */

void guest_lock(void)
{
	spin_lock(&guest_spinlock);
}

void guest_unlock(void)
{
	spin_unlock(&guest_spinlock);
}

/* Reset a vCPU to the architectural entry state (MMU off, EL1h). */
void vcpu_reset(struct vcpu *v)
{
	memset(&v->ctx, 0, sizeof(v->ctx));
	v->ctx.pstate = PSTATE_EL1H_MASKED;
	v->ctx.sys[SYS_SCTLR] = SCTLR_EL1_RESET;
	v->ctx.sys[SYS_CPACR] = CPACR_FP_ON;
	/* MPIDR: bit 31 RES1, the affinity the guest DT gave the vCPU. */
	v->ctx.sys[SYS_VMPIDR] = BIT(31) | v->mpidr;
	v->pending = VCPU_PENDING_NONE;
	v->in_wfi = false;
	v->on_pending = false;
	v->reset_data = 0;
}

/**
 * guest_create() - a guest with its vCPUs, powered off
 * @vmid: its VMID
 * @nr_vcpus: number of vCPUs
 * @mpidr: each vCPU's affinity (MPIDR_AFF_MASK bits), distinct
 *
 * Return: the guest, or NULL.
 */
struct guest *guest_create(u16 vmid, u32 nr_vcpus, const u64 *mpidr)
{
	struct guest *g;
	u32 hw = 0;

	if (nr_vcpus > GUEST_MAX_VCPUS || sizeof(struct guest) > PAGE_SIZE ||
	    sizeof(struct vcpu) > PAGE_SIZE || sizeof(struct vgic) > PAGE_SIZE ||
	    GUEST_MAX_BELLS * sizeof(struct doorbell) > PAGE_SIZE ||
	    VGIC_MAX_SPIS * sizeof(struct vgic_irq) > PAGE_SIZE)
		return NULL;
	g = page_alloc();
	if (!g)
		return NULL;
	guest_lock();
	for (u32 i = 1; i < 64; i++) {
		if (!(hw_vmids_used & BIT(i))) {
			hw_vmids_used |= BIT(i);
			hw = i;
			break;
		}
	}
	guest_unlock();
	if (!hw) {
		page_free(g);
		return NULL;
	}
	g->vmid = vmid;
	g->hw_vmid = (u8)hw;
	g->log_budget = GUEST_LOG_LINES;
	g->vgic = page_alloc();
	g->vgic_spis = page_alloc();
	g->bell = page_alloc();
	if (!g->vgic || !g->vgic_spis || !g->bell) {
		guest_destroy(g);
		return NULL;
	}
	for (u32 i = 0; i < 4; i++) {
		g->extents[i].guest = g;
		g->extents[i].label = i;
	}
	for (u32 i = 0; i < nr_vcpus; i++) {
		struct vcpu *v = page_alloc();

		if (!v) {
			guest_destroy(g);
			return NULL;
		}
		v->guest = g;
		v->index = i;
		v->mpidr = mpidr[i] & MPIDR_AFF_MASK;
		vcpu_reset(v);
		g->vcpus[i] = v;
		g->nr_vcpus++;
	}
	guest_vgic_setup(g, GUEST_GICD_DEFAULT, GUEST_GICD_DEFAULT - nr_vcpus * VGIC_REDIST_STRIDE);
	return g;
}

/**
 * guest_vcpu_by_mpidr() - the vCPU with an affinity (PSCI's target_cpu)
 * @g: the guest
 * @mpidr: an MPIDR value; bits outside the affinity fields must be zero
 *
 * Return: the vCPU, or NULL.
 */
struct vcpu *guest_vcpu_by_mpidr(struct guest *g, u64 mpidr)
{
	if (mpidr & ~MPIDR_AFF_MASK)
		return NULL;
	for (u32 i = 0; i < g->nr_vcpus; i++)
		if (g->vcpus[i]->mpidr == mpidr)
			return g->vcpus[i];
	return NULL;
}

static void guest_vgic_acked(struct vgic *vg, u32 intid)
{
	struct guest *g = vg->ctx;

	doorbell_acked(g, intid);
}

/**
 * guest_vgic_setup() - the guest's virtual GIC in its reset state
 * @g: the guest, with its vCPUs
 * @dist_base: guest address of the distributor
 * @redist_base: guest address of the first redistributor
 *
 * Each vCPU's affinity is its MPIDR (VMPIDR_EL2).
 */
void guest_vgic_setup(struct guest *g, u64 dist_base, u64 redist_base)
{
	u64 mpidr[GUEST_MAX_VCPUS];

	for (u32 i = 0; i < g->nr_vcpus; i++)
		mpidr[i] = g->vcpus[i]->ctx.sys[SYS_VMPIDR];
	vgic_init(g->vgic, g->nr_vcpus, VGIC_MAX_SPIS, mpidr, dist_base, redist_base,
		  g->vgic_spis);
	g->vgic->acked = guest_vgic_acked;
	g->vgic->ctx = g;
}

/**
 * guest_vgic_kick() - make vCPUs notice interrupts that became pending
 * @g: the guest
 * @vcpus: bit mask of vCPUs
 *
 * A vCPU blocked in WFI gets its wake-up interrupt raised for the host; one
 * that runs on another physical CPU is made to exit by a kick, and lists
 * the interrupt at its next entry (as one on this CPU does anyway).
 * Called with guest_lock held.
 */
void guest_vgic_kick(struct guest *g, u32 vcpus)
{
	for (u32 i = 0; i < g->nr_vcpus; i++) {
		struct vcpu *v = g->vcpus[i];

		if (!(vcpus & BIT(i)))
			continue;
		if (v->in_wfi)
			gic_raise_host_spi(v->wake_virq);
		else if (v->running && v->run_cpu != this_cpu_index())
			vcpu_kick_cpu(v->run_cpu);
	}
}

/**
 * guest_vgic_line() - drive the line of one of the guest's SPIs
 * @g: the guest
 * @intid: the SPI
 * @level: its new level
 *
 * Called with guest_lock held.
 */
void guest_vgic_line(struct guest *g, u32 intid, bool level)
{
	guest_vgic_kick(g, vgic_set_line(g->vgic, 0, intid, level));
}

/**
 * guest_vgic_pulse() - an edge on one of the guest's SPIs
 * @g: the guest
 * @intid: the SPI
 *
 * Called with guest_lock held.
 */
void guest_vgic_pulse(struct guest *g, u32 intid)
{
	guest_vgic_kick(g, vgic_pulse(g->vgic, 0, intid));
}

/**
 * guest_may_log() - whether a line about the guest's faults may be printed
 * @g: the guest
 *
 * A guest that loops on its faults would otherwise print on every exit, and
 * the console is slow: after GUEST_LOG_LINES lines it says no more.
 *
 * Return: true while the guest's budget of lines lasts.
 */
bool guest_may_log(struct guest *g)
{
	u32 left = __atomic_load_n(&g->log_budget, __ATOMIC_RELAXED);

	if (!left)
		return false;
	__atomic_store_n(&g->log_budget, left - 1, __ATOMIC_RELAXED);
	if (left == 1)
		printf("VM %u: further messages about its faults suppressed\n", g->vmid);
	return left > 1;
}

bool guest_in_dp_range(const struct guest *g, u64 ipa)
{
	for (u32 i = 0; i < g->n_dp; i++)
		if (ipa >= g->dp[i].base && ipa - g->dp[i].base < g->dp[i].size)
			return true;
	return false;
}

void guest_tlb_flush(struct guest *g)
{
	u64 saved = read_sysreg(vttbr_el2);

	/* TLB maintenance by VMID: switch VTTBR to the guest's for a moment. */
	write_sysreg((u64)g->s2.root | ((u64)g->hw_vmid << 48), vttbr_el2);
	asm volatile("isb; dsb ishst; tlbi vmalls12e1is; dsb ish; isb" : : : "memory");
	write_sysreg(saved, vttbr_el2);
	isb();
	g->tlb_stale = false;
}

/* Complete the TLB invalidation left by unmaps with NOSYNC, if any. */
void guest_tlb_sync(struct guest *g)
{
	if (!g->tlb_stale)
		return;
	guest_tlb_flush(g);
	g->tlb_stale = false;
}

void guest_destroy(struct guest *g)
{
	bao_ipc_detach(g);
	for (u32 i = 0; i < g->nr_vcpus; i++) {
		vcpu_forget(g->vcpus[i]);
		page_free(g->vcpus[i]);
	}
	if (g->vgic)
		page_free(g->vgic);
	if (g->vgic_spis)
		page_free(g->vgic_spis);
	if (g->bell)
		page_free(g->bell);
	if (g->s2.root) {
		guest_tlb_flush(g);
		pgtable_destroy(&g->s2);
	}
	guest_lock();
	hw_vmids_used &= ~BIT(g->hw_vmid);
	guest_unlock();
	page_free(g);
}

int guest_map(struct guest *g, u64 ipa, u64 pa, u64 size, u64 attr)
{
	int ret;

	if (!g->s2.root) {
		ret = pgtable_init(&g->s2, &hyp_pgtable_ops);
		if (ret)
			return ret;
	}
	return pgtable_map(&g->s2, ipa, pa, size, attr);
}

void guest_start(struct guest *g, u64 pc, const u64 *x, u32 nr_x, u64 sp_el1)
{
	struct vcpu *boot = g->vcpus[0];

	if (!g->s2.root && pgtable_init(&g->s2, &hyp_pgtable_ops))
		panic("no memory for a guest stage-2\n");
	boot->ctx.pc = pc;
	for (u32 i = 0; i < nr_x && i < 31; i++)
		boot->ctx.x[i] = x[i];
	boot->ctx.sys[SYS_SP_EL1] = sp_el1;
	boot->on = true;
	g->started = true;
	guest_tlb_flush(g);
}

/*
 * The VM stops (forced stop, or a guest power-off/reset): wake every vCPU
 * but @self, the one that powered it off (NULL for a forced stop).  Real
 * Gunyah raises the wake-up interrupt of the vCPUs it kills, not of the
 * caller of SYSTEM_OFF, which just powers itself off.
 */
void guest_stop(struct guest *g, const struct vcpu *self)
{
	g->exited = true;
	for (u32 i = 0; i < g->nr_vcpus; i++)
		if (g->vcpus[i] != self)
			gic_raise_host_spi(g->vcpus[i]->wake_virq);
}
