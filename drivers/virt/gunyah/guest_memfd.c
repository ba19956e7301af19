// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gunyah guest memory files and their bindings to VMs.
 *
 * GUNYAH_CREATE_GUEST_MEM makes a file of guest memory: zeroed pages,
 * allocated on demand (fallocate, mmap, or when a VM needs them) and kept
 * in an xarray.  GUNYAH_VM_MAP_MEM binds a range of such a file to a range
 * of a VM's guest physical addresses, to be lent (only the guest has
 * access) or shared.  A range of a file is bound at most once, across all
 * VMs; bindings can be trimmed at either end or removed.
 *
 * At start, the binding holding the VM's device tree becomes the image
 * parcel: all of its pages are lent or shared at once.  A lent page is out
 * of reach of the host: it must not be mapped by user space when it is
 * lent (-EPERM), and mapping it afterwards gets SIGBUS.
 *
 * With GHMF_ALLOW_HUGEPAGE, a page is allocated with the 2 MiB folio that
 * holds it when the whole 2 MiB range of the file is still empty and the
 * host has a free 2 MiB block (no reclaim or retries for it); otherwise as
 * a 4 KiB page.  The xarray always holds one entry per page (the folio's
 * page at that index), so that lending, sharing, demand paging and
 * punching holes work page by page whatever the folio; a folio is freed
 * when none of its pages is left in the file.  The file's fdinfo tells how
 * many of each it holds (huge_folios, small_pages).
 *
 * Pages given page by page come back in runs (gunyah_binding_reclaim()):
 * pages next to each other both in the guest's and in the host's physical
 * address space (the pages of a 2 MiB folio always are) are unmapped with
 * one addrspace_unmap and donated back with one memextent_donate, and the
 * hypervisor invalidates the guest's TLB once per batch of runs (NOSYNC on
 * every unmap of a batch but the last).  Teardown, punching a hole and GH_VM_RECLAIM_REGION
 * all use it, so their cost follows the number of pages the guest touched,
 * not the size of the guest.
 *
 * Locking: gmem->lock protects the pages, the bindings of the file, the
 * lent flags and the counts; it nests inside ghvm->mem_lock.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/falloc.h>
#include <linux/mm.h>
#include <linux/mount.h>
#include <linux/pagevec.h>
#include <linux/pseudo_fs.h>
#include <linux/seq_file.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "gunyah_platform_hooks.h"
#include "vm_mgr.h"

#define GUNYAH_GMEM_FLAGS	(GHMF_CLOEXEC | GHMF_ALLOW_HUGEPAGE)
#define GUNYAH_GMEM_LENT	XA_MARK_0	/* the guest has it: host mmap gets SIGBUS */
#define GUNYAH_GMEM_PROVIDED	XA_MARK_1	/* given page by page (demand paging) */
#define GUNYAH_GMEM_UNMAPPED	XA_MARK_2	/* provided, unmapped, not donated back yet */

/* Memory extent labels of the RM's MEM_EXTENT resources */
#define GUNYAH_EXT_GUEST_PRIVATE	0
#define GUNYAH_EXT_HOST_SHARED		1
#define GUNYAH_EXT_HOST_PRIVATE		2
#define GUNYAH_EXT_GUEST_SHARED		3
#define GUNYAH_GMEM_MAGIC	0x47484d46	/* "GHMF" */
#define GUNYAH_GMEM_HUGE_ORDER	(21 - PAGE_SHIFT)	/* 2 MiB */
#define GUNYAH_GMEM_HUGE_PAGES	BIT(GUNYAH_GMEM_HUGE_ORDER)
#define GUNYAH_GMEM_CHUNK_ORDER	4	/* 64 KiB blocks, split into 4 KiB pages */
#define GUNYAH_GMEM_CHUNK_PAGES	BIT(GUNYAH_GMEM_CHUNK_ORDER)

struct gunyah_gmem {
	struct inode *inode;	/* its size is the file's: ftruncate changes it */
	u64 flags;
	struct mutex lock;		/* see above */
	struct xarray pages;		/* page index -> struct page */
	struct list_head bindings;
	unsigned long huge_folios;	/* 2 MiB folios held */
	unsigned long small_pages;	/* order-0 pages held */
};

static const struct file_operations gunyah_gmem_fops;
static struct vfsmount *gunyah_gmem_mnt;

static u64 gunyah_gmem_size(struct gunyah_gmem *gmem)
{
	return i_size_read(gmem->inode);
}

static struct gunyah_gmem *gunyah_gmem_of(struct file *file)
{
	return file->f_op == &gunyah_gmem_fops ? file->private_data : NULL;
}

/*
 * Drop the file's use of the page at @index, already erased from the
 * xarray; its folio goes when none of its pages is left.  Under gmem->lock.
 */
static void gunyah_gmem_put_page(struct gunyah_gmem *gmem, pgoff_t index, struct page *page,
				 struct folio_batch *fbatch)
{
	struct folio *folio = page_folio(page);
	pgoff_t first = round_down(index, folio_nr_pages(folio));
	struct page *iter;
	unsigned long i;

	if (folio_test_large(folio)) {
		xa_for_each_range(&gmem->pages, i, iter, first, first + folio_nr_pages(folio) - 1)
			if (page_folio(iter) == folio)
				return;
		gmem->huge_folios--;
	} else {
		gmem->small_pages--;
		/* Freed in batches: one memcg uncharge and zone lock a batch. */
		if (!folio_batch_add(fbatch, folio))
			folio_batch_release(fbatch);
		return;
	}
	folio_put(folio);
}

/*
 * The 2 MiB folio around @index, stored page by page, if the file may have
 * one there and the host has one at hand; NULL otherwise.
 */
static struct page *gunyah_gmem_huge_page(struct gunyah_gmem *gmem, pgoff_t index)
{
	pgoff_t first = round_down(index, GUNYAH_GMEM_HUGE_PAGES), i;
	unsigned long last = first + GUNYAH_GMEM_HUGE_PAGES - 1;
	unsigned long found = first;
	struct folio *folio;

	if (!(gmem->flags & GHMF_ALLOW_HUGEPAGE) ||
	    ((u64)last << PAGE_SHIFT) >= gunyah_gmem_size(gmem) ||
	    xa_find(&gmem->pages, &found, last, XA_PRESENT))
		return NULL;
	folio = folio_alloc(GFP_KERNEL_ACCOUNT | __GFP_ZERO | __GFP_NORETRY | __GFP_NOWARN,
			    GUNYAH_GMEM_HUGE_ORDER);
	if (!folio)
		return NULL;
	for (i = 0; i < GUNYAH_GMEM_HUGE_PAGES; i++) {
		if (xa_err(xa_store(&gmem->pages, first + i, folio_page(folio, i), GFP_KERNEL))) {
			while (i--)
				xa_erase(&gmem->pages, first + i);
			folio_put(folio);
			return NULL;
		}
	}
	gmem->huge_folios++;
	return folio_page(folio, index - first);
}

/*
 * The 4 KiB page at @index, from a fresh 64 KiB block split into pages that
 * all go into the file, if no slot of that block holds a page yet; NULL if
 * the host has no such block at hand.  Pages a guest touches near each
 * other are then contiguous in host memory as well, and come back from it
 * in one run at teardown rather than one by one.
 */
static struct page *gunyah_gmem_chunk_page(struct gunyah_gmem *gmem, pgoff_t index)
{
	pgoff_t first = round_down(index, GUNYAH_GMEM_CHUNK_PAGES), i;
	unsigned long last = first + GUNYAH_GMEM_CHUNK_PAGES - 1;
	unsigned long found = first;
	struct page *page;

	if (((u64)last << PAGE_SHIFT) >= gunyah_gmem_size(gmem) ||
	    xa_find(&gmem->pages, &found, last, XA_PRESENT))
		return NULL;
	page = alloc_pages(GFP_KERNEL_ACCOUNT | __GFP_ZERO | __GFP_NORETRY | __GFP_NOWARN,
			   GUNYAH_GMEM_CHUNK_ORDER);
	if (!page)
		return NULL;
	split_page(page, GUNYAH_GMEM_CHUNK_ORDER);
	for (i = 0; i < GUNYAH_GMEM_CHUNK_PAGES; i++) {
		if (xa_err(xa_store(&gmem->pages, first + i, page + i, GFP_KERNEL))) {
			while (i--)
				xa_erase(&gmem->pages, first + i);
			for (i = 0; i < GUNYAH_GMEM_CHUNK_PAGES; i++)
				__free_page(page + i);
			return NULL;
		}
	}
	gmem->small_pages += GUNYAH_GMEM_CHUNK_PAGES;
	return page + (index - first);
}

/* The page at @index, allocated (zeroed) if needed; under gmem->lock. */
static struct page *gunyah_gmem_page(struct gunyah_gmem *gmem, pgoff_t index)
{
	struct page *page = xa_load(&gmem->pages, index);

	if (page)
		return page;
	page = gunyah_gmem_huge_page(gmem, index);
	if (page)
		return page;
	page = gunyah_gmem_chunk_page(gmem, index);
	if (page)
		return page;
	page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!page)
		return NULL;
	if (xa_err(xa_store(&gmem->pages, index, page, GFP_KERNEL))) {
		__free_page(page);
		return NULL;
	}
	gmem->small_pages++;
	return page;
}

static int gunyah_binding_reclaim(struct gunyah_gmem_binding *b, unsigned long first,
				  unsigned long last);

static bool gunyah_gmem_range_bound(struct gunyah_gmem *gmem, u64 offset, u64 len)
{
	struct gunyah_gmem_binding *b;

	list_for_each_entry(b, &gmem->bindings, gmem_list)
		if (offset < b->offset + b->size && b->offset < offset + len)
			return true;
	return false;
}

/*
 * Drop the file's pages among [@first, @last] that no guest has (neither
 * lent nor given page by page), freeing them through @fbatch; under
 * gmem->lock.  A large range has many pages: let others run now and then.
 */
static void gunyah_gmem_put_unheld(struct gunyah_gmem *gmem, unsigned long first,
				   unsigned long last, struct folio_batch *fbatch)
{
	unsigned long index;
	struct page *page;

	xa_for_each_range(&gmem->pages, index, page, first, last) {
		if (!xa_get_mark(&gmem->pages, index, GUNYAH_GMEM_LENT) &&
		    !xa_get_mark(&gmem->pages, index, GUNYAH_GMEM_PROVIDED))
			gunyah_gmem_put_page(gmem, index, xa_erase(&gmem->pages, index), fbatch);
		if (!(index % 512))
			cond_resched();
	}
}

/*
 * Take pages [@first, @last] of the file back from the guests that have
 * them and free them (under gmem->lock, user mappings already gone).
 * Returns 0; -EBUSY if the range holds pages of an image parcel, which
 * cannot be taken back one by one (nothing is done then); -EIO if the
 * hypervisor did not give some pages back: those stay the guest's and
 * are kept, the others are freed.
 */
static int gunyah_gmem_punch(struct gunyah_gmem *gmem, unsigned long first, unsigned long last)
{
	struct folio_batch fbatch;
	struct gunyah_gmem_binding *b;
	int ret = 0;

	list_for_each_entry(b, &gmem->bindings, gmem_list) {
		unsigned long b_first = b->offset >> PAGE_SHIFT;

		if (b->in_parcel && first < b_first + (b->parcel_size >> PAGE_SHIFT) &&
		    b_first <= last)
			return -EBUSY;
	}
	list_for_each_entry(b, &gmem->bindings, gmem_list) {
		unsigned long b_first = b->offset >> PAGE_SHIFT;
		unsigned long b_last = ((b->offset + b->size) >> PAGE_SHIFT) - 1;

		if (b_first <= last && first <= b_last &&
		    gunyah_binding_reclaim(b, max(first, b_first), min(last, b_last)))
			ret = -EIO;
	}
	folio_batch_init(&fbatch);
	gunyah_gmem_put_unheld(gmem, first, last, &fbatch);
	folio_batch_release(&fbatch);
	return ret;
}

static long gunyah_gmem_fallocate(struct file *file, int mode, loff_t offset, loff_t len)
{
	struct gunyah_gmem *gmem = file->private_data;
	u64 end;
	long ret = 0;

	if (!(mode & FALLOC_FL_KEEP_SIZE))
		return -EOPNOTSUPP;
	if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE))
		return -EOPNOTSUPP;
	if (offset < 0 || len <= 0 || !PAGE_ALIGNED(offset) || !PAGE_ALIGNED(len) ||
	    check_add_overflow((u64)offset, (u64)len, &end))
		return -EINVAL;

	mutex_lock(&gmem->lock);
	if (mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) {
		/*
		 * Pages a guest has are taken back first; the guest's next
		 * access faults in a fresh zeroed page.  Pages of an image
		 * parcel cannot be taken back one by one.
		 */
		unmap_mapping_range(file->f_mapping, offset, len, 0);
		ret = gunyah_gmem_punch(gmem, offset >> PAGE_SHIFT, (end >> PAGE_SHIFT) - 1);
		goto out;
	}
	if (end > gunyah_gmem_size(gmem)) {
		ret = -EINVAL;
		goto out;
	}
	for (u64 i = offset >> PAGE_SHIFT; i < end >> PAGE_SHIFT; i++) {
		if (!gunyah_gmem_page(gmem, i)) {
			ret = -ENOMEM;
			break;
		}
	}
out:
	mutex_unlock(&gmem->lock);
	return ret;
}

static vm_fault_t gunyah_gmem_fault(struct vm_fault *vmf)
{
	struct gunyah_gmem *gmem = vmf->vma->vm_file->private_data;
	vm_fault_t ret = 0;
	struct page *page;

	mutex_lock(&gmem->lock);
	if (((u64)vmf->pgoff << PAGE_SHIFT) >= gunyah_gmem_size(gmem) ||
	    xa_get_mark(&gmem->pages, vmf->pgoff, GUNYAH_GMEM_LENT)) {
		ret = VM_FAULT_SIGBUS;	/* beyond the end, or the guest's */
		goto out;
	}
	page = gunyah_gmem_page(gmem, vmf->pgoff);
	if (!page) {
		ret = VM_FAULT_OOM;
		goto out;
	}
	get_page(page);
	vmf->page = page;
out:
	mutex_unlock(&gmem->lock);
	return ret;
}

static const struct vm_operations_struct gunyah_gmem_vm_ops = {
	.fault = gunyah_gmem_fault,
};

static int gunyah_gmem_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	vma->vm_ops = &gunyah_gmem_vm_ops;
	return 0;
}

/*
 * Drop the 4 KiB pages of a file being released that no guest has, in one
 * walk of its xarray; 2 MiB folios, and pages a guest has, are left to the
 * caller.
 */
static void gunyah_gmem_release_small(struct gunyah_gmem *gmem, struct folio_batch *fbatch)
{
	XA_STATE(xas, &gmem->pages, 0);
	struct page *page;

	xas_lock(&xas);
	xas_for_each(&xas, page, ULONG_MAX) {
		if (xas_get_mark(&xas, GUNYAH_GMEM_LENT) ||
		    xas_get_mark(&xas, GUNYAH_GMEM_PROVIDED) || PageCompound(page))
			continue;
		xas_store(&xas, NULL);
		gmem->small_pages--;
		if (!folio_batch_add(fbatch, page_folio(page)) || need_resched()) {
			xas_pause(&xas);
			xas_unlock(&xas);
			folio_batch_release(fbatch);
			cond_resched();
			xas_lock(&xas);
		}
	}
	xas_unlock(&xas);
}

static int gunyah_gmem_release(struct inode *inode, struct file *file)
{
	struct gunyah_gmem *gmem = file->private_data;
	struct folio_batch fbatch;

	/*
	 * Bindings hold the file: none is left here.  Lent pages stay lent,
	 * pages a guest kept (shared ones too: their reclaim failed) stay
	 * its, and so does the rest of their folio.
	 */
	folio_batch_init(&fbatch);
	gunyah_gmem_release_small(gmem, &fbatch);
	gunyah_gmem_put_unheld(gmem, 0, ULONG_MAX, &fbatch);
	folio_batch_release(&fbatch);
	xa_destroy(&gmem->pages);
	kfree(gmem);
	return 0;
}

static void gunyah_gmem_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct gunyah_gmem *gmem = file->private_data;

	mutex_lock(&gmem->lock);
	seq_printf(m, "huge_folios:\t%lu\nsmall_pages:\t%lu\n", gmem->huge_folios,
		   gmem->small_pages);
	mutex_unlock(&gmem->lock);
}

static const struct file_operations gunyah_gmem_fops = {
	.owner = THIS_MODULE,
	.show_fdinfo = gunyah_gmem_show_fdinfo,
	.mmap = gunyah_gmem_mmap,
	.fallocate = gunyah_gmem_fallocate,
	.release = gunyah_gmem_release,
	.llseek = noop_llseek,
};

static int gunyah_gmem_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, GUNYAH_GMEM_MAGIC) ? 0 : -ENOMEM;
}

static struct file_system_type gunyah_gmem_fs = {
	.name = "gunyah_gmem",
	.init_fs_context = gunyah_gmem_init_fs_context,
	.kill_sb = kill_anon_super,
};

/**
 * gunyah_gmem_init() - mount the pseudo file system of guest memory files
 *
 * Return: 0 or a negative errno.
 */
int gunyah_gmem_init(void)
{
	gunyah_gmem_mnt = kern_mount(&gunyah_gmem_fs);
	return PTR_ERR_OR_ZERO(gunyah_gmem_mnt);
}

/**
 * gunyah_gmem_exit() - unmount it
 */
void gunyah_gmem_exit(void)
{
	kern_unmount(gunyah_gmem_mnt);
}

/**
 * gunyah_gmem_create_file() - a new guest memory file
 * @size: its size, page-aligned
 * @flags: GHMF_* flags, already checked
 *
 * Return: the file, or an ERR_PTR.
 */
struct file *gunyah_gmem_create_file(u64 size, u64 flags)
{
	struct gunyah_gmem *gmem;
	struct inode *inode;
	struct file *file;

	gmem = kzalloc(sizeof(*gmem), GFP_KERNEL);
	if (!gmem)
		return ERR_PTR(-ENOMEM);
	gmem->flags = flags;
	mutex_init(&gmem->lock);
	xa_init_flags(&gmem->pages, XA_FLAGS_ACCOUNT);
	INIT_LIST_HEAD(&gmem->bindings);

	/* A regular file of its own, so that ftruncate and fallocate apply. */
	inode = alloc_anon_inode(gunyah_gmem_mnt->mnt_sb);
	if (IS_ERR(inode)) {
		kfree(gmem);
		return ERR_CAST(inode);
	}
	inode->i_mode |= S_IFREG;
	inode->i_private = gmem;
	gmem->inode = inode;
	i_size_write(inode, size);

	/*
	 * The file holds a reference on this module, dropped by __fput();
	 * the caller's /dev/gunyah or VM file keeps the module here meanwhile.
	 */
	__module_get(THIS_MODULE);
	file = alloc_file_pseudo(inode, gunyah_gmem_mnt, "gh-gmem", O_RDWR, &gunyah_gmem_fops);
	if (IS_ERR(file)) {
		module_put(THIS_MODULE);
		iput(inode);
		kfree(gmem);
		return file;
	}
	file->private_data = gmem;
	return file;
}

/**
 * gunyah_gmem_fill_from_user() - copy user memory into a new guest memory file
 * @file: a guest memory file from gunyah_gmem_create_file(), not mapped yet
 * @uaddr: the user memory
 * @size: bytes to copy, page-aligned, at most the file's size
 *
 * Return: 0, -EFAULT, -ENOMEM, or -EINTR if the caller was killed.
 */
int gunyah_gmem_fill_from_user(struct file *file, unsigned long uaddr, u64 size)
{
	struct gunyah_gmem *gmem = file->private_data;

	for (pgoff_t i = 0; i < size >> PAGE_SHIFT; i++) {
		void __user *src = (void __user *)(uaddr + (i << PAGE_SHIFT));
		struct page *page;

		mutex_lock(&gmem->lock);
		page = gunyah_gmem_page(gmem, i);
		mutex_unlock(&gmem->lock);
		if (!page)
			return -ENOMEM;
		if (copy_from_user(page_address(page), src, PAGE_SIZE))
			return -EFAULT;
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	return 0;
}

/*
 * Whether the kernel holds a page beyond the file's own reference: a user
 * mapping, or a reference taken through one before it went (a pipe after
 * vmsplice, I/O in flight).  Such a page must not be lent: the holder
 * would touch memory the host no longer has.  Pages of guest memory files
 * are never on an LRU list, so nothing else holds them.  References are
 * the folio's: a page of a 2 MiB folio counts as held when any page of the
 * folio is.
 */
static bool gunyah_gmem_page_held(struct page *page)
{
	struct folio *folio = page_folio(page);

	return folio_mapped(folio) || folio_ref_count(folio) != 1;
}

/**
 * gunyah_gmem_lend_file() - take a whole guest memory file from user space
 * @file: the file
 * @pages: filled with its pages, in order
 * @n: number of pages, all allocated
 *
 * The pages are marked lent and unmapped from every user mapping; a fault
 * on them gets SIGBUS until gunyah_gmem_unlend_file().
 *
 * Return: 0, or -EBUSY if the kernel still holds one of them (nothing is
 * marked then).
 */
int gunyah_gmem_lend_file(struct file *file, struct page **pages, unsigned long n)
{
	struct gunyah_gmem *gmem = file->private_data;
	unsigned long i;
	int ret = 0;

	mutex_lock(&gmem->lock);
	for (i = 0; i < n; i++)
		xa_set_mark(&gmem->pages, i, GUNYAH_GMEM_LENT);
	unmap_mapping_range(file->f_mapping, 0, (loff_t)n << PAGE_SHIFT, 0);
	for (i = 0; i < n && !ret; i++) {
		pages[i] = xa_load(&gmem->pages, i);
		if (!pages[i] || gunyah_gmem_page_held(pages[i]))
			ret = -EBUSY;
	}
	if (ret)
		for (i = 0; i < n; i++)
			xa_clear_mark(&gmem->pages, i, GUNYAH_GMEM_LENT);
	mutex_unlock(&gmem->lock);
	return ret;
}

/**
 * gunyah_gmem_unlend_file() - give a file taken with gunyah_gmem_lend_file() back
 * @file: the file, whose pages are the host's again
 * @n: number of pages
 */
void gunyah_gmem_unlend_file(struct file *file, unsigned long n)
{
	struct gunyah_gmem *gmem = file->private_data;

	mutex_lock(&gmem->lock);
	for (unsigned long i = 0; i < n; i++)
		xa_clear_mark(&gmem->pages, i, GUNYAH_GMEM_LENT);
	mutex_unlock(&gmem->lock);
}

/**
 * gunyah_guest_mem_create() - GUNYAH_CREATE_GUEST_MEM
 * @args: flags and size from user space
 *
 * Return: a file descriptor; -EINVAL for unknown flags, non-zero reserved
 * fields or a size that is zero or not page-aligned; -EFBIG for a size no
 * file can have (above MAX_LFS_FILESIZE); or another negative errno.
 */
long gunyah_guest_mem_create(const struct gunyah_create_mem_args *args)
{
	struct file *file;
	int fd;

	if ((args->flags & ~GUNYAH_GMEM_FLAGS) || !args->size || !PAGE_ALIGNED(args->size) ||
	    memchr_inv(args->reserved, 0, sizeof(args->reserved)))
		return -EINVAL;
	if (args->size > MAX_LFS_FILESIZE)
		return -EFBIG;
	if ((args->flags & GHMF_ALLOW_HUGEPAGE) && !IS_ALIGNED(args->size, SZ_2M))
		return -EINVAL;

	file = gunyah_gmem_create_file(args->size, args->flags);
	if (IS_ERR(file))
		return PTR_ERR(file);
	fd = get_unused_fd_flags((args->flags & GHMF_CLOEXEC) ? O_CLOEXEC : 0);
	if (fd < 0) {
		fput(file);	/* frees gmem through release */
		return fd;
	}
	fd_install(fd, file);
	return fd;
}

static bool gunyah_binding_flags_ok(u32 flags)
{
	u32 access = flags & GUNYAH_MEM_ACCESS_MASK;

	return !(flags & ~(GUNYAH_MEM_ACCESS_MASK | GUNYAH_MEM_ALLOW_RWX)) &&
	       (flags & GUNYAH_MEM_ALLOW_RWX) && access <= GUNYAH_MEM_FORCE_SHARE;
}

/* A range of the file at a range of guest addresses: aligned, not empty, not wrapping. */
static bool gunyah_binding_range_ok(const struct gunyah_map_mem_args *args,
				    struct gunyah_gmem *gmem)
{
	u64 align = (gmem->flags & GHMF_ALLOW_HUGEPAGE) ? SZ_2M : PAGE_SIZE;
	u64 end;

	return args->size && IS_ALIGNED(args->guest_addr | args->offset | args->size, align) &&
	       !check_add_overflow(args->guest_addr, args->size, &end) &&
	       !check_add_overflow(args->offset, args->size, &end) &&
	       end <= gunyah_gmem_size(gmem);
}

static int gunyah_vm_bind(struct gunyah_vm *ghvm, const struct gunyah_map_mem_args *args,
			  struct file *file, struct gunyah_gmem *gmem)
{
	struct gunyah_gmem_binding *b, *iter;

	if (!gunyah_binding_flags_ok(args->flags) || !gunyah_binding_range_ok(args, gmem))
		return -EINVAL;

	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	b->guest_addr = args->guest_addr;
	b->offset = args->offset;
	b->size = args->size;
	b->flags = args->flags;
	b->gmem = gmem;
	b->file = file;
	b->ghvm = ghvm;

	lockdep_assert_held(&ghvm->mem_lock);
	mutex_lock(&gmem->lock);
	if (gunyah_gmem_range_bound(gmem, args->offset, args->size))
		goto exists;
	list_for_each_entry(iter, &ghvm->bindings, vm_list)
		if (args->guest_addr < iter->guest_addr + iter->size &&
		    iter->guest_addr < args->guest_addr + args->size)
			goto exists;
	get_file(file);
	list_add(&b->gmem_list, &gmem->bindings);
	list_add(&b->vm_list, &ghvm->bindings);
	mutex_unlock(&gmem->lock);
	return 0;

exists:
	mutex_unlock(&gmem->lock);
	kfree(b);
	return -EEXIST;
}

/* Under gmem->lock; the caller drops the file reference once unlocked. */
static struct file *gunyah_binding_free(struct gunyah_gmem_binding *b)
{
	struct file *file = b->file;

	list_del(&b->gmem_list);
	list_del(&b->vm_list);
	kfree(b);
	return file;
}

static bool gunyah_binding_has_provided(struct gunyah_gmem_binding *b)
{
	unsigned long index = b->offset >> PAGE_SHIFT;
	struct page *page;

	xa_for_each_range(&b->gmem->pages, index, page, b->offset >> PAGE_SHIFT,
			  ((b->offset + b->size) >> PAGE_SHIFT) - 1)
		if (xa_get_mark(&b->gmem->pages, index, GUNYAH_GMEM_PROVIDED))
			return true;
	return false;
}

/*
 * Unbind the middle of @b: @b keeps what is below @args, a new binding
 * (@tail, allocated by the caller) takes what is above.  Under gmem->lock.
 */
static void gunyah_binding_split(struct gunyah_gmem_binding *b, struct gunyah_gmem_binding *tail,
				 const struct gunyah_map_mem_args *args)
{
	u64 cut = args->guest_addr + args->size - b->guest_addr;

	*tail = *b;
	/* Not given to the guest (checked by the caller): no parcel to carry. */
	tail->in_parcel = false;
	tail->parcel_size = 0;
	memset(&tail->parcel, 0, sizeof(tail->parcel));
	tail->guest_addr += cut;
	tail->offset += cut;
	tail->size -= cut;
	b->size = args->guest_addr - b->guest_addr;
	get_file(tail->file);
	list_add(&tail->gmem_list, &b->gmem_list);
	list_add(&tail->vm_list, &b->vm_list);
}

static int gunyah_vm_unbind(struct gunyah_vm *ghvm, const struct gunyah_map_mem_args *args,
			    struct gunyah_gmem *gmem)
{
	u32 flags = args->flags & ~GUNYAH_MEM_UNMAP;
	struct gunyah_gmem_binding *b, *tail;
	int ret = -ENOENT;

	/* The same rules as for binding: a wrapping size must not grow a binding. */
	if (!gunyah_binding_range_ok(args, gmem))
		return -EINVAL;
	/* For an unmap of a middle piece, which leaves two bindings. */
	tail = kzalloc(sizeof(*tail), GFP_KERNEL);
	if (!tail)
		return -ENOMEM;
	mutex_lock(&gmem->lock);
	list_for_each_entry(b, &ghvm->bindings, vm_list) {
		if (b->gmem != gmem || b->flags != flags || args->guest_addr < b->guest_addr ||
		    args->guest_addr + args->size > b->guest_addr + b->size ||
		    args->offset - b->offset != args->guest_addr - b->guest_addr)
			continue;
		if (b->in_parcel || gunyah_binding_has_provided(b)) {
			ret = -EBUSY;	/* the guest has (some of) it */
		} else if (args->guest_addr == b->guest_addr && args->size == b->size) {
			/* The caller's own reference keeps the file alive here. */
			fput(gunyah_binding_free(b));
			ret = 0;
		} else if (args->guest_addr == b->guest_addr) {
			b->guest_addr += args->size;
			b->offset += args->size;
			b->size -= args->size;
			ret = 0;
		} else if (args->guest_addr + args->size == b->guest_addr + b->size) {
			b->size -= args->size;
			ret = 0;
		} else if (b->labelled) {
			/* Two bindings cannot make one labelled parcel. */
			dev_info_ratelimited(ghvm->parent,
					     "cannot unmap the middle of the binding of parcel label %u\n",
					     b->label);
			ret = -EINVAL;
		} else {
			gunyah_binding_split(b, tail, args);
			tail = NULL;
			ret = 0;
		}
		break;
	}
	mutex_unlock(&gmem->lock);
	kfree(tail);
	return ret;
}

/**
 * gunyah_vm_map_mem() - GUNYAH_VM_MAP_MEM
 * @ghvm: the VM
 * @args: the binding from user space
 *
 * An unmap of a middle piece of a binding leaves two bindings.
 *
 * Return: 0; -EINVAL for a file that is not guest memory, bad flags,
 * sizes or alignment, or an unmap of the middle of a labelled binding
 * (GH_VM_ANDROID_MAP_CMA_MEM); -ENOMEM; -EEXIST for
 * an overlap; -ENOENT for an unmap matching no binding; -EBUSY for an
 * unmap of memory the guest has.
 */
int gunyah_vm_map_mem(struct gunyah_vm *ghvm, const struct gunyah_map_mem_args *args)
{
	struct gunyah_gmem *gmem;
	struct file *file;
	int ret;

	file = fget(args->guest_mem_fd);
	if (!file)
		return -EINVAL;
	gmem = gunyah_gmem_of(file);
	if (!gmem) {
		fput(file);
		return -EINVAL;
	}
	mutex_lock(&ghvm->mem_lock);
	if (args->flags & GUNYAH_MEM_UNMAP)
		ret = gunyah_vm_unbind(ghvm, args, gmem);
	else
		ret = gunyah_vm_bind(ghvm, args, file, gmem);
	mutex_unlock(&ghvm->mem_lock);
	fput(file);
	return ret;
}

/**
 * gunyah_gmem_bind_align() - the alignment bindings of a file need
 * @file: any file
 *
 * Return: 0 if @file is not a guest memory file, else the alignment of the
 * guest address, offset and size of its bindings (2 MiB with
 * GHMF_ALLOW_HUGEPAGE, else a page).
 */
u64 gunyah_gmem_bind_align(struct file *file)
{
	struct gunyah_gmem *gmem = gunyah_gmem_of(file);

	if (!gmem)
		return 0;
	return (gmem->flags & GHMF_ALLOW_HUGEPAGE) ? SZ_2M : PAGE_SIZE;
}

/**
 * gunyah_vm_bind_labelled() - bind a range of a guest memory file, with a label
 * @ghvm: the VM, with mem_lock held
 * @args: the binding (not GUNYAH_MEM_UNMAP)
 * @file: the guest memory file of @args->guest_mem_fd
 * @label: the label of the binding's parcel
 *
 * Return: as gunyah_vm_map_mem() for a new binding.
 */
int gunyah_vm_bind_labelled(struct gunyah_vm *ghvm, const struct gunyah_map_mem_args *args,
			    struct file *file, u32 label)
{
	struct gunyah_gmem *gmem = gunyah_gmem_of(file);
	struct gunyah_gmem_binding *b;
	int ret;

	if (!gmem || (args->flags & GUNYAH_MEM_UNMAP))
		return -EINVAL;
	ret = gunyah_vm_bind(ghvm, args, file, gmem);
	if (ret)
		return ret;
	/* gunyah_vm_bind() adds at the head; mem_lock is still held. */
	b = list_first_entry(&ghvm->bindings, struct gunyah_gmem_binding, vm_list);
	b->label = label;
	b->labelled = true;
	return 0;
}

/**
 * gunyah_vm_find_binding() - the binding holding a guest range
 * @ghvm: the VM, with mem_lock held
 * @gpa: guest physical address
 * @size: size of the range
 *
 * Return: the binding containing all of [@gpa, @gpa + @size), or NULL.
 */
struct gunyah_gmem_binding *gunyah_vm_find_binding(struct gunyah_vm *ghvm, u64 gpa, u64 size)
{
	struct gunyah_gmem_binding *b;

	list_for_each_entry(b, &ghvm->bindings, vm_list)
		if (gpa >= b->guest_addr && gpa + size <= b->guest_addr + b->size)
			return b;
	return NULL;
}

/**
 * gunyah_binding_lends() - whether a guest memory binding lends its pages
 * @b: the binding
 *
 * Return: true unless it shares them with the host (GUNYAH_MEM_FORCE_SHARE).
 */
bool gunyah_binding_lends(const struct gunyah_gmem_binding *b)
{
	return (b->flags & GUNYAH_MEM_ACCESS_MASK) != GUNYAH_MEM_FORCE_SHARE;
}

/**
 * gunyah_binding_build_parcel() - make a binding's pages a memory parcel
 * @ghvm: the VM, with its VMID, and mem_lock held
 * @b: the binding
 * @parcel: filled with the ACL and the pages (all allocated now)
 * @size: bytes of @b, from its start, the parcel holds: page-aligned, not
 *        zero, at most @b's size and GUNYAH_IMAGE_PARCEL_MAX
 * @host_vmid: the host's VMID, for shared bindings
 *
 * The parcel holds the first @size bytes of the binding (@b->parcel_size);
 * the rest is demand-paged.
 *
 * Return: 0, -EPERM if a page to lend is mapped by user space (a binding
 * of GH_VM_ANDROID_MAP_CMA_MEM is unmapped instead), -EBUSY if the kernel
 * holds one otherwise (a pipe, I/O), -ENOMEM.
 */
int gunyah_binding_build_parcel(struct gunyah_vm *ghvm, struct gunyah_gmem_binding *b,
				struct gunyah_rm_mem_parcel *parcel, u64 size, u16 host_vmid)
{
	struct gunyah_gmem *gmem = b->gmem;
	unsigned long n = min3(size, b->size, (u64)GUNYAH_IMAGE_PARCEL_MAX) >> PAGE_SHIFT, i;
	u8 rights = (b->flags & GUNYAH_MEM_ALLOW_READ ? GUNYAH_RM_ACL_R : 0) |
		    (b->flags & GUNYAH_MEM_ALLOW_WRITE ? GUNYAH_RM_ACL_W : 0) |
		    (b->flags & GUNYAH_MEM_ALLOW_EXEC ? GUNYAH_RM_ACL_X : 0);
	int ret = 0;

	parcel->mem_type = GUNYAH_RM_MEM_TYPE_NORMAL;
	parcel->label = b->label;
	parcel->mem_handle = GUNYAH_MEM_HANDLE_INVAL;
	parcel->n_acl_entries = gunyah_binding_lends(b) ? 1 : 2;
	parcel->acl_entries = kcalloc(2, sizeof(*parcel->acl_entries), GFP_KERNEL);
	parcel->mem_entries = kvcalloc(n, sizeof(*parcel->mem_entries), GFP_KERNEL);
	if (!parcel->acl_entries || !parcel->mem_entries) {
		ret = -ENOMEM;
		goto err;
	}
	parcel->acl_entries[0].vmid = cpu_to_le16(ghvm->vmid);
	parcel->acl_entries[0].perms = rights;
	parcel->acl_entries[1].vmid = cpu_to_le16(host_vmid);
	parcel->acl_entries[1].perms = GUNYAH_RM_ACL_R | GUNYAH_RM_ACL_W | GUNYAH_RM_ACL_X;

	mutex_lock(&gmem->lock);
	/*
	 * A VMM keeps the memory of GH_VM_ANDROID_MAP_CMA_MEM mapped, as it
	 * does for GH_VM_ANDROID_LEND_USER_MEM: lent, it loses the mapping
	 * here; faults wait for gmem->lock and find the pages lent (SIGBUS).
	 */
	if (b->labelled && gunyah_binding_lends(b))
		unmap_mapping_range(b->file->f_mapping, b->offset, (loff_t)n << PAGE_SHIFT, 0);
	parcel->n_mem_entries = 0;
	for (i = 0; i < n; i++) {
		struct page *page = gunyah_gmem_page(gmem, (b->offset >> PAGE_SHIFT) + i);
		struct gunyah_rm_mem_entry *e = &parcel->mem_entries[parcel->n_mem_entries];

		if (!page) {
			ret = -ENOMEM;
			break;
		}
		if (gunyah_binding_lends(b) && gunyah_gmem_page_held(page)) {
			ret = folio_mapped(page_folio(page)) ? -EPERM : -EBUSY;
			break;
		}
		if (parcel->n_mem_entries &&
		    le64_to_cpu(e[-1].phys_addr) + le64_to_cpu(e[-1].size) == page_to_phys(page)) {
			le64_add_cpu(&e[-1].size, PAGE_SIZE);
			continue;
		}
		e->phys_addr = cpu_to_le64(page_to_phys(page));
		e->size = cpu_to_le64(PAGE_SIZE);
		parcel->n_mem_entries++;
	}
	if (!ret && gunyah_binding_lends(b))
		for (i = 0; i < n; i++)
			xa_set_mark(&gmem->pages, (b->offset >> PAGE_SHIFT) + i, GUNYAH_GMEM_LENT);
	if (!ret) {
		b->in_parcel = true;
		b->parcel_size = (u64)n << PAGE_SHIFT;
	}
	mutex_unlock(&gmem->lock);
	if (!ret)
		return 0;
err:
	kfree(parcel->acl_entries);
	kvfree(parcel->mem_entries);
	parcel->acl_entries = NULL;
	parcel->mem_entries = NULL;
	return ret;
}

/**
 * gunyah_binding_parcel_gone() - the binding's parcel was reclaimed
 * @b: the binding, whose pages are the host's again
 * @parcel: its parcel
 */
void gunyah_binding_parcel_gone(struct gunyah_gmem_binding *b,
				struct gunyah_rm_mem_parcel *parcel)
{
	struct gunyah_gmem *gmem = b->gmem;
	unsigned long n = b->parcel_size >> PAGE_SHIFT;

	mutex_lock(&gmem->lock);
	for (unsigned long i = 0; i < n; i++)
		xa_clear_mark(&gmem->pages, (b->offset >> PAGE_SHIFT) + i, GUNYAH_GMEM_LENT);
	b->in_parcel = false;
	b->parcel_size = 0;
	mutex_unlock(&gmem->lock);
	kfree(parcel->acl_entries);
	kvfree(parcel->mem_entries);
	parcel->acl_entries = NULL;
	parcel->mem_entries = NULL;
}

/**
 * gunyah_vm_free_bindings() - drop every binding of a VM
 * @ghvm: the VM, being destroyed
 *
 * A binding whose parcel could not be reclaimed keeps its file and pages.
 */
void gunyah_vm_free_bindings(struct gunyah_vm *ghvm)
{
	struct gunyah_gmem_binding *b, *iter;

	mutex_lock(&ghvm->mem_lock);
	list_for_each_entry_safe(b, iter, &ghvm->bindings, vm_list) {
		struct gunyah_gmem *gmem = b->gmem;

		struct file *file;

		mutex_lock(&gmem->lock);
		if (b->in_parcel) {
			/* The guest may still have the pages: never free them. */
			list_del(&b->vm_list);
			mutex_unlock(&gmem->lock);
			continue;
		}
		file = gunyah_binding_free(b);
		mutex_unlock(&gmem->lock);
		fput(file);
	}
	mutex_unlock(&ghvm->mem_lock);
}

/**
 * gunyah_vm_share_binding() - give a binding's pages to the VM as a parcel
 * @ghvm: the VM, with its VMID
 * @b: the binding (the one holding the device tree)
 * @size: bytes of @b, from its start, the parcel holds (see
 *        gunyah_binding_build_parcel())
 * @host_vmid: the host's VMID
 *
 * Return: 0 or a negative errno.
 */
int gunyah_vm_share_binding(struct gunyah_vm *ghvm, struct gunyah_gmem_binding *b, u64 size,
			    u16 host_vmid)
{
	int ret;

	mutex_lock(&ghvm->mem_lock);
	ret = gunyah_binding_build_parcel(ghvm, b, &b->parcel, size, host_vmid);
	if (!ret) {
		ret = gunyah_rm_mem_share(ghvm->rm, &b->parcel);
		if (ret == -EINTR || ret == -ETIMEDOUT || ret == -EBADMSG || ret == -EIO) {
			/* The parcel may exist: keep the pages away from the host. */
			dev_err(ghvm->parent, "VM %u: guest memory parcel in an unknown state (%d)\n",
				ghvm->vmid, ret);
		} else if (ret) {
			gunyah_binding_parcel_gone(b, &b->parcel);
		}
	}
	mutex_unlock(&ghvm->mem_lock);
	return ret;
}

/**
 * gunyah_vm_reclaim_bindings() - take the bindings' parcels back
 * @ghvm: the VM, stopped and reset
 */
void gunyah_vm_reclaim_bindings(struct gunyah_vm *ghvm)
{
	struct gunyah_gmem_binding *b;
	int ret;

	mutex_lock(&ghvm->mem_lock);
	list_for_each_entry(b, &ghvm->bindings, vm_list) {
		if (!b->in_parcel || b->parcel.mem_handle == GUNYAH_MEM_HANDLE_INVAL)
			continue;
		ret = gunyah_rm_mem_reclaim(ghvm->rm, &b->parcel);
		if (ret)
			dev_err(ghvm->parent,
				"VM %u: cannot reclaim guest memory parcel %#x (%d): pages leaked\n",
				ghvm->vmid, b->parcel.mem_handle, ret);
		else
			gunyah_binding_parcel_gone(b, &b->parcel);
	}
	mutex_unlock(&ghvm->mem_lock);
}

/**
 * gunyah_vm_demand_paging_ranges() - the ranges the guest's faults come from
 * @ghvm: the VM, with mem_lock held
 * @except: the binding given up front (the image): only what its parcel
 *          does not hold is listed
 * @ranges: set to a kcalloc'd array of (guest address, size)
 *
 * Return: the number of lent bindings (0: @ranges is NULL), or -ENOMEM.
 */
int gunyah_vm_demand_paging_ranges(struct gunyah_vm *ghvm, struct gunyah_gmem_binding *except,
				   struct gunyah_rm_mem_entry **ranges)
{
	struct gunyah_gmem_binding *b;
	int n = 0;

	*ranges = NULL;
	list_for_each_entry(b, &ghvm->bindings, vm_list)
		n += gunyah_binding_lends(b) && (b != except || b->size > except->parcel_size);
	if (!n)
		return 0;
	*ranges = kcalloc(n, sizeof(**ranges), GFP_KERNEL);
	if (!*ranges)
		return -ENOMEM;
	n = 0;
	list_for_each_entry(b, &ghvm->bindings, vm_list) {
		u64 skip = b == except ? b->parcel_size : 0;

		if (!gunyah_binding_lends(b) || skip == b->size)
			continue;
		(*ranges)[n].phys_addr = cpu_to_le64(b->guest_addr + skip);
		(*ranges)[n].size = cpu_to_le64(b->size - skip);
		n++;
	}
	return n;
}

/* The host's or (@guest) the guest's extent for pages that are lent (@lend) or shared. */
static u64 gunyah_page_extent(struct gunyah_vm *ghvm, bool lend, bool guest)
{
	if (guest)
		return ghvm->extent_capids[lend ? GUNYAH_EXT_GUEST_PRIVATE :
						  GUNYAH_EXT_GUEST_SHARED];
	return ghvm->extent_capids[lend ? GUNYAH_EXT_HOST_PRIVATE : GUNYAH_EXT_HOST_SHARED];
}

/* Move one page from the host's extent to the guest's, or back. */
static int gunyah_page_donate(struct gunyah_vm *ghvm, bool lend, bool to_guest, struct page *page)
{
	u64 host = gunyah_page_extent(ghvm, lend, false);
	u64 guest = gunyah_page_extent(ghvm, lend, true);
	u32 options = GUNYAH_MEMEXTENT_DONATE_TO_SIBLING;

	if (lend)
		options = to_guest ? GUNYAH_MEMEXTENT_DONATE_TO_PROTECTED :
				     GUNYAH_MEMEXTENT_DONATE_FROM_PROTECTED;
	return gunyah_hypercall_memextent_donate(options, to_guest ? host : guest,
						 to_guest ? guest : host, page_to_phys(page),
						 PAGE_SIZE);
}

/* The guest address space mapping of one page at @gpa (attributes left to the caller). */
static struct gunyah_map_info gunyah_page_map_info(struct gunyah_vm *ghvm, bool lend, u64 gpa,
						   struct page *page)
{
	return (struct gunyah_map_info){
		.addrspace_capid = ghvm->addrspace_capid,
		.extent_capid = gunyah_page_extent(ghvm, lend, true),
		.vbase = gpa,
		.flags = GUNYAH_ADDRSPACE_MAP_FLAG_PARTIAL |
			 (lend ? GUNYAH_ADDRSPACE_MAP_FLAG_PRIVATE :
				 GUNYAH_ADDRSPACE_MAP_FLAG_VMMIO),
		.offset = page_to_phys(page),
		.size = PAGE_SIZE,
	};
}

/* File page @index was given to the guest (@lend: lent); under gmem->lock. */
static void gunyah_page_provided(struct gunyah_gmem *gmem, unsigned long index, bool lend)
{
	XA_STATE(xas, &gmem->pages, index);

	xas_lock(&xas);
	xas_load(&xas);
	xas_set_mark(&xas, GUNYAH_GMEM_PROVIDED);
	if (lend)
		xas_set_mark(&xas, GUNYAH_GMEM_LENT);
	xas_unlock(&xas);
}

/* Give one page to the guest: donate, then map. */
static int gunyah_vm_provide(struct gunyah_vm *ghvm, struct gunyah_gmem_binding *b, u64 gpa,
			     struct page *page)
{
	bool lend = gunyah_binding_lends(b);
	u32 access = lend ? (b->flags & GUNYAH_MEM_ALLOW_WRITE ? GUNYAH_PAGETABLE_ACCESS_RWX :
				GUNYAH_PAGETABLE_ACCESS_RX) :
			    (b->flags & GUNYAH_MEM_ALLOW_WRITE ? GUNYAH_PAGETABLE_ACCESS_RW :
				GUNYAH_PAGETABLE_ACCESS_R);
	struct gunyah_map_info map = gunyah_page_map_info(ghvm, lend, gpa, page);
	int ret;

	if (ghvm->addrspace_capid == GUNYAH_CAPID_INVAL ||
	    gunyah_page_extent(ghvm, lend, false) == GUNYAH_CAPID_INVAL ||
	    gunyah_page_extent(ghvm, lend, true) == GUNYAH_CAPID_INVAL)
		return -EOPNOTSUPP;	/* the RM gave no address space or extents */
	map.attrs = FIELD_PREP(GUNYAH_MEMEXTENT_MAPPING_TYPE,
			       GUNYAH_MEMEXTENT_MAPPING_TYPE_NORMAL_WB) |
		    FIELD_PREP(GUNYAH_MEMEXTENT_MAPPING_USER_ACCESS, access) |
		    FIELD_PREP(GUNYAH_MEMEXTENT_MAPPING_KERNEL_ACCESS, access);
	ret = gunyah_rm_platform_pre_demand_page(ghvm->rm, ghvm->vmid, lend, page);
	if (ret)
		return ret;
	ret = gunyah_page_donate(ghvm, lend, true, page);
	if (ret)
		goto release;
	ret = gunyah_hypercall_addrspace_map(&map);
	if (ret && gunyah_page_donate(ghvm, lend, false, page))
		return -EIO;	/* the page is stuck with the guest */
release:
	if (ret)
		gunyah_rm_platform_release_demand_page(ghvm->rm, ghvm->vmid, lend, page);
	return ret;
}

static int gunyah_vm_fault_in(struct gunyah_vm *ghvm, u64 gpa, bool write, bool lend)
{
	struct gunyah_gmem_binding *b;
	struct gunyah_gmem *gmem;
	struct page *page;
	pgoff_t index;
	int ret;

	gpa &= PAGE_MASK;
	mutex_lock(&ghvm->mem_lock);
	b = gunyah_vm_find_binding(ghvm, gpa, PAGE_SIZE);
	if (!b || gunyah_binding_lends(b) != lend) {
		ret = -ENOENT;
		goto out;
	}
	if (write && !(b->flags & GUNYAH_MEM_ALLOW_WRITE)) {
		ret = -EPERM;
		goto out;
	}
	gmem = b->gmem;
	index = (b->offset + gpa - b->guest_addr) >> PAGE_SHIFT;
	mutex_lock(&gmem->lock);
	page = gunyah_gmem_page(gmem, index);
	/* Unmapped by a reclaim whose donation failed: finish it first. */
	if (page && xa_get_mark(&gmem->pages, index, GUNYAH_GMEM_UNMAPPED) &&
	    gunyah_binding_reclaim(b, index, index)) {
		ret = -EIO;
	} else if (!page) {
		ret = -ENOMEM;
	} else if (xa_get_mark(&gmem->pages, index, GUNYAH_GMEM_PROVIDED)) {
		ret = 0;	/* another vCPU was first */
	} else if (lend && gunyah_gmem_page_held(page)) {
		ret = -EPERM;	/* the host still has it mapped or held */
	} else {
		ret = gunyah_vm_provide(ghvm, b, gpa, page);
		if (!ret)
			gunyah_page_provided(gmem, index, lend);
	}
	mutex_unlock(&gmem->lock);
out:
	mutex_unlock(&ghvm->mem_lock);
	return ret;
}

/**
 * gunyah_vm_demand_page() - provide the page of a lent binding the guest faulted on
 * @ghvm: the VM
 * @gpa: the guest address
 * @write: the access was a write
 *
 * Return: 0 (also if it was provided meanwhile); -ENOENT if no lent
 * binding covers @gpa; -EPERM for a write to a read-only binding or a page
 * the host has mapped; another negative errno.
 */
int gunyah_vm_demand_page(struct gunyah_vm *ghvm, u64 gpa, bool write)
{
	return gunyah_vm_fault_in(ghvm, gpa, write, true);
}
EXPORT_SYMBOL_GPL(gunyah_vm_demand_page);

/**
 * gunyah_vm_share_page() - provide the page of a shared binding on an MMIO exit
 * @ghvm: the VM
 * @gpa: the guest address
 * @write: the access was a write
 *
 * Return: 0 if the page is now the guest's too (run the access again),
 * -ENOENT if no shared binding covers @gpa (real MMIO), or -errno.
 */
int gunyah_vm_share_page(struct gunyah_vm *ghvm, u64 gpa, bool write)
{
	return gunyah_vm_fault_in(ghvm, gpa, write, false);
}
EXPORT_SYMBOL_GPL(gunyah_vm_share_page);

/* Runs unmapped per TLB invalidation (on the stack: 32 bytes each) */
#define GUNYAH_RECLAIM_BATCH	32

/*
 * A run of pages given page by page, next to each other both at the
 * binding's guest addresses and in host physical memory: file pages
 * [@first, @first + @n), the first at host physical address @pa.
 * @unmapped: already unmapped by an earlier reclaim whose donation failed.
 * @failed: its unmap failed now: it stays the guest's.
 */
struct gunyah_reclaim_run {
	unsigned long first;
	unsigned long n;
	phys_addr_t pa;
	bool unmapped;
	bool failed;
};

static u64 gunyah_binding_gpa(const struct gunyah_gmem_binding *b, unsigned long index)
{
	return b->guest_addr + ((u64)index << PAGE_SHIFT) - b->offset;
}

/* Mark every page of a run unmapped but not donated back; under gmem->lock. */
static void gunyah_run_mark_unmapped(struct gunyah_gmem *gmem,
				     const struct gunyah_reclaim_run *run)
{
	XA_STATE(xas, &gmem->pages, run->first);
	struct page *page;

	xas_lock(&xas);
	xas_for_each(&xas, page, run->first + run->n - 1)
		xas_set_mark(&xas, GUNYAH_GMEM_UNMAPPED);
	xas_unlock(&xas);
}

/*
 * A run is the host's again: clear what marked it the guest's (provided,
 * lent, unmapped) in one walk; under gmem->lock.
 */
static void gunyah_run_returned(struct gunyah_gmem *gmem, const struct gunyah_reclaim_run *run)
{
	XA_STATE(xas, &gmem->pages, run->first);
	struct page *page;

	xas_lock(&xas);
	xas_for_each(&xas, page, run->first + run->n - 1) {
		xas_clear_mark(&xas, GUNYAH_GMEM_PROVIDED);
		xas_clear_mark(&xas, GUNYAH_GMEM_LENT);
		xas_clear_mark(&xas, GUNYAH_GMEM_UNMAPPED);
	}
	xas_unlock(&xas);
}

/*
 * Unmap a run from the guest.  @more: other unmaps of the same batch
 * follow, so the hypervisor may leave the TLB invalidation to the last.
 */
static int gunyah_run_unmap(struct gunyah_gmem_binding *b, const struct gunyah_reclaim_run *run,
			    bool more)
{
	struct gunyah_vm *ghvm = b->ghvm;
	bool lend = gunyah_binding_lends(b);
	struct gunyah_map_info map = {
		.addrspace_capid = ghvm->addrspace_capid,
		.extent_capid = gunyah_page_extent(ghvm, lend, true),
		.vbase = gunyah_binding_gpa(b, run->first),
		.flags = GUNYAH_ADDRSPACE_MAP_FLAG_PARTIAL |
			 (lend ? GUNYAH_ADDRSPACE_MAP_FLAG_PRIVATE :
				 GUNYAH_ADDRSPACE_MAP_FLAG_VMMIO) |
			 (more ? GUNYAH_ADDRSPACE_MAP_FLAG_NOSYNC : 0),
		.offset = run->pa,
		.size = (u64)run->n << PAGE_SHIFT,
	};
	int ret;

	ret = gunyah_hypercall_addrspace_unmap(&map);
	if (ret)
		dev_err_ratelimited(ghvm->parent,
				    "VM %u: cannot unmap %lu pages at %#llx from the guest (%d): kept by it\n",
				    ghvm->vmid, run->n, map.vbase, ret);
	return ret;
}

/*
 * Donate an unmapped run back to the host's extent: the pages are the
 * host's again.  If that fails they are marked unmapped, for a retry.
 */
static int gunyah_run_donate(struct gunyah_gmem_binding *b, const struct gunyah_reclaim_run *run)
{
	struct gunyah_vm *ghvm = b->ghvm;
	struct gunyah_gmem *gmem = b->gmem;
	bool lend = gunyah_binding_lends(b);
	u64 size = (u64)run->n << PAGE_SHIFT;
	u64 from = gunyah_page_extent(ghvm, lend, true);
	u64 to = gunyah_page_extent(ghvm, lend, false);
	int ret;

	ret = gunyah_hypercall_memextent_donate(lend ? GUNYAH_MEMEXTENT_DONATE_FROM_PROTECTED :
						       GUNYAH_MEMEXTENT_DONATE_TO_SIBLING,
						from, to, run->pa, size);
	if (ret) {
		dev_err_ratelimited(ghvm->parent,
				    "VM %u: %lu pages at %#llx not donated back (%d): kept until a retry\n",
				    ghvm->vmid, run->n, gunyah_binding_gpa(b, run->first), ret);
		if (!run->unmapped)
			gunyah_run_mark_unmapped(gmem, run);
		return ret;
	}
	gunyah_run_returned(gmem, run);
	gunyah_rm_platform_release_demand_pages(ghvm->rm, ghvm->vmid, lend,
						pfn_to_page(PHYS_PFN(run->pa)), run->n);
	return 0;
}

/*
 * Take a batch of runs back: unmap them all (the hypervisor invalidates
 * the guest's TLB once, with the last unmap), then donate them back.
 * Returns 0 or the first error.
 */
static int gunyah_reclaim_batch(struct gunyah_gmem_binding *b, struct gunyah_reclaim_run *runs,
				unsigned int n)
{
	int ret = 0, err, last = -1;
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!runs[i].unmapped)
			last = i;
	for (i = 0; i < n; i++) {
		if (runs[i].unmapped)
			continue;
		err = gunyah_run_unmap(b, &runs[i], (int)i != last);
		runs[i].failed = err;
		ret = ret ?: err;
	}
	for (i = 0; i < n; i++) {
		if (runs[i].failed)
			continue;
		err = gunyah_run_donate(b, &runs[i]);
		ret = ret ?: err;
	}
	return ret;
}

/*
 * Take back the pages of binding @b given page by page among file pages
 * [@first, @last] (under gmem->lock), in runs of pages contiguous in
 * guest and host physical address, GUNYAH_RECLAIM_BATCH runs at a time.
 * Only the pages the guest was given are visited.  A page that does not
 * come back stays marked (lent: never freed, never mapped by the host);
 * one left unmapped but not donated is donated by the next reclaim or
 * fault that meets it.
 *
 * Return: 0, or the first hypercall error.
 */
static int gunyah_binding_reclaim(struct gunyah_gmem_binding *b, unsigned long first,
				  unsigned long last)
{
	struct gunyah_reclaim_run runs[GUNYAH_RECLAIM_BATCH], *run = NULL;
	struct gunyah_gmem *gmem = b->gmem;
	XA_STATE(xas, &gmem->pages, first);
	unsigned int n = 0;
	struct page *page;
	int ret = 0, err;

	/* One walk of the marked pages; only gmem->lock holders change them. */
	rcu_read_lock();
	xas_for_each_marked(&xas, page, last, GUNYAH_GMEM_PROVIDED) {
		unsigned long index = xas.xa_index;	/* xas_pause() moves on */
		bool unmapped;

		if (xas_retry(&xas, page))
			continue;
		unmapped = xas_get_mark(&xas, GUNYAH_GMEM_UNMAPPED);
		if (run && index == run->first + run->n && unmapped == run->unmapped &&
		    page_to_phys(page) == run->pa + ((u64)run->n << PAGE_SHIFT)) {
			run->n++;
			continue;
		}
		if (n == GUNYAH_RECLAIM_BATCH) {
			xas_pause(&xas);
			rcu_read_unlock();
			err = gunyah_reclaim_batch(b, runs, n);
			ret = ret ?: err;
			n = 0;
			cond_resched();
			rcu_read_lock();
		}
		run = &runs[n++];
		*run = (struct gunyah_reclaim_run){
			.first = index, .n = 1, .pa = page_to_phys(page), .unmapped = unmapped,
		};
	}
	rcu_read_unlock();
	if (n) {
		err = gunyah_reclaim_batch(b, runs, n);
		ret = ret ?: err;
	}
	return ret;
}

/**
 * gunyah_vm_reclaim_pages() - take back every page given page by page
 * @ghvm: the VM, stopped, with its address space and extents still valid
 *
 * A page that does not come back stays marked lent and is never freed.
 */
void gunyah_vm_reclaim_pages(struct gunyah_vm *ghvm)
{
	struct gunyah_gmem_binding *b;

	mutex_lock(&ghvm->mem_lock);
	list_for_each_entry(b, &ghvm->bindings, vm_list) {
		mutex_lock(&b->gmem->lock);
		gunyah_binding_reclaim(b, b->offset >> PAGE_SHIFT,
				       ((b->offset + b->size) >> PAGE_SHIFT) - 1);
		mutex_unlock(&b->gmem->lock);
	}
	mutex_unlock(&ghvm->mem_lock);
}

/**
 * gunyah_binding_reclaim_range() - GH_VM_RECLAIM_REGION on a guest memory binding
 * @ghvm: the VM, with mem_lock held
 * @b: the binding holding all of the range
 * @gpa: start of the range, page-aligned
 * @size: its size, page-aligned, not zero
 *
 * As punching a hole in the file there: pages the guest was given page by
 * page are taken back, and every page of the range is freed; the guest's
 * next access faults in a fresh zeroed page.  A range holding the image
 * parcel, or part of it, needs the RM to take the whole parcel back.
 *
 * Return: 0; -EBUSY if the range holds part of the image parcel, or all of
 * it and the RM refuses to take it back (the guest has it); -EIO if the
 * hypervisor did not give some pages back (the others are freed; a retry
 * takes the rest); another errno of the RM.
 */
int gunyah_binding_reclaim_range(struct gunyah_vm *ghvm, struct gunyah_gmem_binding *b, u64 gpa,
				 u64 size)
{
	u64 off = b->offset + gpa - b->guest_addr;
	struct gunyah_gmem *gmem = b->gmem;
	int ret;

	lockdep_assert_held(&ghvm->mem_lock);
	if (b->in_parcel && gpa - b->guest_addr < b->parcel_size) {
		if (gpa != b->guest_addr || size < b->parcel_size) {
			dev_info_ratelimited(ghvm->parent,
					     "VM %u: %#llx+%#llx holds part of image parcel %#x: the RM takes a parcel back only whole\n",
					     ghvm->vmid, gpa, size, b->parcel.mem_handle);
			return -EBUSY;
		}
		ret = gunyah_rm_mem_reclaim(ghvm->rm, &b->parcel);
		if (ret) {
			dev_info_ratelimited(ghvm->parent,
					     "VM %u: the RM keeps image parcel %#x at %#llx (%d): the guest has not released it\n",
					     ghvm->vmid, b->parcel.mem_handle, gpa, ret);
			/* A refusal (MEM_INUSE, DENIED): the guest has it. */
			return ret == -EADDRINUSE || ret == -EPERM || ret == -EBUSY ? -EBUSY : ret;
		}
		gunyah_binding_parcel_gone(b, &b->parcel);
	}
	unmap_mapping_range(b->file->f_mapping, off, size, 0);
	mutex_lock(&gmem->lock);
	ret = gunyah_gmem_punch(gmem, off >> PAGE_SHIFT, ((off + size) >> PAGE_SHIFT) - 1);
	mutex_unlock(&gmem->lock);
	return ret;
}
