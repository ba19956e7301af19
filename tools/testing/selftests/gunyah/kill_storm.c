// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kill storm: VMMs, single-threaded or with several threads each building
 * VMs, are SIGKILLed at a random point 0-200 ms after they start (off the
 * test hypervisor, where a VM takes seconds to start, every other VMM only
 * 0-200 ms after one of its VMs started, or after 20 s).  A VMM
 * builds a VM with shared and lent user memory, guest memory bound with
 * GUNYAH_VM_MAP_MEM, the test guest's device tree and vCPUs, starts it and
 * runs its vCPUs (the guest stores to demand-paged memory, then spins).
 * Repeats until the time is up, then checks that the host is whole again
 * (fuzz_util.h): a VMM's death must give everything back.
 *
 *   kill_storm [--seconds N] [--seed S]    (defaults: GH_FUZZ_SECS, GH_FUZZ_SEED)
 */
#define _GNU_SOURCE
#include "fuzz_util.h"

#define MAX_THREADS	4
#define LEND_GPA	0x90000000ULL
#define SHARE_GPA	0xa0000000ULL
#define GMEM_GPA	0xb0000000ULL
#define GMEM_SHARE_GPA	0xb0800000ULL

struct storm_shm {
	atomic_ullong vms_built, vms_started, vcpu_runs;
};

static struct storm_shm *shm;
static int dev;

static int map_gmem(int vm, int fd, uint64_t gpa, uint64_t off, uint64_t size, uint32_t flags)
{
	struct gunyah_map_mem_args a = {
		.guest_addr = gpa, .flags = flags, .guest_mem_fd = fd, .offset = off, .size = size,
	};

	return gh_ioctl(vm, GUNYAH_VM_MAP_MEM, &a);
}

/* Answer the guest: stores across its memory, then a spin. */
static void *run_vcpu(void *arg)
{
	struct guest_vm *g = arg;
	static const uint64_t bases[] = { LEND_GPA, SHARE_GPA, GMEM_GPA, GMEM_SHARE_GPA };
	uint64_t n = 0, cmd = CMD_STORE, a = 0;

	for (;;) {
		if (ioctl(g->vcpu, GUNYAH_VCPU_RUN) < 0) {
			if (errno == EINTR)
				continue;
			return NULL;
		}
		atomic_fetch_add(&shm->vcpu_runs, 1);
		if (g->run->exit_reason == GUNYAH_VCPU_EXIT_STATUS)
			return NULL;
		if (g->run->exit_reason != GUNYAH_VCPU_EXIT_MMIO || g->run->mmio.is_write)
			continue;
		if (g->run->mmio.phys_addr == GUEST_REG_CMD) {
			n++;
			cmd = n < 64 ? CMD_STORE : CMD_SPIN;
			a = n < 64 ? bases[n % 4] + (n / 4) * PAGE : GUEST_MEM_BASE + MiB;
			memcpy(g->run->mmio.data, &cmd, 8);
		} else {
			memcpy(g->run->mmio.data, &a, 8);
		}
	}
}

/* Build, start and run one VM; never returns while the guest runs. */
static void vmm_one(uint64_t *rng)
{
	struct gunyah_create_mem_args ma = { .size = 4 * MiB };
	const uint32_t rwx = GUNYAH_MEM_ALLOW_RWX;
	const uint32_t ghrwx = GH_MEM_ALLOW_READ | GH_MEM_ALLOW_WRITE | GH_MEM_ALLOW_EXEC;
	struct guest_vm g;
	pthread_t t;
	uint8_t *lent, *shared;
	int gmem, r;

	r = guest_vm_make(dev, &g, 2 * MiB, rnd_below(rng, 2));
	lent = mmap(NULL, 2 * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	shared = mmap(NULL, 2 * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r || lent == MAP_FAILED || shared == MAP_FAILED)
		goto out;
	madvise(lent, 2 * MiB, MADV_DONTFORK);
	madvise(lent, 2 * MiB, MADV_DONTDUMP);
	memset(lent, 1, 2 * MiB);
	memset(shared, 2, 2 * MiB);
	r = vm_add_region(g.fd, 1, LEND_GPA, lent, 2 * MiB, ghrwx, true);
	r = r ?: vm_add_region(g.fd, 2, SHARE_GPA, shared, 2 * MiB, ghrwx, false);
	gmem = ioctl(dev, GUNYAH_CREATE_GUEST_MEM, &ma);
	if (gmem >= 0) {
		r = r ?: map_gmem(g.fd, gmem, GMEM_GPA, 0, 2 * MiB, rwx | GUNYAH_MEM_FORCE_LEND);
		r = r ?: map_gmem(g.fd, gmem, GMEM_SHARE_GPA, 2 * MiB, 2 * MiB,
				  rwx | GUNYAH_MEM_FORCE_SHARE);
	}
	atomic_fetch_add(&shm->vms_built, 1);
	r = r ?: gh_ioctl(g.fd, GUNYAH_VM_START, NULL);
	if (r)
		goto out;
	atomic_fetch_add(&shm->vms_started, 1);
	if (!pthread_create(&t, NULL, run_vcpu, &g))
		pthread_join(t, NULL);
out:
	guest_vm_free(&g);
}

static void *vmm_thread(void *arg)
{
	uint64_t rng = (uintptr_t)arg;

	for (;;)
		vmm_one(&rng);
	return NULL;
}

int main(int argc, char **argv)
{
	unsigned long long iters = 0, multi = 0, early = 0, hung = 0, stuck = 0;
	struct fuzz_opts opt;
	struct klog_watch kw;
	struct fuzz_base base;
	uint64_t rng, end;
	bool slow;

	fuzz_parse(argc, argv, &opt, false);
	tap_begin();
	tap_diag("seed=%#llx", (unsigned long long)opt.seed);
	tap_diag("seconds=%u", opt.seconds);
	rng = opt.seed;
	shm = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	dev = gh_open();
	if (!tap_check(dev >= 0 && shm != MAP_FAILED && !klog_watch_start(&kw),
		       "/dev/gunyah, shared memory and /dev/kmsg"))
		return tap_finish();
	fuzz_base_take(&base);
	end = now_ms() + opt.seconds * 1000ULL;
	slow = !test_hyp();
	if (slow)
		tap_diag("every other VMM is killed after one of its VMs started: %s", NO_TEST_HYP);
	while (now_ms() < end || (slow && iters < 2)) {
		int threads = rnd_below(&rng, 2) ? 1 + rnd_below(&rng, MAX_THREADS) : 0;
		uint64_t delay = rnd_below(&rng, 201), seed = rnd_next(&rng);
		unsigned long long started = atomic_load(&shm->vms_started);
		int status;
		bool h, st;
		pid_t pid;

		pid = fork();
		if (pid == 0) {
			pthread_t t;

			fuzz_child_setup();
			for (int i = 1; i < threads; i++)
				pthread_create(&t, NULL, vmm_thread, (void *)(uintptr_t)(seed + i));
			vmm_thread((void *)(uintptr_t)seed);
		}
		if (pid < 0)
			break;
		for (uint64_t until = now_ms() + 20000; slow && (iters & 1) &&
		     atomic_load(&shm->vms_started) == started && now_ms() < until;)
			usleep(10000);
		usleep(delay * 1000);
		kill(pid, SIGKILL);
		/* SIGKILL must take effect within seconds, whatever the VMM was doing. */
		status = reap(pid, now_ms() + 15000, &h, &st);
		iters++;
		multi += threads > 1;
		early += !WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL;
		hung += h;
		stuck += st;
		if (h || klog_poll(&kw, "", 4))
			tap_diag("iteration %llu (seed %#llx): %d threads, killed after %llu ms%s",
				 iters, (unsigned long long)opt.seed, threads ? threads : 1,
				 (unsigned long long)delay, h ? ": did not die within 15 s" : "");
	}
	tap_diag("iterations %llu (%llu multi-threaded VMMs)", iters, multi);
	tap_diag("VMs built %llu, started %llu, vCPU exits %llu",
		 (unsigned long long)atomic_load(&shm->vms_built),
		 (unsigned long long)atomic_load(&shm->vms_started),
		 (unsigned long long)atomic_load(&shm->vcpu_runs));
	tap_check(iters > 0 && atomic_load(&shm->vms_started) > 0,
		  "%llu VMMs killed, %llu VMs started by them", iters,
		  (unsigned long long)atomic_load(&shm->vms_started));
	tap_check(early == 0, "every VMM died of the SIGKILL (%llu exited otherwise)", early);
	tap_check(hung == 0 && stuck == 0,
		  "every VMM died within 15 s of SIGKILL (%llu late, %llu never)", hung, stuck);
	fuzz_check_invariants(dev, &kw, &base);
	close(dev);
	return tap_finish();
}
