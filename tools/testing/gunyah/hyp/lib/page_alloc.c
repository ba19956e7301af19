// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gunyah test hypervisor: 4 KiB page allocator over the hypervisor's own
 * memory (from the end of the image to the boot configuration page).
 */
#include "hyp.h"
#include "page_alloc.h"
#include "spinlock.h"

extern char __hyp_end[];

static struct spinlock pool_lock;
static u64 pool_next, pool_end;
static void *free_list;
static unsigned long pages_free;

void page_alloc_init(void)
{
	pool_next = align_up((u64)__hyp_end, PAGE_SIZE);
	pool_end = PLAT_BOOTCFG_ADDR;
	pages_free = (pool_end - pool_next) / PAGE_SIZE;
}

void *page_alloc(void)
{
	void *p = NULL;

	spin_lock(&pool_lock);
	if (free_list) {
		p = free_list;
		free_list = *(void **)p;
	} else if (pool_next < pool_end) {
		p = (void *)pool_next;
		pool_next += PAGE_SIZE;
	}
	if (p)
		pages_free--;
	spin_unlock(&pool_lock);
	if (p)
		memset(p, 0, PAGE_SIZE);
	return p;
}

void page_free(void *p)
{
	spin_lock(&pool_lock);
	*(void **)p = free_list;
	free_list = p;
	pages_free++;
	spin_unlock(&pool_lock);
}

unsigned long page_alloc_nr_free(void)
{
	return pages_free;
}

static u64 *pgt_alloc(void *ctx)
{
	return page_alloc();
}

static void pgt_free(void *ctx, u64 *t)
{
	page_free(t);
}

static u64 pgt_v2p(void *ctx, u64 *t)
{
	return (u64)t;
}

static u64 *pgt_p2v(void *ctx, u64 pa)
{
	return (u64 *)pa;
}

/* EL2 runs with an identity stage-1 map, so table VA == PA. */
const struct pgtable_ops hyp_pgtable_ops = {
	.alloc_table = pgt_alloc,
	.free_table = pgt_free,
	.virt_to_phys = pgt_v2p,
	.phys_to_virt = pgt_p2v,
};
