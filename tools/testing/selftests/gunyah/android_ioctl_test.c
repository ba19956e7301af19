// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Android VM ioctls: GH_VM_ANDROID_SET_FW_CONFIG and
 * GH_VM_ANDROID_SET_AUTH_TYPE (every bad input, before and after start, on
 * the wrong fd), the ones only defined in the header (-ENOTTY), a protected
 * VM whose firmware runs first -- a tiny program at the firmware range that
 * reports x0 and a marker over MMIO and powers off, instead of the test
 * guest at the image base -- also from a lent guest memory binding, and
 * the start failures: firmware outside lent memory or outside the image
 * parcel, a Qualcomm trusted VM the Resource Manager cannot authenticate,
 * and RM refusals of VM_SET_FIRMWARE_MEM and VM_CONFIG_IMAGE by fault
 * injection.  GH_VM_ANDROID_MAP_CMA_MEM: every bad input with its errno
 * and log line, a guest running from memory it bound (lent and shared),
 * and RM refusals of its parcel.  Runs against both RM profiles
 * (GH_PROFILE).
 */
#include <sys/eventfd.h>

#include "test_vmm.h"

#define MEM_SIZE		(2 * 1024 * 1024)
#define FW_OFFSET		0x100000
#define FW_SIZE			0x1000
#define FW_REG_X0		0x6fe8		/* the firmware writes its x0 here */
#define FW_REG_MARK		0x6ff0		/* ... then FW_MARK here */
#define FW_MARK			0x46574d41524b2131ULL	/* "1!KRAMWF" */
#define RPC_VM_SET_FIRMWARE_MEM	0x56000032
#define RM_ERROR_UNIMPLEMENTED	0xffffffffLL
#define RM_ERROR_ARG_INVALID	0x6

static int dev;

/* A64 encodings of the few instructions the firmware needs. */
static uint32_t a64_movz(unsigned int rd, uint16_t imm, unsigned int shift)
{
	return 0xd2800000U | (shift / 16) << 21 | (uint32_t)imm << 5 | rd;
}

static uint32_t a64_movk(unsigned int rd, uint16_t imm, unsigned int shift)
{
	return 0xf2800000U | (shift / 16) << 21 | (uint32_t)imm << 5 | rd;
}

static uint32_t a64_str(unsigned int rt, unsigned int rn)
{
	return 0xf9000000U | rn << 5 | rt;
}

/*
 * The firmware: store x0 (the device tree, as the RM hands it over) at
 * FW_REG_X0 and FW_MARK at FW_REG_MARK, then PSCI SYSTEM_OFF.
 */
static void write_firmware(uint8_t *dst)
{
	uint32_t code[] = {
		a64_movz(1, FW_REG_X0, 0),
		a64_str(0, 1),
		a64_movz(0, FW_MARK & 0xffff, 0),
		a64_movk(0, FW_MARK >> 16 & 0xffff, 16),
		a64_movk(0, FW_MARK >> 32 & 0xffff, 32),
		a64_movk(0, FW_MARK >> 48 & 0xffff, 48),
		a64_movz(1, FW_REG_MARK, 0),
		a64_str(0, 1),
		a64_movz(0, 0x0008, 0),			/* PSCI SYSTEM_OFF */
		a64_movk(0, 0x8400, 16),
		0xd4000002U,				/* hvc #0 */
		0x14000000U,				/* b . */
	};

	memcpy(dst, code, sizeof(code));
}

static int set_fw(int fd, uint64_t gpa, uint64_t size)
{
	struct gunyah_vm_firmware_config fw = { .guest_phys_addr = gpa, .size = size };

	return gh_ioctl(fd, GH_VM_ANDROID_SET_FW_CONFIG, &fw);
}

static int set_auth(int fd, uint32_t type, uint32_t arg_size, const void *arg)
{
	struct gh_vm_auth_type a = {
		.type = type, .arg_size = arg_size, .arg = (uintptr_t)arg,
	};

	return gh_ioctl(fd, GH_VM_ANDROID_SET_AUTH_TYPE, &a);
}

static int start(struct tvm *vm)
{
	return gh_ioctl(vm->fd, GUNYAH_VM_START, NULL);
}

/* Both spellings of the Android structures are one type. */
static void test_spellings(void)
{
	struct gunyah_userspace_memory_region r = { .label = 7 };
	struct gh_userspace_memory_region *g = &r;
	struct gh_vm_firmware_config f = { .size = 1 };
	struct gunyah_vm_firmware_config *u = &f;

	tap_check(g->label == 7 && u->size == 1 && sizeof(*g) == 32 && sizeof(*u) == 16,
		  "gh_ and gunyah_ spellings of the region and firmware structures are one type");
}

static void test_fw_config_input(void)
{
	struct gunyah_vm_firmware_config fw = { GUEST_MEM_BASE + FW_OFFSET, FW_SIZE };
	struct tvm vm;
	int r;

	r = tvm_make(&vm, dev, "guest-1cpu.dtb", MEM_SIZE, true, 1);
	if (!tap_check(r == 0, "VM with lent memory (%d)", r))
		return;
	tap_check(set_fw(vm.fd, GUEST_MEM_BASE + FW_OFFSET, FW_SIZE) == 0,
		  "SET_FW_CONFIG before start: 0");
	tap_check(set_fw(vm.fd, GUEST_MEM_BASE + FW_OFFSET, FW_SIZE) == 0,
		  "SET_FW_CONFIG again (replaces): 0");
	tap_check(set_fw(vm.fd, GUEST_MEM_BASE + FW_OFFSET, 0) == -EINVAL,
		  "size 0: EINVAL");
	tap_check(set_fw(vm.fd, GUEST_MEM_BASE + FW_OFFSET + 8, FW_SIZE) == -EINVAL,
		  "unaligned address: EINVAL");
	tap_check(set_fw(vm.fd, GUEST_MEM_BASE + FW_OFFSET, FW_SIZE + 1) == -EINVAL,
		  "unaligned size: EINVAL");
	tap_check(set_fw(vm.fd, ~0xfffULL, 0x2000) == -EOVERFLOW,
		  "range wrapping around: EOVERFLOW");
	tap_check(gh_ioctl(vm.fd, GH_VM_ANDROID_SET_FW_CONFIG, (void *)8) == -EFAULT,
		  "bad pointer: EFAULT");
	tap_check(gh_ioctl(dev, GH_VM_ANDROID_SET_FW_CONFIG, &fw) == -ENOTTY,
		  "on /dev/gunyah: ENOTTY");
	tap_check(gh_ioctl(vm.vcpu[0], GH_VM_ANDROID_SET_FW_CONFIG, &fw) == -ENOTTY,
		  "on a vCPU fd: ENOTTY");
	write_firmware(vm.mem + FW_OFFSET);
	r = start(&vm);
	tap_check_hyp(r == 0, "VM with firmware starts (%d)", r);
	tap_check(set_fw(vm.fd, GUEST_MEM_BASE + FW_OFFSET, FW_SIZE) == -EBUSY,
		  "SET_FW_CONFIG after start: EBUSY");
	tvm_free(&vm);
}

static void test_auth_input(void)
{
	struct gh_vm_auth_pvm_arg arg = {
		.vm_id = 45, .pas_id = 0x1c, .guest_phys_addr = GUEST_MEM_BASE, .size = MEM_SIZE,
	};
	struct gh_vm_auth_pvm_arg bad;
	struct tvm vm;
	int r;

	r = tvm_make(&vm, dev, "guest-1cpu.dtb", MEM_SIZE, false, 1);
	if (!tap_check(r == 0, "VM with shared memory (%d)", r))
		return;
	tap_check(set_auth(vm.fd, GH_VM_AUTH_QCOM_TRUSTED_VM, sizeof(arg), &arg) == 0,
		  "SET_AUTH_TYPE Qualcomm trusted VM: 0");
	tap_check(set_auth(vm.fd, GH_VM_AUTH_ANDROID_PVM, sizeof(arg), &arg) == 0,
		  "SET_AUTH_TYPE Android pVM (replaces): 0");
	tap_check(set_auth(vm.fd, 2, sizeof(arg), &arg) == -EINVAL, "unknown type 2: EINVAL");
	tap_check(set_auth(vm.fd, ~0U, sizeof(arg), &arg) == -EINVAL, "unknown type ~0: EINVAL");
	tap_check(set_auth(vm.fd, 0, 0, &arg) == -EINVAL, "arg_size 0: EINVAL");
	tap_check(set_auth(vm.fd, 0, 16, &arg) == -EINVAL, "arg_size 16 (no padding): EINVAL");
	tap_check(set_auth(vm.fd, 0, 23, &arg) == -EINVAL, "arg_size 23: EINVAL");
	tap_check(set_auth(vm.fd, 0, 25, &arg) == -EINVAL, "arg_size 25: EINVAL");
	tap_check(set_auth(vm.fd, 0, ~0U, &arg) == -EINVAL, "arg_size ~0: EINVAL");
	tap_check(set_auth(vm.fd, 0, sizeof(arg), NULL) == -EFAULT, "NULL arg: EFAULT");
	tap_check(set_auth(vm.fd, 0, sizeof(arg), (void *)8) == -EFAULT, "bad arg pointer: EFAULT");
	tap_check(gh_ioctl(vm.fd, GH_VM_ANDROID_SET_AUTH_TYPE, (void *)8) == -EFAULT,
		  "bad descriptor pointer: EFAULT");
	bad = arg;
	bad.guest_phys_addr += 0x10;
	tap_check(set_auth(vm.fd, 0, sizeof(bad), &bad) == -EINVAL,
		  "unaligned image address: EINVAL");
	bad = arg;
	bad.size = 0x1234;
	tap_check(set_auth(vm.fd, 0, sizeof(bad), &bad) == -EINVAL, "unaligned image size: EINVAL");
	bad = arg;
	bad.guest_phys_addr = ~0xfffULL;
	bad.size = 0x2000;
	tap_check(set_auth(vm.fd, 0, sizeof(bad), &bad) == -EOVERFLOW,
		  "image range wrapping around: EOVERFLOW");
	tap_check(gh_ioctl(dev, GH_VM_ANDROID_SET_AUTH_TYPE,
			   &(struct gh_vm_auth_type){ 0, sizeof(arg), (uintptr_t)&arg }) == -ENOTTY,
		  "on /dev/gunyah: ENOTTY");
	tap_check(gh_ioctl(vm.vcpu[0], GH_VM_ANDROID_SET_AUTH_TYPE,
			   &(struct gh_vm_auth_type){ 0, sizeof(arg), (uintptr_t)&arg }) == -ENOTTY,
		  "on a vCPU fd: ENOTTY");
	r = start(&vm);
	/* The open-source RM requires the pVM firmware it does not have (DENIED). */
	tap_check_hyp(r == 0, "Android pVM without firmware starts (nothing to verify) (%d)", r);
	tap_check(set_auth(vm.fd, 0, sizeof(arg), &arg) == -EBUSY,
		  "SET_AUTH_TYPE after start: EBUSY");
	tvm_free(&vm);
}

/* GH_VM_RECLAIM_REGION with nothing to reclaim (the rest: reclaim_region_test). */
static void test_not_implemented(void)
{
	struct gh_vm_reclaim_region rr = { GUEST_MEM_BASE, 0x1000 };
	int fd = ioctl(dev, GUNYAH_CREATE_VM, 0);

	tap_check(fd >= 0, "VM created");
	tap_check(gh_ioctl(fd, GH_VM_RECLAIM_REGION, &rr) == -ENOENT,
		  "GH_VM_RECLAIM_REGION on a VM without memory: ENOENT");
	close(fd);
}

/* GH_VM_ANDROID_MAP_CMA_MEM, Android flag layout, or -errno. */
static int map_cma(int vm, uint32_t label, uint64_t gpa, uint32_t flags, int fd, uint64_t off,
		   uint64_t size)
{
	struct gh_map_cma_mem_args a = {
		.label = label, .guest_addr = gpa, .flags = flags, .guest_mem_fd = fd,
		.offset = off, .size = size,
	};

	return gh_ioctl(vm, GH_VM_ANDROID_MAP_CMA_MEM, &a);
}

static int create_gmem(uint64_t size, uint64_t flags)
{
	struct gunyah_create_mem_args ca = { .flags = flags | GHMF_CLOEXEC, .size = size };

	return ioctl(dev, GUNYAH_CREATE_GUEST_MEM, &ca);
}

#define CMA_RWX		(GH_MEM_ALLOW_READ | GH_MEM_ALLOW_WRITE | GH_MEM_ALLOW_EXEC)
#define CMA_FILE_SIZE	(4 * 1024 * 1024)
#define CMA_GPA		(GUEST_MEM_BASE + 0x10000000)

/* Every bad input of MAP_CMA_MEM, each with its errno and log line. */
static void test_cma_input(void)
{
	int vm = ioctl(dev, GUNYAH_CREATE_VM, 0);
	int gmem = create_gmem(CMA_FILE_SIZE, 0);
	int huge = create_gmem(CMA_FILE_SIZE, GHMF_ALLOW_HUGEPAGE);
	int efd = eventfd(0, EFD_CLOEXEC);
	int reg = open(DTB_DIR "test-guest.bin", O_RDONLY | O_CLOEXEC);
	const struct {
		const char *what;
		uint32_t flags;
		int fd;
		uint64_t gpa, off, size;
		int err;
		const char *log;
	} cases[] = {
		{ "unknown flag 0x8", CMA_RWX | 0x8, gmem, CMA_GPA, 0, 0x1000, -EINVAL,
		  "MAP_CMA_MEM: unknown flags 0x8" },
		{ "unknown flag 0x40", CMA_RWX | 0x40, gmem, CMA_GPA, 0, 0x1000, -EINVAL,
		  "MAP_CMA_MEM: unknown flags 0x40" },
		{ "GUNYAH_MEM_UNMAP", CMA_RWX | GUNYAH_MEM_UNMAP, gmem, CMA_GPA, 0, 0x1000,
		  -EINVAL, "MAP_CMA_MEM: unknown flags 0x100" },
		{ "no access right", GH_MEM_FORCE_LEND, gmem, CMA_GPA, 0, 0x1000, -EINVAL,
		  "MAP_CMA_MEM: no access right" },
		{ "FORCE_LEND and FORCE_SHARE", CMA_RWX | GH_MEM_FORCE_LEND | GH_MEM_FORCE_SHARE,
		  gmem, CMA_GPA, 0, 0x1000, -EINVAL, "ask to lend and to share" },
		{ "size 0", CMA_RWX, gmem, CMA_GPA, 0, 0, -EINVAL, "MAP_CMA_MEM: size 0" },
		{ "guest range wrapping", CMA_RWX, gmem, ~0xfffULL, 0, 0x2000, -EOVERFLOW,
		  "wraps around" },
		{ "file range wrapping", CMA_RWX, gmem, CMA_GPA, ~0xfffULL, 0x2000, -EOVERFLOW,
		  "wraps around" },
		{ "fd not open", CMA_RWX, 1000, CMA_GPA, 0, 0x1000, -EBADF,
		  "MAP_CMA_MEM: fd 1000 is not open" },
		{ "an eventfd", CMA_RWX, efd, CMA_GPA, 0, 0x1000, -EINVAL,
		  "is not a guest memory file" },
		{ "a regular file", CMA_RWX, reg, CMA_GPA, 0, 0x1000, -EINVAL,
		  "is not a guest memory file" },
		{ "/dev/gunyah", CMA_RWX, dev, CMA_GPA, 0, 0x1000, -EINVAL,
		  "is not a guest memory file" },
		{ "the VM's own fd", CMA_RWX, vm, CMA_GPA, 0, 0x1000, -EINVAL,
		  "is not a guest memory file" },
		{ "unaligned guest address", CMA_RWX, gmem, CMA_GPA + 0x800, 0, 0x1000, -EINVAL,
		  "is not 4 KiB aligned" },
		{ "unaligned offset", CMA_RWX, gmem, CMA_GPA, 0x10, 0x1000, -EINVAL,
		  "is not 4 KiB aligned" },
		{ "unaligned size", CMA_RWX, gmem, CMA_GPA, 0, 0x1001, -EINVAL,
		  "is not 4 KiB aligned" },
		{ "huge-page file, 4 KiB aligned", CMA_RWX, huge, CMA_GPA, 0x1000, 0x1000,
		  -EINVAL, "is not 2048 KiB aligned" },
		{ "beyond the file's end", CMA_RWX, gmem, CMA_GPA, CMA_FILE_SIZE - 0x1000, 0x2000,
		  -EINVAL, "is beyond the file's end" },
		{ "offset at the file's end", CMA_RWX, gmem, CMA_GPA, CMA_FILE_SIZE, 0x1000,
		  -EINVAL, "is beyond the file's end" },
	};
	struct gh_map_cma_mem_args cma = { .guest_addr = CMA_GPA, .flags = CMA_RWX,
					   .guest_mem_fd = gmem, .size = 0x1000 };
	uint8_t *p = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct gunyah_map_mem_args unmap;
	int r;

	if (!tap_check(vm >= 0 && gmem >= 0 && huge >= 0 && efd >= 0 && reg >= 0 &&
		       p != MAP_FAILED, "VM, guest memory files, an eventfd and a regular file"))
		return;
	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		int logs = klog_count(cases[i].log);

		r = map_cma(vm, 1, cases[i].gpa, cases[i].flags, cases[i].fd, cases[i].off,
			    cases[i].size);
		tap_check(r == cases[i].err && klog_count(cases[i].log) > logs,
			  "MAP_CMA_MEM %s: %d, logged (%d)", cases[i].what, cases[i].err, r);
	}
	tap_check(gh_ioctl(vm, GH_VM_ANDROID_MAP_CMA_MEM, (void *)8) == -EFAULT,
		  "MAP_CMA_MEM bad pointer: EFAULT");
	tap_check(gh_ioctl(dev, GH_VM_ANDROID_MAP_CMA_MEM, &cma) == -ENOTTY,
		  "MAP_CMA_MEM on /dev/gunyah: ENOTTY");

	/* A binding, then everything that would overlap it. */
	r = map_cma(vm, 5, CMA_GPA, CMA_RWX | GH_MEM_FORCE_LEND, gmem, 0x100000, 0x100000);
	tap_check(r == 0, "MAP_CMA_MEM label 5, 1 MiB at offset 1 MiB: 0 (%d)", r);
	static const struct {
		const char *what;
		uint32_t label;
		uint64_t gpa, off;
		const char *log;
	} busy[] = {
		{ "the same guest range, another file range", 6, CMA_GPA, 0x200000,
		  "is bound already" },
		{ "a guest range overlapping its end", 6, CMA_GPA + 0xff000, 0x300000,
		  "is bound already" },
		{ "the same file range, another guest range", 6, CMA_GPA + 0x1000000, 0x100000,
		  "is bound already" },
		{ "its label again", 5, CMA_GPA + 0x1000000, 0x300000,
		  "MAP_CMA_MEM: label 5 is already mapped" },
		{ "the label of a user memory region", 7, CMA_GPA + 0x1000000, 0x300000,
		  "MAP_CMA_MEM: label 7 is a user memory region's" },
		{ "the guest range of a user memory region", 8, GUEST_MEM_BASE, 0x300000,
		  "overlaps user memory region 7" },
	};
	r = vm_add_region(vm, 7, GUEST_MEM_BASE, p, 0x10000, CMA_RWX, false);
	tap_check(r == 0, "user memory region label 7 (%d)", r);
	for (unsigned int i = 0; i < ARRAY_SIZE(busy); i++) {
		int logs = klog_count(busy[i].log);

		r = map_cma(vm, busy[i].label, busy[i].gpa, CMA_RWX, gmem, busy[i].off, 0x100000);
		tap_check(r == -EEXIST && klog_count(busy[i].log) > logs,
			  "MAP_CMA_MEM over %s: EEXIST, logged (%d)", busy[i].what, r);
	}

	/* Non-zero padding is accepted: crosvm leaves it uninitialised. */
	cma = (struct gh_map_cma_mem_args){ .label = 9, .reserved = 0xdeadbeef,
					    .guest_addr = CMA_GPA + 0x2000000,
					    .flags = GH_MEM_ALLOW_READ, .guest_mem_fd = gmem,
					    .offset = 0x300000, .size = 0x1000 };
	tap_check(gh_ioctl(vm, GH_VM_ANDROID_MAP_CMA_MEM, &cma) == 0,
		  "MAP_CMA_MEM with garbage in the reserved padding, read-only: 0");
	r = map_cma(vm, 10, CMA_GPA + 0x4000000, CMA_RWX | GH_MEM_FORCE_SHARE, huge, 0x200000,
		    0x200000);
	tap_check(r == 0, "MAP_CMA_MEM of a huge-page file, 2 MiB aligned, shared: 0 (%d)", r);

	/* Its parcel has one label: it cannot become two bindings. */
	unmap = (struct gunyah_map_mem_args){
		.guest_addr = CMA_GPA + 0x1000, .guest_mem_fd = gmem, .offset = 0x101000,
		.size = 0x1000,
		.flags = GUNYAH_MEM_UNMAP | GUNYAH_MEM_ALLOW_RWX | GUNYAH_MEM_FORCE_LEND,
	};
	r = klog_count("cannot unmap the middle of the binding of parcel label 5");
	tap_check(gh_ioctl(vm, GUNYAH_VM_MAP_MEM, &unmap) == -EINVAL &&
		  klog_count("cannot unmap the middle of the binding of parcel label 5") > r,
		  "GUNYAH_VM_MAP_MEM unmap of a middle piece of it: EINVAL, logged");

	/* They are guest memory bindings, in the flags they translate to. */
	unmap = (struct gunyah_map_mem_args){
		.guest_addr = CMA_GPA, .guest_mem_fd = gmem, .offset = 0x100000, .size = 0x100000,
		.flags = GUNYAH_MEM_UNMAP | GUNYAH_MEM_ALLOW_RWX | GUNYAH_MEM_FORCE_SHARE,
	};
	tap_check(gh_ioctl(vm, GUNYAH_VM_MAP_MEM, &unmap) == -ENOENT,
		  "GUNYAH_VM_MAP_MEM unmap with the other access type: ENOENT");
	unmap.flags = GUNYAH_MEM_UNMAP | GUNYAH_MEM_ALLOW_RWX | GUNYAH_MEM_FORCE_LEND;
	tap_check(gh_ioctl(vm, GUNYAH_VM_MAP_MEM, &unmap) == 0,
		  "GUNYAH_VM_MAP_MEM unmap with R|W|X, FORCE_LEND: 0");
	unmap = (struct gunyah_map_mem_args){
		.guest_addr = CMA_GPA + 0x4000000, .guest_mem_fd = huge, .offset = 0x200000,
		.size = 0x200000,
		.flags = GUNYAH_MEM_UNMAP | GUNYAH_MEM_ALLOW_RWX | GUNYAH_MEM_FORCE_SHARE,
	};
	tap_check(gh_ioctl(vm, GUNYAH_VM_MAP_MEM, &unmap) == 0,
		  "GUNYAH_VM_MAP_MEM unmap of the shared huge-page binding: 0");
	r = map_cma(vm, 5, CMA_GPA, CMA_RWX, gmem, 0x100000, 0x100000);
	tap_check(r == 0, "label 5 and its ranges are free again: 0 (%d)", r);
	close(vm);
	close(gmem);
	close(huge);
	close(efd);
	close(reg);
	munmap(p, 0x10000);
}

/*
 * A VM whose memory (test guest and device tree) is one MAP_CMA_MEM
 * binding of the whole guest memory file @gmem, already filled, lent or
 * shared; one vCPU.
 */
static int make_cma_vm(struct tvm *vm, int gmem, size_t dtb_size, bool lend)
{
	struct gunyah_vm_dtb_config cfg = {
		.guest_phys_addr = GUEST_MEM_BASE + DTB_OFFSET, .size = dtb_size,
	};
	struct gunyah_fn_vcpu_arg varg = { .id = 0 };
	struct gunyah_fn_desc fn = {
		.type = GUNYAH_FN_VCPU, .arg_size = sizeof(varg), .arg = (uintptr_t)&varg,
	};
	int r;

	memset(vm, 0, sizeof(*vm));
	vm->vcpu[0] = -1;
	vm->vcpu[1] = -1;
	vm->mem = MAP_FAILED;
	vm->fd = ioctl(dev, GUNYAH_CREATE_VM, 0);
	if (vm->fd < 0)
		return -errno;
	r = map_cma(vm->fd, 3, GUEST_MEM_BASE,
		    CMA_RWX | (lend ? GH_MEM_FORCE_LEND : GH_MEM_FORCE_SHARE), gmem, 0, MEM_SIZE) ?:
	    gh_ioctl(vm->fd, GUNYAH_VM_SET_DTB_CONFIG, &cfg);
	if (r)
		return r;
	vm->vcpu[0] = ioctl(vm->fd, GUNYAH_VM_ADD_FUNCTION, &fn);
	if (vm->vcpu[0] < 0)
		return -errno;
	vm->run[0] = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu[0], 0);
	return vm->run[0] == MAP_FAILED ? -ENOMEM : 0;
}

static void free_cma_vm(struct tvm *vm)
{
	if (vm->vcpu[0] >= 0) {
		munmap(vm->run[0], 4096);
		close(vm->vcpu[0]);
	}
	close(vm->fd);
}

/*
 * A guest memory file holding the test guest and its device tree; *@map
 * gets the mapping used to fill it (as crosvm keeps it), else it is unmapped.
 */
static int cma_file(uint64_t flags, size_t *dtb_size, uint8_t **map)
{
	int gmem = create_gmem(MEM_SIZE, flags);
	uint8_t *p;
	ssize_t n;

	if (gmem < 0)
		return -errno;
	p = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, gmem, 0);
	if (p == MAP_FAILED) {
		close(gmem);
		return -ENOMEM;
	}
	load_file(DTB_DIR "test-guest.bin", p, DTB_OFFSET);
	n = load_file(DTB_DIR "guest-1cpu.dtb", p + DTB_OFFSET, 0x10000);
	if (map)
		*map = p;
	else
		munmap(p, MEM_SIZE);
	*dtb_size = n > 0 ? n : 0;
	return gmem;
}

/* The guest runs from MAP_CMA_MEM memory, lent and shared; all comes back. */
static void test_cma_runs(void)
{
	long free0 = free_mem_kb("MemFree"), free1;
	struct hyp_stats base;

	hyp_stats(&base);
	for (int lend = 1; lend >= 0; lend--) {
		const char *how = lend ? "lent" : "shared";
		struct cmd cmds[] = {
			{ CMD_STORE, GUEST_MEM_BASE + 0x100000 },
			{ CMD_LOAD, GUEST_MEM_BASE + DTB_OFFSET },
		};
		struct tvm vm = { .fd = -1, .vcpu = { -1, -1 } };
		struct loop l = { .vm = &vm, .cmds = cmds, .ncmds = 2 };
		uint32_t magic = 0;
		size_t dtb_size;
		uint8_t *p = MAP_FAILED;
		int gmem = cma_file(lend ? GHMF_ALLOW_HUGEPAGE : 0, &dtb_size, &p), r, extra;

		r = gmem < 0 ? gmem : make_cma_vm(&vm, gmem, dtb_size, lend);
		r = r ?: gh_ioctl(vm.fd, GUNYAH_VM_START, NULL);
		if (!tap_check(r == 0, "%s MAP_CMA_MEM binding with the guest: VM starts (%d)",
			       how, r)) {
			free_cma_vm(&vm);
			close(gmem);
			if (p != MAP_FAILED)
				munmap(p, MEM_SIZE);
			continue;
		}
		r = run_loop(&l);
		memcpy(&magic, &l.results[1], sizeof(magic));
		tap_check(r == 0 && l.nresults == 2 && l.results[0] == STORE_VALUE &&
			  magic == 0xedfe0dd0,
			  "%s: the guest stores and loads in it, and reads its device tree (%d, %d results)",
			  how, r, l.nresults);
		if (lend) {
			tap_check(p != MAP_FAILED && read_gets_sigbus(p + 0x100000),
				  "lent: the VMM's mapping, kept over the start, gets SIGBUS there");
		} else {
			uint64_t v = 0;

			if (p != MAP_FAILED)
				memcpy(&v, p + 0x100000, sizeof(v));
			tap_check(v == STORE_VALUE,
				  "shared: the VMM reads the guest's store in its mapping (%#llx)",
				  (unsigned long long)v);
		}
		if (p != MAP_FAILED)
			munmap(p, MEM_SIZE);
		if (lend)
			tap_diag("huge-page file: %ld 2 MiB folios, %ld small pages",
				 fdinfo_value(gmem, "huge_folios"),
				 fdinfo_value(gmem, "small_pages"));
		/* Like GUNYAH_VM_MAP_MEM, allowed after start. */
		r = map_cma(vm.fd, 4, GUEST_MEM_BASE + 0x1000000, CMA_RWX, gmem, 0, MEM_SIZE);
		tap_check(r == -EEXIST,
			  "%s: after start, the file's bound range again: EEXIST (%d)", how, r);
		extra = create_gmem(0x1000, 0);
		r = extra < 0 ? -errno : map_cma(vm.fd, 4, GUEST_MEM_BASE + 0x1000000, CMA_RWX,
						 extra, 0, 0x1000);
		tap_check(r == 0, "%s: after start, a range of another file: 0 (%d)", how, r);
		free_cma_vm(&vm);
		close(gmem);
		close(extra);
	}
	tap_check_hyp(hyp_stats_back_to(&base), "the hypervisor's objects and memory are back");
	tap_check(meminfo_back_to("MemFree", free0, 512, &free1),
		  "the host's free memory is back (%ld -> %ld kB)", free0, free1);
}

/* RM refusals of the MAP_CMA_MEM parcel by fault injection; the next VM runs. */
static void test_cma_rm_faults(void)
{
	static const struct {
		const char *rpc_name;
		bool lend;
		unsigned int rpc;
		long long error;
		int err;
	} cases[] = {
		{ "MEM_LEND", true, RPC_MEM_LEND, 0xa, -ERANGE },
		{ "MEM_SHARE", false, RPC_MEM_SHARE, 0x1, -ENOMEM },
	};
	struct hyp_stats base;

	hyp_stats(&base);
	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *how = cases[i].rpc_name;
		struct cmd cmds[] = { { CMD_STORE, GUEST_MEM_BASE + 0x100000 } };
		struct tvm vm = { .fd = -1, .vcpu = { -1, -1 } };
		struct loop l = { .vm = &vm, .cmds = cmds, .ncmds = 1 };
		char log[64];
		size_t dtb_size;
		int gmem = cma_file(0, &dtb_size, NULL), r, logs;

		snprintf(log, sizeof(log), "start at MEM_LEND/MEM_SHARE: %d", cases[i].err);
		logs = klog_count(log);
		fault_reset();
		r = gmem < 0 ? gmem : make_cma_vm(&vm, gmem, dtb_size, cases[i].lend);
		r = r ?: fault_arm(cases[i].rpc, 1, FAULT_RPC_ERROR, cases[i].error, 1);
		r = r ?: gh_ioctl(vm.fd, GUNYAH_VM_START, NULL);
		tap_check(r == cases[i].err && fault_fired() == 1 && klog_count(log) > logs,
			  "RM refuses the %s of the MAP_CMA_MEM parcel: start fails with %d, logged (%d)",
			  how, cases[i].err, r);
		free_cma_vm(&vm);
		fault_reset();
		/* The same file, in the next VM. */
		r = make_cma_vm(&vm, gmem, dtb_size, cases[i].lend) ?:
		    gh_ioctl(vm.fd, GUNYAH_VM_START, NULL) ?: run_loop(&l);
		tap_check(r == 0 && l.nresults == 1 && l.results[0] == STORE_VALUE,
			  "  ... the same file in the next VM: the guest runs (%d)", r);
		free_cma_vm(&vm);
		close(gmem);
	}
	tap_check_hyp(hyp_stats_back_to(&base), "nothing left in the hypervisor");
}

/*
 * Run vCPU 0 to its first exit: the firmware's two MMIO writes then its
 * power-off, or the test guest's first command read.
 */
static void check_firmware_ran(struct tvm *vm, const char *what)
{
	struct gunyah_vcpu_run *run = vm->run[0];
	uint64_t v[2] = { 0 }, a[2] = { 0 };
	int r = 0, i;

	for (i = 0; i < 2; i++) {
		r = gh_ioctl(vm->vcpu[0], GUNYAH_VCPU_RUN, NULL);
		if (r || run->exit_reason != GUNYAH_VCPU_EXIT_MMIO || !run->mmio.is_write)
			break;
		a[i] = run->mmio.phys_addr;
		memcpy(&v[i], run->mmio.data, sizeof(v[i]));
	}
	tap_check(i == 2 && a[0] == FW_REG_X0 && v[0] == GUEST_MEM_BASE + DTB_OFFSET,
		  "%s: the firmware runs first, x0 = the device tree (%d, exit %u at %#llx: %#llx)",
		  what, r, run->exit_reason, (unsigned long long)a[0], (unsigned long long)v[0]);
	tap_check(i == 2 && a[1] == FW_REG_MARK && v[1] == FW_MARK,
		  "%s: ... and writes its marker (%#llx: %#llx)", what,
		  (unsigned long long)a[1], (unsigned long long)v[1]);
	r = gh_ioctl(vm->vcpu[0], GUNYAH_VCPU_RUN, NULL);
	tap_check(r == 0 && run->exit_reason == GUNYAH_VCPU_EXIT_STATUS &&
		  run->status.status == GUNYAH_VM_STATUS_EXITED,
		  "%s: ... and powers the VM off (%d, exit %u, status %u)", what, r,
		  run->exit_reason, run->exit_reason == GUNYAH_VCPU_EXIT_STATUS ?
		  run->status.status : 0);
}

static void test_firmware_runs(void)
{
	struct gunyah_vm_boot_context pc = {
		.reg = GUNYAH_VM_BOOT_CONTEXT_REG(REG_SET_PC, 0), .value = GUEST_MEM_BASE,
	};
	struct gh_vm_auth_pvm_arg arg = { .guest_phys_addr = GUEST_MEM_BASE, .size = MEM_SIZE };
	struct hyp_stats base = { 0 };
	struct tvm vm;
	int r;

	hyp_stats(&base);
	/* Control: without firmware the test guest at the image base runs. */
	r = tvm_make(&vm, dev, "guest-1cpu.dtb", MEM_SIZE, true, 1);
	if (!tap_check(r == 0, "VM with lent memory (%d)", r))
		return;
	write_firmware(vm.mem + FW_OFFSET);
	r = start(&vm) ?: gh_ioctl(vm.vcpu[0], GUNYAH_VCPU_RUN, NULL);
	tap_check(r == 0 && vm.run[0]->exit_reason == GUNYAH_VCPU_EXIT_MMIO &&
		  vm.run[0]->mmio.phys_addr == GUEST_REG_CMD && !vm.run[0]->mmio.is_write,
		  "no firmware: the test guest runs first (%d, exit %u at %#llx)", r,
		  vm.run[0]->exit_reason, (unsigned long long)vm.run[0]->mmio.phys_addr);
	tvm_free(&vm);

	/* Firmware, and a boot context that is not used for a protected VM. */
	r = tvm_make(&vm, dev, "guest-1cpu.dtb", MEM_SIZE, true, 1);
	if (!tap_check(r == 0, "VM with lent memory (%d)", r))
		return;
	write_firmware(vm.mem + FW_OFFSET);
	r = set_fw(vm.fd, GUEST_MEM_BASE + FW_OFFSET, FW_SIZE);
	if (!oss_profile() && !r)
		r = gh_ioctl(vm.fd, GUNYAH_VM_SET_BOOT_CONTEXT, &pc);
	if (!r)
		r = start(&vm);
	tap_check(r == 0, "VM with firmware at %#llx starts (%d)",
		  GUEST_MEM_BASE + FW_OFFSET, r);
	if (!r)
		check_firmware_ran(&vm, "firmware");
	tvm_free(&vm);

	/* The same with SET_AUTH_TYPE Android pVM. */
	r = tvm_make(&vm, dev, "guest-1cpu.dtb", MEM_SIZE, true, 1);
	if (!tap_check(r == 0, "VM with lent memory (%d)", r))
		return;
	write_firmware(vm.mem + FW_OFFSET);
	r = set_auth(vm.fd, GH_VM_AUTH_ANDROID_PVM, sizeof(arg), &arg) ?:
	    set_fw(vm.fd, GUEST_MEM_BASE + FW_OFFSET, FW_SIZE) ?: start(&vm);
	tap_check(r == 0, "Android pVM with firmware starts (%d)", r);
	if (!r)
		check_firmware_ran(&vm, "Android pVM");
	tvm_free(&vm);
	tap_check_hyp(hyp_stats_back_to(&base), "the hypervisor's objects and memory are back");
}

/*
 * The firmware in a guest memory binding that holds the device tree: lent,
 * it runs; shared, the start is refused.
 */
static void test_firmware_binding(void)
{
	struct gunyah_fn_vcpu_arg varg = { .id = 0 };
	struct gunyah_fn_desc fn = {
		.type = GUNYAH_FN_VCPU, .arg_size = sizeof(varg), .arg = (uintptr_t)&varg,
	};
	struct gunyah_create_mem_args ca = { .size = MEM_SIZE };
	struct gunyah_vm_dtb_config cfg = { .guest_phys_addr = GUEST_MEM_BASE + DTB_OFFSET };
	struct hyp_stats base = { 0 };

	hyp_stats(&base);
	for (int lend = 1; lend >= 0; lend--) {
		struct gunyah_map_mem_args ma = {
			.guest_addr = GUEST_MEM_BASE, .size = MEM_SIZE,
			.flags = GUNYAH_MEM_ALLOW_RWX |
				 (lend ? GUNYAH_MEM_FORCE_LEND : GUNYAH_MEM_FORCE_SHARE),
		};
		int logs = klog_count("must be in lent memory");
		struct tvm vm = { .vcpu = { -1, -1 } };
		int gmem = ioctl(dev, GUNYAH_CREATE_GUEST_MEM, &ca), r = -ENOMEM;
		uint8_t *p = MAP_FAILED;

		vm.fd = ioctl(dev, GUNYAH_CREATE_VM, 0);
		if (gmem >= 0)
			p = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, gmem, 0);
		if (vm.fd >= 0 && p != MAP_FAILED) {
			load_file(DTB_DIR "test-guest.bin", p, DTB_OFFSET);
			cfg.size = load_file(DTB_DIR "guest-1cpu.dtb", p + DTB_OFFSET, 0x10000);
			write_firmware(p + FW_OFFSET);
			/* Lent pages must not stay mapped in the host. */
			munmap(p, MEM_SIZE);
			ma.guest_mem_fd = gmem;
			r = gh_ioctl(vm.fd, GUNYAH_VM_MAP_MEM, &ma) ?:
			    gh_ioctl(vm.fd, GUNYAH_VM_SET_DTB_CONFIG, &cfg);
		}
		if (!r) {
			vm.vcpu[0] = ioctl(vm.fd, GUNYAH_VM_ADD_FUNCTION, &fn);
			vm.run[0] = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED,
					 vm.vcpu[0], 0);
			r = vm.vcpu[0] < 0 || vm.run[0] == MAP_FAILED ? -ENOMEM : 0;
		}
		if (!tap_check(r == 0, "VM with a %s guest memory binding (%d)",
			       lend ? "lent" : "shared", r))
			return;
		r = set_fw(vm.fd, GUEST_MEM_BASE + FW_OFFSET, FW_SIZE) ?: start(&vm);
		if (lend) {
			tap_check(r == 0, "firmware in a lent binding: VM starts (%d)", r);
			if (!r)
				check_firmware_ran(&vm, "lent binding");
		} else {
			tap_check(r == -EINVAL && klog_count("must be in lent memory") > logs,
				  "firmware in a shared binding: EINVAL, logged (%d)", r);
		}
		munmap(vm.run[0], 4096);
		close(vm.vcpu[0]);
		close(vm.fd);
		close(gmem);
	}
	tap_check_hyp(hyp_stats_back_to(&base), "nothing left in the hypervisor");
}

/*
 * The test RM knows the guest address of the image parcel only: firmware
 * in another lent region is refused (ARGUMENT_INVALID, -EINVAL).
 */
static void test_firmware_other_parcel(void)
{
	static const char log[] = "RM refused the firmware: -22";
	uint64_t gpa = GUEST_MEM_BASE + 0x1000000;
	int logs = klog_count(log);
	struct hyp_stats base = { 0 };
	struct tvm vm;
	uint8_t *p;
	int r;

	hyp_stats(&base);
	r = tvm_make(&vm, dev, "guest-1cpu.dtb", MEM_SIZE, true, 1);
	p = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!tap_check(r == 0 && p != MAP_FAILED, "VM with lent memory (%d)", r))
		return;
	write_firmware(p);
	r = vm_add_region(vm.fd, 1, gpa, p, 0x10000, GH_MEM_ALLOW_READ | GH_MEM_ALLOW_EXEC,
			  true) ?: set_fw(vm.fd, gpa, FW_SIZE) ?: start(&vm);
	tap_check(r == -EINVAL && klog_count(log) > logs,
		  "firmware in a second lent region: the test RM refuses it, EINVAL, logged (%d)",
		  r);
	tvm_free(&vm);
	munmap(p, 0x10000);
	tap_check_hyp(hyp_stats_back_to(&base), "nothing left in the hypervisor");
}

/* Start failures that leave nothing behind, each with its log line. */
static void test_start_refused(void)
{
	static const struct {
		const char *what;
		bool lend;
		uint64_t gpa, size;
		int err;
		const char *log;
	} cases[] = {
		{ "firmware in shared memory", false, GUEST_MEM_BASE + FW_OFFSET, FW_SIZE,
		  -EINVAL, "must be in lent memory" },
		{ "firmware outside the VM's memory", true, GUEST_MEM_BASE + 0x10000000, FW_SIZE,
		  -ENOENT, "in no memory given to the VM" },
		{ "firmware past the end of the region", true, GUEST_MEM_BASE + MEM_SIZE - 0x1000,
		  0x2000, -ENOENT, "in no memory given to the VM" },
	};
	struct hyp_stats base = { 0 };
	struct tvm vm;
	int r;

	hyp_stats(&base);
	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		int logs = klog_count(cases[i].log);

		r = tvm_make(&vm, dev, "guest-1cpu.dtb", MEM_SIZE, cases[i].lend, 1);
		if (!r)
			r = set_fw(vm.fd, cases[i].gpa, cases[i].size);
		if (!r)
			r = start(&vm);
		tap_check(r == cases[i].err, "%s: start fails with %d (%d)", cases[i].what,
			  cases[i].err, r);
		tap_check(klog_count(cases[i].log) > logs, "  ... logged (\"%s\")", cases[i].log);
		tvm_free(&vm);
	}
	tap_check_hyp(hyp_stats_back_to(&base), "nothing left in the hypervisor");
}

/* The test RM cannot authenticate a Qualcomm trusted VM (PIL ELF). */
static void test_trusted_vm_refused(void)
{
	static const char log[] = "cannot authenticate images with mechanism 1";
	struct gh_vm_auth_pvm_arg arg = { .vm_id = 45, .pas_id = 0x1c,
					  .guest_phys_addr = GUEST_MEM_BASE, .size = MEM_SIZE };
	int logs = klog_count(log);
	struct hyp_stats base = { 0 };
	struct tvm vm;
	int r;

	hyp_stats(&base);
	r = tvm_make(&vm, dev, "guest-1cpu.dtb", MEM_SIZE, true, 1);
	if (!r)
		r = set_auth(vm.fd, GH_VM_AUTH_QCOM_TRUSTED_VM, sizeof(arg), &arg);
	if (!r)
		r = start(&vm);
	tap_check(r == -EOPNOTSUPP, "Qualcomm trusted VM: the RM refuses PIL ELF, EOPNOTSUPP (%d)",
		  r);
	tap_check(klog_count(log) > logs, "  ... logged (\"%s\")", log);
	tap_check(start(&vm) == -ENODEV, "  ... and a second start: ENODEV");
	tvm_free(&vm);
	tap_check_hyp(hyp_stats_back_to(&base), "nothing left in the hypervisor");
}

/* RM refusals by fault injection; the next VM works. */
static void test_rm_faults(void)
{
	static const struct {
		const char *what;
		unsigned int rpc;
		long long error;
		int err;
		const char *log;
	} cases[] = {
		{ "VM_SET_FIRMWARE_MEM UNIMPLEMENTED", RPC_VM_SET_FIRMWARE_MEM,
		  RM_ERROR_UNIMPLEMENTED, -EOPNOTSUPP, "has no VM_SET_FIRMWARE_MEM" },
		{ "VM_SET_FIRMWARE_MEM ARGUMENT_INVALID", RPC_VM_SET_FIRMWARE_MEM,
		  RM_ERROR_ARG_INVALID, -EINVAL, "refused the firmware: -22" },
		{ "VM_CONFIG_IMAGE ARGUMENT_INVALID for a pVM", RPC_VM_CONFIG_IMAGE,
		  RM_ERROR_ARG_INVALID, -EOPNOTSUPP, "with mechanism 2 (Android protected VM)" },
	};
	struct hyp_stats base = { 0 };
	struct tvm vm;
	int r;

	hyp_stats(&base);
	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		int logs = klog_count(cases[i].log);

		fault_reset();
		r = tvm_make(&vm, dev, "guest-1cpu.dtb", MEM_SIZE, true, 1);
		if (!r)
			write_firmware(vm.mem + FW_OFFSET);
		if (!r)
			r = set_fw(vm.fd, GUEST_MEM_BASE + FW_OFFSET, FW_SIZE);
		if (!r)
			r = fault_arm(cases[i].rpc, 1, FAULT_RPC_ERROR, cases[i].error, 1);
		if (!r)
			r = start(&vm);
		tap_check(r == cases[i].err && fault_fired() == 1, "%s: start fails with %d (%d)",
			  cases[i].what, cases[i].err, r);
		tap_check(klog_count(cases[i].log) > logs, "  ... logged (\"%s\")", cases[i].log);
		tvm_free(&vm);
	}
	fault_reset();
	tap_check_hyp(hyp_stats_back_to(&base), "nothing left in the hypervisor");

	r = tvm_make(&vm, dev, "guest-1cpu.dtb", MEM_SIZE, true, 1);
	if (!r) {
		write_firmware(vm.mem + FW_OFFSET);
		r = set_fw(vm.fd, GUEST_MEM_BASE + FW_OFFSET, FW_SIZE) ?: start(&vm);
	}
	tap_check(r == 0, "the next VM with firmware starts (%d)", r);
	if (!r)
		check_firmware_ran(&vm, "after the faults");
	tvm_free(&vm);
}

int main(void)
{
	tap_begin();
	tap_diag("RM profile: %s", oss_profile() ? "oss" : "v17");
	dev = gh_open();
	if (dev < 0) {
		tap_check(false, "open /dev/gunyah (%d)", -errno);
		return tap_finish();
	}
	test_spellings();
	test_fw_config_input();
	test_auth_input();
	test_not_implemented();
	test_cma_input();
	test_cma_runs();
	/*
	 * The open-source RM built for QEMU has no firmware image for any
	 * authentication type: it answers VM_SET_FIRMWARE_MEM with DENIED.
	 */
	if (need_test_hyp("protected-VM firmware and authentication")) {
		test_firmware_runs();
		test_firmware_binding();
		test_firmware_other_parcel();
		test_start_refused();
		test_trusted_vm_refused();
	}
	if (need_test_hyp("RM refusals by fault injection")) {
		test_cma_rm_faults();
		test_rm_faults();
	}
	close(dev);
	return tap_finish();
}
