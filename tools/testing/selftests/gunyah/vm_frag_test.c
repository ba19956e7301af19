// SPDX-License-Identifier: GPL-2.0-only
/*
 * RPC messages larger than one fragment, both ways, and the function and
 * resource-ticket frameworks:
 *   - a VM with 8 vCPUs and 16 doorbells: its VM_GET_HYP_RESOURCES reply
 *     spans several fragments; every resource must reach its ticket;
 *   - memory regions of physically scattered pages: MEM_SHARE/MEM_LEND
 *     requests of many fragments (more than the queue depth, so the sender
 *     waits for the "not full" interrupt) and, beyond 512 ranges,
 *     MEM_APPEND;
 *   - function types loaded on demand ("ghfunc:" alias), tickets registered
 *     before and after start, duplicates refused, removal.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/wait.h>

#include "gunyah_util.h"

#define TEST_FN_TYPE	0x7e57
#define RES_BELL_TX	0
#define RES_VCPU	4
#define RES_MEM_EXTENT	9
#define RES_ADDR_SPACE	10

struct test_fn_arg {
	uint32_t resource_type;
	uint32_t label;
};

struct fn_counters {
	int binds, unbinds, populates, unpopulates;
};

static int dev;

static int fn_counters_read(struct fn_counters *c)
{
	char buf[128];

	if (read_file("/sys/kernel/debug/gunyah_test_fn/counters", buf, sizeof(buf)) < 0)
		return -1;
	return sscanf(buf, "%d %d %d %d", &c->binds, &c->unbinds, &c->populates,
		      &c->unpopulates) == 4 ? 0 : -1;
}

static int add_fn(int vm, uint32_t type, uint32_t label, unsigned long req)
{
	struct test_fn_arg arg = { .resource_type = type, .label = label };
	struct gunyah_fn_desc fn = {
		.type = TEST_FN_TYPE, .arg_size = sizeof(arg), .arg = (uintptr_t)&arg,
	};

	return gh_ioctl(vm, req, &fn);
}

static void test_functions_and_tickets(void)
{
	struct fn_counters c0, c1;
	struct test_vm vm;
	int r, missing = 0;

	r = vm_setup(dev, "guest-8cpu-16bell.dtb", false, 64 * 1024, &vm);
	if (!tap_check(r == 0, "large VM set up (%d)", r))
		return;
	r = add_fn(vm.fd, RES_VCPU, 7, GUNYAH_VM_ADD_FUNCTION);
	tap_check(r == 0, "test function type loaded on demand and bound (%d)", r);
	tap_check(access("/sys/module/gunyah_test_fn", F_OK) == 0,
		  "gunyah_test_fn module loaded through its ghfunc alias");
	fn_counters_read(&c0);
	tap_check(add_fn(vm.fd, RES_VCPU, 7, GUNYAH_VM_ADD_FUNCTION) == -EEXIST,
		  "a second ticket for the same resource: EEXIST");
	for (uint32_t l = 100; l < 108; l++)
		r |= add_fn(vm.fd, RES_BELL_TX, l, GUNYAH_VM_ADD_FUNCTION);
	tap_check(r == 0, "tickets for doorbells 100-107 before start");
	fn_counters_read(&c0);

	r = vm_start(&vm);
	tap_check(r == 0, "VM with 8 vCPUs and 16 doorbells starts (%d)", r);
	fn_counters_read(&c1);
	tap_check(c1.populates - c0.populates == 9,
		  "multi-fragment resource list reached 9 tickets (got %d)",
		  c1.populates - c0.populates);

	fn_counters_read(&c0);
	for (uint32_t l = 108; l < 116; l++)
		missing += add_fn(vm.fd, RES_BELL_TX, l, GUNYAH_VM_ADD_FUNCTION) != 0;
	for (uint32_t l = 0; l < 7; l++)
		missing += add_fn(vm.fd, RES_VCPU, l, GUNYAH_VM_ADD_FUNCTION) != 0;
	fn_counters_read(&c1);
	tap_check(missing == 0 && c1.populates - c0.populates == 15,
		  "tickets after start get doorbells 108-115 and vCPUs 0-6 at once (%d)",
		  c1.populates - c0.populates);
	/* The VM manager holds the address space and extents (demand paging). */
	r = add_fn(vm.fd, RES_ADDR_SPACE, 0, GUNYAH_VM_ADD_FUNCTION);
	for (uint32_t l = 0; l < 4; l++)
		r |= add_fn(vm.fd, RES_MEM_EXTENT, l, GUNYAH_VM_ADD_FUNCTION) == -EEXIST ? 0 : 1;
	tap_check(r == -EEXIST, "address space and extents are claimed by the VM manager");
	fn_counters_read(&c0);
	tap_check(add_fn(vm.fd, RES_BELL_TX, 999, GUNYAH_VM_ADD_FUNCTION) == 0 &&
		  fn_counters_read(&c1) == 0 && c1.populates == c0.populates,
		  "a ticket for a resource the VM does not have stays empty");
	fn_counters_read(&c0);
	tap_check(add_fn(vm.fd, RES_BELL_TX, 100, GUNYAH_VM_REMOVE_FUNCTION) == 0 &&
		  fn_counters_read(&c1) == 0 && c1.unbinds == c0.unbinds + 1 &&
		  c1.unpopulates == c0.unpopulates + 1, "REMOVE_FUNCTION unbinds and unpopulates");
	tap_check(add_fn(vm.fd, RES_BELL_TX, 100, GUNYAH_VM_REMOVE_FUNCTION) == -ENOENT,
		  "removing it twice: ENOENT");
	tap_check(add_fn(vm.fd, RES_BELL_TX, 100, GUNYAH_VM_ADD_FUNCTION) == 0 &&
		  fn_counters_read(&c1) == 0 && c1.populates == c0.populates + 1,
		  "re-adding it gets the resource back");
	fn_counters_read(&c0);
	vm_destroy(&vm);
	fn_counters_read(&c1);
	tap_check(c1.unbinds - c0.unbinds == c0.binds - c0.unbinds,
		  "closing the VM unbinds every function (%d)", c1.unbinds - c0.unbinds);
	tap_check(c1.unpopulates - c0.unpopulates == c0.populates - c0.unpopulates,
		  "... and returns every resource (%d)", c1.unpopulates - c0.unpopulates);
}

/* Physically contiguous runs in [p, p + n pages), from /proc/self/pagemap. */
static long phys_runs(void *p, size_t npages)
{
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	uint64_t prev = 0, e;
	long runs = 0;

	if (fd < 0)
		return -1;
	for (size_t i = 0; i < npages; i++) {
		off_t off = ((uintptr_t)p / 4096 + i) * 8;

		if (pread(fd, &e, 8, off) != 8 || !(e & (1ULL << 63))) {
			close(fd);
			return -1;
		}
		e &= (1ULL << 55) - 1;
		if (!i || e != prev + 1)
			runs++;
		prev = e;
	}
	close(fd);
	return runs;
}

/*
 * @npages pages of memory that are not physically adjacent: every other
 * page of a buffer twice as large, moved (page frames and all) next to
 * each other with mremap.
 */
static void *scattered_alloc(size_t npages)
{
	uint8_t *buf, *dst;

	buf = mmap(NULL, 2 * npages * 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	dst = mmap(NULL, npages * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED || dst == MAP_FAILED)
		return NULL;
	for (size_t i = 0; i < npages; i++)
		if (mremap(buf + 2 * i * 4096, 4096, 4096, MREMAP_MAYMOVE | MREMAP_FIXED,
			   dst + i * 4096) == MAP_FAILED)
			return NULL;
	munmap(buf, 2 * npages * 4096);
	return dst;
}

/*
 * @append_error: make the MEM_APPEND of the parcel fail with this RM error;
 * the start then fails, the partly built parcel is reclaimed and nothing
 * stays lent.
 */
static void test_big_parcels(bool lend, size_t npages, unsigned int append_error)
{
	size_t size = npages * 4096;
	struct gunyah_vm_dtb_config cfg = { .guest_phys_addr = GUEST_MEM_BASE };
	uint8_t *mem = scattered_alloc(npages);
	struct hyp_stats h0 = { 0 }, h1 = { 0 };
	ssize_t dtb;
	long runs;
	int vm, r;

	hyp_stats(&h0);
	vm = ioctl(dev, GUNYAH_CREATE_VM, 0);
	if (!tap_check(mem && vm >= 0, "%zu scattered pages allocated", npages))
		return;
	if (lend) {
		madvise(mem, size, MADV_DONTFORK);
		madvise(mem, size, MADV_DONTDUMP);
	}
	dtb = load_file(DTB_DIR "guest-1cpu.dtb", mem, 4096);
	cfg.size = dtb > 0 ? dt_region_size(dtb, size) : 0;
	runs = phys_runs(mem, npages);
	/* Nearly every page is its own range; more than 512 needs MEM_APPEND. */
	tap_check(runs > (long)npages / 2 && (npages < 1024 || runs > 512),
		  "%zu pages in %ld physical ranges", npages, runs);
	r = vm_add_region(vm, 0, GUEST_MEM_BASE, mem, size,
			  GH_MEM_ALLOW_READ | GH_MEM_ALLOW_WRITE | GH_MEM_ALLOW_EXEC, lend);
	if (!r)
		r = gh_ioctl(vm, GUNYAH_VM_SET_DTB_CONFIG, &cfg);
	if (!r && append_error)
		r = fault_reset() ?: fault_arm(RPC_MEM_APPEND, 1, FAULT_RPC_ERROR, append_error, 1);
	if (!r)
		r = vm_start(&(struct test_vm){ .fd = vm });
	if (append_error) {
		tap_check_hyp(r == -ENOMEM && fault_fired() == 1,
			      "MEM_APPEND failing (RM error %#x): start fails with ENOMEM (%d)",
			      append_error, r);
		hyp_stats(&h1);
		tap_check(h1.parcels == h0.parcels && !read_gets_sigbus(mem + size - 4096) &&
			  !read_gets_sigbus(mem),
			  "  ... and the partly built parcel was reclaimed at once");
	} else {
		tap_check(r == 0, "VM with a %ld-range %s parcel starts (%d)", runs,
			  lend ? "lent" : "shared", r);
	}
	if (lend && !append_error)
		tap_check(read_gets_sigbus(mem + size - 4096),
			  "its last page (sent with MEM_APPEND) is lent too: SIGBUS");
	close(vm);
	tap_check(!read_gets_sigbus(mem + size - 4096), "... and back after the VM is gone");
	hyp_stats(&h1);
	tap_check_hyp(hyp_stats_equal(&h0, &h1), "hypervisor counts unchanged");
	munmap(mem, size);
}

int main(void)
{
	char stats[4096];

	tap_begin();
	dev = gh_open();
	if (!tap_check(dev >= 0, "/dev/gunyah opens"))
		return tap_finish();
	test_functions_and_tickets();
	/*
	 * Lent user memory is copied into pages of the driver's own (see
	 * vm_mgr_mem.c), which need not be scattered: the MEM_APPEND failure
	 * is exercised with a shared parcel, whose pages are the VMM's.
	 */
	test_big_parcels(false, 1100, 0);
	test_big_parcels(true, 1100, 0);
	if (need_test_hyp("MEM_APPEND failing by fault injection"))
		test_big_parcels(false, 1100, 0x1);
	if (read_file("/sys/kernel/debug/gunyah_rm/rpc_stats", stats, sizeof(stats)) > 0) {
		tap_check(strstr(stats, "0x51000018"), "MEM_APPEND was used");
		for (char *l = strtok(stats, "\n"); l; l = strtok(NULL, "\n"))
			tap_diag("%s", l);
	}
	close(dev);
	return tap_finish();
}
