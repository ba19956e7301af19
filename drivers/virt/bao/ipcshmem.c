// SPDX-License-Identifier: GPL-2.0-only
/*
 * Bao inter-VM shared-memory channels ("bao,ipcshmem").
 *
 * A channel is a region of normal memory shared with one peer VM, split
 * into a read channel (the peer writes, we read) and a write channel (we
 * write, the peer reads).  Each channel is a misc device, /dev/baoipc<id>:
 * read() copies from the read channel, write() copies into the write
 * channel and then notifies the peer with a hypercall, mmap() maps the
 * whole region.  The peer's notifications arrive as an interrupt; they
 * count events that wake poll() and blocking reads.
 *
 * What "new" means (see Documentation/virt/bao/ipcshmem.rst): every open
 * file remembers the event count it last consumed, starting with the count
 * at open().  A read() at file position 0 starts a new message: it waits
 * until the count differs from the file's, then takes a snapshot of the
 * count *before* copying and consumes that snapshot.  A notification that
 * arrives during or after the copy is therefore still new for the next
 * read: none is lost, several between two reads coalesce into one.  Reads
 * at a position > 0 continue the current message and never wait.
 *
 * Lifetime: the device state is reference counted; each open file holds a
 * reference.  When the device goes away (driver unbind) with files still
 * open, sleepers are woken, and every later operation on those files fails
 * with -ENODEV; the memory mapping is released with the last reference.
 * Open files pin the module (fops.owner), so rmmod waits for them.
 */
#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/kref.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mod_devicetable.h>
#include <linux/mutex.h>
#include <linux/of.h>
#include <linux/overflow.h>
#include <linux/platform_device.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <linux/xarray.h>

#include <asm/bao.h>

struct bao_ipc_channel {
	u32 offset;
	u32 size;
};

struct bao_ipc {
	struct kref kref;
	struct device *dev;
	struct miscdevice misc;
	char name[32];
	u32 id;
	int irq;
	phys_addr_t phys;
	resource_size_t size;
	void *base;
	struct bao_ipc_channel rd;
	struct bao_ipc_channel wr;
	/* Notifications received from the peer, and who waits for them. */
	atomic64_t events;
	wait_queue_head_t wq;
	bool gone;
};

struct bao_ipc_file {
	struct bao_ipc *ipc;
	/* Serialises reads of this file; @seen is the event count consumed. */
	struct mutex lock;
	u64 seen;
};

/* Channel ids in use: two nodes with one id would notify the same peer. */
static DEFINE_XARRAY(bao_ipc_ids);

static void bao_ipc_release_kref(struct kref *kref)
{
	struct bao_ipc *ipc = container_of(kref, struct bao_ipc, kref);

	memunmap(ipc->base);
	kfree(ipc);
}

static bool bao_ipc_gone(struct bao_ipc *ipc)
{
	return READ_ONCE(ipc->gone);
}

static irqreturn_t bao_ipc_irq(int irq, void *data)
{
	struct bao_ipc *ipc = data;

	/* Orders the peer's writes, seen before the interrupt, before the count. */
	atomic64_inc_return_release(&ipc->events);
	wake_up_interruptible_poll(&ipc->wq, EPOLLIN | EPOLLRDNORM);
	return IRQ_HANDLED;
}

static int bao_ipc_open(struct inode *inode, struct file *file)
{
	struct bao_ipc *ipc = container_of(file->private_data, struct bao_ipc, misc);
	struct bao_ipc_file *f;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	/* misc_open() holds misc_mtx: the device cannot be deregistered now. */
	kref_get(&ipc->kref);
	f->ipc = ipc;
	mutex_init(&f->lock);
	f->seen = atomic64_read(&ipc->events);
	file->private_data = f;
	return 0;
}

static int bao_ipc_release(struct inode *inode, struct file *file)
{
	struct bao_ipc_file *f = file->private_data;

	kref_put(&f->ipc->kref, bao_ipc_release_kref);
	mutex_destroy(&f->lock);
	kfree(f);
	return 0;
}

/* Wait for an event newer than @f->seen; returns its count or an error. */
static int bao_ipc_wait_new(struct bao_ipc_file *f, bool nonblock, u64 *ev)
{
	struct bao_ipc *ipc = f->ipc;
	int ret;

	*ev = atomic64_read_acquire(&ipc->events);
	if (*ev != f->seen)
		return 0;
	if (nonblock)
		return -EAGAIN;
	ret = wait_event_interruptible(ipc->wq, bao_ipc_gone(ipc) ||
				       (*ev = atomic64_read_acquire(&ipc->events)) != f->seen);
	if (ret)
		return ret;
	return bao_ipc_gone(ipc) ? -ENODEV : 0;
}

static ssize_t bao_ipc_read(struct file *file, char __user *buf, size_t count, loff_t *ppos)
{
	struct bao_ipc_file *f = file->private_data;
	struct bao_ipc *ipc = f->ipc;
	loff_t pos = *ppos;
	size_t left;
	u64 ev = 0;
	int ret;

	if (bao_ipc_gone(ipc))
		return -ENODEV;
	if (pos < 0)
		return -EINVAL;
	if (pos >= ipc->rd.size || !count)
		return 0;
	count = min_t(size_t, count, ipc->rd.size - pos);

	if (mutex_lock_interruptible(&f->lock))
		return -ERESTARTSYS;
	if (pos == 0) {
		ret = bao_ipc_wait_new(f, file->f_flags & O_NONBLOCK, &ev);
		if (ret) {
			mutex_unlock(&f->lock);
			return ret;
		}
	}
	left = copy_to_user(buf, ipc->base + ipc->rd.offset + pos, count);
	if (left == count) {
		mutex_unlock(&f->lock);
		return -EFAULT;
	}
	if (pos == 0)
		WRITE_ONCE(f->seen, ev);
	mutex_unlock(&f->lock);
	*ppos = pos + count - left;
	return count - left;
}

static ssize_t bao_ipc_write(struct file *file, const char __user *buf, size_t count,
			     loff_t *ppos)
{
	struct bao_ipc_file *f = file->private_data;
	struct bao_ipc *ipc = f->ipc;
	loff_t pos = *ppos;
	size_t done;
	long ret;

	if (bao_ipc_gone(ipc))
		return -ENODEV;
	if (pos < 0)
		return -EINVAL;
	if (!count)
		return 0;
	if (pos >= ipc->wr.size)
		return -ENOSPC;
	count = min_t(size_t, count, ipc->wr.size - pos);
	done = count - copy_from_user(ipc->base + ipc->wr.offset + pos, buf, count);
	if (!done)
		return -EFAULT;
	/* The data reaches the peer's view before the notification does. */
	wmb();
	ret = bao_ipcshmem_hypercall(ipc->id);
	if (ret) {
		dev_dbg(ipc->dev, "notify hypercall for channel %u failed: %ld\n", ipc->id, ret);
		return -EIO;
	}
	*ppos = pos + done;
	return done;
}

static __poll_t bao_ipc_poll(struct file *file, struct poll_table_struct *wait)
{
	struct bao_ipc_file *f = file->private_data;
	struct bao_ipc *ipc = f->ipc;
	__poll_t mask = 0;

	poll_wait(file, &ipc->wq, wait);
	if (bao_ipc_gone(ipc))
		return EPOLLERR | EPOLLHUP;
	if (atomic64_read(&ipc->events) != READ_ONCE(f->seen))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (file->f_mode & FMODE_WRITE)
		mask |= EPOLLOUT | EPOLLWRNORM;
	return mask;
}

static int bao_ipc_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct bao_ipc_file *f = file->private_data;
	struct bao_ipc *ipc = f->ipc;
	unsigned long len = vma->vm_end - vma->vm_start;
	unsigned long pages = ipc->size >> PAGE_SHIFT;

	if (bao_ipc_gone(ipc))
		return -ENODEV;
	if (!PAGE_ALIGNED(ipc->phys))
		return -ENODEV;
	/* Whole pages of the region only. */
	if (vma->vm_pgoff >= pages || len >> PAGE_SHIFT > pages - vma->vm_pgoff)
		return -EINVAL;
	if (!(file->f_mode & FMODE_WRITE)) {
		if (vma->vm_flags & VM_WRITE)
			return -EACCES;
#ifdef BAO_HAVE_VM_FLAGS_CLEAR
		vm_flags_clear(vma, VM_MAYWRITE);
#else
		vma->vm_flags &= ~VM_MAYWRITE;
#endif
	}
	/* Normal memory, shared with a peer VM: cacheable, like the kernel's mapping. */
	return remap_pfn_range(vma, vma->vm_start, PHYS_PFN(ipc->phys) + vma->vm_pgoff, len,
			       vma->vm_page_prot);
}

static loff_t bao_ipc_llseek(struct file *file, loff_t offset, int whence)
{
	struct bao_ipc_file *f = file->private_data;

	return no_seek_end_llseek_size(file, offset, whence,
				       max(f->ipc->rd.size, f->ipc->wr.size));
}

static const struct file_operations bao_ipc_fops = {
	.owner = THIS_MODULE,
	.open = bao_ipc_open,
	.release = bao_ipc_release,
	.read = bao_ipc_read,
	.write = bao_ipc_write,
	.poll = bao_ipc_poll,
	.mmap = bao_ipc_mmap,
	.llseek = bao_ipc_llseek,
};

/* A <offset size> pair: exactly two cells. */
static int bao_ipc_read_channel(struct device *dev, const char *name,
				struct bao_ipc_channel *ch, resource_size_t region)
{
	u32 cells[2];
	u32 end;

	if (of_property_count_u32_elems(dev->of_node, name) != 2 ||
	    of_property_read_u32_array(dev->of_node, name, cells, 2)) {
		dev_err(dev, "refused: '%s' missing or not <offset size>\n", name);
		return -ENODEV;
	}
	ch->offset = cells[0];
	ch->size = cells[1];
	if (!ch->size) {
		dev_err(dev, "refused: '%s' has size 0\n", name);
		return -ENODEV;
	}
	if (check_add_overflow(ch->offset, ch->size, &end)) {
		dev_err(dev, "refused: '%s' <0x%x 0x%x>: offset + size overflows\n", name,
			ch->offset, ch->size);
		return -ENODEV;
	}
	if (end > region) {
		dev_err(dev, "refused: '%s' <0x%x 0x%x> lies outside reg (size 0x%llx)\n", name,
			ch->offset, ch->size, (unsigned long long)region);
		return -ENODEV;
	}
	return 0;
}

/*
 * A node that does not describe a usable channel is refused with one log
 * line and -ENODEV, which the driver core does not log again.
 */
static int bao_ipc_parse(struct platform_device *pdev, struct bao_ipc *ipc)
{
	struct device *dev = &pdev->dev;
	struct resource *res;
	int ret;

	res = platform_get_resource(pdev, IORESOURCE_MEM, 0);
	if (!res || !resource_size(res)) {
		dev_err(dev, "refused: 'reg' missing or empty\n");
		return -ENODEV;
	}
	ipc->phys = res->start;
	ipc->size = resource_size(res);
	if (of_property_read_u32(dev->of_node, "id", &ipc->id)) {
		dev_err(dev, "refused: 'id' missing\n");
		return -ENODEV;
	}
	ret = bao_ipc_read_channel(dev, "read-channel", &ipc->rd, ipc->size);
	if (!ret)
		ret = bao_ipc_read_channel(dev, "write-channel", &ipc->wr, ipc->size);
	if (ret)
		return ret;
	if (ipc->rd.offset < ipc->wr.offset + ipc->wr.size &&
	    ipc->wr.offset < ipc->rd.offset + ipc->rd.size) {
		dev_err(dev, "refused: read-channel <0x%x 0x%x> and write-channel <0x%x 0x%x> overlap\n",
			ipc->rd.offset, ipc->rd.size, ipc->wr.offset, ipc->wr.size);
		return -ENODEV;
	}
	ipc->irq = platform_get_irq_optional(pdev, 0);
	if (ipc->irq == -EPROBE_DEFER)
		return ipc->irq;
	if (ipc->irq <= 0) {
		dev_err(dev, "refused: 'interrupts' missing or invalid (%d)\n", ipc->irq);
		return -ENODEV;
	}
	return 0;
}

static int bao_ipc_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct bao_ipc *ipc;
	int ret;

	ipc = kzalloc(sizeof(*ipc), GFP_KERNEL);
	if (!ipc)
		return -ENOMEM;
	kref_init(&ipc->kref);
	ipc->dev = dev;
	init_waitqueue_head(&ipc->wq);
	atomic64_set(&ipc->events, 0);

	ret = bao_ipc_parse(pdev, ipc);
	if (ret)
		goto err_free;
	ret = xa_insert(&bao_ipc_ids, ipc->id, ipc, GFP_KERNEL);
	if (ret) {
		dev_err(dev, "refused: channel id %u already in use\n", ipc->id);
		ret = -ENODEV;
		goto err_free;
	}
	if (!devm_request_mem_region(dev, ipc->phys, ipc->size, dev_name(dev))) {
		dev_err(dev, "refused: region %pa (size 0x%llx) busy\n", &ipc->phys,
			(unsigned long long)ipc->size);
		ret = -EBUSY;
		goto err_id;
	}
	ipc->base = memremap(ipc->phys, ipc->size, MEMREMAP_WB);
	if (!ipc->base) {
		dev_err(dev, "refused: cannot map region %pa\n", &ipc->phys);
		ret = -ENOMEM;
		goto err_id;
	}
	ret = request_irq(ipc->irq, bao_ipc_irq, 0, dev_name(dev), ipc);
	if (ret) {
		dev_err(dev, "refused: cannot request IRQ %d (%d)\n", ipc->irq, ret);
		goto err_unmap;
	}

	snprintf(ipc->name, sizeof(ipc->name), "baoipc%u", ipc->id);
	ipc->misc.minor = MISC_DYNAMIC_MINOR;
	ipc->misc.name = ipc->name;
	ipc->misc.fops = &bao_ipc_fops;
	ipc->misc.parent = dev;
	ret = misc_register(&ipc->misc);
	if (ret) {
		dev_err(dev, "refused: cannot register %s (%d)\n", ipc->name, ret);
		goto err_irq;
	}
	platform_set_drvdata(pdev, ipc);
	dev_info(dev, "%s: region %pa size 0x%llx, read <0x%x 0x%x>, write <0x%x 0x%x>, irq %d\n",
		 ipc->name, &ipc->phys, (unsigned long long)ipc->size, ipc->rd.offset,
		 ipc->rd.size, ipc->wr.offset, ipc->wr.size, ipc->irq);
	return 0;

err_irq:
	free_irq(ipc->irq, ipc);
err_unmap:
	memunmap(ipc->base);
err_id:
	xa_erase(&bao_ipc_ids, ipc->id);
err_free:
	kfree(ipc);
	return ret;
}

static void bao_ipc_remove(struct platform_device *pdev)
{
	struct bao_ipc *ipc = platform_get_drvdata(pdev);

	/* No new opens once this returns (misc_mtx). */
	misc_deregister(&ipc->misc);
	free_irq(ipc->irq, ipc);
	WRITE_ONCE(ipc->gone, true);
	wake_up_interruptible_all(&ipc->wq);
	xa_erase(&bao_ipc_ids, ipc->id);
	kref_put(&ipc->kref, bao_ipc_release_kref);
}

#ifndef BAO_PLATFORM_REMOVE_VOID
static int bao_ipc_remove_int(struct platform_device *pdev)
{
	bao_ipc_remove(pdev);
	return 0;
}
#endif

static const struct of_device_id bao_ipc_of_match[] = {
	{ .compatible = "bao,ipcshmem" },
	{ }
};
MODULE_DEVICE_TABLE(of, bao_ipc_of_match);

static struct platform_driver bao_ipc_driver = {
	.probe = bao_ipc_probe,
#ifdef BAO_PLATFORM_REMOVE_VOID
	.remove = bao_ipc_remove,
#else
	.remove = bao_ipc_remove_int,
#endif
	.driver = {
		.name = "bao-ipcshmem",
		.of_match_table = bao_ipc_of_match,
	},
};
module_platform_driver(bao_ipc_driver);

MODULE_DESCRIPTION("Bao inter-VM shared-memory channels");
MODULE_LICENSE("GPL");
