// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gunyah platform hooks: one provider at a time may watch (and veto) the
 * memory the host gives to VMs, whole parcels and single demand-paged
 * pages alike.
 */
#include <linux/gunyah.h>
#include <linux/mm.h>
#include <linux/rwsem.h>

#include "gunyah_platform_hooks.h"

static const struct gunyah_rm_platform_ops *platform_ops;
static DECLARE_RWSEM(platform_ops_lock);

/**
 * gunyah_rm_register_platform_ops() - install the platform hooks
 * @ops: the hooks; they must stay valid until unregistered
 *
 * Return: 0, or -EEXIST if another provider is registered.
 */
int gunyah_rm_register_platform_ops(const struct gunyah_rm_platform_ops *ops)
{
	int ret = 0;

	down_write(&platform_ops_lock);
	if (platform_ops)
		ret = -EEXIST;
	else
		platform_ops = ops;
	up_write(&platform_ops_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(gunyah_rm_register_platform_ops);

/**
 * gunyah_rm_unregister_platform_ops() - remove the platform hooks
 * @ops: the hooks passed to gunyah_rm_register_platform_ops()
 */
void gunyah_rm_unregister_platform_ops(const struct gunyah_rm_platform_ops *ops)
{
	down_write(&platform_ops_lock);
	if (platform_ops == ops)
		platform_ops = NULL;
	up_write(&platform_ops_lock);
}
EXPORT_SYMBOL_GPL(gunyah_rm_unregister_platform_ops);

/* The registered hooks, read-locked; NULL if none.  Unlock with up_read(). */
static const struct gunyah_rm_platform_ops *platform_ops_get(void)
{
	down_read(&platform_ops_lock);
	return platform_ops;
}

int gunyah_rm_platform_pre_mem_share(struct gunyah_rm *rm, struct gunyah_rm_mem_parcel *parcel)
{
	const struct gunyah_rm_platform_ops *ops = platform_ops_get();
	int ret = ops && ops->pre_mem_share ? ops->pre_mem_share(rm, parcel) : 0;

	up_read(&platform_ops_lock);
	return ret;
}

int gunyah_rm_platform_post_mem_reclaim(struct gunyah_rm *rm,
					struct gunyah_rm_mem_parcel *parcel)
{
	const struct gunyah_rm_platform_ops *ops = platform_ops_get();
	int ret = ops && ops->post_mem_reclaim ? ops->post_mem_reclaim(rm, parcel) : 0;

	up_read(&platform_ops_lock);
	return ret;
}

int gunyah_rm_platform_pre_demand_page(struct gunyah_rm *rm, u16 vmid, bool lend,
				       struct page *page)
{
	const struct gunyah_rm_platform_ops *ops = platform_ops_get();
	int ret = ops && ops->pre_demand_page ? ops->pre_demand_page(rm, vmid, lend, page) : 0;

	up_read(&platform_ops_lock);
	return ret;
}

int gunyah_rm_platform_release_demand_page(struct gunyah_rm *rm, u16 vmid, bool lend,
					   struct page *page)
{
	const struct gunyah_rm_platform_ops *ops = platform_ops_get();
	int ret = ops && ops->release_demand_page ?
		  ops->release_demand_page(rm, vmid, lend, page) : 0;

	up_read(&platform_ops_lock);
	return ret;
}

/*
 * release_demand_page for @nr physically contiguous pages from @page, that
 * came back together: the hooks are looked up once.
 */
void gunyah_rm_platform_release_demand_pages(struct gunyah_rm *rm, u16 vmid, bool lend,
					     struct page *page, unsigned long nr)
{
	const struct gunyah_rm_platform_ops *ops = platform_ops_get();

	if (ops && ops->release_demand_page)
		for (unsigned long i = 0; i < nr; i++)
			ops->release_demand_page(rm, vmid, lend, nth_page(page, i));
	up_read(&platform_ops_lock);
}
