// SPDX-License-Identifier: GPL-2.0-only
/*
 * The irqfd and ioeventfd VM functions through GUNYAH_VM_ADD_FUNCTION and
 * GUNYAH_VM_REMOVE_FUNCTION: loading by type, argument checks, the
 * ioeventfd overlap table, removal, and nothing leaked.
 */
#include <stdio.h>
#include <sys/eventfd.h>

#include "gunyah_util.h"

static int dev;

static int irqfd(int vm, unsigned long req, int fd, uint32_t label, uint32_t flags,
		 uint32_t size)
{
	struct gunyah_fn_irqfd_arg a = { .fd = fd, .label = label, .flags = flags };
	struct gunyah_fn_desc f = {
		.type = GUNYAH_FN_IRQFD, .arg_size = size, .arg = (uintptr_t)&a,
	};

	return gh_ioctl(vm, req, &f);
}

static int ioeventfd(int vm, unsigned long req, int fd, uint64_t addr, uint32_t len,
		     uint32_t flags, uint64_t data)
{
	struct gunyah_fn_ioeventfd_arg a = {
		.datamatch = data, .addr = addr, .len = len, .fd = fd, .flags = flags,
	};
	struct gunyah_fn_desc f = {
		.type = GUNYAH_FN_IOEVENTFD, .arg_size = sizeof(a), .arg = (uintptr_t)&a,
	};

	return gh_ioctl(vm, req, &f);
}

#define ADD	GUNYAH_VM_ADD_FUNCTION
#define DEL	GUNYAH_VM_REMOVE_FUNCTION
#define DM	GUNYAH_IOEVENTFD_FLAGS_DATAMATCH

static void test_irqfd_args(int vm, int efd)
{
	int other = open("/dev/null", O_RDWR);
	struct gunyah_fn_irqfd_arg a = { .fd = efd, .label = 9, .padding = 1 };
	struct gunyah_fn_desc f = {
		.type = GUNYAH_FN_IRQFD, .arg_size = sizeof(a), .arg = (uintptr_t)&a,
	};

	tap_check(irqfd(vm, ADD, efd, 0, 0, 8) == -EINVAL, "irqfd, arg_size 8: EINVAL");
	tap_check(irqfd(vm, ADD, efd, 0, 2, 16) == -EINVAL, "irqfd, unknown flag: EINVAL");
	tap_check(gh_ioctl(vm, ADD, &f) == -EINVAL, "irqfd, non-zero padding: EINVAL");
	tap_check(irqfd(vm, ADD, 999, 0, 0, 16) == -EBADF, "irqfd on a closed fd: EBADF");
	tap_check(irqfd(vm, ADD, other, 0, 0, 16) == -EINVAL, "irqfd on /dev/null: EINVAL");
	tap_check(irqfd(vm, ADD, efd, 1, 0, 16) == 0, "irqfd, label 1");
	tap_check(irqfd(vm, ADD, efd, 1, GUNYAH_IRQFD_FLAGS_LEVEL, 16) == -EEXIST,
		  "the same label again: EEXIST");
	tap_check(irqfd(vm, ADD, efd, 2, GUNYAH_IRQFD_FLAGS_LEVEL, 16) == 0,
		  "a level irqfd on label 2, same eventfd");
	tap_check(eventfd_write(efd, 1) == 0, "signalled before the VM exists: kept, no error");
	tap_check(irqfd(vm, DEL, efd, 3, 0, 16) == -ENOENT, "remove label 3: ENOENT");
	tap_check(irqfd(vm, DEL, efd, 1, 0, 16) == 0, "remove label 1");
	tap_check(irqfd(vm, ADD, efd, 1, 0, 16) == 0, "label 1 can be added again");
	close(other);
}

static void test_ioeventfd_args(int vm, int efd)
{
	const uint64_t A = 0x9000000;
	int other = open("/dev/null", O_RDWR);
	struct gunyah_fn_ioeventfd_arg a = { .addr = A, .len = 4, .fd = efd, .padding = 1 };
	struct gunyah_fn_desc f = {
		.type = GUNYAH_FN_IOEVENTFD, .arg_size = 16, .arg = (uintptr_t)&a,
	};

	tap_check(gh_ioctl(vm, ADD, &f) == -EINVAL, "ioeventfd, arg_size 16: EINVAL");
	f.arg_size = sizeof(a);
	tap_check(gh_ioctl(vm, ADD, &f) == -EINVAL, "ioeventfd, non-zero padding: EINVAL");
	tap_check(ioeventfd(vm, ADD, efd, A, 3, 0, 0) == -EINVAL, "length 3: EINVAL");
	tap_check(ioeventfd(vm, ADD, efd, A, 16, 0, 0) == -EINVAL, "length 16: EINVAL");
	tap_check(ioeventfd(vm, ADD, efd, A, 0, DM, 0) == -EINVAL,
		  "datamatch with length 0: EINVAL");
	tap_check(ioeventfd(vm, ADD, efd, A, 4, 2, 0) == -EINVAL, "unknown flag: EINVAL");
	tap_check(ioeventfd(vm, ADD, efd, -4ULL, 8, 0, 0) == -EINVAL,
		  "address + length wraps: EINVAL");
	tap_check(ioeventfd(vm, ADD, -1, A, 4, 0, 0) == -EBADF, "fd -1: EBADF");
	tap_check(ioeventfd(vm, ADD, other, A, 4, 0, 0) == -EINVAL, "/dev/null: EINVAL");

	/* The overlap table. */
	tap_check(ioeventfd(vm, ADD, efd, A, 4, DM, 1) == 0, "A/4 datamatch 1");
	tap_check(ioeventfd(vm, ADD, efd, A, 4, DM, 2) == 0, "A/4 datamatch 2");
	tap_check(ioeventfd(vm, ADD, efd, A, 4, DM, 1) == -EEXIST,
		  "A/4 datamatch 1 again: EEXIST");
	tap_check(ioeventfd(vm, ADD, efd, A, 4, 0, 0) == -EEXIST,
		  "A/4 without datamatch beside datamatch ones: EEXIST");
	tap_check(ioeventfd(vm, ADD, efd, A, 0, 0, 0) == -EEXIST,
		  "A, any length, beside sized ones: EEXIST");
	tap_check(ioeventfd(vm, ADD, efd, A, 8, 0, 0) == 0, "A/8 without datamatch");
	tap_check(ioeventfd(vm, ADD, efd, A, 8, DM, 5) == -EEXIST,
		  "A/8 datamatch beside A/8 without: EEXIST");
	tap_check(ioeventfd(vm, ADD, efd, A + 4, 0, 0, 0) == 0, "A+4, any length");
	tap_check(ioeventfd(vm, ADD, efd, A + 4, 2, DM, 7) == -EEXIST,
		  "A+4/2 beside A+4 any length: EEXIST");
	for (int i = 0; i < 64; i++)
		if (ioeventfd(vm, ADD, efd, 0x10000000 + 8 * (i * 37 % 64), 4, 0, 0))
			break;
	tap_check(ioeventfd(vm, ADD, efd, 0x10000000 + 8 * 63, 4, 0, 0) == -EEXIST,
		  "64 more addresses in shuffled order; a duplicate among them: EEXIST");

	/* Removal matches the registration. */
	tap_check(ioeventfd(vm, DEL, efd, A, 4, DM, 3) == -ENOENT,
		  "remove A/4 datamatch 3: ENOENT");
	tap_check(ioeventfd(vm, DEL, efd, A, 4, 0, 1) == -ENOENT,
		  "remove A/4 without the datamatch flag: ENOENT");
	tap_check(ioeventfd(vm, DEL, efd, A, 4, DM, 1) == 0, "remove A/4 datamatch 1");
	tap_check(ioeventfd(vm, ADD, efd, A, 4, DM, 1) == 0, "  ... and add it again");
	tap_check(ioeventfd(vm, DEL, efd, A, 4, DM, 1) == 0 &&
		  ioeventfd(vm, DEL, efd, A, 4, DM, 2) == 0,
		  "remove both A/4 datamatch ones");
	tap_check(ioeventfd(vm, ADD, efd, A, 4, 0, 0) == 0,
		  "now A/4 without datamatch is accepted");
	close(other);
}

int main(void)
{
	long avail0, avail1 = 0;
	int vm, efd;

	tap_begin();
	dev = gh_open();
	if (!tap_check(dev >= 0, "/dev/gunyah opens"))
		return tap_finish();
	avail0 = free_mem_kb("MemAvailable");
	for (int round = 0; round < 2; round++) {
		vm = ioctl(dev, GUNYAH_CREATE_VM, 0);
		efd = eventfd(0, EFD_CLOEXEC);
		if (!tap_check(vm >= 0 && efd >= 0, "a VM and an eventfd (round %d)", round))
			break;
		test_irqfd_args(vm, efd);
		test_ioeventfd_args(vm, efd);
		/* Closing the eventfd first, then the VM with its functions. */
		close(efd);
		close(vm);
	}
	tap_check(meminfo_back_to("MemAvailable", avail0, 4 * 1024, &avail1),
		  "MemAvailable back after both rounds (%+ld kB)", avail1 - avail0);
	close(dev);
	return tap_finish();
}
