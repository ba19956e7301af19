/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the Gunyah selftests: VMs through the real UAPI, the
 * test hypervisor's fault injection and counters (through the gunyah_test
 * module's debugfs files), and kernel state for leak checks.
 */
#ifndef GUNYAH_SELFTEST_UTIL_H
#define GUNYAH_SELFTEST_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/gunyah.h>

#include "tap.h"

#define GUEST_MEM_BASE		0x80000000ULL
#define DTB_DIR			"/tests/data/"

/* RM function IDs, hypercall numbers and fault kinds (hypervisor fault.h) */
#define RPC_MEM_LEND		0x51000012
#define RPC_MEM_SHARE		0x51000013
#define RPC_MEM_RECLAIM		0x51000015
#define RPC_MEM_APPEND		0x51000018
#define RPC_VM_ALLOC_VMID	0x56000001
#define RPC_VM_DEALLOC_VMID	0x56000002
#define RPC_VM_START		0x56000004
#define RPC_VM_STOP		0x56000005
#define RPC_VM_RESET		0x56000006
#define RPC_VM_CONFIG_IMAGE	0x56000009
#define RPC_VM_INIT		0x5600000b
#define RPC_VM_GET_HYP_RESOURCES 0x56000020
#define RPC_VM_GET_VMID		0x56000024
#define RPC_VM_SET_BOOT_CONTEXT	0x56000031
#define RPC_VM_SET_DEMAND_PAGING 0x56000033
#define RPC_VM_SET_ADDRESS_LAYOUT 0x56000034
#define HVC_MSGQ_SEND		0x1b
#define HVC_MSGQ_RECV		0x1c
#define HVC_VCPU_RUN		0x65

enum fault_kind {
	FAULT_RPC_ERROR = 1,
	FAULT_RPC_TRUNCATE = 2,
	FAULT_RPC_OVERSIZE = 3,
	FAULT_RPC_BAD_SEQ = 4,
	FAULT_RPC_NO_REPLY = 5,
	FAULT_RPC_BAD_HEADER = 6,
	FAULT_RPC_JUNK_FIRST = 7,
	FAULT_RPC_TOO_MANY_FRAGS = 8,
	FAULT_RPC_NOTIFY_BAD_VM = 9,
	FAULT_RPC_LATE_REPLY = 10,
	FAULT_HVC_ERROR = 16,
	FAULT_VCPU_SLOW_EXIT = 17,
};

struct test_vm {
	int fd;
	void *mem;
	size_t mem_size;
	uint64_t dtb_size;
};

struct hyp_stats {
	unsigned long long vms, parcels, caps, free_pages;
};

static inline bool oss_profile(void)
{
	const char *p = getenv("GH_PROFILE");

	return p && !strcmp(p, "oss");
}

/*
 * The test hypervisor (tools/testing/gunyah/hyp) is the only one with the
 * gunyah_test module: it loads only where the test-control hypercall
 * answers, and its debugfs gives the fault injection and the hypervisor's
 * counters.  Checks of the test hypervisor's own behaviour (those, its
 * memory layout, PSCI, feature word, demand paging) are TAP SKIPs
 * elsewhere, e.g. on the real open-source Gunyah.  The test platform's
 * init exports GH_TESTHYP=1: there the hypervisor is known to be the test
 * one, so a missing debugfs fails those checks rather than skipping them.
 */
#define TEST_HYP_DEBUGFS	"/sys/kernel/debug/gunyah_test"
#define NO_TEST_HYP		"not the test hypervisor (no " TEST_HYP_DEBUGFS ")"

static inline bool test_hyp(void)
{
	const char *p = getenv("GH_TESTHYP");

	if (p && !strcmp(p, "1"))
		return true;
	return access(TEST_HYP_DEBUGFS, F_OK) == 0;
}

/*
 * need_test_hyp(what): true on the test hypervisor; elsewhere reports
 * WHAT as skipped (one TAP SKIP) and returns false.
 */
#define need_test_hyp(fmt, ...)							\
	({									\
		bool th_ = test_hyp();						\
										\
		if (!th_)							\
			tap_skip(fmt ": " NO_TEST_HYP, ##__VA_ARGS__);		\
		th_;								\
	})

/* A check of the test hypervisor's own state that cannot run here. */
static inline void tap_skip_hyp(const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	tap_skipped++;
	printf("ok %u - # SKIP ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(": %s\n", NO_TEST_HYP);
	fflush(stdout);
}

/*
 * tap_check_hyp(cond, fmt, ...): a check of the test hypervisor's own state
 * (its counters, its fault injection): COND is evaluated and reported on
 * the test hypervisor only, elsewhere the check is a TAP SKIP.
 */
#define tap_check_hyp(cond, ...)						\
	({									\
		bool ok_ = true;						\
										\
		if (test_hyp())							\
			ok_ = tap_check(cond, __VA_ARGS__);			\
		else								\
			tap_skip_hyp(__VA_ARGS__);				\
		ok_;								\
	})

static inline int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	n = n < 0 ? -errno : 0;
	close(fd);
	return (int)n;
}

static inline int read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return (int)n;
}

#define RM_DEBUGFS	"/sys/kernel/debug/gunyah_rm/"

/* The number in the RM driver's debugfs file @name, or -1. */
static inline long rm_debugfs_read(const char *name)
{
	char path[96], buf[32];

	snprintf(path, sizeof(path), RM_DEBUGFS "%s", name);
	if (read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	return strtol(buf, NULL, 0);
}

static inline int rm_debugfs_write(const char *name, const char *s)
{
	char path[96];

	snprintf(path, sizeof(path), RM_DEBUGFS "%s", name);
	return write_file(path, s);
}

/* How many times the driver called RPC @msg_id (debugfs rpc_stats), or -1. */
static inline long rpc_calls(unsigned int msg_id)
{
	static char stats[4096];
	char id[16];

	snprintf(id, sizeof(id), "%#010x ", msg_id);
	if (read_file(RM_DEBUGFS "rpc_stats", stats, sizeof(stats)) < 0)
		return -1;
	for (char *l = strtok(stats, "\n"); l; l = strtok(NULL, "\n"))
		if (!strncmp(l, id, strlen(id)))
			return strtol(l + strlen(id), NULL, 10);
	return 0;
}

static inline int fault_arm(unsigned int target, unsigned int nth, int kind, long long value,
			    unsigned int count)
{
	char cmd[96];

	snprintf(cmd, sizeof(cmd), "%#x %u %d %lld %u", target, nth, kind, value, count);
	return write_file("/sys/kernel/debug/gunyah_test/fault", cmd);
}

static inline int fault_reset(void)
{
	return write_file("/sys/kernel/debug/gunyah_test/fault", "reset");
}

/* Faults fired since the last reset, or -1. */
static inline long fault_fired(void)
{
	char buf[64];
	unsigned long fired, armed;

	if (read_file("/sys/kernel/debug/gunyah_test/fired", buf, sizeof(buf)) < 0 ||
	    sscanf(buf, "%lu %lu", &fired, &armed) != 2)
		return -1;
	return (long)fired;
}

static inline int hyp_stats(struct hyp_stats *s)
{
	char buf[128];

	memset(s, 0, sizeof(*s));
	if (read_file("/sys/kernel/debug/gunyah_test/stats", buf, sizeof(buf)) < 0)
		return -1;
	return sscanf(buf, "%llu %llu %llu %llu", &s->vms, &s->parcels, &s->caps,
		      &s->free_pages) == 4 ? 0 : -1;
}

static inline bool hyp_stats_equal(const struct hyp_stats *a, const struct hyp_stats *b)
{
	return a->vms == b->vms && a->parcels == b->parcels && a->caps == b->caps &&
	       a->free_pages == b->free_pages;
}

static inline int set_rpc_timeout_ms(unsigned int ms)
{
	char v[16];

	snprintf(v, sizeof(v), "%u", ms);
	return write_file("/sys/module/gunyah_rsc_mgr/parameters/rpc_timeout_ms", v);
}

/* Occurrences of @needle in the kernel log. */
static inline int klog_count(const char *needle)
{
	static char buf[1 << 20];
	int len = klogctl(3, buf, sizeof(buf) - 1), n = 0;

	if (len < 0)
		return -1;
	buf[len] = '\0';
	for (char *p = buf; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/*
 * Whether level irqfds are refused here: the open-source RM hands the host
 * the sending end of a doorbell without the right to set its masks, so
 * the driver's bell_set_mask fails (-EACCES, logged) and a level irqfd
 * does not take its doorbell.  Call it after a VM with a level irqfd
 * started.  Never on the test hypervisor, whose RM gives that right.
 */
#define LEVEL_IRQFD_REFUSED \
	"the RM gave the host's doorbell without the right to set its masks (bell_set_mask: EACCES)"

static inline bool level_irqfd_refused(void)
{
	return !test_hyp() && klog_count("bell_set_mask failed: -13") > 0;
}

/*
 * Wait up to 5 s (teardown of a killed process may still be running) for
 * the hypervisor's counts to equal @base; reports the difference if not.
 */
static inline bool hyp_stats_back_to(const struct hyp_stats *base)
{
	struct hyp_stats now = { 0 };

	for (int i = 0; i < 50; i++) {
		if (!hyp_stats(&now) && hyp_stats_equal(&now, base))
			return true;
		usleep(100000);
	}
	tap_diag("hyp: VMs %llu/%llu, parcels %llu/%llu, caps %llu/%llu, free pages %llu/%llu",
		 now.vms, base->vms, now.parcels, base->parcels, now.caps, base->caps,
		 now.free_pages, base->free_pages);
	return false;
}

/* The number after "@key:" in a "key: value" file of /proc, or -1. */
static inline long proc_value(const char *path, const char *key)
{
	FILE *f = fopen(path, "r");
	char line[128];
	long v = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)) && line[strlen(key)] == ':')
			v = strtol(line + strlen(key) + 1, NULL, 10);
	fclose(f);
	return v;
}

/* A number from the fdinfo of @fd (a guest memory file's counts), or -1. */
static inline long fdinfo_value(int fd, const char *key)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	return proc_value(path, key);
}

/* The test module's counts of the driver's platform hook calls. */
struct platform_calls {
	int pre_share, post_reclaim, pre_demand, release_demand;
};

static inline int platform_calls(struct platform_calls *c)
{
	char buf[64];

	if (read_file("/sys/kernel/debug/gunyah_test/platform", buf, sizeof(buf)) < 0)
		return -1;
	return sscanf(buf, "%d %d %d %d", &c->pre_share, &c->post_reclaim, &c->pre_demand,
		      &c->release_demand) == 4 ? 0 : -1;
}

static inline long meminfo_kb(const char *key)
{
	return proc_value("/proc/meminfo", key);
}

/*
 * Free pages parked on the per-CPU free lists, in kB (the "count:" lines of
 * /proc/zoneinfo).  MemFree and MemAvailable leave them out; after a burst of
 * frees they hold tens of MiB, and the kernel shrinks the lists only over
 * seconds.
 */
static inline long pcp_free_kb(void)
{
	FILE *f = fopen("/proc/zoneinfo", "r");
	char line[128];
	long pages = 0, n;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " count: %ld", &n) == 1)
			pages += n;
	fclose(f);
	return pages * (sysconf(_SC_PAGESIZE) / 1024);
}

/*
 * The /proc/meminfo field @key ("MemFree" or "MemAvailable") with the
 * per-CPU free lists added back: the figure a leak check compares.
 */
static inline long free_mem_kb(const char *key)
{
	return meminfo_kb(key) + pcp_free_kb();
}

/*
 * Wait up to 5 s (deferred frees) for free_mem_kb(@key) to come back within
 * @slack_kb of @base_kb; *@now_kb gets its last value.
 */
static inline bool meminfo_back_to(const char *key, long base_kb, long slack_kb, long *now_kb)
{
	for (int i = 0; i < 50; i++) {
		*now_kb = free_mem_kb(key);
		if (base_kb - *now_kb < slack_kb)
			return true;
		usleep(100000);
	}
	return false;
}

static sigjmp_buf sigbus_jmp;

static inline void sigbus_handler(int sig)
{
	(void)sig;
	siglongjmp(sigbus_jmp, 1);
}

/* Read one byte at @p in this process; true if that raised SIGBUS. */
static inline bool read_gets_sigbus(const uint8_t *p)
{
	struct sigaction sa = { .sa_handler = sigbus_handler }, old;
	bool bus = false;
	uint32_t v;

	sigaction(SIGBUS, &sa, &old);
	if (sigsetjmp(sigbus_jmp, 1))
		bus = true;
	else
		asm volatile("ldrb %w0, [%1]" : "=r"(v) : "r"(p) : "memory");
	sigaction(SIGBUS, &old, NULL);
	return bus;
}

static inline int gh_open(void)
{
	return open("/dev/gunyah", O_RDWR | O_CLOEXEC);
}

/* ioctl returning 0 or -errno. */
static inline int gh_ioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) < 0 ? -errno : 0;
}

/* GUNYAH_CREATE_GUEST_MEM on @dev: a guest memory file, or -errno. */
static inline int gmem_create(int dev, uint64_t flags, uint64_t size)
{
	struct gunyah_create_mem_args a = { .flags = flags, .size = size };
	int fd = ioctl(dev, GUNYAH_CREATE_GUEST_MEM, &a);

	return fd < 0 ? -errno : fd;
}

/* GUNYAH_VM_MAP_MEM of @size bytes of @fd at @off to @gpa: 0 or -errno. */
static inline int gmem_map(int vm, int fd, uint64_t gpa, uint64_t off, uint64_t size,
			   uint32_t flags)
{
	struct gunyah_map_mem_args a = {
		.guest_addr = gpa, .flags = flags, .guest_mem_fd = fd, .offset = off, .size = size,
	};

	return gh_ioctl(vm, GUNYAH_VM_MAP_MEM, &a);
}

static inline int vm_add_region(int vm, uint32_t label, uint64_t gpa, void *uaddr, uint64_t size,
				uint32_t flags, bool lend)
{
	struct gh_userspace_memory_region r = {
		.label = label, .flags = flags, .guest_phys_addr = gpa, .memory_size = size,
		.userspace_addr = (uintptr_t)uaddr,
	};

	return gh_ioctl(vm, lend ? GH_VM_ANDROID_LEND_USER_MEM : GH_VM_SET_USER_MEM_REGION, &r);
}

/*
 * The size of a guest's device tree region (GUNYAH_VM_SET_DTB_CONFIG): the
 * tree of @n bytes and room for the RM to grow it.  The RM writes the tree
 * back, grown by its overlay (a node per vCPU, doorbell, message queue),
 * into that region; the open-source RM does not check that the result
 * fits and takes a fault on a region too small (an 8-vCPU, 16-doorbell
 * tree of 2.6 KiB in one page did that).  16 KiB, the buffer the RM
 * itself uses for the work, or what there is (@avail) if less.
 */
#define DT_REGION_ROOM	0x4000

static inline uint64_t dt_region_size(ssize_t n, size_t avail)
{
	uint64_t room = avail < DT_REGION_ROOM ? avail : DT_REGION_ROOM;

	return n > 0 && (uint64_t)n > room ? (uint64_t)n : room;
}

static inline ssize_t load_file(const char *path, void *dst, size_t max)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, dst, max);
	close(fd);
	return n;
}

/*
 * A VM with @mem_size bytes of memory at GUEST_MEM_BASE holding the device
 * tree @dtb at its start, shared or lent.  Returns 0 or -errno.
 */
static inline int vm_setup(int dev, const char *dtb, bool lend, size_t mem_size,
			   struct test_vm *vm)
{
	struct gunyah_vm_dtb_config cfg = { .guest_phys_addr = GUEST_MEM_BASE };
	char path[128];
	ssize_t n;
	int ret;

	memset(vm, 0, sizeof(*vm));
	vm->fd = ioctl(dev, GUNYAH_CREATE_VM, 0);
	if (vm->fd < 0)
		return -errno;
	vm->mem_size = mem_size;
	vm->mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		       0);
	if (vm->mem == MAP_FAILED) {
		ret = -errno;
		close(vm->fd);
		return ret;
	}
	/* Lent memory must stay out of fork and core dumps. */
	if (lend && (madvise(vm->mem, mem_size, MADV_DONTFORK) ||
		     madvise(vm->mem, mem_size, MADV_DONTDUMP))) {
		ret = -errno;
		goto err;
	}
	snprintf(path, sizeof(path), DTB_DIR "%s", dtb);
	n = load_file(path, vm->mem, mem_size);
	if (n <= 0) {
		ret = n < 0 ? (int)n : -EINVAL;
		goto err;
	}
	cfg.size = dt_region_size(n, mem_size);
	vm->dtb_size = cfg.size;
	ret = vm_add_region(vm->fd, 0, GUEST_MEM_BASE, vm->mem, mem_size,
			    GH_MEM_ALLOW_READ | GH_MEM_ALLOW_WRITE | GH_MEM_ALLOW_EXEC, lend);
	if (!ret)
		ret = gh_ioctl(vm->fd, GUNYAH_VM_SET_DTB_CONFIG, &cfg);
	if (!ret)
		return 0;
err:
	munmap(vm->mem, mem_size);
	close(vm->fd);
	return ret;
}

static inline int vm_start(struct test_vm *vm)
{
	return gh_ioctl(vm->fd, GUNYAH_VM_START, NULL);
}

static inline void vm_destroy(struct test_vm *vm)
{
	close(vm->fd);
	munmap(vm->mem, vm->mem_size);
}

/* Create, start and destroy one VM; returns the start result. */
static inline int vm_cycle(int dev, const char *dtb, bool lend)
{
	struct test_vm vm = { .fd = -1 };
	int ret = vm_setup(dev, dtb, lend, 64 * 1024, &vm);

	if (ret)
		return ret;
	ret = vm_start(&vm);
	vm_destroy(&vm);
	return ret;
}

#endif
