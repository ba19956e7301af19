// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gunyah test hypervisor: Resource Manager memory parcels.
 *
 * The host gives memory to VMs in parcels: MEM_LEND (the host loses
 * access: the pages leave its stage-2 until reclaimed, and are scrubbed
 * before they come back) or MEM_SHARE (both keep access).  Large parcels
 * are built with MEM_APPEND.  Every host page has a state: free, lent, or
 * shared n times, so that a page is never lent twice or lent while shared.
 */
#include "guest.h"
#include "host_mem.h"
#include "host_s2.h"
#include "hypercalls.h"
#include "page_alloc.h"
#include "rm.h"

#define MAX_PARCELS		64
#define MAX_ACL			8
#define SGL_PER_PAGE		(PAGE_SIZE / 16)
/*
 * Enough ranges for a 256 MiB image parcel of scattered 4 KiB pages; the
 * pages holding them are taken only as ranges arrive.
 */
#define MAX_SGL_PAGES		256
#define MAX_SGL			(SGL_PER_PAGE * MAX_SGL_PAGES)
#define RM_MAX_SECTION		512

#define MEM_FLAG_SANITIZE	BIT(0)
#define MEM_FLAG_APPEND		BIT(1)

#define PAGE_LENT		0xff	/* else: number of share parcels holding the page */

/* What zeroing memory on its way back to the host has cost; under rm_lock. */
static u64 scrub_bytes, scrub_ticks;

struct rm_parcel {
	bool used;
	bool lend;
	bool constructing;
	u16 owner;
	u16 accepted_by;
	u32 handle;
	u32 label;
	u32 n_acl;
	struct {
		u16 vmid;
		u8 rights;
	} acl[MAX_ACL];
	u32 n_sgl;
	u64 *sgl[MAX_SGL_PAGES];	/* pairs of (address, size) */
};

static struct rm_parcel parcels[MAX_PARCELS];
static u32 next_handle = 0x1000;
static u8 host_page_state[(4UL << 30) >> 12];

/*
 * Demand paging moves single host pages to a guest and back (see
 * addrspace.c): a lent page leaves the host's stage-2, a shared one stays.
 * Returns a GH_ERROR_* code.  Called with rm_lock held.
 */
s64 rm_page_donate(u64 pa, bool lend)
{
	u8 *st = &host_page_state[pa >> 12];

	if (!host_ram_range(pa, PAGE_SIZE))
		return GH_ERROR_ADDR_INVAL;
	if (*st == PAGE_LENT || *st == PAGE_LENT - 1 || (lend && *st))
		return GH_ERROR_DENIED;
	if (lend) {
		if (pgtable_unmap(&host_s2, pa, PAGE_SIZE))
			return GH_ERROR_NOMEM;
		asm volatile("dsb ishst; tlbi vmalls12e1is; dsb ish; isb" : : : "memory");
		*st = PAGE_LENT;
	} else {
		(*st)++;
	}
	return GH_ERROR_OK;
}

/*
 * Zero memory a guest had (or a parcel asked SANITIZE for), counting the
 * bytes and the time it took.  Called with rm_lock held.
 */
static void scrub(u64 pa, u64 size)
{
	u64 t0 = read_sysreg(cntpct_el0);

	memset((void *)pa, 0, size);
	scrub_ticks += read_sysreg(cntpct_el0) - t0;
	scrub_bytes += size;
}

/**
 * rm_scrub_stats() - what scrubbing has cost since boot
 * @bytes: set to the bytes zeroed
 * @ns: set to the nanoseconds spent zeroing them
 *
 * Called with rm_lock held.
 */
void rm_scrub_stats(u64 *bytes, u64 *ns)
{
	u64 freq = read_sysreg(cntfrq_el0);

	*bytes = scrub_bytes;
	*ns = scrub_ticks / freq * 1000000000ULL + scrub_ticks % freq * 1000000000ULL / freq;
}

/*
 * Return a range of pages the host gave page by page (memextent_donate of
 * a run of pages): every page is checked before any changes state, lent
 * pages are scrubbed in one pass and come back into the host's stage-2
 * with one mapping.  Returns a GH_ERROR_* code; nothing changes on error.
 * Called with rm_lock held.
 */
s64 rm_pages_return(u64 pa, u64 size, bool lend)
{
	u8 *st = &host_page_state[pa >> 12];
	u64 i, n = size >> 12;

	if (!host_ram_range(pa, size))
		return GH_ERROR_ADDR_INVAL;
	for (i = 0; i < n; i++)
		if (lend ? st[i] != PAGE_LENT : (!st[i] || st[i] == PAGE_LENT))
			return GH_ERROR_DENIED;
	if (lend) {
		scrub(pa, size);
		if (host_stage2_give_back(pa, size))
			return GH_ERROR_NOMEM;
	}
	for (i = 0; i < n; i++)
		st[i] = lend ? 0 : st[i] - 1;
	return GH_ERROR_OK;
}

/* Whether the host page at @pa is lent (true) or shared with a guest. */
bool rm_page_given(u64 pa, bool lend)
{
	u8 st = host_page_state[pa >> 12];

	return lend ? st == PAGE_LENT : (st && st != PAGE_LENT);
}

static u64 *sgl_entry(const struct rm_parcel *p, u32 i)
{
	return &p->sgl[i / SGL_PER_PAGE][(i % SGL_PER_PAGE) * 2];
}

static u64 page_index(u64 pa)
{
	return pa >> 12;
}

static void tlb_flush_host(void)
{
	asm volatile("dsb ishst; tlbi vmalls12e1is; dsb ish; isb" : : : "memory");
}

struct rm_parcel *rm_parcel_get(u32 handle, u16 owner)
{
	for (unsigned int i = 0; i < MAX_PARCELS; i++)
		if (parcels[i].used && parcels[i].handle == handle && parcels[i].owner == owner)
			return &parcels[i];
	return NULL;
}

unsigned int rm_parcel_count(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < MAX_PARCELS; i++)
		n += parcels[i].used;
	return n;
}

u64 rm_parcel_size(const struct rm_parcel *p)
{
	u64 total = 0;

	for (u32 i = 0; i < p->n_sgl; i++)
		total += sgl_entry(p, i)[1];
	return total;
}

bool rm_parcel_read(const struct rm_parcel *p, u64 offset, void *buf, size_t len)
{
	u8 *out = buf;

	for (u32 i = 0; i < p->n_sgl && len; i++) {
		u64 addr = sgl_entry(p, i)[0], size = sgl_entry(p, i)[1], chunk;

		if (offset >= size) {
			offset -= size;
			continue;
		}
		chunk = size - offset < len ? size - offset : len;
		memcpy(out, (void *)(addr + offset), chunk);
		out += chunk;
		len -= chunk;
		offset = 0;
	}
	return len == 0;
}

/* Map @p into @g's stage-2 at @ipa with the rights @vmid has on it. */
int rm_parcel_map(struct rm_parcel *p, u16 vmid, struct guest *g, u64 ipa)
{
	u64 attr = S2_MEMATTR_NORMAL | S2_SH_INNER | S2_AF;
	u8 rights = 0;
	int ret;

	for (u32 a = 0; a < p->n_acl; a++)
		if (p->acl[a].vmid == vmid)
			rights = p->acl[a].rights;
	if (!rights)
		return -1;
	attr |= (rights & 4 ? S2_AP_R : 0) | (rights & 2 ? S2_AP_W : 0) | (rights & 1 ? 0 : S2_XN);
	for (u32 i = 0; i < p->n_sgl; i++) {
		ret = guest_map(g, ipa, sgl_entry(p, i)[0], sgl_entry(p, i)[1], attr);
		if (ret)
			return ret;
		ipa += sgl_entry(p, i)[1];
	}
	return 0;
}

/* Tell a parcel's owner that @vmid accepted or released it (12 bytes). */
static void parcel_notify(const struct rm_parcel *p, u16 vmid, bool accepted)
{
	u8 n[12] = { 0 };

	put_le32(n, p->handle);
	put_le16(n + 4, vmid);
	rm_notify(accepted ? RM_NOTIF_MEM_ACCEPTED : RM_NOTIF_MEM_RELEASED, n, sizeof(n));
}

void rm_parcels_accept(u16 vmid, bool accept)
{
	for (unsigned int i = 0; i < MAX_PARCELS; i++) {
		struct rm_parcel *p = &parcels[i];

		if (!p->used)
			continue;
		if (!accept) {
			if (p->accepted_by == vmid) {
				p->accepted_by = 0;
				parcel_notify(p, vmid, false);
			}
			continue;
		}
		for (u32 a = 0; a < p->n_acl; a++) {
			if (p->acl[a].vmid == vmid && !p->constructing && p->accepted_by != vmid) {
				p->accepted_by = vmid;
				parcel_notify(p, vmid, true);
			}
		}
	}
}

/* Check an SGL section: returns an RM error code. */
static u32 check_sgl(const u8 *e, u32 n, bool lend)
{
	for (u32 i = 0; i < n; i++, e += 16) {
		u64 addr = get_le64(e), size = get_le64(e + 8);

		if (!size || !IS_ALIGNED(addr, PAGE_SIZE) || !IS_ALIGNED(size, PAGE_SIZE) ||
		    addr + size < addr)
			return RM_ERROR_ARG_INVALID;
		if (!host_ram_range(addr, size))
			return RM_ERROR_MEM_INVALID;
		for (u64 pg = page_index(addr); pg < page_index(addr + size); pg++) {
			u8 st = host_page_state[pg];

			if (st == PAGE_LENT || (lend && st) || st == PAGE_LENT - 1)
				return RM_ERROR_MEM_INVALID;
		}
	}
	return RM_OK;
}

static void set_pages(u64 addr, u64 size, bool lend, bool take)
{
	for (u64 pg = page_index(addr); pg < page_index(addr + size); pg++) {
		if (lend)
			host_page_state[pg] = take ? PAGE_LENT : 0;
		else
			host_page_state[pg] += take ? 1 : -1;
	}
}

/*
 * Give a range back to the host, scrubbed if asked (SANITIZE), and map it
 * again.  The v17 profile scrubs lent memory always; the open-source RM
 * only when the owner (or a recipient) asked for it.
 */
static void return_range(struct rm_parcel *p, u64 addr, u64 size, bool sanitize)
{
	if ((p->lend && !rm_oss_profile()) || sanitize)
		scrub(addr, size);
	if (p->lend && host_stage2_give_back(addr, size))
		panic("cannot return %lx+%lx to the host\n", addr, size);
	set_pages(addr, size, p->lend, false);
}

static void free_parcel(struct rm_parcel *p, bool sanitize)
{
	for (u32 i = 0; i < p->n_sgl; i++)
		return_range(p, sgl_entry(p, i)[0], sgl_entry(p, i)[1], sanitize);
	for (unsigned int i = 0; i < MAX_SGL_PAGES; i++)
		if (p->sgl[i])
			page_free(p->sgl[i]);
	memset(p, 0, sizeof(*p));
}

/* Add (already checked) SGL entries to @p and take the pages from the host. */
static u32 add_sgl(struct rm_parcel *p, const u8 *e, u32 n, bool sanitize)
{
	if (p->n_sgl + n > MAX_SGL)
		return RM_ERROR_NORESOURCE;
	for (u32 i = 0; i < n; i++, e += 16) {
		u32 idx = p->n_sgl;
		u64 addr = get_le64(e), size = get_le64(e + 8);

		if (!p->sgl[idx / SGL_PER_PAGE]) {
			p->sgl[idx / SGL_PER_PAGE] = page_alloc();
			if (!p->sgl[idx / SGL_PER_PAGE])
				return RM_ERROR_NOMEM;
		}
		if (p->lend && pgtable_unmap(&host_s2, addr, size))
			return RM_ERROR_MAP_FAILED;
		set_pages(addr, size, p->lend, true);
		if (sanitize)
			scrub(addr, size);
		sgl_entry(p, idx)[0] = addr;
		sgl_entry(p, idx)[1] = size;
		p->n_sgl++;
	}
	if (p->lend)
		tlb_flush_host();
	return RM_OK;
}

/* Parse "LE16 count, LE16 reserved, entries"; absent at the end = 0. */
static bool section(const u8 *buf, size_t len, size_t *off, u32 entry_size, u32 *n,
		    bool optional)
{
	if (*off == len && optional) {
		*n = 0;
		return true;
	}
	if (*off + 4 > len)
		return false;
	*n = get_le16(buf + *off);
	*off += 4;
	if (*off + (size_t)*n * entry_size > len)
		return false;
	*off += (size_t)*n * entry_size;
	return true;
}

static void mem_share(const struct rm_request *req, bool lend)
{
	const u8 *b = req->payload;
	size_t off = 8, acl_off, sgl_off, attr_off;
	u32 n_acl, n_sgl, n_attr, err, owned = 0;
	struct rm_parcel *p = NULL;
	u8 flags, reply[4];
	bool has_owner = false;

	acl_off = off;
	if (req->len < 8 || !section(b, req->len, &off, 4, &n_acl, false))
		goto bad_msg;
	sgl_off = off;
	if (!section(b, req->len, &off, 16, &n_sgl, false))
		goto bad_msg;
	attr_off = off;
	if (!section(b, req->len, &off, 4, &n_attr, true) || off != req->len)
		goto bad_msg;
	if (n_acl > RM_MAX_SECTION || n_sgl > RM_MAX_SECTION || n_attr > RM_MAX_SECTION) {
		err = RM_ERROR_NORESOURCE;
		goto fail;
	}
	flags = b[2];
	err = RM_ERROR_ARG_INVALID;
	if (!n_acl || !n_sgl || b[0] != 0 || (flags & ~(MEM_FLAG_SANITIZE | MEM_FLAG_APPEND)))
		goto fail;
	if (n_acl > MAX_ACL) {
		err = RM_ERROR_NORESOURCE;
		goto fail;
	}
	for (u32 i = 0; i < n_acl; i++) {
		u16 vmid = get_le16(b + acl_off + 4 + 4 * i);
		u8 rights = b[acl_off + 6 + 4 * i];

		if (rights < 4 || rights > 7 || (vmid != HOST_VMID && !rm_vm_exists(vmid)))
			goto fail;
		for (u32 j = 0; j < i; j++)
			if (get_le16(b + acl_off + 4 + 4 * j) == vmid)
				goto fail;
		has_owner |= vmid == HOST_VMID;
	}
	if (has_owner == lend)
		goto fail;
	for (u32 i = 0; i < n_attr; i++) {
		u16 attr = get_le16(b + attr_off + 4 + 4 * i);
		u16 vmid = get_le16(b + attr_off + 6 + 4 * i);
		bool in_acl = false;

		if (attr > 3 || attr == 1)
			goto fail;
		for (u32 j = 0; j < n_acl; j++)
			in_acl |= get_le16(b + acl_off + 4 + 4 * j) == vmid;
		if (!in_acl) {
			err = RM_ERROR_VMID_INVALID;
			goto fail;
		}
	}
	err = check_sgl(b + sgl_off + 4, n_sgl, lend);
	if (err)
		goto fail;
	for (unsigned int i = 0; i < MAX_PARCELS; i++) {
		owned += parcels[i].used && parcels[i].owner == HOST_VMID;
		if (!parcels[i].used && !p)
			p = &parcels[i];
	}
	if (owned >= MAX_PARCELS || !p) {
		err = RM_ERROR_DENIED;
		goto fail;
	}
	*p = (struct rm_parcel){
		.used = true, .lend = lend, .constructing = flags & MEM_FLAG_APPEND,
		.owner = HOST_VMID, .label = get_le32(b + 4), .n_acl = n_acl,
	};
	do {
		p->handle = next_handle++;
	} while (!p->handle || p->handle == 0xffffffffU ||
		 rm_parcel_get(p->handle, HOST_VMID) != p);
	for (u32 i = 0; i < n_acl; i++) {
		p->acl[i].vmid = get_le16(b + acl_off + 4 + 4 * i);
		p->acl[i].rights = b[acl_off + 6 + 4 * i];
	}
	err = add_sgl(p, b + sgl_off + 4, n_sgl, flags & MEM_FLAG_SANITIZE);
	if (err) {
		free_parcel(p, false);
		goto fail;
	}
	put_le32(reply, p->handle);
	rm_reply(req, RM_OK, reply, 4);
	return;

bad_msg:
	err = RM_ERROR_MSG_INVALID;
fail:
	rm_reply(req, err, NULL, 0);
}

static void mem_append(const struct rm_request *req)
{
	const u8 *b = req->payload;
	size_t off = 8;
	struct rm_parcel *p;
	u32 n_sgl, err;

	if (req->len < 8 || !section(b, req->len, &off, 16, &n_sgl, false) || off != req->len) {
		rm_reply(req, RM_ERROR_MSG_INVALID, NULL, 0);
		return;
	}
	p = rm_parcel_get(get_le32(b), HOST_VMID);
	if (!p) {
		err = RM_ERROR_HANDLE_INVALID;
	} else if (!p->constructing) {
		err = RM_ERROR_DENIED;
	} else if (!n_sgl || (b[4] & ~1)) {
		err = RM_ERROR_ARG_INVALID;
	} else if (n_sgl > RM_MAX_SECTION) {
		err = RM_ERROR_NORESOURCE;
	} else {
		err = check_sgl(b + 12, n_sgl, p->lend);
		if (!err)
			err = add_sgl(p, b + 12, n_sgl, false);
		if (!err && (b[4] & 1))
			p->constructing = false;
	}
	rm_reply(req, err, NULL, 0);
}

static void mem_reclaim(const struct rm_request *req)
{
	struct rm_parcel *p;
	u32 err = RM_OK;

	if (req->len != 8) {
		rm_reply(req, RM_ERROR_MSG_INVALID, NULL, 0);
		return;
	}
	p = rm_parcel_get(get_le32(req->payload), HOST_VMID);
	if (!p)
		err = RM_ERROR_HANDLE_INVALID;
	else if (req->payload[4] & ~1)
		err = RM_ERROR_ARG_INVALID;
	else if (p->accepted_by)
		err = RM_ERROR_MEM_INUSE;
	if (!err) {
		rm_vm_parcel_gone(p);
		free_parcel(p, req->payload[4] & 1);
	}
	rm_reply(req, err, NULL, 0);
}

bool rm_mem_request(const struct rm_request *req)
{
	switch (req->fn) {
	case RM_MEM_LEND:
		mem_share(req, true);
		return true;
	case RM_MEM_SHARE:
		mem_share(req, false);
		return true;
	case RM_MEM_APPEND:
		mem_append(req);
		return true;
	case RM_MEM_RECLAIM:
		mem_reclaim(req);
		return true;
	default:
		return false;
	}
}
