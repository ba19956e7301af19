// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gunyah VM manager: in-kernel handlers of guest MMIO writes.
 *
 * A function (ioeventfd) registers a handler for an address, an access
 * size (0: any) and optionally a value (datamatch).  The vCPU's MMIO-write
 * exit asks gunyah_vm_mmio_write() before going to user space; a handler
 * that matches completes the access in the kernel.
 *
 * The handlers of a VM are kept in a red-black tree ordered by address,
 * size and value, where a size of 0 equals every size and a handler
 * without datamatch equals every value: so a lookup is O(log n), and two
 * handlers that could both claim one access (same address and size with
 * and without datamatch, the same value twice, size 0 beside a sized one)
 * compare equal and cannot both be registered.  The tree is read under a
 * read lock from the vCPUs' exit paths.
 */
#include <linux/gunyah.h>
#include <linux/rbtree.h>

#include "vm_mgr.h"

/* Order of an access or handler (@addr, @len, @datamatch, @data) against handler @h. */
static int gunyah_io_cmp(u64 addr, u32 len, bool datamatch, u64 data,
			 const struct gunyah_vm_io_handler *h)
{
	if (addr != h->addr)
		return addr < h->addr ? -1 : 1;
	if (!len || !h->len)
		return 0;
	if (len != h->len)
		return len < h->len ? -1 : 1;
	if (!datamatch || !h->datamatch || data == h->data)
		return 0;
	return data < h->data ? -1 : 1;
}

/**
 * gunyah_vm_add_io_handler() - handle guest MMIO writes in the kernel
 * @ghvm: the VM
 * @io: address, size (0: any), datamatch and value, and the callback
 *
 * Return: 0, or -EEXIST if a handler that could claim the same access is
 * registered.
 */
int gunyah_vm_add_io_handler(struct gunyah_vm *ghvm, struct gunyah_vm_io_handler *io)
{
	struct rb_node **link, *parent = NULL;
	int ret = 0;

	write_lock(&ghvm->io_lock);
	link = &ghvm->io_handlers.rb_node;
	while (*link) {
		struct gunyah_vm_io_handler *h = rb_entry(*link, struct gunyah_vm_io_handler, node);
		int c = gunyah_io_cmp(io->addr, io->len, io->datamatch, io->data, h);

		if (!c) {
			ret = -EEXIST;
			goto out;
		}
		parent = *link;
		link = c < 0 ? &parent->rb_left : &parent->rb_right;
	}
	rb_link_node(&io->node, parent, link);
	rb_insert_color(&io->node, &ghvm->io_handlers);
out:
	write_unlock(&ghvm->io_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(gunyah_vm_add_io_handler);

/**
 * gunyah_vm_remove_io_handler() - stop handling guest MMIO writes
 * @ghvm: the VM
 * @io: a handler added with gunyah_vm_add_io_handler()
 *
 * When this returns no vCPU runs the handler's callback any more.
 */
void gunyah_vm_remove_io_handler(struct gunyah_vm *ghvm, struct gunyah_vm_io_handler *io)
{
	write_lock(&ghvm->io_lock);
	rb_erase(&io->node, &ghvm->io_handlers);
	write_unlock(&ghvm->io_lock);
}
EXPORT_SYMBOL_GPL(gunyah_vm_remove_io_handler);

/**
 * gunyah_vm_mmio_write() - offer a guest MMIO write to the in-kernel handlers
 * @ghvm: the VM
 * @addr: guest physical address written
 * @len: access size in bytes
 * @data: the value written
 *
 * Return: 0 if a handler completed the write, -ENODEV if none matches (the
 * write goes to user space), or the handler's error.
 */
int gunyah_vm_mmio_write(struct gunyah_vm *ghvm, u64 addr, u32 len, u64 data)
{
	struct rb_node *node;
	int ret = -ENODEV;

	read_lock(&ghvm->io_lock);
	node = ghvm->io_handlers.rb_node;
	while (node) {
		struct gunyah_vm_io_handler *h = rb_entry(node, struct gunyah_vm_io_handler, node);
		int c = gunyah_io_cmp(addr, len, true, data, h);

		if (!c) {
			ret = h->write(h, addr, len, data);
			break;
		}
		node = c < 0 ? node->rb_left : node->rb_right;
	}
	read_unlock(&ghvm->io_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(gunyah_vm_mmio_write);
