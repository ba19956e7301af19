// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest memory against the host's limits: RLIMIT_MEMLOCK as small as
 * Android's (guest memory files are not locked memory, pinned shared
 * regions are, and the charge goes away on every path), long-term pins
 * (pages in CMA are migrated out before they are pinned), a shared region
 * whose page array is larger than any kmalloc, and 2 MiB folios in guest
 * memory files, with the fall back to 4 KiB pages when the host has none.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <linux/capability.h>
#include <linux/falloc.h>

#include "guest/guest_abi.h"
#include "gunyah_util.h"

#define KIB	1024ULL
#define MIB	(1024ULL * 1024)
#define RWX	GUNYAH_MEM_ALLOW_RWX
#define URWX	(GH_MEM_ALLOW_READ | GH_MEM_ALLOW_WRITE | GH_MEM_ALLOW_EXEC)
#define MEMLOCK_LIMIT	(64 * KIB)	/* Android's */

static int dev;

/* A value in kB from /proc/self/status, or -1. */
static long status_kb(const char *key)
{
	return proc_value("/proc/self/status", key);
}

/* CAP_IPC_LOCK in the effective set on or off (it stays permitted). */
static int set_ipc_lock(bool on)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -errno;
	if (on)
		d[0].effective |= 1U << CAP_IPC_LOCK;
	else
		d[0].effective &= ~(1U << CAP_IPC_LOCK);
	return syscall(SYS_capset, &h, d) ? -errno : 0;
}

static int set_memlock(rlim_t cur)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_MEMLOCK, &r))
		return -errno;
	r.rlim_cur = cur;
	return setrlimit(RLIMIT_MEMLOCK, &r) ? -errno : 0;
}

/*
 * Run the test guest from the guest memory file @fd (@size bytes at
 * GUEST_MEM_BASE, lent or shared) until it powers off at its first
 * command.  The guest's image and device tree are written through a
 * mapping, unmapped before the start.  Returns 0 or a negative errno.
 */
static int run_guest_from_gmem(int fd, uint64_t size, bool lend)
{
	struct gunyah_vm_dtb_config cfg = { .guest_phys_addr = GUEST_MEM_BASE + 0x80000 };
	struct gunyah_fn_vcpu_arg varg = { .id = 0 };
	struct gunyah_fn_desc fn = {
		.type = GUNYAH_FN_VCPU, .arg_size = sizeof(varg), .arg = (uintptr_t)&varg,
	};
	struct gunyah_vcpu_run *run = MAP_FAILED;
	int vm, vcpu = -1, r;
	ssize_t n, dtb;
	uint8_t *p;

	vm = ioctl(dev, GUNYAH_CREATE_VM, 0);
	if (vm < 0)
		return -errno;
	p = mmap(NULL, 2 * MIB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		r = -errno;
		goto out;
	}
	n = load_file(DTB_DIR "test-guest.bin", p, 0x80000);
	dtb = load_file(DTB_DIR "guest-1cpu.dtb", p + 0x80000, 0x10000);
	munmap(p, 2 * MIB);
	if (n <= 0 || dtb <= 0) {
		r = -ENOENT;
		goto out;
	}
	cfg.size = dtb;
	r = gmem_map(vm, fd, GUEST_MEM_BASE, 0, size,
		     RWX | (lend ? GUNYAH_MEM_FORCE_LEND : GUNYAH_MEM_FORCE_SHARE));
	r = r ?: gh_ioctl(vm, GUNYAH_VM_SET_DTB_CONFIG, &cfg);
	if (r)
		goto out;
	vcpu = ioctl(vm, GUNYAH_VM_ADD_FUNCTION, &fn);
	if (vcpu < 0) {
		r = -errno;
		goto out;
	}
	run = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED) {
		r = -errno;
		goto out;
	}
	r = gh_ioctl(vm, GUNYAH_VM_START, NULL);
	if (r)
		goto out;
	r = gh_ioctl(vcpu, GUNYAH_VCPU_RUN, NULL);
	if (!r && run->exit_reason == GUNYAH_VCPU_EXIT_MMIO &&
	    run->mmio.phys_addr == GUEST_REG_CMD) {
		uint64_t cmd = CMD_SYSTEM_OFF;

		memcpy(run->mmio.data, &cmd, sizeof(cmd));
		r = gh_ioctl(vcpu, GUNYAH_VCPU_RUN, NULL);
	}
	if (!r && (run->exit_reason != GUNYAH_VCPU_EXIT_STATUS ||
		   run->status.status != GUNYAH_VM_STATUS_EXITED))
		r = -EPROTO;
out:
	if (run != MAP_FAILED)
		munmap(run, 4096);
	if (vcpu >= 0)
		close(vcpu);
	close(vm);
	return r;
}

/* RLIMIT_MEMLOCK of 64 KiB, without CAP_IPC_LOCK. */
static void test_memlock(void)
{
	const char *msg = "exceeds RLIMIT_MEMLOCK (64 KiB) of the VMM";
	struct test_vm tvm;
	int fd, vm, r, logs;
	uint8_t *mem, *hole;

	if (!tap_check(!set_memlock(MEMLOCK_LIMIT) && !set_ipc_lock(false),
		       "RLIMIT_MEMLOCK of 64 KiB, CAP_IPC_LOCK dropped"))
		return;

	fd = gmem_create(dev, 0, 8 * MIB);
	r = fd < 0 ? fd : run_guest_from_gmem(fd, 8 * MIB, true);
	tap_check(r == 0, "a guest runs from 8 MiB of lent guest memory under it (%d)", r);
	tap_check(status_kb("VmLck") == 0, "... none of it counted as locked (%ld kB)",
		  status_kb("VmLck"));
	if (fd >= 0)
		close(fd);
	fd = gmem_create(dev, 0, 8 * MIB);
	r = fd < 0 ? fd : run_guest_from_gmem(fd, 8 * MIB, false);
	tap_check(r == 0, "and from 8 MiB of shared guest memory (%d)", r);
	if (fd >= 0)
		close(fd);

	vm = ioctl(dev, GUNYAH_CREATE_VM, 0);
	mem = mmap(NULL, 2 * MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!tap_check(vm >= 0 && mem != MAP_FAILED, "a VM and 2 MiB of memory"))
		goto caps;
	logs = klog_count(msg);
	r = vm_add_region(vm, 0, GUEST_MEM_BASE, mem, 2 * MIB, URWX, false);
	tap_check(r == -ENOMEM, "sharing 2 MiB beyond the limit: ENOMEM (%d)", r);
	tap_check(klog_count(msg) == logs + 1, "... and the log says why (\"%s\")", msg);
	tap_check(status_kb("VmLck") == 0, "... nothing left counted (%ld kB)",
		  status_kb("VmLck"));
	r = vm_add_region(vm, 1, GUEST_MEM_BASE, mem, 48 * KIB, URWX, false);
	tap_check(r == 0 && status_kb("VmLck") == 48,
		  "sharing 48 KiB: fine, 48 kB locked (%d, %ld kB)", r, status_kb("VmLck"));
	r = vm_add_region(vm, 2, GUEST_MEM_BASE + MIB, mem + MIB, 32 * KIB, URWX, false);
	tap_check(r == -ENOMEM && status_kb("VmLck") == 48,
		  "another 32 KiB on top: ENOMEM, still 48 kB (%d, %ld kB)", r,
		  status_kb("VmLck"));
	/* The pin fails past the end of the mapping: the charge is undone. */
	hole = mmap(NULL, 16 * KIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	r = hole == MAP_FAILED || munmap(hole + 8 * KIB, 8 * KIB) ? -ENOMEM :
	    vm_add_region(vm, 3, GUEST_MEM_BASE + MIB, hole, 16 * KIB, URWX, false);
	if (hole != MAP_FAILED)
		munmap(hole, 8 * KIB);
	tap_check(r == -EFAULT && status_kb("VmLck") == 48,
		  "16 KiB of which 8 are not mapped: EFAULT, still 48 kB (%d, %ld kB)", r,
		  status_kb("VmLck"));
	close(vm);
	tap_check(status_kb("VmLck") == 0, "closing the VM uncharges it (%ld kB)",
		  status_kb("VmLck"));

	r = vm_setup(dev, "guest-1cpu.dtb", false, 64 * KIB, &tvm);
	if (!r) {
		r = vm_start(&tvm);
		tap_check(r == 0 && status_kb("VmLck") == 64,
			  "a VM started with 64 KiB shared: 64 kB locked (%d, %ld kB)", r,
			  status_kb("VmLck"));
		vm_destroy(&tvm);
	} else {
		tap_check(false, "a VM with 64 KiB shared (%d)", r);
	}
	tap_check(status_kb("VmLck") == 0, "... none once it is destroyed (%ld kB)",
		  status_kb("VmLck"));

	vm = ioctl(dev, GUNYAH_CREATE_VM, 0);
	r = set_ipc_lock(true);
	r = r ?: vm_add_region(vm, 0, GUEST_MEM_BASE, mem, 2 * MIB, URWX, false);
	tap_check(r == 0 && status_kb("VmLck") == 2048,
		  "with CAP_IPC_LOCK, 2 MiB is fine (counted: %d, %ld kB)", r,
		  status_kb("VmLck"));
	close(vm);
	tap_check(status_kb("VmLck") == 0, "... and uncharged with its VM (%ld kB)",
		  status_kb("VmLck"));
	munmap(mem, 2 * MIB);
caps:
	set_ipc_lock(true);
	set_memlock(RLIM_INFINITY);
}

/* The host's CMA area from the boot log: "cma: Reserved N MiB at 0x...". */
static bool cma_range(uint64_t *first_pfn, uint64_t *end_pfn)
{
	static char buf[1 << 20];
	int len = klogctl(3, buf, sizeof(buf) - 1);
	unsigned long long mib, base;
	char *p;

	if (len < 0)
		return false;
	buf[len] = '\0';
	p = strstr(buf, "cma: Reserved ");
	if (!p || sscanf(p, "cma: Reserved %llu MiB at %llx", &mib, &base) != 2)
		return false;
	*first_pfn = base / 4096;
	*end_pfn = *first_pfn + mib * MIB / 4096;
	return true;
}

/* How many pages of [@p, @p + @size) are in [@first, @end) (pfns). */
static long pages_in(const uint8_t *p, size_t size, uint64_t first, uint64_t end)
{
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	static uint64_t e[4096];
	long n = 0;

	if (fd < 0)
		return -1;
	for (size_t done = 0; done < size / 4096;) {
		size_t k = size / 4096 - done < 4096 ? size / 4096 - done : 4096;
		off_t off = ((uintptr_t)p / 4096 + done) * 8;

		if (pread(fd, e, k * 8, off) != (ssize_t)(k * 8)) {
			n = -1;
			break;
		}
		for (size_t i = 0; i < k; i++) {
			uint64_t pfn = e[i] & ((1ULL << 55) - 1);

			n += (e[i] >> 63) && pfn >= first && pfn < end;
		}
		done += k;
	}
	close(fd);
	return n;
}

/*
 * A shared region of 2 GiB + 2 MiB: its page array (8 bytes a page) is
 * larger than KMALLOC_MAX_SIZE (4 MiB).  The host has 2 GiB, so the region
 * is one 2 MiB memfd mapped 1025 times over.
 */
static void test_large_region(void)
{
	const uint64_t size = 2048 * MIB + 2 * MIB;
	int mfd = memfd_create("gunyah-large", MFD_CLOEXEC), vm, r;
	uint8_t *base;
	bool mapped = true;

	base = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (!tap_check(mfd >= 0 && !ftruncate(mfd, 2 * MIB) && base != MAP_FAILED,
		       "2 GiB of address space over a 2 MiB memfd"))
		return;
	for (uint64_t off = 0; off < size && mapped; off += 2 * MIB)
		mapped = mmap(base + off, 2 * MIB, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
			      mfd, 0) != MAP_FAILED;
	vm = ioctl(dev, GUNYAH_CREATE_VM, 0);
	r = mapped && vm >= 0 ? vm_add_region(vm, 0, GUEST_MEM_BASE, base, size, URWX, false) :
				-EINVAL;
	tap_check(r == 0, "a shared region of 2 GiB + 2 MiB (%d)", r);
	tap_check(!r || status_kb("VmLck") == (long)(size / KIB),
		  "... all of it counted as locked (%ld kB)", status_kb("VmLck"));
	close(vm);
	tap_check(status_kb("VmLck") == 0, "... and uncharged with its VM");
	munmap(base, size);
	close(mfd);
}

/* The page frame number behind @p (present), or 0. */
static uint64_t pfn_of(const uint8_t *p)
{
	static int fd = -1;
	uint64_t e = 0;

	if (fd < 0)
		fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (pread(fd, &e, 8, (uintptr_t)p / 4096 * 8) != 8 || !(e >> 63))
		return 0;
	return e & ((1ULL << 55) - 1);
}

/* Lines "Normal, type Unmovable ..." of /proc/pagetypeinfo: free blocks of order >= 9. */
static long free_huge_blocks(void)
{
	FILE *f = fopen("/proc/pagetypeinfo", "r");
	char line[512];
	long n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *type = strstr(line, "type "), name[32];
		long c[11];

		if (strstr(line, "Free pages count per migrate type") || !type ||
		    sscanf(type, "type %31s %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld", name,
			   &c[0], &c[1], &c[2], &c[3], &c[4], &c[5], &c[6], &c[7], &c[8], &c[9],
			   &c[10]) != 12)
			continue;
		if (strcmp(name, "CMA") && strcmp(name, "Isolate") && strcmp(name, "HighAtomic"))
			n += c[9] + c[10];
	}
	fclose(f);
	return n;
}

/* GHMF_ALLOW_HUGEPAGE on a host with free 2 MiB blocks. */
static void test_hugepages(void)
{
	int fd = gmem_create(dev, GHMF_ALLOW_HUGEPAGE, 8 * MIB), r;
	uint8_t *p;

	if (!tap_check(fd >= 0, "8 MiB of guest memory with GHMF_ALLOW_HUGEPAGE (%d)", fd))
		return;
	tap_check(fdinfo_value(fd, "huge_folios") == 0 && fdinfo_value(fd, "small_pages") == 0,
		  "fdinfo: no folio yet");
	r = run_guest_from_gmem(fd, 8 * MIB, true);
	tap_check(r == 0, "a guest runs from it, lent (%d)", r);
	tap_check(fdinfo_value(fd, "huge_folios") >= 1 && fdinfo_value(fd, "small_pages") == 0,
		  "... with 2 MiB folios (huge_folios %ld, small_pages %ld)",
		  fdinfo_value(fd, "huge_folios"), fdinfo_value(fd, "small_pages"));
	r = fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 8 * MIB) ? -errno : 0;
	tap_check(r == 0 && fdinfo_value(fd, "huge_folios") == 4,
		  "fallocate of the rest: four 2 MiB folios (%d, %ld)", r,
		  fdinfo_value(fd, "huge_folios"));
	r = fallocate(fd, FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE, 2 * MIB + 8 * KIB, 4 * KIB);
	tap_check(!r && fdinfo_value(fd, "huge_folios") == 4,
		  "a 4 KiB hole in a folio keeps the folio");
	p = mmap(NULL, 8 * MIB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (tap_check(p != MAP_FAILED, "mapping it")) {
		tap_check(p[2 * MIB + 8 * KIB] == 0 && fdinfo_value(fd, "small_pages") == 1,
			  "the hole reads as zeros, from a new 4 KiB page (small_pages %ld)",
			  fdinfo_value(fd, "small_pages"));
		munmap(p, 8 * MIB);
	}
	r = fallocate(fd, FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE, 2 * MIB, 2 * MIB);
	tap_check(!r && fdinfo_value(fd, "huge_folios") == 3 &&
		  fdinfo_value(fd, "small_pages") == 0,
		  "punching the whole 2 MiB frees the folio and the page (%ld, %ld)",
		  fdinfo_value(fd, "huge_folios"), fdinfo_value(fd, "small_pages"));
	close(fd);
	fd = gmem_create(dev, GHMF_ALLOW_HUGEPAGE, 4 * MIB);
	r = fd < 0 ? fd : run_guest_from_gmem(fd, 4 * MIB, false);
	tap_check(r == 0 && fdinfo_value(fd, "huge_folios") >= 1,
		  "a guest runs from 2 MiB folios shared (%d, huge_folios %ld)", r,
		  fdinfo_value(fd, "huge_folios"));
	if (fd >= 0)
		close(fd);
	fd = gmem_create(dev, 0, 4 * MIB);
	r = fd < 0 ? fd : fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 4 * MIB);
	tap_check(!r && fdinfo_value(fd, "huge_folios") == 0 &&
		  fdinfo_value(fd, "small_pages") == 1024,
		  "without the flag: 4 KiB pages only (%ld, %ld)", fdinfo_value(fd, "huge_folios"),
		  fdinfo_value(fd, "small_pages"));
	if (fd >= 0)
		close(fd);
}

/* Whether the 4 KiB pages at [@p, @p + @n pages) are consecutive in host memory. */
static bool pages_contiguous(const uint8_t *p, int n)
{
	uint64_t first = pfn_of(p);

	for (int i = 1; i < n; i++)
		if (!first || pfn_of(p + i * 4 * KIB) != first + i)
			return false;
	return first != 0;
}

/*
 * Without GHMF_ALLOW_HUGEPAGE, a page comes with its 64 KiB block: the first
 * page wanted in an empty, whole 64 KiB slot of the file brings a block of
 * 16 contiguous pages, so that a guest's pages come back at teardown in
 * runs.  A slot that already holds a page, or the file's last partial slot,
 * gets single pages.
 */
static void test_chunks(void)
{
	const size_t size = 1 * MIB + 8 * KIB;
	int fd = gmem_create(dev, 0, size), r = 0;
	uint8_t *p;

	p = fd < 0 ? MAP_FAILED : mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (!tap_check(p != MAP_FAILED, "a 1 MiB + 8 KiB guest memory file, mapped"))
		goto out;
	p[3 * 4 * KIB] = 1;
	tap_check(fdinfo_value(fd, "small_pages") == 16,
		  "one store takes the 64 KiB block around it (small_pages %ld)",
		  fdinfo_value(fd, "small_pages"));
	for (int i = 0; i < 16; i++)
		r += p[i * 4 * KIB];
	tap_check(pages_contiguous(p, 16) && r == 1,
		  "... 16 contiguous pages, zeroed but for the store (sum %d)", r);
	r = fallocate(fd, FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE, 5 * 4 * KIB, 4 * KIB);
	tap_check(!r && fdinfo_value(fd, "small_pages") == 15,
		  "a hole in the block frees one page");
	p[5 * 4 * KIB] = 2;
	tap_check(fdinfo_value(fd, "small_pages") == 16,
		  "a store there takes a single page (small_pages %ld)",
		  fdinfo_value(fd, "small_pages"));
	p[size - 4 * KIB] = 1;
	tap_check(fdinfo_value(fd, "small_pages") == 17,
		  "the file's last, partial 64 KiB slot takes single pages (small_pages %ld)",
		  fdinfo_value(fd, "small_pages"));
	munmap(p, size);
out:
	if (fd >= 0)
		close(fd);
}

/*
 * Host memory made scarce and fragmented, for the two checks below: 256 MiB
 * of anonymous memory is filled, its pages at odd page frame numbers freed
 * (no two free pages are buddies) and the rest locked, with compaction
 * kept off locked pages; then a guest memory file with 2 MiB folios takes
 * the host's remaining free 2 MiB blocks, until it gets 4 KiB pages.
 *
 * Elsewhere than on the test hypervisor (the real Gunyah under TCG, where a
 * page fault or a system call costs a millisecond or more) 192 MiB, and the
 * host is left 64 MiB rather than 96 MiB: the freed half is still more than
 * that, so that the file runs out of 2 MiB blocks first.  The fill is
 * faulted in by one madvise and its frame numbers read in batches.  The
 * background (proactive) compaction is off meanwhile: it would make 2 MiB
 * blocks again out of movable pages and the freed ones.
 */
#define SQUEEZE_FILL		(test_hyp() ? 256 * MIB : 192 * MIB)
#define SQUEEZE_FLOOR_KB	(test_hyp() ? 96 * 1024 : 64 * 1024)
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE	23
#endif

struct squeeze {
	uint8_t *fill;
	size_t size;
	int hog;
	bool hog_fell_back;
	char old_cua[16];
	char old_proactive[16];
};

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Free the pages of @sq->fill at odd frame numbers; returns how many. */
static long free_odd_pages(struct squeeze *sq)
{
	static uint64_t e[4096];
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	size_t pages = sq->size / (4 * KIB);
	long n = 0;

	if (fd < 0)
		return -1;
	for (size_t i = 0; i < pages; i += 4096) {
		size_t k = pages - i < 4096 ? pages - i : 4096;
		off_t off = (off_t)((uintptr_t)sq->fill / (4 * KIB) + i) * 8;

		if (pread(fd, e, k * 8, off) != (ssize_t)(k * 8))
			break;
		for (size_t j = 0; j < k; j++)
			if ((e[j] >> 63) && (e[j] & 1)) {
				madvise(sq->fill + (i + j) * 4 * KIB, 4 * KIB, MADV_DONTNEED);
				n++;
			}
	}
	close(fd);
	return n;
}

static void squeeze(struct squeeze *sq)
{
	double t0 = mono_s();
	long freed = -1;

	sq->size = SQUEEZE_FILL;
	snprintf(sq->old_cua, sizeof(sq->old_cua), "1\n");
	read_file("/proc/sys/vm/compact_unevictable_allowed", sq->old_cua, sizeof(sq->old_cua));
	write_file("/proc/sys/vm/compact_unevictable_allowed", "0");
	snprintf(sq->old_proactive, sizeof(sq->old_proactive), "20\n");
	read_file("/proc/sys/vm/compaction_proactiveness", sq->old_proactive,
		  sizeof(sq->old_proactive));
	write_file("/proc/sys/vm/compaction_proactiveness", "0");
	sq->fill = mmap(NULL, sq->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	if (sq->fill != MAP_FAILED) {
		/* 4 KiB pages: a freed page of a THP would not be freed. */
		madvise(sq->fill, sq->size, MADV_NOHUGEPAGE);
		if (madvise(sq->fill, sq->size, MADV_POPULATE_WRITE))
			memset(sq->fill, 1, sq->size);
		freed = free_odd_pages(sq);
		mlock2(sq->fill, sq->size, MLOCK_ONFAULT);
	}
	sq->hog = gmem_create(dev, GHMF_ALLOW_HUGEPAGE, 2048 * MIB);
	for (uint64_t off = 0; sq->hog >= 0 && off < 2048 * MIB; off += 2 * MIB)
		if (meminfo_kb("MemAvailable") < SQUEEZE_FLOOR_KB ||
		    fallocate(sq->hog, FALLOC_FL_KEEP_SIZE, off, 2 * MIB) ||
		    fdinfo_value(sq->hog, "small_pages") > 0)
			break;
	sq->hog_fell_back = sq->hog >= 0 && fdinfo_value(sq->hog, "small_pages") > 0;
	tap_diag("squeezed in %.1f s: %ld of %zu MiB freed page by page; "
		 "%ld 2 MiB folios taken, %s; %ld free 2 MiB blocks, %ld kB available",
		 mono_s() - t0, freed < 0 ? -1 : freed * 4 / 1024, (size_t)(sq->size / MIB),
		 sq->hog >= 0 ? fdinfo_value(sq->hog, "huge_folios") : -1,
		 sq->hog_fell_back ? "then 4 KiB pages" : "no 4 KiB page", free_huge_blocks(),
		 meminfo_kb("MemAvailable"));
	if (!test_hyp())
		tap_diag("%zu MiB filled and %d MiB left to the host, not 256 and 96: %s",
			 (size_t)(sq->size / MIB), SQUEEZE_FLOOR_KB / 1024, NO_TEST_HYP);
}

static void unsqueeze_hog(struct squeeze *sq)
{
	if (sq->hog >= 0)
		close(sq->hog);
	sq->hog = -1;
}

static void unsqueeze(struct squeeze *sq)
{
	unsqueeze_hog(sq);
	if (sq->fill != MAP_FAILED)
		munmap(sq->fill, sq->size);
	write_file("/proc/sys/vm/compact_unevictable_allowed", sq->old_cua);
	write_file("/proc/sys/vm/compaction_proactiveness", sq->old_proactive);
}

/* GHMF_ALLOW_HUGEPAGE on a host without a free 2 MiB block. */
static void test_hugepages_fragmented(struct squeeze *sq)
{
	int fd = gmem_create(dev, GHMF_ALLOW_HUGEPAGE, 4 * MIB);
	int r = fd < 0 ? fd : run_guest_from_gmem(fd, 4 * MIB, true);

	if (!sq->hog_fell_back)
		tap_skip("could not fragment host memory (%ld, %ld)",
			 fdinfo_value(fd, "huge_folios"), fdinfo_value(fd, "small_pages"));
	else
		tap_check(r == 0 && fdinfo_value(fd, "huge_folios") == 0 &&
			  fdinfo_value(fd, "small_pages") > 0,
			  "fragmented host: a guest runs from 4 KiB pages (%d, %ld, %ld)", r,
			  fdinfo_value(fd, "huge_folios"), fdinfo_value(fd, "small_pages"));
	tap_check(r == 0, "and the guest ran (%d)", r);
	if (fd >= 0)
		close(fd);
}

/*
 * FOLL_LONGTERM: anonymous memory that the allocator put in CMA (it does
 * so for movable pages once free memory runs low) is migrated out of it
 * before it is pinned for a shared region.  A short-term pin would leave
 * it there, and CMA allocations would fail for as long as the VM lives.
 */
static void test_longterm_pins(struct squeeze *sq)
{
	enum { CHUNK = 8 * MIB, MAX_CHUNKS = 64 };
	static uint8_t *chunks[MAX_CHUNKS];
	uint64_t first, end;
	long in_cma = 0, after;
	int n = 0, best = -1, vm, r;

	if (!cma_range(&first, &end)) {
		tap_skip("no CMA area in the boot log");
		return;
	}
	/* Take what is left until anonymous pages land in CMA. */
	while (n < MAX_CHUNKS && meminfo_kb("MemAvailable") > 48 * 1024) {
		long k;

		chunks[n] = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (chunks[n] == MAP_FAILED)
			break;
		k = pages_in(chunks[n], CHUNK, first, end);
		if (k > in_cma) {
			in_cma = k;
			best = n;
		}
		n++;
		if (in_cma >= 64)
			break;
	}
	for (int i = 0; i < n; i++)
		if (i != best)
			munmap(chunks[i], CHUNK);
	/* Room to migrate to. */
	unsqueeze_hog(sq);
	if (best < 0) {
		tap_skip("no anonymous page landed in CMA (%d chunks of 8 MiB)", n);
		return;
	}
	tap_diag("%ld of 8 MiB of anonymous memory in CMA (pfns %#llx-%#llx)", in_cma,
		 (unsigned long long)first, (unsigned long long)end);
	vm = ioctl(dev, GUNYAH_CREATE_VM, 0);
	r = vm_add_region(vm, 0, GUEST_MEM_BASE, chunks[best], CHUNK, URWX, false);
	after = pages_in(chunks[best], CHUNK, first, end);
	tap_check(r == 0 && after == 0,
		  "sharing it pins it long-term: moved out of CMA first (%d, %ld pages left in CMA)",
		  r, after);
	close(vm);
	munmap(chunks[best], CHUNK);
}

int main(void)
{
	struct squeeze sq;
	long free0, free1;

	tap_begin();
	dev = gh_open();
	if (!tap_check(dev >= 0, "/dev/gunyah opens"))
		return tap_finish();
	test_memlock();
	test_large_region();
	test_hugepages();
	test_chunks();
	free0 = free_mem_kb("MemFree");
	squeeze(&sq);
	test_hugepages_fragmented(&sq);
	test_longterm_pins(&sq);
	unsqueeze(&sq);
	/* Also lets the host settle before the next test measures it. */
	tap_check(meminfo_back_to("MemFree", free0, 4096, &free1),
		  "the host's free memory comes back after the squeeze (%ld -> %ld kB)", free0,
		  free1);
	close(dev);
	return tap_finish();
}
