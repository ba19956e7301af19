// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/gunyah and VM file ioctls with bad arguments: each gets its
 * documented errno and leaves no state behind (the VM still starts, and
 * the hypervisor's counts are back where they were once it is closed).
 */
#include "gunyah_util.h"

#define TEST_FN_TYPE	0x7e57

static void test_dev_ioctls(int dev)
{
	tap_check(ioctl(dev, _IO('G', 0x7f), 0) < 0 && errno == ENOTTY,
		  "unknown /dev/gunyah ioctl: ENOTTY (%s)", strerror(errno));
	tap_check(ioctl(dev, GUNYAH_CREATE_VM, 1) < 0 && errno == EINVAL,
		  "GUNYAH_CREATE_VM with a non-zero argument: EINVAL (%s)", strerror(errno));
}

static void test_vm_ioctls(int dev)
{
	struct gunyah_vm_dtb_config cfg = { .guest_phys_addr = ~0ULL - 10, .size = 100 };
	struct gunyah_vm_boot_context ctx = { 0 };
	struct gunyah_fn_desc fn = { 0 };
	uint32_t arg4 = 0;
	struct test_vm vm;
	int ret, r;

	ret = vm_setup(dev, "guest-1cpu.dtb", false, 64 * 1024, &vm);
	if (!tap_check(ret == 0, "VM set up (%d)", ret))
		return;

	tap_check(gh_ioctl(vm.fd, _IO('G', 0x7f), NULL) == -ENOTTY, "unknown VM ioctl: ENOTTY");
	tap_check(gh_ioctl(vm.fd, GUNYAH_VM_SET_DTB_CONFIG, (void *)8) == -EFAULT,
		  "SET_DTB_CONFIG with a bad pointer: EFAULT");
	tap_check(gh_ioctl(vm.fd, GUNYAH_VM_SET_DTB_CONFIG, &cfg) == -EOVERFLOW,
		  "SET_DTB_CONFIG with an overflowing range: EOVERFLOW");

	tap_check(gh_ioctl(vm.fd, GUNYAH_VM_ADD_FUNCTION, (void *)8) == -EFAULT,
		  "ADD_FUNCTION with a bad descriptor pointer: EFAULT");
	fn.type = TEST_FN_TYPE;
	fn.arg_size = GUNYAH_FN_MAX_ARG_SIZE + 1;
	fn.arg = (uintptr_t)&arg4;
	tap_check(gh_ioctl(vm.fd, GUNYAH_VM_ADD_FUNCTION, &fn) == -EINVAL,
		  "ADD_FUNCTION with arg_size %u: EINVAL", fn.arg_size);
	fn.arg_size = 8;
	fn.arg = 8;
	tap_check(gh_ioctl(vm.fd, GUNYAH_VM_ADD_FUNCTION, &fn) == -EFAULT,
		  "ADD_FUNCTION with a bad argument pointer: EFAULT");
	fn.type = 9999;
	fn.arg_size = 4;
	fn.arg = (uintptr_t)&arg4;
	r = gh_ioctl(vm.fd, GUNYAH_VM_ADD_FUNCTION, &fn);
	tap_check(r == -ENOENT, "ADD_FUNCTION of an unknown type: ENOENT (%d)", r);
	tap_check(gh_ioctl(vm.fd, GUNYAH_VM_REMOVE_FUNCTION, &fn) == -ENOENT,
		  "REMOVE_FUNCTION of a function never added: ENOENT");
	fn.type = TEST_FN_TYPE;
	r = gh_ioctl(vm.fd, GUNYAH_VM_ADD_FUNCTION, &fn);
	tap_check(r == -EINVAL, "ADD_FUNCTION, wrong argument size for the type: EINVAL (%d)", r);

	ctx.reg = GUNYAH_VM_BOOT_CONTEXT_REG(REG_SET_X, 32);
	tap_check(gh_ioctl(vm.fd, GUNYAH_VM_SET_BOOT_CONTEXT, &ctx) == -EINVAL,
		  "boot context X32: EINVAL");
	ctx.reg = GUNYAH_VM_BOOT_CONTEXT_REG(REG_SET_PC, 1);
	tap_check(gh_ioctl(vm.fd, GUNYAH_VM_SET_BOOT_CONTEXT, &ctx) == -EINVAL,
		  "boot context PC index 1: EINVAL");
	ctx.reg = GUNYAH_VM_BOOT_CONTEXT_REG(3, 0);
	tap_check(gh_ioctl(vm.fd, GUNYAH_VM_SET_BOOT_CONTEXT, &ctx) == -EINVAL,
		  "boot context register set 3: EINVAL");
	ret = 0;
	for (int i = 0; i < 32; i++) {
		ctx.reg = GUNYAH_VM_BOOT_CONTEXT_REG(REG_SET_X, i);
		ctx.value = ~0ULL - i;
		ret |= gh_ioctl(vm.fd, GUNYAH_VM_SET_BOOT_CONTEXT, &ctx);
	}
	ctx.reg = GUNYAH_VM_BOOT_CONTEXT_REG(REG_SET_PC, 0);
	ctx.value = GUEST_MEM_BASE + 0x1000;
	ret |= gh_ioctl(vm.fd, GUNYAH_VM_SET_BOOT_CONTEXT, &ctx);
	ctx.reg = GUNYAH_VM_BOOT_CONTEXT_REG(REG_SET_SP, 1);
	ret |= gh_ioctl(vm.fd, GUNYAH_VM_SET_BOOT_CONTEXT, &ctx);
	tap_check(ret == 0, "boot context X0-X31, PC, SP1 accepted (values up to U64_MAX)");

	/* Memory regions */
	r = vm_add_region(vm.fd, 1, 0x100000, vm.mem, 4096, 0x8, false);
	tap_check(r == -EINVAL, "memory region with unknown flags: EINVAL (%d)", r);
	r = vm_add_region(vm.fd, 1, 0x100800, vm.mem, 4096, GH_MEM_ALLOW_READ, false);
	tap_check(r == -EINVAL, "memory region at an unaligned address: EINVAL (%d)", r);
	r = vm_add_region(vm.fd, 1, 0x100000, vm.mem, 0, GH_MEM_ALLOW_READ, false);
	tap_check(r == -EINVAL, "memory region of size 0: EINVAL (%d)", r);
	r = vm_add_region(vm.fd, 1, ~0ULL & ~0xfffULL, vm.mem, 8192, GH_MEM_ALLOW_READ, false);
	tap_check(r == -EOVERFLOW, "memory region wrapping around: EOVERFLOW (%d)", r);
	r = vm_add_region(vm.fd, 1, GUEST_MEM_BASE + 4096, vm.mem, 4096, GH_MEM_ALLOW_READ, false);
	tap_check(r == -EEXIST, "overlapping memory region: EEXIST (%d)", r);
	r = vm_add_region(vm.fd, 1, 0x100000, (void *)0x1000, 4096, GH_MEM_ALLOW_READ, false);
	tap_check(r == -EFAULT, "memory region of unmapped user memory: EFAULT (%d)", r);

	/* Start: the rejected calls above left nothing behind. */
	r = vm_start(&vm);
	tap_check(r == 0, "VM starts after the rejected calls (%d)", r);
	r = vm_start(&vm);
	tap_check(r == 0, "second GUNYAH_VM_START on a running VM: 0 (%d)", r);
	ctx.reg = GUNYAH_VM_BOOT_CONTEXT_REG(REG_SET_X, 0);
	tap_check(gh_ioctl(vm.fd, GUNYAH_VM_SET_BOOT_CONTEXT, &ctx) == -EINVAL,
		  "boot context after start: EINVAL");
	cfg.guest_phys_addr = GUEST_MEM_BASE;
	tap_check(gh_ioctl(vm.fd, GUNYAH_VM_SET_DTB_CONFIG, &cfg) == -EBUSY,
		  "DTB config after start: EBUSY");
	r = vm_add_region(vm.fd, 7, 0x100000, vm.mem, 4096, GH_MEM_ALLOW_READ, false);
	tap_check(r == -EBUSY, "memory region after start: EBUSY (%d)", r);
	vm_destroy(&vm);
}

static void test_start_errors(int dev)
{
	struct gunyah_vm_dtb_config cfg = { .guest_phys_addr = 0x10000000, .size = 4096 };
	struct test_vm vm;
	int r;

	r = ioctl(dev, GUNYAH_CREATE_VM, 0);
	tap_check(r >= 0, "VM created");
	if (r < 0)
		return;
	tap_check(gh_ioctl(r, GUNYAH_VM_START, NULL) == -EINVAL,
		  "start without a device tree: EINVAL");
	close(r);

	if (vm_setup(dev, "guest-1cpu.dtb", false, 64 * 1024, &vm))
		return;
	tap_check(gh_ioctl(vm.fd, GUNYAH_VM_SET_DTB_CONFIG, &cfg) == 0, "DTB moved out of memory");
	tap_check(vm_start(&vm) == -ENOENT, "start with the DTB outside guest memory: ENOENT");
	cfg.guest_phys_addr = GUEST_MEM_BASE;
	cfg.size = vm.dtb_size;
	gh_ioctl(vm.fd, GUNYAH_VM_SET_DTB_CONFIG, &cfg);
	r = vm_start(&vm);
	tap_check(r == 0, "start succeeds once the DTB is in guest memory (%d)", r);
	vm_destroy(&vm);

	/*
	 * A bad device tree fails VM_INIT: VALIDATE_FAILED from the v17-level
	 * RM, MEM_INVALID from the open-source one (it cannot map a tree
	 * whose header is bad).  Later starts say ENODEV.
	 */
	if (vm_setup(dev, "guest-1cpu.dtb", false, 64 * 1024, &vm))
		return;
	memset(vm.mem, 0x5a, 64);
	r = vm_start(&vm);
	if (oss_profile())
		tap_check(r == -ERANGE, "oss RM: start with a corrupt device tree: ERANGE (%d)", r);
	else
		tap_check(r == -ENOEXEC, "start with a corrupt device tree: ENOEXEC (%d)", r);
	r = vm_start(&vm);
	tap_check(r == -ENODEV, "start after a failed start: ENODEV (%d)", r);
	vm_destroy(&vm);
}

int main(void)
{
	struct hyp_stats before = { 0 }, after = { 0 };
	int dev;

	tap_begin();
	dev = gh_open();
	if (!tap_check(dev >= 0, "/dev/gunyah opens (%s)", strerror(errno)))
		return tap_finish();
	tap_check_hyp(hyp_stats(&before) == 0, "hypervisor counters readable");
	test_dev_ioctls(dev);
	test_vm_ioctls(dev);
	test_start_errors(dev);
	tap_check_hyp(hyp_stats(&after) == 0 && hyp_stats_equal(&before, &after),
		      "hypervisor back to %llu VMs, %llu parcels, %llu caps, %llu free pages",
		      before.vms, before.parcels, before.caps, before.free_pages);
	close(dev);
	return tap_finish();
}
