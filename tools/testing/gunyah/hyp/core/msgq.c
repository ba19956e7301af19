// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gunyah test hypervisor: message queues.
 */
#include "gic.h"
#include "hypercalls.h"
#include "msgq.h"

void msgq_init(struct msgq *q, u32 depth, u32 max_size)
{
	memset(q, 0, sizeof(*q));
	q->depth = depth;
	q->max_size = max_size;
}

bool msgq_has_room(struct msgq *q)
{
	return q->count < q->depth;
}

s64 msgq_send(struct msgq *q, const void *buf, size_t len, bool push, bool *not_full)
{
	u32 slot;

	if (!len || len > q->max_size)
		return GH_ERROR_ARG_SIZE;
	if (q->count == q->depth)
		return GH_ERROR_MSGQUEUE_FULL;
	slot = (q->head + q->count) % q->depth;
	q->msgs[slot].len = (u16)len;
	memcpy(q->msgs[slot].data, buf, len);
	q->count++;
	*not_full = q->count < q->depth;

	if (q->notempty_virq) {
		gic_raise_host_spi(q->notempty_virq);
	} else if (q->receiver_notify && (push || q->count == q->depth)) {
		/*
		 * The hypervisor-side receiver wakes up on a push or when the
		 * queue fills (its "not empty" threshold is the depth).
		 */
		q->receiver_notify(q);
	}
	return GH_ERROR_OK;
}

const void *msgq_peek(struct msgq *q, size_t *len)
{
	if (!q->count)
		return NULL;
	*len = q->msgs[q->head].len;
	return q->msgs[q->head].data;
}

void msgq_consume(struct msgq *q, bool *not_empty)
{
	bool was_full = q->count == q->depth;

	q->head = (q->head + 1) % q->depth;
	q->count--;
	if (not_empty)
		*not_empty = q->count != 0;
	if (!was_full && !q->sender_notify)
		return;
	if (was_full && q->notfull_virq)
		gic_raise_host_spi(q->notfull_virq);
	if (q->sender_notify)
		q->sender_notify(q);
}
