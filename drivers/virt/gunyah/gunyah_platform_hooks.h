/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Calls of the platform hooks, from the memory code of the VM manager.
 */
#ifndef _GUNYAH_PLATFORM_HOOKS_H
#define _GUNYAH_PLATFORM_HOOKS_H

#include <linux/gunyah.h>

int gunyah_rm_platform_pre_mem_share(struct gunyah_rm *rm, struct gunyah_rm_mem_parcel *parcel);
int gunyah_rm_platform_post_mem_reclaim(struct gunyah_rm *rm,
					struct gunyah_rm_mem_parcel *parcel);
int gunyah_rm_platform_pre_demand_page(struct gunyah_rm *rm, u16 vmid, bool lend,
				       struct page *page);
int gunyah_rm_platform_release_demand_page(struct gunyah_rm *rm, u16 vmid, bool lend,
					   struct page *page);
void gunyah_rm_platform_release_demand_pages(struct gunyah_rm *rm, u16 vmid, bool lend,
					     struct page *page, unsigned long nr);

#endif
