// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gunyah test hypervisor: Gunyah hypercalls (SMCCC vendor-hyp, class 0b10).
 *
 * Arguments arrive in x1.., results leave in x0 (error) and x1.. (values).
 * Unknown call numbers return UNIMPLEMENTED, as real Gunyah does.
 */
#include "hypercalls.h"

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

void gunyah_hypercall(struct trap_frame *f, unsigned int nr)
{
	switch (nr) {
	case GH_HVC_HYP_IDENTIFY:
		hyp_identify(f);
		break;
	default:
		f->x[0] = (u64)GH_ERROR_UNIMPLEMENTED;
		break;
	}
}
