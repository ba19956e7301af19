// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gunyah VM manager: memory given to a VM up front.
 *
 * GH_VM_SET_USER_MEM_REGION (shared: guest and host keep access) and
 * GH_VM_ANDROID_LEND_USER_MEM (lent: only the guest has access) give a
 * range of the VMM's memory to the guest.  At start each region becomes
 * one memory parcel (MEM_SHARE or MEM_LEND); at teardown the parcels are
 * reclaimed.  A page whose parcel cannot be reclaimed is never given back
 * to the kernel: it may still belong to the guest.
 *
 * Shared regions pin the VMM's pages: the host may touch them at any time.
 * The pins are long-term (FOLL_LONGTERM: pages in ZONE_MOVABLE or CMA are
 * migrated out first, and mappings that cannot be pinned for long, such
 * as files that need writeback, are refused with -EFAULT) and count as
 * locked memory of the VMM, limited by its RLIMIT_MEMLOCK unless it has
 * CAP_IPC_LOCK (-ENOMEM, with a line in the kernel log).
 *
 * Lent regions must never be reachable from the host while they are lent:
 * the hypervisor takes them out of the host's stage-2, and any access, by
 * the kernel on the VMM's behalf too (copy_from_user() in write(2),
 * process_vm_readv(), O_DIRECT, vmsplice(), ptrace, fork, core dumps), is
 * an external abort that kills the host.  So the driver takes a lent range
 * over when it is added: its contents are copied into a guest memory file
 * (guest_memfd.c) of the VM's own, and that file is mapped over the range
 * (MAP_SHARED | MAP_FIXED).  The VMM keeps using the range as before until
 * the VM starts; then every page is marked lent and unmapped, and a fault
 * on it gets SIGBUS until the parcel is reclaimed, so that user accesses
 * get SIGBUS and kernel accesses fail with -EFAULT.  A page the kernel
 * still holds when the VM starts (a pipe after vmsplice(), I/O in flight)
 * makes the start fail with -EBUSY rather than be lent.  The memory is the
 * guest memory file's, charged to the VMM's memory cgroup like any guest
 * memory and not to RLIMIT_MEMLOCK.
 */
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "vm_mgr.h"

#define GH_MEM_ALLOW_ALL	(GH_MEM_ALLOW_READ | GH_MEM_ALLOW_WRITE | GH_MEM_ALLOW_EXEC)
/*
 * Large enough for any guest of a phone or a server; the page array of a
 * region and its parcel's entries are vmalloc'd when they need to be.
 */
#define GUNYAH_MAX_REGION_PAGES	((64ULL * SZ_1G) >> PAGE_SHIFT)

/*
 * A lent region's range becomes a guest memory file of its own, mapped
 * where the VMM's memory was, with the same contents (see the top).
 */
static int gunyah_vm_take_over_range(struct gunyah_vm_mem_region *region)
{
	unsigned long addr;
	struct file *file;
	int ret;

	file = gunyah_gmem_create_file(region->size, 0);
	if (IS_ERR(file))
		return PTR_ERR(file);
	ret = gunyah_gmem_fill_from_user(file, region->userspace_addr, region->size);
	if (ret)
		goto err;
	addr = vm_mmap(file, region->userspace_addr, region->size, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_FIXED, 0);
	if (IS_ERR_VALUE(addr)) {
		ret = (long)addr;
		goto err;
	}
	region->gmem_file = file;
	return 0;
err:
	fput(file);
	return ret;
}

static bool ranges_overlap(u64 a, u64 a_size, u64 b, u64 b_size)
{
	return a < b + b_size && b < a + a_size;
}

/**
 * gunyah_vm_find_mem_region() - the region holding a guest range
 * @ghvm: the VM, with mem_lock held
 * @gpa: guest physical address
 * @size: size of the range
 *
 * Return: the region that contains all of [@gpa, @gpa + @size), or NULL.
 */
struct gunyah_vm_mem_region *gunyah_vm_find_mem_region(struct gunyah_vm *ghvm, u64 gpa,
						       u64 size)
{
	struct gunyah_vm_mem_region *region;

	list_for_each_entry(region, &ghvm->mem_regions, list)
		if (gpa >= region->guest_phys_addr &&
		    gpa + size <= region->guest_phys_addr + region->size)
			return region;
	return NULL;
}

/*
 * Pinned pages count as locked memory of the VMM (RLIMIT_MEMLOCK, unless
 * it has CAP_IPC_LOCK), as for the kernel's other long-term pinners.
 */
static int gunyah_vm_account_pinned(struct gunyah_vm *ghvm, unsigned long npages)
{
	int ret = account_locked_vm(ghvm->mm, npages, true);

	if (ret == -ENOMEM)
		dev_info_ratelimited(ghvm->parent,
				     "%lu KiB of shared memory exceeds RLIMIT_MEMLOCK (%lu KiB) of the VMM\n",
				     npages << (PAGE_SHIFT - 10), rlimit(RLIMIT_MEMLOCK) >> 10);
	return ret;
}

/**
 * gunyah_vm_add_mem_region() - pin user memory for the guest
 * @ghvm: the VM, not started
 * @r: the region from user space
 * @lend: lend rather than share the memory
 *
 * Return: 0, -EINVAL for bad flags (none at all included), sizes or
 * alignment, -EOVERFLOW for a range that wraps, -EEXIST for an overlap or
 * a reused label, -EFAULT if the memory cannot be pinned or copied,
 * -ENOMEM (also for shared memory beyond the VMM's RLIMIT_MEMLOCK), or
 * -EINTR if the caller was killed while a lent range was copied.
 */
int gunyah_vm_add_mem_region(struct gunyah_vm *ghvm, const struct gh_userspace_memory_region *r,
			     bool lend)
{
	struct gunyah_vm_mem_region *region, *iter;
	long pinned;
	int ret;

	if ((r->flags & ~GH_MEM_ALLOW_ALL) || !(r->flags & GH_MEM_ALLOW_ALL) || !r->memory_size ||
	    !PAGE_ALIGNED(r->memory_size) || !PAGE_ALIGNED(r->guest_phys_addr) ||
	    !PAGE_ALIGNED(r->userspace_addr))
		return -EINVAL;
	if (r->guest_phys_addr + r->memory_size < r->guest_phys_addr ||
	    r->userspace_addr + r->memory_size < r->userspace_addr)
		return -EOVERFLOW;
	if ((r->memory_size >> PAGE_SHIFT) > GUNYAH_MAX_REGION_PAGES)
		return -EINVAL;

	region = kzalloc(sizeof(*region), GFP_KERNEL);
	if (!region)
		return -ENOMEM;
	region->label = r->label;
	region->lend = lend;
	region->guest_phys_addr = r->guest_phys_addr;
	region->size = r->memory_size;
	region->userspace_addr = r->userspace_addr;
	region->flags = r->flags;
	region->npages = r->memory_size >> PAGE_SHIFT;
	region->parcel.mem_handle = GUNYAH_MEM_HANDLE_INVAL;

	mutex_lock(&ghvm->mem_lock);
	list_for_each_entry(iter, &ghvm->mem_regions, list) {
		if (iter->label == r->label ||
		    ranges_overlap(iter->guest_phys_addr, iter->size, r->guest_phys_addr,
				   r->memory_size)) {
			ret = -EEXIST;
			goto err_unlock;
		}
	}

	region->pages = kvcalloc(region->npages, sizeof(*region->pages), GFP_KERNEL);
	if (!region->pages) {
		ret = -ENOMEM;
		goto err_unlock;
	}
	if (lend) {
		ret = gunyah_vm_take_over_range(region);
		if (ret)
			goto err_pages;
		goto add;
	}
	ret = gunyah_vm_account_pinned(ghvm, region->npages);
	if (ret)
		goto err_pages;
	pinned = pin_user_pages_fast(region->userspace_addr, region->npages,
				     FOLL_WRITE | FOLL_LONGTERM, region->pages);
	if (pinned != region->npages) {
		if (pinned > 0)
			unpin_user_pages(region->pages, pinned);
		ret = pinned < 0 ? pinned : -EFAULT;
		goto err_account;
	}
add:
	list_add(&region->list, &ghvm->mem_regions);
	mutex_unlock(&ghvm->mem_lock);
	return 0;

err_account:
	account_locked_vm(ghvm->mm, region->npages, false);
err_pages:
	kvfree(region->pages);
err_unlock:
	mutex_unlock(&ghvm->mem_lock);
	kfree(region);
	return ret;
}

static u8 gunyah_vm_acl_rights(u32 flags)
{
	return (flags & GH_MEM_ALLOW_READ ? GUNYAH_RM_ACL_R : 0) |
	       (flags & GH_MEM_ALLOW_WRITE ? GUNYAH_RM_ACL_W : 0) |
	       (flags & GH_MEM_ALLOW_EXEC ? GUNYAH_RM_ACL_X : 0);
}

static int gunyah_vm_build_parcel(struct gunyah_vm *ghvm, struct gunyah_vm_mem_region *region,
				  u16 host_vmid)
{
	struct gunyah_rm_mem_parcel *parcel = &region->parcel;
	struct gunyah_rm_mem_entry *entries;
	unsigned long i, n = 0;

	parcel->mem_type = GUNYAH_RM_MEM_TYPE_NORMAL;
	parcel->label = region->label;
	parcel->n_acl_entries = region->lend ? 1 : 2;
	parcel->acl_entries = kcalloc(parcel->n_acl_entries, sizeof(*parcel->acl_entries),
				      GFP_KERNEL);
	if (!parcel->acl_entries)
		return -ENOMEM;
	parcel->acl_entries[0].vmid = cpu_to_le16(ghvm->vmid);
	parcel->acl_entries[0].perms = gunyah_vm_acl_rights(region->flags);
	if (!region->lend) {
		parcel->acl_entries[1].vmid = cpu_to_le16(host_vmid);
		parcel->acl_entries[1].perms = GUNYAH_RM_ACL_R | GUNYAH_RM_ACL_W |
					       GUNYAH_RM_ACL_X;
	}

	/* One entry per physically contiguous run of pages. */
	entries = kvcalloc(region->npages, sizeof(*entries), GFP_KERNEL);
	if (!entries) {
		kfree(parcel->acl_entries);
		parcel->acl_entries = NULL;
		return -ENOMEM;
	}
	for (i = 0; i < region->npages; i++) {
		phys_addr_t pa = page_to_phys(region->pages[i]);

		if (n && le64_to_cpu(entries[n - 1].phys_addr) +
			 le64_to_cpu(entries[n - 1].size) == pa) {
			le64_add_cpu(&entries[n - 1].size, PAGE_SIZE);
			continue;
		}
		entries[n].phys_addr = cpu_to_le64(pa);
		entries[n].size = cpu_to_le64(PAGE_SIZE);
		n++;
	}
	parcel->mem_entries = entries;
	parcel->n_mem_entries = n;
	return 0;
}

static void gunyah_vm_free_parcel(struct gunyah_rm_mem_parcel *parcel)
{
	kfree(parcel->acl_entries);
	kvfree(parcel->mem_entries);
	parcel->acl_entries = NULL;
	parcel->mem_entries = NULL;
}

/* The host has a lent region's pages again: the VMM may map them. */
static void gunyah_vm_region_unlend(struct gunyah_vm_mem_region *region)
{
	if (region->gmem_file)
		gunyah_gmem_unlend_file(region->gmem_file, region->npages);
}

/* A region's parcel was reclaimed. */
static void gunyah_vm_region_gone(struct gunyah_vm_mem_region *region)
{
	gunyah_vm_region_unlend(region);
	gunyah_vm_free_parcel(&region->parcel);
}

/**
 * gunyah_vm_share_mem_regions() - give every region to the VM
 * @ghvm: the VM, with its VMID allocated
 * @host_vmid: the host's own VMID (for the ACL of shared regions)
 *
 * Return: 0 or a negative errno; parcels already made are reclaimed at
 * teardown.
 */
int gunyah_vm_share_mem_regions(struct gunyah_vm *ghvm, u16 host_vmid)
{
	struct gunyah_vm_mem_region *region;
	int ret = 0;

	mutex_lock(&ghvm->mem_lock);
	list_for_each_entry(region, &ghvm->mem_regions, list) {
		if (region->gmem_file) {
			ret = gunyah_gmem_lend_file(region->gmem_file, region->pages,
						    region->npages);
			if (ret) {
				dev_info_ratelimited(ghvm->parent,
						     "VM %u: lent memory at %#llx is still in use by the kernel (pipe, I/O)\n",
						     ghvm->vmid, region->userspace_addr);
				break;
			}
		}
		ret = gunyah_vm_build_parcel(ghvm, region, host_vmid);
		if (ret) {
			gunyah_vm_region_unlend(region);
			break;
		}
		ret = gunyah_rm_mem_share(ghvm->rm, &region->parcel);
		if (ret) {
			/*
			 * Without a clean answer from the RM the parcel may
			 * exist: its pages may be the guest's now.
			 */
			if (ret == -EINTR || ret == -ETIMEDOUT || ret == -EBADMSG ||
			    ret == -EIO || ret == -ERESTARTSYS) {
				region->orphaned = true;
				dev_err(ghvm->parent,
					"VM %u: memory parcel in an unknown state (%d): %lu pages kept\n",
					ghvm->vmid, ret, region->npages);
			} else {
				gunyah_vm_region_unlend(region);
			}
			gunyah_vm_free_parcel(&region->parcel);
			break;
		}
	}
	mutex_unlock(&ghvm->mem_lock);
	return ret;
}

/**
 * gunyah_vm_reclaim_mem_regions() - take every region back from the RM
 * @ghvm: the VM, stopped and reset
 *
 * A region the RM refuses to give back stays pinned for good (its pages
 * may still be the guest's) and is reported.
 */
void gunyah_vm_reclaim_mem_regions(struct gunyah_vm *ghvm)
{
	struct gunyah_vm_mem_region *region;
	int ret;

	mutex_lock(&ghvm->mem_lock);
	list_for_each_entry(region, &ghvm->mem_regions, list) {
		if (region->parcel.mem_handle == GUNYAH_MEM_HANDLE_INVAL)
			continue;
		ret = gunyah_rm_mem_reclaim(ghvm->rm, &region->parcel);
		if (ret)
			dev_err(ghvm->parent,
				"VM %u: cannot reclaim memory parcel %#x (%d): %lu pages leaked\n",
				ghvm->vmid, region->parcel.mem_handle, ret, region->npages);
		else
			gunyah_vm_region_gone(region);
	}
	mutex_unlock(&ghvm->mem_lock);
}

/**
 * gunyah_vm_free_mem_regions() - unpin and free every region
 * @ghvm: the VM, being destroyed
 */
void gunyah_vm_free_mem_regions(struct gunyah_vm *ghvm)
{
	struct gunyah_vm_mem_region *region, *iter;

	mutex_lock(&ghvm->mem_lock);
	list_for_each_entry_safe(region, iter, &ghvm->mem_regions, list) {
		list_del(&region->list);
		if (region->parcel.mem_handle != GUNYAH_MEM_HANDLE_INVAL || region->orphaned)
			continue;	/* may still be the guest's: leak it */
		if (region->gmem_file) {
			fput(region->gmem_file);
		} else {
			unpin_user_pages_dirty_lock(region->pages, region->npages, true);
			account_locked_vm(ghvm->mm, region->npages, false);
		}
		kvfree(region->pages);
		kfree(region);
	}
	mutex_unlock(&ghvm->mem_lock);
}

/*
 * GH_VM_RECLAIM_REGION on a user memory region: the region is one memory
 * parcel, which the RM takes back only whole, and only once the guest has
 * released it.
 */
static int gunyah_vm_region_reclaim(struct gunyah_vm *ghvm, struct gunyah_vm_mem_region *region,
				    u64 gpa, u64 size)
{
	int ret;

	if (region->orphaned) {
		dev_info_ratelimited(ghvm->parent,
				     "VM %u: %#llx+%#llx is in a memory parcel in an unknown state\n",
				     ghvm->vmid, gpa, size);
		return -EBUSY;
	}
	if (region->parcel.mem_handle == GUNYAH_MEM_HANDLE_INVAL)
		return 0;	/* not given (yet, or any more): the host's already */
	if (gpa != region->guest_phys_addr || size != region->size) {
		dev_info_ratelimited(ghvm->parent,
				     "VM %u: %#llx+%#llx is part of memory parcel %#x (label %u): the RM takes a parcel back only whole\n",
				     ghvm->vmid, gpa, size, region->parcel.mem_handle,
				     region->label);
		return -EBUSY;
	}
	ret = gunyah_rm_mem_reclaim(ghvm->rm, &region->parcel);
	if (ret) {
		dev_info_ratelimited(ghvm->parent,
				     "VM %u: the RM keeps memory parcel %#x (label %u) (%d): the guest has not released it\n",
				     ghvm->vmid, region->parcel.mem_handle, region->label, ret);
		/* A refusal (MEM_INUSE, DENIED): the guest has it. */
		return ret == -EADDRINUSE || ret == -EPERM || ret == -EBUSY ? -EBUSY : ret;
	}
	gunyah_vm_region_gone(region);
	return 0;
}

/**
 * gunyah_vm_reclaim_region() - GH_VM_RECLAIM_REGION
 * @ghvm: the VM
 * @gpa: start of the guest range
 * @size: its size
 *
 * See the UAPI header for what it does to each kind of memory.
 *
 * Return: 0; -EINVAL for a size of zero, a range not page-aligned or one
 * that wraps; -ENOENT if no single binding or region holds all of the
 * range; -EBUSY for memory of a parcel the RM does not take back; -EIO if
 * the hypervisor did not give pages back; another negative errno.
 */
int gunyah_vm_reclaim_region(struct gunyah_vm *ghvm, u64 gpa, u64 size)
{
	struct gunyah_vm_mem_region *region;
	struct gunyah_gmem_binding *b;
	u64 end;
	int ret;

	if (!size || !PAGE_ALIGNED(gpa) || !PAGE_ALIGNED(size) ||
	    check_add_overflow(gpa, size, &end))
		return -EINVAL;
	mutex_lock(&ghvm->mem_lock);
	b = gunyah_vm_find_binding(ghvm, gpa, size);
	region = b ? NULL : gunyah_vm_find_mem_region(ghvm, gpa, size);
	if (b)
		ret = gunyah_binding_reclaim_range(ghvm, b, gpa, size);
	else if (region)
		ret = gunyah_vm_region_reclaim(ghvm, region, gpa, size);
	else
		ret = -ENOENT;
	mutex_unlock(&ghvm->mem_lock);
	return ret;
}
