// SPDX-License-Identifier: GPL-2.0-only
/*
 * The test hypervisor's own memory is invisible to the host: it is not
 * described as RAM, and an access to it (through /dev/mem, which allows
 * mapping non-RAM ranges) ends in SIGBUS, never in its contents.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gunyah_util.h"
#include "../../gunyah/platform.h"

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
	return tap_finish();
}
