/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Gunyah test hypervisor: message queues.
 *
 * A queue holds up to @depth messages of up to @max_size bytes, copied in
 * and out (no shared memory).  An end held by the host is signalled with a
 * host SPI: "not empty" to a receiver, "not full" to a sender that found
 * the queue full.  An end held by the hypervisor itself (the Resource
 * Manager) is signalled with a callback instead.  Callers hold hyp_lock.
 */
#ifndef HYP_MSGQ_H
#define HYP_MSGQ_H

#include "hyp.h"

#define MSGQ_MAX_DEPTH		8
#define MSGQ_MAX_MSG_SIZE	240

struct msgq {
	u32 depth;
	u32 max_size;
	u32 head;
	u32 count;
	struct {
		u16 len;
		u8 data[MSGQ_MAX_MSG_SIZE];
	} msgs[MSGQ_MAX_DEPTH];
	/* Host SPIs; 0 when that end is inside the hypervisor. */
	u32 notempty_virq;
	u32 notfull_virq;
	/* Hypervisor-side ends. */
	void (*receiver_notify)(struct msgq *q);
	void (*sender_notify)(struct msgq *q);
};

void msgq_init(struct msgq *q, u32 depth, u32 max_size);
/* Returns a GH_ERROR_* code; *not_full tells whether another send fits. */
s64 msgq_send(struct msgq *q, const void *buf, size_t len, bool push, bool *not_full);
/* Peek at the head message (NULL if empty). */
const void *msgq_peek(struct msgq *q, size_t *len);
/* Drop the head message; *not_empty tells whether more are queued. */
void msgq_consume(struct msgq *q, bool *not_empty);
bool msgq_has_room(struct msgq *q);

#endif
