/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef HYP_HYPERCALLS_H
#define HYP_HYPERCALLS_H

#include "hyp.h"

/* Gunyah hypercall numbers (SMCCC function 0x8000 | n). */
#define GH_HVC_HYP_IDENTIFY		0x00
#define GH_HVC_BELL_SEND		0x12
#define GH_HVC_BELL_SET_MASK		0x15
#define GH_HVC_MSGQ_SEND		0x1b
#define GH_HVC_MSGQ_RECV		0x1c
#define GH_HVC_ADDRSPACE_MAP		0x2b
#define GH_HVC_ADDRSPACE_UNMAP		0x2c
#define GH_HVC_MEMEXTENT_DONATE		0x61
#define GH_HVC_VCPU_RUN			0x65

/* Gunyah hypercall error codes (x0). */
#define GH_ERROR_OK			0
#define GH_ERROR_UNIMPLEMENTED		(-1)
#define GH_ERROR_RETRY			(-2)
#define GH_ERROR_ARG_INVAL		1
#define GH_ERROR_ARG_SIZE		2
#define GH_ERROR_ARG_ALIGN		3
#define GH_ERROR_NOMEM			10
#define GH_ERROR_NORESOURCES		11
#define GH_ERROR_ADDR_OVFL		20
#define GH_ERROR_ADDR_INVAL		22
#define GH_ERROR_DENIED			30
#define GH_ERROR_BUSY			31
#define GH_ERROR_OBJECT_STATE		33
#define GH_ERROR_CSPACE_CAP_NULL	50
#define GH_ERROR_CSPACE_WRONG_OBJ_TYPE	52
#define GH_ERROR_CSPACE_INSUF_RIGHTS	53
#define GH_ERROR_CSPACE_FULL		54
#define GH_ERROR_MSGQUEUE_EMPTY		60
#define GH_ERROR_MSGQUEUE_FULL		61

/* hyp_identify: API version 1, 64-bit, little-endian. */
#define GH_API_VERSION			1
#define GH_API_64BIT			BIT(15)
#define GH_VARIANT_GUNYAH		0x48UL
#define GH_VARIANT_QUALCOMM		0x51UL

/*
 * hyp_identify feature flags (API flags 0) this hypervisor advertises:
 * only what it implements.  Mirrored in the in-host tests.
 */
/* message queues, vCPUs, memory extents, vcpu_run */
#define GH_FEATURES0			(BIT(2) | BIT(5) | BIT(6) | BIT(11))

u64 hyp_api_info(void);
void gunyah_hypercall(struct trap_frame *f, unsigned int nr);

#endif
