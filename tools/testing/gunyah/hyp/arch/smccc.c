// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gunyah test hypervisor: SMCCC calls from the host (HVC #0, or a trapped
 * SMC).  Architecture calls and PSCI are answered here or in psci.c;
 * Gunyah hypercalls go to hypercalls.c.  Only the registers a call
 * declares as outputs are written back: callers using the SMCCC 1.1
 * helpers rely on x4 and up being preserved.
 */
#include "bao_ipc.h"
#include "hyp.h"
#include "hypercalls.h"
#include "smccc.h"

static void arch_call(struct trap_frame *f)
{
	switch ((u32)f->x[0]) {
	case SMCCC_VERSION:
		f->x[0] = 0x10003;	/* SMCCC v1.3 */
		break;
	case SMCCC_ARCH_FEATURES:
		f->x[0] = (u32)f->x[1] == SMCCC_VERSION ? 0 : SMCCC_RET_NOT_SUPPORTED;
		break;
	default:
		f->x[0] = SMCCC_RET_NOT_SUPPORTED;
		break;
	}
}

static void gunyah_service(struct trap_frame *f, unsigned int nr)
{
	switch (nr) {
	case 0x3f01:	/* CALL_UID */
		f->x[0] = GUNYAH_UID0;
		f->x[1] = GUNYAH_UID1;
		f->x[2] = GUNYAH_UID2;
		f->x[3] = GUNYAH_UID3;
		break;
	case 0x3f03:	/* REVISION */
		f->x[0] = hyp_api_info();
		break;
	default:
		f->x[0] = SMCCC_RET_NOT_SUPPORTED;
		break;
	}
}

void smccc_handle(struct trap_frame *f, bool from_smc)
{
	unsigned int nr = 0;

	switch (smccc_classify(f->x[0], &nr)) {
	case SMCCC_CLASS_ARCH:
		arch_call(f);
		break;
	case SMCCC_CLASS_PSCI:
		if (!psci_handle(f))
			f->x[0] = SMCCC_RET_NOT_SUPPORTED;
		break;
	case SMCCC_CLASS_GUNYAH_HVC:
		/* Gunyah hypercalls are HVC-only. */
		if (from_smc)
			f->x[0] = SMCCC_RET_NOT_SUPPORTED;
		else
			gunyah_hypercall(f, nr);
		break;
	case SMCCC_CLASS_GUNYAH_SERVICE:
		gunyah_service(f, nr);
		break;
	case SMCCC_CLASS_OTHER:
		if ((u32)f->x[0] == BAO_IPC_NOTIFY_FID && !from_smc)
			bao_ipc_host_call(f);
		else
			f->x[0] = SMCCC_RET_NOT_SUPPORTED;
		break;
	default:
		f->x[0] = SMCCC_RET_NOT_SUPPORTED;
		break;
	}
}
