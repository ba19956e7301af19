// SPDX-License-Identifier: GPL-2.0-only
/*
 * VM lifecycle through the real UAPI: many VMs created and destroyed,
 * started and torn down, with shared and lent memory; nothing may grow
 * (kernel slab and free memory, the hypervisor's VMs, parcels,
 * capabilities and pages).  Lent memory is unreachable for the host while
 * the VM has it and comes back scrubbed.
 */
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "gunyah_util.h"

#define CREATE_LOOPS	1000
#define START_LOOPS	1000
#define WARM_LOOPS	20
#define START_LOOPS_SLOW	8
#define WARM_LOOPS_SLOW	2

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The totalsize field of a flattened device tree (big-endian, at offset 4). */
static uint64_t fdt_size(const void *fdt)
{
	const uint8_t *p = (const uint8_t *)fdt + 4;

	return (uint64_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void test_lend_and_share(int dev)
{
	struct test_vm vm;
	void *plain;
	int r;

	/*
	 * Lent memory needs no MADV_DONTFORK/MADV_DONTDUMP: the driver takes
	 * the range over, contents included (hostile_vmm_test has the rest).
	 */
	r = ioctl(dev, GUNYAH_CREATE_VM, 0);
	plain = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	((uint8_t *)plain)[4096] = 0x33;
	tap_check(vm_add_region(r, 0, GUEST_MEM_BASE, plain, 65536, GH_MEM_ALLOW_READ, true) == 0,
		  "lending plain anonymous memory is accepted");
	tap_check(((uint8_t *)plain)[4096] == 0x33, "  ... and its contents stay where they were");
	tap_check(vm_add_region(r, 1, GUEST_MEM_BASE + 65536, plain, 65536, GH_MEM_ALLOW_READ,
				false) == 0, "sharing the same range as well is fine");
	close(r);
	munmap(plain, 65536);

	r = vm_setup(dev, "guest-1cpu.dtb", true, 256 * 1024, &vm);
	if (!tap_check(r == 0, "VM with lent memory set up (%d)", r))
		return;
	((uint8_t *)vm.mem)[128 * 1024] = 0x42;
	r = vm_start(&vm);
	tap_check(r == 0, "VM with lent memory starts (%d)", r);
	tap_check(read_gets_sigbus((uint8_t *)vm.mem + 128 * 1024),
		  "host read of lent memory: SIGBUS");
	close(vm.fd);
	tap_check(((uint8_t *)vm.mem)[128 * 1024] == 0 && all_zero(vm.mem, vm.dtb_size),
		  "lent memory comes back scrubbed after the VM is gone");
	munmap(vm.mem, vm.mem_size);

	r = vm_setup(dev, "guest-1cpu.dtb", false, 256 * 1024, &vm);
	if (r)
		return;
	r = vm_start(&vm);
	tap_check(r == 0, "VM with shared memory starts (%d)", r);
	((uint8_t *)vm.mem)[4096] = 0x17;
	tap_check(!read_gets_sigbus((uint8_t *)vm.mem + 4096) && ((uint8_t *)vm.mem)[4096] == 0x17,
		  "shared memory stays readable and writable by the host");
	close(vm.fd);
	tap_check(((uint8_t *)vm.mem)[4096] == 0x17, "shared memory keeps its data after the VM");
	munmap(vm.mem, vm.mem_size);
}

/*
 * What the open-source Resource Manager requires of a guest's device tree,
 * and what the driver does so that VMMs need not know: a device tree region
 * in whole pages (the driver rounds the size up; it refuses a start that is
 * not page-aligned), an interrupt controller node (the RM refuses to start
 * a VM without one; the v17-level RM does not care), a /chosen for the
 * RM's overlay and no /hypervisor node (the RM generates it), page-aligned
 * sizes and addresses in the VM config's memory node (the RM's VM_INIT fails with
 * MEM_INVALID otherwise; the v17-level RM does not read size-min), read in
 * the #address-cells and #size-cells of the root's first subnode (where the
 * RM's DT walker keeps them; a property of another length is passed over,
 * as if absent).  The
 * RM's notifications about parcels are the driver's to take, not to log as
 * unknown.
 */
static void test_rm_dt_rules(int dev)
{
	int ignored = klog_count("ignored notification 0x511000"), r;
	struct gunyah_vm_dtb_config cfg;
	struct test_vm vm;

	/* vm_setup() gives the tree room to grow: here, just its own size. */
	r = vm_setup(dev, "guest-1cpu.dtb", false, 64 * 1024, &vm);
	cfg = (struct gunyah_vm_dtb_config){ .guest_phys_addr = GUEST_MEM_BASE,
					     .size = r ? 0 : fdt_size(vm.mem) };
	r = r ?: gh_ioctl(vm.fd, GUNYAH_VM_SET_DTB_CONFIG, &cfg);
	tap_check(r == 0 && cfg.size < 4096, "a device tree of %llu bytes",
		  (unsigned long long)cfg.size);
	if (r)
		return;
	r = vm_start(&vm);
	tap_check(r == 0, "  ... starts: its region is rounded up to a page (%d)", r);
	vm_destroy(&vm);

	if (vm_setup(dev, "guest-1cpu.dtb", false, 64 * 1024, &vm))
		return;
	cfg = (struct gunyah_vm_dtb_config){ .guest_phys_addr = GUEST_MEM_BASE + 0x800,
					     .size = vm.dtb_size };
	r = gh_ioctl(vm.fd, GUNYAH_VM_SET_DTB_CONFIG, &cfg) ?: vm_start(&vm);
	tap_check(r == -EINVAL && klog_count("must start on a page boundary") > 0,
		  "a device tree not on a page boundary: EINVAL, logged (%d)", r);
	vm_destroy(&vm);

	r = vm_cycle(dev, "guest-nogic.dtb", false);
	if (oss_profile())
		tap_check(r == -ENODEV, "oss RM: no arm,gic-v3 node, no start: ENODEV (%d)", r);
	else
		tap_check(r == 0, "v17 RM: no arm,gic-v3 node needed (%d)", r);
	r = vm_cycle(dev, "guest-nochosen.dtb", false);
	if (oss_profile())
		tap_check(r == -ENODEV, "oss RM: no /chosen for its overlay: ENODEV (%d)", r);
	else
		tap_check(r == 0, "v17 RM: /chosen not needed (%d)", r);
	r = vm_cycle(dev, "guest-hypnode.dtb", false);
	if (oss_profile())
		tap_check(r == -ENODEV, "oss RM: a /hypervisor node of the VMM's: ENODEV (%d)", r);
	else
		tap_check(r == 0, "v17 RM: a /hypervisor node of the VMM's is left alone (%d)", r);
	r = vm_cycle(dev, "guest-memalign.dtb", false);
	if (oss_profile())
		tap_check(r == -ERANGE,
			  "oss RM: VM-config memory size-min not page-aligned: MEM_INVALID, ERANGE (%d)",
			  r);
	else
		tap_check(r == 0, "v17 RM: the VM-config memory size-min is not checked (%d)", r);
	/* in cells other than its parent's: the oss RM passes over it */
	r = vm_cycle(dev, "guest-memalign-cells.dtb", false);
	tap_check(r == 0, "%s RM: ... in 2 cells where the RM reads 1: ignored (%d)",
		  oss_profile() ? "oss" : "v17", r);
	tap_check(klog_count("ignored notification 0x511000") == ignored,
		  "the RM's MEM_ACCEPTED/MEM_RELEASED notifications are not left unclaimed");
}

int main(void)
{
	struct hyp_stats h0 = { 0 }, h1 = { 0 };
	long free0, slab0, unrecl0, free1, slab1, unrecl1;
	int dev, fails = 0, r = 0, warm, starts;
	double t;

	tap_begin();
	dev = gh_open();
	if (!tap_check(dev >= 0, "/dev/gunyah opens"))
		return tap_finish();

	/*
	 * Elsewhere than on the test hypervisor (the real Gunyah under TCG
	 * takes seconds per VM start) fewer VMs, said so in the plan's lines.
	 */
	warm = test_hyp() ? WARM_LOOPS : WARM_LOOPS_SLOW;
	starts = test_hyp() ? START_LOOPS : START_LOOPS_SLOW;
	if (!test_hyp())
		tap_diag("%d warm-up VMs and %d started VMs, not %d and %d: %s", warm, starts,
			 WARM_LOOPS, START_LOOPS, NO_TEST_HYP);

	/* Warm caches up so that the measurement sees steady state. */
	for (int i = 0; i < warm; i++)
		fails += vm_cycle(dev, "guest-1cpu.dtb", i & 1) != 0;
	tap_check(fails == 0, "%d warm-up VMs start (%d failed)", warm, fails);
	hyp_stats(&h0);
	free0 = free_mem_kb("MemFree");
	slab0 = meminfo_kb("Slab");
	unrecl0 = meminfo_kb("SUnreclaim");

	t = now();
	for (int i = 0; i < CREATE_LOOPS; i++) {
		int fd = ioctl(dev, GUNYAH_CREATE_VM, 0);

		if (fd < 0)
			fails++;
		else
			close(fd);
	}
	tap_check(fails == 0, "%d VMs created and destroyed (%d failed)", CREATE_LOOPS, fails);
	tap_diag("create+destroy: %.1f us per VM", (now() - t) * 1e6 / CREATE_LOOPS);

	t = now();
	for (int i = 0; i < starts; i++) {
		r = vm_cycle(dev, "guest-1cpu.dtb", i % 4 == 0);
		if (r && fails++ < 3)
			tap_diag("cycle %d: %s", i, strerror(-r));
	}
	tap_check(fails == 0, "%d VMs started and torn down (%d failed)", starts, fails);
	tap_diag("start+teardown: %.2f ms per VM", (now() - t) * 1e3 / starts);

	hyp_stats(&h1);
	free1 = free_mem_kb("MemFree");
	slab1 = meminfo_kb("Slab");
	unrecl1 = meminfo_kb("SUnreclaim");
	tap_diag("MemFree %ld -> %ld kB, Slab %ld -> %ld kB (unreclaimable %ld -> %ld kB)", free0,
		 free1, slab0, slab1, unrecl0, unrecl1);
	tap_check_hyp(hyp_stats_equal(&h0, &h1),
		      "hypervisor: VMs %llu->%llu parcels %llu->%llu caps %llu->%llu pages %llu->%llu",
		      h0.vms, h1.vms, h0.parcels, h1.parcels, h0.caps, h1.caps, h0.free_pages,
		      h1.free_pages);
	/*
	 * A leak of one object per VM would show as >= 1000 objects.  The
	 * driver's objects are unreclaimable; dentry and inode caches, which
	 * the kernel grows and shrinks as it likes, are not.
	 */
	tap_check(unrecl1 - unrecl0 < 256, "no unreclaimable slab growth (%+ld kB)",
		  unrecl1 - unrecl0);
	tap_check(free0 - free1 < 2048, "no loss of free memory (%+ld kB)", free1 - free0);

	test_lend_and_share(dev);
	test_rm_dt_rules(dev);
	close(dev);
	return tap_finish();
}
