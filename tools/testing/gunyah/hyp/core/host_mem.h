/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Gunyah test hypervisor: access to host memory named by host addresses.
 */
#ifndef HYP_HOST_MEM_H
#define HYP_HOST_MEM_H

#include "hyp.h"

/* Copy to/from a host EL1 virtual address; false if any page is unmapped. */
bool host_copy_from_va(void *dst, u64 va, size_t len);
bool host_copy_to_va(u64 va, const void *src, size_t len);
/* Whether [pa, pa + len) is host RAM (outside the hypervisor). */
bool host_ram_range(u64 pa, u64 len);

#endif
