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
 *   exits   read "KIND COUNT" lines: guest exits by kind since the hypervisor booted
 *   host_s2 read "BLOCKS_1G BLOCKS_2M PAGES TABLES": the host's stage-2 mappings by
 *           size (1 GiB and 2 MiB blocks, 4 KiB pages) and its tables below the root
 *   platform  read "PRE_SHARE POST_RECLAIM PRE_DEMAND RELEASE_DEMAND": calls of
 *           the platform hooks this module installs; write "fail_share" or
 *           "fail_page" to make the next pre_mem_share or pre_demand_page
 *           hook refuse with -EPERM
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
#define TEST_OP_EXITS		4
#define TEST_OP_HOST_S2		5
#define TEST_OP_SCRUB		6

static struct dentry *gunyah_test_dir;
static atomic_t pre_share, post_reclaim, pre_demand, release_demand;
static atomic_t fail_share, fail_page;

static int test_pre_mem_share(struct gunyah_rm *rm, struct gunyah_rm_mem_parcel *parcel)
{
	if (atomic_xchg(&fail_share, 0))
		return -EPERM;
	atomic_inc(&pre_share);
	return 0;
}

static int test_post_mem_reclaim(struct gunyah_rm *rm, struct gunyah_rm_mem_parcel *parcel)
{
	atomic_inc(&post_reclaim);
	return 0;
}

static int test_pre_demand_page(struct gunyah_rm *rm, u16 vmid, bool lend, struct page *page)
{
	if (atomic_xchg(&fail_page, 0))
		return -EPERM;
	atomic_inc(&pre_demand);
	return 0;
}

static int test_release_demand_page(struct gunyah_rm *rm, u16 vmid, bool lend,
				    struct page *page)
{
	atomic_inc(&release_demand);
	return 0;
}

static const struct gunyah_rm_platform_ops test_platform_ops = {
	.pre_mem_share = test_pre_mem_share,
	.post_mem_reclaim = test_post_mem_reclaim,
	.pre_demand_page = test_pre_demand_page,
	.release_demand_page = test_release_demand_page,
};

static int platform_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "%d %d %d %d\n", atomic_read(&pre_share), atomic_read(&post_reclaim),
		   atomic_read(&pre_demand), atomic_read(&release_demand));
	return 0;
}

static int platform_open(struct inode *inode, struct file *file)
{
	return single_open(file, platform_show, NULL);
}

static ssize_t platform_write(struct file *file, const char __user *ubuf, size_t len,
			      loff_t *ppos)
{
	char buf[32];

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (sysfs_streq(buf, "fail_share"))
		atomic_set(&fail_share, 1);
	else if (sysfs_streq(buf, "fail_page"))
		atomic_set(&fail_page, 1);
	else
		return -EINVAL;
	return len;
}

static const struct file_operations platform_fops = {
	.owner = THIS_MODULE,
	.open = platform_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
	.write = platform_write,
};

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

/* The hypervisor's kinds of guest exit, in its order. */
static const char *const exit_kinds[] = {
	"mmio", "vgic", "smccc", "wfx", "sysreg", "page_fault", "irq", "fiq", "other",
};

static int exits_show(struct seq_file *m, void *unused)
{
	struct arm_smccc_1_2_regs res;

	for (unsigned int i = 0; i < ARRAY_SIZE(exit_kinds); i++) {
		gunyah_test_call(TEST_OP_EXITS, i, 0, 0, 0, 0, &res);
		if (res.a0)
			return gunyah_error_remap(res.a0);
		seq_printf(m, "%s %llu\n", exit_kinds[i], (u64)res.a1);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(exits);

static int host_s2_show(struct seq_file *m, void *unused)
{
	struct arm_smccc_1_2_regs res;

	gunyah_test_call(TEST_OP_HOST_S2, 0, 0, 0, 0, 0, &res);
	if (res.a0)
		return gunyah_error_remap(res.a0);
	seq_printf(m, "%llu %llu %llu %llu\n", (u64)res.a1, (u64)res.a2, (u64)res.a3,
		   (u64)res.a4);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(host_s2);

/* Memory the hypervisor zeroed on its way back to the host, and the time it took. */
static int scrub_show(struct seq_file *m, void *unused)
{
	struct arm_smccc_1_2_regs res;

	gunyah_test_call(TEST_OP_SCRUB, 0, 0, 0, 0, 0, &res);
	if (res.a0)
		return gunyah_error_remap(res.a0);
	seq_printf(m, "%llu %llu\n", (u64)res.a1, (u64)res.a2);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(scrub);

static int __init gunyah_test_init(void)
{
	struct arm_smccc_1_2_regs res;
	int ret;

	if (!arch_is_gunyah_guest())
		return -ENODEV;
	gunyah_test_call(TEST_OP_FIRED, 0, 0, 0, 0, 0, &res);
	if (res.a0) {
		pr_info("gunyah_test: this hypervisor has no test control\n");
		return -ENODEV;
	}
	ret = gunyah_rm_register_platform_ops(&test_platform_ops);
	if (ret)
		return ret;
	gunyah_test_dir = debugfs_create_dir("gunyah_test", NULL);
	debugfs_create_file("platform", 0600, gunyah_test_dir, NULL, &platform_fops);
	debugfs_create_file("fault", 0200, gunyah_test_dir, NULL, &fault_fops);
	debugfs_create_file("fired", 0444, gunyah_test_dir, NULL, &fired_fops);
	debugfs_create_file("stats", 0444, gunyah_test_dir, NULL, &stats_fops);
	debugfs_create_file("exits", 0444, gunyah_test_dir, NULL, &exits_fops);
	debugfs_create_file("host_s2", 0444, gunyah_test_dir, NULL, &host_s2_fops);
	debugfs_create_file("scrub", 0444, gunyah_test_dir, NULL, &scrub_fops);
	return 0;
}
module_init(gunyah_test_init);

static void __exit gunyah_test_exit(void)
{
	debugfs_remove_recursive(gunyah_test_dir);
	gunyah_rm_unregister_platform_ops(&test_platform_ops);
}
module_exit(gunyah_test_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Gunyah test hypervisor control for selftests");
