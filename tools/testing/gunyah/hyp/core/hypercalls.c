// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gunyah test hypervisor: Gunyah hypercalls (SMCCC vendor-hyp, class 0b10).
 *
 * Arguments arrive in x1.., results leave in x0 (error) and x1.. (values).
 * Unknown call numbers return UNIMPLEMENTED, as real Gunyah does.
 */
#include "doorbell.h"
#include "fault.h"
#include "guest.h"
#include "host_mem.h"
#include "hypercalls.h"
#include "rm.h"

u64 hyp_api_info(void)
{
	u64 variant = bootcfg->rm_profile == BOOTCFG_RM_OSS ? GH_VARIANT_QUALCOMM :
							       GH_VARIANT_GUNYAH;

	return (variant << 56) | GH_API_64BIT | GH_API_VERSION;
}

static void hyp_identify(struct trap_frame *f)
{
	f->x[0] = hyp_api_info();
	f->x[1] = GH_FEATURES0;
	f->x[2] = 0;
	f->x[3] = 0;
}

/* msgq_send(cap, size, buffer VA, flags): x1 = not full */
static s64 hvc_msgq_send(struct trap_frame *f)
{
	static u8 buf[MSGQ_MAX_MSG_SIZE];
	size_t len = f->x[2];
	struct msgq *q;
	bool host_sends, not_full = false;
	s64 err;

	q = rm_host_queue(f->x[1], &host_sends);
	if (!q)
		return GH_ERROR_CSPACE_CAP_NULL;
	if (!host_sends)
		return GH_ERROR_CSPACE_INSUF_RIGHTS;
	if (f->x[4] & ~1UL)
		return GH_ERROR_ARG_INVAL;
	if (!len || len > MSGQ_MAX_MSG_SIZE)
		return GH_ERROR_ARG_SIZE;
	rm_lock();
	if (!host_copy_from_va(buf, f->x[3], len))
		err = GH_ERROR_ADDR_INVAL;
	else
		err = msgq_send(q, buf, len, f->x[4] & 1, &not_full);
	rm_unlock();
	if (err == GH_ERROR_OK)
		f->x[1] = not_full;
	return err;
}

/* msgq_recv(cap, buffer VA, size): x1 = size received, x2 = not empty */
static s64 hvc_msgq_recv(struct trap_frame *f)
{
	struct msgq *q;
	bool host_sends, not_empty = false;
	const void *msg;
	size_t len = 0;
	s64 err = GH_ERROR_OK;

	q = rm_host_queue(f->x[1], &host_sends);
	if (!q)
		return GH_ERROR_CSPACE_CAP_NULL;
	if (host_sends)
		return GH_ERROR_CSPACE_INSUF_RIGHTS;
	rm_lock();
	msg = msgq_peek(q, &len);
	if (!msg)
		err = GH_ERROR_MSGQUEUE_EMPTY;
	else if (len > f->x[3])
		err = GH_ERROR_ADDR_OVFL;
	else if (!host_copy_to_va(f->x[2], msg, len))
		err = GH_ERROR_ADDR_INVAL;
	else
		msgq_consume(q, &not_empty);
	rm_rx_after_recv();
	rm_unlock();
	if (err == GH_ERROR_OK) {
		f->x[1] = len;
		f->x[2] = not_empty;
	}
	return err;
}

void gunyah_hypercall(struct trap_frame *f, unsigned int nr)
{
	s64 err;

	if (nr != GH_HVC_TEST_CONTROL && fault_check_hvc(nr, &err)) {
		f->x[0] = (u64)err;
		return;
	}

	switch (nr) {
	case GH_HVC_HYP_IDENTIFY:
		hyp_identify(f);
		break;
	case GH_HVC_MSGQ_SEND:
		f->x[0] = (u64)hvc_msgq_send(f);
		break;
	case GH_HVC_MSGQ_RECV:
		f->x[0] = (u64)hvc_msgq_recv(f);
		break;
	case GH_HVC_ADDRSPACE_MAP:
	case GH_HVC_ADDRSPACE_UNMAP:
	case GH_HVC_MEMEXTENT_DONATE:
		addrspace_hypercall(f, nr);
		break;
	case GH_HVC_BELL_SEND:
	case GH_HVC_BELL_SET_MASK:
		doorbell_hypercall(f, nr);
		break;
	case GH_HVC_VCPU_RUN:
		vcpu_run(f);
		break;
	case GH_HVC_TEST_CONTROL:
		fault_test_control(f);
		break;
	default:
		f->x[0] = (u64)GH_ERROR_UNIMPLEMENTED;
		break;
	}
}
