/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small VMM for the bare-metal test guest (guest/), shared by the tests
 * that drive it: VMs with user memory and vCPUs, and a run loop that
 * answers the guest's command protocol (guest/guest_abi.h) over MMIO.
 */
#ifndef GUNYAH_TEST_VMM_H
#define GUNYAH_TEST_VMM_H

#include <sys/eventfd.h>
#include <time.h>

#include "guest/guest_abi.h"
#include "gunyah_util.h"

#define DTB_OFFSET	0x80000
#define GVM_IMAGE_SIZE	(2ULL << 20)	/* the image binding of gvm_make() */

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

struct cmd {
	uint64_t cmd;
	uint64_t arg;
};

struct tvm {
	int fd;
	uint8_t *mem;
	size_t mem_size;
	int vcpu[2];
	struct gunyah_vcpu_run *run[2];
};

/* VMM state for one vCPU loop */
struct loop {
	struct tvm *vm;
	int idx;
	const struct cmd *cmds;
	int ncmds;
	int next;
	uint64_t data_value;		/* what MMIO reads of DATA return */
	int read_action;		/* resume action for DATA reads */
	int retry_left;
	uint64_t results[64];
	int nresults;
	uint64_t last_write;
	unsigned int last_write_len;
	uint64_t errors[8];
	int nerrors;
	uint64_t hello;
	int mmio_exits;
	int data_reads;
	char uart[128];
	int uart_len;
	bool pending_cmd;
	bool exit_after_data_read;	/* answer a DATA read, then immediate_exit */
};

/* vCPU @i of @vm with its run page mapped (NULL if not); 0 or -errno. */
static inline int tvm_add_vcpu(struct tvm *vm, int i)
{
	struct gunyah_fn_vcpu_arg arg = { .id = i };
	struct gunyah_fn_desc fn = {
		.type = GUNYAH_FN_VCPU, .arg_size = sizeof(arg), .arg = (uintptr_t)&arg,
	};
	long size;

	vm->vcpu[i] = ioctl(vm->fd, GUNYAH_VM_ADD_FUNCTION, &fn);
	if (vm->vcpu[i] < 0)
		return -errno;
	size = ioctl(vm->vcpu[i], GUNYAH_VCPU_MMAP_SIZE);
	if (size < (long)sizeof(struct gunyah_vcpu_run))
		return -EINVAL;
	vm->run[i] = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu[i], 0);
	if (vm->run[i] == MAP_FAILED) {
		vm->run[i] = NULL;
		return -errno;
	}
	return 0;
}

/*
 * A VM running the test guest: @mem_size bytes of user memory at
 * GUEST_MEM_BASE (shared or lent) with the guest at its start and the
 * device tree @dtb at DTB_OFFSET, and @nvcpus vCPUs with their run pages.
 */
static inline int tvm_make(struct tvm *vm, int dev, const char *dtb, size_t mem_size, bool lend,
			   int nvcpus)
{
	char path[128];
	struct gunyah_vm_dtb_config cfg = { .guest_phys_addr = GUEST_MEM_BASE + DTB_OFFSET };
	ssize_t n;
	int r;

	memset(vm, 0, sizeof(*vm));
	vm->vcpu[0] = -1;
	vm->vcpu[1] = -1;
	vm->mem_size = mem_size;
	vm->fd = ioctl(dev, GUNYAH_CREATE_VM, 0);
	vm->mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm->fd < 0 || vm->mem == MAP_FAILED)
		return -ENOMEM;
	if (lend) {
		madvise(vm->mem, mem_size, MADV_DONTFORK);
		madvise(vm->mem, mem_size, MADV_DONTDUMP);
	}
	n = load_file(DTB_DIR "test-guest.bin", vm->mem, DTB_OFFSET);
	if (n <= 0)
		return -ENOENT;
	snprintf(path, sizeof(path), DTB_DIR "%s", dtb);
	n = load_file(path, vm->mem + DTB_OFFSET, 0x10000);
	if (n <= 0)
		return -ENOENT;
	cfg.size = dt_region_size(n, mem_size - DTB_OFFSET);
	r = vm_add_region(vm->fd, 0, GUEST_MEM_BASE, vm->mem, mem_size,
			  GH_MEM_ALLOW_READ | GH_MEM_ALLOW_WRITE | GH_MEM_ALLOW_EXEC, lend);
	if (!r)
		r = gh_ioctl(vm->fd, GUNYAH_VM_SET_DTB_CONFIG, &cfg);
	for (int i = 0; i < nvcpus && !r; i++)
		r = tvm_add_vcpu(vm, i);
	return r;
}

static inline void tvm_free(struct tvm *vm)
{
	for (int i = 0; i < 2; i++) {
		if (vm->vcpu[i] >= 0) {
			if (vm->run[i])
				munmap(vm->run[i], 4096);
			close(vm->vcpu[i]);
		}
	}
	close(vm->fd);
	munmap(vm->mem, vm->mem_size);
}

/* A VM on a guest memory file, with vCPU 0 (see gvm_make()). */
struct gvm {
	int fd, vm, vcpu;
	struct gunyah_vcpu_run *run;
};

/*
 * A guest memory file of @file_size bytes whose first GVM_IMAGE_SIZE bytes
 * hold the test guest and, at DTB_OFFSET, the device tree @dtb, bound lent at
 * GUEST_MEM_BASE; vCPU 0 with its run page.  Not started: the caller may
 * add bindings first.  0 or -errno; gvm_free() in any case.
 */
static inline int gvm_make(struct gvm *g, int dev, uint64_t file_size, const char *dtb)
{
	struct gunyah_vm_dtb_config cfg = { .guest_phys_addr = GUEST_MEM_BASE + DTB_OFFSET };
	struct gunyah_fn_vcpu_arg varg = { .id = 0 };
	struct gunyah_fn_desc fn = {
		.type = GUNYAH_FN_VCPU, .arg_size = sizeof(varg), .arg = (uintptr_t)&varg,
	};
	char path[128];
	uint8_t *p;
	int r;

	g->vcpu = -1;
	g->run = MAP_FAILED;
	g->fd = gmem_create(dev, 0, file_size);
	g->vm = ioctl(dev, GUNYAH_CREATE_VM, 0);
	if (g->fd < 0 || g->vm < 0)
		return -ENOMEM;
	p = mmap(NULL, GVM_IMAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, g->fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	snprintf(path, sizeof(path), DTB_DIR "%s", dtb);
	load_file(DTB_DIR "test-guest.bin", p, DTB_OFFSET);
	cfg.size = load_file(path, p + DTB_OFFSET, 0x10000);
	munmap(p, GVM_IMAGE_SIZE);
	r = gmem_map(g->vm, g->fd, GUEST_MEM_BASE, 0, GVM_IMAGE_SIZE,
		     GUNYAH_MEM_ALLOW_RWX | GUNYAH_MEM_FORCE_LEND) ?:
	    gh_ioctl(g->vm, GUNYAH_VM_SET_DTB_CONFIG, &cfg);
	if (r)
		return r;
	g->vcpu = ioctl(g->vm, GUNYAH_VM_ADD_FUNCTION, &fn);
	if (g->vcpu < 0)
		return -errno;
	g->run = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, g->vcpu, 0);
	return g->run == MAP_FAILED ? -errno : 0;
}

static inline void gvm_free(struct gvm *g)
{
	if (g->run != MAP_FAILED)
		munmap(g->run, 4096);
	close(g->vcpu);
	close(g->vm);
	close(g->fd);
}

/* Emulate one MMIO exit; returns false when the command list is done. */
static inline bool handle_mmio(struct loop *l, struct gunyah_vcpu_run *run)
{
	uint64_t a = run->mmio.phys_addr, v = 0;

	l->mmio_exits++;
	memcpy(&v, run->mmio.data, run->mmio.len);
	if (run->mmio.is_write) {
		switch (a) {
		case GUEST_REG_RESULT:
			if (l->nresults < 64)
				l->results[l->nresults++] = v;
			break;
		case GUEST_REG_ERROR:
			if (l->nerrors < 8)
				l->errors[l->nerrors++] = v;
			break;
		case GUEST_REG_HELLO:
			l->hello = v | (1ULL << 63);
			break;
		case GUEST_UART_DR:
			if (l->uart_len < (int)sizeof(l->uart) - 1)
				l->uart[l->uart_len++] = (char)v;
			break;
		case GUEST_REG_DATA:
			l->last_write = v;
			l->last_write_len = run->mmio.len;
			break;
		}
		return true;
	}
	switch (a) {
	case GUEST_REG_CMD:
		if (l->next == l->ncmds) {
			/* Out of commands: answer this read on the next run_loop(). */
			l->pending_cmd = true;
			return false;
		}
		v = l->cmds[l->next].cmd;
		/* Commands without an argument read. */
		if ((v & 0xff) == CMD_SYSTEM_OFF || (v & 0xff) == CMD_SYSTEM_RESET ||
		    (v & 0xff) == CMD_NO_SYNDROME)
			l->next++;
		break;
	case GUEST_REG_ARG:
		/* A VMM that re-runs without answering may get here past the end. */
		v = l->next < l->ncmds ? l->cmds[l->next++].arg : 0;
		break;
	case GUEST_REG_DATA:
		l->data_reads++;
		if (l->retry_left) {
			l->retry_left--;
			run->mmio.resume_action = GUNYAH_VCPU_RESUME_RETRY;
			return true;
		}
		run->mmio.resume_action = l->read_action;
		v = l->data_value;
		if (l->exit_after_data_read)
			run->immediate_exit = 1;
		break;
	}
	memcpy(run->mmio.data, &v, sizeof(v));
	return true;
}

/* Run until the commands are used up (returns 0) or another exit. */
static inline int run_loop(struct loop *l)
{
	struct gunyah_vcpu_run *run = l->vm->run[l->idx];
	int fd = l->vm->vcpu[l->idx];

	if (l->pending_cmd) {
		l->pending_cmd = false;
		if (!handle_mmio(l, run))
			return 0;
	}
	for (;;) {
		if (ioctl(fd, GUNYAH_VCPU_RUN) < 0)
			return -errno;
		if (run->exit_reason != GUNYAH_VCPU_EXIT_MMIO)
			return run->exit_reason == GUNYAH_VCPU_EXIT_STATUS ? 1000 : 2000;
		if (!handle_mmio(l, run))
			return 0;
	}
}

/*
 * Run one command on a vCPU, without a struct loop: its arguments are
 * read one by one (the last one again if the guest reads more); returns 0
 * with the guest's result, an exit reason, or -errno.
 */
static inline int vcpu_run_cmd(int vcpu, struct gunyah_vcpu_run *run, uint64_t cmd,
			       const uint64_t *args, int nargs, uint64_t *result)
{
	bool cmd_given = false;
	int next = 0;

	for (;;) {
		if (ioctl(vcpu, GUNYAH_VCPU_RUN) < 0)
			return -errno;
		if (run->exit_reason != GUNYAH_VCPU_EXIT_MMIO)
			return run->exit_reason;
		if (run->mmio.is_write) {
			if (run->mmio.phys_addr == GUEST_REG_RESULT) {
				memcpy(result, run->mmio.data, 8);
				return 0;
			}
			continue;
		}
		if (run->mmio.phys_addr == GUEST_REG_CMD) {
			if (cmd_given)
				return -EAGAIN;	/* finished without a result */
			memcpy(run->mmio.data, &cmd, 8);
			cmd_given = true;
		} else {
			memcpy(run->mmio.data, &args[next < nargs ? next : nargs - 1], 8);
			next++;
		}
	}
}

/* Run one command on the loop's vCPU; its result, or ~0 if it gave none. */
static inline uint64_t loop_cmd(struct loop *l, uint64_t c, uint64_t arg)
{
	struct cmd one = { c, arg };

	l->cmds = &one;
	l->ncmds = 1;
	l->next = 0;
	l->nresults = 0;
	if (run_loop(l) != 0 || l->nresults != 1)
		return ~0ULL;
	return l->results[0];
}

/* The count an eventfd collected (and resets), or 0 if none. */
static inline uint64_t efd_read(int efd)
{
	eventfd_t v = 0;

	return eventfd_read(efd, &v) ? 0 : v;
}

#endif
