/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Gunyah test hypervisor: a Bao-style inter-VM shared-memory channel
 * between the host and one guest (an option of the boot configuration).
 */
#ifndef HYP_BAO_IPC_H
#define HYP_BAO_IPC_H

#include "fdt.h"
#include "hyp.h"

/* Bao's notify hypercall: SMCCC fast call, SMC64, vendor-hyp, function 1. */
#define BAO_IPC_NOTIFY_FID	0xc6000001U

struct guest;

void bao_ipc_init(void);
void bao_ipc_host_call(struct trap_frame *f);
u64 bao_ipc_guest_call(struct guest *g, u64 id);
bool bao_ipc_attach(struct guest *g, const struct fdt *fdt);
void bao_ipc_detach(struct guest *g);

#endif
