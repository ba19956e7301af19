// SPDX-License-Identifier: GPL-2.0-only
/*
 * Seeded, time-bounded fuzzer of the Gunyah UAPI.  Every ioctl goes to
 * every kind of fd (/dev/gunyah, VM, vCPU, guest memory, unrelated, closed)
 * with structured-random arguments: boundary values, wrapping and
 * unaligned sizes, bad user pointers (NULL, unmapped, kernel addresses,
 * read-only pages, structures straddling a guard page).  Alongside, real
 * VMs run the test guest on vCPU threads fed random guest commands, while
 * the main thread closes fds, removes vCPUs, punches guest memory and
 * forks children that use the inherited fds.
 *
 * The random work runs in sessions, one child process each, reaped
 * against a deadline: a child that crashes is fine (counted), one that
 * outlives its deadline is killed and is a failure, and so is a vCPU that
 * ignores immediate_exit and signals.  Afterwards the host invariants are
 * checked (fuzz_util.h).
 *
 *   ioctl_fuzz [--seconds N] [--seed S] [--no-lent-access]
 *   ioctl_fuzz --seed S --session K [--ops N] --verbose    replay session K
 *
 * Defaults come from GH_FUZZ_SECS, GH_FUZZ_SEED (else the time) and
 * GH_FUZZ_LENT (0: off).  The host's accesses to lent user memory (a
 * kernel read of lent pages through write(2), process_vm_readv, vmsplice,
 * O_DIRECT, fork), which once crashed the host, are part of the op set
 * unless --no-lent-access or GH_FUZZ_LENT=0 leaves them out.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <linux/falloc.h>

#include "fuzz_util.h"

#define NVM		3
#define NVCPU		2
#define NGMEM		3
#define LOG_N		256
#define LOG_W		128
#define SPIN_FLAG_OFF	0x1f0000
#define VM_MEM_SIZE	(2 * MiB)
#define BIND_LEND	0x90000000ULL
#define BIND_SHARE	0xa0000000ULL
#define BIND_RO		0xb0000000ULL

/* Counters and the op log, shared with the parent. */
struct fuzz_shm {
	atomic_ullong ioctls, ops, runs, mmio_exits, lent_ops;
	atomic_uint log_pos;
	atomic_int wedged;
	char log[LOG_N][LOG_W];
};

struct fvcpu {
	int fd;
	struct gunyah_vcpu_run *run;
	pthread_t thr;
	bool thr_on;
	atomic_bool stop;
	uint64_t rng;
	int vmi;
	int idx;
};

struct fvm {
	int fd;
	uint8_t *mem;		/* user memory region, or NULL */
	bool lend;		/* ... lent rather than shared */
	int gmem;		/* guest memory file with the bindings, or -1 */
	bool started;
	struct fvcpu vcpu[NVCPU];
};

struct sess {
	uint64_t rng;
	int dev;
	struct fvm vm[NVM];
	int gmem[NGMEM];
	int pipe[2], evfd, nullfd, closed_fd;
	uint8_t *anon;		/* 1 MiB of ordinary memory */
	uint8_t *rdonly;	/* a read-only page */
	uint8_t *guarded;	/* a page followed by an unmapped one */
	uint8_t *unmapped;
	uint64_t end_ms;
	unsigned int max_ops;
};

static struct fuzz_shm *shm;
static struct fuzz_opts opt;
static uint64_t freq;

static void note(const char *fmt, ...)
{
	unsigned int i = atomic_fetch_add(&shm->log_pos, 1) % LOG_N;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(shm->log[i], LOG_W, fmt, ap);
	va_end(ap);
	if (opt.verbose) {
		printf("#   %s\n", shm->log[i]);
		fflush(stdout);
	}
}

static void dump_log(unsigned int last)
{
	unsigned int end = atomic_load(&shm->log_pos);
	unsigned int start = end > last ? end - last : 0;

	if (end - start > LOG_N)
		start = end - LOG_N;
	for (unsigned int i = start; i < end; i++)
		tap_diag("  op %u: %s", i, shm->log[i % LOG_N]);
}

static long fz_ioctl(int fd, unsigned long req, unsigned long arg)
{
	long r;

	atomic_fetch_add(&shm->ioctls, 1);
	r = ioctl(fd, req, arg);
	return r < 0 ? -errno : r;
}

static uint64_t pick_addr(uint64_t *rng)
{
	static const uint64_t v[] = {
		0, 1, PAGE - 1, PAGE, GUEST_MEM_BASE, GUEST_MEM_BASE + GUEST_DTB_OFF, BIND_LEND,
		BIND_SHARE, BIND_RO, GUEST_UART_DR, 1ULL << 63, ~0ULL, ~0ULL - PAGE + 1,
		1ULL << 48, 1ULL << 40, GUEST_MEM_BASE - PAGE,
	};

	switch (rnd_below(rng, 4)) {
	case 0:
		return v[rnd_below(rng, ARRAY_SIZE(v))];
	case 1:
		return GUEST_MEM_BASE + rnd_below(rng, 4 * MiB / PAGE) * PAGE;
	case 2:
		return rnd_next(rng) & ~(PAGE - 1) & ((1ULL << 40) - 1);
	default:
		return rnd_next(rng);
	}
}

static uint64_t pick_size(uint64_t *rng)
{
	static const uint64_t v[] = {
		0, 1, PAGE - 1, PAGE, PAGE + 1, 64 * 1024, MiB, 2 * MiB, 1ULL << 63, ~0ULL,
		~0ULL - PAGE + 1, -GUEST_MEM_BASE, 1ULL << 32,
	};

	switch (rnd_below(rng, 3)) {
	case 0:
		return v[rnd_below(rng, ARRAY_SIZE(v))];
	case 1:
		return (1 + rnd_below(rng, 16 * MiB / PAGE)) * PAGE;
	default:
		return rnd_next(rng) >> rnd_below(rng, 64);
	}
}

static const int odd_fds[] = { -1, 1000, 1 << 20, 0, 1, 2 };
static const uint32_t fn_types[] = { 1, 1, 2, 3, 0, 4, 0x7e57 };
static const uint32_t ioev_lens[] = { 0, 1, 2, 4, 8, 3, 16 };
static const int falloc_modes[] = {
	FALLOC_FL_KEEP_SIZE, FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE, 0, FALLOC_FL_ZERO_RANGE,
};

/* Any fd the session knows, of any type, or a bad one. */
static int pick_fd(struct sess *s)
{
	struct fvm *vm = &s->vm[rnd_below(&s->rng, NVM)];

	switch (rnd_below(&s->rng, 12)) {
	case 0:
		return s->dev;
	case 1:
	case 2:
		return vm->fd;
	case 3:
	case 4:
		return vm->vcpu[rnd_below(&s->rng, NVCPU)].fd;
	case 5:
	case 6:
		return s->gmem[rnd_below(&s->rng, NGMEM)];
	case 7:
		return s->pipe[rnd_below(&s->rng, 2)];
	case 8:
		return s->evfd;
	case 9:
		return s->nullfd;
	case 10:
		return s->closed_fd;
	default:
		return odd_fds[rnd_below(&s->rng, ARRAY_SIZE(odd_fds))];
	}
}

/* A user pointer the kernel must refuse, or at least survive. */
static uint64_t bad_ptr(struct sess *s)
{
	switch (rnd_below(&s->rng, 9)) {
	case 0:
		return 0;
	case 1:
		return 8;
	case 2:
		return (uintptr_t)s->unmapped;
	case 3:
		return 0xffff000000001000ULL;
	case 4:
		return 0xffff800080000000ULL;
	case 5:
		return ~0ULL - 7;
	case 6:
		return (uintptr_t)s->rdonly;
	case 7:
		/* The structure runs into the unmapped page after this one. */
		return (uintptr_t)s->guarded + PAGE - 1 - rnd_below(&s->rng, 16);
	default:
		return rnd_next(&s->rng);
	}
}

static const struct {
	unsigned long req;
	const char *name;
} reqs[] = {
	{ GUNYAH_CREATE_VM, "CREATE_VM" },
	{ GUNYAH_CREATE_GUEST_MEM, "CREATE_GUEST_MEM" },
	{ GUNYAH_VM_SET_DTB_CONFIG, "SET_DTB_CONFIG" },
	{ GUNYAH_VM_START, "VM_START" },
	{ GUNYAH_VM_ADD_FUNCTION, "ADD_FUNCTION" },
	{ GUNYAH_VM_REMOVE_FUNCTION, "REMOVE_FUNCTION" },
	{ GUNYAH_VM_MAP_MEM, "MAP_MEM" },
	{ GUNYAH_VM_SET_BOOT_CONTEXT, "SET_BOOT_CONTEXT" },
	{ GUNYAH_VCPU_RUN, "VCPU_RUN" },
	{ GUNYAH_VCPU_MMAP_SIZE, "VCPU_MMAP_SIZE" },
	{ GH_VM_SET_USER_MEM_REGION, "SET_USER_MEM_REGION" },
	{ GH_VM_ANDROID_LEND_USER_MEM, "LEND_USER_MEM" },
	{ GH_VM_ANDROID_SET_FW_CONFIG, "SET_FW_CONFIG" },
};

/* A user address to back a memory region with; lent memory unless --no-lent-access. */
static uint64_t pick_uaddr(struct sess *s)
{
	struct fvm *vm = &s->vm[rnd_below(&s->rng, NVM)];

	switch (rnd_below(&s->rng, 6)) {
	case 0:
	case 1:
		return (uintptr_t)s->anon + rnd_below(&s->rng, 4) * PAGE;
	case 2:
		if (vm->mem && (!vm->lend || opt.lent_access))
			return (uintptr_t)vm->mem;
		return (uintptr_t)s->anon;
	case 3:
		return (uintptr_t)s->anon + 1;
	default:
		return bad_ptr(s);
	}
}

/* Fill @buf with a random argument for @req; returns the ioctl's argument. */
static uint64_t make_arg(struct sess *s, unsigned long req, uint64_t *buf, uint64_t *fnarg)
{
	uint64_t *r = &s->rng;

	memset(buf, 0, 64);
	if (rnd_below(r, 6) == 0)
		return bad_ptr(s);
	switch (req) {
	case GUNYAH_CREATE_VM:
	case GUNYAH_VM_START:
	case GUNYAH_VCPU_RUN:
	case GUNYAH_VCPU_MMAP_SIZE:
		return rnd_below(r, 3) ? 0 : pick_addr(r);
	case GUNYAH_CREATE_GUEST_MEM: {
		struct gunyah_create_mem_args *a = (void *)buf;

		a->flags = rnd_below(r, 4) ? rnd_below(r, 4) : rnd_next(r);
		a->size = rnd_below(r, 2) ? (1 + rnd_below(r, 32)) * MiB : pick_size(r);
		if (!rnd_below(r, 8))
			a->reserved[rnd_below(r, 6)] = rnd_next(r);
		break;
	}
	case GUNYAH_VM_SET_DTB_CONFIG:
	case GH_VM_ANDROID_SET_FW_CONFIG: {
		struct gunyah_vm_dtb_config *a = (void *)buf;

		a->guest_phys_addr = pick_addr(r);
		a->size = pick_size(r);
		break;
	}
	case GUNYAH_VM_ADD_FUNCTION:
	case GUNYAH_VM_REMOVE_FUNCTION: {
		static const uint32_t sizes[] = { 0, 1, 4, 8, 16, 24, 32, 256, 257, ~0U };
		struct gunyah_fn_desc *d = (void *)buf;

		d->type = fn_types[rnd_below(r, ARRAY_SIZE(fn_types))];
		if (!rnd_below(r, 10))
			d->type = rnd_next(r);
		switch (d->type) {
		case GUNYAH_FN_VCPU:
			d->arg_size = sizeof(struct gunyah_fn_vcpu_arg);
			fnarg[0] = rnd_below(r, 4) ? rnd_below(r, 3) : rnd_next(r);
			break;
		case GUNYAH_FN_IRQFD: {
			struct gunyah_fn_irqfd_arg *a = (void *)fnarg;

			d->arg_size = sizeof(*a);
			a->fd = rnd_below(r, 2) ? s->evfd : pick_fd(s);
			a->label = rnd_below(r, 3) ? rnd_below(r, 20) : rnd_next(r);
			a->flags = rnd_below(r, 3) ? rnd_below(r, 2) : rnd_next(r);
			a->padding = rnd_below(r, 8) ? 0 : 1;
			break;
		}
		default: {
			struct gunyah_fn_ioeventfd_arg *a = (void *)fnarg;

			d->arg_size = sizeof(*a);
			a->datamatch = rnd_next(r);
			a->addr = rnd_below(r, 2) ? GUEST_REG_DATA : pick_addr(r);
			a->len = ioev_lens[rnd_below(r, ARRAY_SIZE(ioev_lens))];
			a->fd = rnd_below(r, 2) ? s->evfd : pick_fd(s);
			a->flags = rnd_below(r, 3) ? rnd_below(r, 2) : rnd_next(r);
			break;
		}
		}
		if (!rnd_below(r, 5))
			d->arg_size = sizes[rnd_below(r, ARRAY_SIZE(sizes))];
		d->arg = rnd_below(r, 6) ? (uintptr_t)fnarg : bad_ptr(s);
		break;
	}
	case GUNYAH_VM_MAP_MEM: {
		struct gunyah_map_mem_args *a = (void *)buf;

		a->guest_addr = rnd_below(r, 2) ? BIND_LEND + rnd_below(r, 8) * MiB : pick_addr(r);
		a->flags = rnd_below(r, 8) | (rnd_below(r, 8) << 4);
		if (!rnd_below(r, 4))
			a->flags |= GUNYAH_MEM_UNMAP;
		if (!rnd_below(r, 10))
			a->flags = rnd_next(r);
		a->guest_mem_fd = rnd_below(r, 3) ? s->gmem[rnd_below(r, NGMEM)] : pick_fd(s);
		a->offset = rnd_below(r, 2) ? rnd_below(r, 8) * MiB : pick_size(r);
		a->size = rnd_below(r, 2) ? (1 + rnd_below(r, 4)) * MiB : pick_size(r);
		break;
	}
	case GUNYAH_VM_SET_BOOT_CONTEXT: {
		struct gunyah_vm_boot_context *a = (void *)buf;

		a->reg = GUNYAH_VM_BOOT_CONTEXT_REG(rnd_below(r, 4), rnd_below(r, 36));
		if (!rnd_below(r, 8))
			a->reg = rnd_next(r);
		a->reserved = rnd_below(r, 8) ? 0 : rnd_next(r);
		a->value = pick_addr(r);
		break;
	}
	default: {
		struct gh_userspace_memory_region *a = (void *)buf;

		a->label = rnd_below(r, 3) ? rnd_below(r, 4) : rnd_next(r);
		a->flags = rnd_below(r, 4) ? 1 + rnd_below(r, 7) : rnd_next(r);
		a->guest_phys_addr = rnd_below(r, 2) ? 0xc0000000ULL + rnd_below(r, 64) * MiB :
				     pick_addr(r);
		a->memory_size = rnd_below(r, 2) ? (1 + rnd_below(r, 4)) * PAGE : pick_size(r);
		a->userspace_addr = pick_uaddr(s);
		break;
	}
	}
	if (rnd_below(r, 12) == 0)
		return (uintptr_t)buf + 1;	/* unaligned */
	return (uintptr_t)buf;
}

static void track_new_fd(struct sess *s, long fd, unsigned long req, int vmfd)
{
	if (fd <= 2)
		return;
	if (req == GUNYAH_CREATE_GUEST_MEM) {
		int i = rnd_below(&s->rng, NGMEM);

		close(s->gmem[i]);
		s->gmem[i] = fd;
		return;
	}
	if (req == GUNYAH_CREATE_VM) {
		struct fvm *vm = &s->vm[rnd_below(&s->rng, NVM)];

		/* A VM with running vCPUs keeps its slot; the new fd goes. */
		for (int i = 0; i < NVCPU; i++) {
			if (vm->vcpu[i].thr_on) {
				close(fd);
				return;
			}
		}
		close(vm->fd);
		vm->fd = fd;
		vm->started = false;
		return;
	}
	if (req == GUNYAH_VM_ADD_FUNCTION) {
		for (int v = 0; v < NVM; v++) {
			for (int i = 0; i < NVCPU && s->vm[v].fd == vmfd; i++) {
				struct fvcpu *c = &s->vm[v].vcpu[i];

				if (c->thr_on || c->fd > 2)
					continue;
				c->fd = fd;
				return;
			}
		}
	}
	close(fd);
}

/* One ioctl with a random request, fd and argument. */
static void op_ioctl(struct sess *s)
{
	uint64_t buf[8], fnarg[8] = { 0 }, arg;
	unsigned long req;
	const char *name;
	int fd = pick_fd(s);
	long r;

	if (rnd_below(&s->rng, 10)) {
		int i = rnd_below(&s->rng, ARRAY_SIZE(reqs));

		req = reqs[i].req;
		name = reqs[i].name;
	} else {
		/* A near miss: another size, an unknown number, another type. */
		req = reqs[rnd_below(&s->rng, ARRAY_SIZE(reqs))].req;
		switch (rnd_below(&s->rng, 3)) {
		case 0:
			req ^= (unsigned long)(1 + rnd_below(&s->rng, 63)) << _IOC_SIZESHIFT;
			break;
		case 1:
			req = _IO('G', 0x0b + rnd_below(&s->rng, 0xf0));
			break;
		default:
			req = (uint32_t)rnd_next(&s->rng);
			break;
		}
		name = "odd";
	}
	/* VCPU_RUN here blocks at most until the alarm. */
	if (req == GUNYAH_VCPU_RUN)
		setitimer(ITIMER_REAL, &(struct itimerval){ .it_value.tv_usec = 100000 }, NULL);
	arg = make_arg(s, req, buf, fnarg);
	note("ioctl(%d, %s %#lx, %#llx [%llx %llx %llx %llx] fnarg [%llx %llx %llx])", fd, name,
	     req, (unsigned long long)arg, (unsigned long long)buf[0], (unsigned long long)buf[1],
	     (unsigned long long)buf[2], (unsigned long long)buf[3],
	     (unsigned long long)fnarg[0], (unsigned long long)fnarg[1],
	     (unsigned long long)fnarg[2]);
	r = fz_ioctl(fd, req, arg);
	if (req == GUNYAH_VCPU_RUN)
		setitimer(ITIMER_REAL, &(struct itimerval){ 0 }, NULL);
	if (opt.verbose)
		note("  = %ld", r);
	if (r > 2 && (req == GUNYAH_CREATE_VM || req == GUNYAH_CREATE_GUEST_MEM ||
		      req == GUNYAH_VM_ADD_FUNCTION))
		track_new_fd(s, r, req, fd);
}

/* What the vCPU thread gives the guest to do next. */
static void guest_command(struct fvcpu *c, uint64_t *cmd, uint64_t *arg)
{
	uint64_t *r = &c->rng, off = rnd_below(r, 2 * MiB / PAGE) * PAGE + rnd_below(r, 512) * 8;
	static const uint64_t bases[] = {
		GUEST_MEM_BASE + MiB, BIND_LEND, BIND_SHARE, BIND_RO, 0xc0000000ULL, 0x40000000ULL,
	};

	*arg = 0;
	switch (rnd_below(r, 16)) {
	case 0:
	case 1:
	case 2:
		*cmd = CMD_STORE;
		*arg = bases[rnd_below(r, ARRAY_SIZE(bases))] + (off & (MiB - 1));
		break;
	case 3:
	case 4:
		*cmd = CMD_LOAD;
		*arg = rnd_below(r, 4) ? bases[rnd_below(r, ARRAY_SIZE(bases))] + off :
		       pick_addr(r) & ~7ULL;
		break;
	case 5:
		*cmd = CMD_WFI_TIMER;
		*arg = rnd_below(r, 8) ? freq / (50 + rnd_below(r, 1000)) : rnd_next(r) >> 20;
		break;
	case 6:
		*cmd = CMD_SPIN;
		*arg = GUEST_MEM_BASE + SPIN_FLAG_OFF;
		break;
	case 7:
		*cmd = CMD_CPU_ON;
		*arg = rnd_below(r, 4) ? 1 : rnd_next(r);
		break;
	case 8:
	case 9:
		*cmd = (rnd_below(r, 2) ? CMD_WRITE : CMD_READ + rnd_below(r, 3)) |
		       (1 << rnd_below(r, 4)) << 8;
		*arg = rnd_next(r);
		break;
	case 10:
		*cmd = CMD_NO_SYNDROME;
		break;
	case 11:
		*cmd = CMD_BENCH;
		*arg = rnd_below(r, 20);
		break;
	case 12:
		*cmd = CMD_PUTS;
		*arg = rnd_below(r, 8);
		break;
	case 13:
		*cmd = rnd_below(r, 2) ? CMD_SYSTEM_RESET : CMD_SYSTEM_OFF;
		if (rnd_below(r, 3))
			*cmd = CMD_LOAD, *arg = GUEST_MEM_BASE + MiB;
		break;
	default:
		*cmd = rnd_below(r, 2) ? rnd_below(r, 32) : rnd_next(r);
		*arg = pick_addr(r);
		break;
	}
}

static void on_signal(int sig)
{
	(void)sig;
}

/* A VMM's vCPU loop, with random guest commands and random answers. */
static void *vcpu_thread(void *p)
{
	struct fvcpu *c = p;
	uint64_t cmd = 0, arg = 0;
	int errors = 0;

	while (!atomic_load(&c->stop)) {
		struct gunyah_vcpu_run *run = c->run;
		long r;

		atomic_fetch_add(&shm->runs, 1);
		r = fz_ioctl(c->fd, GUNYAH_VCPU_RUN, 0);
		if (r == -EINTR)
			continue;
		if (r < 0) {
			if (++errors > 20)
				break;
			usleep(1000);
			continue;
		}
		if (run->exit_reason == GUNYAH_VCPU_EXIT_STATUS)
			break;
		if (run->exit_reason == GUNYAH_VCPU_EXIT_PAGE_FAULT) {
			run->page_fault.resume_action = rnd_below(&c->rng, 4);
			continue;
		}
		if (run->exit_reason != GUNYAH_VCPU_EXIT_MMIO)
			continue;
		atomic_fetch_add(&shm->mmio_exits, 1);
		if (!run->mmio.is_write) {
			uint64_t v = rnd_next(&c->rng);

			if (run->mmio.phys_addr == GUEST_REG_CMD) {
				guest_command(c, &cmd, &arg);
				v = cmd;
				note("vm%d.vcpu%d: guest command %#llx arg %#llx", c->vmi, c->idx,
				     (unsigned long long)cmd, (unsigned long long)arg);
			} else if (run->mmio.phys_addr == GUEST_REG_ARG) {
				v = arg;
			}
			memcpy(run->mmio.data, &v, sizeof(v));
		}
		if (!rnd_below(&c->rng, 16))
			run->mmio.resume_action = rnd_below(&c->rng, 3) ? rnd_below(&c->rng, 3) :
						  rnd_next(&c->rng);
	}
	return NULL;
}

static void start_vcpu_thread(struct sess *s, struct fvm *vm, int i)
{
	struct fvcpu *c = &vm->vcpu[i];

	if (c->thr_on || c->fd <= 2)
		return;
	if (!c->run) {
		c->run = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, 0);
		if (c->run == MAP_FAILED) {
			c->run = NULL;
			return;
		}
	}
	c->rng = rnd_next(&s->rng);
	c->vmi = vm - s->vm;
	c->idx = i;
	atomic_store(&c->stop, false);
	note("vm%d: vCPU %d thread runs", (int)(vm - s->vm), i);
	c->thr_on = !pthread_create(&c->thr, NULL, vcpu_thread, c);
}

/* Stop a vCPU thread; a RUN that ignores immediate_exit and signals is a wedge. */
static void stop_vcpu_thread(struct sess *s, struct fvm *vm, int i)
{
	struct fvcpu *c = &vm->vcpu[i];
	struct timespec ts;
	int r = 0;

	if (!c->thr_on)
		return;
	atomic_store(&c->stop, true);
	c->run->immediate_exit = 1;
	for (int t = 0; t < 300; t++) {
		pthread_kill(c->thr, SIGUSR1);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 100000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		r = pthread_timedjoin_np(c->thr, NULL, &ts);
		if (r != ETIMEDOUT)
			break;
		if (t == 50) {
			note("WEDGE: vm%d vCPU %d still in RUN 5 s after immediate_exit + SIGUSR1",
			     (int)(vm - s->vm), i);
			atomic_fetch_add(&shm->wedged, 1);
		}
	}
	if (r == ETIMEDOUT) {
		/* Let the lockup detectors see it; the parent kills us. */
		pause();
	}
	c->thr_on = false;
	c->run->immediate_exit = 0;
}

static void vm_release(struct sess *s, struct fvm *vm)
{
	for (int i = 0; i < NVCPU; i++)
		stop_vcpu_thread(s, vm, i);
	for (int i = 0; i < NVCPU; i++) {
		if (vm->vcpu[i].run)
			munmap(vm->vcpu[i].run, PAGE);
		if (vm->vcpu[i].fd > 2)
			close(vm->vcpu[i].fd);
		vm->vcpu[i].run = NULL;
		vm->vcpu[i].fd = -1;
	}
	if (vm->fd > 2)
		close(vm->fd);
	if (vm->mem)
		munmap(vm->mem, VM_MEM_SIZE);
	if (vm->gmem >= 0)
		close(vm->gmem);
	vm->fd = -1;
	vm->gmem = -1;
	vm->mem = NULL;
	vm->started = false;
}

static int map_gmem(int vm, int fd, uint64_t gpa, uint64_t off, uint64_t size, uint32_t flags)
{
	struct gunyah_map_mem_args a = {
		.guest_addr = gpa, .flags = flags, .guest_mem_fd = fd, .offset = off, .size = size,
	};

	return (int)fz_ioctl(vm, GUNYAH_VM_MAP_MEM, (uintptr_t)&a);
}

/* A well-formed VM with the test guest, in one of several memory layouts. */
static void op_build_vm(struct sess *s)
{
	struct fvm *vm = &s->vm[rnd_below(&s->rng, NVM)];
	struct gunyah_vm_dtb_config cfg = { .guest_phys_addr = GUEST_MEM_BASE + GUEST_DTB_OFF };
	uint64_t *r = &s->rng;
	int kind = rnd_below(r, 4), nvcpu = 1 + rnd_below(r, 2), ret = 0;
	const uint32_t rwx = GUNYAH_MEM_ALLOW_RWX;
	uint8_t *img;

	vm_release(s, vm);
	vm->fd = fz_ioctl(s->dev, GUNYAH_CREATE_VM, 0);
	if (vm->fd < 0)
		return;
	vm->lend = kind == 1 || (kind == 3 && rnd_below(r, 2));
	if (kind != 2) {
		/* Anonymous user memory, shared or lent. */
		img = mmap(NULL, VM_MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			   -1, 0);
		if (img == MAP_FAILED)
			return;
		vm->mem = img;
		/*
		 * Lent memory stays out of fork and core dumps.  Without
		 * lent-memory accesses, shared memory too: a random ioctl may lend it
		 * to another VM.
		 */
		if (vm->lend || !opt.lent_access) {
			madvise(img, VM_MEM_SIZE, MADV_DONTFORK);
			madvise(img, VM_MEM_SIZE, MADV_DONTDUMP);
		}
		load_file(DTB_DIR "test-guest.bin", img, GUEST_IMAGE_MAX);
		cfg.size = load_file(DTB_DIR "guest-2cpu.dtb", img + GUEST_DTB_OFF, 0x10000);
		atomic_fetch_add(&shm->ioctls, 1);
		ret = vm_add_region(vm->fd, 0, GUEST_MEM_BASE, img, VM_MEM_SIZE,
				    GH_MEM_ALLOW_READ | GH_MEM_ALLOW_WRITE | GH_MEM_ALLOW_EXEC,
				    vm->lend);
	}
	if (kind >= 2) {
		/* Guest memory: the image (for kind 2) and demand-paged bindings. */
		struct gunyah_create_mem_args a = { .size = 8 * MiB };

		vm->gmem = fz_ioctl(s->dev, GUNYAH_CREATE_GUEST_MEM, (uintptr_t)&a);
		if (vm->gmem < 0)
			return;
		if (kind == 2) {
			img = mmap(NULL, VM_MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, vm->gmem,
				   0);
			if (img == MAP_FAILED)
				return;
			load_file(DTB_DIR "test-guest.bin", img, GUEST_IMAGE_MAX);
			cfg.size = load_file(DTB_DIR "guest-2cpu.dtb", img + GUEST_DTB_OFF,
					     0x10000);
			munmap(img, VM_MEM_SIZE);
			ret = map_gmem(vm->fd, vm->gmem, GUEST_MEM_BASE, 0, VM_MEM_SIZE,
				       rwx | (rnd_below(r, 2) ? GUNYAH_MEM_FORCE_LEND :
					      GUNYAH_MEM_FORCE_SHARE));
		}
		map_gmem(vm->fd, vm->gmem, BIND_LEND, 2 * MiB, 2 * MiB,
			 rwx | GUNYAH_MEM_FORCE_LEND);
		map_gmem(vm->fd, vm->gmem, BIND_SHARE, 4 * MiB, 2 * MiB,
			 rwx | GUNYAH_MEM_FORCE_SHARE);
		map_gmem(vm->fd, vm->gmem, BIND_RO, 6 * MiB, 2 * MiB,
			 GUNYAH_MEM_ALLOW_READ | (rnd_below(r, 2) ? GUNYAH_MEM_FORCE_LEND :
						  GUNYAH_MEM_FORCE_SHARE));
	}
	if (!ret)
		ret = fz_ioctl(vm->fd, GUNYAH_VM_SET_DTB_CONFIG, (uintptr_t)&cfg);
	for (int i = 0; i < nvcpu; i++) {
		struct gunyah_fn_vcpu_arg varg = { .id = i };
		struct gunyah_fn_desc fn = {
			.type = GUNYAH_FN_VCPU, .arg_size = sizeof(varg), .arg = (uintptr_t)&varg,
		};

		vm->vcpu[i].fd = fz_ioctl(vm->fd, GUNYAH_VM_ADD_FUNCTION, (uintptr_t)&fn);
	}
	if (!rnd_below(r, 8)) {
		struct gunyah_vm_boot_context ctx = {
			.reg = GUNYAH_VM_BOOT_CONTEXT_REG(rnd_below(r, 3), rnd_below(r, 3)),
			.value = rnd_below(r, 2) ? GUEST_MEM_BASE + rnd_below(r, 64) * 4 :
				 pick_addr(r),
		};

		note("vm%d: boot context reg %#x = %#llx", (int)(vm - s->vm), ctx.reg,
		     (unsigned long long)ctx.value);
		fz_ioctl(vm->fd, GUNYAH_VM_SET_BOOT_CONTEXT, (uintptr_t)&ctx);
	}
	note("vm%d: built fd %d kind %d (%s) %d vCPUs, setup %d", (int)(vm - s->vm), vm->fd, kind,
	     vm->lend ? "lent" : "shared", nvcpu, ret);
	if (ret || rnd_below(r, 5) == 0)
		return;
	ret = fz_ioctl(vm->fd, GUNYAH_VM_START, 0);
	note("vm%d: VM_START = %d", (int)(vm - s->vm), ret);
	vm->started = !ret;
	if (vm->started && rnd_below(r, 4))
		for (int i = 0; i < nvcpu; i++)
			start_vcpu_thread(s, vm, i);
}

/* Pull things away from under running vCPUs. */
static void op_yank(struct sess *s)
{
	struct fvm *vm = &s->vm[rnd_below(&s->rng, NVM)];
	int i = rnd_below(&s->rng, NVCPU), vmi = vm - s->vm;
	struct gunyah_fn_vcpu_arg varg = { .id = i };
	struct gunyah_fn_desc fn = {
		.type = GUNYAH_FN_VCPU, .arg_size = sizeof(varg), .arg = (uintptr_t)&varg,
	};

	switch (rnd_below(&s->rng, 5)) {
	case 0:
		note("vm%d: REMOVE_FUNCTION vCPU %d (thread %d) = %ld", vmi, i,
		     vm->vcpu[i].thr_on, fz_ioctl(vm->fd, GUNYAH_VM_REMOVE_FUNCTION,
						  (uintptr_t)&fn));
		break;
	case 1:
		/* The thread keeps using the number, which may be reused. */
		note("vm%d: close vCPU %d fd %d (thread %d)", vmi, i, vm->vcpu[i].fd,
		     vm->vcpu[i].thr_on);
		if (vm->vcpu[i].fd > 2)
			close(vm->vcpu[i].fd);
		if (!vm->vcpu[i].thr_on)
			vm->vcpu[i].fd = -1;
		break;
	case 2:
		note("vm%d: close VM fd %d", vmi, vm->fd);
		if (vm->fd > 2)
			close(vm->fd);
		vm->fd = -1;
		break;
	case 3:
		note("vm%d: release everything", vmi);
		vm_release(s, vm);
		break;
	default:
		if (vm->mem && !vm->lend) {
			note("vm%d: set the spin flag", vmi);
			__atomic_store_n((uint64_t *)(vm->mem + SPIN_FLAG_OFF), 1,
					 __ATOMIC_RELAXED);
		} else if (vm->mem) {
			note("vm%d: munmap lent memory", vmi);
			munmap(vm->mem, VM_MEM_SIZE);
			vm->mem = NULL;
		}
		break;
	}
}

static void op_gmem(struct sess *s)
{
	int fd = rnd_below(&s->rng, 2) ? s->gmem[rnd_below(&s->rng, NGMEM)] :
		 s->vm[rnd_below(&s->rng, NVM)].gmem;
	uint64_t *r = &s->rng;
	off_t off = (off_t)(rnd_below(r, 2) ? rnd_below(r, 16 * MiB / PAGE) * PAGE : pick_size(r));
	off_t len = (off_t)(rnd_below(r, 2) ? (1 + rnd_below(r, 8)) * PAGE : pick_size(r));
	int mode = falloc_modes[rnd_below(r, ARRAY_SIZE(falloc_modes))];
	uint8_t *p;
	int ret;

	if (len > (off_t)(64 * MiB) || len < 0)
		len = 64 * MiB;		/* no more than that allocated at once */
	switch (rnd_below(r, 4)) {
	case 0:
		ret = fallocate(fd, mode, off, len) ? -errno : 0;
		note("fallocate(%d, %#x, %#llx, %#llx) = %d", fd, mode, (unsigned long long)off,
		     (unsigned long long)len, ret);
		break;
	case 1:
		ret = ftruncate(fd, rnd_below(r, 4) ? rnd_below(r, 32) * MiB : pick_size(r)) ?
		      -errno : 0;
		note("ftruncate(%d) = %d", fd, ret);
		break;
	default:
		/* Touch it from the host: lent pages must give SIGBUS, not a crash. */
		p = mmap(NULL, 8 * MiB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		note("mmap gmem %d = %p", fd, p);
		if (p == MAP_FAILED)
			break;
		if (rnd_below(r, 2))
			read_gets_sigbus(p + rnd_below(r, 8 * MiB / PAGE) * PAGE);
		munmap(p, 8 * MiB);
		break;
	}
}

/* A child using the inherited fds, including the VM's and vCPUs'. */
static void op_fork(struct sess *s)
{
	uint64_t seed = rnd_next(&s->rng);
	bool hung, stuck;
	pid_t pid;

	note("fork (child seed %#llx)", (unsigned long long)seed);
	pid = fork();
	if (pid == 0) {
		s->rng = seed;
		for (int i = 0; i < 30; i++)
			op_ioctl(s);
		_exit(0);
	}
	if (pid > 0)
		reap(pid, now_ms() + 5000, &hung, &stuck);
}

/* Kernel accesses to lent user memory (unless --no-lent-access). */
static void op_lent(struct sess *s)
{
	struct fvm *vm = &s->vm[rnd_below(&s->rng, NVM)];
	uint8_t buf[PAGE], *p;
	ssize_t n = 0;
	int fd;

	if (!vm->mem || !vm->lend || !vm->started)
		return;
	atomic_fetch_add(&shm->lent_ops, 1);
	p = vm->mem + rnd_below(&s->rng, VM_MEM_SIZE / PAGE) * PAGE;
	switch (rnd_below(&s->rng, 5)) {
	case 0:
		n = write(s->pipe[1], p, 64);
		note("LENT: write(pipe, lent %p, 64) = %zd", p, n);
		break;
	case 1: {
		struct iovec l = { buf, 64 }, rmt = { p, 64 };

		n = process_vm_readv(getpid(), &l, 1, &rmt, 1, 0);
		note("LENT: process_vm_readv(self, lent %p) = %zd", p, n);
		break;
	}
	case 2: {
		struct iovec v = { p, PAGE };

		n = vmsplice(s->pipe[1], &v, 1, SPLICE_F_NONBLOCK);
		note("LENT: vmsplice(pipe, lent %p) = %zd", p, n);
		break;
	}
	case 3:
		fd = open("/tmp/ioctl_fuzz.odirect", O_CREAT | O_RDWR | O_DIRECT | O_CLOEXEC, 0600);
		if (fd >= 0) {
			n = write(fd, p, PAGE);
			close(fd);
		}
		note("LENT: O_DIRECT write from lent %p = %zd", p, n);
		break;
	default:
		madvise(vm->mem, VM_MEM_SIZE, MADV_DOFORK);
		note("LENT: fork with lent memory mapped");
		if (fork() == 0)
			_exit(0);
		wait(NULL);
		madvise(vm->mem, VM_MEM_SIZE, MADV_DONTFORK);
		break;
	}
	while (read(s->pipe[0], buf, sizeof(buf)) > 0)
		;
}

static void op_misc(struct sess *s)
{
	struct fvm *vm = &s->vm[rnd_below(&s->rng, NVM)];
	struct fvcpu *c = &vm->vcpu[rnd_below(&s->rng, NVCPU)];
	void *p;

	switch (rnd_below(&s->rng, 4)) {
	case 0:
		/* The run page with odd sizes, offsets and flags. */
		p = mmap(NULL, rnd_below(&s->rng, 2) ? PAGE : pick_size(&s->rng) & 0xffffff,
			 PROT_READ | (rnd_below(&s->rng, 2) ? PROT_WRITE : 0),
			 rnd_below(&s->rng, 3) ? MAP_SHARED : MAP_PRIVATE, pick_fd(s),
			 rnd_below(&s->rng, 3) ? 0 : pick_size(&s->rng) & ~(PAGE - 1));
		note("mmap of a random fd = %p", p);
		if (p != MAP_FAILED)
			munmap(p, PAGE);
		break;
	case 1:
		/* Put something else on a VM or vCPU fd number. */
		if (c->fd > 2 && !c->thr_on) {
			note("dup2(pipe, vCPU fd %d)", c->fd);
			dup2(s->pipe[0], c->fd);
		} else if (vm->fd > 2) {
			note("dup2(eventfd, VM fd %d)", vm->fd);
			dup2(s->evfd, vm->fd);
		}
		break;
	case 2:
		if (vm->started)
			for (int i = 0; i < NVCPU; i++)
				start_vcpu_thread(s, vm, i);
		break;
	default:
		if (c->thr_on) {
			note("kick a vCPU thread");
			pthread_kill(c->thr, SIGUSR1);
		}
		usleep(rnd_below(&s->rng, 20000));
		break;
	}
}

static void session_setup(struct sess *s)
{
	struct gunyah_create_mem_args a = { .size = 16 * MiB };

	s->dev = gh_open();
	for (int v = 0; v < NVM; v++) {
		s->vm[v].fd = -1;
		s->vm[v].gmem = -1;
		for (int i = 0; i < NVCPU; i++)
			s->vm[v].vcpu[i].fd = -1;
	}
	for (int i = 0; i < NGMEM; i++)
		s->gmem[i] = ioctl(s->dev, GUNYAH_CREATE_GUEST_MEM, &a);
	if (pipe2(s->pipe, O_NONBLOCK | O_CLOEXEC)) {
		s->pipe[0] = -1;
		s->pipe[1] = -1;
	}
	s->evfd = eventfd(0, EFD_CLOEXEC);
	s->nullfd = open("/dev/null", O_RDWR | O_CLOEXEC);
	s->closed_fd = open("/dev/null", O_RDONLY);
	close(s->closed_fd);
	s->anon = mmap(NULL, MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(s->anon, 0x5a, MiB);
	/* A random ioctl may lend it: keep it out of fork unless asked to. */
	if (!opt.lent_access) {
		madvise(s->anon, MiB, MADV_DONTFORK);
		madvise(s->anon, MiB, MADV_DONTDUMP);
	}
	s->rdonly = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	s->guarded = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	munmap(s->guarded + PAGE, PAGE);
	s->unmapped = s->guarded + PAGE;
}

/* One session: random ops until its time or op count is up. */
static void session(uint64_t seed, uint64_t len_ms, unsigned int max_ops)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct sess s = { .rng = seed, .max_ops = max_ops };
	unsigned int ops = 0;
	sigset_t set;

	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* vCPU threads are stopped with SIGUSR1; only this thread takes SIGALRM. */
	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	session_setup(&s);
	s.end_ms = now_ms() + len_ms;
	while (now_ms() < s.end_ms && (!max_ops || ops < max_ops)) {
		unsigned int w = rnd_below(&s.rng, 100);

		pthread_sigmask(SIG_UNBLOCK, &set, NULL);
		ops++;
		atomic_fetch_add(&shm->ops, 1);
		if (w < 45)
			op_ioctl(&s);
		else if (w < 57)
			op_build_vm(&s);
		else if (w < 65)
			op_yank(&s);
		else if (w < 75)
			op_gmem(&s);
		else if (w < 78)
			op_fork(&s);
		else if (w < 85 && opt.lent_access)
			op_lent(&s);
		else
			op_misc(&s);
		pthread_sigmask(SIG_BLOCK, &set, NULL);
	}
	for (int v = 0; v < NVM; v++)
		vm_release(&s, &s.vm[v]);
	note("done after %u ops", ops);
}

int main(int argc, char **argv)
{
	unsigned long long sessions = 0, crashes = 0, hung = 0, stuck = 0, bad_sessions = 0;
	unsigned long long wedged = 0, last_progress = now_ms();
	struct klog_watch kw;
	struct fuzz_base base;
	uint64_t end, max_sess;
	int dev;

	fuzz_parse(argc, argv, &opt, true);
	tap_begin();
	tap_diag("seed=%#llx", (unsigned long long)opt.seed);
	tap_diag("seconds=%u lent-access=%d", opt.seconds, opt.lent_access);
	asm volatile("mrs %0, cntfrq_el0" : "=r"(freq));
	shm = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	dev = gh_open();
	if (!tap_check(dev >= 0 && shm != MAP_FAILED && !klog_watch_start(&kw),
		       "/dev/gunyah, shared memory and /dev/kmsg"))
		return tap_finish();
	fuzz_base_take(&base);

	/* Sessions of 0.3 s up to a quarter of the run (at most 12 s). */
	max_sess = opt.seconds * 1000ULL / 4;
	max_sess = max_sess < 1000 ? 1000 : max_sess > 12000 ? 12000 : max_sess;
	end = now_ms() + opt.seconds * 1000ULL;
	for (uint64_t k = 0; opt.session >= 0 ? k <= (uint64_t)opt.session : now_ms() < end; k++) {
		uint64_t seed = seed_mix(opt.seed, k), rng = seed, len, t0;
		bool h, st;
		char tag[64];
		int status;
		pid_t pid;

		len = 300 + rnd_below(&rng, max_sess);
		if (opt.session >= 0 && k != (uint64_t)opt.session)
			continue;
		if (opt.session < 0 && now_ms() + len > end + 2000)
			len = end + 2000 > now_ms() + 300 ? end + 2000 - now_ms() : 300;
		atomic_store(&shm->log_pos, 0);
		atomic_store(&shm->wedged, 0);
		t0 = now_ms();
		pid = fork();
		if (pid == 0) {
			fuzz_child_setup();
			session(rng, len, opt.max_ops);
			_exit(0);
		}
		if (pid < 0)
			break;
		status = reap(pid, t0 + len + 30000, &h, &st);
		sessions++;
		if (WIFSIGNALED(status) && !h)
			crashes++;
		hung += h;
		stuck += st;
		wedged += atomic_load(&shm->wedged) > 0;
		snprintf(tag, sizeof(tag), "session %llu (seed %#llx):", (unsigned long long)k,
			 (unsigned long long)opt.seed);
		if (klog_poll(&kw, tag, 8) || h || atomic_load(&shm->wedged)) {
			bool w = atomic_load(&shm->wedged);

			bad_sessions++;
			tap_diag("%s %s%s%s", tag, h ? "hung past its deadline, killed; " : "",
				 st ? "unkillable; " : "", w ? "a vCPU RUN wedged" : "kernel log");
			tap_diag("  replay: ioctl_fuzz --seed %#llx --session %llu --verbose",
				 (unsigned long long)opt.seed, (unsigned long long)k);
			if (bad_sessions <= 3)
				dump_log(60);
		}
		if (now_ms() - last_progress > 10000) {
			last_progress = now_ms();
			tap_diag("progress: %llu sessions, %llu ioctls, %llu crashes, %llu bad",
				 sessions, (unsigned long long)atomic_load(&shm->ioctls), crashes,
				 bad_sessions);
		}
		if (opt.verbose)
			tap_diag("session %llu: status %#x, %llu ms", (unsigned long long)k, status,
				 (unsigned long long)(now_ms() - t0));
	}
	tap_diag("iterations (sessions) %llu, ops %llu, ioctls executed %llu", sessions,
		 (unsigned long long)atomic_load(&shm->ops),
		 (unsigned long long)atomic_load(&shm->ioctls));
	tap_diag("VCPU_RUN in vCPU threads %llu, MMIO exits %llu, lent accesses %llu",
		 (unsigned long long)atomic_load(&shm->runs),
		 (unsigned long long)atomic_load(&shm->mmio_exits),
		 (unsigned long long)atomic_load(&shm->lent_ops));
	tap_diag("child crashes (fine) %llu, hung %llu, unkillable %llu", crashes, hung, stuck);
	tap_check(sessions > 0 && atomic_load(&shm->ioctls) > sessions,
		  "%llu sessions ran %llu ioctls", sessions,
		  (unsigned long long)atomic_load(&shm->ioctls));
	tap_check(hung == 0 && stuck == 0,
		  "no session outlived its deadline (%llu hung, %llu unkillable)", hung, stuck);
	tap_check(wedged == 0, "no vCPU RUN ignored immediate_exit and signals for 5 s (%llu)",
		  wedged);
	fuzz_check_invariants(dev, &kw, &base);
	close(dev);
	return tap_finish();
}
