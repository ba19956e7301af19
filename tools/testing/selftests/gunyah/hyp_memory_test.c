// SPDX-License-Identifier: GPL-2.0-only
/*
 * The test hypervisor's own memory is invisible to the host: it is not
 * described as RAM, and an access to it (through /dev/mem, which allows
 * mapping non-RAM ranges) ends in SIGBUS, never in its contents.
 *
 * The host's stage-2 maps its RAM with 2 MiB and 1 GiB blocks: lending
 * memory to a guest splits only the blocks around the lent pages, and
 * once the guest is gone every block is whole again, also after a guest
 * that was given thousands of pages one by one.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_vmm.h"
#include "../../gunyah/platform.h"

#define LEND_SIZE	(1024 * 1024)
#define LEND_PAGES	(LEND_SIZE / 4096)
#define DP_GPA		0x90000000ULL
#define DP_RUNS		100	/* pages, each a run of its own */
#define DP_SIZE		(DP_RUNS * 2 * 4096ULL)

struct s2_counts {
	unsigned long long g1, m2, pages, tables;
};

static int read_host_s2(struct s2_counts *c)
{
	char buf[128];

	if (read_file("/sys/kernel/debug/gunyah_test/host_s2", buf, sizeof(buf)) < 0)
		return -1;
	return sscanf(buf, "%llu %llu %llu %llu", &c->g1, &c->m2, &c->pages, &c->tables) == 4 ?
	       0 : -1;
}

static bool s2_same(const struct s2_counts *a, const struct s2_counts *b)
{
	return a->g1 == b->g1 && a->m2 == b->m2 && a->pages == b->pages &&
	       a->tables == b->tables;
}

/* Wait up to 5 s for the host's stage-2 counts to be @base again; true if they are. */
static bool s2_back(const struct s2_counts *base, struct s2_counts *after)
{
	for (int i = 0; i < 50; i++) {
		if (!read_host_s2(after) && s2_same(after, base))
			return true;
		usleep(100000);
	}
	return false;
}

/* Bytes the hypervisor has zeroed on their way back to the host, and the time it took. */
static int read_scrub(unsigned long long *bytes, unsigned long long *ns)
{
	char buf[64];

	if (read_file("/sys/kernel/debug/gunyah_test/scrub", buf, sizeof(buf)) < 0)
		return -1;
	return sscanf(buf, "%llu %llu", bytes, ns) == 2 ? 0 : -1;
}

static void s2_diag(const char *what, const struct s2_counts *c)
{
	tap_diag("host stage-2 %s: %llu 1 GiB blocks, %llu 2 MiB blocks, %llu pages, %llu tables",
		 what, c->g1, c->m2, c->pages, c->tables);
}

/*
 * Block mappings of the host's RAM: whole at boot (the RAM beside the
 * hypervisor's hole in 2 MiB blocks, whole GiBs in 1 GiB blocks), split
 * around the pages of a lent guest, whole again after it.
 */
static void test_host_blocks(void)
{
	size_t ram = PLAT_RAM_BASE + 0x40000000UL - (PLAT_HYP_BASE + PLAT_HYP_SIZE);
	struct s2_counts base, lent, after = { 0 };
	struct cmd cmds[] = { { CMD_SYSTEM_OFF, 0 } };
	struct tvm vm;
	struct loop l = { .vm = &vm, .cmds = cmds, .ncmds = 1 };
	unsigned long long split, bao_pages = 0;
	int dev, r;

	if (read_host_s2(&base)) {
		tap_check(false, "host_s2 counts readable from the test module");
		return;
	}
	s2_diag("at start", &base);
	/* The Bao channel (run.sh --bao) is 1 MiB at the top of RAM: one block in pages. */
	if (getenv("GH_BAO") && !strcmp(getenv("GH_BAO"), "1"))
		bao_pages = 512;
	tap_check(base.pages == bao_pages && base.m2 >= ram / 0x200000 && base.g1 >= 1,
		  "host RAM mapped with blocks only: %llu 2 MiB (>= %zu), %llu 1 GiB, %llu pages (%llu for the Bao channel)",
		  base.m2, ram / 0x200000, base.g1, base.pages, bao_pages);

	dev = gh_open();
	r = dev < 0 ? dev : tvm_make(&vm, dev, "guest-2cpu.dtb", LEND_SIZE, true, 1);
	if (!r)
		r = vm_start(&(struct test_vm){ .fd = vm.fd });
	if (!r)
		r = run_loop(&l);
	if (!tap_check(r == 1000, "a guest with %d KiB of lent memory runs to power-off (%d)",
		       LEND_SIZE / 1024, r)) {
		if (dev >= 0)
			close(dev);
		return;
	}
	read_host_s2(&lent);
	s2_diag("with the guest", &lent);
	split = base.m2 + base.g1 * 512 - lent.m2 - lent.g1 * 512;
	tap_check(split >= 1 && split <= LEND_PAGES &&
		  lent.pages - base.pages + LEND_PAGES == split * 512,
		  "lending %d pages splits only the %llu blocks around them (%llu pages mapped)",
		  LEND_PAGES, split, lent.pages);
	tvm_free(&vm);
	close(dev);
	r = s2_back(&base, &after);
	s2_diag("after the guest", &after);
	tap_check(r, "after the guest the host's blocks are whole again");
}

/*
 * A guest that stores to every other page of a lent guest memory binding:
 * on the v17 profile each page is given on its own, so the driver takes
 * them back in more runs than fit in one of its batches; on the oss
 * profile the binding is lent whole.  Afterwards every page is the host's
 * again: its stage-2 blocks are all whole.  Every lent page the guest had
 * was zeroed on its way back, and nothing else: the hypervisor's scrub
 * count grew by at least the touched pages, at most the VM's memory.
 */
static void test_host_blocks_demand(void)
{
	unsigned long long bytes0, ns0, bytes = 0, ns = 0, min, max;
	struct s2_counts base, after = { 0 };
	uint64_t args[2], res = 0;
	int dev, r, i, touched = 0;
	struct gvm g;

	if (read_host_s2(&base))
		return;
	if (read_scrub(&bytes0, &ns0)) {
		tap_check(false, "scrub count readable from the test module");
		return;
	}
	dev = gh_open();
	if (dev < 0) {
		tap_check(false, "open /dev/gunyah (%d)", dev);
		return;
	}
	r = gvm_make(&g, dev, GVM_IMAGE_SIZE + DP_SIZE, "guest-2cpu.dtb") ?:
	    gmem_map(g.vm, g.fd, DP_GPA, GVM_IMAGE_SIZE, DP_SIZE,
		     GUNYAH_MEM_ALLOW_RWX | GUNYAH_MEM_FORCE_LEND) ?:
	    gh_ioctl(g.vm, GUNYAH_VM_START, NULL);
	for (i = 0; !r && i < DP_RUNS; i++) {
		args[0] = DP_GPA + i * 2 * 4096ULL;
		args[1] = 1;
		r = vcpu_run_cmd(g.vcpu, g.run, CMD_TOUCH_PAGES, args, 2, &res);
		touched += !r && res == 1;
	}
	tap_check(r == 0 && touched == DP_RUNS,
		  "a guest stores to every other page of a lent binding, %d pages (%d)", touched,
		  r);
	gvm_free(&g);
	close(dev);
	r = s2_back(&base, &after);
	s2_diag("after that guest", &after);
	tap_check(r, "after it every page is the host's again: its blocks are whole");
	read_scrub(&bytes, &ns);
	bytes -= bytes0;
	ns -= ns0;
	min = DP_RUNS * 4096ULL;
	max = GVM_IMAGE_SIZE + DP_SIZE;
	tap_check(bytes >= min && bytes <= max && ns > 0,
		  "the hypervisor zeroed %llu KiB of the guest's memory (%llu-%llu KiB) in %llu us",
		  bytes / 1024, min / 1024, max / 1024, ns / 1000);
}

static bool ram_overlaps_hyp(void)
{
	FILE *f = fopen("/proc/iomem", "r");
	char line[256];
	bool overlap = false;

	if (!f)
		return true;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long start, end;

		if (!strstr(line, "System RAM") ||
		    sscanf(line, " %llx-%llx", &start, &end) != 2)
			continue;
		if (start < PLAT_HYP_BASE + PLAT_HYP_SIZE && end >= PLAT_HYP_BASE)
			overlap = true;
	}
	fclose(f);
	return overlap;
}

/*
 * Map one page of physical memory at @pa in a child and touch it.
 * Returns the signal that killed the child, 0 if it exited normally
 * after the access (it then reports the value it read), -1 on setup
 * failure.
 */
static int touch_phys(uint64_t pa, bool write)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open("/dev/mem", (write ? O_RDWR : O_RDONLY) | O_SYNC);
		uint32_t *p, v = 0;

		if (fd < 0)
			_exit(100);
		p = mmap(NULL, 4096, write ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED, fd,
			 (off_t)pa);
		if (p == MAP_FAILED)
			_exit(101);
		/* Single accesses the compiler cannot drop or merge. */
		if (write)
			asm volatile("str %w0, [%1]" : : "r"(0xdeadbeef), "r"(p) : "memory");
		else
			asm volatile("ldr %w0, [%1]" : "=r"(v) : "r"(p) : "memory");
		if (!write)
			tap_diag("read %#x from %#llx", v, (unsigned long long)pa);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFSIGNALED(status))
		return WTERMSIG(status);
	if (WEXITSTATUS(status) >= 100)
		tap_diag("child setup failed (%d)", WEXITSTATUS(status));
	return WEXITSTATUS(status) ? -1 : 0;
}

int main(void)
{
	const uint64_t pages[] = { PLAT_HYP_BASE, PLAT_HYP_BASE + PLAT_HYP_SIZE / 2,
				   PLAT_BOOTCFG_ADDR };

	tap_begin();
	/* The range is the test platform's (platform.h); elsewhere it is not the hypervisor's. */
	if (!need_test_hyp("the test hypervisor's memory range %#lx-%#lx", PLAT_HYP_BASE,
			   PLAT_HYP_BASE + PLAT_HYP_SIZE - 1))
		return tap_finish();
	tap_check(!ram_overlaps_hyp(), "no System RAM in the hypervisor's range %#lx-%#lx",
		  PLAT_HYP_BASE, PLAT_HYP_BASE + PLAT_HYP_SIZE - 1);
	for (size_t i = 0; i < ARRAY_SIZE(pages); i++) {
		unsigned long long pa = pages[i];
		int sig = touch_phys(pa, false);

		tap_check(sig == SIGBUS, "read of hypervisor page %#llx: SIGBUS (got %d)", pa, sig);
		sig = touch_phys(pa, true);
		tap_check(sig == SIGBUS, "write of hypervisor page %#llx: SIGBUS (got %d)", pa,
			  sig);
	}
	/*
	 * Control: the same path reaches a device page outside the
	 * hypervisor (the flash at 0) without a fault, so the SIGBUS above
	 * comes from the hypervisor hiding its memory, not from /dev/mem.
	 */
	tap_check(touch_phys(0, false) == 0, "control: flash page at 0 reads without a fault");
	test_host_blocks();
	test_host_blocks_demand();
	return tap_finish();
}
