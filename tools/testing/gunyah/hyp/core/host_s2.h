/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef HYP_HOST_S2_H
#define HYP_HOST_S2_H

#include "pgtable.h"

#define HOST_S2_VMID	0

extern struct pgtable host_s2;

void host_stage2_load(void);
void host_stage2_load_vttbr(void);
int host_stage2_give_back(u64 pa, u64 size);
void host_inject_sea(bool iabt, u64 far, u64 wnr);

#endif
