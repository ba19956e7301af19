// SPDX-License-Identifier: GPL-2.0-only
/*
 * A VM function type for the selftests of the function and resource
 * ticket frameworks.  Not preloaded: the VM manager loads it on demand
 * through its "ghfunc:" alias.
 *
 * Argument: struct { u32 resource_type; u32 label; } - the function holds
 * a ticket for that resource.  /sys/kernel/debug/gunyah_test_fn/ counts
 * bind, unbind, populate and unpopulate calls and shows the last resource.
 */
#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/gunyah.h>
#include <linux/module.h>
#include <linux/slab.h>

/* 0x7e57, written in decimal: it becomes the module alias "ghfunc:32343". */
#define GUNYAH_TEST_FN_TYPE	32343

struct gunyah_test_fn_arg {
	u32 resource_type;
	u32 label;
};

struct gunyah_test_fn {
	struct gunyah_vm_resource_ticket ticket;
	struct gunyah_vm *ghvm;
};

static atomic_t binds, unbinds, populates, unpopulates;
static u64 last_capid;
static u32 last_irq;
static struct dentry *dir;

static bool gunyah_test_fn_populate(struct gunyah_vm_resource_ticket *ticket,
				    struct gunyah_resource *ghrsc)
{
	atomic_inc(&populates);
	WRITE_ONCE(last_capid, ghrsc->capid);
	WRITE_ONCE(last_irq, ghrsc->irq);
	return true;
}

static void gunyah_test_fn_unpopulate(struct gunyah_vm_resource_ticket *ticket,
				      struct gunyah_resource *ghrsc)
{
	atomic_inc(&unpopulates);
}

static long gunyah_test_fn_bind(struct gunyah_vm_function_instance *f)
{
	const struct gunyah_test_fn_arg *arg = f->argp;
	struct gunyah_test_fn *tf;
	int ret;

	if (f->arg_size != sizeof(*arg))
		return -EINVAL;
	tf = kzalloc(sizeof(*tf), GFP_KERNEL);
	if (!tf)
		return -ENOMEM;
	tf->ghvm = f->ghvm;
	tf->ticket.resource_type = arg->resource_type;
	tf->ticket.label = arg->label;
	tf->ticket.owner = THIS_MODULE;
	tf->ticket.populate = gunyah_test_fn_populate;
	tf->ticket.unpopulate = gunyah_test_fn_unpopulate;
	ret = gunyah_vm_add_resource_ticket(f->ghvm, &tf->ticket);
	if (ret) {
		kfree(tf);
		return ret;
	}
	f->data = tf;
	atomic_inc(&binds);
	return 0;
}

static void gunyah_test_fn_unbind(struct gunyah_vm_function_instance *f)
{
	struct gunyah_test_fn *tf = f->data;

	gunyah_vm_remove_resource_ticket(tf->ghvm, &tf->ticket);
	kfree(tf);
	atomic_inc(&unbinds);
}

static bool gunyah_test_fn_compare(const struct gunyah_vm_function_instance *f, const void *arg,
				   size_t size)
{
	const struct gunyah_test_fn_arg *a = f->argp, *b = arg;

	return size == sizeof(*b) && a->resource_type == b->resource_type &&
	       a->label == b->label;
}

DECLARE_GUNYAH_VM_FUNCTION(gunyah_test_fn, GUNYAH_TEST_FN_TYPE, gunyah_test_fn_bind,
			   gunyah_test_fn_unbind, gunyah_test_fn_compare);
MODULE_ALIAS_GUNYAH_VM_FUNCTION(GUNYAH_TEST_FN_TYPE);

static int counters_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "%d %d %d %d %#llx %u\n", atomic_read(&binds), atomic_read(&unbinds),
		   atomic_read(&populates), atomic_read(&unpopulates), READ_ONCE(last_capid),
		   READ_ONCE(last_irq));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(counters);

static int __init gunyah_test_fn_init(void)
{
	int ret = gunyah_vm_function_register(&gunyah_test_fn);

	if (ret)
		return ret;
	dir = debugfs_create_dir("gunyah_test_fn", NULL);
	debugfs_create_file("counters", 0444, dir, NULL, &counters_fops);
	return 0;
}
module_init(gunyah_test_fn_init);

static void __exit gunyah_test_fn_exit(void)
{
	debugfs_remove_recursive(dir);
	gunyah_vm_function_unregister(&gunyah_test_fn);
}
module_exit(gunyah_test_fn_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Gunyah VM function for selftests");
