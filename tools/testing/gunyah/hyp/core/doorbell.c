// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gunyah test hypervisor: doorbells (see doorbell.h) and their hypercalls,
 * bell_send and bell_set_mask.
 */
#include "cspace.h"
#include "doorbell.h"
#include "guest.h"
#include "hypercalls.h"

/**
 * doorbell_init() - a doorbell in its reset state
 * @b: the doorbell
 * @g: the guest that receives it
 * @intid: the guest's SPI it raises, or 0
 * @level: the SPI is level-triggered
 */
void doorbell_init(struct doorbell *b, struct guest *g, u32 intid, bool level)
{
	*b = (struct doorbell){
		.guest = g, .intid = intid, .level = level, .enable_mask = ~0ULL,
	};
}

/* Drive the receiver's interrupt from the flags; under guest_lock. */
static void doorbell_update(struct doorbell *b, bool sent)
{
	bool assert = b->flags & b->enable_mask;

	if (!b->intid)
		return;
	if (b->level) {
		guest_vgic_line(b->guest, b->intid, assert);
	} else if (assert && sent) {
		guest_vgic_pulse(b->guest, b->intid);
		b->flags &= ~b->ack_mask;	/* delivered */
	}
}

/**
 * doorbell_acked() - the guest acknowledged an SPI (from the vGIC)
 * @g: the guest
 * @intid: the SPI
 *
 * A level-triggered doorbell bound to it clears its ack mask's flags and
 * asserts its line again only if flags are left.  Called with guest_lock.
 */
void doorbell_acked(struct guest *g, u32 intid)
{
	for (u32 i = 0; i < g->nr_bells; i++) {
		struct doorbell *b = &g->bell[i];

		if (b->intid == intid && b->level) {
			b->flags &= ~b->ack_mask;
			doorbell_update(b, false);
		}
	}
}

/**
 * doorbell_hypercall() - bell_send or bell_set_mask
 * @f: the caller's registers: x1 the doorbell capability, then the arguments
 * @nr: GH_HVC_BELL_SEND or GH_HVC_BELL_SET_MASK
 *
 * bell_send needs the SEND right and returns the old flags in x1;
 * bell_set_mask needs the RECEIVE right.
 */
void doorbell_hypercall(struct trap_frame *f, unsigned int nr)
{
	bool send = nr == GH_HVC_BELL_SEND;
	struct doorbell *b;
	s64 err = GH_ERROR_OK;

	guest_lock();
	b = cspace_lookup(f->x[1], CAP_TYPE_DOORBELL,
			  send ? CAP_RIGHT_DOORBELL_SEND : CAP_RIGHT_DOORBELL_RECV, &err);
	if (!b) {
		guest_unlock();
		f->x[0] = (u64)err;
		return;
	}
	if (send) {
		f->x[1] = b->flags;
		b->flags |= f->x[2];
	} else {
		b->enable_mask = f->x[2];
		b->ack_mask = f->x[3];
	}
	doorbell_update(b, send);
	guest_unlock();
	f->x[0] = GH_ERROR_OK;
}
