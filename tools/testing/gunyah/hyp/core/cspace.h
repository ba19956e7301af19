/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Gunyah test hypervisor: the host's capability space.
 *
 * A capability ID names an object (message queue, vCPU, doorbell, address
 * space, memory extent) with a set of rights.  IDs are opaque 64-bit
 * values; dynamically created ones are scrambled so that the host cannot
 * guess them or rely on their order.
 */
#ifndef HYP_CSPACE_H
#define HYP_CSPACE_H

#include "hyp.h"

enum cap_type {
	CAP_TYPE_NONE,
	CAP_TYPE_MSGQ,
	CAP_TYPE_DOORBELL,
	CAP_TYPE_VCPU,
	CAP_TYPE_ADDRSPACE,
	CAP_TYPE_MEMEXTENT,
};

#define CAP_RIGHT_MSGQ_SEND		BIT(0)
#define CAP_RIGHT_MSGQ_RECV		BIT(1)
#define CAP_RIGHT_DOORBELL_SEND		BIT(0)
#define CAP_RIGHT_DOORBELL_RECV		BIT(1)
#define CAP_RIGHTS_ALL			0xffffffffU

#define CSPACE_SIZE			1024

/* Returns the capability ID, or 0 with *err set (capability space full). */
u64 cspace_create(enum cap_type type, u32 rights, void *obj, s64 *err);
/* Install a capability under a chosen ID (the RM's message queues). */
int cspace_install(u64 id, enum cap_type type, u32 rights, void *obj);
void cspace_delete(u64 id);
/* Look a capability up; returns its object or NULL with *err set. */
void *cspace_lookup(u64 id, enum cap_type type, u32 rights, s64 *err);
unsigned int cspace_count(void);

#endif
