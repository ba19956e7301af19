// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench: the paths a VMM feels, measured on one side of the Gunyah/KVM
 * comparison.  The boot decides the side: the Gunyah host (hyp boot) runs
 * the Gunyah twin, the same kernel at EL2 (nohyp boot with KVM, GH_NOHYP=1
 * GH_KVM=1) the KVM twin, and the same kernel at EL1 without any
 * hypervisor (nohyp boot, side "nohyp") only the host_* paths: the
 * reference for what the Gunyah host's own syscalls and page faults cost.
 * Every VM runs the selftests' bare-metal test guest with the same
 * commands; every time is CLOCK_MONOTONIC in this process, over batches,
 * and each path reports the median of its batches:
 *
 *   @@BENCH-HOW <path> <how it is measured>
 *   @@BENCH <side> <path> <median ns> <batches> <min ns> <max ns>
 *   @@BENCH <side> <path> n/a <reason>
 *
 * tools/testing/gunyah/bench.sh alternates the boots and builds the table.
 * Nothing here is a pass/fail check: numbers are printed as measured.
 *
 * To add a path (ioeventfd, irqfd, ...), add a function and a row to
 * paths[]; a row whose function is NULL prints n/a.
 */
#define _GNU_SOURCE
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../guest/guest_abi.h"
#include "../gunyah_util.h"
#include "bench.h"

#define BATCHES			7
#define MMIO_PER_BATCH		200
#define HVC_PER_BATCH		4000
#define TOUCH_PER_BATCH		512
#define TOUCH_BATCHES		6
#define DATA_PAGES		4096	/* 16 MiB of data: the pages of "teardown" */
#define LOAD_PASSES		16
#define LAUNCHES		5
#define TEARDOWNS		3
#define LAUNCH_MEM		(16 * MiB)
#define IMAGE_SIZE		(2 * MiB)
#define MEMFREE_SLACK_KB	4096	/* what may linger in per-CPU page lists */
#define MEMFREE_WAIT_NS		10000000000LL
#define GETPPID_PER_BATCH	20000
#define ANON_PAGES		1024
#define IOEVENTFD_PER_BATCH	200
#define IRQFD_SAMPLES		1050	/* 7 batches of 150 */
#define IRQFD_INTID		(32 + BENCH_SPI)
#define LINUX_BOOTS		3
#define LINUX_KERNEL		"/usr/share/gunyah/Image"
#define LINUX_INITRD		"/usr/share/gunyah/initrd.cpio"
#define LINUX_APPEND		"console=ttyAMA0 quiet"
#define LINUX_MARK		"userspace after"	/* the guest's init, in user space */
#define LINUX_TIMEOUT_MS	240000
#define LINUX_TAIL		255	/* output kept for the mark and for errors */

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

/**
 * struct samples - times taken while one path runs, for a later path to report
 * @t: the samples (ns)
 * @n: how many
 * @why: why some are missing
 */
struct samples {
	int64_t t[BATCHES];
	int n;
	char why[160];
};

static_assert(TEARDOWNS <= BATCHES && LINUX_BOOTS <= BATCHES, "struct samples too small");

/**
 * struct teardown_samples - what the teardowns of one kind of VM measured besides close()
 * @memfree: the time until free memory recovered
 * @scrub: the time the hypervisor spent zeroing the VM's memory
 */
struct teardown_samples {
	struct samples memfree, scrub;
};

/**
 * struct ctx - state shared by the paths of one run
 * @twin: this boot's VMM
 * @twin_err: why the twin cannot run VMs (0: it can)
 * @image, @image_len, @dtb, @dtb_len: the guest payload
 * @vm: the VM the guest-side paths share (image + DATA_PAGES of data)
 * @vm_ok: @vm exists
 * @vm_err: why it could not be created
 * @fresh: data pages of @vm not touched yet (from the start)
 * @memfree_before: free memory (kB, free_mem_kb()) before @vm was created
 * @lent: teardown samples of VMs whose data is lent
 * @shared: the same with the data shared with the host
 * @linux_run: per Linux guest boot of linux_boot, the time until its VMM exited
 */
struct ctx {
	const struct twin *twin;
	const char *side;
	int twin_err;
	void *image, *dtb;
	size_t image_len, dtb_len;
	struct bvm vm;
	bool vm_ok;
	int vm_err;
	uint64_t fresh;
	long memfree_before;
	struct teardown_samples lent, shared;
	struct samples linux_run;
};

/* A path fills @s with up to BATCHES per-operation times (ns) and sets *n, or explains. */
typedef int (*path_fn)(struct ctx *c, int64_t *s, int *n, char *why, size_t len);

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int why_set(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -1;
}

static void *load_whole(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long size;

	if (!f)
		return NULL;
	size = fseek(f, 0, SEEK_END) ? -1 : ftell(f);
	if (size > 0 && !fseek(f, 0, SEEK_SET)) {
		buf = malloc(size);
		if (buf && fread(buf, 1, size, f) != (size_t)size) {
			free(buf);
			buf = NULL;
		}
		*len = size;
	}
	fclose(f);
	return buf;
}

/* A description of a twin's return value other than an MMIO exit. */
static const char *exit_str(int r)
{
	static char buf[48];

	if (r < 0)
		snprintf(buf, sizeof(buf), "%s", strerror(-r));
	else
		snprintf(buf, sizeof(buf), "exit reason %d", r);
	return buf;
}

/*
 * One guest command: answer the guest's MMIO reads of CMD and ARG (the
 * arguments in order) until it writes RESULT.  0 or the twin's error.
 */
static int guest_cmd(struct bvm *vm, uint64_t cmd, const uint64_t *args, int nargs,
		     uint64_t *result)
{
	struct mmio_exit *m = &vm->mmio;
	bool given = false;
	int next = 0, r;

	for (;;) {
		r = vm->twin->run(vm);
		if (r)
			return r;
		vm->exits++;
		if (m->is_write) {
			if (m->addr == GUEST_REG_RESULT) {
				*result = m->data;
				return 0;
			}
			if (m->addr == GUEST_REG_ERROR)
				return -EFAULT;
			continue;
		}
		if (m->addr == GUEST_REG_CMD) {
			if (given)
				return -EPROTO;	/* done without a result */
			m->data = cmd;
			given = true;
		} else if (m->addr == GUEST_REG_ARG) {
			m->data = next < nargs ? args[next++] : 0;
		} else {
			m->data = 0;
		}
		vm->answer_read = true;
	}
}

/* Time one guest command, in ns, or a negative error. */
static int64_t timed_cmd(struct bvm *vm, uint64_t cmd, const uint64_t *args, int nargs,
			 uint64_t *result)
{
	int64_t t0 = now_ns();
	int r = guest_cmd(vm, cmd, args, nargs, result);

	return r ? (r < 0 ? r : -EIO) : now_ns() - t0;
}

static int vm_create_data(struct ctx *c, struct bvm *vm, uint64_t image_size, uint64_t data_size,
			  bool data_shared)
{
	memset(vm, 0, sizeof(*vm));
	vm->twin = c->twin;
	vm->layout.image_size = image_size;
	vm->layout.data_size = data_size;
	vm->layout.data_shared = data_shared;
	return c->twin->create(vm, &vm->layout, c->image, c->image_len, c->dtb, c->dtb_len);
}

static int vm_create(struct ctx *c, struct bvm *vm, uint64_t image_size, uint64_t data_size)
{
	return vm_create_data(c, vm, image_size, data_size, false);
}

/* The shared VM: the image and DATA_PAGES of data, one command run already. */
static struct bvm *ctx_vm(struct ctx *c, char *why, size_t len)
{
	uint64_t res, arg = 10;
	int r;

	if (c->twin_err) {
		why_set(why, len, "cannot open %s: %s", c->twin->dev, strerror(-c->twin_err));
		return NULL;
	}
	if (c->vm_ok)
		return &c->vm;
	if (c->vm_err) {
		why_set(why, len, "no VM: %s", exit_str(c->vm_err));
		return NULL;
	}
	c->memfree_before = free_mem_kb("MemFree");
	r = vm_create(c, &c->vm, IMAGE_SIZE, DATA_PAGES * BENCH_PAGE);
	if (!r) {
		r = guest_cmd(&c->vm, CMD_BENCH, &arg, 1, &res);
		if (r)
			c->twin->destroy(&c->vm);
	}
	if (r) {
		c->vm_err = r;
		why_set(why, len, "no VM: %s", exit_str(r));
		return NULL;
	}
	c->vm_ok = true;
	c->fresh = 0;
	return &c->vm;
}

static int path_mmio_exit(struct ctx *c, int64_t *s, int *n, char *why, size_t len)
{
	struct bvm *vm = ctx_vm(c, why, len);
	uint64_t arg = MMIO_PER_BATCH, res;

	if (!vm)
		return -1;
	for (*n = 0; *n < BATCHES; (*n)++) {
		uint64_t e0 = vm->exits;
		int64_t t = timed_cmd(vm, CMD_BENCH, &arg, 1, &res);

		if (t < 0)
			return why_set(why, len, "CMD_BENCH: %s", exit_str((int)t));
		s[*n] = t / (int64_t)(vm->exits - e0);
	}
	return 0;
}

static int path_hvc_null(struct ctx *c, int64_t *s, int *n, char *why, size_t len)
{
	struct bvm *vm = ctx_vm(c, why, len);
	uint64_t arg = HVC_PER_BATCH, zero = 0, res = 0, res0;

	if (!vm)
		return -1;
	for (*n = 0; *n < BATCHES; (*n)++) {
		int64_t t = timed_cmd(vm, CMD_HVC_BENCH, &arg, 1, &res);
		int64_t t0 = timed_cmd(vm, CMD_HVC_BENCH, &zero, 1, &res0);

		if (t < 0 || t0 < 0)
			return why_set(why, len, "CMD_HVC_BENCH: %s",
				       exit_str((int)(t < 0 ? t : t0)));
		if ((int64_t)res <= 0)
			return why_set(why, len, "PSCI_VERSION answered %#llx",
				       (unsigned long long)res);
		s[*n] = (t - t0) / HVC_PER_BATCH;
	}
	return 0;
}

static int touch(struct bvm *vm, uint64_t first, uint64_t count, int64_t *t)
{
	uint64_t args[2] = { DATA_GPA + first * BENCH_PAGE, count }, res;

	*t = timed_cmd(vm, CMD_TOUCH_PAGES, args, 2, &res);
	return *t < 0 ? (int)*t : 0;
}

static int path_first_touch(struct ctx *c, int64_t *s, int *n, char *why, size_t len)
{
	struct bvm *vm = ctx_vm(c, why, len);

	if (!vm)
		return -1;
	for (*n = 0; *n < TOUCH_BATCHES && c->fresh + TOUCH_PER_BATCH <= DATA_PAGES; (*n)++) {
		int64_t fresh, again;
		int r = touch(vm, c->fresh, TOUCH_PER_BATCH, &fresh);

		if (!r)
			r = touch(vm, c->fresh, TOUCH_PER_BATCH, &again);
		if (r)
			return why_set(why, len, "CMD_TOUCH_PAGES: %s", exit_str(r));
		c->fresh += TOUCH_PER_BATCH;
		s[*n] = (fresh - again) / TOUCH_PER_BATCH;
	}
	return 0;
}

/* The shared VM with every data page touched (so mapped), or NULL with @why set. */
static struct bvm *ctx_vm_touched(struct ctx *c, char *why, size_t len)
{
	struct bvm *vm = ctx_vm(c, why, len);
	int64_t t;
	int r;

	if (!vm)
		return NULL;
	r = touch(vm, c->fresh, DATA_PAGES - c->fresh, &t);
	if (r) {
		why_set(why, len, "CMD_TOUCH_PAGES: %s", exit_str(r));
		return NULL;
	}
	c->fresh = DATA_PAGES;
	return vm;
}

static int path_tlb_refill(struct ctx *c, int64_t *s, int *n, char *why, size_t len)
{
	uint64_t args[3] = { DATA_GPA, DATA_PAGES, LOAD_PASSES }, none[3] = { DATA_GPA, 0, 0 };
	/* Every page mapped first: this path is about translations only. */
	struct bvm *vm = ctx_vm_touched(c, why, len);
	uint64_t res;

	if (!vm)
		return -1;
	for (*n = 0; *n < BATCHES; (*n)++) {
		int64_t t1 = timed_cmd(vm, CMD_LOAD_PAGES, args, 3, &res);
		int64_t t0 = timed_cmd(vm, CMD_LOAD_PAGES, none, 3, &res);

		if (t1 < 0 || t0 < 0)
			return why_set(why, len, "CMD_LOAD_PAGES: %s",
				       exit_str((int)(t1 < 0 ? t1 : t0)));
		s[*n] = (t1 - t0) / (DATA_PAGES * LOAD_PASSES);
	}
	return 0;
}

static int path_launch(struct ctx *c, int64_t *s, int *n, char *why, size_t len)
{
	struct bvm vm;

	if (c->twin_err)
		return why_set(why, len, "cannot open %s: %s", c->twin->dev,
			       strerror(-c->twin_err));
	for (*n = 0; *n < LAUNCHES; (*n)++) {
		int64_t t0 = now_ns();
		int r = vm_create(c, &vm, IMAGE_SIZE, LAUNCH_MEM - IMAGE_SIZE);

		if (!r)
			r = c->twin->run(&vm);
		s[*n] = now_ns() - t0;
		if (!r && (vm.mmio.is_write || vm.mmio.addr != GUEST_REG_CMD))
			r = -EPROTO;
		if (vm.priv)
			c->twin->destroy(&vm);
		if (r)
			return why_set(why, len, "launch: %s", exit_str(r));
	}
	return 0;
}

/* The time the hypervisor spent scrubbing while @vm went; after a teardown with memory back. */
static void scrub_sample(struct ctx *c, int64_t start, struct samples *scrub)
{
	int64_t end = start < 0 ? start : c->twin->scrub_ns();

	if (end >= 0) {
		scrub->t[scrub->n++] = end - start;
		return;
	}
	snprintf(scrub->why, sizeof(scrub->why),
		 "the hypervisor's scrub time is not readable (gunyah_test/scrub: %s)",
		 strerror((int)-end));
}

/*
 * Tear @vm down; the close time, and the time until MemFree is back near
 * @before; the hypervisor's scrub time, if the twin's memory is scrubbed.
 */
static void teardown_one(struct ctx *c, struct bvm *vm, long before, int64_t *closed,
			 struct teardown_samples *ts)
{
	int64_t scrub0 = c->twin->scrub_ns ? c->twin->scrub_ns() : 0;
	int64_t t0 = now_ns(), t;
	long now = 0;

	c->twin->destroy(vm);
	*closed = now_ns() - t0;
	do {
		now = free_mem_kb("MemFree");
		t = now_ns() - t0;
		if (now >= before - MEMFREE_SLACK_KB) {
			ts->memfree.t[ts->memfree.n++] = t;
			if (c->twin->scrub_ns)
				scrub_sample(c, scrub0, &ts->scrub);
			return;
		}
		usleep(1000);
	} while (t < MEMFREE_WAIT_NS);
	snprintf(ts->memfree.why, sizeof(ts->memfree.why),
		 "free memory still %ld kB below its level before the VM after %lld s",
		 before - now, MEMFREE_WAIT_NS / 1000000000LL);
}

/*
 * Tear down VMs made for it, from sample @*n on: each with all DATA_PAGES
 * touched, its data lent or (@shared) shared with the host.
 */
static int teardown_fresh(struct ctx *c, bool shared, int64_t *s, int *n,
			  struct teardown_samples *ts, char *why, size_t len)
{
	struct bvm fresh;
	int64_t t;
	int r;

	for (; *n < TEARDOWNS; (*n)++) {
		long before = free_mem_kb("MemFree");

		r = vm_create_data(c, &fresh, IMAGE_SIZE, DATA_PAGES * BENCH_PAGE, shared);
		if (!r)
			r = touch(&fresh, 0, DATA_PAGES, &t);
		if (r) {
			if (fresh.priv)
				c->twin->destroy(&fresh);
			return why_set(why, len, "teardown VM: %s", exit_str(r));
		}
		teardown_one(c, &fresh, before, &s[*n], ts);
	}
	return 0;
}

static int path_teardown_close(struct ctx *c, int64_t *s, int *n, char *why, size_t len)
{
	/* The shared VM first, all its data pages touched. */
	struct bvm *vm = ctx_vm_touched(c, why, len);

	if (!vm)
		return -1;
	teardown_one(c, vm, c->memfree_before, &s[0], &c->lent);
	c->vm_ok = false;
	c->vm_err = -ESHUTDOWN;
	*n = 1;
	return teardown_fresh(c, false, s, n, &c->lent, why, len);
}

/* Report samples an earlier path took (@none: why there are none, if so). */
static int samples_report(const struct samples *sm, const char *none, int64_t *s, int *n,
			  char *why, size_t len)
{
	if (sm->why[0])
		return why_set(why, len, "%s", sm->why);
	if (!sm->n)
		return why_set(why, len, "%s", none);
	memcpy(s, sm->t, sm->n * sizeof(*s));
	*n = sm->n;
	return 0;
}

static int path_teardown_memfree(struct ctx *c, int64_t *s, int *n, char *why, size_t len)
{
	return samples_report(&c->lent.memfree, "no teardown measured", s, n, why, len);
}

/* Of each teardown_memfree, the hypervisor's scrub of the lent memory. */
static int path_teardown_scrub(struct ctx *c, int64_t *s, int *n, char *why, size_t len)
{
	if (!c->twin->scrub_ns)
		return why_set(why, len, "%s returns guest memory unscrubbed", c->twin->name);
	return samples_report(&c->lent.scrub, "no teardown measured", s, n, why, len);
}

static int path_teardown_shared_close(struct ctx *c, int64_t *s, int *n, char *why, size_t len)
{
	if (c->twin_err)
		return why_set(why, len, "cannot open %s: %s", c->twin->dev,
			       strerror(-c->twin_err));
	*n = 0;
	return teardown_fresh(c, true, s, n, &c->shared, why, len);
}

static int path_teardown_shared_memfree(struct ctx *c, int64_t *s, int *n, char *why,
					size_t len)
{
	return samples_report(&c->shared.memfree, "no teardown measured", s, n, why, len);
}

static int path_host_getppid(struct ctx *c, int64_t *s, int *n, char *why, size_t len)
{
	(void)c;
	(void)why;
	(void)len;
	for (*n = 0; *n < BATCHES; (*n)++) {
		int64_t t0 = now_ns();

		for (int i = 0; i < GETPPID_PER_BATCH; i++)
			getppid();
		s[*n] = (now_ns() - t0) / GETPPID_PER_BATCH;
	}
	return 0;
}

static int path_host_anon_fault(struct ctx *c, int64_t *s, int *n, char *why, size_t len)
{
	size_t size = ANON_PAGES * BENCH_PAGE;

	(void)c;
	for (*n = 0; *n < BATCHES; (*n)++) {
		uint8_t *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				  -1, 0);
		int64_t t0;

		if (p == MAP_FAILED)
			return why_set(why, len, "mmap: %s", strerror(errno));
		madvise(p, size, MADV_NOHUGEPAGE);
		t0 = now_ns();
		for (size_t off = 0; off < size; off += BENCH_PAGE)
			p[off] = 1;
		s[*n] = (now_ns() - t0) / ANON_PAGES;
		munmap(p, size);
	}
	return 0;
}

/*
 * Boot the Linux guest once with the twin's VMM (one vCPU, 256 MiB): the
 * time from the VMM's start until the guest's init says it is in user
 * space (*@boot), and until the VMM exited after the guest powered off
 * (*@run).  Returns 0, or explains in @why.
 */
static int linux_boot_once(struct ctx *c, int64_t *boot, int64_t *run, char *why, size_t len)
{
	const char *vmm = c->twin->linux_vmm;
	/* The last LINUX_TAIL bytes of output, then what the last read brought. */
	char buf[4096], seen[LINUX_TAIL + sizeof(buf) + 1];
	int64_t t0 = now_ns(), t;
	int out[2], status;
	size_t have = 0, keep;
	pid_t pid;

	*boot = -1;
	if (pipe2(out, O_CLOEXEC))
		return why_set(why, len, "pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		return why_set(why, len, "fork: %s", strerror(errno));
	if (!pid) {
		int null = open("/dev/null", O_RDONLY);

		dup2(null, STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		dup2(out[1], STDERR_FILENO);
		execlp(vmm, vmm, "--kernel", LINUX_KERNEL, "--initrd", LINUX_INITRD, "-c", "1",
		       "--append", LINUX_APPEND, (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	for (;;) {
		struct pollfd pfd = { .fd = out[0], .events = POLLIN };
		int left = (int)(LINUX_TIMEOUT_MS - (now_ns() - t0) / 1000000);
		ssize_t n;

		if (left <= 0 || poll(&pfd, 1, left) <= 0) {
			kill(pid, SIGKILL);
			break;
		}
		n = read(out[0], buf, sizeof(buf));
		if (n <= 0)
			break;
		t = now_ns();
		/* The console comes a few bytes at a time: look at what came before too. */
		memcpy(seen + have, buf, n);
		have += n;
		if (*boot < 0 && memmem(seen, have, LINUX_MARK, strlen(LINUX_MARK)))
			*boot = t - t0;
		keep = have < LINUX_TAIL ? have : LINUX_TAIL;
		memmove(seen, seen + have - keep, keep);
		have = keep;
	}
	seen[have] = '\0';
	close(out[0]);
	if (waitpid(pid, &status, 0) != pid)
		return why_set(why, len, "waitpid: %s", strerror(errno));
	*run = now_ns() - t0;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return why_set(why, len, "%s %s (last output: %.80s)", vmm,
			       WIFEXITED(status) ? "failed" : "was killed after 240 s", seen);
	if (*boot < 0)
		return why_set(why, len, "the guest never said \"%s\" (last output: %.80s)",
			       LINUX_MARK, seen);
	return 0;
}

static int path_linux_boot(struct ctx *c, int64_t *s, int *n, char *why, size_t len)
{
	for (*n = 0; *n < LINUX_BOOTS; (*n)++)
		if (linux_boot_once(c, &s[*n], &c->linux_run.t[*n], why, len))
			return -1;
	c->linux_run.n = *n;
	return 0;
}

static int path_linux_run(struct ctx *c, int64_t *s, int *n, char *why, size_t len)
{
	return samples_report(&c->linux_run, "no Linux guest booted", s, n, why, len);
}

/* A small VM of its own, for the paths that add functions. */
static int own_vm(struct ctx *c, struct bvm *vm, char *why, size_t len)
{
	int r;

	if (c->twin_err)
		return why_set(why, len, "cannot open %s: %s", c->twin->dev,
			       strerror(-c->twin_err));
	r = vm_create(c, vm, IMAGE_SIZE, 0);
	return r ? why_set(why, len, "no VM: %s", exit_str(r)) : 0;
}

static int path_ioeventfd_write(struct ctx *c, int64_t *s, int *n, char *why, size_t len)
{
	uint64_t arg = IOEVENTFD_PER_BATCH, zero = 0, res, count = 0;
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), r;
	struct bvm vm;

	if (efd < 0 || own_vm(c, &vm, why, len))
		return efd < 0 ? why_set(why, len, "eventfd: %s", strerror(errno)) : -1;
	r = c->twin->add_ioeventfd(&vm, GUEST_REG_DATA, 8, efd);
	if (r) {
		why_set(why, len, "ioeventfd: %s", strerror(-r));
		goto out;
	}
	for (*n = 0; *n < BATCHES; (*n)++) {
		int64_t t = timed_cmd(&vm, CMD_BENCH, &arg, 1, &res);
		int64_t t0 = timed_cmd(&vm, CMD_BENCH, &zero, 1, &res);

		if (t < 0 || t0 < 0) {
			r = why_set(why, len, "CMD_BENCH: %s", exit_str((int)(t < 0 ? t : t0)));
			goto out;
		}
		s[*n] = (t - t0) / IOEVENTFD_PER_BATCH;
	}
	/* Every write must have been the eventfd's, none the VMM's. */
	eventfd_read(efd, &count);
	if (count != (uint64_t)BATCHES * IOEVENTFD_PER_BATCH)
		r = why_set(why, len, "the eventfd counted %llu writes, not %d",
			    (unsigned long long)count, BATCHES * IOEVENTFD_PER_BATCH);
out:
	c->twin->destroy(&vm);
	close(efd);
	return r;
}

struct irq_waiter {
	struct bvm *vm;
	uint64_t arg;
	int64_t done_ns;
	int r;
};

static void *irq_wait_thread(void *p)
{
	struct irq_waiter *w = p;
	uint64_t res;

	w->r = guest_cmd(w->vm, CMD_IRQ_WAIT, &w->arg, 1, &res);
	w->done_ns = now_ns();
	return NULL;
}

static int cmp_i64(const void *a, const void *b);

/*
 * eventfd write -> the guest's report that its handler ran: the guest
 * waits in WFI (its vCPU thread asleep in the kernel) for the SPI the
 * irqfd raises, takes it, and reports with one MMIO write.
 */
static int path_irqfd_inject(struct ctx *c, int64_t *s, int *n, char *why, size_t len)
{
	static int64_t lat[IRQFD_SAMPLES];
	int efd = eventfd(0, EFD_CLOEXEC), r;
	uint64_t res, setup = IRQFD_INTID;
	struct bvm vm;

	if (efd < 0 || own_vm(c, &vm, why, len))
		return efd < 0 ? why_set(why, len, "eventfd: %s", strerror(errno)) : -1;
	r = c->twin->add_irqfd(&vm, efd);
	if (!r)
		r = guest_cmd(&vm, CMD_IRQ_SETUP, &setup, 1, &res);
	if (r) {
		why_set(why, len, "irqfd set-up: %s", exit_str(r));
		goto out;
	}
	for (int i = 0; i < IRQFD_SAMPLES; i++) {
		struct irq_waiter w = { .vm = &vm, .arg = IRQFD_INTID | (uint64_t)(i + 1) << 32 };
		pthread_t t;
		int64_t t0;

		pthread_create(&t, NULL, irq_wait_thread, &w);
		usleep(2000);		/* the guest is in WFI by now */
		t0 = now_ns();
		eventfd_write(efd, 1);
		pthread_join(t, NULL);
		if (w.r) {
			r = why_set(why, len, "CMD_IRQ_WAIT: %s", exit_str(w.r));
			goto out;
		}
		lat[i] = w.done_ns - t0;
	}
	/* Batches of 150 samples, each reported by its median. */
	for (*n = 0; *n < BATCHES; (*n)++) {
		int64_t *b = lat + *n * (IRQFD_SAMPLES / BATCHES);

		qsort(b, IRQFD_SAMPLES / BATCHES, sizeof(*b), cmp_i64);
		s[*n] = b[IRQFD_SAMPLES / BATCHES / 2];
	}
out:
	c->twin->destroy(&vm);
	close(efd);
	return r;
}

/*
 * The paths, in the order they run (the guest-side ones share one VM and
 * its data pages: first_touch uses fresh pages, teardown_close ends it).
 */
static const struct path {
	const char *name;
	path_fn fn;
	const char *how;
	const char *batches;
} paths[] = {
	{ "mmio_exit", path_mmio_exit,
	  "guest MMIO write -> VMM -> guest, per exit", "7 x CMD_BENCH 200 (203 exits)" },
	{ "hvc_null", path_hvc_null,
	  "guest HVC PSCI_VERSION, answered without a VMM exit, per call",
	  "7 x (4000 calls - 0 calls)" },
	{ "first_touch", path_first_touch,
	  "guest store to an untouched data page (Gunyah: lent, on demand; KVM: anon 4K)",
	  "6 x (512 fresh pages - the same 512 again)" },
	{ "tlb_refill", path_tlb_refill,
	  "guest load from the next 4 KiB page of 4096 mapped ones, TLB emptied by the guest before each pass, per load",
	  "7 x (16 x 4096 loads - 0 loads)" },
	{ "launch", path_launch,
	  "VM create -> first guest exit, 16 MiB guest (2 MiB image, 14 MiB on demand)",
	  "5 VMs" },
	{ "teardown_close", path_teardown_close,
	  "close() of the vCPU, VM and memory fds + munmap, 4096 data pages touched",
	  "3 VMs" },
	{ "teardown_memfree", path_teardown_memfree,
	  "teardown start -> MemFree + per-CPU free lists within 4 MiB of the level before the VM (1 ms polls)",
	  "3 VMs" },
	{ "teardown_scrub", path_teardown_scrub,
	  "of teardown_memfree, the time the hypervisor spent zeroing the VM's lent memory (image and data) before the host got it back",
	  "3 VMs" },
	{ "teardown_shared_close", path_teardown_shared_close,
	  "as teardown_close, the data shared with the host (Gunyah: shared binding, nothing to scrub; KVM: as before)",
	  "3 VMs" },
	{ "teardown_shared_memfree", path_teardown_shared_memfree,
	  "as teardown_memfree, for the VMs of teardown_shared_close", "3 VMs" },
	{ "host_getppid", path_host_getppid, "host getppid(), no VM", "7 x 20000 calls" },
	{ "host_anon_fault", path_host_anon_fault,
	  "host write fault on fresh anonymous memory (MADV_NOHUGEPAGE), per page",
	  "7 x 1024 pages" },
	{ "ioeventfd_write", path_ioeventfd_write,
	  "guest 8-byte MMIO write completed by an ioeventfd in the kernel, per write",
	  "7 x (200 writes - 0 writes)" },
	{ "linux_boot", path_linux_boot,
	  "VMM start (gunyah-vmm or kvm-vmm: one loader, device tree and PL011) -> the Linux guest's init in user space, 1 vCPU, 256 MiB, console=ttyAMA0 quiet",
	  "3 boots" },
	{ "linux_run", path_linux_run,
	  "as linux_boot, until the VMM exited: boot, power-off and teardown", "3 boots" },
	{ "irqfd_inject", path_irqfd_inject,
	  "eventfd write -> guest takes the SPI in WFI and reports (one MMIO write)",
	  "1050 signals, 7 batches of 150, batch medians" },
};

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	const char *nohyp = getenv("GH_NOHYP"), *only = argc > 1 ? argv[1] : NULL;
	struct ctx c = { .twin = nohyp && !strcmp(nohyp, "1") ? &kvm_twin : &gunyah_twin };

	setvbuf(stdout, NULL, _IOLBF, 0);
	c.image = load_whole(GUEST_BIN, &c.image_len);
	c.dtb = load_whole(GUEST_DTB, &c.dtb_len);
	c.side = c.twin->name;
	if (c.twin == &kvm_twin && !(getenv("GH_KVM") && !strcmp(getenv("GH_KVM"), "1")))
		c.side = "nohyp";
	c.twin_err = c.twin->open();
	if (!c.twin_err && (!c.image || !c.dtb || c.image_len > DTB_OFFSET))
		c.twin_err = -ENOENT;
	printf("# bench: side %s (%s), %s\n", c.side, c.twin->dev,
	       c.twin_err ? strerror(-c.twin_err) : c.twin->notes);
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
		const struct path *p = &paths[i];
		int64_t s[BATCHES];
		char why[200] = "";
		int n = 0;

		if ((only && !strstr(only, p->name)) ||
		    (!strcmp(c.side, "nohyp") && strncmp(p->name, "host_", 5)))
			continue;
		printf("@@BENCH-HOW %s %s; %s\n", p->name, p->how, p->batches);
		if (!p->fn) {
			printf("@@BENCH %s %s n/a no measurement written yet\n", c.side,
			       p->name);
			continue;
		}
		if (p->fn(&c, s, &n, why, sizeof(why)) || !n) {
			printf("@@BENCH %s %s n/a %s\n", c.side, p->name,
			       why[0] ? why : "no sample");
			continue;
		}
		qsort(s, n, sizeof(*s), cmp_i64);
		printf("@@BENCH %s %s %lld %d %lld %lld\n", c.side, p->name,
		       (long long)(n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2), n,
		       (long long)s[0], (long long)s[n - 1]);
	}
	if (c.vm_ok)
		c.twin->destroy(&c.vm);
	return 0;
}
