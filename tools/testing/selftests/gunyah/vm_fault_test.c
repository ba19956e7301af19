// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hostile and failing Resource Manager replies, injected by the test
 * hypervisor: every RPC of the start sequence failing with an RM error,
 * truncated, oversized, misnumbered, malformed and missing replies, stray
 * fragments, notifications about VMs that do not exist, a failing
 * hypercall, and failures during teardown.  Each time the caller gets a
 * clean error, the kernel logs it, nothing crashes or hangs, and the next
 * VM works.  Where the host can clean up, the hypervisor's counts return
 * to where they were.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

#include "gunyah_util.h"

static int dev;
static struct hyp_stats base;

static bool next_vm_works(void)
{
	return vm_cycle(dev, "guest-1cpu.dtb", false) == 0;
}

static bool back_to_base(void)
{
	return hyp_stats_back_to(&base);
}

/* Start a VM with a fault armed; returns the start result. */
static int start_with_fault(unsigned int target, unsigned int nth, int kind, long long value,
			    bool lend, bool boot_context)
{
	struct gunyah_vm_boot_context ctx = {
		.reg = GUNYAH_VM_BOOT_CONTEXT_REG(REG_SET_PC, 0), .value = GUEST_MEM_BASE,
	};
	struct test_vm vm;
	int r;

	fault_reset();
	r = vm_setup(dev, "guest-1cpu.dtb", lend, 64 * 1024, &vm);
	if (r)
		return 1000 + r;
	if (boot_context)
		gh_ioctl(vm.fd, GUNYAH_VM_SET_BOOT_CONTEXT, &ctx);
	if (fault_arm(target, nth, kind, value, 1))
		return 2000;
	r = vm_start(&vm);
	vm_destroy(&vm);
	return r;
}

static void test_rpc_errors(void)
{
	static const struct {
		unsigned int rpc;
		const char *name;
		unsigned int rm_error;
		int expect;
		bool lend;
		bool v17_only;
	} cases[] = {
		{ RPC_VM_GET_VMID, "VM_GET_VMID", 0x1, -ENOMEM },
		{ RPC_VM_ALLOC_VMID, "VM_ALLOC_VMID", 0x2, -ENODEV },
		{ RPC_MEM_SHARE, "MEM_SHARE", 0x1, -ENOMEM },
		{ RPC_MEM_LEND, "MEM_LEND", 0xa, -ERANGE, true },
		{ RPC_VM_CONFIG_IMAGE, "VM_CONFIG_IMAGE", 0x3, -EPERM },
		/*
		 * After CONFIG_IMAGE: the RM's VM can go only through VM_INIT
		 * and VM_RESET (the oss profile refuses DEALLOC_VMID before).
		 */
		{ RPC_VM_SET_ADDRESS_LAYOUT, "VM_SET_ADDRESS_LAYOUT", 0x6, -EINVAL },
		{ RPC_VM_INIT, "VM_INIT", 0x5, -EBUSY },
		{ RPC_VM_SET_BOOT_CONTEXT, "VM_SET_BOOT_CONTEXT", 0x14, -EBADFD, false, true },
		{ RPC_VM_GET_HYP_RESOURCES, "VM_GET_HYP_RESOURCES", 0x7, -ESTALE },
		{ RPC_VM_START, "VM_START", 0x12, -EALREADY },
		{ RPC_VM_ALLOC_VMID, "VM_ALLOC_VMID (unknown error code)", 0x99, -EBADMSG },
		/* No clear answer: its VM_INIT at teardown finds it still LOAD. */
		{ RPC_VM_CONFIG_IMAGE, "VM_CONFIG_IMAGE (unknown error code)", 0x99, -EBADMSG },
		{ RPC_VM_START, "VM_START (UNIMPLEMENTED)", 0xffffffff, -EOPNOTSUPP },
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		int logs = klog_count("failed to start");
		int r;

		if (cases[i].v17_only && oss_profile())
			continue;
		/* The VM manager asks for the host's VMID once: make it ask again. */
		if (cases[i].rpc == RPC_VM_GET_VMID)
			rm_debugfs_write("host_vmid", "65535");
		r = start_with_fault(cases[i].rpc, 1, FAULT_RPC_ERROR, cases[i].rm_error,
				     cases[i].lend, true);
		tap_check(r == cases[i].expect && fault_fired() == 1,
			  "%s fails with RM error %#x: start returns %d (got %d)", cases[i].name,
			  cases[i].rm_error, cases[i].expect, r);
		tap_check(klog_count("failed to start") > logs, "  ... and the kernel logs it");
		tap_check(back_to_base(), "  ... nothing left in the hypervisor");
		tap_check(next_vm_works(), "  ... and the next VM works");
	}
}

/* The host's VMID is asked for once, and again only once forgotten. */
static void test_host_vmid_once(void)
{
	long calls = rpc_calls(RPC_VM_GET_VMID), vmid = -1;

	tap_check(next_vm_works() && next_vm_works() && rpc_calls(RPC_VM_GET_VMID) == calls,
		  "two VMs start without asking the RM for the host's VMID again (%ld calls)",
		  calls);
	rm_debugfs_write("host_vmid", "65535");
	tap_check(next_vm_works() && rpc_calls(RPC_VM_GET_VMID) == calls + 1 &&
		  (vmid = rm_debugfs_read("host_vmid")) >= 0 && vmid != 65535,
		  "forgotten, it is asked for at the next start (host VMID %ld)", vmid);
}

/*
 * Every RM error code becomes its own errno (the table in vmm.rst), and the
 * log line names the step and the RM's code.
 */
static void test_rm_error_table(void)
{
	static const struct {
		unsigned int code;
		const char *name;
		int err;
	} codes[] = {
		{ 0x1, "NOMEM", -ENOMEM }, { 0x2, "NORESOURCE", -ENODEV },
		{ 0x3, "DENIED", -EPERM }, { 0x4, "MSG_INVALID", -EPROTO },
		{ 0x5, "BUSY", -EBUSY }, { 0x6, "ARGUMENT_INVALID", -EINVAL },
		{ 0x7, "HANDLE_INVALID", -ESTALE }, { 0x8, "VALIDATE_FAILED", -ENOEXEC },
		{ 0x9, "MAP_FAILED", -EADDRNOTAVAIL }, { 0xa, "MEM_INVALID", -ERANGE },
		{ 0xb, "MEM_INUSE", -EADDRINUSE }, { 0xc, "MEM_RELEASED", -EIDRM },
		{ 0xd, "VMID_INVALID", -ESRCH }, { 0xe, "LOOKUP_FAILED", -ENOENT },
		{ 0xf, "IRQ_INVALID", -ENXIO }, { 0x10, "IRQ_INUSE", -EEXIST },
		{ 0x11, "IRQ_RELEASED", -ENOLINK }, { 0x12, "IN_USE", -EALREADY },
		{ 0x13, "IRQ_NOT_MAPPED", -ENOTCONN }, { 0x14, "VM_STATE", -EBADFD },
		{ 0xffffffff, "UNIMPLEMENTED", -EOPNOTSUPP },
	};
	unsigned int bad = 0, unlogged = 0;
	char line[96];

	for (unsigned int i = 0; i < ARRAY_SIZE(codes); i++) {
		int r, logs;

		snprintf(line, sizeof(line), "failed to start at VM_INIT: %d (RM: %s)",
			 codes[i].err, codes[i].name);
		logs = klog_count(line);
		r = start_with_fault(RPC_VM_INIT, 1, FAULT_RPC_ERROR, codes[i].code, false, true);
		if (r != codes[i].err || fault_fired() != 1) {
			bad++;
			tap_diag("VM_INIT refused with %s (%#x): %d, expected %d", codes[i].name,
				 codes[i].code, r, codes[i].err);
		} else if (klog_count(line) <= logs) {
			unlogged++;
			tap_diag("no log line \"%s\"", line);
		}
	}
	tap_check(bad == 0, "each of %zu RM error codes at VM_INIT has its own errno (%u wrong)",
		  ARRAY_SIZE(codes), bad);
	tap_check(unlogged == 0, "  ... and a log line naming the step and the code (%u missing)",
		  unlogged);
	snprintf(line, sizeof(line), "at VM_INIT: %d (RM: VALIDATE_FAILED): the device tree",
		 -ENOEXEC);
	tap_check(klog_count(line) > 0, "  ... and what it means at that step (\"%s\")", line);
	tap_check(back_to_base(), "  ... nothing left in the hypervisor");
	tap_check(next_vm_works(), "  ... and the next VM works");
}

static void test_malformed(void)
{
	static const struct {
		unsigned int rpc;
		int kind;
		long long value;
		const char *what;
		int expect;
		const char *log;
	} cases[] = {
		{ RPC_VM_CONFIG_IMAGE, FAULT_RPC_TRUNCATE, 0, "truncated reply", -EBADMSG,
		  "too short" },
		{ RPC_VM_GET_HYP_RESOURCES, FAULT_RPC_OVERSIZE, 1000,
		  "oversized reply (1000 bytes)", -EBADMSG, "reply of" },
		{ RPC_VM_CONFIG_IMAGE, FAULT_RPC_OVERSIZE, 3, "reply with 3 extra bytes", -EBADMSG,
		  "reply of" },
		{ RPC_VM_CONFIG_IMAGE, FAULT_RPC_BAD_SEQ, 0,
		  "reply with a wrong sequence number", -ETIMEDOUT, "unexpected reply" },
		{ RPC_VM_CONFIG_IMAGE, FAULT_RPC_NO_REPLY, 0, "no reply at all", -ETIMEDOUT,
		  "no reply from the RM" },
		{ RPC_VM_CONFIG_IMAGE, FAULT_RPC_BAD_HEADER, 0, "reply with an unknown header",
		  -ETIMEDOUT, "unknown RM RPC header" },
		{ RPC_VM_CONFIG_IMAGE, FAULT_RPC_TOO_MANY_FRAGS, 0,
		  "reply claiming 63 continuations", -EBADMSG, "announces" },
		{ RPC_VM_START, FAULT_RPC_JUNK_FIRST, 0, "stray continuation and request first",
		  0, "stray continuation" },
		{ RPC_VM_START, FAULT_RPC_NOTIFY_BAD_VM, 0,
		  "notifications for a VM that does not exist", 0, "ignored notification" },
		{ HVC_MSGQ_SEND, FAULT_HVC_ERROR, 31, "msgq_send hypercall failing with BUSY",
		  -EBUSY, "msgq_send of" },
	};

	set_rpc_timeout_ms(500);
	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		int logs = klog_count(cases[i].log);
		/* The third msgq_send: a request in the middle of the start sequence. */
		unsigned int nth = 1;
		int r;

		if (cases[i].kind == FAULT_HVC_ERROR)
			nth = 3;
		r = start_with_fault(cases[i].rpc, nth, cases[i].kind, cases[i].value, false,
				     false);

		tap_check(r == cases[i].expect && fault_fired() == 1,
			  "%s: start returns %d (got %d)", cases[i].what, cases[i].expect, r);
		tap_check(klog_count(cases[i].log) > logs, "  ... logged (\"%s\")", cases[i].log);
		tap_check(back_to_base(), "  ... nothing left in the hypervisor");
		tap_check(next_vm_works(), "  ... and the next VM works");
	}
	set_rpc_timeout_ms(10000);
}

/* The CPU the RM's RX interrupt goes to, or -1. */
static int rx_irq_cpu(void)
{
	char line[256], path[64], aff[32] = "";
	FILE *f = fopen("/proc/interrupts", "r");
	int irq = -1;

	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, "gunyah_rm_rx"))
			irq = atoi(line);
	if (f)
		fclose(f);
	if (irq < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/irq/%d/effective_affinity_list", irq);
	return read_file(path, aff, sizeof(aff)) > 0 ? atoi(aff) : -1;
}

/*
 * Replies that come after the host has looked: the test RM holds the reply
 * back until after the host's next read of its queue, the caller's own
 * read once its request is out, which finds nothing.  The reply then
 * reaches the caller through the RX interrupt thread.  The test runs on
 * the CPU that takes that interrupt, where the thread preempts the caller
 * as soon as the read returns.
 */
static void test_late_replies(void)
{
	static const unsigned int rpcs[] = {
		RPC_VM_ALLOC_VMID, RPC_VM_CONFIG_IMAGE, RPC_VM_INIT, RPC_VM_START,
	};
	int cpu = rx_irq_cpu();
	cpu_set_t all, one;

	sched_getaffinity(0, sizeof(all), &all);
	CPU_ZERO(&one);
	if (cpu >= 0)
		CPU_SET(cpu, &one);
	tap_check(cpu >= 0 && !sched_setaffinity(0, sizeof(one), &one),
		  "the test runs on CPU %d, which takes the RM's RX interrupt", cpu);
	set_rpc_timeout_ms(2000);
	for (unsigned int i = 0; i < ARRAY_SIZE(rpcs); i++) {
		int r = start_with_fault(rpcs[i], 1, FAULT_RPC_LATE_REPLY, 0, false, false);

		tap_check(r == 0 && fault_fired() == 1,
			  "a reply to RPC %#x after the caller's read reaches it (start %d)",
			  rpcs[i], r);
		tap_check(back_to_base(), "  ... nothing left in the hypervisor");
	}
	set_rpc_timeout_ms(10000);
	sched_setaffinity(0, sizeof(all), &all);
}

/* Start a VM, arm the fault once, tear it down; the start's result. */
static int teardown_with_fault(unsigned int rpc, int kind, long long value)
{
	struct test_vm vm;
	int r;

	fault_reset();
	r = vm_setup(dev, "guest-1cpu.dtb", false, 64 * 1024, &vm);
	if (!r)
		r = vm_start(&vm);
	fault_arm(rpc, 1, kind, value, 1);
	if (!r)
		vm_destroy(&vm);
	return r;
}

static void test_teardown_faults(void)
{
	static const struct {
		unsigned int rpc;
		const char *what;
		const char *log;
	} cases[] = {
		{ RPC_VM_STOP, "VM_STOP", "stop failed" },
		{ RPC_VM_RESET, "VM_RESET", "reset failed" },
		{ RPC_VM_DEALLOC_VMID, "VM_DEALLOC_VMID", "dealloc failed" },
		{ RPC_MEM_RECLAIM, "MEM_RECLAIM", "cannot reclaim" },
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		int logs = klog_count(cases[i].log);
		int r = teardown_with_fault(cases[i].rpc, FAULT_RPC_ERROR, 0x3);

		tap_check(r == 0 && fault_fired() == 1, "%s fails during teardown", cases[i].what);
		tap_check(klog_count(cases[i].log) > logs, "  ... logged (\"%s\")", cases[i].log);
		tap_check(next_vm_works(), "  ... and the next VM works");
	}
	/* The RM kept what it refused to give back; count that as the new base. */
	hyp_stats(&base);
}

/*
 * A MEM_RECLAIM the RM carries out but answers too late (here: never) is
 * asked again, and the RM's HANDLE_INVALID to that says it is done: the
 * memory comes back instead of being left leaked.
 */
static void test_reclaim_unanswered(void)
{
	int asked = klog_count("asking again"), leaked = klog_count("cannot reclaim"), r;

	set_rpc_timeout_ms(500);
	r = teardown_with_fault(RPC_MEM_RECLAIM, FAULT_RPC_NO_REPLY, 0);
	set_rpc_timeout_ms(10000);
	tap_check(r == 0 && fault_fired() == 1, "MEM_RECLAIM done but not answered at teardown");
	tap_check(klog_count("asking again") > asked, "  ... asked again, logged");
	tap_check(klog_count("cannot reclaim") == leaked, "  ... nothing left leaked");
	tap_check(back_to_base(), "  ... nothing left in the hypervisor");
	tap_check(next_vm_works(), "  ... and the next VM works");
}

/* A process stuck waiting for a reply that never comes can be killed. */
static void test_kill_waiting(void)
{
	struct timespec t0, t1;
	int status = 0;
	pid_t pid;

	set_rpc_timeout_ms(0);
	fault_reset();
	fault_arm(RPC_VM_CONFIG_IMAGE, 1, FAULT_RPC_NO_REPLY, 0, 1);
	pid = fork();
	if (pid == 0) {
		struct test_vm vm;

		if (vm_setup(dev, "guest-1cpu.dtb", false, 64 * 1024, &vm))
			_exit(2);
		vm_start(&vm);
		_exit(3);
	}
	sleep(1);
	tap_check(waitpid(pid, &status, WNOHANG) == 0, "process waits for the missing reply");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	tap_check(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		  "SIGKILL ends it (%.0f ms)",
		  (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
	set_rpc_timeout_ms(10000);
	tap_check(back_to_base(), "  ... its VM is cleaned up");
	tap_check(next_vm_works(), "  ... and the next VM works");
}

int main(void)
{
	tap_begin();
	dev = gh_open();
	if (!tap_check(dev >= 0, "/dev/gunyah opens") ||
	    !need_test_hyp("the RM and hypercall faults the test hypervisor injects") ||
	    !tap_check(fault_reset() == 0 && hyp_stats(&base) == 0,
		       "test hypervisor fault injection available"))
		return tap_finish();
	tap_diag("profile %s", oss_profile() ? "oss" : "v17");
	test_rpc_errors();
	test_host_vmid_once();
	test_rm_error_table();
	test_malformed();
	test_late_replies();
	test_reclaim_unanswered();
	test_kill_waiting();
	test_teardown_faults();
	fault_reset();
	close(dev);
	return tap_finish();
}
