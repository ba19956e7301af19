// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ioctl sequences of the two other families of Gunyah VMMs, replayed
 * step by step against the bare-metal test guest (guest/, with the
 * doorbells of dts/guest-irq.dts), on either RM profile (GH_PROFILE).  Each
 * replay asserts every step, that the guest ran (interrupt from an irqfd,
 * a write an ioeventfd took, stores and loads in each memory range), that
 * it powered off, and that the hypervisor's objects and memory and the
 * host's free memory came back.
 *
 * crosvm (hypervisor/src/gunyah, aarch64/src/lib.rs), for a protected VM
 * and for a plain one: GUNYAH_CREATE_VM; its memory regions in order, the
 * first file-backed one with GH_VM_ANDROID_MAP_CMA_MEM (label = region
 * index, R|X, W unless read-only, FORCE_LEND when the VM isolates memory
 * else FORCE_SHARE), the others with GH_VM_ANDROID_LEND_USER_MEM or
 * GH_VM_SET_USER_MEM_REGION (R|X|W); GH_VM_ANDROID_SET_FW_CONFIG when its
 * pVM firmware runs; the vCPUs (ADD_FUNCTION, MMAP_SIZE, mmap); irqfds
 * (label = SPI, level flag) and ioeventfds (DATAMATCH with the value);
 * then GH_VM_ANDROID_SET_AUTH_TYPE, GUNYAH_VM_SET_DTB_CONFIG with its
 * 2 MiB device tree window, GUNYAH_VM_SET_BOOT_CONTEXT for the PC only
 * (the payload entry) and GUNYAH_VM_START; its vCPU loop runs until a
 * status exit.  Its payload and device tree share one region (crosvm
 * checks that): for the protected VM the file-backed one (a Qualcomm
 * trusted VM's layout), which crosvm keeps mapped and writes through, with
 * lent RAM after it; for the plain VM shared RAM, with the file-backed
 * region shared after it.  The test RM maps the image parcel only (another
 * parcel is the guest's to accept, which the test guest does not do), so
 * the pVM's RAM is not reached: reported as skipped, as are the plain VM's
 * accesses to its file-backed region on the open-source RM, which has no
 * demand paging.  Two departures, both because of the test RM: crosvm
 * sends authentication type 1 (Qualcomm trusted VM), which the test RM
 * cannot authenticate (android_ioctl_test), so type 0 is replayed with
 * crosvm's argument; and its firmware region is of its own, while the
 * test RM knows firmware in the image parcel only, so the firmware (a stub
 * that jumps to the payload with x0 kept) sits in the file-backed region.
 *
 * gunyah-test-vmm (the upstream-style VMM): guest memory from
 * GUNYAH_CREATE_GUEST_MEM (2 MiB pages on request), bound with
 * GUNYAH_VM_MAP_MEM in the v17 flag layout (FORCE_LEND or FORCE_SHARE,
 * GUNYAH_MEM_ALLOW_*), a hole unbound in the middle of a further RAM range
 * with GUNYAH_MEM_UNMAP and its pages punched out with fallocate, as its
 * punch_hole does, the device tree and payload
 * written through short-lived mappings, GUNYAH_VM_SET_DTB_CONFIG, the
 * boot context's PC and SP (SP_EL1), edge and level irqfds, an ioeventfd
 * without DATAMATCH, GUNYAH_VM_START and the vCPU loop.  The open-source
 * RM has no demand paging: there the RAM binding is never given to the
 * guest, and its checks are reported as skipped.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/eventfd.h>

#include "test_vmm.h"

#define IMG_BASE	GUEST_MEM_BASE
#define IMG_SIZE	0x400000		/* payload, firmware, device tree */
#define FW_OFFSET	0x100000
#define FW_SIZE		0x1000
#define FDT_OFFSET	0x200000
#define FDT_WINDOW	0x200000		/* crosvm's AARCH64_FDT_MAX_SIZE */
#define RAM_BASE	(GUEST_MEM_BASE + 0x1000000)
#define RAM_SIZE	0x200000
#define EDGE_SPI	(32 + 10)		/* guest-irq.dts: doorbell label 1 */
#define LEVEL_SPI	(32 + 11)		/* label 2 */
#define IO_MATCH	0x5aULL
#define FDT_MAGIC_LE	0xedfe0dd0U		/* 0xd00dfeed as a little-endian load */
#define RM_IRQFD_LEVEL	GUNYAH_IRQFD_FLAGS_LEVEL

static int dev;

static int add_fn(int vm, uint32_t type, void *arg, uint32_t size)
{
	struct gunyah_fn_desc f = { .type = type, .arg_size = size, .arg = (uintptr_t)arg };

	return ioctl(vm, GUNYAH_VM_ADD_FUNCTION, &f) < 0 ? -errno : 0;
}

static int add_irqfd(int vm, int efd, uint32_t label, uint32_t flags)
{
	struct gunyah_fn_irqfd_arg a = { .fd = efd, .label = label, .flags = flags };

	return add_fn(vm, GUNYAH_FN_IRQFD, &a, sizeof(a));
}

static int add_ioeventfd(int vm, int efd, uint64_t addr, uint32_t len, uint32_t flags,
			 uint64_t data)
{
	struct gunyah_fn_ioeventfd_arg a = {
		.datamatch = data, .addr = addr, .len = len, .fd = efd, .flags = flags,
	};

	return add_fn(vm, GUNYAH_FN_IOEVENTFD, &a, sizeof(a));
}

/* vCPUs 0 and 1 with their run pages, as both VMMs make them. */
static int add_vcpus(struct tvm *vm)
{
	int r = 0;

	for (int i = 0; i < 2 && !r; i++)
		r = tvm_add_vcpu(vm, i);
	return r;
}

static void free_vm(struct tvm *vm)
{
	for (int i = 0; i < 2; i++) {
		if (vm->run[i])
			munmap(vm->run[i], 4096);
		if (vm->vcpu[i] >= 0)
			close(vm->vcpu[i]);
	}
	if (vm->fd >= 0)
		close(vm->fd);
}

static int set_boot_reg(int vm, uint32_t set, uint32_t idx, uint64_t value)
{
	struct gunyah_vm_boot_context ctx = {
		.reg = GUNYAH_VM_BOOT_CONTEXT_REG(set, idx), .value = value,
	};

	return gh_ioctl(vm, GUNYAH_VM_SET_BOOT_CONTEXT, &ctx);
}

/*
 * What the guest does in every replay: take an edge and a level doorbell
 * interrupt from the irqfds, write the ioeventfd's register (no exit),
 * store and load at RAM_BASE (the second range) unless @ram_skip says why
 * not, store in the image range, read the
 * device tree, and power off.
 */
static void run_guest(const char *who, struct tvm *vm, int irq_edge, int irq_level, int io,
		      uint64_t io_value, const char *ram_skip)
{
	struct loop l = { .vm = vm, .idx = 0 };
	struct cmd off = { CMD_SYSTEM_OFF, 0 };
	uint64_t v;
	int r;

	r = loop_cmd(&l, CMD_IRQ_SETUP, EDGE_SPI) |
	    loop_cmd(&l, CMD_IRQ_SETUP, LEVEL_SPI | 1 << 16);
	tap_check(r == 0, "%s: the guest runs and enables its doorbell SPIs", who);
	eventfd_write(irq_edge, 1);
	v = loop_cmd(&l, CMD_IRQ_WAIT, EDGE_SPI | 1ULL << 32);
	tap_check(v == 1, "%s: the edge irqfd's interrupt reaches it (%llu)", who,
		  (unsigned long long)v);
	if (level_irqfd_refused()) {
		tap_skip("%s: the level irqfd's interrupt: %s", who, LEVEL_IRQFD_REFUSED);
	} else {
		eventfd_write(irq_level, 1);
		v = loop_cmd(&l, CMD_IRQ_WAIT, LEVEL_SPI | 1ULL << 32);
		tap_check(v == 1, "%s: the level irqfd's interrupt reaches it (%llu)", who,
			  (unsigned long long)v);
	}
	l.last_write = 0;
	v = loop_cmd(&l, CMD_WRITE | 8 << 8, io_value);
	tap_check(v == 0 && l.last_write == 0 && efd_read(io) == 1,
		  "%s: its write of %#llx goes to the ioeventfd, not to this VMM", who,
		  (unsigned long long)io_value);
	if (ram_skip) {
		tap_skip("%s: store and load in the second range: %s", who, ram_skip);
	} else {
		v = loop_cmd(&l, CMD_STORE, RAM_BASE + 0x1000);
		tap_check(v == STORE_VALUE, "%s: it stores and loads in the second range (%#llx)",
			  who, (unsigned long long)v);
	}
	v = loop_cmd(&l, CMD_STORE, IMG_BASE + 0x80000);
	tap_check(v == STORE_VALUE, "%s: ... and in the image range (%#llx)", who,
		  (unsigned long long)v);
	v = loop_cmd(&l, CMD_LOAD, IMG_BASE + FDT_OFFSET);
	tap_check((uint32_t)v == FDT_MAGIC_LE, "%s: it reads its device tree (%#llx)", who,
		  (unsigned long long)v);
	l.cmds = &off;
	l.ncmds = 1;
	l.next = 0;
	r = run_loop(&l);
	tap_check(r == 1000 && vm->run[0]->status.status == GUNYAH_VM_STATUS_EXITED,
		  "%s: it powers off: a status exit, EXITED (%d)", who, r);
}

/* A64 stub firmware: x1 = IMG_BASE, br x1 (x0, the device tree, is kept). */
static void write_handover_firmware(uint8_t *dst)
{
	uint32_t code[] = {
		0xd2800001U | 1U << 21 | (uint32_t)(IMG_BASE >> 16 & 0xffff) << 5,
		0xd61f0020U,
	};

	memcpy(dst, code, sizeof(code));
}

/* Test guest at the start of @p, device tree at FDT_OFFSET. */
static int load_payload(uint8_t *p)
{
	if (load_file(DTB_DIR "test-guest.bin", p, FW_OFFSET) <= 0 ||
	    load_file(DTB_DIR "guest-irq.dtb", p + FDT_OFFSET, FDT_WINDOW) <= 0)
		return -ENOENT;
	return 0;
}

struct leak_base {
	struct hyp_stats hyp;
	long free_kb;
};

static void leak_base(struct leak_base *b)
{
	hyp_stats(&b->hyp);
	b->free_kb = free_mem_kb("MemFree");
}

static void leak_check(const char *who, const struct leak_base *b)
{
	long now;

	tap_check_hyp(hyp_stats_back_to(&b->hyp),
		      "%s: the hypervisor's objects and memory are back", who);
	tap_check(meminfo_back_to("MemFree", b->free_kb, 512, &now),
		  "%s: the host's free memory is back (%ld -> %ld kB)", who, b->free_kb, now);
}

/*
 * crosvm's sequence.  A protected VM (a Qualcomm trusted VM's layout): the
 * file-backed region, lent, holds payload, firmware and device tree, and
 * RAM is lent user memory.  A plain VM: RAM, shared user memory, holds
 * payload and device tree, and the file-backed region is shared after it.
 */
static void replay_crosvm(bool protected)
{
	const char *who = protected ? "crosvm pVM" : "crosvm VM";
	const uint64_t cma_gpa = protected ? IMG_BASE : RAM_BASE;
	const uint64_t cma_size = protected ? IMG_SIZE : RAM_SIZE;
	const uint64_t ram_gpa = protected ? RAM_BASE : IMG_BASE;
	const uint64_t ram_size = protected ? RAM_SIZE : IMG_SIZE;
	struct tvm vm = { .fd = -1, .vcpu = { -1, -1 } };
	struct gh_vm_auth_pvm_arg auth = {
		.vm_id = 45, .pas_id = 0x1c, .guest_phys_addr = IMG_BASE, .size = IMG_SIZE,
	};
	struct gh_vm_auth_type desc = {
		.type = GH_VM_AUTH_ANDROID_PVM, .arg_size = sizeof(auth), .arg = (uintptr_t)&auth,
	};
	struct gunyah_vm_firmware_config fw = { IMG_BASE + FW_OFFSET, FW_SIZE };
	struct gunyah_vm_dtb_config dtb = { IMG_BASE + FDT_OFFSET, FDT_WINDOW };
	struct gh_map_cma_mem_args cma = {
		.label = protected ? 0 : 1, .guest_addr = cma_gpa, .offset = 0, .size = cma_size,
		.flags = GH_MEM_ALLOW_READ | GH_MEM_ALLOW_EXEC | GH_MEM_ALLOW_WRITE |
			 (protected ? GH_MEM_FORCE_LEND : GH_MEM_FORCE_SHARE),
	};
	struct gunyah_create_mem_args ca = { .flags = GHMF_CLOEXEC, .size = cma_size };
	int irq_edge = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	int irq_level = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	int io = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	uint8_t *file_map = MAP_FAILED, *ram = MAP_FAILED, *img;
	const char *skip = NULL;
	struct leak_base base;
	int gmem = -1, r;

	leak_base(&base);
	vm.fd = ioctl(dev, GUNYAH_CREATE_VM, 0);
	if (!tap_check(vm.fd >= 0 && irq_edge >= 0 && irq_level >= 0 && io >= 0,
		       "%s: GH_CREATE_VM", who))
		goto out;

	/* The file-backed region (crosvm's CMA), mapped for good, and RAM. */
	gmem = ioctl(dev, GUNYAH_CREATE_GUEST_MEM, &ca);
	if (gmem >= 0)
		file_map = mmap(NULL, cma_size, PROT_READ | PROT_WRITE, MAP_SHARED, gmem, 0);
	ram = mmap(NULL, ram_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!tap_check(file_map != MAP_FAILED && ram != MAP_FAILED,
		       "%s: a contiguous-memory file and anonymous RAM, mapped", who))
		goto out;
	img = protected ? file_map : ram;

	/* Its regions in guest address order. */
	cma.guest_mem_fd = gmem;
	if (!protected) {
		r = vm_add_region(vm.fd, 0, ram_gpa, ram, ram_size, GH_MEM_ALLOW_READ |
				  GH_MEM_ALLOW_EXEC | GH_MEM_ALLOW_WRITE, false);
		tap_check(r == 0, "%s: GH_VM_SET_USER_MEM_REGION label 0 (%d)", who, r);
	}
	r = gh_ioctl(vm.fd, GH_VM_ANDROID_MAP_CMA_MEM, &cma);
	tap_check(r == 0, "%s: GH_VM_ANDROID_MAP_CMA_MEM label %u, flags %#x (%d)", who,
		  cma.label, cma.flags, r);
	if (protected) {
		r = vm_add_region(vm.fd, 1, ram_gpa, ram, ram_size,
				  GH_MEM_ALLOW_READ | GH_MEM_ALLOW_EXEC | GH_MEM_ALLOW_WRITE, true);
		tap_check(r == 0, "%s: GH_VM_ANDROID_LEND_USER_MEM label 1 (%d)", who, r);
		r = gh_ioctl(vm.fd, GH_VM_ANDROID_SET_FW_CONFIG, &fw);
		tap_check(r == 0, "%s: GH_VM_ANDROID_SET_FW_CONFIG %#llx+%#llx (%d)", who,
			  (unsigned long long)fw.guest_phys_addr, (unsigned long long)fw.size, r);
	}
	r = add_vcpus(&vm);
	tap_check(r == 0, "%s: two vCPUs, their run pages mapped (%d)", who, r);
	r = add_irqfd(vm.fd, irq_edge, 1, 0) ?: add_irqfd(vm.fd, irq_level, 2, RM_IRQFD_LEVEL);
	tap_check(r == 0, "%s: irqfds, edge label 1 and level label 2 (%d)", who, r);
	r = add_ioeventfd(vm.fd, io, GUEST_REG_DATA, 8, GUNYAH_IOEVENTFD_FLAGS_DATAMATCH,
			  IO_MATCH);
	tap_check(r == 0, "%s: ioeventfd, 8 bytes with DATAMATCH (%d)", who, r);

	/* Payload, device tree (and firmware) written through its mappings. */
	r = load_payload(img);
	if (protected)
		write_handover_firmware(img + FW_OFFSET);
	tap_check(r == 0, "%s: payload and device tree written to the %s region (%d)", who,
		  protected ? "file-backed" : "RAM", r);

	/* init_arch() */
	if (protected) {
		r = gh_ioctl(vm.fd, GH_VM_ANDROID_SET_AUTH_TYPE, &desc);
		tap_check(r == 0, "%s: GH_VM_ANDROID_SET_AUTH_TYPE type 0 (%d)", who, r);
	}
	r = gh_ioctl(vm.fd, GUNYAH_VM_SET_DTB_CONFIG, &dtb);
	tap_check(r == 0, "%s: GUNYAH_VM_SET_DTB_CONFIG, 2 MiB window (%d)", who, r);
	r = set_boot_reg(vm.fd, REG_SET_PC, 0, IMG_BASE);
	tap_check(r == 0, "%s: GUNYAH_VM_SET_BOOT_CONTEXT PC = %#llx (%d)", who, IMG_BASE, r);
	r = gh_ioctl(vm.fd, GUNYAH_VM_START, NULL);
	if (!tap_check(r == 0, "%s: GUNYAH_VM_START (%d)", who, r))
		goto out;
	if (protected) {
		tap_check(read_gets_sigbus(file_map + 0x80000),
			  "%s: the lent region's kept mapping now gets SIGBUS", who);
		skip = "the test RM maps the image parcel only; the guest would accept this one";
	} else if (oss_profile()) {
		skip = "the open-source RM has no demand paging";
	}
	run_guest(who, &vm, irq_edge, irq_level, io, IO_MATCH, skip);
	if (!skip) {
		uint64_t v = 0;

		memcpy(&v, file_map + 0x1000, sizeof(v));
		tap_check(v == STORE_VALUE,
			  "%s: the VMM sees that store through its file mapping (%#llx)", who,
			  (unsigned long long)v);
	}
out:
	free_vm(&vm);
	if (file_map != MAP_FAILED)
		munmap(file_map, cma_size);
	if (ram != MAP_FAILED)
		munmap(ram, ram_size);
	if (gmem >= 0)
		close(gmem);
	close(irq_edge);
	close(irq_level);
	close(io);
	leak_check(who, &base);
}

static int map_mem(int vm, uint64_t gpa, uint32_t flags, int fd, uint64_t off, uint64_t size)
{
	struct gunyah_map_mem_args a = {
		.guest_addr = gpa, .flags = flags, .guest_mem_fd = fd, .offset = off,
		.size = size,
	};

	return gh_ioctl(vm, GUNYAH_VM_MAP_MEM, &a);
}

/* Write @n bytes of @src at @off of @fd through a mapping dropped at once. */
static int write_through_map(int fd, uint64_t off, const void *src, size_t n)
{
	uint8_t *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);

	if (p == MAP_FAILED)
		return -errno;
	memcpy(p, src, n);
	munmap(p, n);
	return 0;
}

static void replay_test_vmm(bool lend)
{
	const char *who = lend ? "gunyah-test-vmm lent" : "gunyah-test-vmm shared";
	uint32_t access = lend ? GUNYAH_MEM_FORCE_LEND : GUNYAH_MEM_FORCE_SHARE;
	struct gunyah_create_mem_args img_args = {
		.flags = GHMF_CLOEXEC | (lend ? GHMF_ALLOW_HUGEPAGE : 0), .size = IMG_SIZE,
	};
	struct gunyah_create_mem_args ram_args = { .flags = GHMF_CLOEXEC, .size = RAM_SIZE };
	struct tvm vm = { .fd = -1, .vcpu = { -1, -1 } };
	int irq_edge = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	int irq_level = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	int io = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	int img = -1, ram = -1, r;
	struct gunyah_vm_dtb_config dtb = { IMG_BASE + FDT_OFFSET };
	/* mmap, not malloc: given back to the host before the leak check */
	uint8_t *buf = mmap(NULL, FDT_OFFSET, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct leak_base base;
	long pages;
	ssize_t n;

	leak_base(&base);
	vm.fd = ioctl(dev, GUNYAH_CREATE_VM, 0);
	img = ioctl(dev, GUNYAH_CREATE_GUEST_MEM, &img_args);
	ram = ioctl(dev, GUNYAH_CREATE_GUEST_MEM, &ram_args);
	if (!tap_check(vm.fd >= 0 && img >= 0 && ram >= 0 && irq_edge >= 0 && irq_level >= 0 &&
		       io >= 0 && buf != MAP_FAILED,
		       "%s: GUNYAH_CREATE_VM, GUNYAH_CREATE_GUEST_MEM (image%s, RAM)", who,
		       lend ? " with 2 MiB pages" : ""))
		goto out;

	r = map_mem(vm.fd, IMG_BASE, access | GUNYAH_MEM_ALLOW_RWX, img, 0, IMG_SIZE);
	tap_check(r == 0, "%s: GUNYAH_VM_MAP_MEM image, flags %#x (%d)", who,
		  access | GUNYAH_MEM_ALLOW_RWX, r);
	r = map_mem(vm.fd, RAM_BASE, access | GUNYAH_MEM_ALLOW_READ | GUNYAH_MEM_ALLOW_WRITE, ram,
		    0, RAM_SIZE);
	tap_check(r == 0, "%s: GUNYAH_VM_MAP_MEM RAM, R|W (%d)", who, r);

	/* RAM allocated up front, then a hole in its middle unbound and punched out. */
	r = fallocate(ram, FALLOC_FL_KEEP_SIZE, 0, RAM_SIZE) ? -errno : 0;
	pages = fdinfo_value(ram, "small_pages");
	tap_check(r == 0 && pages == RAM_SIZE / 4096,
		  "%s: fallocate allocates the RAM file's %ld pages (%d)", who, pages, r);
	r = map_mem(vm.fd, RAM_BASE + RAM_SIZE / 4,
		    GUNYAH_MEM_UNMAP | access | GUNYAH_MEM_ALLOW_READ | GUNYAH_MEM_ALLOW_WRITE,
		    ram, RAM_SIZE / 4, RAM_SIZE / 4);
	tap_check(r == 0, "%s: GUNYAH_MEM_UNMAP of the RAM's second quarter (%d)", who, r);
	r = fallocate(ram, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, RAM_SIZE / 4,
		      RAM_SIZE / 4) ? -errno : 0;
	pages = fdinfo_value(ram, "small_pages");
	tap_check(r == 0 && pages == 3 * RAM_SIZE / 4 / 4096,
		  "%s: ... then punched out: %ld pages left (%d)", who, pages, r);

	r = add_vcpus(&vm);
	tap_check(r == 0, "%s: two vCPUs, their run pages mapped (%d)", who, r);
	r = add_irqfd(vm.fd, irq_edge, 1, 0) ?: add_irqfd(vm.fd, irq_level, 2, RM_IRQFD_LEVEL);
	tap_check(r == 0, "%s: edge and level irqfds, labels 1 and 2 (%d)", who, r);
	r = add_ioeventfd(vm.fd, io, GUEST_REG_DATA, 8, 0, 0);
	tap_check(r == 0, "%s: ioeventfd, 8 bytes, any value (%d)", who, r);

	/* Payload and device tree through short-lived mappings, as its bus does. */
	n = load_file(DTB_DIR "test-guest.bin", buf, FDT_OFFSET);
	r = n > 0 ? write_through_map(img, 0, buf, FDT_OFFSET) : -ENOENT;
	memset(buf, 0, FDT_OFFSET);
	n = load_file(DTB_DIR "guest-irq.dtb", buf, FDT_OFFSET);
	r = r ?: n > 0 ? write_through_map(img, FDT_OFFSET, buf, FDT_OFFSET) : -ENOENT;
	dtb.size = n;
	r = r ?: gh_ioctl(vm.fd, GUNYAH_VM_SET_DTB_CONFIG, &dtb);
	tap_check(r == 0, "%s: device tree written, GUNYAH_VM_SET_DTB_CONFIG (%d)", who, r);
	r = set_boot_reg(vm.fd, REG_SET_PC, 0, IMG_BASE) ?:
	    set_boot_reg(vm.fd, REG_SET_SP, 1, IMG_BASE + FW_OFFSET);
	tap_check(r == 0, "%s: boot context PC and SP_EL1 (%d)", who, r);
	r = gh_ioctl(vm.fd, GUNYAH_VM_START, NULL);
	if (!tap_check(r == 0, "%s: GUNYAH_VM_START (%d)", who, r))
		goto out;
	run_guest(who, &vm, irq_edge, irq_level, io, 0x1234,
		  oss_profile() ? "the open-source RM has no demand paging" : NULL);
out:
	if (buf != MAP_FAILED)
		munmap(buf, FDT_OFFSET);
	free_vm(&vm);
	if (img >= 0)
		close(img);
	if (ram >= 0)
		close(ram);
	close(irq_edge);
	close(irq_level);
	close(io);
	leak_check(who, &base);
}

/*
 * What a first use allocates for good, before any free memory is measured:
 * the irqfd and ioeventfd modules (loaded on a VM's first use of the
 * function), and the kernel's huge zero page (2 MiB, on the first read of
 * untouched anonymous memory, as lending unwritten RAM does).
 */
static void warm_up(void)
{
	int vm = ioctl(dev, GUNYAH_CREATE_VM, 0), efd = eventfd(0, EFD_CLOEXEC);
	size_t size = 2 * RAM_SIZE;
	uint8_t *p = mmap(NULL, size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	add_irqfd(vm, efd, 1, 0);
	add_ioeventfd(vm, efd, GUEST_REG_DATA, 8, 0, 0);
	close(vm);
	close(efd);
	if (p != MAP_FAILED) {
		for (size_t i = 0; i < size; i += 4096)
			asm volatile("" : : "r"(p[i]));	/* a read the compiler keeps */
		munmap(p, size);
	}
}

int main(void)
{
	tap_begin();
	tap_diag("RM profile: %s", oss_profile() ? "oss" : "v17");
	dev = gh_open();
	if (!tap_check(dev >= 0, "open /dev/gunyah (%d)", dev < 0 ? -errno : 0))
		return tap_finish();
	warm_up();
	/* The open-source RM built for QEMU has no pVM firmware: VM_START DENIED. */
	if (need_test_hyp("crosvm pVM replay: protected-VM firmware"))
		replay_crosvm(true);
	replay_crosvm(false);
	replay_test_vmm(true);
	replay_test_vmm(false);
	close(dev);
	return tap_finish();
}
