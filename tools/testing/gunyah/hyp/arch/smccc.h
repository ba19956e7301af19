/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Gunyah test hypervisor: SMCCC function-ID decoding.  Pure logic, also
 * built on the development host for unit tests.
 */
#ifndef HYP_SMCCC_H
#define HYP_SMCCC_H

#include <stdbool.h>
#include <stdint.h>

#include "compiler.h"

#define SMCCC_FAST		BIT(31)
#define SMCCC_64		BIT(30)
#define SMCCC_OWNER(id)		(((id) >> 24) & 0x3f)
#define SMCCC_FUNC(id)		((id) & 0xffff)
#define SMCCC_MBZ_MASK		0x00fe0000U

#define SMCCC_OWNER_ARCH	0
#define SMCCC_OWNER_STANDARD	4
#define SMCCC_OWNER_VENDOR_HYP	6

#define SMCCC_VERSION		0x80000000U
#define SMCCC_ARCH_FEATURES	0x80000001U
#define SMCCC_ARCH_WORKAROUND_1	0x80008000U
#define SMCCC_ARCH_WORKAROUND_2	0x80007fffU
#define SMCCC_ARCH_WORKAROUND_3	0x80003fffU
#define SMCCC_RET_NOT_SUPPORTED	(-1LL)
#define SMCCC_RET_NOT_REQUIRED	(-2LL)

#define GUNYAH_UID_CALL		0x8600ff01U
#define GUNYAH_REVISION_CALL	0x8600ff03U
#define GUNYAH_UID0		0xcd8fd5c1U
#define GUNYAH_UID1		0xdb5f53a4U
#define GUNYAH_UID2		0x36ce6592U
#define GUNYAH_UID3		0x145f3d67U

enum smccc_class {
	SMCCC_CLASS_INVALID,		/* malformed: answer -1 */
	SMCCC_CLASS_ARCH,		/* SMCCC_VERSION, ARCH_FEATURES, ... */
	SMCCC_CLASS_PSCI,		/* standard service, PSCI range */
	SMCCC_CLASS_GUNYAH_HVC,		/* vendor-hyp hypercall 0x8000 | n */
	SMCCC_CLASS_GUNYAH_SERVICE,	/* vendor-hyp service 0xc000 | n */
	SMCCC_CLASS_OTHER,		/* well formed, not implemented */
};

/*
 * Classify an SMCCC function ID.  For the Gunyah hypercall and service
 * classes, *nr receives the 14-bit call or service number.
 */
static inline enum smccc_class smccc_classify(uint64_t id64, unsigned int *nr)
{
	uint32_t id = (uint32_t)id64;
	unsigned int func = SMCCC_FUNC(id);

	if (id64 >> 32 || !(id & SMCCC_FAST) || (id & SMCCC_MBZ_MASK))
		return SMCCC_CLASS_INVALID;
	switch (SMCCC_OWNER(id)) {
	case SMCCC_OWNER_ARCH:
		return SMCCC_CLASS_ARCH;
	case SMCCC_OWNER_STANDARD:
		return func <= 0x1f ? SMCCC_CLASS_PSCI : SMCCC_CLASS_OTHER;
	case SMCCC_OWNER_VENDOR_HYP:
		*nr = func & 0x3fff;
		switch (func >> 14) {
		case 2:	/* hypercall: fast SMC64 only */
			return (id & SMCCC_64) ? SMCCC_CLASS_GUNYAH_HVC : SMCCC_CLASS_INVALID;
		case 3:	/* service: fast SMC32 only */
			return (id & SMCCC_64) ? SMCCC_CLASS_INVALID : SMCCC_CLASS_GUNYAH_SERVICE;
		default:
			return SMCCC_CLASS_OTHER;
		}
	default:
		return SMCCC_CLASS_OTHER;
	}
}

#endif
