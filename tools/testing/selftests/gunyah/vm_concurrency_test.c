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

static int dev;

static void *worker(void *arg)
{
	long id = (long)arg, failed = 0;

	for (int i = 0; i < ITERATIONS; i++) {
		int r = vm_cycle(dev, (i + id) % 3 ? "guest-1cpu.dtb" : "guest-8cpu-16bell.dtb",
				 (i + id) % 2);

		if (r && !failed++)
			tap_diag("thread %ld, VM %d: %s", id, i, strerror(-r));
	}
	return (void *)failed;
}

int main(void)
{
	pthread_t threads[THREADS];
	struct hyp_stats h0 = { 0 }, h1 = { 0 };
	long failed = 0;
	int status, proc_failed = 0;

	tap_begin();
	dev = gh_open();
	if (!tap_check(dev >= 0, "/dev/gunyah opens"))
		return tap_finish();
	hyp_stats(&h0);

	for (int p = 0; p < PROCESSES; p++) {
		if (fork() == 0) {
			long f = (long)worker((void *)(long)(p + THREADS));

			_exit(f ? 1 : 0);
		}
	}
	for (long t = 0; t < THREADS; t++)
		pthread_create(&threads[t], NULL, worker, (void *)t);
	for (int t = 0; t < THREADS; t++) {
		void *ret;

		pthread_join(threads[t], &ret);
		failed += (long)ret;
	}
	for (int p = 0; p < PROCESSES; p++) {
		wait(&status);
		proc_failed += !WIFEXITED(status) || WEXITSTATUS(status);
	}
	tap_check(failed == 0, "%d threads x %d VMs, concurrently: all started (%ld failed)",
		  THREADS, ITERATIONS, failed);
	tap_check(proc_failed == 0, "%d processes x %d VMs at the same time: all started",
		  PROCESSES, ITERATIONS);
	hyp_stats(&h1);
	tap_check_hyp(hyp_stats_equal(&h0, &h1), "hypervisor counts unchanged afterwards");
	close(dev);
	return tap_finish();
}
