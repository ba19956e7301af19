/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Gunyah test hypervisor: ticket spinlock (needs the MMU on: exclusives on
 * Normal memory).
 */
#ifndef HYP_SPINLOCK_H
#define HYP_SPINLOCK_H

#include <stdint.h>

struct spinlock {
	uint16_t next;
	uint16_t owner;
};

static inline void spin_lock(struct spinlock *l)
{
	uint16_t ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != ticket)
		;
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->owner, l->owner + 1, __ATOMIC_RELEASE);
}

#endif
