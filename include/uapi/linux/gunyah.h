/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * Userspace interface of the Gunyah virtual machine manager.
 *
 * Three kinds of file descriptor carry these ioctls:
 *  - /dev/gunyah creates VMs and guest-memory files;
 *  - a VM fd configures one VM (memory, devicetree, boot registers, functions)
 *    and starts it;
 *  - a vCPU fd, obtained by adding a vCPU function to a VM, runs that vCPU and
 *    exposes a shared &struct gunyah_vcpu_run page through mmap().
 *
 * ioctl numbers use the generic Linux encoding with type 'G'. A few ioctls that
 * only exist in Android Common Kernels use type 'A'; they are collected at the
 * end of this file with the numbers and layouts those kernels use.
 *
 * All structures are little-endian on arm64 and padded explicitly, so that their
 * layout does not depend on the compiler. Padding and reserved fields must be
 * written as zero.
 */

#ifndef _UAPI_LINUX_GUNYAH_H
#define _UAPI_LINUX_GUNYAH_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define GUNYAH_IOCTL_TYPE		'G'

/**
 * DOC: /dev/gunyah ioctls
 *
 * GUNYAH_CREATE_VM - create a virtual machine. The argument must be 0. Returns
 * a new VM file descriptor (close-on-exec). The VM is only set up in the
 * hypervisor when it is started with GUNYAH_VM_START.
 *
 * GUNYAH_CREATE_GUEST_MEM - create a guest-memory file described by
 * &struct gunyah_create_mem_args. Returns the new file descriptor. Its size can
 * be changed with ftruncate(), backing pages can be allocated or released with
 * fallocate() (FALLOC_FL_KEEP_SIZE required) and it can be mapped with
 * mmap(MAP_SHARED). Ranges of it are made visible to a guest with
 * GUNYAH_VM_MAP_MEM.
 */
#define GUNYAH_CREATE_VM		_IO(GUNYAH_IOCTL_TYPE, 0x00)
#define GUNYAH_CREATE_GUEST_MEM		_IOW(GUNYAH_IOCTL_TYPE, 0x08, \
					     struct gunyah_create_mem_args)

/**
 * enum gunyah_mem_flags - Flags of &struct gunyah_create_mem_args
 * @GHMF_CLOEXEC: The returned file descriptor is close-on-exec.
 * @GHMF_ALLOW_HUGEPAGE: The file may be backed by 2 MiB pages; guest addresses,
 *                       offsets and sizes bound with GUNYAH_VM_MAP_MEM must
 *                       then be 2 MiB aligned.
 *
 * Any other bit makes GUNYAH_CREATE_GUEST_MEM fail with -EINVAL.
 */
enum gunyah_mem_flags {
	GHMF_CLOEXEC		= (1U << 0),
	GHMF_ALLOW_HUGEPAGE	= (1U << 1),
};

/**
 * struct gunyah_create_mem_args - Argument of GUNYAH_CREATE_GUEST_MEM
 * @flags: Bitwise OR of &enum gunyah_mem_flags values.
 * @size: Initial size of the file in bytes; must be a multiple of the page size.
 * @reserved: Must be zero.
 */
struct gunyah_create_mem_args {
	__u64 flags;
	__u64 size;
	__u64 reserved[6];
};

/**
 * DOC: VM fd ioctls
 *
 * GUNYAH_VM_SET_DTB_CONFIG - tell the VM where its devicetree blob lives in
 * guest physical memory (&struct gunyah_vm_dtb_config). The range must be
 * covered by a single GUNYAH_VM_MAP_MEM binding by the time the VM starts.
 *
 * GUNYAH_VM_START - start the VM. Returns 0 once the VM is running; calling it
 * again on a running VM is harmless. After a failed start it returns -ENODEV.
 *
 * GUNYAH_VM_ADD_FUNCTION - attach a function (vCPU, irqfd, ioeventfd) described
 * by &struct gunyah_fn_desc. For a vCPU the return value is a new vCPU file
 * descriptor, for other functions 0.
 *
 * GUNYAH_VM_REMOVE_FUNCTION - detach a function previously added with
 * GUNYAH_VM_ADD_FUNCTION; the type and the identifying fields of the argument
 * must match the added instance, otherwise -ENOENT is returned.
 *
 * GUNYAH_VM_MAP_MEM - bind (or, with GUNYAH_MEM_UNMAP, unbind) a range of a
 * guest-memory file to a range of guest physical addresses, see
 * &struct gunyah_map_mem_args.
 *
 * GUNYAH_VM_SET_BOOT_CONTEXT - set the initial value of one register of the
 * boot vCPU (&struct gunyah_vm_boot_context). Only allowed before the VM has
 * been started.
 */
#define GUNYAH_VM_SET_DTB_CONFIG	_IOW(GUNYAH_IOCTL_TYPE, 0x02, \
					     struct gunyah_vm_dtb_config)
#define GUNYAH_VM_START			_IO(GUNYAH_IOCTL_TYPE, 0x03)
#define GUNYAH_VM_ADD_FUNCTION		_IOW(GUNYAH_IOCTL_TYPE, 0x04, struct gunyah_fn_desc)
#define GUNYAH_VM_REMOVE_FUNCTION	_IOW(GUNYAH_IOCTL_TYPE, 0x07, struct gunyah_fn_desc)
#define GUNYAH_VM_MAP_MEM		_IOW(GUNYAH_IOCTL_TYPE, 0x09, \
					     struct gunyah_map_mem_args)
#define GUNYAH_VM_SET_BOOT_CONTEXT	_IOW(GUNYAH_IOCTL_TYPE, 0x0a, \
					     struct gunyah_vm_boot_context)

/**
 * struct gunyah_vm_dtb_config - Argument of GUNYAH_VM_SET_DTB_CONFIG
 * @guest_phys_addr: Guest physical address of the devicetree blob; it must
 *                   start on a page boundary (else GUNYAH_VM_START fails with
 *                   -EINVAL).
 * @size: Size of the region that holds the devicetree blob, in bytes: the
 *        blob and the room the Resource Manager may use to grow it (it writes
 *        its overlay there at start). The driver rounds it up to whole pages;
 *        the rounded region must lie in guest memory. @guest_phys_addr + @size
 *        must not overflow (-EOVERFLOW).
 */
struct gunyah_vm_dtb_config {
	__u64 guest_phys_addr;
	__u64 size;
};

/**
 * enum gunyah_fn_type - Types of VM function
 * @GUNYAH_FN_VCPU: A virtual CPU; argument &struct gunyah_fn_vcpu_arg.
 * @GUNYAH_FN_IRQFD: An eventfd that rings a doorbell into the guest when
 *                   signalled; argument &struct gunyah_fn_irqfd_arg.
 * @GUNYAH_FN_IOEVENTFD: An eventfd signalled when the guest writes to an MMIO
 *                       address; argument &struct gunyah_fn_ioeventfd_arg.
 */
enum gunyah_fn_type {
	GUNYAH_FN_VCPU		= 1,
	GUNYAH_FN_IRQFD		= 2,
	GUNYAH_FN_IOEVENTFD	= 3,
};

/* Largest function argument accepted in &struct gunyah_fn_desc.arg_size */
#define GUNYAH_FN_MAX_ARG_SIZE		256

/**
 * struct gunyah_fn_vcpu_arg - Argument of a GUNYAH_FN_VCPU function
 * @id: Index of the vCPU, starting at 0. Adding the same index twice fails with
 *      -EEXIST. The vCPU fd is removed again by passing the same @id to
 *      GUNYAH_VM_REMOVE_FUNCTION.
 */
struct gunyah_fn_vcpu_arg {
	__u32 id;
};

/**
 * enum gunyah_irqfd_flags - Flags of &struct gunyah_fn_irqfd_arg
 * @GUNYAH_IRQFD_FLAGS_LEVEL: The doorbell behaves like a level-triggered
 *                            interrupt: it stays asserted until the guest
 *                            acknowledges it.
 */
enum gunyah_irqfd_flags {
	GUNYAH_IRQFD_FLAGS_LEVEL	= (1U << 0),
};

/**
 * struct gunyah_fn_irqfd_arg - Argument of a GUNYAH_FN_IRQFD function
 * @fd: eventfd that triggers the doorbell when signalled.
 * @label: Label of the doorbell in the guest's devicetree. Identifies the
 *         function for GUNYAH_VM_REMOVE_FUNCTION.
 * @flags: Bitwise OR of &enum gunyah_irqfd_flags values; other bits -EINVAL.
 * @padding: Must be zero.
 */
struct gunyah_fn_irqfd_arg {
	__u32 fd;
	__u32 label;
	__u32 flags;
	__u32 padding;
};

/**
 * enum gunyah_ioeventfd_flags - Flags of &struct gunyah_fn_ioeventfd_arg
 * @GUNYAH_IOEVENTFD_FLAGS_DATAMATCH: Only signal the eventfd when the value
 *                                    written equals
 *                                    &struct gunyah_fn_ioeventfd_arg.datamatch.
 */
enum gunyah_ioeventfd_flags {
	GUNYAH_IOEVENTFD_FLAGS_DATAMATCH	= (1U << 0),
};

/**
 * struct gunyah_fn_ioeventfd_arg - Argument of a GUNYAH_FN_IOEVENTFD function
 * @datamatch: Value to compare the written data with, if
 *             GUNYAH_IOEVENTFD_FLAGS_DATAMATCH is set.
 * @addr: Guest physical address of the watched MMIO location.
 * @len: Access size to match: 1, 2, 4 or 8 bytes, or 0 for any size (0 is not
 *       allowed together with GUNYAH_IOEVENTFD_FLAGS_DATAMATCH).
 * @fd: eventfd signalled on a matching guest write.
 * @flags: Bitwise OR of &enum gunyah_ioeventfd_flags values; other bits -EINVAL.
 * @padding: Must be zero.
 *
 * Matching writes are completed in the kernel without an MMIO exit to
 * userspace. @addr, @len, @flags and (with DATAMATCH) @datamatch identify the
 * function for GUNYAH_VM_REMOVE_FUNCTION.
 */
struct gunyah_fn_ioeventfd_arg {
	__u64 datamatch;
	__u64 addr;
	__u32 len;
	__s32 fd;
	__u32 flags;
	__u32 padding;
};

/**
 * struct gunyah_fn_desc - Argument of GUNYAH_VM_ADD_FUNCTION and
 *                         GUNYAH_VM_REMOVE_FUNCTION
 * @type: Function type, one of &enum gunyah_fn_type.
 * @arg_size: Size in bytes of the argument @arg points to; at most
 *            GUNYAH_FN_MAX_ARG_SIZE and exactly the size of the argument
 *            structure of @type.
 * @arg: User pointer to the type-specific argument.
 */
struct gunyah_fn_desc {
	__u32 type;
	__u32 arg_size;
	__u64 arg;
};

/**
 * enum gunyah_map_flags - Flags of &struct gunyah_map_mem_args
 * @GUNYAH_MEM_DEFAULT_ACCESS: Let the kernel choose how memory is given to the
 *                             guest (currently: lent).
 * @GUNYAH_MEM_FORCE_LEND: Lend the memory: only the guest can access it while
 *                         the guest holds it.
 * @GUNYAH_MEM_FORCE_SHARE: Share the memory: guest and host both access it.
 * @GUNYAH_MEM_ACCESS_MASK: Bits holding one of the three access types above.
 * @GUNYAH_MEM_ALLOW_READ: The guest may read the memory.
 * @GUNYAH_MEM_ALLOW_WRITE: The guest may write the memory.
 * @GUNYAH_MEM_ALLOW_EXEC: The guest may execute from the memory.
 * @GUNYAH_MEM_ALLOW_RWX: All three of the above.
 * @GUNYAH_MEM_UNMAP: Remove the given range (all of a binding, its start, its
 *                    end or a piece in the middle, which leaves two bindings)
 *                    from an existing binding instead of adding a new one. The
 *                    other flags must equal those of the binding.
 *
 * At least one GUNYAH_MEM_ALLOW_* bit is required when adding a binding.
 */
enum gunyah_map_flags {
	GUNYAH_MEM_DEFAULT_ACCESS	= 0x0,
	GUNYAH_MEM_FORCE_LEND		= 0x1,
	GUNYAH_MEM_FORCE_SHARE		= 0x2,
	GUNYAH_MEM_ACCESS_MASK		= 0x7,

	GUNYAH_MEM_ALLOW_READ		= (1U << 4),
	GUNYAH_MEM_ALLOW_WRITE		= (1U << 5),
	GUNYAH_MEM_ALLOW_EXEC		= (1U << 6),
	GUNYAH_MEM_ALLOW_RWX		= (GUNYAH_MEM_ALLOW_READ | GUNYAH_MEM_ALLOW_WRITE |
					   GUNYAH_MEM_ALLOW_EXEC),

	GUNYAH_MEM_UNMAP		= (1U << 8),
};

/**
 * struct gunyah_map_mem_args - Argument of GUNYAH_VM_MAP_MEM
 * @guest_addr: Guest physical address of the start of the range.
 * @flags: One access type and GUNYAH_MEM_ALLOW_* bits from
 *         &enum gunyah_map_flags, optionally GUNYAH_MEM_UNMAP.
 * @guest_mem_fd: File descriptor returned by GUNYAH_CREATE_GUEST_MEM.
 * @offset: Offset of the range within the guest-memory file.
 * @size: Size of the range in bytes.
 *
 * @guest_addr, @offset and @size must be page aligned (2 MiB aligned when the
 * file was created with GHMF_ALLOW_HUGEPAGE). A new binding must not overlap an
 * existing binding of the same file region or of the same guest range
 * (-EEXIST). Pages are handed to the guest on first access.
 */
struct gunyah_map_mem_args {
	__u64 guest_addr;
	__u32 flags;
	__u32 guest_mem_fd;
	__u64 offset;
	__u64 size;
};

/**
 * enum gunyah_vm_boot_context_reg - Register sets of &struct gunyah_vm_boot_context
 * @REG_SET_X: General-purpose registers X0 to X31 (index 0 to 31).
 * @REG_SET_PC: Program counter (index 0 only).
 * @REG_SET_SP: Stack pointers (index 0 to 2).
 */
enum gunyah_vm_boot_context_reg {
	REG_SET_X	= 0,
	REG_SET_PC	= 1,
	REG_SET_SP	= 2,
};

#define GUNYAH_VM_BOOT_CONTEXT_REG_SHIFT	8
/* Build &struct gunyah_vm_boot_context.reg from a register set and an index */
#define GUNYAH_VM_BOOT_CONTEXT_REG(reg, idx)	\
	((((reg) & 0xff) << GUNYAH_VM_BOOT_CONTEXT_REG_SHIFT) | ((idx) & 0xff))

/**
 * struct gunyah_vm_boot_context - Argument of GUNYAH_VM_SET_BOOT_CONTEXT
 * @reg: Register to set, built with GUNYAH_VM_BOOT_CONTEXT_REG() from a value of
 *       &enum gunyah_vm_boot_context_reg and an index. An unknown set or an
 *       index out of range fails with -EINVAL.
 * @reserved: Must be zero.
 * @value: Initial value of the register. Setting a register again replaces
 *         the previous value.
 */
struct gunyah_vm_boot_context {
	__u32 reg;
	__u32 reserved;
	__u64 value;
};

/**
 * DOC: vCPU fd ioctls
 *
 * GUNYAH_VCPU_RUN - run the vCPU until it needs userspace, a signal arrives or
 * &struct gunyah_vcpu_run.immediate_exit is set (-EINTR). Returns 0 with the
 * reason of the exit in the shared &struct gunyah_vcpu_run, -ENODEV if the VM
 * has not been started or the vCPU was removed.
 *
 * GUNYAH_VCPU_MMAP_SIZE - returns the number of bytes to mmap() at offset 0 of
 * the vCPU fd to access &struct gunyah_vcpu_run (the page size).
 */
#define GUNYAH_VCPU_RUN			_IO(GUNYAH_IOCTL_TYPE, 0x05)
#define GUNYAH_VCPU_MMAP_SIZE		_IO(GUNYAH_IOCTL_TYPE, 0x06)

/**
 * enum gunyah_vm_status - VM state reported by a GUNYAH_VCPU_EXIT_STATUS exit
 * @GUNYAH_VM_STATUS_LOAD_FAILED: The VM could not be initialised.
 * @GUNYAH_VM_STATUS_EXITED: The VM stopped, e.g. because the guest powered off.
 * @GUNYAH_VM_STATUS_CRASHED: The VM stopped running for another reason.
 */
enum gunyah_vm_status {
	GUNYAH_VM_STATUS_LOAD_FAILED	= 1,
	GUNYAH_VM_STATUS_EXITED		= 2,
	GUNYAH_VM_STATUS_CRASHED	= 3,
};

/* Number of exit-reason bytes passed on in &struct gunyah_vm_exit_info */
#define GUNYAH_VM_MAX_EXIT_REASON_SIZE	8u

/**
 * struct gunyah_vm_exit_info - Why the VM stopped, as told by the hypervisor
 * @type: Exit type reported by the resource manager (e.g. 1 for a platform
 *        power-off, 2 for a platform reset).
 * @padding: Zero.
 * @reason_size: Size of the full exit reason reported by the resource manager;
 *               may exceed GUNYAH_VM_MAX_EXIT_REASON_SIZE.
 * @reason: The first min(@reason_size, GUNYAH_VM_MAX_EXIT_REASON_SIZE) bytes of
 *          the exit reason, unmodified.
 */
struct gunyah_vm_exit_info {
	__u16 type;
	__u16 padding;
	__u32 reason_size;
	__u8 reason[GUNYAH_VM_MAX_EXIT_REASON_SIZE];
};

/**
 * enum gunyah_vcpu_exit - Values of &struct gunyah_vcpu_run.exit_reason
 * @GUNYAH_VCPU_EXIT_UNKNOWN: No information; run the vCPU again.
 * @GUNYAH_VCPU_EXIT_MMIO: The guest accessed an address that userspace has to
 *                         emulate; see &struct gunyah_vcpu_run.mmio.
 * @GUNYAH_VCPU_EXIT_STATUS: The VM is no longer running; see
 *                           &struct gunyah_vcpu_run.status. Every further
 *                           GUNYAH_VCPU_RUN reports the same status.
 * @GUNYAH_VCPU_EXIT_PAGE_FAULT: The kernel could not provide memory for a guest
 *                               access; see &struct gunyah_vcpu_run.page_fault.
 */
enum gunyah_vcpu_exit {
	GUNYAH_VCPU_EXIT_UNKNOWN	= 0,
	GUNYAH_VCPU_EXIT_MMIO		= 1,
	GUNYAH_VCPU_EXIT_STATUS		= 2,
	GUNYAH_VCPU_EXIT_PAGE_FAULT	= 3,
};

/**
 * enum gunyah_vcpu_resume_action - How the next GUNYAH_VCPU_RUN resumes the guest
 * @GUNYAH_VCPU_RESUME_HANDLED: The access was emulated; for an MMIO read the
 *                              guest receives the first mmio.len bytes of
 *                              &struct gunyah_vcpu_run.mmio.data.
 * @GUNYAH_VCPU_RESUME_FAULT: Inject the abort into the guest.
 * @GUNYAH_VCPU_RESUME_RETRY: Re-execute the faulting instruction, e.g. after
 *                            memory was bound at the faulting address.
 */
enum gunyah_vcpu_resume_action {
	GUNYAH_VCPU_RESUME_HANDLED	= 0,
	GUNYAH_VCPU_RESUME_FAULT	= 1,
	GUNYAH_VCPU_RESUME_RETRY	= 2,
};

/**
 * struct gunyah_vcpu_run - Page shared between the kernel and userspace for a vCPU
 * @immediate_exit: If non-zero, GUNYAH_VCPU_RUN returns -EINTR instead of
 *                  (re-)entering the guest.
 * @padding: Zero.
 * @exit_reason: Why GUNYAH_VCPU_RUN returned, one of &enum gunyah_vcpu_exit.
 *               Selects the valid member of the union below.
 * @padding2: Zero.
 * @mmio: Valid for GUNYAH_VCPU_EXIT_MMIO.
 * @mmio.phys_addr: Guest physical address of the access.
 * @mmio.data: For a write, the bytes written (little-endian, @mmio.len of
 *             them). For a read, userspace stores the result here.
 * @mmio.len: Size of the access in bytes: 1, 2, 4 or 8.
 * @mmio.is_write: 1 for a write, 0 for a read.
 * @mmio.resume_action: &enum gunyah_vcpu_resume_action, preset by the kernel
 *                      to GUNYAH_VCPU_RESUME_HANDLED; userspace may change it
 *                      before the next GUNYAH_VCPU_RUN.
 * @mmio.padding: Zero.
 * @status: Valid for GUNYAH_VCPU_EXIT_STATUS.
 * @status.status: One of &enum gunyah_vm_status.
 * @status.exit_info: Details passed on from the hypervisor.
 * @status.padding: Zero.
 * @page_fault: Valid for GUNYAH_VCPU_EXIT_PAGE_FAULT.
 * @page_fault.phys_addr: Guest physical address of the access.
 * @page_fault.attempt: Negative errno of the kernel's attempt to provide the
 *                      page, e.g. -ENOENT when no binding covers the address.
 * @page_fault.resume_action: &enum gunyah_vcpu_resume_action, preset to
 *                            GUNYAH_VCPU_RESUME_FAULT.
 * @page_fault.padding: Zero.
 *
 * Obtained by mmap() of GUNYAH_VCPU_MMAP_SIZE bytes at offset 0 of the vCPU fd.
 */
struct gunyah_vcpu_run {
	__u8 immediate_exit;
	__u8 padding[7];

	__u32 exit_reason;
	__u32 padding2;

	union {
		struct {
			__u64 phys_addr;
			__u8 data[8];
			__u32 len;
			__u8 is_write;
			__u8 resume_action;
			__u8 padding[2];
		} mmio;

		struct {
			__u32 status;
			struct gunyah_vm_exit_info exit_info;
			__u32 padding;
		} status;

		struct {
			__u64 phys_addr;
			__s32 attempt;
			__u8 resume_action;
			__u8 padding[3];
		} page_fault;
	};
};

/*
 * Android Common Kernel ioctls.
 *
 * Android kernels carry the following in addition to the ioctls above. The
 * numbers and layouts are those of android14-6.1 and later Android kernels.
 */

#define GH_ANDROID_IOCTL_TYPE		'A'

/**
 * DOC: Android VM fd ioctls
 *
 * Android kernels spell two of the structures below in two ways: android14-6.1
 * as ``struct gh_userspace_memory_region`` and ``struct gh_vm_firmware_config``,
 * later Android kernels as ``struct gunyah_userspace_memory_region`` and
 * ``struct gunyah_vm_firmware_config``.  Both spellings name the same structure
 * here, so that a VMM written against either one builds unchanged.
 *
 * GH_VM_SET_USER_MEM_REGION - share a range of host userspace memory with the
 * guest (guest and host keep access), see &struct gunyah_userspace_memory_region.
 *
 * GH_VM_ANDROID_LEND_USER_MEM - lend a range of host userspace memory to the
 * guest (only the guest has access while it holds it); same argument as
 * GH_VM_SET_USER_MEM_REGION.
 *
 * GH_VM_ANDROID_SET_FW_CONFIG - make the VM a protected VM whose firmware
 * lies at the guest range given by &struct gunyah_vm_firmware_config, inside a
 * region added with GH_VM_ANDROID_LEND_USER_MEM (or a lent guest memory
 * binding that holds the device tree).  The VM's boot vCPU starts in that
 * firmware; GUNYAH_VM_SET_BOOT_CONTEXT values are not used for such a VM.
 * Only before GUNYAH_VM_START (-EBUSY after).
 *
 * GH_VM_RECLAIM_REGION - take a range of guest memory back from the VM,
 * while it runs too (a balloon that inflates), see &struct gh_vm_reclaim_region.
 * The whole range must lie in one guest memory binding (GUNYAH_VM_MAP_MEM) or
 * in one region of GH_VM_SET_USER_MEM_REGION / GH_VM_ANDROID_LEND_USER_MEM.
 * In a binding, lent or shared, it acts as FALLOC_FL_PUNCH_HOLE on the file
 * there: the pages the guest was given on demand are unmapped from it and
 * given back by the hypervisor, and every page of the range is freed (user
 * mappings of the file lose them); the guest's next access there faults in
 * a fresh zeroed page.  Memory given up front as a parcel (the binding's
 * image parcel, a user memory region) comes back only as a whole parcel and
 * only when the Resource Manager agrees (the guest released it): a range
 * covering all of it asks the RM; a range covering part of it gets -EBUSY.
 * A region's memory stays the VMM's (pinned, or mapped where it was) until
 * the VM goes.  Before GUNYAH_VM_START nothing is the guest's: a binding's
 * pages are freed, a region is left as it is.  Errors: -EINVAL for a size of
 * zero, an address or size not page-aligned or a range that wraps; -ENOENT
 * if no single binding or region holds all of the range; -EBUSY as above,
 * with a line in the kernel log saying why; -EIO if the hypervisor did not
 * give some pages back (they stay the guest's; the others are freed, and a
 * retry takes the rest).  The kernel log tells which.
 *
 * GH_VM_ANDROID_MAP_CMA_MEM - bind a range of a guest memory file
 * (GUNYAH_CREATE_GUEST_MEM) to the guest under a parcel label, see
 * &struct gh_map_cma_mem_args: a GUNYAH_VM_MAP_MEM binding in the Android
 * flag layout.  Physical contiguity is not guaranteed: a file created with
 * GHMF_ALLOW_HUGEPAGE is backed by 2 MiB folios where the host has them.
 *
 * GH_VM_ANDROID_SET_AUTH_TYPE - choose how the Resource Manager authenticates
 * the VM's image, see &struct gh_vm_auth_type.  Only before GUNYAH_VM_START
 * (-EBUSY after).
 */
#define GH_VM_SET_USER_MEM_REGION	_IOW(GUNYAH_IOCTL_TYPE, 0x01, \
					     struct gunyah_userspace_memory_region)
#define GH_VM_ANDROID_LEND_USER_MEM	_IOW(GH_ANDROID_IOCTL_TYPE, 0x11, \
					     struct gunyah_userspace_memory_region)
#define GH_VM_ANDROID_SET_FW_CONFIG	_IOW(GH_ANDROID_IOCTL_TYPE, 0x12, \
					     struct gunyah_vm_firmware_config)
#define GH_VM_RECLAIM_REGION		_IOW(GH_ANDROID_IOCTL_TYPE, 0x13, \
					     struct gh_vm_reclaim_region)
#define GH_VM_ANDROID_MAP_CMA_MEM	_IOW(GH_ANDROID_IOCTL_TYPE, 0x15, \
					     struct gh_map_cma_mem_args)
#define GH_VM_ANDROID_SET_AUTH_TYPE	_IOW(GH_ANDROID_IOCTL_TYPE, 0x16, \
					     struct gh_vm_auth_type)

/*
 * Flags of &struct gunyah_userspace_memory_region and of
 * &struct gh_map_cma_mem_args: guest access rights.
 */
#define GH_MEM_ALLOW_READ		0x1UL
#define GH_MEM_ALLOW_WRITE		0x2UL
#define GH_MEM_ALLOW_EXEC		0x4UL

/* Access type in the flags of &struct gh_map_cma_mem_args (bits 6:4) */
#define GH_MEM_FORCE_LEND		0x10UL
#define GH_MEM_FORCE_SHARE		0x20UL

/**
 * struct gunyah_userspace_memory_region - Argument of GH_VM_SET_USER_MEM_REGION
 *                                         and GH_VM_ANDROID_LEND_USER_MEM
 * @label: Label of the memory parcel, as referenced by the guest's devicetree.
 * @flags: Bitwise OR of GH_MEM_ALLOW_* values; other bits -EINVAL.
 * @guest_phys_addr: Guest physical address of the region.
 * @memory_size: Size of the region in bytes; non-zero and page aligned.
 * @userspace_addr: Host virtual address of the backing memory (page aligned);
 *                  the kernel pins it.
 *
 * Also spelled ``struct gh_userspace_memory_region``.
 */
struct gunyah_userspace_memory_region {
	__u32 label;
	__u32 flags;
	__u64 guest_phys_addr;
	__u64 memory_size;
	__u64 userspace_addr;
};

#define gh_userspace_memory_region	gunyah_userspace_memory_region

/**
 * struct gunyah_vm_firmware_config - Argument of GH_VM_ANDROID_SET_FW_CONFIG
 * @guest_phys_addr: Guest physical address of the protected-VM firmware; page
 *                   aligned.
 * @size: Size of the firmware in bytes; non-zero and page aligned.
 *
 * Also spelled ``struct gh_vm_firmware_config``.
 */
struct gunyah_vm_firmware_config {
	__u64 guest_phys_addr;
	__u64 size;
};

#define gh_vm_firmware_config		gunyah_vm_firmware_config

/**
 * struct gh_vm_reclaim_region - Argument of GH_VM_RECLAIM_REGION
 * @guest_phys_addr: Guest physical address of the range to take back; page
 *                   aligned.
 * @size: Size of the range in bytes; non-zero and page aligned.
 */
struct gh_vm_reclaim_region {
	__u64 guest_phys_addr;
	__u64 size;
};

/**
 * struct gh_map_cma_mem_args - Argument of GH_VM_ANDROID_MAP_CMA_MEM
 * @label: Label of the memory parcel, as referenced by the guest's devicetree;
 *         unique among the VM's user memory regions and these bindings.
 * @reserved: Ignored (padding that VMMs may leave uninitialised).
 * @guest_addr: Guest physical address of the range.
 * @flags: At least one GH_MEM_ALLOW_* right, optionally GH_MEM_FORCE_LEND or
 *         GH_MEM_FORCE_SHARE (neither: lent); other bits -EINVAL.
 * @guest_mem_fd: File descriptor from GUNYAH_CREATE_GUEST_MEM.
 * @offset: Offset of the range in that file.
 * @size: Size of the range in bytes, non-zero.
 *
 * @guest_addr, @offset and @size must be page aligned (2 MiB aligned for a
 * file created with GHMF_ALLOW_HUGEPAGE) and the range within the file.
 */
struct gh_map_cma_mem_args {
	__u32 label;
	__u32 reserved;
	__u64 guest_addr;
	__u32 flags;
	__u32 guest_mem_fd;
	__u64 offset;
	__u64 size;
};

/* Types of &struct gh_vm_auth_type */
#define GH_VM_AUTH_ANDROID_PVM		0	/* Android protected VM */
#define GH_VM_AUTH_QCOM_TRUSTED_VM	1	/* Qualcomm trusted VM (PIL) */

/**
 * struct gh_vm_auth_pvm_arg - What the argument of GH_VM_ANDROID_SET_AUTH_TYPE
 *                             points to
 * @vm_id: VM identifier the image is signed for.
 * @pas_id: Peripheral authentication service identifier of the image.
 * @guest_phys_addr: Guest physical address of the image to authenticate.
 * @size: Size of that image in bytes.
 *
 * Natural alignment: two bytes of padding follow @vm_id (24 bytes in all).
 */
struct gh_vm_auth_pvm_arg {
	__u16 vm_id;
	__u32 pas_id;
	__u64 guest_phys_addr;
	__u64 size;
};

/**
 * struct gh_vm_auth_type - Argument of GH_VM_ANDROID_SET_AUTH_TYPE
 * @type: GH_VM_AUTH_ANDROID_PVM or GH_VM_AUTH_QCOM_TRUSTED_VM; others -EINVAL.
 * @arg_size: Size of what @arg points to: sizeof(struct gh_vm_auth_pvm_arg),
 *            else -EINVAL.
 * @arg: Userspace pointer to a &struct gh_vm_auth_pvm_arg.
 *
 * The Resource Manager is told the matching authentication mechanism when
 * the VM starts (Android protected VM firmware, or Qualcomm PIL ELF); one
 * that cannot authenticate that way refuses the start.
 */
struct gh_vm_auth_type {
	__u32 type;
	__u32 arg_size;
	__u64 arg;
};

#endif /* _UAPI_LINUX_GUNYAH_H */
