// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest memory files and GUNYAH_VM_MAP_MEM: creation and fallocate rules,
 * mmap, the binding rules (overlaps, alignment, the unmap table), and a
 * guest running from a lent binding that the host cannot read.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/wait.h>
#include <linux/falloc.h>

#include "guest/guest_abi.h"
#include "gunyah_util.h"
#include "test_vmm.h"

#define MiB	(1024ULL * 1024)
#define RWX	GUNYAH_MEM_ALLOW_RWX

static int dev;

static int falloc(int fd, int mode, off_t off, off_t len)
{
	return fallocate(fd, mode, off, len) ? -errno : 0;
}

static void test_memfd(void)
{
	uint8_t *p;
	int fd;

	tap_check(gmem_create(dev, 0x8, 4 * MiB) == -EINVAL,
		  "guest memory with an unknown flag: EINVAL");
	tap_check(gmem_create(dev, 0, 0) == -EINVAL, "guest memory of size 0: EINVAL");
	tap_check(gmem_create(dev, 0, 4097) == -EINVAL, "guest memory, unaligned size: EINVAL");
	fd = gmem_create(dev, GHMF_CLOEXEC, 4 * MiB);
	if (!tap_check(fd >= 0, "4 MiB of guest memory (%d)", fd))
		return;
	tap_check((fcntl(fd, F_GETFD) & FD_CLOEXEC), "GHMF_CLOEXEC gives a close-on-exec fd");
	tap_check(ftruncate(fd, 8 * MiB) == 0 && ftruncate(fd, 4 * MiB) == 0,
		  "ftruncate to a new length");
	tap_check(falloc(fd, FALLOC_FL_KEEP_SIZE, 0, 1) == -EINVAL,
		  "fallocate of 1 byte: EINVAL");
	tap_check(falloc(fd, FALLOC_FL_KEEP_SIZE, 1, 4 * MiB) == -EINVAL,
		  "fallocate at an unaligned offset: EINVAL");
	tap_check(falloc(fd, FALLOC_FL_KEEP_SIZE, 4 * MiB, 4096) == -EINVAL,
		  "fallocate beyond the size: EINVAL");
	tap_check(falloc(fd, 0, 0, 4096) == -EOPNOTSUPP, "fallocate without KEEP_SIZE: EOPNOTSUPP");
	tap_check(falloc(fd, FALLOC_FL_KEEP_SIZE, 0, 1 * MiB) == 0, "fallocate of 1 MiB");
	tap_check(falloc(fd, FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE, 2 * MiB, 4096) == 0 &&
		  falloc(fd, FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE, 8 * MiB, 4096) == 0,
		  "punching holes where nothing is, or beyond the end: fine");
	tap_check(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0) == MAP_FAILED && errno == EINVAL,
		  "MAP_PRIVATE: EINVAL");
	p = mmap(NULL, 4 * MiB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (tap_check(p != MAP_FAILED, "MAP_SHARED mapping")) {
		bool zero = true;

		for (size_t i = 0; i < 4 * MiB; i += 4096)
			zero &= p[i] == 0 && p[i + 4095] == 0;
		tap_check(zero, "fresh guest memory reads as zeros");
		p[12345] = 0x5a;
		tap_check(p[12345] == 0x5a, "and keeps what is written");
		munmap(p, 4 * MiB);
	}
	close(fd);
}

static void test_bindings(void)
{
	int vm = ioctl(dev, GUNYAH_CREATE_VM, 0), vm2 = ioctl(dev, GUNYAH_CREATE_VM, 0);
	int fd = gmem_create(dev, 0, 16 * MiB), fd2 = gmem_create(dev, 0, 16 * MiB);
	uint32_t lend = RWX | GUNYAH_MEM_FORCE_LEND, share = RWX | GUNYAH_MEM_FORCE_SHARE;
	const uint64_t G = 0x80000000ULL;
	int r;

	if (!tap_check(vm >= 0 && vm2 >= 0 && fd >= 0 && fd2 >= 0, "two VMs and two memfds"))
		return;
	tap_check(gmem_map(vm, 0, G, 0, MiB, lend) == -EINVAL, "MAP_MEM of a non-memfd: EINVAL");
	tap_check(gmem_map(vm, fd, G, 0, MiB, lend | 0x200) == -EINVAL, "unknown flag: EINVAL");
	tap_check(gmem_map(vm, fd, G, 0, MiB, GUNYAH_MEM_FORCE_LEND) == -EINVAL,
		  "no ALLOW bit: EINVAL");
	tap_check(gmem_map(vm, fd, G, 0, MiB, RWX | 3) == -EINVAL, "access type 3: EINVAL");
	tap_check(gmem_map(vm, fd, G + 0x800, 0, MiB, lend) == -EINVAL, "unaligned IPA: EINVAL");
	tap_check(gmem_map(vm, fd, G, 0x800, MiB, lend) == -EINVAL, "unaligned offset: EINVAL");
	tap_check(gmem_map(vm, fd, G, 0, 0x1800, lend) == -EINVAL, "unaligned size: EINVAL");
	tap_check(gmem_map(vm, fd, G, 15 * MiB, 2 * MiB, lend) == -EINVAL,
		  "range beyond the memfd: EINVAL");

	tap_check(gmem_map(vm, fd, G, 0, 4 * MiB, lend) == 0, "bind 4 MiB");
	tap_check(gmem_map(vm, fd, G + 8 * MiB, 2 * MiB, MiB, share) == -EEXIST,
		  "overlapping memfd range, other IPA and flags: EEXIST");
	tap_check(gmem_map(vm2, fd, G, 3 * MiB, MiB, lend) == -EEXIST,
		  "overlapping memfd range in another VM: EEXIST");
	tap_check(gmem_map(vm, fd2, G + 2 * MiB, 0, MiB, lend) == -EEXIST,
		  "overlapping guest range: EEXIST");
	tap_check(gmem_map(vm2, fd, G, 4 * MiB, 4 * MiB, lend) == 0 &&
		  gmem_map(vm2, fd, G + 4 * MiB, 8 * MiB, MiB, share) == 0,
		  "other ranges of the same memfd, in another VM: fine");

	/* Unmap rules, for the 4 MiB lent binding at G, offset 0. */
	tap_check(gmem_map(vm, fd, G + MiB, 0, MiB, lend | GUNYAH_MEM_UNMAP) == -ENOENT,
		  "unmap with a mismatched offset: ENOENT");
	tap_check(gmem_map(vm, fd, G, 0, MiB, share | GUNYAH_MEM_UNMAP) == -ENOENT,
		  "unmap with another access type: ENOENT");
	tap_check(gmem_map(vm, fd, G, 0, MiB, GUNYAH_MEM_ALLOW_READ | GUNYAH_MEM_FORCE_LEND |
		      GUNYAH_MEM_UNMAP) == -ENOENT, "unmap with other ALLOW bits: ENOENT");
	tap_check(gmem_map(vm, fd, G + 16 * MiB, 0, MiB, lend | GUNYAH_MEM_UNMAP) == -ENOENT,
		  "unmap at a wrong guest address: ENOENT");
	tap_check(gmem_map(vm, fd, G + MiB, MiB, MiB, lend | GUNYAH_MEM_UNMAP) == 0,
		  "unmap of a middle piece: two bindings are left");
	tap_check(gmem_map(vm, fd, G, 0, 2 * MiB, lend | GUNYAH_MEM_UNMAP) == -ENOENT &&
		  gmem_map(vm, fd, G + MiB, MiB, 2 * MiB, lend | GUNYAH_MEM_UNMAP) == -ENOENT,
		  "  ... an unmap across the hole matches neither: ENOENT");
	tap_check(gmem_map(vm, fd2, G + MiB, 0, MiB, lend) == 0 &&
		  gmem_map(vm, fd2, G + MiB, 0, MiB, lend | GUNYAH_MEM_UNMAP) == 0,
		  "  ... the hole takes another binding, which unmaps again");
	tap_check(gmem_map(vm, fd2, G + MiB / 2, 0, MiB, lend) == -EEXIST &&
		  gmem_map(vm, fd2, G + 3 * MiB / 2 + MiB, 0, MiB, lend) == -EEXIST,
		  "  ... both halves are still bound: EEXIST for overlaps with either");
	tap_check(gmem_map(vm, fd, G + 3 * MiB, 3 * MiB, MiB, lend | GUNYAH_MEM_UNMAP) == 0,
		  "unmap the end part of the upper half");
	tap_check(gmem_map(vm, fd, G, 0, MiB, lend | GUNYAH_MEM_UNMAP) == 0,
		  "unmap the lower half, whole");
	tap_check(gmem_map(vm, fd, G + 2 * MiB, 2 * MiB, MiB, lend | GUNYAH_MEM_UNMAP) == 0,
		  "unmap the remainder");
	tap_check(gmem_map(vm, fd, G + 2 * MiB, 2 * MiB, MiB, lend | GUNYAH_MEM_UNMAP) == -ENOENT,
		  "unmapping it twice: ENOENT");
	r = gmem_map(vm, fd, G, 0, MiB, lend) | gmem_map(vm, fd, G + MiB, MiB, MiB, lend) |
	    gmem_map(vm, fd, G + 2 * MiB, 2 * MiB, MiB, lend);
	tap_check(r == 0, "three adjacent bindings");
	r = gmem_map(vm, fd, G + MiB, MiB, MiB, lend | GUNYAH_MEM_UNMAP) |
	    gmem_map(vm, fd, G + 2 * MiB, 2 * MiB, MiB, lend | GUNYAH_MEM_UNMAP) |
	    gmem_map(vm, fd, G, 0, MiB, lend | GUNYAH_MEM_UNMAP);
	tap_check(r == 0, "... unmapped in another order");
	tap_check(gmem_map(vm, fd, G, 0, 4 * MiB, lend) == 0, "the range can be bound again");
	close(vm);
	close(vm2);
	close(fd);
	close(fd2);
}

/* Run the test guest from a lent binding; the guest powers off at once. */
static void test_guest_from_memfd(bool lend)
{
	struct gunyah_vm_dtb_config cfg = { .guest_phys_addr = GUEST_MEM_BASE + 0x80000 };
	struct gunyah_fn_vcpu_arg varg = { .id = 0 };
	struct gunyah_fn_desc fn = {
		.type = GUNYAH_FN_VCPU, .arg_size = sizeof(varg), .arg = (uintptr_t)&varg,
	};
	struct gunyah_vcpu_run *run;
	struct hyp_stats h0 = { 0 }, h1 = { 0 };
	int fd, vm, vcpu, r;
	uint8_t *p;
	ssize_t n;

	hyp_stats(&h0);
	fd = gmem_create(dev, 0, 2 * MiB);
	vm = ioctl(dev, GUNYAH_CREATE_VM, 0);
	p = mmap(NULL, 2 * MiB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (!tap_check(fd >= 0 && vm >= 0 && p != MAP_FAILED, "%s guest memory set up",
		       lend ? "lent" : "shared"))
		return;
	n = load_file(DTB_DIR "test-guest.bin", p, 0x80000);
	cfg.size = load_file(DTB_DIR "guest-2cpu.dtb", p + 0x80000, 0x10000);
	r = gmem_map(vm, fd, GUEST_MEM_BASE, 0, 2 * MiB,
		     RWX | (lend ? GUNYAH_MEM_FORCE_LEND : GUNYAH_MEM_FORCE_SHARE));
	r = r ?: gh_ioctl(vm, GUNYAH_VM_SET_DTB_CONFIG, &cfg);
	vcpu = ioctl(vm, GUNYAH_VM_ADD_FUNCTION, &fn);
	run = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	tap_check(n > 0 && r == 0 && vcpu >= 0 && run != MAP_FAILED, "binding, DTB and vCPU");
	if (lend) {
		r = vm_start(&(struct test_vm){ .fd = vm });
		tap_check(r == -EPERM, "lending memory the host still has mapped: EPERM (%d)", r);
		munmap(p, 2 * MiB);
		close(vm);
		close(vcpu);
		munmap(run, 4096);
		close(fd);
		tap_check_hyp(!hyp_stats(&h1) && hyp_stats_equal(&h0, &h1),
			      "... and nothing is left behind");
		fd = gmem_create(dev, 0, 2 * MiB);
		vm = ioctl(dev, GUNYAH_CREATE_VM, 0);
		p = mmap(NULL, 2 * MiB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		load_file(DTB_DIR "test-guest.bin", p, 0x80000);
		load_file(DTB_DIR "guest-2cpu.dtb", p + 0x80000, 0x10000);
		munmap(p, 2 * MiB);
		gmem_map(vm, fd, GUEST_MEM_BASE, 0, 2 * MiB, RWX | GUNYAH_MEM_FORCE_LEND);
		gh_ioctl(vm, GUNYAH_VM_SET_DTB_CONFIG, &cfg);
		vcpu = ioctl(vm, GUNYAH_VM_ADD_FUNCTION, &fn);
		run = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	}
	r = vm_start(&(struct test_vm){ .fd = vm });
	tap_check(r == 0, "VM starts from guest memory (%d)", r);
	if (lend) {
		p = mmap(NULL, 2 * MiB, PROT_READ, MAP_SHARED, fd, 0);
		tap_check(p != MAP_FAILED && read_gets_sigbus(p + 0x1000),
			  "a host read of lent guest memory: SIGBUS");
		munmap(p, 2 * MiB);
	}
	tap_check(gmem_map(vm, fd, GUEST_MEM_BASE, 0, 2 * MiB,
			   RWX | (lend ? GUNYAH_MEM_FORCE_LEND : GUNYAH_MEM_FORCE_SHARE) |
			   GUNYAH_MEM_UNMAP) == -EBUSY, "unmapping memory the guest has: EBUSY");
	/* The guest reads its first command: power off. */
	r = ioctl(vcpu, GUNYAH_VCPU_RUN);
	if (r == 0 && run->exit_reason == GUNYAH_VCPU_EXIT_MMIO &&
	    run->mmio.phys_addr == GUEST_REG_CMD) {
		uint64_t cmd = CMD_SYSTEM_OFF;

		memcpy(run->mmio.data, &cmd, sizeof(cmd));
		r = ioctl(vcpu, GUNYAH_VCPU_RUN);
	}
	tap_check(r == 0 && run->exit_reason == GUNYAH_VCPU_EXIT_STATUS &&
		  run->status.status == GUNYAH_VM_STATUS_EXITED,
		  "the guest ran from guest memory and powered off");
	munmap(run, 4096);
	close(vcpu);
	close(vm);
	p = mmap(NULL, 2 * MiB, PROT_READ, MAP_SHARED, fd, 0);
	tap_check(p != MAP_FAILED && !read_gets_sigbus(p + 0x1000) &&
		  (lend ? p[0] == 0 : p[0] != 0),
		  "after the VM, the host reads the memory again (%s)",
		  lend ? "scrubbed" : "the guest image");
	munmap(p, 2 * MiB);
	close(fd);
	hyp_stats(&h1);
	tap_check_hyp(hyp_stats_equal(&h0, &h1), "hypervisor counts back");
}

/* One command with one argument: 0 with the guest's result, an exit reason or -errno. */
static int run_cmd(int vcpu, struct gunyah_vcpu_run *run, uint64_t cmd, uint64_t arg,
		   uint64_t *result)
{
	return vcpu_run_cmd(vcpu, run, cmd, &arg, 1, result);
}

/* Demand paging: lent and shared bindings filled in as the guest touches them. */
static void test_demand_paging(void)
{
	struct gunyah_vm_dtb_config cfg = { .guest_phys_addr = GUEST_MEM_BASE + 0x80000 };
	struct gunyah_fn_vcpu_arg varg = { .id = 0 };
	struct gunyah_fn_desc fn = {
		.type = GUNYAH_FN_VCPU, .arg_size = sizeof(varg), .arg = (uintptr_t)&varg,
	};
	const uint64_t LEND = 0x90000000, SHARE = 0xa0000000, RO = 0xb0000000;
	struct platform_calls c0, c1;
	struct gunyah_vcpu_run *run;
	struct hyp_stats h0 = { 0 }, h1 = { 0 };
	int fd, vm, vcpu, r;
	uint64_t res = 0;
	uint8_t *p;

	hyp_stats(&h0);
	platform_calls(&c0);
	fd = gmem_create(dev, 0, 8 * MiB);
	vm = ioctl(dev, GUNYAH_CREATE_VM, 0);
	p = mmap(NULL, 2 * MiB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	load_file(DTB_DIR "test-guest.bin", p, 0x80000);
	cfg.size = load_file(DTB_DIR "guest-2cpu.dtb", p + 0x80000, 0x10000);
	munmap(p, 2 * MiB);
	r = gmem_map(vm, fd, GUEST_MEM_BASE, 0, 2 * MiB, RWX | GUNYAH_MEM_FORCE_LEND) |
	    gmem_map(vm, fd, LEND, 2 * MiB, 2 * MiB, RWX | GUNYAH_MEM_FORCE_LEND) |
	    gmem_map(vm, fd, SHARE, 4 * MiB, 2 * MiB, RWX | GUNYAH_MEM_FORCE_SHARE) |
	    gmem_map(vm, fd, RO, 6 * MiB, 2 * MiB, GUNYAH_MEM_ALLOW_READ | GUNYAH_MEM_FORCE_LEND) |
	    gh_ioctl(vm, GUNYAH_VM_SET_DTB_CONFIG, &cfg);
	vcpu = ioctl(vm, GUNYAH_VM_ADD_FUNCTION, &fn);
	run = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (!r)
		r = vm_start(&(struct test_vm){ .fd = vm });
	if (!tap_check(r == 0 && vcpu >= 0,
		       "VM with an image binding and lent, shared and read-only bindings"))
		return;
	p = mmap(NULL, 8 * MiB, PROT_READ, MAP_SHARED, fd, 0);

	r = run_cmd(vcpu, run, CMD_STORE, LEND + 0x1000, &res);
	tap_check(r == 0 && res == STORE_VALUE,
		  "guest store to a lent binding: paged in on the fault, value kept (%d, %#llx)",
		  r, (unsigned long long)res);
	tap_check(read_gets_sigbus(p + 2 * MiB + 0x1000), "  ... and the host cannot read it");
	r = run_cmd(vcpu, run, CMD_STORE, SHARE + 0x2000, &res);
	tap_check(r == 0 && res == STORE_VALUE &&
		  *(uint64_t *)(p + 4 * MiB + 0x2000) == STORE_VALUE,
		  "guest store to a shared binding: the host sees it (%d)", r);
	tap_check(gmem_map(vm, fd, LEND, 2 * MiB, 2 * MiB, RWX | GUNYAH_MEM_FORCE_LEND |
		      GUNYAH_MEM_UNMAP) == -EBUSY, "unmapping a binding with pages in use: EBUSY");

	/* Punching holes takes pages back from the guest; it then reads zeros. */
	r = falloc(fd, FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE, 2 * MiB + 0x1000, 4096) |
	    falloc(fd, FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE, 4 * MiB + 0x2000, 4096);
	tap_check(r == 0, "punching holes in pages the guest has (%d)", r);
	res = ~0ULL;
	r = run_cmd(vcpu, run, CMD_LOAD, LEND + 0x1000, &res);
	tap_check(r == 0 && res == 0, "  ... the guest reads a fresh zeroed lent page (%#llx)",
		  (unsigned long long)res);
	res = ~0ULL;
	r = run_cmd(vcpu, run, CMD_LOAD, SHARE + 0x2000, &res);
	tap_check(r == 0 && res == 0 && *(uint64_t *)(p + 4 * MiB + 0x2000) == 0,
		  "  ... and a fresh zeroed shared page, the host sees it too (%#llx)",
		  (unsigned long long)res);
	r = run_cmd(vcpu, run, CMD_STORE, SHARE + 0x2000, &res);
	tap_check(r == 0 && *(uint64_t *)(p + 4 * MiB + 0x2000) == STORE_VALUE,
		  "  ... which is shared again");
	tap_check(falloc(fd, FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE, 0x1000, 4096) == -EBUSY,
		  "punching a hole in the image parcel: EBUSY");
	write_file("/sys/kernel/debug/gunyah_test/platform", "fail_page");
	r = run_cmd(vcpu, run, CMD_STORE, LEND + 0x5000, &res);
	tap_check(r == GUNYAH_VCPU_EXIT_PAGE_FAULT && run->page_fault.attempt == -EPERM,
		  "the platform refusing a page: PAGE_FAULT exit, attempt EPERM (%d)", r);
	r = run_cmd(vcpu, run, CMD_STORE, LEND + 0x5000, &res);
	tap_check(r == 0 && res == STORE_VALUE, "  ... and the next RUN gets the page (%d)", r);
	r = run_cmd(vcpu, run, CMD_STORE, RO + 0x3000, &res);
	tap_check(r == GUNYAH_VCPU_EXIT_PAGE_FAULT && run->page_fault.phys_addr == RO + 0x3000 &&
		  run->page_fault.attempt == -EPERM,
		  "write to a read-only binding: PAGE_FAULT exit, attempt EPERM (%d, %d)", r,
		  run->page_fault.attempt);
	munmap(run, 4096);
	close(vcpu);
	close(vm);
	tap_check(!read_gets_sigbus(p + 2 * MiB + 0x1000) &&
		  *(uint64_t *)(p + 2 * MiB + 0x1000) == 0,
		  "after the VM, the lent page is the host's again, scrubbed");
	tap_check(*(uint64_t *)(p + 4 * MiB + 0x2000) == STORE_VALUE,
		  "  ... and the shared page keeps the guest's data");
	munmap(p, 8 * MiB);
	close(fd);
	hyp_stats(&h1);
	tap_check_hyp(hyp_stats_equal(&h0, &h1), "hypervisor counts back (pages %llu -> %llu)",
		      h0.free_pages, h1.free_pages);
	platform_calls(&c1);
	tap_check(c1.pre_share - c0.pre_share == 1 && c1.post_reclaim - c0.post_reclaim == 1,
		  "platform hooks: the image parcel shared once, reclaimed once (%d, %d)",
		  c1.pre_share - c0.pre_share, c1.post_reclaim - c0.post_reclaim);
	/* 2 pages stored to, 2 again after the punched holes, 1 after a refusal */
	tap_check(c1.pre_demand - c0.pre_demand == 5 &&
		  c1.release_demand - c0.release_demand == 5,
		  "platform hooks: 5 pages given, 5 released (%d, %d)",
		  c1.pre_demand - c0.pre_demand, c1.release_demand - c0.release_demand);

	/* The platform refusing a parcel: start fails, nothing is left. */
	fd = gmem_create(dev, 0, 2 * MiB);
	vm = ioctl(dev, GUNYAH_CREATE_VM, 0);
	p = mmap(NULL, 2 * MiB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	load_file(DTB_DIR "test-guest.bin", p, 0x80000);
	cfg.size = load_file(DTB_DIR "guest-2cpu.dtb", p + 0x80000, 0x10000);
	munmap(p, 2 * MiB);
	gmem_map(vm, fd, GUEST_MEM_BASE, 0, 2 * MiB, RWX | GUNYAH_MEM_FORCE_LEND);
	gh_ioctl(vm, GUNYAH_VM_SET_DTB_CONFIG, &cfg);
	write_file("/sys/kernel/debug/gunyah_test/platform", "fail_share");
	r = vm_start(&(struct test_vm){ .fd = vm });
	tap_check(r == -EPERM, "the platform refusing the image parcel: start fails, EPERM (%d)",
		  r);
	close(vm);
	close(fd);
	hyp_stats(&h1);
	tap_check_hyp(hyp_stats_equal(&h0, &h1), "  ... and nothing is left behind");
}

/* A VM on a 2 MiB guest memory file, lent (gvm_make()), started; *@pages: the file's pages then. */
static int parcel_vm(struct gvm *g, long *pages)
{
	int r = gvm_make(g, dev, 2 * MiB, "guest-1cpu.dtb");

	r = r ?: vm_start(&(struct test_vm){ .fd = g->vm });
	*pages = fdinfo_value(g->fd, "small_pages");
	return r;
}

/*
 * The image parcel: with an RM that pages guests in on demand it ends with
 * the device tree's region, the rest of the binding comes page by page;
 * without (the open-source RM) it is the whole binding, the guest's memory.
 * The VM manager asks the RM once (debugfs gunyah_rm/demand_paging: 0 not
 * yet, 1 yes, 2 no); a question without an answer is asked again.
 */
static void test_image_parcel(void)
{
	/* 64 KiB blocks: the guest and DT (0x81000 bytes) take 0x90000. */
	const long small = 0x90000 / 4096, whole = 2 * MiB / 4096;
	uint64_t res = 0;
	struct gvm g;
	long pages;
	int r, logs;

	if (!need_test_hyp("the image parcel's size (fault injection)"))
		return;
	rm_debugfs_write("demand_paging", "0");
	logs = klog_count("no answer on demand paging");
	fault_reset();
	fault_arm(RPC_VM_SET_DEMAND_PAGING, 1, FAULT_RPC_ERROR, 0x99, 1);
	r = parcel_vm(&g, &pages);
	tap_check(r == 0 && pages == whole && fault_fired() == 1 &&
		  rm_debugfs_read("demand_paging") == 0,
		  "the RM's answer on demand paging garbled: the VM starts, the parcel is the whole binding (%d, %ld pages)",
		  r, pages);
	tap_check(klog_count("no answer on demand paging") > logs, "  ... and the kernel logs it");
	gvm_free(&g);
	fault_reset();

	r = parcel_vm(&g, &pages);
	if (oss_profile()) {
		tap_check(r == 0 && pages == whole && rm_debugfs_read("demand_paging") == 2,
			  "asked again: no demand paging, the parcel is the whole binding (%d, %ld pages)",
			  r, pages);
	} else {
		tap_check(r == 0 && pages == small && rm_debugfs_read("demand_paging") == 1,
			  "asked again: demand paging, the parcel ends with the device tree (%d, %ld pages)",
			  r, pages);
	}
	r = run_cmd(g.vcpu, g.run, CMD_STORE, GUEST_MEM_BASE + MiB, &res);
	tap_check(r == 0 && res == STORE_VALUE &&
		  fdinfo_value(g.fd, "small_pages") == pages + (oss_profile() ? 0 : 16),
		  "the guest stores beyond the device tree: %s (%d, %ld pages)",
		  oss_profile() ? "in the parcel" : "paged in on demand", r,
		  fdinfo_value(g.fd, "small_pages"));
	gvm_free(&g);
}

/*
 * A VMM killed while its guest runs on demand-paged guest memory: the
 * pages come back to the host, in the hypervisor's counts and in MemFree.
 */
static void test_killed_vmm(void)
{
	const size_t size = 64 * MiB, pages = 256;
	struct hyp_stats h0 = { 0 }, h1 = { 0 };
	long free0, free1 = 0;
	int status = 0, pipefd[2];
	char ready;
	pid_t pid;

	hyp_stats(&h0);
	free0 = free_mem_kb("MemFree");
	if (pipe(pipefd))
		return;
	pid = fork();
	if (pid == 0) {
		struct gunyah_vm_dtb_config cfg = { .guest_phys_addr = GUEST_MEM_BASE + 0x80000 };
		struct gunyah_fn_vcpu_arg varg = { .id = 0 };
		struct gunyah_fn_desc fn = {
			.type = GUNYAH_FN_VCPU, .arg_size = sizeof(varg), .arg = (uintptr_t)&varg,
		};
		struct gunyah_vcpu_run *run;
		int fd = gmem_create(dev, 0, size), vm = ioctl(dev, GUNYAH_CREATE_VM, 0), vcpu, r;
		uint64_t res;
		uint8_t *p = mmap(NULL, 2 * MiB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

		load_file(DTB_DIR "test-guest.bin", p, 0x80000);
		cfg.size = load_file(DTB_DIR "guest-2cpu.dtb", p + 0x80000, 0x10000);
		munmap(p, 2 * MiB);
		/*
		 * All 64 MiB allocated: a leak must stand out of MemFree's
		 * noise (freed pages may wait in per-CPU lists for a while).
		 */
		if (falloc(fd, FALLOC_FL_KEEP_SIZE, 0, size) ||
		    gmem_map(vm, fd, GUEST_MEM_BASE, 0, 2 * MiB, RWX | GUNYAH_MEM_FORCE_LEND) ||
		    gmem_map(vm, fd, 0x90000000, 2 * MiB, size - 2 * MiB,
			     RWX | GUNYAH_MEM_FORCE_LEND) ||
		    gh_ioctl(vm, GUNYAH_VM_SET_DTB_CONFIG, &cfg))
			_exit(2);
		vcpu = ioctl(vm, GUNYAH_VM_ADD_FUNCTION, &fn);
		run = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
		r = vm_start(&(struct test_vm){ .fd = vm });
		if (r)
			_exit(3);
		/* The guest touches 1 MiB of demand-paged memory, page by page... */
		for (size_t i = 0; i < pages; i++)
			if (run_cmd(vcpu, run, CMD_STORE, 0x90000000 + i * 4096, &res))
				_exit(4);
		if (write(pipefd[1], "r", 1) != 1)
			_exit(5);
		/* ... then spins until the VMM is killed. */
		run_cmd(vcpu, run, CMD_SPIN, GUEST_MEM_BASE + 0x1f0000, &res);
		_exit(6);
	}
	close(pipefd[1]);
	tap_check(read(pipefd[0], &ready, 1) == 1,
		  "a VMM's guest touched %zu demand-paged pages and spins", pages);
	close(pipefd[0]);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	tap_check(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "VMM killed with SIGKILL");
	for (int i = 0; i < 50; i++) {
		if (!hyp_stats(&h1) && hyp_stats_equal(&h0, &h1))
			break;
		usleep(100000);
	}
	tap_check_hyp(hyp_stats_equal(&h0, &h1), "every page went back (hypervisor counts)");
	for (int i = 0; i < 50; i++) {
		free1 = free_mem_kb("MemFree");
		if (free0 - free1 < 24 * 1024)
			break;
		usleep(100000);
	}
	tap_diag("MemFree %ld -> %ld kB", free0, free1);
	tap_check(free0 - free1 < 24 * 1024, "its 64 MiB of guest memory came back (%+ld kB)",
		  free1 - free0);
}

int main(void)
{
	tap_begin();
	dev = gh_open();
	if (!tap_check(dev >= 0, "/dev/gunyah opens"))
		return tap_finish();
	test_memfd();
	test_bindings();
	test_guest_from_memfd(true);
	test_guest_from_memfd(false);
	test_image_parcel();
	/* The open-source RM has no VM_SET_DEMAND_PAGING (UNIMPLEMENTED). */
	if (oss_profile()) {
		tap_skip("demand paging: the open-source RM has none");
		tap_skip("a VMM killed on demand-paged memory: the open-source RM has none");
	} else {
		test_demand_paging();
		test_killed_vmm();
	}
	close(dev);
	return tap_finish();
}
