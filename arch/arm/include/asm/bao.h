/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Bao hypervisor calls, arm: SMCCC fast calls, 32-bit convention, to the
 * vendor-specific hypervisor service, issued with HVC.
 */
#ifndef _ASM_ARM_BAO_H
#define _ASM_ARM_BAO_H

#include <linux/arm-smccc.h>

/* Function number of the shared-memory channel notification. */
#define BAO_IPCSHMEM_NOTIFY	1

/**
 * bao_ipcshmem_hypercall() - notify the peer VM of a shared-memory channel
 * @id: the channel id (the DT node's "id")
 *
 * Return: the hypervisor's answer in r0: 0 on success, an SMCCC error
 * (e.g. SMCCC_RET_NOT_SUPPORTED for an unknown channel) otherwise.
 */
static inline long bao_ipcshmem_hypercall(unsigned long id)
{
	struct arm_smccc_res res;

	arm_smccc_1_1_hvc(ARM_SMCCC_CALL_VAL(ARM_SMCCC_FAST_CALL, ARM_SMCCC_SMC_32,
					     ARM_SMCCC_OWNER_VENDOR_HYP, BAO_IPCSHMEM_NOTIFY),
			  id, &res);
	return (long)res.a0;
}

#endif
