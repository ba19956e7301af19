// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Bao shared-memory channel (run.sh --bao) from the host: bounds and
 * positions of read(), write() and mmap() on /dev/baoipc0, notifications
 * both ways with the bare-metal test guest on the other end
 * (dts/guest-bao.dts: it echoes what the host writes), 10,000 ping-pongs
 * without a lost notification and their round-trip time, then the device
 * going away under open files and sleepers.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>

#include "test_vmm.h"

#define DEV		"/dev/baoipc0"
#define DRV		"/sys/bus/platform/drivers/bao-ipcshmem/"
#define NODE		"bff00000.ipcshmem"
#define REGION		0x10000
#define CH		0x8000		/* host: read channel at 0, write channel at CH */
#define MEM_SIZE	(1024 * 1024)
#define ROUNDS		10000
#define MSG		64

static int dev;

/* Run one command (with up to two more arguments) on the guest's vCPU. */
static uint64_t cmd3(struct loop *l, uint64_t c, uint64_t a0, uint64_t a1, uint64_t a2)
{
	struct cmd cmds[3] = { { c, a0 }, { 0, a1 }, { 0, a2 } };

	l->cmds = cmds;
	l->ncmds = (c & 0xff) == CMD_BAO_ECHO ? 3 : 1;
	l->next = 0;
	l->nresults = 0;
	if (run_loop(l) != 0 || l->nresults != 1)
		return ~0ULL;
	return l->results[0];
}

static uint64_t cmd(struct loop *l, uint64_t c, uint64_t arg)
{
	return cmd3(l, c, arg, 0, 0);
}

/* Interrupts counted for the channel in /proc/interrupts, all CPUs. */
static long host_irq_count(void)
{
	char line[512];
	long sum = -1;
	FILE *f = fopen("/proc/interrupts", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = strchr(line, ':');

		if (!p || !strstr(line, NODE))
			continue;
		sum = 0;
		for (int i = 0; i < 2; i++)
			sum += strtol(p + 1, &p, 10);
	}
	fclose(f);
	return sum;
}

static bool readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void test_bounds(void)
{
	char buf[0x9000], got[32];
	int fd = open(DEV, O_RDWR | O_NONBLOCK), ro = open(DEV, O_RDONLY);
	uint8_t *m;
	ssize_t n;
	off_t pos;

	if (!tap_check(fd >= 0 && ro >= 0, "%s opens read-write and read-only", DEV))
		return;
	memset(buf, 0x5a, sizeof(buf));
	n = pwrite(fd, buf, sizeof(buf), 0);
	tap_check(n == CH, "a write larger than the write channel is cut at its end (%zd)", n);
	n = pwrite(fd, buf, 16, CH);
	tap_check(n < 0 && errno == ENOSPC, "a write at the end of the write channel: ENOSPC");
	n = pwrite(fd, buf, 0x100, CH - 16);
	tap_check(n == 16, "a write near the end stops at it (%zd)", n);
	n = pread(fd, buf, 16, CH);
	tap_check(n == 0, "a read at the end of the read channel: end of file (%zd)", n);
	n = pread(fd, buf, 0x100, CH - 16);
	tap_check(n == 16, "a read near the end stops at it (%zd)", n);
	n = read(fd, buf, 16);
	tap_check(n < 0 && errno == EAGAIN,
		  "O_NONBLOCK read at position 0 with nothing new: EAGAIN");

	m = mmap(NULL, REGION, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	tap_check(m != MAP_FAILED, "mmap of the whole region");
	pos = lseek(fd, 0x100, SEEK_SET);
	n = write(fd, "position 0x100!", 16);
	tap_check(pos == 0x100 && n == 16 && lseek(fd, 0, SEEK_CUR) == 0x110 &&
		  m != MAP_FAILED && !memcmp(m + CH + 0x100, "position 0x100!", 16),
		  "write at the file position lands there in the write channel, advances it");
	if (m != MAP_FAILED) {
		memcpy(m, "from the mapping", 17);
		n = pread(fd, got, 17, 0);
		tap_check(n < 0 && errno == EAGAIN,
			  "a store through the mapping is no news: a read at 0 still waits");
		memset(got, 0, sizeof(got));
		n = pread(fd, got, 17, 1);
		tap_check(n == 17 && !memcmp(got, "rom the mapping", 16),
			  "a read at position > 0 continues without waiting, sees the mapping");
		munmap(m, REGION);
	}
	m = mmap(NULL, REGION + 4096, PROT_READ, MAP_SHARED, fd, 0);
	tap_check(m == MAP_FAILED && errno == EINVAL, "mmap beyond the region: EINVAL");
	m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, REGION);
	tap_check(m == MAP_FAILED && errno == EINVAL, "mmap at an offset past the region: EINVAL");
	m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, REGION - 4096);
	tap_check(m != MAP_FAILED, "mmap of the region's last page");
	if (m != MAP_FAILED)
		munmap(m, 4096);
	m = mmap(NULL, REGION, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0);
	tap_check(m == MAP_FAILED && errno == EACCES, "writable mmap of a read-only file: EACCES");
	m = mmap(NULL, REGION, PROT_READ, MAP_SHARED, ro, 0);
	tap_check(m != MAP_FAILED && mprotect(m, REGION, PROT_READ | PROT_WRITE) < 0 &&
		  errno == EACCES, "read-only mapping cannot become writable");
	if (m != MAP_FAILED)
		munmap(m, REGION);
	n = write(ro, buf, 1);
	tap_check(n < 0 && errno == EBADF, "write on a read-only file: EBADF");
	close(ro);
	close(fd);

	fd = open("/dev/baoipc7", O_RDWR);
	n = fd < 0 ? -2 : pwrite(fd, buf, 16, 0);
	tap_check(n == -1 && errno == EIO && lseek(fd, 0, SEEK_CUR) == 0,
		  "channel 7, unknown to the hypervisor: write fails with EIO (%zd)", n);
	close(fd);
}

struct echo {
	struct loop *l;
	uint64_t n;
	uint64_t result;
};

static void *echo_thread(void *arg)
{
	struct echo *e = arg;

	e->result = cmd3(e->l, CMD_BAO_ECHO, e->n, MSG, 0);
	return NULL;
}

static void test_guest(void)
{
	uint64_t *lat = calloc(ROUNDS, sizeof(*lat));
	int fd = open(DEV, O_RDWR), lost = 0, bad = 0;
	char out[MSG], in[MSG];
	struct loop l = { 0 };
	uint64_t v, irqs, t0, total = 0;
	long hirq0, hirq;
	void *bad_ptr;
	struct echo e;
	struct tvm vm;
	pthread_t t;
	ssize_t n;
	int r;

	r = tvm_make(&vm, dev, "guest-bao.dtb", MEM_SIZE, false, 1);
	r = r ?: vm_start(&(struct test_vm){ .fd = vm.fd });
	if (!tap_check(r == 0 && fd >= 0 && lat, "guest with the channel's DT node starts (%d)", r))
		goto out;
	l = (struct loop){ .vm = &vm, .idx = 0 };
	tap_check(cmd(&l, CMD_IRQ_SETUP, GUEST_BAO_SPI) == 0, "the guest enables its channel SPI");

	/* Guest to host. */
	hirq0 = host_irq_count();
	v = cmd(&l, CMD_BAO_NOTIFY, 7);
	tap_check(v == ~0ULL, "guest notify on channel 7: NOT_SUPPORTED (%llx)",
		  (unsigned long long)v);
	tap_check(!readable(fd, 100), "  ... and the host hears nothing");
	v = cmd(&l, CMD_BAO_NOTIFY, 0);
	tap_check(v == 0 && readable(fd, 2000), "guest notify on channel 0: the host's poll wakes");
	v = cmd(&l, CMD_BAO_NOTIFY, 0);
	usleep(100000);
	n = pread(fd, in, 8, 0);
	tap_check(n == 8 && !readable(fd, 0),
		  "two notifications before a read are one piece of news, one read consumes it");
	hirq = host_irq_count();
	tap_check(hirq - hirq0 == 2, "the host took 2 channel interrupts (%ld)", hirq - hirq0);

	/* Host to guest: nothing for empty or failed writes. */
	irqs = cmd(&l, CMD_IRQ_COUNT, GUEST_BAO_SPI);
	n = write(fd, out, 0);
	bad_ptr = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	r = write(fd, bad_ptr, 16);
	tap_check(n == 0 && r < 0 && errno == EFAULT &&
		  cmd(&l, CMD_IRQ_COUNT, GUEST_BAO_SPI) == irqs,
		  "zero-length and faulting writes do not notify the guest");

	/* Ping-pong: the guest echoes every message through its write channel. */
	hirq0 = host_irq_count();
	e = (struct echo){ .l = &l, .n = ROUNDS };
	pthread_create(&t, NULL, echo_thread, &e);
	for (int i = 0; i < ROUNDS; i++) {
		for (int j = 0; j < MSG; j++)
			out[j] = (char)(i * 7 + j);
		memset(in, 0, sizeof(in));
		t0 = now_ns();
		n = pwrite(fd, out, MSG, 0);
		if (n != MSG) {
			bad++;
			break;
		}
		/* Half the rounds wait in poll(), half in a blocking read(). */
		if (i % 2 == 0 && !readable(fd, 5000)) {
			lost++;
			break;
		}
		n = pread(fd, in, MSG, 0);
		lat[i] = now_ns() - t0;
		total += lat[i];
		if (n != MSG || memcmp(in, out, MSG))
			bad++;
		if (i == 0)
			tap_check(n == MSG && !memcmp(in, out, MSG),
				  "a write notifies the guest, its echo wakes the host, data round-trips");
	}
	if (lost || bad)
		pthread_cancel(t);
	else
		pthread_join(t, NULL);
	hirq = host_irq_count();
	tap_check(!lost && !bad && e.result == ROUNDS,
		  "%d ping-pongs: no lost notification, every echo intact (lost %d, bad %d)",
		  ROUNDS, lost, bad);
	v = cmd(&l, CMD_IRQ_COUNT, GUEST_BAO_SPI);
	tap_check(v == irqs + ROUNDS && hirq - hirq0 == ROUNDS,
		  "one interrupt per notification each way (guest %llu, host %ld)",
		  (unsigned long long)(v - irqs), hirq - hirq0);
	if (!lost && !bad) {
		qsort(lat, ROUNDS, sizeof(*lat), cmp_u64);
		tap_diag("round trip, %d ping-pongs of %d bytes: mean %.1f us, median %.1f us",
			 ROUNDS, MSG, total / 1e3 / ROUNDS, lat[ROUNDS / 2] / 1e3);
		tap_diag("round trip: p99 %.1f us, max %.1f us", lat[ROUNDS * 99 / 100] / 1e3,
			 lat[ROUNDS - 1] / 1e3);
	}
out:
	tvm_free(&vm);
	if (fd >= 0)
		close(fd);
	free(lat);
}

struct sleeper {
	int fd;
	bool use_poll;
	short revents;
	int ret;
	int err;
};

static void *sleep_thread(void *arg)
{
	struct sleeper *s = arg;
	char c;

	if (s->use_poll) {
		struct pollfd p = { .fd = s->fd, .events = POLLIN };

		s->ret = poll(&p, 1, 10000);
		s->revents = p.revents;
	} else {
		s->ret = pread(s->fd, &c, 1, 0);
		s->err = errno;
	}
	return NULL;
}

static void test_unload(void)
{
	struct sleeper sp = { .use_poll = true }, sr = { 0 };
	int idle = open(DEV, O_RDWR), r;
	pthread_t tp, tr;
	char c = 0;
	void *m;

	sp.fd = open(DEV, O_RDONLY);
	sr.fd = open(DEV, O_RDONLY);
	if (!tap_check(idle >= 0 && sp.fd >= 0 && sr.fd >= 0, "three files open on %s", DEV))
		return;
	pthread_create(&tp, NULL, sleep_thread, &sp);
	pthread_create(&tr, NULL, sleep_thread, &sr);
	usleep(200000);
	r = system("rmmod bao-ipcshmem 2>/dev/null");
	tap_check(r != 0 && access(DEV, F_OK) == 0, "rmmod with open files is refused");
	tap_check(write_file(DRV "unbind", NODE) == 0, "unbinding the device with sleepers");
	pthread_join(tp, NULL);
	pthread_join(tr, NULL);
	tap_check(sp.ret == 1 && (sp.revents & (POLLERR | POLLHUP)),
		  "the poll() sleeper wakes with POLLERR|POLLHUP (%d, %#x)", sp.ret, sp.revents);
	tap_check(sr.ret < 0 && sr.err == ENODEV, "the read() sleeper wakes with ENODEV");
	m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, idle, 0);
	tap_check(pread(idle, &c, 1, 1) < 0 && errno == ENODEV &&
		  pwrite(idle, &c, 1, 0) < 0 && errno == ENODEV && m == MAP_FAILED &&
		  access(DEV, F_OK) != 0, "afterwards, read, write and mmap fail with ENODEV");
	close(idle);
	close(sp.fd);
	close(sr.fd);
	r = system("rmmod bao-ipcshmem");
	tap_check(r == 0, "rmmod once the files are closed");
	r = system("insmod $GH_MODDIR/bao-ipcshmem.ko");
	usleep(100000);
	tap_check(r == 0 && access(DEV, F_OK) == 0 && access("/dev/baoipc7", F_OK) == 0,
		  "loaded again, both channels come back");
	idle = open(DEV, O_RDWR);
	tap_check(idle >= 0 && pwrite(idle, "x", 1, 0) == 1, "and work");
	close(idle);
}

int main(void)
{
	tap_begin();
	if (!getenv("GH_BAO") || strcmp(getenv("GH_BAO"), "1")) {
		tap_skip("the Bao channel tests: no Bao channel on this boot (run.sh --bao)");
		return tap_finish();
	}
	dev = open("/dev/gunyah", O_RDWR | O_CLOEXEC);
	if (access(DEV, F_OK))
		system("insmod $GH_MODDIR/bao-ipcshmem.ko");
	if (!tap_check(dev >= 0 && access(DEV, F_OK) == 0, "/dev/gunyah and %s", DEV))
		return tap_finish();
	test_bounds();
	test_guest();
	test_unload();
	return tap_finish();
}
