/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the fuzzer and the kill storm: a seeded random number
 * generator, options (seconds, seed) from the command line or the
 * environment, child processes reaped against a deadline, and the host
 * invariants checked after a run (kernel log, memory, hypervisor counts,
 * a fresh VM still runs).
 */
#ifndef GUNYAH_FUZZ_UTIL_H
#define GUNYAH_FUZZ_UTIL_H

#include <pthread.h>
#include <regex.h>
#include <stdatomic.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include "guest/guest_abi.h"
#include "gunyah_util.h"

#define MiB		(1024ULL * 1024)
#define PAGE		4096ULL
#define GUEST_IMAGE_MAX	0x80000		/* test-guest.bin goes at the start of guest memory */
#define GUEST_DTB_OFF	0x80000		/* and its device tree 512 KiB in */

/* Allowed drop of free memory (per-CPU lists included) over a run: slab caches. */
#define MEM_TOLERANCE_KB	(16 * 1024)

static inline uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

/* xorshift64*: small, fast and the same everywhere for a given seed. */
static inline uint64_t rnd_next(uint64_t *s)
{
	uint64_t x = *s ? *s : 0x9e3779b97f4a7c15ULL;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static inline uint64_t rnd_below(uint64_t *s, uint64_t n)
{
	return n ? rnd_next(s) % n : 0;
}

/* Derive an independent seed from a seed and a number (splitmix64). */
static inline uint64_t seed_mix(uint64_t seed, uint64_t n)
{
	uint64_t z = seed + (n + 1) * 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

struct fuzz_opts {
	unsigned int seconds;
	uint64_t seed;
	bool lent_access;
	bool verbose;
	long long session;	/* replay one session number, or -1 */
	unsigned int max_ops;	/* ops per session, 0: unbounded */
};

static inline void fuzz_usage(const char *prog, bool fuzzer)
{
	fprintf(stderr, "usage: %s [--seconds N] [--seed S]%s\n", prog,
		fuzzer ? " [--lent-access] [--session K [--ops N] [--verbose]]" : "");
	exit(2);
}

/* Options, with defaults from GH_FUZZ_SECS, GH_FUZZ_SEED and GH_FUZZ_LENT. */
static inline void fuzz_parse(int argc, char **argv, struct fuzz_opts *o, bool fuzzer)
{
	const char *e;

	memset(o, 0, sizeof(*o));
	o->seconds = 15;
	o->session = -1;
	e = getenv("GH_FUZZ_SECS");
	if (e && *e)
		o->seconds = strtoul(e, NULL, 0);
	e = getenv("GH_FUZZ_SEED");
	if (e && *e)
		o->seed = strtoull(e, NULL, 0);
	else
		o->seed = ((uint64_t)time(NULL) << 20) ^ getpid();
	e = getenv("GH_FUZZ_LENT");
	o->lent_access = !e || strcmp(e, "0");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--seconds") && v)
			o->seconds = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(a, "--seed") && v)
			o->seed = strtoull(argv[++i], NULL, 0);
		else if (fuzzer && !strcmp(a, "--lent-access"))
			o->lent_access = true;
		else if (fuzzer && !strcmp(a, "--no-lent-access"))
			o->lent_access = false;
		else if (fuzzer && !strcmp(a, "--verbose"))
			o->verbose = true;
		else if (fuzzer && !strcmp(a, "--session") && v)
			o->session = strtoll(argv[++i], NULL, 0);
		else if (fuzzer && !strcmp(a, "--ops") && v)
			o->max_ops = strtoul(argv[++i], NULL, 0);
		else
			fuzz_usage(argv[0], fuzzer);
	}
}

/* No core dumps: they would read every page of a crashing child. */
static inline void fuzz_child_setup(void)
{
	struct rlimit rl = { 0, 0 };

	setrlimit(RLIMIT_CORE, &rl);
	setpgid(0, 0);
}

/*
 * Wait for @pid until @deadline (CLOCK_MONOTONIC ms); past it, SIGKILL its
 * process group.  Returns the wait status; *hung tells whether it had to be
 * killed, *stuck whether it still had not died 10 s after SIGKILL.
 */
static inline int reap(pid_t pid, uint64_t deadline, bool *hung, bool *stuck)
{
	int status = 0;

	*hung = false;
	*stuck = false;
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			break;
		if (r < 0)
			return -1;
		if (!*hung && now_ms() > deadline) {
			*hung = true;
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			deadline = now_ms() + 10000;
		} else if (*hung && now_ms() > deadline) {
			/* Stuck in the kernel: leave it, or we would hang too. */
			*stuck = true;
			return -1;
		}
		usleep(*hung ? 20000 : 2000);
	}
	/* Whatever it forked goes too. */
	kill(-pid, SIGKILL);
	while (waitpid(-pid, NULL, WNOHANG) > 0)
		;
	return status;
}

/* Kernel messages that mean the host went wrong. */
static const char *const klog_bad[] = {
	"WARNING:", "BUG:", "Oops", "soft lockup", "hard LOCKUP", "blocked for more than",
	"hung_task:", "Unable to handle", "Call trace:",
};

struct klog_watch {
	int fd;			/* /dev/kmsg, positioned after what was seen */
	regex_t rcu_stall;
	unsigned int bad;	/* bad messages seen so far */
};

static inline int klog_watch_start(struct klog_watch *w)
{
	w->bad = 0;
	if (regcomp(&w->rcu_stall, "rcu.*stall", REG_EXTENDED | REG_ICASE | REG_NOSUB))
		return -1;
	w->fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (w->fd < 0)
		return -1;
	lseek(w->fd, 0, SEEK_END);
	return 0;
}

static inline bool klog_line_bad(struct klog_watch *w, const char *msg)
{
	if (strstr(msg, "Kernel command line") || strstr(msg, "stall warnings timeout"))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(klog_bad); i++)
		if (strstr(msg, klog_bad[i]))
			return true;
	return !regexec(&w->rcu_stall, msg, 0, NULL, 0);
}

/*
 * Read the kernel messages logged since the last call; print the bad ones
 * (at most @show of them) prefixed with @tag.  Returns how many were bad.
 */
static inline unsigned int klog_poll(struct klog_watch *w, const char *tag, unsigned int show)
{
	unsigned int n = 0;
	char rec[2048];

	for (;;) {
		ssize_t len = read(w->fd, rec, sizeof(rec) - 1);
		char *msg;

		if (len < 0 && errno == EPIPE)
			continue;	/* overwritten records: go on with the next */
		if (len <= 0)
			break;
		rec[len] = '\0';
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		if (!klog_line_bad(w, msg))
			continue;
		if (n++ < show) {
			msg[strcspn(msg, "\n")] = '\0';
			tap_diag("%s kernel: %s", tag, msg);
		}
	}
	w->bad += n;
	return n;
}

struct fuzz_base {
	struct hyp_stats hs;
	long avail_kb;
	bool hs_ok;
};

static inline void fuzz_base_take(struct fuzz_base *b)
{
	b->hs_ok = !hyp_stats(&b->hs);
	b->avail_kb = free_mem_kb("MemAvailable");
}

struct guest_vm {
	int fd;
	int vcpu;
	uint8_t *mem;
	size_t size;
	struct gunyah_vcpu_run *run;
};

/*
 * A VM running the test guest from @size bytes of anonymous memory
 * (shared, or lent), with vCPU 0 and its run page; not started.
 */
static inline int guest_vm_make(int dev, struct guest_vm *g, size_t size, bool lend)
{
	struct gunyah_vm_dtb_config cfg = { .guest_phys_addr = GUEST_MEM_BASE + GUEST_DTB_OFF };
	struct gunyah_fn_vcpu_arg varg = { .id = 0 };
	struct gunyah_fn_desc fn = {
		.type = GUNYAH_FN_VCPU, .arg_size = sizeof(varg), .arg = (uintptr_t)&varg,
	};
	ssize_t n, dt;
	int r;

	memset(g, 0, sizeof(*g));
	g->vcpu = -1;
	g->size = size;
	g->fd = ioctl(dev, GUNYAH_CREATE_VM, 0);
	if (g->fd < 0)
		return -errno;
	g->mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->mem == MAP_FAILED) {
		g->mem = NULL;
		return -ENOMEM;
	}
	if (lend) {
		madvise(g->mem, size, MADV_DONTFORK);
		madvise(g->mem, size, MADV_DONTDUMP);
	}
	n = load_file(DTB_DIR "test-guest.bin", g->mem, GUEST_IMAGE_MAX);
	dt = load_file(DTB_DIR "guest-2cpu.dtb", g->mem + GUEST_DTB_OFF, 0x10000);
	if (n <= 0 || dt <= 0)
		return -ENOENT;
	cfg.size = dt_region_size(dt, size - GUEST_DTB_OFF);
	r = vm_add_region(g->fd, 0, GUEST_MEM_BASE, g->mem, size,
			  GH_MEM_ALLOW_READ | GH_MEM_ALLOW_WRITE | GH_MEM_ALLOW_EXEC, lend);
	r = r ?: gh_ioctl(g->fd, GUNYAH_VM_SET_DTB_CONFIG, &cfg);
	if (r)
		return r;
	g->vcpu = ioctl(g->fd, GUNYAH_VM_ADD_FUNCTION, &fn);
	if (g->vcpu < 0)
		return -errno;
	g->run = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, g->vcpu, 0);
	if (g->run == MAP_FAILED) {
		g->run = NULL;
		return -errno;
	}
	return 0;
}

static inline void guest_vm_free(struct guest_vm *g)
{
	if (g->run)
		munmap(g->run, PAGE);
	if (g->vcpu >= 0)
		close(g->vcpu);
	if (g->fd >= 0)
		close(g->fd);
	if (g->mem)
		munmap(g->mem, g->size);
}

/* A fresh VM starts, runs the test guest, which powers off when told. */
static inline int fresh_vm_runs(int dev)
{
	struct guest_vm g;
	int r = guest_vm_make(dev, &g, 2 * MiB, true);

	r = r ?: vm_start(&(struct test_vm){ .fd = g.fd });
	for (int i = 0; !r && i < 16; i++) {
		uint64_t cmd = CMD_SYSTEM_OFF;

		if (ioctl(g.vcpu, GUNYAH_VCPU_RUN) < 0) {
			r = -errno;
			break;
		}
		if (g.run->exit_reason == GUNYAH_VCPU_EXIT_STATUS) {
			r = g.run->status.status == GUNYAH_VM_STATUS_EXITED ? 1 : -EIO;
			break;
		}
		if (g.run->exit_reason == GUNYAH_VCPU_EXIT_MMIO && !g.run->mmio.is_write)
			memcpy(g.run->mmio.data, &cmd, sizeof(cmd));
	}
	guest_vm_free(&g);
	return r == 1 ? 0 : (r ?: -ETIMEDOUT);
}

/*
 * The host invariants after a run, one TAP line each: no new bad kernel
 * message, MemAvailable back (waiting for deferred frees), the hypervisor's
 * counts back, and a fresh VM runs.
 */
static inline void fuzz_check_invariants(int dev, struct klog_watch *w,
					 const struct fuzz_base *b)
{
	struct fuzz_base a;
	int r;

	/* Deferred frees: give them a few seconds. */
	for (int i = 0; i < 50; i++) {
		fuzz_base_take(&a);
		if (b->hs_ok && a.hs_ok && hyp_stats_equal(&b->hs, &a.hs) &&
		    b->avail_kb - a.avail_kb < MEM_TOLERANCE_KB)
			break;
		usleep(100000);
	}
	tap_check_hyp(b->hs_ok && a.hs_ok && hyp_stats_equal(&b->hs, &a.hs),
		      "hypervisor counts back: VMs %llu->%llu, parcels %llu->%llu, caps %llu->%llu, free pages %llu->%llu",
		      b->hs.vms, a.hs.vms, b->hs.parcels, a.hs.parcels, b->hs.caps, a.hs.caps,
		      b->hs.free_pages, a.hs.free_pages);
	tap_check(b->avail_kb - a.avail_kb < MEM_TOLERANCE_KB,
		  "MemAvailable + per-CPU free lists back within %llu MiB: %ld -> %ld kB (%+ld kB)",
		  MEM_TOLERANCE_KB / 1024ULL, b->avail_kb, a.avail_kb, a.avail_kb - b->avail_kb);
	r = fresh_vm_runs(dev);
	tap_check(r == 0, "a fresh VM starts and runs its guest to power-off (%d)", r);
	klog_poll(w, "after the run:", 20);
	tap_check(w->bad == 0,
		  "no WARNING/BUG/Oops/lockup/hung task/RCU stall in the kernel log (%u)", w->bad);
}

#endif
