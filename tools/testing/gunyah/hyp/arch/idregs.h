/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Gunyah test hypervisor: the CPU features the host and guests are shown.
 */
#ifndef HYP_IDREGS_H
#define HYP_IDREGS_H

#include "hyp.h"

bool idreg_read(u64 esr, u64 *val);
u64 idregs_hcr_trap(void);

#endif
