// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gunyah test hypervisor: demand paging hypercalls.
 *
 * The host provides guest memory page by page: memextent_donate moves a
 * host page into one of the guest's memory extents (lent: TO_PROTECTED
 * from host-private, label 2, to guest-private, label 0, and the page
 * leaves the host's stage-2; shared: TO_SIBLING from host-shared, label
 * 1, to guest-shared, label 3), addrspace_map maps it at a guest address,
 * addrspace_unmap and the reverse donation give it back (a lent page is
 * scrubbed on its way back).  Extents are addressed by physical address:
 * the offset is the page's host physical address.  Unmap and donate take
 * a run of pages as well (contiguous in IPA and in physical address), and
 * an unmap with NOSYNC leaves the guest's TLB invalidation to a later call
 * (see addrspace_unmap()), so that a host taking many pages back pays one
 * invalidation per batch, not one per page.
 */
#include "cspace.h"
#include "guest.h"
#include "hypercalls.h"
#include "rm.h"

#define DONATE_TO_SIBLING	2
#define DONATE_TO_PROTECTED	3
#define DONATE_FROM_PROTECTED	4

#define EXT_GUEST_PRIVATE	0
#define EXT_HOST_SHARED		1
#define EXT_HOST_PRIVATE	2
#define EXT_GUEST_SHARED	3

#define MAP_PARTIAL		BIT(0)
#define MAP_PRIVATE		BIT(1)
#define MAP_VMMIO		BIT(2)
#define MAP_NOSYNC		BIT(31)

static s64 memextent_donate(u64 options, struct guest_extent *from, struct guest_extent *to,
			    u64 pa, u64 size)
{
	u32 type = options & 0xff;
	bool give, lend;
	s64 err = GH_ERROR_OK;

	if (from->guest != to->guest || (options & ~(0xffUL | BIT(31))))
		return GH_ERROR_ARG_INVAL;
	if (type == DONATE_TO_PROTECTED && from->label == EXT_HOST_PRIVATE &&
	    to->label == EXT_GUEST_PRIVATE) {
		give = true;
		lend = true;
	} else if (type == DONATE_FROM_PROTECTED && from->label == EXT_GUEST_PRIVATE &&
		   to->label == EXT_HOST_PRIVATE) {
		give = false;
		lend = true;
	} else if (type == DONATE_TO_SIBLING && from->label == EXT_HOST_SHARED &&
		   to->label == EXT_GUEST_SHARED) {
		give = true;
		lend = false;
	} else if (type == DONATE_TO_SIBLING && from->label == EXT_GUEST_SHARED &&
		   to->label == EXT_HOST_SHARED) {
		give = false;
		lend = false;
	} else {
		return GH_ERROR_ARG_INVAL;
	}
	if (!size || !IS_ALIGNED(pa | size, PAGE_SIZE))
		return GH_ERROR_ARG_ALIGN;

	rm_lock();
	if (give) {
		for (u64 off = 0; off < size && !err; off += PAGE_SIZE)
			err = rm_page_donate(pa + off, lend);
	} else {
		/* Unmaps done with NOSYNC take effect before the pages leave the guest. */
		guest_tlb_sync(from->guest);
		err = rm_pages_return(pa, size, lend);
	}
	rm_unlock();
	return err;
}

static u64 map_attrs(u64 attrs)
{
	u32 access = (attrs >> 4) & 7;	/* kernel (EL1) access: R 4, W 2, X 1 */

	return S2_MEMATTR_NORMAL | S2_SH_INNER | S2_AF | (access & 4 ? S2_AP_R : 0) |
	       (access & 2 ? S2_AP_W : 0) | (access & 1 ? 0 : S2_XN);
}

static s64 addrspace_map(struct guest *g, struct guest_extent *ext, u64 ipa, u64 attrs,
			 u64 flags, u64 pa, u64 size)
{
	bool lend = flags & MAP_PRIVATE;
	s64 err = GH_ERROR_OK;

	if (ext->guest != g || !(flags & MAP_PARTIAL) ||
	    (flags & ~(MAP_PARTIAL | MAP_PRIVATE | MAP_VMMIO | MAP_NOSYNC)) ||
	    !(flags & (MAP_PRIVATE | MAP_VMMIO)) || (flags & MAP_PRIVATE && flags & MAP_VMMIO) ||
	    ext->label != (lend ? EXT_GUEST_PRIVATE : EXT_GUEST_SHARED))
		return GH_ERROR_ARG_INVAL;
	if (!size || !IS_ALIGNED(ipa | pa | size, PAGE_SIZE))
		return GH_ERROR_ARG_ALIGN;

	rm_lock();
	for (u64 off = 0; off < size; off += PAGE_SIZE) {
		if (!rm_page_given(pa + off, lend)) {
			err = GH_ERROR_DENIED;
			break;
		}
	}
	guest_tlb_sync(g);	/* no stale entry may outlive a new mapping */
	if (!err && guest_map(g, ipa, pa, size, map_attrs(attrs)))
		err = GH_ERROR_NOMEM;
	rm_unlock();
	return err;
}

static s64 addrspace_unmap(struct guest *g, struct guest_extent *ext, u64 ipa, u64 flags,
			   u64 pa, u64 size)
{
	s64 err = GH_ERROR_OK;

	if (ext->guest != g || !(flags & MAP_PARTIAL) || !g->s2.root)
		return GH_ERROR_ARG_INVAL;
	if (!size || !IS_ALIGNED(ipa | pa | size, PAGE_SIZE))
		return GH_ERROR_ARG_ALIGN;

	rm_lock();
	for (u64 off = 0; off < size; off += PAGE_SIZE) {
		u64 mapped;

		if (!pgtable_lookup(&g->s2, ipa + off, &mapped, NULL) || mapped != pa + off) {
			err = GH_ERROR_ARG_INVAL;	/* no such mapping */
			break;
		}
	}
	if (!err) {
		if (pgtable_unmap(&g->s2, ipa, size))
			err = GH_ERROR_NOMEM;
		/*
		 * NOSYNC: more unmaps follow; the TLB invalidation is done once,
		 * by the first unmap without it or before any of the pages is
		 * donated back to the host, whichever comes first.
		 */
		g->tlb_stale = true;
		if (!(flags & MAP_NOSYNC))
			guest_tlb_sync(g);
	}
	rm_unlock();
	return err;
}

void addrspace_hypercall(struct trap_frame *f, unsigned int nr)
{
	struct guest_extent *ext, *ext2;
	struct guest *g;
	s64 err = 0;

	switch (nr) {
	case GH_HVC_MEMEXTENT_DONATE:
		ext = cspace_lookup(f->x[2], CAP_TYPE_MEMEXTENT, 0, &err);
		ext2 = ext ? cspace_lookup(f->x[3], CAP_TYPE_MEMEXTENT, 0, &err) : NULL;
		if (ext2)
			err = memextent_donate(f->x[1], ext, ext2, f->x[4], f->x[5]);
		break;
	case GH_HVC_ADDRSPACE_MAP:
		g = cspace_lookup(f->x[1], CAP_TYPE_ADDRSPACE, 0, &err);
		ext = g ? cspace_lookup(f->x[2], CAP_TYPE_MEMEXTENT, 0, &err) : NULL;
		if (ext)
			err = addrspace_map(g, ext, f->x[3], f->x[4], f->x[5], f->x[6], f->x[7]);
		break;
	case GH_HVC_ADDRSPACE_UNMAP:
		g = cspace_lookup(f->x[1], CAP_TYPE_ADDRSPACE, 0, &err);
		ext = g ? cspace_lookup(f->x[2], CAP_TYPE_MEMEXTENT, 0, &err) : NULL;
		if (ext)
			err = addrspace_unmap(g, ext, f->x[3], f->x[4], f->x[5], f->x[6]);
		break;
	}
	f->x[0] = (u64)err;
}
