// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gunyah test hypervisor: the virtual GICv3 of a guest, as a model (see
 * vgic.h).  The guest sees one security state (GICD_CTLR.DS = 1), affinity
 * routing, no LPIs; the distributor and one redistributor per vCPU sit
 * where the guest's device tree puts them.
 */
#include "vgic.h"

#define GICD_CTLR		0x0000
#define GICD_TYPER		0x0004
#define GICD_IIDR		0x0008
#define GICD_IGROUPR		0x0080
#define GICD_ISENABLER		0x0100
#define GICD_ICENABLER		0x0180
#define GICD_ISPENDR		0x0200
#define GICD_ICPENDR		0x0280
#define GICD_ISACTIVER		0x0300
#define GICD_ICACTIVER		0x0380
#define GICD_IPRIORITYR		0x0400
#define GICD_ICFGR		0x0c00
#define GICD_IROUTER		0x6000
#define GICD_PIDR2		0xffe8

#define GICD_CTLR_EN_GRP0	BIT(0)
#define GICD_CTLR_EN_GRP1	BIT(1)
#define GICD_CTLR_ARE		BIT(4)
#define GICD_CTLR_DS		BIT(6)

#define GICR_CTLR		0x0000
#define GICR_IIDR		0x0004
#define GICR_TYPER		0x0008
#define GICR_WAKER		0x0014
#define GICR_PIDR2		0xffe8
#define GICR_SGI		0x10000

#define GICR_WAKER_SLEEP	BIT(1)
#define GICR_WAKER_ASLEEP	BIT(2)

#define VGIC_IIDR		0x0000043b	/* Arm as implementer, revision 0 */
#define VGIC_PIDR2		0x30		/* GICv3 */
#define IROUTER_IRM		BIT_ULL(31)

/* Aff3.Aff2.Aff1.Aff0 of an MPIDR or IROUTER value, a byte each. */
static uint32_t aff_of(uint64_t mpidr)
{
	return (uint32_t)((mpidr >> 32 & 0xff) << 24 | (mpidr & 0xffffff));
}

/* ... and back to the MPIDR/IROUTER layout. */
static uint64_t aff_to_reg(uint32_t aff)
{
	return (uint64_t)(aff >> 24) << 32 | (aff & 0xffffff);
}

static struct vgic_irq *vgic_irq(struct vgic *vg, uint32_t vcpu, uint32_t intid)
{
	if (intid < VGIC_NR_PRIVATE)
		return vcpu < vg->nr_vcpus ? &vg->cpu[vcpu].priv[intid] : 0;
	if (intid - VGIC_NR_PRIVATE < vg->nr_spis)
		return &vg->spi[intid - VGIC_NR_PRIVATE];
	return 0;
}

/**
 * vgic_init() - a virtual GIC in its reset state
 * @vg: the model
 * @nr_vcpus: number of vCPUs (redistributors)
 * @nr_spis: number of SPIs, a multiple of 32, at most VGIC_MAX_SPIS
 * @mpidr: each vCPU's affinity (MPIDR layout)
 * @dist_base: guest address of the distributor
 * @redist_base: guest address of the first redistributor
 * @spi: storage for @nr_spis interrupts
 */
void vgic_init(struct vgic *vg, uint32_t nr_vcpus, uint32_t nr_spis, const uint64_t *mpidr,
	       uint64_t dist_base, uint64_t redist_base, struct vgic_irq *spi)
{
	*vg = (struct vgic){
		.nr_vcpus = nr_vcpus > VGIC_MAX_VCPUS ? VGIC_MAX_VCPUS : nr_vcpus,
		.nr_spis = nr_spis > VGIC_MAX_SPIS ? VGIC_MAX_SPIS : nr_spis & ~31U,
		.dist_base = dist_base,
		.redist_base = redist_base,
		.spi = spi,
	};
	for (uint32_t i = 0; i < vg->nr_spis; i++)
		spi[i] = (struct vgic_irq){ 0 };
	for (uint32_t c = 0; c < vg->nr_vcpus; c++) {
		vg->cpu[c].aff = aff_of(mpidr[c]);
		vg->cpu[c].asleep = true;
		/*
		 * SGIs: edge-triggered, and disabled like every interrupt
		 * (Gunyah's vGIC starts them so; a guest enables its IPIs).
		 */
		for (uint32_t i = 0; i < 16; i++)
			vg->cpu[c].priv[i].edge = true;
	}
}

static bool irq_pending(const struct vgic_irq *irq)
{
	return irq->latch || (!irq->edge && irq->line);
}

/*
 * SPI @intid may now be pending or active: the scans of vgic_has_pending()
 * and vgic_flush_lrs() visit it (they forget it again once it is neither).
 */
static void spi_live(struct vgic *vg, uint32_t intid)
{
	if (intid >= VGIC_NR_PRIVATE && intid - VGIC_NR_PRIVATE < vg->nr_spis)
		vg->spi_live[(intid - VGIC_NR_PRIVATE) / 32] |= 1U << (intid % 32);
}

/* The next live SPI from @intid on (clearing the dead ones), or 0. */
static uint32_t spi_next_live(struct vgic *vg, uint32_t intid)
{
	for (uint32_t w = (intid - VGIC_NR_PRIVATE) / 32; w < vg->nr_spis / 32; w++) {
		uint32_t bits = vg->spi_live[w] & (w == (intid - VGIC_NR_PRIVATE) / 32 ?
						   ~0U << (intid % 32) : ~0U);

		while (bits) {
			uint32_t b = __builtin_ctz(bits), id = VGIC_NR_PRIVATE + 32 * w + b;
			struct vgic_irq *irq = &vg->spi[id - VGIC_NR_PRIVATE];

			if (irq->active || irq->latch || (!irq->edge && irq->line))
				return id;
			vg->spi_live[w] &= ~(1U << b);
			bits &= bits - 1;
		}
	}
	return 0;
}

/* Latch @irq; an edge that comes while it is listed survives the sync. */
static void irq_latch(struct vgic_irq *irq)
{
	irq->latch = true;
	if (irq->listed)
		irq->relatch = true;
}

/**
 * vgic_target() - the vCPU an interrupt goes to
 * @vg: the model
 * @intid: an SPI
 *
 * Return: the vCPU whose affinity IROUTER names (the first one for 1-of-N
 * routing), or VGIC_MAX_VCPUS if none does.
 */
uint32_t vgic_target(const struct vgic *vg, uint32_t intid)
{
	const struct vgic_irq *irq;

	if (intid < VGIC_NR_PRIVATE || intid - VGIC_NR_PRIVATE >= vg->nr_spis)
		return VGIC_MAX_VCPUS;
	irq = &vg->spi[intid - VGIC_NR_PRIVATE];
	if (irq->irm)
		return 0;
	for (uint32_t c = 0; c < vg->nr_vcpus; c++)
		if (vg->cpu[c].aff == irq->route)
			return c;
	return VGIC_MAX_VCPUS;
}

static bool irq_deliverable(const struct vgic *vg, const struct vgic_irq *irq)
{
	uint32_t grp = irq->group1 ? GICD_CTLR_EN_GRP1 : GICD_CTLR_EN_GRP0;

	return irq_pending(irq) && irq->enabled && (vg->ctlr & grp);
}

/* The vCPUs (bit mask) for which interrupt @intid is now deliverable. */
static uint32_t irq_kick(struct vgic *vg, uint32_t vcpu, uint32_t intid)
{
	struct vgic_irq *irq = vgic_irq(vg, vcpu, intid);
	uint32_t t = intid < VGIC_NR_PRIVATE ? vcpu : vgic_target(vg, intid);

	if (!irq || t >= vg->nr_vcpus || !irq_deliverable(vg, irq))
		return 0;
	return 1U << t;
}

/**
 * vgic_set_line() - drive the input line of an interrupt
 * @vg: the model
 * @vcpu: for SGIs and PPIs, whose
 * @intid: the interrupt
 * @level: the new level
 *
 * A rising edge latches an edge-triggered interrupt; a level-sensitive one
 * is pending for as long as its line is high.
 *
 * Return: the vCPUs (bit mask) that now have it to take.
 */
uint32_t vgic_set_line(struct vgic *vg, uint32_t vcpu, uint32_t intid, bool level)
{
	struct vgic_irq *irq = vgic_irq(vg, vcpu, intid);

	if (!irq)
		return 0;
	if (irq->edge && level && !irq->line)
		irq_latch(irq);
	irq->line = level;
	if (level)
		spi_live(vg, intid);
	return irq_kick(vg, vcpu, intid);
}

/**
 * vgic_pulse() - make an interrupt pending once, whatever its configuration
 * @vg: the model
 * @vcpu: for SGIs and PPIs, whose
 * @intid: the interrupt
 *
 * Return: the vCPUs (bit mask) that now have it to take.
 */
uint32_t vgic_pulse(struct vgic *vg, uint32_t vcpu, uint32_t intid)
{
	struct vgic_irq *irq = vgic_irq(vg, vcpu, intid);

	if (!irq)
		return 0;
	irq_latch(irq);
	spi_live(vg, intid);
	return irq_kick(vg, vcpu, intid);
}

/**
 * vgic_send_sgi() - a guest's write to ICC_SGI1R_EL1
 * @vg: the model
 * @from: the writing vCPU
 * @sgi1r: the value written
 *
 * Return: the vCPUs (bit mask) that got the SGI to take.
 */
uint32_t vgic_send_sgi(struct vgic *vg, uint32_t from, uint64_t sgi1r)
{
	uint32_t intid = (sgi1r >> 24) & 0xf, kick = 0;
	bool all = sgi1r & (1ULL << 40);
	/* Aff3.Aff2.Aff1 of the targets, Aff0 from the target list */
	uint32_t aff = (uint32_t)((sgi1r >> 16) & 0xff) << 8 |
		       (uint32_t)((sgi1r >> 32) & 0xff) << 16 |
		       (uint32_t)((sgi1r >> 48) & 0xff) << 24;
	uint32_t rs = (sgi1r >> 44) & 0xf;

	for (uint32_t c = 0; c < vg->nr_vcpus; c++) {
		uint32_t a = vg->cpu[c].aff, aff0 = a & 0xff;

		if (all) {
			if (c == from)
				continue;
		} else if ((a & ~0xffU) != aff || aff0 / 16 != rs ||
			   !(sgi1r & (1U << (aff0 % 16)))) {
			continue;
		}
		kick |= vgic_pulse(vg, c, intid);
	}
	return kick;
}

/**
 * vgic_has_pending() - whether a vCPU has an interrupt to take
 * @vg: the model
 * @vcpu: the vCPU
 *
 * Return: true if an enabled interrupt is pending for @vcpu (a reason to
 * leave WFI).
 */
bool vgic_has_pending(struct vgic *vg, uint32_t vcpu)
{
	for (uint32_t i = 0; i < VGIC_NR_PRIVATE; i++)
		if (irq_deliverable(vg, &vg->cpu[vcpu].priv[i]))
			return true;
	for (uint32_t id = spi_next_live(vg, VGIC_NR_PRIVATE); id; id = spi_next_live(vg, id + 1))
		if (irq_deliverable(vg, &vg->spi[id - VGIC_NR_PRIVATE]) &&
		    vgic_target(vg, id) == vcpu)
			return true;
	return false;
}

/* Whether @a goes into a list register before @b. */
static bool lr_before(const struct vgic_irq *a, uint32_t ia, const struct vgic_irq *b,
		      uint32_t ib)
{
	if (a->active != b->active)
		return a->active;
	if (a->priority != b->priority)
		return a->priority < b->priority;
	return ia < ib;
}

/**
 * vgic_flush_lrs() - fill a vCPU's list registers before it runs
 * @vg: the model
 * @vcpu: the vCPU
 * @lr: its VGIC_NR_LRS list registers, all free (see vgic_sync_lrs())
 *
 * Active interrupts go first (the guest must be able to end them), then
 * pending enabled ones by priority, then by INTID.
 *
 * Return: true if more interrupts are waiting than fit.
 */
bool vgic_flush_lrs(struct vgic *vg, uint32_t vcpu, uint64_t *lr)
{
	struct vgic_cpu *cpu = &vg->cpu[vcpu];
	struct vgic_irq *best[VGIC_NR_LRS];
	uint32_t best_id[VGIC_NR_LRS], n = 0;
	bool more = false;

	for (uint32_t id = 0; id < VGIC_NR_PRIVATE + vg->nr_spis; id++) {
		struct vgic_irq *irq;
		uint32_t pos;

		/* Past the private interrupts, only the SPIs that may be live. */
		if (id >= VGIC_NR_PRIVATE) {
			id = spi_next_live(vg, id);
			if (!id)
				break;
		}
		irq = vgic_irq(vg, vcpu, id);

		if (!irq->active && !irq_deliverable(vg, irq))
			continue;
		if (id >= VGIC_NR_PRIVATE && vgic_target(vg, id) != vcpu)
			continue;
		/* Insertion into the sorted best-of list. */
		for (pos = n; pos > 0 && lr_before(irq, id, best[pos - 1], best_id[pos - 1]); pos--)
			;
		if (pos == VGIC_NR_LRS) {
			more = true;
			continue;
		}
		if (n == VGIC_NR_LRS)
			more = true;
		else
			n++;
		for (uint32_t j = n - 1; j > pos; j--) {
			best[j] = best[j - 1];
			best_id[j] = best_id[j - 1];
		}
		best[pos] = irq;
		best_id[pos] = id;
	}
	for (uint32_t i = 0; i < VGIC_NR_LRS; i++) {
		lr[i] = 0;
		cpu->lr_intid[i] = 0;
		if (i >= n)
			continue;
		cpu->lr_pending[i] = irq_deliverable(vg, best[i]);
		lr[i] = best_id[i] | (best[i]->group1 ? VGIC_LR_GROUP1 : 0) |
			(uint64_t)best[i]->priority << VGIC_LR_PRIO_SHIFT |
			(cpu->lr_pending[i] ? VGIC_LR_STATE_PENDING : 0) |
			(best[i]->active ? VGIC_LR_STATE_ACTIVE : 0);
		best[i]->listed = true;
		cpu->lr_intid[i] = best_id[i] ? best_id[i] : 1U << 31;
	}
	return more;
}

/**
 * vgic_sync_lrs() - take a vCPU's list registers back after it ran
 * @vg: the model
 * @vcpu: the vCPU
 * @lr: the list registers as the guest left them
 *
 * An interrupt the guest acknowledged is no longer latched; a
 * level-sensitive one it ended is pending again if its line is still high.
 * Edges that came while it was listed are kept.
 */
void vgic_sync_lrs(struct vgic *vg, uint32_t vcpu, const uint64_t *lr)
{
	struct vgic_cpu *cpu = &vg->cpu[vcpu];

	for (uint32_t i = 0; i < VGIC_NR_LRS; i++) {
		uint32_t id = cpu->lr_intid[i] & ~(1U << 31);
		struct vgic_irq *irq;
		uint64_t state = lr[i] & VGIC_LR_STATE_MASK;

		if (!cpu->lr_intid[i])
			continue;
		cpu->lr_intid[i] = 0;
		irq = vgic_irq(vg, vcpu, id);
		if (!irq)
			continue;
		irq->active = state & VGIC_LR_STATE_ACTIVE;
		irq->listed = false;
		if (cpu->lr_pending[i] && !(state & VGIC_LR_STATE_PENDING)) {
			/* Acknowledged: the latch is spent, unless it was set again. */
			irq->latch = irq->relatch;
			if (id >= VGIC_NR_PRIVATE && vg->acked)
				vg->acked(vg, id);
		}
		irq->relatch = false;
	}
}

/* Read or write (@wr) 32 bits of a bitmap register covering INTIDs from @first. */
static uint32_t bits_access(struct vgic *vg, uint32_t vcpu, uint32_t first, uint32_t reg,
			    bool wr, uint32_t v, uint32_t *kick)
{
	uint32_t r = 0;

	for (uint32_t b = 0; b < 32; b++) {
		struct vgic_irq *irq = vgic_irq(vg, vcpu, first + b);
		bool set = v & (1U << b);

		if (!irq)
			continue;
		switch (reg) {
		case GICD_IGROUPR:
			if (wr)
				irq->group1 = set;
			r |= (uint32_t)irq->group1 << b;
			break;
		case GICD_ISENABLER:
		case GICD_ICENABLER:
			if (wr && set)
				irq->enabled = reg == GICD_ISENABLER;
			r |= (uint32_t)irq->enabled << b;
			break;
		case GICD_ISPENDR:
		case GICD_ICPENDR:
			if (wr && set && reg == GICD_ISPENDR) {
				irq_latch(irq);
				spi_live(vg, first + b);
			} else if (wr && set) {
				irq->latch = false;
			}
			r |= (uint32_t)irq_pending(irq) << b;
			break;
		case GICD_ISACTIVER:
		case GICD_ICACTIVER:
			if (wr && set)
				irq->active = reg == GICD_ISACTIVER;
			if (wr && set && irq->active)
				spi_live(vg, first + b);
			r |= (uint32_t)irq->active << b;
			break;
		}
		if (wr && set)
			*kick |= irq_kick(vg, vcpu, first + b);
	}
	return r;
}

/* Registers of the distributor and of an SGI_base frame that share a layout. */
static uint64_t irq_regs(struct vgic *vg, uint32_t vcpu, uint32_t off, uint32_t base,
			 bool wr, uint32_t size, uint64_t v, uint32_t *kick)
{
	uint32_t first;

	if (off >= GICD_IGROUPR && off < GICD_IPRIORITYR && size == 4) {
		uint32_t reg = off & ~0x7fU;

		first = base + (off & 0x7f) * 8;
		if (reg == GICD_IGROUPR || reg == GICD_ISENABLER || reg == GICD_ICENABLER ||
		    reg == GICD_ISPENDR || reg == GICD_ICPENDR || reg == GICD_ISACTIVER ||
		    reg == GICD_ICACTIVER)
			return bits_access(vg, vcpu, first, reg, wr, (uint32_t)v, kick);
		return 0;
	}
	if (off >= GICD_IPRIORITYR && off < GICD_IPRIORITYR + 0x400 && (size == 1 || size == 4)) {
		uint64_t r = 0;

		first = base + off - GICD_IPRIORITYR;
		for (uint32_t i = 0; i < size; i++) {
			struct vgic_irq *irq = vgic_irq(vg, vcpu, first + i);

			if (!irq)
				continue;
			if (wr)
				irq->priority = v >> (8 * i);
			r |= (uint64_t)irq->priority << (8 * i);
		}
		return r;
	}
	if (off >= GICD_ICFGR && off < GICD_ICFGR + 0x100 && size == 4) {
		uint32_t r = 0;

		first = base + (off - GICD_ICFGR) * 4;
		for (uint32_t i = 0; i < 16; i++) {
			struct vgic_irq *irq = vgic_irq(vg, vcpu, first + i);

			if (!irq)
				continue;
			if (wr && first + i >= 16)	/* SGIs are always edge */
				irq->edge = v & (2U << (2 * i));
			r |= (uint32_t)irq->edge << (2 * i + 1);
		}
		return r;
	}
	return 0;
}

static uint64_t dist_access(struct vgic *vg, uint32_t vcpu, uint32_t off, bool wr,
			    uint32_t size, uint64_t v, uint32_t *kick)
{
	switch (off) {
	case GICD_CTLR:
		if (wr) {
			vg->ctlr = v & (GICD_CTLR_EN_GRP0 | GICD_CTLR_EN_GRP1);
			for (uint32_t c = 0; c < vg->nr_vcpus; c++)
				if (vgic_has_pending(vg, c))
					*kick |= 1U << c;
		}
		return vg->ctlr | GICD_CTLR_ARE | GICD_CTLR_DS;
	case GICD_TYPER:
		/* ITLinesNumber, CPUNumber, IDbits = 10 */
		return ((vg->nr_spis + VGIC_NR_PRIVATE) / 32 - 1) |
		       (vg->nr_vcpus - 1) << 5 | 9U << 19;
	case GICD_IIDR:
		return VGIC_IIDR;
	case GICD_PIDR2:
		return VGIC_PIDR2;
	}
	if (off >= GICD_IROUTER + 8 * VGIC_NR_PRIVATE && off < GICD_IROUTER + 8 * 1024) {
		uint32_t intid = (off - GICD_IROUTER) / 8;
		struct vgic_irq *irq = vgic_irq(vg, vcpu, intid);
		bool hi = off & 4;

		uint64_t route;

		if (!irq || (size != 8 && size != 4))
			return 0;
		route = aff_to_reg(irq->route) | (irq->irm ? IROUTER_IRM : 0);
		if (wr) {
			uint64_t mask = size == 8 ? ~0ULL : 0xffffffffULL << (hi ? 32 : 0);

			v = size == 8 ? v : v << (hi ? 32 : 0);
			route = (route & ~mask) | (v & mask);
			irq->route = aff_of(route);
			irq->irm = route & IROUTER_IRM;
			*kick |= irq_kick(vg, vcpu, intid);
		}
		return size == 8 ? route : (uint32_t)(route >> (hi ? 32 : 0));
	}
	/* With affinity routing, the private interrupts' bits here read as zero. */
	if (off < GICD_IROUTER && ((off >= GICD_IGROUPR && off < GICD_IGROUPR + 0x400 &&
				    (off & 0x7f) < 4) ||
				   (off >= GICD_IPRIORITYR && off < GICD_IPRIORITYR + 32) ||
				   (off >= GICD_ICFGR && off < GICD_ICFGR + 8)))
		return 0;
	return irq_regs(vg, vcpu, off, 0, wr, size, v, kick);
}

static uint64_t redist_access(struct vgic *vg, uint32_t rd, uint32_t off, bool wr,
			      uint32_t size, uint64_t v, uint32_t *kick)
{
	struct vgic_cpu *cpu = &vg->cpu[rd];
	uint64_t typer;

	if (off >= GICR_SGI) {
		off -= GICR_SGI;
		/* One register of each bitmap and ICFGR0/1: INTIDs 0-31 only. */
		if (off >= GICD_IGROUPR && off < GICD_IPRIORITYR && (off & 0x7f))
			return 0;
		if (off >= GICD_ICFGR + 8 || (off >= GICD_IPRIORITYR + 32 && off < GICD_ICFGR))
			return 0;
		return irq_regs(vg, rd, off, 0, wr, size, v, kick);
	}
	typer = (uint64_t)rd << 8 | (rd == vg->nr_vcpus - 1 ? 1U << 4 : 0) |
		(uint64_t)cpu->aff << 32;
	switch (off) {
	case GICR_IIDR:
		return VGIC_IIDR;
	case GICR_TYPER:
		return size == 8 ? typer : (uint32_t)typer;
	case GICR_TYPER + 4:
		return typer >> 32;
	case GICR_WAKER:
		if (wr)
			cpu->asleep = v & GICR_WAKER_SLEEP;
		return cpu->asleep ? GICR_WAKER_SLEEP | GICR_WAKER_ASLEEP : 0;
	case GICR_PIDR2:
		return VGIC_PIDR2;
	}
	return 0;	/* GICR_CTLR and the rest: RAZ/WI */
}

/**
 * vgic_is_mmio() - whether a guest address is one of the virtual GIC's frames
 * @vg: the model
 * @ipa: guest physical address
 *
 * Return: true for the distributor and the redistributors.
 */
bool vgic_is_mmio(const struct vgic *vg, uint64_t ipa)
{
	return (ipa - vg->dist_base < VGIC_DIST_SIZE) ||
	       (ipa - vg->redist_base < (uint64_t)vg->nr_vcpus * VGIC_REDIST_STRIDE);
}

/**
 * vgic_mmio() - emulate a guest access to the virtual GIC
 * @vg: the model
 * @vcpu: the accessing vCPU
 * @ipa: the address, within vgic_is_mmio()
 * @write: a write
 * @size: 1, 2, 4 or 8 bytes
 * @val: the value written, or where the value read goes
 *
 * Unknown registers and unsupported access sizes read as zero and ignore
 * writes, as the architecture allows for reserved locations.
 *
 * Return: the vCPUs (bit mask) that now have an interrupt to take.
 */
uint32_t vgic_mmio(struct vgic *vg, uint32_t vcpu, uint64_t ipa, bool write, uint32_t size,
		   uint64_t *val)
{
	uint64_t v = write ? *val : 0, r;
	uint32_t kick = 0;

	if (ipa & (size - 1)) {
		r = 0;	/* unaligned: RAZ/WI */
	} else if (ipa - vg->dist_base < VGIC_DIST_SIZE) {
		r = dist_access(vg, vcpu, ipa - vg->dist_base, write, size, v, &kick);
	} else {
		uint64_t off = ipa - vg->redist_base;

		r = redist_access(vg, off / VGIC_REDIST_STRIDE, off % VGIC_REDIST_STRIDE, write,
				  size, v, &kick);
	}
	if (!write)
		*val = size == 8 ? r : r & ((1ULL << (8 * size)) - 1);
	return kick;
}
