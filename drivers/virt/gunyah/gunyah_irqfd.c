// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gunyah irqfd function: an eventfd that rings a doorbell into the guest.
 *
 * Adding a GUNYAH_FN_IRQFD function hooks the eventfd's wait queue; every
 * signal rings the doorbell with the given label (bell_send, flag bit 0),
 * which raises the guest interrupt the doorbell is bound to.  The doorbell
 * is the RM's BELL_TX resource of that label, delivered at VM start through
 * a resource ticket; signals that arrive before it are remembered and
 * delivered once it is there.  A LEVEL irqfd sets the doorbell's masks
 * (enable = ack = bit 0) so that the flag clears when the interrupt is
 * delivered and a new signal asserts it again.
 *
 * Closing the eventfd (EPOLLHUP) detaches the irqfd from it: later signals
 * of other holders of the eventfd do nothing.  The function itself, and so
 * its label, stays until GUNYAH_VM_REMOVE_FUNCTION or the VM's end.
 */
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/gunyah.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "rsc_mgr.h"

#define GUNYAH_IRQFD_FLAGS_ALL	GUNYAH_IRQFD_FLAGS_LEVEL

/**
 * struct gunyah_irqfd - an irqfd
 * @ghvm: its VM
 * @ticket: claim on the BELL_TX resource with the irqfd's label
 * @lock: protects @capid and @pending; taken from the eventfd's wake-up
 * @capid: the doorbell's capability once the VM started, else GUNYAH_CAPID_INVAL
 * @pending: signals came before the doorbell existed
 * @level: a LEVEL irqfd
 * @ctx: the eventfd; NULL once detached
 * @wait: entry in the eventfd's wait queue
 * @pt: to hook @wait with vfs_poll()
 * @hangup: detaches from the eventfd after EPOLLHUP
 */
struct gunyah_irqfd {
	struct gunyah_vm *ghvm;
	struct gunyah_vm_resource_ticket ticket;
	spinlock_t lock;		/* see above */
	u64 capid;
	bool pending;
	bool level;
	struct eventfd_ctx *ctx;
	wait_queue_entry_t wait;
	poll_table pt;
	struct work_struct hangup;
};

/* Under irqfd->lock. */
static void gunyah_irqfd_ring(struct gunyah_irqfd *irqfd)
{
	int ret;

	if (irqfd->capid == GUNYAH_CAPID_INVAL) {
		irqfd->pending = true;
		return;
	}
	irqfd->pending = false;
	ret = gunyah_hypercall_bell_send(irqfd->capid, 1, NULL);
	if (ret)
		pr_err_ratelimited("gunyah_irqfd: doorbell %u: bell_send failed: %d\n",
				   irqfd->ticket.label, ret);
}

static int gunyah_irqfd_wakeup(wait_queue_entry_t *wait, unsigned int mode, int sync, void *key)
{
	struct gunyah_irqfd *irqfd = container_of(wait, struct gunyah_irqfd, wait);
	__poll_t flags = key_to_poll(key);
	unsigned long irqflags;

	if (flags & EPOLLIN) {
		spin_lock_irqsave(&irqfd->lock, irqflags);
		gunyah_irqfd_ring(irqfd);
		spin_unlock_irqrestore(&irqfd->lock, irqflags);
	}
	if (flags & EPOLLHUP)
		schedule_work(&irqfd->hangup);
	return 0;
}

static void gunyah_irqfd_ptable_queue_proc(struct file *file, wait_queue_head_t *wqh,
					   poll_table *pt)
{
	struct gunyah_irqfd *irqfd = container_of(pt, struct gunyah_irqfd, pt);

	add_wait_queue(wqh, &irqfd->wait);
}

/* Leave the eventfd's wait queue; idempotent. */
static void gunyah_irqfd_detach(struct gunyah_irqfd *irqfd)
{
	struct eventfd_ctx *ctx = xchg(&irqfd->ctx, NULL);
	u64 cnt;

	if (!ctx)
		return;
	eventfd_ctx_remove_wait_queue(ctx, &irqfd->wait, &cnt);
	eventfd_ctx_put(ctx);
}

static void gunyah_irqfd_hangup(struct work_struct *work)
{
	gunyah_irqfd_detach(container_of(work, struct gunyah_irqfd, hangup));
}

static bool gunyah_irqfd_populate(struct gunyah_vm_resource_ticket *ticket,
				  struct gunyah_resource *ghrsc)
{
	struct gunyah_irqfd *irqfd = container_of(ticket, struct gunyah_irqfd, ticket);
	unsigned long flags;
	int ret;

	if (irqfd->level) {
		/* The flag clears when the interrupt is delivered. */
		ret = gunyah_hypercall_bell_set_mask(ghrsc->capid, 1, 1);
		if (ret) {
			pr_err_ratelimited("gunyah_irqfd: doorbell %u: bell_set_mask failed: %d\n",
					   ticket->label, ret);
			return false;
		}
	}
	spin_lock_irqsave(&irqfd->lock, flags);
	irqfd->capid = ghrsc->capid;
	if (irqfd->pending)
		gunyah_irqfd_ring(irqfd);
	spin_unlock_irqrestore(&irqfd->lock, flags);
	return true;
}

static void gunyah_irqfd_unpopulate(struct gunyah_vm_resource_ticket *ticket,
				    struct gunyah_resource *ghrsc)
{
	struct gunyah_irqfd *irqfd = container_of(ticket, struct gunyah_irqfd, ticket);
	unsigned long flags;

	spin_lock_irqsave(&irqfd->lock, flags);
	irqfd->capid = GUNYAH_CAPID_INVAL;
	spin_unlock_irqrestore(&irqfd->lock, flags);
}

static long gunyah_irqfd_bind(struct gunyah_vm_function_instance *f)
{
	struct gunyah_fn_irqfd_arg *arg = f->argp;
	struct gunyah_irqfd *irqfd;
	struct eventfd_ctx *ctx;
	struct file *file;
	__poll_t events;
	long r;

	if (f->arg_size != sizeof(*arg) || (arg->flags & ~GUNYAH_IRQFD_FLAGS_ALL) ||
	    arg->padding)
		return -EINVAL;

	file = fget(arg->fd);
	if (!file)
		return -EBADF;
	ctx = eventfd_ctx_fileget(file);
	if (IS_ERR(ctx)) {
		r = PTR_ERR(ctx);	/* -EINVAL: not an eventfd */
		goto err_file;
	}

	irqfd = kzalloc(sizeof(*irqfd), GFP_KERNEL);
	if (!irqfd) {
		eventfd_ctx_put(ctx);
		r = -ENOMEM;
		goto err_file;
	}
	irqfd->ghvm = f->ghvm;
	irqfd->ctx = ctx;
	irqfd->capid = GUNYAH_CAPID_INVAL;
	irqfd->level = arg->flags & GUNYAH_IRQFD_FLAGS_LEVEL;
	spin_lock_init(&irqfd->lock);
	INIT_WORK(&irqfd->hangup, gunyah_irqfd_hangup);
	irqfd->ticket.resource_type = GUNYAH_RESOURCE_TYPE_BELL_TX;
	irqfd->ticket.label = arg->label;
	irqfd->ticket.owner = THIS_MODULE;
	irqfd->ticket.populate = gunyah_irqfd_populate;
	irqfd->ticket.unpopulate = gunyah_irqfd_unpopulate;

	r = gunyah_vm_add_resource_ticket(f->ghvm, &irqfd->ticket);
	if (r)
		goto err_free;

	init_waitqueue_func_entry(&irqfd->wait, gunyah_irqfd_wakeup);
	init_poll_funcptr(&irqfd->pt, gunyah_irqfd_ptable_queue_proc);
	events = vfs_poll(file, &irqfd->pt);
	/* A signal from before the irqfd existed counts. */
	if (events & EPOLLIN)
		gunyah_irqfd_wakeup(&irqfd->wait, 0, 0, poll_to_key(EPOLLIN));
	f->data = irqfd;
	fput(file);
	return 0;

err_free:
	kfree(irqfd);
	eventfd_ctx_put(ctx);
err_file:
	fput(file);
	return r;
}

static void gunyah_irqfd_unbind(struct gunyah_vm_function_instance *f)
{
	struct gunyah_irqfd *irqfd = f->data;

	gunyah_irqfd_detach(irqfd);
	cancel_work_sync(&irqfd->hangup);
	gunyah_vm_remove_resource_ticket(irqfd->ghvm, &irqfd->ticket);
	kfree(irqfd);
}

static bool gunyah_irqfd_compare(const struct gunyah_vm_function_instance *f, const void *arg,
				 size_t size)
{
	const struct gunyah_fn_irqfd_arg *instance = f->argp, *other = arg;

	return size == sizeof(*other) && instance->label == other->label;
}

DECLARE_GUNYAH_VM_FUNCTION(gunyah_irqfd, GUNYAH_FN_IRQFD, gunyah_irqfd_bind, gunyah_irqfd_unbind,
			   gunyah_irqfd_compare);
module_gunyah_vm_function(gunyah_irqfd);
MODULE_ALIAS_GUNYAH_VM_FUNCTION(2);	/* GUNYAH_FN_IRQFD */

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Gunyah irqfd function");
