/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Gunyah test hypervisor: the virtual GICv3 of a guest, as a model.
 *
 * The state of every interrupt a guest can see (its SGIs and PPIs per
 * vCPU, its SPIs), the distributor and redistributor registers decoded
 * from the guest's MMIO, and the choice of what goes into the list
 * registers.  Pure logic: no hardware access and no locking (the caller
 * serialises), so that the build host's unit tests run it as it is.
 *
 * An interrupt is pending when its latch is set (an edge, a write to
 * ISPENDR, an SGI) or, if level-sensitive, while its line is high.  The
 * list registers hold the highest-priority pending-and-enabled interrupts
 * of a vCPU, active ones first; their state is folded back into the model
 * at every exit from the guest, and what did not fit is listed on a later
 * entry (the hypervisor forces an exit when it has to).
 */
#ifndef HYP_VGIC_H
#define HYP_VGIC_H

#include <stdbool.h>
#include <stdint.h>

#include "compiler.h"

#define VGIC_MAX_VCPUS		8
#define VGIC_NR_PRIVATE		32
#define VGIC_MAX_SPIS		256	/* INTIDs 32..287 */
#define VGIC_NR_LRS		4

#define VGIC_DIST_SIZE		0x10000
#define VGIC_REDIST_STRIDE	0x20000	/* RD_base and SGI_base frames */

/* ICH_LR<n>_EL2 fields */
#define VGIC_LR_STATE_PENDING	BIT_ULL(62)
#define VGIC_LR_STATE_ACTIVE	(2ULL << 62)
#define VGIC_LR_STATE_MASK	(3ULL << 62)
#define VGIC_LR_GROUP1		BIT_ULL(60)
#define VGIC_LR_PRIO_SHIFT	48

/* 8 bytes, so that 256 SPIs fit in a page. */
struct vgic_irq {
	uint8_t priority;
	bool enabled:1;
	bool latch:1;		/* pending by edge, ISPENDR or SGI */
	bool line:1;		/* input level (level-sensitive interrupts) */
	bool active:1;
	bool edge:1;		/* ICFGR: edge-triggered */
	bool group1:1;
	bool listed:1;		/* in one of its vCPU's list registers */
	bool relatch:1;		/* latched again while listed */
	bool irm:1;		/* SPIs: IROUTER.Interrupt_Routing_Mode (1 of N) */
	uint32_t route;		/* SPIs: IROUTER's Aff3.Aff2.Aff1.Aff0, a byte each */
};

struct vgic_cpu {
	struct vgic_irq priv[VGIC_NR_PRIVATE];
	uint32_t aff;		/* Aff3.Aff2.Aff1.Aff0 as the guest's DT gives them */
	bool asleep;		/* GICR_WAKER.ProcessorSleep */
	uint32_t lr_intid[VGIC_NR_LRS];	/* what each list register holds, 0 = free */
	bool lr_pending[VGIC_NR_LRS];	/* ... and whether it was listed pending */
};

struct vgic {
	uint32_t nr_vcpus;
	uint32_t nr_spis;
	uint32_t ctlr;		/* GICD_CTLR: EnableGrp0/1; ARE and DS read as 1 */
	uint64_t dist_base;
	uint64_t redist_base;
	struct vgic_irq *spi;	/* nr_spis of them, storage from vgic_init()'s caller */
	/* SPIs that may be pending or active (a bit each): what the scans visit */
	uint32_t spi_live[VGIC_MAX_SPIS / 32];
	/* Called when the guest acknowledges an SPI (the doorbells' ack mask). */
	void (*acked)(struct vgic *vg, uint32_t intid);
	void *ctx;		/* for @acked */
	struct vgic_cpu cpu[VGIC_MAX_VCPUS];
};

void vgic_init(struct vgic *vg, uint32_t nr_vcpus, uint32_t nr_spis, const uint64_t *mpidr,
	       uint64_t dist_base, uint64_t redist_base, struct vgic_irq *spi);
bool vgic_is_mmio(const struct vgic *vg, uint64_t ipa);
uint32_t vgic_mmio(struct vgic *vg, uint32_t vcpu, uint64_t ipa, bool write, uint32_t size,
		   uint64_t *val);
uint32_t vgic_set_line(struct vgic *vg, uint32_t vcpu, uint32_t intid, bool level);
uint32_t vgic_pulse(struct vgic *vg, uint32_t vcpu, uint32_t intid);
uint32_t vgic_send_sgi(struct vgic *vg, uint32_t from, uint64_t sgi1r);
bool vgic_has_pending(struct vgic *vg, uint32_t vcpu);
bool vgic_flush_lrs(struct vgic *vg, uint32_t vcpu, uint64_t *lr);
void vgic_sync_lrs(struct vgic *vg, uint32_t vcpu, const uint64_t *lr);
uint32_t vgic_target(const struct vgic *vg, uint32_t intid);

#endif
