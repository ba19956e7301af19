// SPDX-License-Identifier: GPL-2.0-only
/*
 * irqfd and ioeventfd seen from a guest: the bare-metal test guest takes
 * the doorbell interrupts an irqfd raises (edge and level, before and
 * after start, on either vCPU, out of WFI) and writes to MMIO registers an
 * ioeventfd consumes without an exit to this VMM.  The doorbells and their
 * SPIs are those of dts/guest-irq.dts.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <time.h>

#include "test_vmm.h"

#define MEM_SIZE	(1024 * 1024)
#define SPI(n)		(32 + (n))
#define EDGE		SPI(10)		/* label 1 */
#define LEVEL		SPI(11)		/* label 2 */
#define EDGE_VCPU1	SPI(12)		/* label 3, routed to vCPU 1 */
#define LEVEL_NO_ACK	SPI(13)		/* label 4 */
#define HVC_BELL_SEND	0x12
#define HVC_BELL_SET_MASK 0x15

static int dev;

static int add_irqfd(int vm, int efd, uint32_t label, uint32_t flags, unsigned long req)
{
	struct gunyah_fn_irqfd_arg a = { .fd = efd, .label = label, .flags = flags };
	struct gunyah_fn_desc f = {
		.type = GUNYAH_FN_IRQFD, .arg_size = sizeof(a), .arg = (uintptr_t)&a,
	};

	return gh_ioctl(vm, req, &f);
}

static int add_ioeventfd(int vm, int efd, uint64_t addr, uint32_t len, uint32_t flags,
			 uint64_t data, unsigned long req)
{
	struct gunyah_fn_ioeventfd_arg a = {
		.datamatch = data, .addr = addr, .len = len, .fd = efd, .flags = flags,
	};
	struct gunyah_fn_desc f = {
		.type = GUNYAH_FN_IOEVENTFD, .arg_size = sizeof(a), .arg = (uintptr_t)&a,
	};

	return gh_ioctl(vm, req, &f);
}

struct delayed {
	int efd;
	int delay_ms;
};

static void *signal_later(void *arg)
{
	struct delayed *d = arg;

	usleep(d->delay_ms * 1000);
	eventfd_write(d->efd, 1);
	return NULL;
}

struct waiter {
	struct loop *l;
	uint64_t arg;
	uint64_t result;
};

/* How long vCPU 1 may take to wake for an SGI */
#define SGI_WAIT_S	20

static void on_signal(int sig)
{
	(void)sig;
}

/* CMD_IRQ_WAIT on another thread (another vCPU). */
static void *wait_on(void *arg)
{
	struct waiter *w = arg;

	w->result = loop_cmd(w->l, CMD_IRQ_WAIT, w->arg);
	return NULL;
}

/*
 * Join a wait_on() thread within SGI_WAIT_S; a vCPU that was not woken by
 * then is stopped (a signal ends its RUN with EINTR) and false returned.
 */
static bool join_within(pthread_t t, const char *what)
{
	if (!pthread_timedjoin_np(t, NULL, &(struct timespec){ time(NULL) + SGI_WAIT_S }))
		return true;
	tap_diag("vCPU 1 not woken %d s after %s: stopped", SGI_WAIT_S, what);
	sigaction(SIGUSR1, &(struct sigaction){ .sa_handler = on_signal }, NULL);
	pthread_kill(t, SIGUSR1);
	pthread_join(t, NULL);
	return false;
}

static void test_irqfd(bool lend)
{
	struct loop l0 = { 0 }, l1 = { 0 };
	int efd[5], r, fired, logs;
	struct delayed d;
	bool sgi_lost = false;
	struct waiter w;
	struct tvm vm;
	uint64_t v, t0;
	pthread_t t;

	for (int i = 1; i <= 4; i++)
		efd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	r = tvm_make(&vm, dev, "guest-irq.dtb", MEM_SIZE, lend, 2);
	r = r ?: add_irqfd(vm.fd, efd[1], 1, 0, GUNYAH_VM_ADD_FUNCTION);
	r = r ?: add_irqfd(vm.fd, efd[2], 2, GUNYAH_IRQFD_FLAGS_LEVEL, GUNYAH_VM_ADD_FUNCTION);
	r = r ?: add_irqfd(vm.fd, efd[3], 3, 0, GUNYAH_VM_ADD_FUNCTION);
	r = r ?: add_irqfd(vm.fd, efd[4], 4, GUNYAH_IRQFD_FLAGS_LEVEL, GUNYAH_VM_ADD_FUNCTION);
	/* A doorbell the guest has none of: its irqfd waits for a resource in vain. */
	r = r ?: add_irqfd(vm.fd, efd[4], 77, 0, GUNYAH_VM_ADD_FUNCTION);
	tap_check(r == 0, "%s guest with 2 vCPUs and irqfds on labels 1-4 and 77 (%d)",
		  lend ? "lent" : "shared", r);
	eventfd_write(efd[1], 1);
	eventfd_write(efd[4], 1);	/* not a doorbell of this guest: kept, never rung */
	r = r ?: vm_start(&(struct test_vm){ .fd = vm.fd });
	if (!tap_check(r == 0, "  ... starts, after a signal on label 1 (%d)", r))
		goto out;
	l0 = (struct loop){ .vm = &vm, .idx = 0 };
	l1 = (struct loop){ .vm = &vm, .idx = 1 };
	r = loop_cmd(&l0, CMD_IRQ_SETUP, EDGE) | loop_cmd(&l0, CMD_IRQ_SETUP, LEVEL | 1 << 16) |
	    loop_cmd(&l0, CMD_IRQ_SETUP, EDGE_VCPU1 | 1ULL << 32);
	tap_check(r == 0, "the guest enables its SPIs");
	v = loop_cmd(&l0, CMD_IRQ_WAIT, EDGE | 1ULL << 32);
	tap_check(v == 1,
		  "the signal from before the start arrives once the guest enables it (%llu)",
		  (unsigned long long)v);

	/* Edge: one interrupt per signal when the guest takes each in turn. */
	fired = 0;
	for (int i = 0; i < 100; i++) {
		eventfd_write(efd[1], 1);
		fired += loop_cmd(&l0, CMD_IRQ_WAIT, EDGE | (uint64_t)(2 + i) << 32) == 2U + i;
	}
	tap_check(fired == 100,
		  "edge: 100 signals, each taken before the next: 100 interrupts (%d)", fired);
	/* Signals while the guest does not run coalesce into one pending edge. */
	for (int i = 0; i < 50; i++)
		eventfd_write(efd[1], 1);
	v = loop_cmd(&l0, CMD_IRQ_WAIT, EDGE | 102ULL << 32);
	tap_check(v == 102 && loop_cmd(&l0, CMD_IRQ_COUNT, EDGE) == 102,
		  "edge: 50 signals while the guest is stopped coalesce into 1 interrupt (%llu)",
		  (unsigned long long)v - 101);

	/* Level: asserted until the guest takes it, then it drops. */
	if (level_irqfd_refused()) {
		tap_skip("level: asserted, taken once, a second interrupt: %s",
			 LEVEL_IRQFD_REFUSED);
	} else {
		loop_cmd(&l0, CMD_IRQ_MASK, 1);
		eventfd_write(efd[2], 1);
		tap_check(loop_cmd(&l0, CMD_IRQ_PENDING, LEVEL) == 1 &&
			  loop_cmd(&l0, CMD_IRQ_PENDING, LEVEL) == 1,
			  "level: asserted while the guest has interrupts masked");
		loop_cmd(&l0, CMD_IRQ_MASK, 0);
		v = loop_cmd(&l0, CMD_IRQ_COUNT, LEVEL);
		tap_check(v == 1 && loop_cmd(&l0, CMD_IRQ_PENDING, LEVEL) == 0,
			  "level: taken once when unmasked (%llu), then no longer pending",
			  (unsigned long long)v);
		eventfd_write(efd[2], 1);
		v = loop_cmd(&l0, CMD_IRQ_WAIT, LEVEL | 2ULL << 32);
		tap_check(v == 2 && loop_cmd(&l0, CMD_IRQ_COUNT, LEVEL) == 2,
			  "level: a second signal, a second interrupt");
	}

	/* A guest blocked in WFI is woken by an irqfd. */
	d = (struct delayed){ .efd = efd[1], .delay_ms = 200 };
	pthread_create(&t, NULL, signal_later, &d);
	t0 = now_ns();
	v = loop_cmd(&l0, CMD_IRQ_WAIT, EDGE | 103ULL << 32);
	pthread_join(t, NULL);
	tap_check(v == 103 && now_ns() - t0 >= 150000000ULL && now_ns() - t0 < 3000000000ULL,
		  "WFI: woken by a signal 200 ms later (%llu ms)",
		  (unsigned long long)(now_ns() - t0) / 1000000);

	/* Two vCPUs: the SPI routed to vCPU 1 goes there. */
	v = loop_cmd(&l0, CMD_CPU_ON_LOOP, 1);
	w = (struct waiter){ .l = &l1, .arg = EDGE_VCPU1 | 1ULL << 32 };
	pthread_create(&t, NULL, wait_on, &w);
	usleep(100000);
	eventfd_write(efd[3], 1);
	pthread_join(t, NULL);
	tap_check(v == 0 && w.result == 1 && loop_cmd(&l0, CMD_IRQ_COUNT, EDGE_VCPU1) == 0,
		  "the SPI routed to vCPU 1 wakes and is taken there, not on vCPU 0 (%llu)",
		  (unsigned long long)w.result);

	/*
	 * SGIs through the trapped ICC_SGI1R_EL1.  A vCPU's SGIs are disabled
	 * at reset (GICR_ISENABLER0; the real hypervisor's vGIC starts them so
	 * and an OS enables the IPIs it takes): one sent to a vCPU that has
	 * not enabled it waits there, pending, and is taken once enabled.
	 */
	v = loop_cmd(&l0, CMD_SGI, 5ULL << 24 | 1U << 1);
	tap_check(v == 0 && loop_cmd(&l1, CMD_IRQ_PENDING, 5) == 1 &&
		  loop_cmd(&l1, CMD_IRQ_COUNT, 5) == 0,
		  "SGI 5 to vCPU 1, which has not enabled it: pending there, not taken");
	v = loop_cmd(&l1, CMD_SGI_ENABLE, 1U << 5);
	w = (struct waiter){ .l = &l1, .arg = 5 | 1ULL << 32 };
	pthread_create(&t, NULL, wait_on, &w);
	sgi_lost = !join_within(t, "its pending SGI 5 enabled");
	tap_check((v & 0xffff) == 1U << 5 && w.result == 1 &&
		  loop_cmd(&l1, CMD_IRQ_PENDING, 5) == 0,
		  "  ... enabled there (GICR_ISENABLER0 %#llx), it is taken (%llu)",
		  (unsigned long long)v, (unsigned long long)w.result);
	if (sgi_lost)
		goto out;
	/* vCPU 1 in WFI, woken by the SGI vCPU 0 sends. */
	w = (struct waiter){ .l = &l1, .arg = 5 | 2ULL << 32 };
	pthread_create(&t, NULL, wait_on, &w);
	usleep(100000);
	v = loop_cmd(&l0, CMD_SGI, 5ULL << 24 | 1U << 1);
	sgi_lost = !join_within(t, "SGI 5 from vCPU 0");
	tap_check(v == 0 && w.result == 2 && loop_cmd(&l0, CMD_IRQ_COUNT, 5) == 0,
		  "SGI 5 from vCPU 0 to vCPU 1 wakes it there (%llu)",
		  (unsigned long long)w.result);
	if (sgi_lost)
		goto out;
	v = loop_cmd(&l0, CMD_SGI_ENABLE, 1U << 6);
	tap_check((v & 0xffff) == 1U << 6 && loop_cmd(&l0, CMD_SGI, 6ULL << 24 | 1U << 0) == 0 &&
		  loop_cmd(&l0, CMD_IRQ_WAIT, 6 | 1ULL << 32) == 1, "SGI 6, enabled, to itself");

	/* Removal and close while the guest runs. */
	tap_check(add_irqfd(vm.fd, efd[1], 1, 0, GUNYAH_VM_REMOVE_FUNCTION) == 0,
		  "irqfd on label 1 removed while the VM runs");
	eventfd_write(efd[1], 1);
	usleep(50000);
	tap_check(loop_cmd(&l0, CMD_IRQ_COUNT, EDGE) == 103,
		  "  ... its signals no longer reach the guest");
	close(efd[4]);
	efd[4] = -1;
	tap_check(add_irqfd(vm.fd, efd[1], 1, 0, GUNYAH_VM_ADD_FUNCTION) == 0,
		  "  ... the label can be added again, and the closed eventfd of label 4 harms nothing");
	eventfd_write(efd[1], 1);
	v = loop_cmd(&l0, CMD_IRQ_WAIT, EDGE | 104ULL << 32);
	tap_check(v == 104, "  ... and the new irqfd delivers (%llu)", (unsigned long long)v);

	/* bell_send failing in the hypervisor: logged, nothing delivered, the next one works. */
	logs = klog_count("bell_send failed");
	fault_reset();
	fault_arm(HVC_BELL_SEND, 1, FAULT_HVC_ERROR, 1, 1);
	eventfd_write(efd[1], 1);
	usleep(50000);
	tap_check_hyp(fault_fired() == 1 && klog_count("bell_send failed") > logs &&
		      loop_cmd(&l0, CMD_IRQ_COUNT, EDGE) == 104,
		      "bell_send refused by the hypervisor: logged, no interrupt");
	fault_reset();
	eventfd_write(efd[1], 1);
	tap_check(loop_cmd(&l0, CMD_IRQ_WAIT, EDGE | 105ULL << 32) == 105,
		  "  ... the next signal delivers");
out:
	tvm_free(&vm);
	for (int i = 1; i <= 4; i++)
		if (efd[i] >= 0)
			close(efd[i]);
}

/* bell_set_mask failing when a level irqfd gets its doorbell: logged, the VM still runs. */
static void test_set_mask_fault(void)
{
	int efd = eventfd(0, EFD_CLOEXEC), logs = klog_count("bell_set_mask failed"), r;
	struct loop l = { 0 };
	struct tvm vm;

	r = tvm_make(&vm, dev, "guest-irq.dtb", MEM_SIZE, false, 1);
	r = r ?: add_irqfd(vm.fd, efd, 2, GUNYAH_IRQFD_FLAGS_LEVEL, GUNYAH_VM_ADD_FUNCTION);
	fault_reset();
	fault_arm(HVC_BELL_SET_MASK, 1, FAULT_HVC_ERROR, 1, 1);
	r = r ?: vm_start(&(struct test_vm){ .fd = vm.fd });
	tap_check_hyp(r == 0 && fault_fired() == 1 && klog_count("bell_set_mask failed") > logs,
		      "bell_set_mask refused at start: logged, the VM starts (%d)", r);
	fault_reset();
	l = (struct loop){ .vm = &vm, .idx = 0 };
	tap_check(loop_cmd(&l, CMD_IRQ_COUNT, LEVEL) == 0, "  ... and runs its guest");
	tvm_free(&vm);
	close(efd);
}

static void test_ioeventfd(void)
{
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), r, exits;
	struct loop l = { 0 };
	struct tvm vm;
	uint64_t v;

	r = tvm_make(&vm, dev, "guest-irq.dtb", MEM_SIZE, false, 1);
	r = r ?: add_ioeventfd(vm.fd, efd, GUEST_REG_DATA, 8, 0, 0, GUNYAH_VM_ADD_FUNCTION);
	r = r ?: vm_start(&(struct test_vm){ .fd = vm.fd });
	if (!tap_check(r == 0, "VM with an ioeventfd on its DATA register (%d)", r))
		goto out;
	l = (struct loop){ .vm = &vm, .idx = 0 };
	exits = l.mmio_exits;
	v = loop_cmd(&l, CMD_BENCH, 1000);
	/* The exits: command, argument, result, and the read of the next command. */
	tap_check(v == 1000 && l.mmio_exits - exits == 4 && l.last_write_len == 0,
		  "1000 guest writes to DATA: no MMIO exit for them (%d exits in all)",
		  l.mmio_exits - exits);
	v = efd_read(efd);
	tap_check(v == 1000, "  ... and the eventfd counted 1000 (%llu)", (unsigned long long)v);
	l.data_value = 0x1234;
	v = loop_cmd(&l, CMD_READ | 8 << 8, 0);
	tap_check(v == 0x1234 && l.data_reads == 1, "reads of DATA still exit to the VMM");
	tap_check(loop_cmd(&l, CMD_WRITE | 4 << 8, 7) == 0 && l.last_write == 7 &&
		  efd_read(efd) == 0,
		  "a 4-byte write does not match the 8-byte ioeventfd: it exits");

	r = add_ioeventfd(vm.fd, efd, GUEST_REG_DATA, 8, 0, 0, GUNYAH_VM_REMOVE_FUNCTION);
	r = r ?: add_ioeventfd(vm.fd, efd, GUEST_REG_DATA, 4, GUNYAH_IOEVENTFD_FLAGS_DATAMATCH,
			       0x55, GUNYAH_VM_ADD_FUNCTION);
	tap_check(r == 0, "replaced by a 4-byte datamatch 0x55 one, while the VM runs");
	l.last_write = 0;
	tap_check(loop_cmd(&l, CMD_WRITE | 4 << 8, 0x55) == 0 && l.last_write == 0 &&
		  efd_read(efd) == 1,
		  "datamatch hit: no exit, one signal");
	tap_check(loop_cmd(&l, CMD_WRITE | 4 << 8, 0x56) == 0 && l.last_write == 0x56 &&
		  efd_read(efd) == 0, "datamatch miss: an MMIO exit, no signal");

	r = add_ioeventfd(vm.fd, efd, GUEST_REG_DATA, 4, GUNYAH_IOEVENTFD_FLAGS_DATAMATCH, 0x55,
			  GUNYAH_VM_REMOVE_FUNCTION);
	r = r ?: add_ioeventfd(vm.fd, efd, GUEST_REG_DATA, 0, 0, 0, GUNYAH_VM_ADD_FUNCTION);
	l.last_write = 0;
	for (unsigned int size = 1; size <= 8 && !r; size *= 2)
		r = loop_cmd(&l, CMD_WRITE | size << 8, size);
	tap_check(r == 0 && l.last_write == 0 && efd_read(efd) == 4,
		  "length 0: writes of 1, 2, 4 and 8 bytes all taken");
	r = add_ioeventfd(vm.fd, efd, GUEST_REG_DATA, 0, 0, 0, GUNYAH_VM_REMOVE_FUNCTION);
	tap_check(r == 0 && loop_cmd(&l, CMD_WRITE | 8 << 8, 9) == 0 && l.last_write == 9 &&
		  efd_read(efd) == 0, "removed: writes exit again");
out:
	tvm_free(&vm);
	close(efd);
}

int main(void)
{
	struct hyp_stats h0 = { 0 }, h1 = { 0 };

	tap_begin();
	dev = gh_open();
	if (!tap_check(dev >= 0, "/dev/gunyah opens") ||
	    !tap_check_hyp(hyp_stats(&h0) == 0, "the hypervisor's counters"))
		return tap_finish();
	tap_diag("profile %s", oss_profile() ? "oss" : "v17");
	test_irqfd(false);
	test_irqfd(true);
	test_set_mask_fault();
	test_ioeventfd();
	fault_reset();
	tap_check_hyp(hyp_stats(&h1) == 0 && hyp_stats_equal(&h0, &h1),
		      "nothing left in the hypervisor");
	close(dev);
	return tap_finish();
}
