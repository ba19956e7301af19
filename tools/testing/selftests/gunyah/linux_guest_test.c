// SPDX-License-Identifier: GPL-2.0-only
/*
 * Debian's own kernel as a guest of the sample VMM (gunyah-vmm --kernel),
 * with the sample busybox initramfs: it reaches user space on 1, 2 and 5
 * vCPUs and reports what it sees, runs a command pipeline typed into its
 * console, powers off (VM status EXITED, VMM exit 0) or asks for a reset
 * (the reset exit type); a VMM killed mid-boot gives everything back; a
 * 512 MiB guest boots on a host with less free memory than that, its
 * memory paged in on demand.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "gunyah_util.h"

#define KERNEL		"/usr/share/gunyah/Image"
#define INITRD		"/usr/share/gunyah/initrd.cpio"
#define BOOT_TIMEOUT	240	/* seconds: TCG, and two host CPUs for four vCPUs */

struct vmm_child {
	pid_t pid;
	int in, out;		/* its standard input and output (with stderr) */
	char buf[1 << 18];
	size_t len;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Start gunyah-vmm for the Linux guest with @cpus, @mem_mb (0: default) and more options. */
static void vmm_spawn(struct vmm_child *c, int cpus, int mem_mb, const char *append,
		      const char *extra)
{
	char cpus_s[8], mem_s[16];
	const char *argv[16];
	int in[2], out[2], n = 0;

	snprintf(cpus_s, sizeof(cpus_s), "%d", cpus);
	snprintf(mem_s, sizeof(mem_s), "%d", mem_mb);
	argv[n++] = "gunyah-vmm";
	argv[n++] = "--kernel";
	argv[n++] = KERNEL;
	argv[n++] = "--initrd";
	argv[n++] = INITRD;
	argv[n++] = "-c";
	argv[n++] = cpus_s;
	if (mem_mb) {
		argv[n++] = "-m";
		argv[n++] = mem_s;
	}
	argv[n++] = "--append";
	argv[n++] = append;
	if (extra)
		argv[n++] = extra;
	argv[n] = NULL;

	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC)) {
		perror("pipe");
		exit(1);
	}
	c->len = 0;
	c->buf[0] = '\0';
	c->pid = fork();
	if (!c->pid) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(out[1], 2);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	c->in = in[1];
	c->out = out[0];
}

/* Read what the VMM printed until @text appears (NULL: end of output) or @timeout_s pass. */
static bool vmm_read_until(struct vmm_child *c, const char *text, double timeout_s)
{
	double end = now_s() + timeout_s;

	while (!text || !strstr(c->buf, text)) {
		struct pollfd p = { .fd = c->out, .events = POLLIN };
		double left = end - now_s();
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)(left * 1000) + 1) <= 0)
			return false;
		if (c->len >= sizeof(c->buf) - 1)
			c->len = 0;	/* keep the tail only */
		n = read(c->out, c->buf + c->len, sizeof(c->buf) - 1 - c->len);
		if (n <= 0)
			return !text;
		c->len += n;
		c->buf[c->len] = '\0';
	}
	return true;
}

/* Wait for the VMM to end (killing it after @timeout_s); its exit status, or -1. */
static int vmm_finish(struct vmm_child *c, double timeout_s)
{
	int status;
	bool ended = vmm_read_until(c, NULL, timeout_s);

	if (!ended)
		kill(c->pid, SIGKILL);
	waitpid(c->pid, &status, 0);
	close(c->in);
	close(c->out);
	if (!ended) {
		tap_diag("the VMM did not finish in %.0f s; its output ends with:", timeout_s);
		tap_diag("%s", c->len > 2000 ? c->buf + c->len - 2000 : c->buf);
		return -1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void show_output(const struct vmm_child *c)
{
	const char *p = c->buf;

	while (*p) {
		const char *nl = strchr(p, '\n');
		int len = nl ? (int)(nl - p) : (int)strlen(p);

		printf("#   %.*s\n", len, p);
		p += len + (nl ? 1 : 0);
	}
	fflush(stdout);
}

static bool has(const struct vmm_child *c, const char *text)
{
	return strstr(c->buf, text);
}

/* The guest's "Memory: N kB" line; -1 if absent. */
static long guest_mem_kb(const struct vmm_child *c)
{
	const char *p = strstr(c->buf, "\nMemory: ");

	return p ? strtol(p + 9, NULL, 10) : -1;
}

#define NR_EXIT_KINDS	9

/* The hypervisor's guest exits by kind since it booted (the test module's debugfs file). */
static bool read_exits(char names[NR_EXIT_KINDS][16], unsigned long long counts[NR_EXIT_KINDS])
{
	FILE *f = fopen("/sys/kernel/debug/gunyah_test/exits", "r");
	int n = 0;

	if (!f)
		return false;
	while (n < NR_EXIT_KINDS && fscanf(f, "%15s %llu", names[n], &counts[n]) == 2)
		n++;
	fclose(f);
	return n == NR_EXIT_KINDS;
}

/* Exits per second of the VM's run, by kind, from the VMM's "running it N ms". */
static void show_exit_rates(const struct vmm_child *c, char names[NR_EXIT_KINDS][16],
			    const unsigned long long before[NR_EXIT_KINDS])
{
	unsigned long long after[NR_EXIT_KINDS];
	char line[512], now[NR_EXIT_KINDS][16];
	const char *p = strstr(c->buf, "running it ");
	double secs = p ? strtod(p + 11, NULL) / 1000 : 0;
	int len = 0;

	if (!read_exits(now, after) || secs <= 0)
		return;
	for (int i = 0; i < NR_EXIT_KINDS; i++)
		len += snprintf(line + len, sizeof(line) - len, " %s %.0f", names[i],
				(after[i] - before[i]) / secs);
	tap_diag("guest exits per second over its %.1f s run:%s", secs, line);
}

/* Boot to user space with @cpus vCPUs and power off. */
static void test_boot(int cpus, const char *extra)
{
	unsigned long long exits[NR_EXIT_KINDS];
	char names[NR_EXIT_KINDS][16];
	bool counted = read_exits(names, exits);
	struct vmm_child c;
	char want[32];
	long kb;
	int rc;

	vmm_spawn(&c, cpus, 0, "console=ttyAMA0 quiet", extra);
	rc = vmm_finish(&c, BOOT_TIMEOUT);
	show_output(&c);
	if (counted)
		show_exit_rates(&c, names, exits);
	snprintf(want, sizeof(want), "\nCPUs: %d\r", cpus);
	tap_check(rc == 0, "%d vCPU(s)%s: the VMM exits 0", cpus, extra ? " (shared)" : "");
	tap_check(has(&c, "== Gunyah Linux guest: userspace after"),
		  "  ... Linux reached user space (init's banner)");
	tap_check(has(&c, "Linux (none) ") && has(&c, " aarch64 GNU/Linux"),
		  "  ... uname -a reports the guest kernel");
	tap_check(has(&c, want), "  ... the guest sees %d CPU(s)", cpus);
	kb = guest_mem_kb(&c);
	/* 256 MiB, less the kernel, its reservations and the CMA area. */
	tap_check(kb > 150 * 1024 && kb <= 256 * 1024,
		  "  ... and 256 MiB of memory (MemTotal %ld kB)", kb);
	tap_check(has(&c, "VM exited: status 2, exit type 1\n"),
		  "  ... poweroff: VM status EXITED, exit type power-off");
}

/* A shell on the console: a pipeline typed in, its output read back. */
static void test_shell(void)
{
	struct vmm_child c;
	bool prompt;
	int rc;

	vmm_spawn(&c, 2, 0, "console=ttyAMA0 quiet gunyah.init=shell", NULL);
	prompt = vmm_read_until(&c, "/ # ", BOOT_TIMEOUT);
	tap_check(prompt, "shell: a prompt on the guest's console");
	dprintf(c.in, "echo gunyah | tr a-z A-Z | rev; grep -c ^processor /proc/cpuinfo\n");
	tap_check(vmm_read_until(&c, "HAYNUG\r\n", 60), "  ... a pipeline typed in runs (HAYNUG)");
	tap_check(vmm_read_until(&c, "HAYNUG\r\n2\r\n", 60), "  ... and sees 2 CPUs");
	/* CPU hotplug: PSCI CPU_OFF, AFFINITY_INFO, then CPU_ON again. */
	dprintf(c.in, "cd /sys/devices/system/cpu/cpu1; echo 0 > online; echo off $(cat online)\n");
	tap_check(vmm_read_until(&c, "\noff 0\r\n", 60), "  ... CPU 1 goes offline (PSCI CPU_OFF)");
	dprintf(c.in, "echo 1 > online; echo on $(cat online) %s\n",
		"$(grep -c ^processor /proc/cpuinfo)");
	tap_check(vmm_read_until(&c, "\non 1 2\r\n", 60), "  ... and comes back (PSCI CPU_ON)");
	dprintf(c.in, "exit\n");
	rc = vmm_finish(&c, 60);
	show_output(&c);
	tap_check(rc == 0 && has(&c, "VM exited: status 2, exit type 1\n"),
		  "  ... exit powers the guest off, the VMM exits 0");
	tap_check(!has(&c, "irqfd: 0;"), "  ... the UART's interrupts came through the irqfd");
}

static void test_reboot(void)
{
	struct vmm_child c;
	int rc;

	vmm_spawn(&c, 1, 0, "console=ttyAMA0 quiet gunyah.init=reboot", NULL);
	rc = vmm_finish(&c, BOOT_TIMEOUT);
	show_output(&c);
	tap_check(rc == 0 && has(&c, "== rebooting =="), "reboot: the guest asks for a reset");
	tap_check(has(&c, "VM exited: status 2, exit type 2 (reset)"),
		  "  ... the VMM sees the reset exit type");
}

/* Page cache out of the way of the free-memory comparison. */
static void flush_page_cache(void)
{
	sync();
	write_file("/proc/sys/vm/drop_caches", "3");
}

/*
 * SIGKILL while the kernel boots: everything comes back.  The guest's
 * 256 MiB are all allocated at start (its image parcel), so a leak is far
 * above the 32 MiB the host's own caches and queues may move meanwhile.
 */
static void test_kill(void)
{
	struct hyp_stats base = { 0 };
	long free_kb, now_kb;
	struct vmm_child c;
	int status;

	flush_page_cache();
	free_kb = free_mem_kb("MemFree");
	hyp_stats(&base);
	vmm_spawn(&c, 2, 0, "console=ttyAMA0 earlycon", NULL);
	tap_check(vmm_read_until(&c, "Booting Linux", BOOT_TIMEOUT) &&
		  vmm_read_until(&c, "GICv3", BOOT_TIMEOUT),
		  "kill: the kernel is booting");
	kill(c.pid, SIGKILL);
	waitpid(c.pid, &status, 0);
	close(c.in);
	close(c.out);
	tap_check(WIFSIGNALED(status), "  ... the VMM was killed mid-boot");
	tap_check_hyp(hyp_stats_back_to(&base),
		      "  ... the hypervisor's VMs, parcels, capabilities and pages are back");
	flush_page_cache();
	tap_check(meminfo_back_to("MemFree", free_kb, 32 * 1024, &now_kb),
		  "  ... the host's free memory is back (%ld kB before, %ld kB after)", free_kb,
		  now_kb);
}

/* 512 MiB of guest on a host that has less than that free. */
static void test_demand_paged(void)
{
	long free_kb = meminfo_kb("MemFree"), hog_kb = free_kb - 400 * 1024;
	struct vmm_child c;
	void *hog;
	long kb;
	int rc;

	if (oss_profile()) {
		tap_skip("512 MiB guest, less free: the open-source RM has no demand paging");
		return;
	}
	hog = mmap(NULL, hog_kb * 1024, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (hog == MAP_FAILED) {
		tap_check(false, "512 MiB guest: cannot take %ld kB of the host's memory", hog_kb);
		return;
	}
	tap_diag("host memory free: %ld kB, now taken down to %ld kB", free_kb,
		 meminfo_kb("MemFree"));
	vmm_spawn(&c, 1, 512, "console=ttyAMA0 quiet", NULL);
	rc = vmm_finish(&c, BOOT_TIMEOUT);
	show_output(&c);
	kb = guest_mem_kb(&c);
	tap_check(rc == 0 && has(&c, "== Gunyah Linux guest: userspace after") &&
		  kb > 400 * 1024 && kb <= 512 * 1024,
		  "512 MiB guest (MemTotal %ld kB) boots with %ld kB free on the host", kb,
		  free_kb - hog_kb);
	munmap(hog, hog_kb * 1024);
}

int main(void)
{
	tap_begin();
	if (access(KERNEL, R_OK) || access(INITRD, R_OK)) {
		tap_check(false, "the guest kernel and initrd are installed");
		return tap_finish();
	}
	/*
	 * Seven boots of a 256 MiB Linux guest: on the real Gunyah under
	 * QEMU TCG the first one had printed nothing after 240 s (its VM
	 * start alone takes seconds per 16 MiB lent), far past any deadline.
	 */
	if (!test_hyp()) {
		tap_skip("Linux guest boots: far too slow on a real Gunyah under TCG: %s",
			 NO_TEST_HYP);
		return tap_finish();
	}
	test_boot(1, NULL);
	test_shell();
	test_boot(5, "--share");	/* vCPU 4 in a second cluster (MPIDR 0x100) */
	test_reboot();
	test_kill();
	test_demand_paged();
	test_boot(1, NULL);	/* after all that, a guest still boots */
	return tap_finish();
}
