// SPDX-License-Identifier: GPL-2.0-only
/*
 * Many VMs at once: threads and processes creating, starting and tearing
 * down VMs concurrently, so that RPCs of several callers interleave on the
 * Resource Manager channel.  Everything must succeed and leave nothing
 * behind.
 */
#include <pthread.h>
#include <sys/wait.h>

#include "gunyah_util.h"

#define THREADS		4
#define PROCESSES	2
#define ITERATIONS	40
/*
 * Elsewhere than on the test hypervisor (the real Gunyah under TCG: seconds
 * per RPC, one RPC at a time in its RM) fewer callers and VMs, so that a
 * queued RPC does not outwait the driver's timeout.
 */
#define THREADS_SLOW	2
#define PROCESSES_SLOW	1
#define ITERATIONS_SLOW	3

static int dev;
static int iterations = ITERATIONS;

static void *worker(void *arg)
{
	long id = (long)arg, failed = 0;

	for (int i = 0; i < iterations; i++) {
		int r = vm_cycle(dev, (i + id) % 3 ? "guest-1cpu.dtb" : "guest-8cpu-16bell.dtb",
				 (i + id) % 2);

		if (r && !failed++)
			tap_diag("thread %ld, VM %d: %s", id, i, strerror(-r));
	}
	return (void *)failed;
}

int main(void)
{
	int nthreads = THREADS, nprocs = PROCESSES, status, proc_failed = 0;
	pthread_t threads[THREADS];
	struct hyp_stats h0 = { 0 }, h1 = { 0 };
	long failed = 0;

	tap_begin();
	dev = gh_open();
	if (!tap_check(dev >= 0, "/dev/gunyah opens"))
		return tap_finish();
	if (!test_hyp()) {
		nthreads = THREADS_SLOW;
		nprocs = PROCESSES_SLOW;
		iterations = ITERATIONS_SLOW;
		tap_diag("%d threads and %d process(es) x %d VMs, not %d and %d x %d: %s", nthreads,
			 nprocs, iterations, THREADS, PROCESSES, ITERATIONS, NO_TEST_HYP);
	}
	hyp_stats(&h0);

	for (int p = 0; p < nprocs; p++) {
		if (fork() == 0) {
			long f = (long)worker((void *)(long)(p + THREADS));

			_exit(f ? 1 : 0);
		}
	}
	for (long t = 0; t < nthreads; t++)
		pthread_create(&threads[t], NULL, worker, (void *)t);
	for (int t = 0; t < nthreads; t++) {
		void *ret;

		pthread_join(threads[t], &ret);
		failed += (long)ret;
	}
	for (int p = 0; p < nprocs; p++) {
		wait(&status);
		proc_failed += !WIFEXITED(status) || WEXITSTATUS(status);
	}
	tap_check(failed == 0, "%d threads x %d VMs, concurrently: all started (%ld failed)",
		  nthreads, iterations, failed);
	tap_check(proc_failed == 0, "%d processes x %d VMs at the same time: all started",
		  nprocs, iterations);
	hyp_stats(&h1);
	tap_check_hyp(hyp_stats_equal(&h0, &h1), "hypervisor counts unchanged afterwards");
	close(dev);
	return tap_finish();
}
