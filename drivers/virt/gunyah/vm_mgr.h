/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Gunyah VM manager: /dev/gunyah, VM file descriptors and VM lifecycle.
 */
#ifndef _GUNYAH_VM_MGR_H
#define _GUNYAH_VM_MGR_H

#include <linux/gunyah.h>
#include <linux/kref.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/rwsem.h>
#include <linux/wait.h>
#include <linux/xarray.h>

#include "rsc_mgr.h"

struct gunyah_vm_mgr;

struct gunyah_vm_mgr *gunyah_vm_mgr_create(struct gunyah_rm *rm);
void gunyah_vm_mgr_destroy(struct gunyah_vm_mgr *mgr);
int gunyah_rm_map_virq(struct gunyah_rm *rm, u32 virq);

/**
 * struct gunyah_vm_mem_region - user memory given to the VM up front
 * @list: entry in the VM's region list
 * @label: label from user space
 * @lend: lent (the host loses access) rather than shared
 * @guest_phys_addr: where the guest sees it
 * @size: its size
 * @userspace_addr: host virtual address of the memory
 * @flags: GH_MEM_ALLOW_* rights of the guest
 * @pages: the pinned pages (shared), or the pages of @gmem_file (lent)
 * @npages: number of pages
 * @gmem_file: lent regions: the guest memory file that took the range over
 * @parcel: the memory parcel, once given to the RM
 * @orphaned: the RM may hold the memory though no parcel is known: never
 *            give the pages back to the kernel
 */
struct gunyah_vm_mem_region {
	struct list_head list;
	u32 label;
	bool lend;
	u64 guest_phys_addr;
	u64 size;
	u64 userspace_addr;
	u32 flags;
	struct page **pages;
	unsigned long npages;
	struct file *gmem_file;
	struct gunyah_rm_mem_parcel parcel;
	bool orphaned;
};

struct gunyah_gmem;

/**
 * struct gunyah_gmem_binding - a range of a guest memory file bound to a VM
 * @vm_list: entry in the VM's binding list
 * @gmem_list: entry in the file's binding list
 * @guest_addr: guest physical address of the range
 * @offset: offset in the file
 * @size: size of the range
 * @flags: GUNYAH_MEM_* access type and rights
 * @gmem: the file's guest memory
 * @file: the file (a reference is held)
 * @ghvm: the VM
 * @in_parcel: its first @parcel_size bytes were given to the VM as @parcel
 * @parcel_size: bytes of the binding, from its start, that are in @parcel
 * @parcel: the memory parcel
 * @label: label of @parcel (GH_VM_ANDROID_MAP_CMA_MEM's), else 0
 * @labelled: made by GH_VM_ANDROID_MAP_CMA_MEM: @label is the VMM's
 */
struct gunyah_gmem_binding {
	struct list_head vm_list;
	struct list_head gmem_list;
	u64 guest_addr;
	u64 offset;
	u64 size;
	u32 flags;
	struct gunyah_gmem *gmem;
	struct file *file;
	struct gunyah_vm *ghvm;
	bool in_parcel;
	u64 parcel_size;
	struct gunyah_rm_mem_parcel parcel;
	u32 label;
	bool labelled;
};

/*
 * The most of a binding that is given to a VM up front, as its image
 * parcel; the rest is demand-paged.  Nothing proportional to the size of
 * a binding is allocated at start.
 */
#define GUNYAH_IMAGE_PARCEL_MAX		SZ_256M

/**
 * struct gunyah_vm - a virtual machine
 * @vmid: VMID from the RM once allocated, else GUNYAH_VMID_INVAL
 * @mgr: the VM manager that created it
 * @rm: the Resource Manager
 * @parent: the RM's device (a reference is held)
 * @mm: the creator's mm (memory regions must come from it)
 * @kref: references: the VM fd and function instances
 * @status_lock: protects @vm_status and serialises start/teardown
 * @vm_status: VM status as tracked here
 * @vm_status_wait: woken when @vm_status changes
 * @exit_info: from the VM_EXITED notification
 * @nb: RM notifications
 * @fn_lock: protects @functions
 * @functions: function instances
 * @resources_lock: protects @resources and @resource_tickets
 * @resources: resources no ticket claimed (yet)
 * @resource_tickets: registered tickets
 * @mem_lock: protects @mem_regions and @bindings
 * @mem_regions: user memory regions
 * @bindings: guest memory file bindings
 * @io_lock: protects @io_handlers
 * @io_handlers: in-kernel handlers of MMIO writes (vm_mgr_io.c)
 * @dtb: where the guest's device tree is
 * @boot_context: registers to set at start, by (set << 8 | index)
 * @fw: protected-VM firmware range (GH_VM_ANDROID_SET_FW_CONFIG); size 0: none
 * @auth_set: GH_VM_ANDROID_SET_AUTH_TYPE was given
 * @auth_type: its GH_VM_AUTH_* type
 * @auth_arg: its argument
 * @addrspace_ticket: claims the VM's address space (demand paging)
 * @extent_tickets: claim its four memory extents
 * @addrspace_capid: capability of the address space, or GUNYAH_CAPID_INVAL
 * @extent_capids: capabilities of the memory extents, by label
 */
struct gunyah_vm {
	u16 vmid;
	struct gunyah_vm_mgr *mgr;
	struct gunyah_rm *rm;
	struct device *parent;
	struct mm_struct *mm;
	struct kref kref;

	struct rw_semaphore status_lock;
	enum gunyah_rm_vm_status vm_status;
	wait_queue_head_t vm_status_wait;
	struct gunyah_vm_exit_info exit_info;
	struct notifier_block nb;

	struct mutex fn_lock;		/* protects @functions */
	struct list_head functions;

	struct mutex resources_lock;	/* protects @resources, @resource_tickets */
	struct list_head resources;
	struct list_head resource_tickets;

	struct mutex mem_lock;		/* protects @mem_regions, @bindings */
	struct list_head mem_regions;
	struct list_head bindings;

	rwlock_t io_lock;		/* protects @io_handlers */
	struct rb_root io_handlers;

	struct gunyah_vm_dtb_config dtb;
	struct xarray boot_context;
	struct gunyah_vm_firmware_config fw;
	bool auth_set;
	u32 auth_type;
	struct gh_vm_auth_pvm_arg auth_arg;

	struct gunyah_vm_resource_ticket addrspace_ticket;
	struct gunyah_vm_resource_ticket extent_tickets[4];
	u64 addrspace_capid;
	u64 extent_capids[4];
};

/* vm_mgr_mem.c */
int gunyah_vm_add_mem_region(struct gunyah_vm *ghvm, const struct gh_userspace_memory_region *r,
			     bool lend);
int gunyah_vm_share_mem_regions(struct gunyah_vm *ghvm, u16 host_vmid);
void gunyah_vm_reclaim_mem_regions(struct gunyah_vm *ghvm);
void gunyah_vm_free_mem_regions(struct gunyah_vm *ghvm);
struct gunyah_vm_mem_region *gunyah_vm_find_mem_region(struct gunyah_vm *ghvm, u64 gpa,
						       u64 size);

/* guest_memfd.c */
int gunyah_gmem_init(void);
void gunyah_gmem_exit(void);
long gunyah_guest_mem_create(const struct gunyah_create_mem_args *args);
struct file *gunyah_gmem_create_file(u64 size, u64 flags);
int gunyah_gmem_fill_from_user(struct file *file, unsigned long uaddr, u64 size);
int gunyah_gmem_lend_file(struct file *file, struct page **pages, unsigned long n);
void gunyah_gmem_unlend_file(struct file *file, unsigned long n);
int gunyah_vm_map_mem(struct gunyah_vm *ghvm, const struct gunyah_map_mem_args *args);
u64 gunyah_gmem_bind_align(struct file *file);
int gunyah_vm_bind_labelled(struct gunyah_vm *ghvm, const struct gunyah_map_mem_args *args,
			    struct file *file, u32 label);
struct gunyah_gmem_binding *gunyah_vm_find_binding(struct gunyah_vm *ghvm, u64 gpa, u64 size);
bool gunyah_binding_lends(const struct gunyah_gmem_binding *b);
int gunyah_binding_build_parcel(struct gunyah_vm *ghvm, struct gunyah_gmem_binding *b,
				struct gunyah_rm_mem_parcel *parcel, u64 size, u16 host_vmid);
void gunyah_binding_parcel_gone(struct gunyah_gmem_binding *b,
				struct gunyah_rm_mem_parcel *parcel);
int gunyah_vm_share_binding(struct gunyah_vm *ghvm, struct gunyah_gmem_binding *b, u64 size,
			    u16 host_vmid);
void gunyah_vm_reclaim_bindings(struct gunyah_vm *ghvm);
int gunyah_vm_demand_paging_ranges(struct gunyah_vm *ghvm, struct gunyah_gmem_binding *except,
				   struct gunyah_rm_mem_entry **ranges);
int gunyah_vm_demand_page(struct gunyah_vm *ghvm, u64 gpa, bool write);
int gunyah_vm_share_page(struct gunyah_vm *ghvm, u64 gpa, bool write);
void gunyah_vm_reclaim_pages(struct gunyah_vm *ghvm);
int gunyah_binding_reclaim_range(struct gunyah_vm *ghvm, struct gunyah_gmem_binding *b, u64 gpa,
				 u64 size);
int gunyah_vm_reclaim_region(struct gunyah_vm *ghvm, u64 gpa, u64 size);
void gunyah_vm_free_bindings(struct gunyah_vm *ghvm);

#endif
