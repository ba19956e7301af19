// SPDX-License-Identifier: GPL-2.0-only
/*
 * GH_VM_RECLAIM_REGION: every bad input; a binding's pages freed before
 * start; a user memory region and an image parcel, which the RM takes back
 * only whole (EBUSY, and the log says why); and, where the RM pages guest
 * memory on demand (v17 profile), pages the guest touched taken back from
 * lent and shared bindings -- the host gets them back (the file's counts,
 * the platform hooks), the guest's next access is a page-fault exit that
 * gets a fresh zeroed page -- also while a vCPU keeps touching the range,
 * and the hypervisor refusing the unmap or the donation (EIO, a log line,
 * then a retry that works).  Runs against both RM profiles (GH_PROFILE).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <linux/falloc.h>

#include "guest/guest_abi.h"
#include "gunyah_util.h"
#include "test_vmm.h"

#define MiB		(1024ULL * 1024)
#define RWX		GUNYAH_MEM_ALLOW_RWX
#define LEND		0x90000000ULL	/* lent binding, file offset 2 MiB */
#define SHARE		0xa0000000ULL	/* shared binding, file offset 4 MiB */
#define HVC_ADDRSPACE_UNMAP	0x2c
#define HVC_MEMEXTENT_DONATE	0x61
#define GH_ERROR_DENIED		30
#define NO_DP	"open-source RM profile: no demand paging, nothing is given page by page"

static int dev;

static int reclaim(int vm, uint64_t gpa, uint64_t size)
{
	struct gh_vm_reclaim_region rr = { .guest_phys_addr = gpa, .size = size };

	return gh_ioctl(vm, GH_VM_RECLAIM_REGION, &rr);
}

/* The file's pages (fdinfo small_pages), or -1. */
static long file_pages(int fd)
{
	return fdinfo_value(fd, "small_pages");
}

/* Guest exits of one kind since the hypervisor booted, or -1. */
static long guest_exits(const char *kind)
{
	char buf[512], *p;

	if (read_file("/sys/kernel/debug/gunyah_test/exits", buf, sizeof(buf)) < 0)
		return -1;
	p = strstr(buf, kind);
	return p ? strtol(p + strlen(kind), NULL, 10) : -1;
}

static int guest_touch(int vcpu, struct gunyah_vcpu_run *run, uint64_t gpa, uint64_t n)
{
	uint64_t args[2] = { gpa, n }, res = 0;
	int r = vcpu_run_cmd(vcpu, run, CMD_TOUCH_PAGES, args, 2, &res);

	return r ?: (res == n ? 0 : -EIO);
}

static int guest_load(int vcpu, struct gunyah_vcpu_run *run, uint64_t gpa, uint64_t *val)
{
	*val = ~0ULL;
	return vcpu_run_cmd(vcpu, run, CMD_LOAD, &gpa, 1, val);
}

/* A VM on guest memory: a lent 2 MiB image binding, then LEND and SHARE. */
static int gvm_make_rr(struct gvm *g, bool start)
{
	int r = gvm_make(g, dev, 6 * MiB, "guest-2cpu.dtb");

	r = r ?: gmem_map(g->vm, g->fd, LEND, 2 * MiB, 2 * MiB, RWX | GUNYAH_MEM_FORCE_LEND) ?:
		 gmem_map(g->vm, g->fd, SHARE, 4 * MiB, 2 * MiB, RWX | GUNYAH_MEM_FORCE_SHARE);
	if (r)
		return r;
	return start ? gh_ioctl(g->vm, GUNYAH_VM_START, NULL) : 0;
}

static void test_bad_input(void)
{
	struct gh_vm_reclaim_region rr = { LEND, 4096 };
	struct gvm g;
	uint8_t *p;
	long n0;
	int r;

	r = gvm_make_rr(&g, false);
	if (!tap_check(r == 0, "VM with image, lent and shared bindings, not started (%d)", r))
		return;
	tap_check(reclaim(g.vm, LEND, 0) == -EINVAL, "size 0: EINVAL");
	tap_check(reclaim(g.vm, LEND + 0x800, 4096) == -EINVAL, "unaligned address: EINVAL");
	tap_check(reclaim(g.vm, LEND, 0x800) == -EINVAL, "unaligned size: EINVAL");
	tap_check(reclaim(g.vm, ~0xfffULL, 0x2000) == -EINVAL, "a range that wraps: EINVAL");
	tap_check(reclaim(g.vm, 0x50000000, 4096) == -ENOENT, "a range in no region: ENOENT");
	tap_check(reclaim(g.vm, LEND + 2 * MiB - 4096, 0x2000) == -ENOENT,
		  "a range running past its binding: ENOENT");
	tap_check(reclaim(g.vm, LEND - 4096, 0x2000) == -ENOENT,
		  "a range starting before its binding: ENOENT");
	tap_check(gh_ioctl(g.vm, GH_VM_RECLAIM_REGION, (void *)8) == -EFAULT,
		  "a bad argument pointer: EFAULT");
	tap_check(gh_ioctl(dev, GH_VM_RECLAIM_REGION, &rr) == -ENOTTY,
		  "on /dev/gunyah: ENOTTY");
	tap_check(gh_ioctl(g.vcpu, GH_VM_RECLAIM_REGION, &rr) == -ENOTTY, "on a vCPU fd: ENOTTY");

	/* Before start nothing is the guest's: the binding's pages are just freed. */
	p = mmap(NULL, 2 * MiB, PROT_READ | PROT_WRITE, MAP_SHARED, g.fd, 2 * MiB);
	tap_check(p != MAP_FAILED, "the lent binding's file range maps");
	memset(p, 0x5a, 64 * 4096);
	n0 = file_pages(g.fd);
	r = reclaim(g.vm, LEND, 32 * 4096);
	tap_check(r == 0 && file_pages(g.fd) == n0 - 32,
		  "before start: 32 pages freed (%d, pages %ld -> %ld)", r, n0, file_pages(g.fd));
	tap_check(p[0] == 0 && p[31 * 4096] == 0 && p[32 * 4096] == 0x5a,
		  "  ... the VMM reads zeros there, its data after");
	munmap(p, 2 * MiB);
	gvm_free(&g);
}

/* A user memory region is one parcel, which the RM takes back only whole. */
static void test_user_region(bool lend)
{
	const char *kind = lend ? "lent" : "shared";
	struct hyp_stats h0;
	struct test_vm vm;
	int r, k0, k1;

	hyp_stats(&h0);
	r = vm_setup(dev, "guest-2cpu.dtb", lend, 2 * MiB, &vm);
	if (!tap_check(r == 0, "VM with a %s user memory region (%d)", kind, r))
		return;
	tap_check(reclaim(vm.fd, GUEST_MEM_BASE, 4096) == 0,
		  "%s region before start: nothing given, 0", kind);
	r = vm_start(&vm);
	tap_check(r == 0, "  ... the VM starts (%d)", r);
	k0 = klog_count("the RM takes a parcel back only whole");
	r = reclaim(vm.fd, GUEST_MEM_BASE + 4096, 4096);
	k1 = klog_count("the RM takes a parcel back only whole");
	tap_check(r == -EBUSY && k1 == k0 + 1,
		  "part of the %s region's parcel: EBUSY, logged (%d, %d lines)", kind, r, k1 - k0);
	k0 = klog_count("the RM keeps memory parcel");
	r = reclaim(vm.fd, GUEST_MEM_BASE, 2 * MiB);
	k1 = klog_count("the RM keeps memory parcel");
	tap_check(r == -EBUSY && k1 == k0 + 1,
		  "all of the %s region: the RM refuses, EBUSY, logged (%d, %d lines)",
		  kind, r, k1 - k0);
	vm_destroy(&vm);
	tap_check_hyp(hyp_stats_back_to(&h0), "  ... and the teardown takes the parcel back");
}

/* The image parcel: EBUSY for a part; all of it asks the RM, which keeps it. */
static void test_image_parcel(void)
{
	struct hyp_stats h0;
	uint64_t val;
	struct gvm g;
	int r, k0, k1;

	hyp_stats(&h0);
	r = gvm_make_rr(&g, true);
	if (!tap_check(r == 0, "VM from guest memory started (%d)", r))
		return;
	k0 = klog_count("holds part of image parcel");
	r = reclaim(g.vm, GUEST_MEM_BASE + 0x1000, 4096);
	k1 = klog_count("holds part of image parcel");
	tap_check(r == -EBUSY && k1 == k0 + 1, "a page of the image parcel: EBUSY, logged (%d)", r);
	k0 = klog_count("the RM keeps image parcel");
	r = reclaim(g.vm, GUEST_MEM_BASE, 2 * MiB);
	k1 = klog_count("the RM keeps image parcel");
	tap_check(r == -EBUSY && k1 == k0 + 1,
		  "all of the image parcel: the RM refuses, EBUSY, logged (%d)", r);
	r = guest_load(g.vcpu, g.run, GUEST_MEM_BASE + 0x80000, &val);
	tap_check(r == 0 && val != 0 && val != ~0ULL,
		  "  ... the guest still reads its device tree (%d)", r);
	gvm_free(&g);
	tap_check_hyp(hyp_stats_back_to(&h0), "  ... and everything goes at teardown");
}

/* Pages the guest touched come back; its next access gets a fresh zero page. */
static void test_demand_paged(void)
{
	struct platform_calls c0, c1;
	struct hyp_stats h0;
	long n0, n1, pf0, pf1;
	uint64_t val;
	struct gvm g;
	uint8_t *p;
	int r;

	hyp_stats(&h0);
	platform_calls(&c0);
	r = gvm_make_rr(&g, true);
	if (!tap_check(r == 0, "VM with demand-paged bindings started (%d)", r))
		return;
	n0 = file_pages(g.fd);
	r = guest_touch(g.vcpu, g.run, LEND, 64) ?: guest_touch(g.vcpu, g.run, SHARE, 64);
	n1 = file_pages(g.fd);
	tap_check(r == 0 && n1 == n0 + 128,
		  "the guest touches 64 lent and 64 shared pages (%d, %ld)", r, n1 - n0);
	r = reclaim(g.vm, LEND, 2 * MiB);
	n0 = file_pages(g.fd);
	tap_check(r == 0 && n0 == n1 - 64,
		  "reclaiming the lent binding: its 64 pages are freed (%d, %ld)", r, n1 - n0);
	r = reclaim(g.vm, SHARE + 16 * 4096, 16 * 4096);
	n1 = file_pages(g.fd);
	tap_check(r == 0 && n1 == n0 - 16,
		  "reclaiming 16 pages of the shared binding: freed (%d, %ld)", r, n0 - n1);
	platform_calls(&c1);
	tap_check(c1.release_demand - c0.release_demand == 80,
		  "  ... the platform released 80 pages (%d)",
		  c1.release_demand - c0.release_demand);

	pf0 = guest_exits("page_fault");
	r = guest_load(g.vcpu, g.run, LEND + 5 * 4096, &val);
	pf1 = guest_exits("page_fault");
	tap_check(r == 0 && val == 0 && pf1 > pf0,
		  "the guest reads a reclaimed lent page: page-fault exit, fresh zero page (%d, %#llx, %ld exits)",
		  r, (unsigned long long)val, pf1 - pf0);
	r = guest_load(g.vcpu, g.run, SHARE + 20 * 4096, &val);
	tap_check(r == 0 && val == 0, "  ... and a reclaimed shared page reads 0 (%d, %#llx)", r,
		  (unsigned long long)val);
	r = guest_load(g.vcpu, g.run, SHARE + 40 * 4096, &val);
	p = mmap(NULL, 2 * MiB, PROT_READ, MAP_SHARED, g.fd, 4 * MiB);
	tap_check(r == 0 && p != MAP_FAILED && val == *(uint64_t *)(p + 40 * 4096) && val,
		  "  ... a shared page outside the range kept the guest's data (%#llx)",
		  (unsigned long long)val);
	tap_check(p != MAP_FAILED && *(uint64_t *)(p + 20 * 4096) == 0 &&
		  !read_gets_sigbus(p + 30 * 4096), "  ... and the host reads zeros there");
	munmap(p, 2 * MiB);
	gvm_free(&g);
	tap_check_hyp(hyp_stats_back_to(&h0), "hypervisor counts back after the VM");
	platform_calls(&c1);
	tap_check(c1.pre_demand - c0.pre_demand == c1.release_demand - c0.release_demand,
		  "platform hooks: every page given was released (%d, %d)",
		  c1.pre_demand - c0.pre_demand, c1.release_demand - c0.release_demand);
}

/* The hypervisor refusing the unmap, then the donation: EIO, a log line, a retry. */
static void test_hyp_refuses(void)
{
	static const struct {
		unsigned int hvc;
		const char *what, *log;
	} cases[] = {
		{ HVC_ADDRSPACE_UNMAP, "addrspace_unmap", "from the guest" },
		{ HVC_MEMEXTENT_DONATE, "memextent_donate", "not donated back" },
	};
	struct hyp_stats h0;
	long n0, n1;
	uint64_t val;
	struct gvm g;
	int r, k0, k1;

	hyp_stats(&h0);
	r = gvm_make_rr(&g, true);
	if (!tap_check(r == 0, "VM with demand-paged bindings started (%d)", r))
		return;
	for (unsigned int i = 0; i < 2; i++) {
		uint64_t gpa = LEND + i * 64 * 4096;

		r = guest_touch(g.vcpu, g.run, gpa, 8);
		n0 = file_pages(g.fd);
		k0 = klog_count(cases[i].log);
		fault_arm(cases[i].hvc, 1, FAULT_HVC_ERROR, GH_ERROR_DENIED, 1);
		r = reclaim(g.vm, gpa, 8 * 4096);
		k1 = klog_count(cases[i].log);
		n1 = file_pages(g.fd);
		fault_reset();
		/* The first run (all 8 pages if contiguous) fails, the others come back. */
		tap_check(r == -EIO && k1 == k0 + 1 && n0 - n1 < 8,
			  "%s refused: EIO, logged, the failed run kept (%d, %d lines, %ld of 8 freed)",
			  cases[i].what, r, k1 - k0, n0 - n1);
		if (i == 1) {
			/* Unmapped but not donated: a guest access finishes the reclaim. */
			r = guest_load(g.vcpu, g.run, gpa + 4096, &val);
			tap_check(r == 0 && val == 0,
				  "  ... the guest reading there gets a zeroed page (%d, %#llx)", r,
				  (unsigned long long)val);
		}
		r = reclaim(g.vm, gpa, 8 * 4096);
		n1 = file_pages(g.fd);
		tap_check(r == 0 && n1 == n0 - 8, "  ... a retry takes the rest back (%d, %ld)", r,
			  n0 - n1);
	}
	gvm_free(&g);
	tap_check_hyp(hyp_stats_back_to(&h0), "hypervisor counts back after the VM");
}

struct toucher {
	struct gvm *g;
	int rounds, errors;
};

static void *touch_loop(void *arg)
{
	struct toucher *t = arg;

	for (int i = 0; i < t->rounds; i++)
		if (guest_touch(t->g->vcpu, t->g->run, LEND, 128))
			t->errors++;
	return NULL;
}

/* Reclaims racing with a vCPU that keeps touching the range. */
static void test_while_running(void)
{
	struct toucher t = { .rounds = 30 };
	struct platform_calls c0, c1;
	struct hyp_stats h0;
	int r, fails = 0, ok = 0;
	pthread_t th;
	struct gvm g;
	long n;

	hyp_stats(&h0);
	platform_calls(&c0);
	r = gvm_make_rr(&g, true);
	if (!tap_check(r == 0, "VM with demand-paged bindings started (%d)", r))
		return;
	t.g = &g;
	pthread_create(&th, NULL, touch_loop, &t);
	for (int i = 0; i < 60; i++) {
		if (reclaim(g.vm, LEND + (i % 4) * 32 * 4096, 64 * 4096))
			fails++;
		else
			ok++;
		usleep(2000);
	}
	pthread_join(th, NULL);
	tap_check(fails == 0 && ok == 60 && t.errors == 0,
		  "60 reclaims while the vCPU touched the range 30 times: all fine (%d, %d)", fails,
		  t.errors);
	r = reclaim(g.vm, LEND, 2 * MiB);
	n = file_pages(g.fd);
	tap_check(r == 0 && guest_touch(g.vcpu, g.run, LEND, 128) == 0 &&
		  file_pages(g.fd) == n + 128,
		  "  ... then the guest touches the range again: 128 fresh pages (%ld)",
		  file_pages(g.fd) - n);
	gvm_free(&g);
	tap_check_hyp(hyp_stats_back_to(&h0), "hypervisor counts back after the VM");
	platform_calls(&c1);
	tap_check(c1.pre_demand - c0.pre_demand == c1.release_demand - c0.release_demand,
		  "platform hooks: every page given was released (%d, %d)",
		  c1.pre_demand - c0.pre_demand, c1.release_demand - c0.release_demand);
}

int main(void)
{
	tap_begin();
	dev = gh_open();
	if (!tap_check(dev >= 0, "/dev/gunyah opens"))
		return tap_finish();
	fault_reset();
	test_bad_input();
	test_user_region(false);
	test_user_region(true);
	test_image_parcel();
	if (oss_profile()) {
		for (int i = 0; i < 4; i++)
			tap_skip("demand-paged reclaim check %d: %s", i + 1, NO_DP);
	} else {
		test_demand_paged();
		test_hyp_refuses();
		test_while_running();
	}
	close(dev);
	return tap_finish();
}
