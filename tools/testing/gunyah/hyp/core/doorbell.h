/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Gunyah test hypervisor: doorbells.
 *
 * A doorbell is a 64-bit flags word with an enable mask and an ack mask,
 * bound to an interrupt of its receiver (an SPI of a guest).  bell_send
 * ORs flags in; while (flags & enable_mask) is non-zero the interrupt is
 * asserted (an edge-triggered one is pulsed on every send), and when it is
 * delivered the flags in ack_mask are cleared.  For a level-triggered
 * doorbell "delivered" means acknowledged by the guest, so that the line
 * stays high until the guest has taken the interrupt.
 */
#ifndef HYP_DOORBELL_H
#define HYP_DOORBELL_H

#include "hyp.h"

struct guest;

struct doorbell {
	struct guest *guest;	/* the receiver */
	u32 intid;		/* its SPI; 0 if the doorbell raises nothing */
	bool level;
	u64 flags;
	u64 enable_mask;
	u64 ack_mask;
};

void doorbell_init(struct doorbell *b, struct guest *g, u32 intid, bool level);
void doorbell_acked(struct guest *g, u32 intid);
void doorbell_hypercall(struct trap_frame *f, unsigned int nr);

#endif
