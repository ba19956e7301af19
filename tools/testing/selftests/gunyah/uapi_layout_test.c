// SPDX-License-Identifier: GPL-2.0-only
/*
 * Layout test for the Gunyah userspace ABI in include/uapi/linux/gunyah.h.
 *
 * Every expected value in this file is written out by hand from the ABI
 * description: ioctl numbers as literal 32-bit values, structure sizes, member
 * offsets and sizes in bytes, flag and enumeration values. The test compares
 * them with what the header produces and needs no Gunyah kernel, so it runs on
 * any host that uses the generic ioctl encoding (arm64, x86, ...).
 *
 * Build with -I<kernel tree>/include/uapi so that the tree's header is used.
 * Output is TAP; the exit status is 1 if any check failed.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "linux/gunyah.h"

#ifndef GH_ANDROID_IOCTL_TYPE
#error "wrong linux/gunyah.h: build with -I<kernel tree>/include/uapi"
#endif

#define MAX_CHECKS	512
#define DESC_LEN	192

struct result {
	bool ok;
	char desc[DESC_LEN];
};

static struct result results[MAX_CHECKS];
static unsigned int num_checks;

static struct result *new_result(void)
{
	if (num_checks == MAX_CHECKS) {
		printf("Bail out! more than %d checks\n", MAX_CHECKS);
		exit(1);
	}
	return &results[num_checks++];
}

/* Record whether @actual equals @expected; print numbers in hex or decimal. */
static void check_num(const char *what, unsigned long long actual,
		      unsigned long long expected, bool hex)
{
	struct result *r = new_result();

	r->ok = actual == expected;
	if (r->ok && hex)
		snprintf(r->desc, DESC_LEN, "%s == 0x%llx", what, expected);
	else if (r->ok)
		snprintf(r->desc, DESC_LEN, "%s == %llu", what, expected);
	else if (hex)
		snprintf(r->desc, DESC_LEN, "%s: expected 0x%llx, got 0x%llx",
			 what, expected, actual);
	else
		snprintf(r->desc, DESC_LEN, "%s: expected %llu, got %llu",
			 what, expected, actual);
}

/* Record whether the statement @what is true. */
static void check_true(const char *what, bool cond)
{
	struct result *r = new_result();

	r->ok = cond;
	snprintf(r->desc, DESC_LEN, "%s%s", what, cond ? "" : ": expected true, got false");
}

/* An ioctl number, flag, enumerator or other constant; compared in hex. */
#define CHECK_VAL(expr, expected)	check_num(#expr, (expr), (expected), true)

/* The size of a whole type, in bytes. */
#define CHECK_SIZE(type, size)		check_num("sizeof(" #type ")", sizeof(type), (size), false)

/*
 * The offset and the size of one (possibly nested) member, in bytes, both
 * measured through one pointer to the member of a real object.
 */
#define CHECK_FIELD(type, member, off, size)					\
	do {									\
		static type obj_;						\
		__auto_type p_ = &obj_.member;					\
										\
		check_num("offsetof(" #type ", " #member ")",			\
			  (size_t)((char *)p_ - (char *)&obj_), (off), false);	\
		check_num("sizeof(" #type "." #member ")",			\
			  sizeof(*p_), (size), false);				\
	} while (0)

/*
 * A member that must be a signed integer: storing -1 in it (in a zeroed
 * temporary) has to give back -1. The value of an assignment has the type of
 * the member assigned to.
 */
#define CHECK_SIGNED(type, member)						\
	check_true(#type "." #member " is signed",				\
		   (long long)(((type){ 0 }).member = -1) == -1)

/*
 * ioctl numbers: bits 31:30 direction (0 = none, 1 = write to the kernel),
 * bits 29:16 argument size, bits 15:8 type ('G' = 0x47, 'A' = 0x41), bits 7:0
 * number. The values are composed by hand, not with the _IO*() macros.
 */
static void check_ioctls(void)
{
	CHECK_VAL(GUNYAH_IOCTL_TYPE, 0x47);
	CHECK_VAL(GH_ANDROID_IOCTL_TYPE, 0x41);

	/* /dev/gunyah */
	CHECK_VAL(GUNYAH_CREATE_VM, 0x00004700);		/* none, 0, 'G', 0x00 */
	CHECK_VAL(GUNYAH_CREATE_GUEST_MEM, 0x40404708);		/* W, 64, 'G', 0x08 */

	/* VM fd */
	CHECK_VAL(GUNYAH_VM_SET_DTB_CONFIG, 0x40104702);	/* W, 16, 'G', 0x02 */
	CHECK_VAL(GUNYAH_VM_START, 0x00004703);			/* none, 0, 'G', 0x03 */
	CHECK_VAL(GUNYAH_VM_ADD_FUNCTION, 0x40104704);		/* W, 16, 'G', 0x04 */
	CHECK_VAL(GUNYAH_VM_REMOVE_FUNCTION, 0x40104707);	/* W, 16, 'G', 0x07 */
	CHECK_VAL(GUNYAH_VM_MAP_MEM, 0x40204709);		/* W, 32, 'G', 0x09 */
	CHECK_VAL(GUNYAH_VM_SET_BOOT_CONTEXT, 0x4010470a);	/* W, 16, 'G', 0x0a */

	/* vCPU fd */
	CHECK_VAL(GUNYAH_VCPU_RUN, 0x00004705);			/* none, 0, 'G', 0x05 */
	CHECK_VAL(GUNYAH_VCPU_MMAP_SIZE, 0x00004706);		/* none, 0, 'G', 0x06 */

	/* Android Common Kernel, VM fd */
	CHECK_VAL(GH_VM_SET_USER_MEM_REGION, 0x40204701);	/* W, 32, 'G', 0x01 */
	CHECK_VAL(GH_VM_ANDROID_LEND_USER_MEM, 0x40204111);	/* W, 32, 'A', 0x11 */
	CHECK_VAL(GH_VM_ANDROID_SET_FW_CONFIG, 0x40104112);	/* W, 16, 'A', 0x12 */
	CHECK_VAL(GH_VM_RECLAIM_REGION, 0x40104113);		/* W, 16, 'A', 0x13 */
	CHECK_VAL(GH_VM_ANDROID_MAP_CMA_MEM, 0x40284115);	/* W, 40, 'A', 0x15 */
	CHECK_VAL(GH_VM_ANDROID_SET_AUTH_TYPE, 0x40104116);	/* W, 16, 'A', 0x16 */
}

static void check_constants(void)
{
	/* GUNYAH_CREATE_GUEST_MEM flags */
	CHECK_VAL(GHMF_CLOEXEC, 0x1);
	CHECK_VAL(GHMF_ALLOW_HUGEPAGE, 0x2);

	/* VM functions */
	CHECK_VAL(GUNYAH_FN_VCPU, 1);
	CHECK_VAL(GUNYAH_FN_IRQFD, 2);
	CHECK_VAL(GUNYAH_FN_IOEVENTFD, 3);
	CHECK_VAL(GUNYAH_FN_MAX_ARG_SIZE, 256);
	CHECK_VAL(GUNYAH_IRQFD_FLAGS_LEVEL, 0x1);
	CHECK_VAL(GUNYAH_IOEVENTFD_FLAGS_DATAMATCH, 0x1);

	/* GUNYAH_VM_MAP_MEM flags */
	CHECK_VAL(GUNYAH_MEM_DEFAULT_ACCESS, 0x0);
	CHECK_VAL(GUNYAH_MEM_FORCE_LEND, 0x1);
	CHECK_VAL(GUNYAH_MEM_FORCE_SHARE, 0x2);
	CHECK_VAL(GUNYAH_MEM_ACCESS_MASK, 0x7);
	CHECK_VAL(GUNYAH_MEM_ALLOW_READ, 0x10);
	CHECK_VAL(GUNYAH_MEM_ALLOW_WRITE, 0x20);
	CHECK_VAL(GUNYAH_MEM_ALLOW_EXEC, 0x40);
	CHECK_VAL(GUNYAH_MEM_ALLOW_RWX, 0x70);
	CHECK_VAL(GUNYAH_MEM_UNMAP, 0x100);

	/* Boot context: reg = (set << 8) | index */
	CHECK_VAL(REG_SET_X, 0);
	CHECK_VAL(REG_SET_PC, 1);
	CHECK_VAL(REG_SET_SP, 2);
	CHECK_VAL(GUNYAH_VM_BOOT_CONTEXT_REG_SHIFT, 8);
	CHECK_VAL(GUNYAH_VM_BOOT_CONTEXT_REG(REG_SET_X, 0), 0x000);
	CHECK_VAL(GUNYAH_VM_BOOT_CONTEXT_REG(REG_SET_X, 31), 0x01f);
	CHECK_VAL(GUNYAH_VM_BOOT_CONTEXT_REG(REG_SET_PC, 0), 0x100);
	CHECK_VAL(GUNYAH_VM_BOOT_CONTEXT_REG(REG_SET_SP, 1), 0x201);
	CHECK_VAL(GUNYAH_VM_BOOT_CONTEXT_REG(REG_SET_SP, 2), 0x202);

	/* vCPU run page */
	CHECK_VAL(GUNYAH_VCPU_EXIT_UNKNOWN, 0);
	CHECK_VAL(GUNYAH_VCPU_EXIT_MMIO, 1);
	CHECK_VAL(GUNYAH_VCPU_EXIT_STATUS, 2);
	CHECK_VAL(GUNYAH_VCPU_EXIT_PAGE_FAULT, 3);
	CHECK_VAL(GUNYAH_VCPU_RESUME_HANDLED, 0);
	CHECK_VAL(GUNYAH_VCPU_RESUME_FAULT, 1);
	CHECK_VAL(GUNYAH_VCPU_RESUME_RETRY, 2);
	CHECK_VAL(GUNYAH_VM_STATUS_LOAD_FAILED, 1);
	CHECK_VAL(GUNYAH_VM_STATUS_EXITED, 2);
	CHECK_VAL(GUNYAH_VM_STATUS_CRASHED, 3);
	CHECK_VAL(GUNYAH_VM_MAX_EXIT_REASON_SIZE, 8);

	/* Android Common Kernel memory region flags */
	CHECK_VAL(GH_MEM_ALLOW_READ, 0x1);
	CHECK_VAL(GH_MEM_ALLOW_WRITE, 0x2);
	CHECK_VAL(GH_MEM_ALLOW_EXEC, 0x4);
	CHECK_VAL(GH_MEM_FORCE_LEND, 0x10);
	CHECK_VAL(GH_MEM_FORCE_SHARE, 0x20);

	/* GH_VM_ANDROID_SET_AUTH_TYPE types */
	CHECK_VAL(GH_VM_AUTH_ANDROID_PVM, 0);
	CHECK_VAL(GH_VM_AUTH_QCOM_TRUSTED_VM, 1);
}

static void check_layouts(void)
{
	CHECK_SIZE(struct gunyah_create_mem_args, 64);
	CHECK_FIELD(struct gunyah_create_mem_args, flags, 0, 8);
	CHECK_FIELD(struct gunyah_create_mem_args, size, 8, 8);
	CHECK_FIELD(struct gunyah_create_mem_args, reserved, 16, 48);

	CHECK_SIZE(struct gunyah_vm_dtb_config, 16);
	CHECK_FIELD(struct gunyah_vm_dtb_config, guest_phys_addr, 0, 8);
	CHECK_FIELD(struct gunyah_vm_dtb_config, size, 8, 8);

	CHECK_SIZE(struct gunyah_vm_boot_context, 16);
	CHECK_FIELD(struct gunyah_vm_boot_context, reg, 0, 4);
	CHECK_FIELD(struct gunyah_vm_boot_context, reserved, 4, 4);
	CHECK_FIELD(struct gunyah_vm_boot_context, value, 8, 8);

	CHECK_SIZE(struct gunyah_map_mem_args, 32);
	CHECK_FIELD(struct gunyah_map_mem_args, guest_addr, 0, 8);
	CHECK_FIELD(struct gunyah_map_mem_args, flags, 8, 4);
	CHECK_FIELD(struct gunyah_map_mem_args, guest_mem_fd, 12, 4);
	CHECK_FIELD(struct gunyah_map_mem_args, offset, 16, 8);
	CHECK_FIELD(struct gunyah_map_mem_args, size, 24, 8);

	CHECK_SIZE(struct gunyah_fn_desc, 16);
	CHECK_FIELD(struct gunyah_fn_desc, type, 0, 4);
	CHECK_FIELD(struct gunyah_fn_desc, arg_size, 4, 4);
	CHECK_FIELD(struct gunyah_fn_desc, arg, 8, 8);

	CHECK_SIZE(struct gunyah_fn_vcpu_arg, 4);
	CHECK_FIELD(struct gunyah_fn_vcpu_arg, id, 0, 4);

	CHECK_SIZE(struct gunyah_fn_irqfd_arg, 16);
	CHECK_FIELD(struct gunyah_fn_irqfd_arg, fd, 0, 4);
	CHECK_FIELD(struct gunyah_fn_irqfd_arg, label, 4, 4);
	CHECK_FIELD(struct gunyah_fn_irqfd_arg, flags, 8, 4);
	CHECK_FIELD(struct gunyah_fn_irqfd_arg, padding, 12, 4);

	CHECK_SIZE(struct gunyah_fn_ioeventfd_arg, 32);
	CHECK_FIELD(struct gunyah_fn_ioeventfd_arg, datamatch, 0, 8);
	CHECK_FIELD(struct gunyah_fn_ioeventfd_arg, addr, 8, 8);
	CHECK_FIELD(struct gunyah_fn_ioeventfd_arg, len, 16, 4);
	CHECK_FIELD(struct gunyah_fn_ioeventfd_arg, fd, 20, 4);
	CHECK_FIELD(struct gunyah_fn_ioeventfd_arg, flags, 24, 4);
	CHECK_FIELD(struct gunyah_fn_ioeventfd_arg, padding, 28, 4);
	CHECK_SIGNED(struct gunyah_fn_ioeventfd_arg, fd);

	CHECK_SIZE(struct gunyah_vm_exit_info, 16);
	CHECK_FIELD(struct gunyah_vm_exit_info, type, 0, 2);
	CHECK_FIELD(struct gunyah_vm_exit_info, padding, 2, 2);
	CHECK_FIELD(struct gunyah_vm_exit_info, reason_size, 4, 4);
	CHECK_FIELD(struct gunyah_vm_exit_info, reason, 8, 8);

	CHECK_SIZE(struct gunyah_vcpu_run, 40);
	CHECK_FIELD(struct gunyah_vcpu_run, immediate_exit, 0, 1);
	CHECK_FIELD(struct gunyah_vcpu_run, padding, 1, 7);
	CHECK_FIELD(struct gunyah_vcpu_run, exit_reason, 8, 4);
	CHECK_FIELD(struct gunyah_vcpu_run, padding2, 12, 4);
	/* exit_reason == GUNYAH_VCPU_EXIT_MMIO */
	CHECK_FIELD(struct gunyah_vcpu_run, mmio.phys_addr, 16, 8);
	CHECK_FIELD(struct gunyah_vcpu_run, mmio.data, 24, 8);
	CHECK_FIELD(struct gunyah_vcpu_run, mmio.len, 32, 4);
	CHECK_FIELD(struct gunyah_vcpu_run, mmio.is_write, 36, 1);
	CHECK_FIELD(struct gunyah_vcpu_run, mmio.resume_action, 37, 1);
	/* exit_reason == GUNYAH_VCPU_EXIT_STATUS */
	CHECK_FIELD(struct gunyah_vcpu_run, status.status, 16, 4);
	CHECK_FIELD(struct gunyah_vcpu_run, status.exit_info, 20, 16);
	CHECK_FIELD(struct gunyah_vcpu_run, status.exit_info.type, 20, 2);
	CHECK_FIELD(struct gunyah_vcpu_run, status.exit_info.padding, 22, 2);
	CHECK_FIELD(struct gunyah_vcpu_run, status.exit_info.reason_size, 24, 4);
	CHECK_FIELD(struct gunyah_vcpu_run, status.exit_info.reason, 28, 8);
	/* exit_reason == GUNYAH_VCPU_EXIT_PAGE_FAULT */
	CHECK_FIELD(struct gunyah_vcpu_run, page_fault.phys_addr, 16, 8);
	CHECK_FIELD(struct gunyah_vcpu_run, page_fault.attempt, 24, 4);
	CHECK_FIELD(struct gunyah_vcpu_run, page_fault.resume_action, 28, 1);
	CHECK_SIGNED(struct gunyah_vcpu_run, page_fault.attempt);

	/* Android Common Kernel */
	CHECK_SIZE(struct gh_userspace_memory_region, 32);
	CHECK_FIELD(struct gh_userspace_memory_region, label, 0, 4);
	CHECK_FIELD(struct gh_userspace_memory_region, flags, 4, 4);
	CHECK_FIELD(struct gh_userspace_memory_region, guest_phys_addr, 8, 8);
	CHECK_FIELD(struct gh_userspace_memory_region, memory_size, 16, 8);
	CHECK_FIELD(struct gh_userspace_memory_region, userspace_addr, 24, 8);

	CHECK_SIZE(struct gh_vm_firmware_config, 16);
	CHECK_FIELD(struct gh_vm_firmware_config, guest_phys_addr, 0, 8);
	CHECK_FIELD(struct gh_vm_firmware_config, size, 8, 8);

	/* Both spellings of the Android structures name one structure. */
	CHECK_SIZE(struct gunyah_userspace_memory_region, 32);
	CHECK_FIELD(struct gunyah_userspace_memory_region, label, 0, 4);
	CHECK_FIELD(struct gunyah_userspace_memory_region, flags, 4, 4);
	CHECK_FIELD(struct gunyah_userspace_memory_region, guest_phys_addr, 8, 8);
	CHECK_FIELD(struct gunyah_userspace_memory_region, memory_size, 16, 8);
	CHECK_FIELD(struct gunyah_userspace_memory_region, userspace_addr, 24, 8);
	check_true("struct gh_userspace_memory_region is struct gunyah_userspace_memory_region",
		   __builtin_types_compatible_p(struct gh_userspace_memory_region,
						struct gunyah_userspace_memory_region));

	CHECK_SIZE(struct gunyah_vm_firmware_config, 16);
	CHECK_FIELD(struct gunyah_vm_firmware_config, guest_phys_addr, 0, 8);
	CHECK_FIELD(struct gunyah_vm_firmware_config, size, 8, 8);
	check_true("struct gh_vm_firmware_config is struct gunyah_vm_firmware_config",
		   __builtin_types_compatible_p(struct gh_vm_firmware_config,
						struct gunyah_vm_firmware_config));

	CHECK_SIZE(struct gh_vm_reclaim_region, 16);
	CHECK_FIELD(struct gh_vm_reclaim_region, guest_phys_addr, 0, 8);
	CHECK_FIELD(struct gh_vm_reclaim_region, size, 8, 8);

	CHECK_SIZE(struct gh_map_cma_mem_args, 40);
	CHECK_FIELD(struct gh_map_cma_mem_args, label, 0, 4);
	CHECK_FIELD(struct gh_map_cma_mem_args, reserved, 4, 4);
	CHECK_FIELD(struct gh_map_cma_mem_args, guest_addr, 8, 8);
	CHECK_FIELD(struct gh_map_cma_mem_args, flags, 16, 4);
	CHECK_FIELD(struct gh_map_cma_mem_args, guest_mem_fd, 20, 4);
	CHECK_FIELD(struct gh_map_cma_mem_args, offset, 24, 8);
	CHECK_FIELD(struct gh_map_cma_mem_args, size, 32, 8);

	CHECK_SIZE(struct gh_vm_auth_type, 16);
	CHECK_FIELD(struct gh_vm_auth_type, type, 0, 4);
	CHECK_FIELD(struct gh_vm_auth_type, arg_size, 4, 4);
	CHECK_FIELD(struct gh_vm_auth_type, arg, 8, 8);

	/* Natural alignment: two bytes of padding after vm_id. */
	CHECK_SIZE(struct gh_vm_auth_pvm_arg, 24);
	CHECK_FIELD(struct gh_vm_auth_pvm_arg, vm_id, 0, 2);
	CHECK_FIELD(struct gh_vm_auth_pvm_arg, pas_id, 4, 4);
	CHECK_FIELD(struct gh_vm_auth_pvm_arg, guest_phys_addr, 8, 8);
	CHECK_FIELD(struct gh_vm_auth_pvm_arg, size, 16, 8);
}

int main(void)
{
	unsigned int i, passed = 0, failed = 0;

	check_ioctls();
	check_constants();
	check_layouts();

	printf("TAP version 13\n");
	printf("1..%u\n", num_checks);
	for (i = 0; i < num_checks; i++) {
		printf("%sok %u - %s\n", results[i].ok ? "" : "not ", i + 1, results[i].desc);
		if (results[i].ok)
			passed++;
		else
			failed++;
	}
	printf("%u passed, %u failed\n", passed, failed);

	return failed ? 1 : 0;
}
