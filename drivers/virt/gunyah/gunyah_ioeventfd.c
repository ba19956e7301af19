// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gunyah ioeventfd function: an eventfd signalled when the guest writes to
 * an MMIO address, without a trip to user space.
 *
 * Adding a GUNYAH_FN_IOEVENTFD function registers an in-kernel handler of
 * MMIO writes (vm_mgr_io.c) for the address, the access size (0: any) and,
 * with DATAMATCH, the value.  A matching guest write signals the eventfd
 * and the vCPU resumes inside the kernel; other writes, and every read, go
 * to the VMM as MMIO exits.  Registrations that could claim the same write
 * are refused with -EEXIST; GUNYAH_VM_REMOVE_FUNCTION matches the address,
 * size, flags and (with DATAMATCH) the value.
 */
#include <linux/eventfd.h>
#include <linux/gunyah.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "compat.h"

/**
 * struct gunyah_ioeventfd - an ioeventfd
 * @ghvm: its VM
 * @io: the handler of the guest's writes
 * @ctx: the eventfd
 */
struct gunyah_ioeventfd {
	struct gunyah_vm *ghvm;
	struct gunyah_vm_io_handler io;
	struct eventfd_ctx *ctx;
};

static int gunyah_ioeventfd_write(struct gunyah_vm_io_handler *io, u64 addr, u32 len, u64 data)
{
	struct gunyah_ioeventfd *iofd = container_of(io, struct gunyah_ioeventfd, io);

	gunyah_eventfd_signal(iofd->ctx);
	return 0;
}

static bool gunyah_ioeventfd_arg_ok(const struct gunyah_fn_ioeventfd_arg *arg)
{
	u64 end;

	switch (arg->len) {
	case 0:
		if (arg->flags & GUNYAH_IOEVENTFD_FLAGS_DATAMATCH)
			return false;	/* no size, no value to compare */
		break;
	case 1:
	case 2:
	case 4:
	case 8:
		break;
	default:
		return false;
	}
	return !(arg->flags & ~GUNYAH_IOEVENTFD_FLAGS_DATAMATCH) && !arg->padding &&
	       !check_add_overflow(arg->addr, (u64)max(arg->len, 1U), &end);
}

static long gunyah_ioeventfd_bind(struct gunyah_vm_function_instance *f)
{
	const struct gunyah_fn_ioeventfd_arg *arg = f->argp;
	struct gunyah_ioeventfd *iofd;
	struct eventfd_ctx *ctx;
	long r;

	if (f->arg_size != sizeof(*arg) || !gunyah_ioeventfd_arg_ok(arg))
		return -EINVAL;
	ctx = eventfd_ctx_fdget(arg->fd);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);	/* -EBADF, or -EINVAL for another file */

	iofd = kzalloc(sizeof(*iofd), GFP_KERNEL);
	if (!iofd) {
		r = -ENOMEM;
		goto err_ctx;
	}
	iofd->ghvm = f->ghvm;
	iofd->ctx = ctx;
	iofd->io.addr = arg->addr;
	iofd->io.len = arg->len;
	iofd->io.datamatch = arg->flags & GUNYAH_IOEVENTFD_FLAGS_DATAMATCH;
	iofd->io.data = arg->datamatch;
	iofd->io.write = gunyah_ioeventfd_write;
	r = gunyah_vm_add_io_handler(f->ghvm, &iofd->io);
	if (r)
		goto err_free;
	f->data = iofd;
	return 0;

err_free:
	kfree(iofd);
err_ctx:
	eventfd_ctx_put(ctx);
	return r;
}

static void gunyah_ioeventfd_unbind(struct gunyah_vm_function_instance *f)
{
	struct gunyah_ioeventfd *iofd = f->data;

	gunyah_vm_remove_io_handler(iofd->ghvm, &iofd->io);
	eventfd_ctx_put(iofd->ctx);
	kfree(iofd);
}

static bool gunyah_ioeventfd_compare(const struct gunyah_vm_function_instance *f, const void *arg,
				     size_t size)
{
	const struct gunyah_fn_ioeventfd_arg *instance = f->argp, *other = arg;

	if (size != sizeof(*other) || instance->addr != other->addr ||
	    instance->len != other->len || instance->flags != other->flags)
		return false;
	return !(instance->flags & GUNYAH_IOEVENTFD_FLAGS_DATAMATCH) ||
	       instance->datamatch == other->datamatch;
}

DECLARE_GUNYAH_VM_FUNCTION(gunyah_ioeventfd, GUNYAH_FN_IOEVENTFD, gunyah_ioeventfd_bind,
			   gunyah_ioeventfd_unbind, gunyah_ioeventfd_compare);
module_gunyah_vm_function(gunyah_ioeventfd);
MODULE_ALIAS_GUNYAH_VM_FUNCTION(3);	/* GUNYAH_FN_IOEVENTFD */

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Gunyah ioeventfd function");
