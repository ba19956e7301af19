// SPDX-License-Identifier: GPL-2.0-only
/*
 * Random vCPU stress: a hostile VMM.  VMs of two vCPUs with the test guest
 * are run by two threads per vCPU at once (GUNYAH_VCPU_RUN on the same
 * file), which answer the guest's command reads with random commands
 * (MMIO of every size, accesses without a syndrome, WFI, spinning, PSCI,
 * stores anywhere, also into the guest's own code and vectors) and its
 * MMIO exits with random resume actions, set immediate_exit at random, while
 * a chaos thread signals them, releases or re-arms the spin, removes vCPUs
 * during RUN, forks, and some VMMs are killed with SIGKILL.
 *
 * The host must stay live: a heartbeat thread on each CPU measures how late
 * its 20 ms sleeps wake up (a CPU kept by the hypervisor or by a kernel loop
 * shows here), every VM must go away in bounded time, the kernel log must
 * stay free of lockups, stalls and warnings, and the hypervisor's counts
 * must come back.
 *
 *   vcpu_stress_test [SECONDS [SEED]]	(default 15 s, seed from the clock)
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "guest/guest_abi.h"
#include "gunyah_util.h"

#define MEM_SIZE	(1024 * 1024)
#define DTB_OFFSET	0x80000
#define SCRATCH		0xe0000		/* guest data the commands may scribble on */
#define SPIN_FLAG	0xf0000
#define NR_VCPUS	2
#define MAX_LATE_MS	3000
#define VM_END_MS	5000

struct svm {
	int fd;
	uint8_t *mem;
	int vcpu[NR_VCPUS];
	struct gunyah_vcpu_run *run[NR_VCPUS];
	pthread_t runner[NR_VCPUS][2];
	bool stop;
	uint64_t last_cmd[NR_VCPUS];
	unsigned int seed;
	unsigned long runs, exits, eintr, errs, status;
};

static int dev;
static uint64_t cntfrq;
static bool hb_stop;
static uint64_t hb_worst_ms[2];

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static unsigned int rnd(unsigned int *seed, unsigned int n)
{
	return n ? rand_r(seed) % n : 0;
}

static void pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* Wakes every 20 ms on its CPU and records the worst lateness. */
static void *heartbeat(void *arg)
{
	int cpu = (int)(long)arg;

	pin_to_cpu(cpu);
	while (!__atomic_load_n(&hb_stop, __ATOMIC_RELAXED)) {
		uint64_t t0 = now_ns(), late;

		usleep(20000);
		late = (now_ns() - t0) / 1000000;
		late = late > 20 ? late - 20 : 0;
		if (late > hb_worst_ms[cpu])
			hb_worst_ms[cpu] = late;
	}
	return NULL;
}

static void on_signal(int sig)
{
	(void)sig;
}

/* An address for STORE/LOAD: mostly scratch memory, sometimes anything. */
static uint64_t rnd_addr(unsigned int *seed)
{
	switch (rnd(seed, 40)) {
	case 0:		/* the guest's own code or vectors */
		return GUEST_MEM_BASE + (rnd(seed, 0x1000) & ~7ULL);
	case 1:		/* MMIO, no command register */
		return 0x8000 + 8 * rnd(seed, 64);
	case 2:		/* outside everything */
		return 0x100000000ULL + 8 * rnd(seed, 1 << 20);
	case 3:		/* the DTB */
		return GUEST_MEM_BASE + DTB_OFFSET + 8 * rnd(seed, 512);
	default:
		return GUEST_MEM_BASE + SCRATCH + 8 * rnd(seed, 1024);
	}
}

static uint64_t rnd_cmd(unsigned int *seed)
{
	unsigned int size = 1U << rnd(seed, 4);
	unsigned int r = rnd(seed, 100);

	if (r < 20)
		return CMD_WRITE | size << 8;
	if (r < 35)
		return CMD_READ | size << 8;
	if (r < 40)
		return CMD_READ_SIGNED | size << 8;
	if (r < 43)
		return CMD_READ_W_SIGNED | size << 8;
	if (r < 47)
		return CMD_NO_SYNDROME;
	if (r < 55)
		return CMD_WFI_TIMER;
	if (r < 62)
		return CMD_SPIN;
	if (r < 68)
		return CMD_CPU_ON;
	if (r < 69)
		return CMD_SYSTEM_OFF;
	if (r < 70)
		return CMD_SYSTEM_RESET;
	if (r < 76)
		return CMD_BENCH;
	if (r < 79)
		return CMD_PUTS;
	if (r < 88)
		return CMD_STORE;
	if (r < 97)
		return CMD_LOAD;
	return rnd(seed, 256);	/* unknown commands too */
}

static uint64_t rnd_arg(unsigned int *seed, uint64_t cmd)
{
	switch (cmd & 0xff) {
	case CMD_WFI_TIMER:
		return cntfrq / 1000 * rnd(seed, 30);
	case CMD_SPIN:
		return GUEST_MEM_BASE + SPIN_FLAG;
	case CMD_CPU_ON:
		return rnd(seed, NR_VCPUS + 1);
	case CMD_BENCH:
		return rnd(seed, 20);
	case CMD_PUTS:
		return rnd(seed, 4);
	case CMD_STORE:
	case CMD_LOAD:
		return rnd_addr(seed);
	default:
		return ((uint64_t)rand_r(seed) << 32) | rand_r(seed);
	}
}

/* Answer an MMIO exit like a VMM that means no good. */
static void answer_mmio(struct svm *vm, int i, struct gunyah_vcpu_run *run, unsigned int *seed)
{
	uint64_t v = ((uint64_t)rand_r(seed) << 32) | rand_r(seed);
	unsigned int r = rnd(seed, 100);

	if (!run->mmio.is_write) {
		if (run->mmio.phys_addr == GUEST_REG_CMD) {
			v = rnd_cmd(seed);
			vm->last_cmd[i] = v;
		} else if (run->mmio.phys_addr == GUEST_REG_ARG) {
			v = rnd_arg(seed, vm->last_cmd[i]);
		}
		memcpy(run->mmio.data, &v, sizeof(v));
	}
	if (r < 86)
		run->mmio.resume_action = GUNYAH_VCPU_RESUME_HANDLED;
	else if (r < 93)
		run->mmio.resume_action = GUNYAH_VCPU_RESUME_RETRY;
	else if (r < 99)
		run->mmio.resume_action = GUNYAH_VCPU_RESUME_FAULT;
	else
		run->mmio.resume_action = rnd(seed, 16);
}

struct runner_arg {
	struct svm *vm;
	int idx;
	int nr;
};

static void *runner(void *arg)
{
	struct runner_arg *a = arg;
	struct svm *vm = a->vm;
	struct gunyah_vcpu_run *run = vm->run[a->idx];
	unsigned int seed = vm->seed * 31 + a->idx * 2 + a->nr;

	while (!__atomic_load_n(&vm->stop, __ATOMIC_RELAXED)) {
		int r;

		if (!rnd(&seed, 50))
			run->immediate_exit = 1;
		r = ioctl(vm->vcpu[a->idx], GUNYAH_VCPU_RUN, 0);
		__atomic_fetch_add(&vm->runs, 1, __ATOMIC_RELAXED);
		if (!rnd(&seed, 2))
			run->immediate_exit = 0;
		if (r < 0) {
			if (errno == EINTR)
				__atomic_fetch_add(&vm->eintr, 1, __ATOMIC_RELAXED);
			else
				__atomic_fetch_add(&vm->errs, 1, __ATOMIC_RELAXED);
			if (errno != EINTR)
				usleep(1000 * rnd(&seed, 5));
			continue;
		}
		__atomic_fetch_add(&vm->exits, 1, __ATOMIC_RELAXED);
		switch (run->exit_reason) {
		case GUNYAH_VCPU_EXIT_MMIO:
			answer_mmio(vm, a->idx, run, &seed);
			break;
		case GUNYAH_VCPU_EXIT_STATUS:
			__atomic_fetch_add(&vm->status, 1, __ATOMIC_RELAXED);
			usleep(2000);
			break;
		default:
			run->page_fault.resume_action = rnd(&seed, 4);
			break;
		}
	}
	return NULL;
}

static int svm_make(struct svm *vm)
{
	struct gunyah_vm_dtb_config cfg = { .guest_phys_addr = GUEST_MEM_BASE + DTB_OFFSET };
	ssize_t n;
	int r;

	vm->vcpu[0] = -1;
	vm->vcpu[1] = -1;
	vm->fd = ioctl(dev, GUNYAH_CREATE_VM, 0);
	vm->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm->fd < 0 || vm->mem == MAP_FAILED)
		return -ENOMEM;
	n = load_file(DTB_DIR "test-guest.bin", vm->mem, DTB_OFFSET);
	if (n <= 0)
		return -ENOENT;
	n = load_file(DTB_DIR "guest-2cpu.dtb", vm->mem + DTB_OFFSET, 0x10000);
	if (n <= 0)
		return -ENOENT;
	cfg.size = n;
	r = vm_add_region(vm->fd, 0, GUEST_MEM_BASE, vm->mem, MEM_SIZE,
			  GH_MEM_ALLOW_READ | GH_MEM_ALLOW_WRITE | GH_MEM_ALLOW_EXEC, false);
	if (!r)
		r = gh_ioctl(vm->fd, GUNYAH_VM_SET_DTB_CONFIG, &cfg);
	for (int i = 0; i < NR_VCPUS && !r; i++) {
		struct gunyah_fn_vcpu_arg arg = { .id = i };
		struct gunyah_fn_desc fn = {
			.type = GUNYAH_FN_VCPU, .arg_size = sizeof(arg), .arg = (uintptr_t)&arg,
		};

		vm->vcpu[i] = ioctl(vm->fd, GUNYAH_VM_ADD_FUNCTION, &fn);
		if (vm->vcpu[i] < 0)
			return -errno;
		vm->run[i] = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu[i], 0);
		if (vm->run[i] == MAP_FAILED)
			return -errno;
	}
	if (!r)
		r = gh_ioctl(vm->fd, GUNYAH_VM_START, NULL);
	return r;
}

static void chaos(struct svm *vm, unsigned int *seed, uint64_t end_ns)
{
	uint64_t *flag = (uint64_t *)(vm->mem + SPIN_FLAG);

	while (now_ns() < end_ns) {
		int i = rnd(seed, NR_VCPUS), j = rnd(seed, 2);

		usleep(1000 * rnd(seed, 40));
		switch (rnd(seed, 12)) {
		case 0:
		case 1:
			__atomic_store_n(flag, 1, __ATOMIC_RELAXED);
			break;
		case 2:
			__atomic_store_n(flag, 0, __ATOMIC_RELAXED);
			break;
		case 3:
		case 4:
			vm->run[i]->immediate_exit = 1;
			break;
		case 5:
		case 6:
			pthread_kill(vm->runner[i][j], SIGUSR1);
			break;
		case 7:
			if (!rnd(seed, 4)) {
				struct gunyah_fn_vcpu_arg arg = { .id = i };
				struct gunyah_fn_desc fn = {
					.type = GUNYAH_FN_VCPU, .arg_size = sizeof(arg),
					.arg = (uintptr_t)&arg,
				};

				ioctl(vm->fd, GUNYAH_VM_REMOVE_FUNCTION, &fn);
			}
			break;
		case 8:
			if (!rnd(seed, 4)) {
				pid_t pid = fork();

				if (pid == 0)
					_exit(0);
				if (pid > 0)
					waitpid(pid, NULL, 0);
			}
			break;
		default:
			break;
		}
	}
}

/* One VM: run it hostilely for a while, then tear it down.  false if it hung. */
static bool one_vm(unsigned int seed, unsigned int ms, struct svm *out)
{
	struct runner_arg ra[NR_VCPUS][2];
	struct svm *vm = out;
	uint64_t t_end;
	int r;

	memset(vm, 0, sizeof(*vm));
	vm->seed = seed;
	r = svm_make(vm);
	if (r) {
		tap_diag("seed %u: VM set-up failed (%d)", seed, r);
		goto free;
	}
	for (int i = 0; i < NR_VCPUS; i++) {
		for (int j = 0; j < 2; j++) {
			ra[i][j] = (struct runner_arg){ .vm = vm, .idx = i, .nr = j };
			pthread_create(&vm->runner[i][j], NULL, runner, &ra[i][j]);
		}
	}
	chaos(vm, &seed, now_ns() + ms * 1000000ULL);
	/* Tear down: release the guest and kick every runner until they are out. */
	__atomic_store_n(&vm->stop, true, __ATOMIC_RELAXED);
	t_end = now_ns() + VM_END_MS * 1000000ULL;
	for (int i = 0; i < NR_VCPUS; i++) {
		for (int j = 0; j < 2; j++) {
			while (pthread_tryjoin_np(vm->runner[i][j], NULL)) {
				if (now_ns() > t_end) {
					tap_diag("seed %u: vCPU %d runner %d stuck in RUN", seed,
						 i, j);
					return false;
				}
				__atomic_store_n((uint64_t *)(vm->mem + SPIN_FLAG), 1,
						 __ATOMIC_RELAXED);
				vm->run[i]->immediate_exit = 1;
				pthread_kill(vm->runner[i][j], SIGUSR1);
				usleep(2000);
			}
		}
	}
free:
	for (int i = 0; i < NR_VCPUS; i++) {
		if (vm->vcpu[i] >= 0) {
			munmap(vm->run[i], 4096);
			close(vm->vcpu[i]);
		}
	}
	if (vm->fd >= 0)
		close(vm->fd);
	if (vm->mem != MAP_FAILED)
		munmap(vm->mem, MEM_SIZE);
	return true;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	unsigned int seconds = argc > 1 ? atoi(argv[1]) : 15;
	unsigned int seed = argc > 2 ? strtoul(argv[2], NULL, 0) : (unsigned int)now_ns();
	unsigned long vms = 0, killed = 0, runs = 0, exits = 0, eintr = 0, errs = 0;
	int lockups0, lockups1, warns0, warns1;
	struct hyp_stats h0 = { 0 }, h1 = { 0 };
	pthread_t hb[2];
	uint64_t end;
	bool live = true;
	struct svm vm;

	tap_begin();
	tap_diag("seed %u, %u s", seed, seconds);
	sigaction(SIGUSR1, &sa, NULL);
	asm volatile("mrs %0, cntfrq_el0" : "=r"(cntfrq));
	dev = gh_open();
	if (!tap_check(dev >= 0, "/dev/gunyah opens"))
		return tap_finish();
	hyp_stats(&h0);
	lockups0 = klog_count("lockup") + klog_count("stall") + klog_count("hung_task");
	warns0 = klog_count("WARNING") + klog_count("BUG");
	for (long c = 0; c < 2 && c < sysconf(_SC_NPROCESSORS_ONLN); c++)
		pthread_create(&hb[c], NULL, heartbeat, (void *)c);

	end = now_ns() + seconds * 1000000000ULL;
	srand(seed);
	while (live && now_ns() < end) {
		unsigned int s = rand(), ms = 50 + rnd(&s, 400);

		vms++;
		if (!rnd(&s, 6)) {
			/* A VMM that gets killed with SIGKILL in the middle of it. */
			pid_t pid = fork();
			int status;

			if (pid == 0) {
				one_vm(s, 10000, &vm);
				_exit(0);
			}
			usleep(1000 * ms);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			killed++;
			continue;
		}
		live = one_vm(s, ms, &vm);
		runs += vm.runs;
		exits += vm.exits;
		eintr += vm.eintr;
		errs += vm.errs;
	}
	__atomic_store_n(&hb_stop, true, __ATOMIC_RELAXED);
	for (long c = 0; c < 2 && c < sysconf(_SC_NPROCESSORS_ONLN); c++)
		pthread_join(hb[c], NULL);
	tap_diag("%lu VMs (%lu killed), %lu RUNs, %lu exits, %lu EINTR, %lu other errors",
		 vms, killed, runs, exits, eintr, errs);
	tap_check(live, "every VM's RUNs ended within %d ms of the teardown (seed %u)",
		  VM_END_MS, seed);
	tap_check(hb_worst_ms[0] < MAX_LATE_MS && hb_worst_ms[1] < MAX_LATE_MS,
		  "the host kept both CPUs: sleeps woke at worst %llu / %llu ms late (seed %u)",
		  (unsigned long long)hb_worst_ms[0], (unsigned long long)hb_worst_ms[1], seed);
	lockups1 = klog_count("lockup") + klog_count("stall") + klog_count("hung_task");
	warns1 = klog_count("WARNING") + klog_count("BUG");
	tap_check(lockups1 == lockups0, "no lockup, RCU stall or hung task reported (seed %u)",
		  seed);
	tap_check(warns1 == warns0, "no kernel warning or BUG (seed %u)", seed);
	if (live) {
		for (int i = 0; i < 50; i++) {
			if (!hyp_stats(&h1) && hyp_stats_equal(&h0, &h1))
				break;
			usleep(100000);
		}
		tap_check_hyp(hyp_stats_equal(&h0, &h1), "hypervisor counts back where they were");
	}
	close(dev);
	return tap_finish();
}
