// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test control of the Gunyah test hypervisor, for the selftests.
 *
 * /sys/kernel/debug/gunyah_test/
 *   fault   write "TARGET NTH KIND VALUE [COUNT]" to arm a fault (TARGET: RPC
 *           function ID or hypercall number, NTH: 1 = the next matching
 *           event, KIND and VALUE: see the hypervisor's fault.h), or
 *           "reset" to disarm everything
 *   fired   read "FIRED ARMED": faults fired since reset, faults still armed
 *   stats   read "VMS PARCELS CAPS FREE_PAGES" as the hypervisor counts them
 *
 * The control is a hypercall that real Gunyah does not implement; there
 * the module refuses to load.
 */
#include <linux/arm-smccc.h>
#include <linux/debugfs.h>
#include <linux/gunyah.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>

#define GUNYAH_TEST_CONTROL	ARM_SMCCC_CALL_VAL(ARM_SMCCC_FAST_CALL, ARM_SMCCC_SMC_64, \
						   ARM_SMCCC_OWNER_VENDOR_HYP, 0x8000 | 0x3f00)
#define TEST_OP_RESET		0
#define TEST_OP_ADD_FAULT	1
#define TEST_OP_FIRED		2
#define TEST_OP_STATS		3

static struct dentry *gunyah_test_dir;

static void gunyah_test_call(u64 op, u64 a2, u64 a3, u64 a4, u64 a5, u64 a6,
			     struct arm_smccc_1_2_regs *res)
{
	struct arm_smccc_1_2_regs args = {
		.a0 = GUNYAH_TEST_CONTROL, .a1 = op, .a2 = a2, .a3 = a3, .a4 = a4, .a5 = a5,
		.a6 = a6,
	};

	arm_smccc_1_2_hvc(&args, res);
}

static ssize_t fault_write(struct file *file, const char __user *ubuf, size_t len, loff_t *ppos)
{
	struct arm_smccc_1_2_regs res;
	unsigned long long target, nth, kind, value, count = 1;
	char buf[128];

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';

	if (sysfs_streq(buf, "reset")) {
		gunyah_test_call(TEST_OP_RESET, 0, 0, 0, 0, 0, &res);
	} else {
		if (sscanf(buf, "%lli %lli %lli %lli %lli", &target, &nth, &kind, &value,
			   &count) < 4)
			return -EINVAL;
		gunyah_test_call(TEST_OP_ADD_FAULT, target, nth, kind, value, count, &res);
	}
	return res.a0 ? gunyah_error_remap(res.a0) : len;
}

static const struct file_operations fault_fops = {
	.owner = THIS_MODULE,
	.write = fault_write,
};

static int fired_show(struct seq_file *m, void *unused)
{
	struct arm_smccc_1_2_regs res;

	gunyah_test_call(TEST_OP_FIRED, 0, 0, 0, 0, 0, &res);
	seq_printf(m, "%llu %llu\n", (u64)res.a1, (u64)res.a2);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(fired);

static int stats_show(struct seq_file *m, void *unused)
{
	struct arm_smccc_1_2_regs res;

	gunyah_test_call(TEST_OP_STATS, 0, 0, 0, 0, 0, &res);
	seq_printf(m, "%llu %llu %llu %llu\n", (u64)res.a1, (u64)res.a2, (u64)res.a3,
		   (u64)res.a4);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

static int __init gunyah_test_init(void)
{
	struct arm_smccc_1_2_regs res;

	if (!arch_is_gunyah_guest())
		return -ENODEV;
	gunyah_test_call(TEST_OP_FIRED, 0, 0, 0, 0, 0, &res);
	if (res.a0) {
		pr_info("gunyah_test: this hypervisor has no test control\n");
		return -ENODEV;
	}
	gunyah_test_dir = debugfs_create_dir("gunyah_test", NULL);
	debugfs_create_file("fault", 0200, gunyah_test_dir, NULL, &fault_fops);
	debugfs_create_file("fired", 0444, gunyah_test_dir, NULL, &fired_fops);
	debugfs_create_file("stats", 0444, gunyah_test_dir, NULL, &stats_fops);
	return 0;
}
module_init(gunyah_test_init);

static void __exit gunyah_test_exit(void)
{
	debugfs_remove_recursive(gunyah_test_dir);
}
module_exit(gunyah_test_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Gunyah test hypervisor control for selftests");
