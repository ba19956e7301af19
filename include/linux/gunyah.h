/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * In-kernel interface of the Gunyah driver stack: hypercall wrappers and
 * the hypervisor's error codes.
 */
#ifndef _LINUX_GUNYAH_H
#define _LINUX_GUNYAH_H

#include <linux/bitfield.h>
#include <linux/bits.h>
#include <linux/device/driver.h>
#include <linux/errno.h>
#include <linux/list.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/rbtree.h>
#include <linux/types.h>

#include <uapi/linux/gunyah.h>

struct gunyah_vm;
struct gunyah_rm;
struct gunyah_rm_mem_parcel;
struct page;

/**
 * struct gunyah_rm_platform_ops - platform hooks around giving memory away
 * @pre_mem_share: before a memory parcel is lent or shared; an error stops it
 * @post_mem_reclaim: after a parcel came back (or could not be made)
 * @pre_demand_page: before one page is lent (@lend) or shared with VM @vmid
 * @release_demand_page: after that page came back (or could not be given)
 *
 * Platforms whose memory protection lives outside Gunyah (e.g. firmware
 * that must be told which VM owns a page) register these; by default
 * nothing is called.  Any hook may be NULL.
 */
struct gunyah_rm_platform_ops {
	int (*pre_mem_share)(struct gunyah_rm *rm, struct gunyah_rm_mem_parcel *parcel);
	int (*post_mem_reclaim)(struct gunyah_rm *rm, struct gunyah_rm_mem_parcel *parcel);
	int (*pre_demand_page)(struct gunyah_rm *rm, u16 vmid, bool lend, struct page *page);
	int (*release_demand_page)(struct gunyah_rm *rm, u16 vmid, bool lend, struct page *page);
};

int gunyah_rm_register_platform_ops(const struct gunyah_rm_platform_ops *ops);
void gunyah_rm_unregister_platform_ops(const struct gunyah_rm_platform_ops *ops);

/**
 * struct gunyah_resource - a hypervisor resource of a VM, from the RM
 * @type: &enum gunyah_resource_type (see the Resource Manager)
 * @capid: capability ID in the host's capability space
 * @irq: Linux IRQ for the resource's interrupt, or 0
 * @rm_label: label the RM gave the resource
 * @list: entry in a resource ticket's list
 */
struct gunyah_resource {
	u32 type;
	u64 capid;
	unsigned int irq;
	u32 rm_label;
	struct list_head list;
};

/**
 * struct gunyah_vm_resource_ticket - a claim on resources of a VM
 * @vm_list: entry in the VM's ticket list
 * @resources: resources handed to this ticket
 * @resource_type: the type of resource wanted
 * @label: the label wanted
 * @owner: module providing the callbacks
 * @populate: a matching resource arrived; return false to refuse it
 * @unpopulate: the resource goes away (VM teardown, or ticket removal)
 *
 * Resources arrive when the VM starts; a ticket registered later is
 * populated straight away with matching resources the VM already has.
 */
struct gunyah_vm_resource_ticket {
	struct list_head vm_list;
	struct list_head resources;
	u32 resource_type;
	u32 label;
	struct module *owner;
	bool (*populate)(struct gunyah_vm_resource_ticket *ticket,
			 struct gunyah_resource *ghrsc);
	void (*unpopulate)(struct gunyah_vm_resource_ticket *ticket,
			   struct gunyah_resource *ghrsc);
};

int gunyah_vm_add_resource_ticket(struct gunyah_vm *ghvm,
				  struct gunyah_vm_resource_ticket *ticket);
void gunyah_vm_remove_resource_ticket(struct gunyah_vm *ghvm,
				      struct gunyah_vm_resource_ticket *ticket);
/**
 * struct gunyah_vm_io_handler - an in-kernel handler of guest MMIO writes
 * @node: entry in the VM's tree of handlers
 * @addr: guest physical address
 * @len: access size in bytes, or 0 for any size
 * @datamatch: only writes of @data match
 * @data: the value, with @datamatch
 * @write: called for a matching write, from the vCPU's exit path with a
 *         read lock held (it must not sleep); returns 0 once handled
 */
struct gunyah_vm_io_handler {
	struct rb_node node;
	u64 addr;
	u32 len;
	bool datamatch;
	u64 data;
	int (*write)(struct gunyah_vm_io_handler *io, u64 addr, u32 len, u64 data);
};

int gunyah_vm_add_io_handler(struct gunyah_vm *ghvm, struct gunyah_vm_io_handler *io);
void gunyah_vm_remove_io_handler(struct gunyah_vm *ghvm, struct gunyah_vm_io_handler *io);
int gunyah_vm_mmio_write(struct gunyah_vm *ghvm, u64 addr, u32 len, u64 data);

bool gunyah_vm_get(struct gunyah_vm *ghvm);
void gunyah_vm_put(struct gunyah_vm *ghvm);

struct gunyah_vm_function_instance;

/**
 * struct gunyah_vm_function - a type of VM function (vCPU, irqfd, ...)
 * @type: &enum gunyah_fn_type
 * @name: for messages
 * @mod: module providing the function
 * @bind: create an instance; returns >= 0 (e.g. a file descriptor) or -errno
 * @unbind: destroy an instance
 * @compare: whether an instance matches a REMOVE_FUNCTION argument
 */
struct gunyah_vm_function {
	u32 type;
	const char *name;
	struct module *mod;
	long (*bind)(struct gunyah_vm_function_instance *f);
	void (*unbind)(struct gunyah_vm_function_instance *f);
	bool (*compare)(const struct gunyah_vm_function_instance *f, const void *arg,
			size_t size);
};

/**
 * struct gunyah_vm_function_instance - one function added to a VM
 * @arg_size: size of @argp
 * @argp: copy of the user's argument
 * @ghvm: the VM
 * @mod: module of @fn (a reference is held)
 * @fn: the function type
 * @data: the function's private data
 * @vm_list: entry in the VM's function list
 */
struct gunyah_vm_function_instance {
	size_t arg_size;
	void *argp;
	struct gunyah_vm *ghvm;
	struct module *mod;
	struct gunyah_vm_function *fn;
	void *data;
	struct list_head vm_list;
};

int gunyah_vm_function_register(struct gunyah_vm_function *f);
void gunyah_vm_function_unregister(struct gunyah_vm_function *f);

/* Module alias that lets the VM manager load a function type on demand. */
#define MODULE_ALIAS_GUNYAH_VM_FUNCTION(_type)	MODULE_ALIAS("ghfunc:" __stringify(_type))

#define DECLARE_GUNYAH_VM_FUNCTION(_name, _type, _bind, _unbind, _compare)	\
	static struct gunyah_vm_function _name = {				\
		.type = _type,							\
		.name = __stringify(_name),					\
		.mod = THIS_MODULE,						\
		.bind = _bind,							\
		.unbind = _unbind,						\
		.compare = _compare,						\
	}

/*
 * A module that only provides a VM function type: registers it at load and
 * withdraws it at unload.  Add MODULE_ALIAS_GUNYAH_VM_FUNCTION(type) too.
 */
#define module_gunyah_vm_function(__fn)						\
	module_driver(__fn, gunyah_vm_function_register, gunyah_vm_function_unregister)

#define GUNYAH_CAPID_INVAL	U64_MAX
#define GUNYAH_VMID_ROOT_VM	0xff

/**
 * enum gunyah_error - error codes returned in x0 by Gunyah hypercalls
 * @GUNYAH_ERROR_OK: success
 * @GUNYAH_ERROR_UNIMPLEMENTED: the call does not exist
 * @GUNYAH_ERROR_RETRY: transient condition, call again
 * @GUNYAH_ERROR_ARG_INVAL: invalid argument
 * @GUNYAH_ERROR_ARG_SIZE: invalid size argument
 * @GUNYAH_ERROR_ARG_ALIGN: misaligned argument
 * @GUNYAH_ERROR_NOMEM: the hypervisor is out of memory
 * @GUNYAH_ERROR_NORESOURCES: no resources left
 * @GUNYAH_ERROR_ADDR_OVFL: address overflow
 * @GUNYAH_ERROR_ADDR_UNFL: address underflow
 * @GUNYAH_ERROR_ADDR_INVAL: invalid address
 * @GUNYAH_ERROR_DENIED: operation not permitted
 * @GUNYAH_ERROR_BUSY: object busy
 * @GUNYAH_ERROR_IDLE: object idle
 * @GUNYAH_ERROR_OBJECT_STATE: object in the wrong state
 * @GUNYAH_ERROR_OBJECT_CONFIG: object configuration error
 * @GUNYAH_ERROR_OBJECT_CONFIGURED: object already configured
 * @GUNYAH_ERROR_FAILURE: generic failure
 * @GUNYAH_ERROR_IRQ_BOUND: virtual interrupt already bound
 * @GUNYAH_ERROR_IRQ_UNBOUND: virtual interrupt not bound
 * @GUNYAH_ERROR_CSPACE_CAP_NULL: capability ID does not exist
 * @GUNYAH_ERROR_CSPACE_CAP_REVOKED: capability was revoked
 * @GUNYAH_ERROR_CSPACE_WRONG_OBJ_TYPE: capability names the wrong object type
 * @GUNYAH_ERROR_CSPACE_INSUF_RIGHTS: capability lacks the needed rights
 * @GUNYAH_ERROR_CSPACE_FULL: capability space full
 * @GUNYAH_ERROR_MSGQUEUE_EMPTY: message queue empty
 * @GUNYAH_ERROR_MSGQUEUE_FULL: message queue full
 */
enum gunyah_error {
	GUNYAH_ERROR_OK				= 0,
	GUNYAH_ERROR_UNIMPLEMENTED		= -1,
	GUNYAH_ERROR_RETRY			= -2,

	GUNYAH_ERROR_ARG_INVAL			= 1,
	GUNYAH_ERROR_ARG_SIZE			= 2,
	GUNYAH_ERROR_ARG_ALIGN			= 3,

	GUNYAH_ERROR_NOMEM			= 10,
	GUNYAH_ERROR_NORESOURCES		= 11,

	GUNYAH_ERROR_ADDR_OVFL			= 20,
	GUNYAH_ERROR_ADDR_UNFL			= 21,
	GUNYAH_ERROR_ADDR_INVAL			= 22,

	GUNYAH_ERROR_DENIED			= 30,
	GUNYAH_ERROR_BUSY			= 31,
	GUNYAH_ERROR_IDLE			= 32,
	GUNYAH_ERROR_OBJECT_STATE		= 33,
	GUNYAH_ERROR_OBJECT_CONFIG		= 34,
	GUNYAH_ERROR_OBJECT_CONFIGURED		= 35,
	GUNYAH_ERROR_FAILURE			= 36,

	GUNYAH_ERROR_IRQ_BOUND			= 40,
	GUNYAH_ERROR_IRQ_UNBOUND		= 41,

	GUNYAH_ERROR_CSPACE_CAP_NULL		= 50,
	GUNYAH_ERROR_CSPACE_CAP_REVOKED		= 51,
	GUNYAH_ERROR_CSPACE_WRONG_OBJ_TYPE	= 52,
	GUNYAH_ERROR_CSPACE_INSUF_RIGHTS	= 53,
	GUNYAH_ERROR_CSPACE_FULL		= 54,

	GUNYAH_ERROR_MSGQUEUE_EMPTY		= 60,
	GUNYAH_ERROR_MSGQUEUE_FULL		= 61,
};

/**
 * gunyah_error_remap() - convert a Gunyah hypercall error to an errno
 * @gunyah_error: value returned by the hypervisor in x0
 *
 * This is the one place where hypervisor errors become errnos; codes with
 * no better meaning map to -EINVAL.
 *
 * Return: 0 or a negative errno.
 */
static inline int gunyah_error_remap(enum gunyah_error gunyah_error)
{
	switch (gunyah_error) {
	case GUNYAH_ERROR_OK:
		return 0;
	case GUNYAH_ERROR_NOMEM:
		return -ENOMEM;
	case GUNYAH_ERROR_DENIED:
	case GUNYAH_ERROR_CSPACE_CAP_NULL:
	case GUNYAH_ERROR_CSPACE_CAP_REVOKED:
	case GUNYAH_ERROR_CSPACE_WRONG_OBJ_TYPE:
	case GUNYAH_ERROR_CSPACE_INSUF_RIGHTS:
		return -EACCES;
	case GUNYAH_ERROR_CSPACE_FULL:
	case GUNYAH_ERROR_BUSY:
	case GUNYAH_ERROR_IDLE:
		return -EBUSY;
	case GUNYAH_ERROR_IRQ_BOUND:
	case GUNYAH_ERROR_IRQ_UNBOUND:
	case GUNYAH_ERROR_MSGQUEUE_FULL:
	case GUNYAH_ERROR_MSGQUEUE_EMPTY:
		return -EIO;
	case GUNYAH_ERROR_UNIMPLEMENTED:
		return -EOPNOTSUPP;
	case GUNYAH_ERROR_RETRY:
		return -EAGAIN;
	default:
		return -EINVAL;
	}
}

/* hyp_identify: fields of api_info and feature flags (API flags 0). */
#define GUNYAH_API_INFO_API_VERSION_MASK	GENMASK_ULL(13, 0)
#define GUNYAH_API_INFO_BIG_ENDIAN		BIT_ULL(14)
#define GUNYAH_API_INFO_IS_64BIT		BIT_ULL(15)
#define GUNYAH_API_INFO_VARIANT_MASK		GENMASK_ULL(63, 56)
#define GUNYAH_API_V1				1

/**
 * enum gunyah_api_feature - hyp_identify feature flag bits (API flags 0)
 * @GUNYAH_FEATURE_DOORBELL: doorbells
 * @GUNYAH_FEATURE_MSGQUEUE: message queues
 * @GUNYAH_FEATURE_VCPU: vCPU objects
 * @GUNYAH_FEATURE_MEMEXTENT: memory extents
 * @GUNYAH_FEATURE_VCPU_RUN: proxy scheduling (vcpu_run)
 */
enum gunyah_api_feature {
	GUNYAH_FEATURE_DOORBELL = 1,
	GUNYAH_FEATURE_MSGQUEUE = 2,
	GUNYAH_FEATURE_VCPU = 5,
	GUNYAH_FEATURE_MEMEXTENT = 6,
	GUNYAH_FEATURE_VCPU_RUN = 11,
};

/**
 * struct gunyah_hypercall_hyp_identify_resp - result of hyp_identify
 * @api_info: API version, endianness, width and hypervisor variant
 * @flags: API flags 0..2; flags[0] holds &enum gunyah_api_feature bits
 */
struct gunyah_hypercall_hyp_identify_resp {
	u64 api_info;
	u64 flags[3];
};

static inline u16
gunyah_api_version(const struct gunyah_hypercall_hyp_identify_resp *gunyah_api)
{
	return FIELD_GET(GUNYAH_API_INFO_API_VERSION_MASK, gunyah_api->api_info);
}

bool arch_is_gunyah_guest(void);
void gunyah_hypercall_hyp_identify(struct gunyah_hypercall_hyp_identify_resp *hyp_identity);

/* Doorbells */
int gunyah_hypercall_bell_send(u64 capid, u64 new_flags, u64 *old_flags);
int gunyah_hypercall_bell_set_mask(u64 capid, u64 enable_mask, u64 ack_mask);

/* Message queues */
#define GUNYAH_HYPERCALL_MSGQ_TX_FLAGS_PUSH	BIT(0)

int gunyah_hypercall_msgq_send(u64 capid, size_t size, void *buff, u64 tx_flags, bool *ready);
int gunyah_hypercall_msgq_recv(u64 capid, void *buff, size_t size, size_t *recv_size,
			       bool *ready);

/* Address spaces */
#define GUNYAH_ADDRSPACE_SELF_CAP		0

/**
 * enum gunyah_pagetable_access - access rights of a stage-2 mapping
 * @GUNYAH_PAGETABLE_ACCESS_NONE: no access
 * @GUNYAH_PAGETABLE_ACCESS_X: execute
 * @GUNYAH_PAGETABLE_ACCESS_W: write
 * @GUNYAH_PAGETABLE_ACCESS_R: read
 * @GUNYAH_PAGETABLE_ACCESS_RX: read and execute
 * @GUNYAH_PAGETABLE_ACCESS_RW: read and write
 * @GUNYAH_PAGETABLE_ACCESS_RWX: read, write and execute
 */
enum gunyah_pagetable_access {
	GUNYAH_PAGETABLE_ACCESS_NONE = 0,
	GUNYAH_PAGETABLE_ACCESS_X = 1,
	GUNYAH_PAGETABLE_ACCESS_W = 2,
	GUNYAH_PAGETABLE_ACCESS_R = 4,
	GUNYAH_PAGETABLE_ACCESS_RX = 5,
	GUNYAH_PAGETABLE_ACCESS_RW = 6,
	GUNYAH_PAGETABLE_ACCESS_RWX = 7,
};

#define GUNYAH_MEMEXTENT_MAPPING_USER_ACCESS		GENMASK_ULL(2, 0)
#define GUNYAH_MEMEXTENT_MAPPING_KERNEL_ACCESS		GENMASK_ULL(6, 4)
#define GUNYAH_MEMEXTENT_MAPPING_TYPE			GENMASK_ULL(23, 16)
#define GUNYAH_MEMEXTENT_MAPPING_TYPE_NORMAL_WB		15

#define GUNYAH_ADDRSPACE_MAP_FLAG_PARTIAL	BIT(0)
#define GUNYAH_ADDRSPACE_MAP_FLAG_PRIVATE	BIT(1)
#define GUNYAH_ADDRSPACE_MAP_FLAG_VMMIO		BIT(2)
#define GUNYAH_ADDRSPACE_MAP_FLAG_NOSYNC	BIT(31)

/**
 * struct gunyah_map_info - arguments of addrspace_map/addrspace_unmap
 * @addrspace_capid: address space to change
 * @extent_capid: memory extent providing the memory
 * @vbase: IPA in the address space
 * @attrs: mapping attributes (GUNYAH_MEMEXTENT_MAPPING_*)
 * @flags: GUNYAH_ADDRSPACE_MAP_FLAG_*
 * @offset: offset into the extent (with PARTIAL)
 * @size: size of the mapping (with PARTIAL)
 */
struct gunyah_map_info {
	u64 addrspace_capid;
	u64 extent_capid;
	u64 vbase;
	u32 attrs;
	u32 flags;
	u64 offset;
	u64 size;
};

int gunyah_hypercall_addrspace_map(const struct gunyah_map_info *info);
int gunyah_hypercall_addrspace_unmap(const struct gunyah_map_info *info);

/* Memory extents */
#define GUNYAH_MEMEXTENT_OPTION_TYPE_MASK	GENMASK_ULL(7, 0)
#define GUNYAH_MEMEXTENT_OPTION_NOSYNC		BIT(31)

/**
 * enum gunyah_memextent_donate_type - memextent_donate direction
 * @GUNYAH_MEMEXTENT_DONATE_TO_CHILD: parent to derived child extent
 * @GUNYAH_MEMEXTENT_DONATE_TO_PARENT: child to parent extent
 * @GUNYAH_MEMEXTENT_DONATE_TO_SIBLING: between extents with the same parent
 * @GUNYAH_MEMEXTENT_DONATE_TO_PROTECTED: into a guest-private extent
 * @GUNYAH_MEMEXTENT_DONATE_FROM_PROTECTED: out of a guest-private extent
 */
enum gunyah_memextent_donate_type {
	GUNYAH_MEMEXTENT_DONATE_TO_CHILD = 0,
	GUNYAH_MEMEXTENT_DONATE_TO_PARENT = 1,
	GUNYAH_MEMEXTENT_DONATE_TO_SIBLING = 2,
	GUNYAH_MEMEXTENT_DONATE_TO_PROTECTED = 3,
	GUNYAH_MEMEXTENT_DONATE_FROM_PROTECTED = 4,
};

int gunyah_hypercall_memextent_donate(u32 options, u64 from_capid, u64 to_capid, u64 offset,
				      u64 size);

/* vCPUs */
/**
 * enum gunyah_vcpu_state - run state returned by vcpu_run
 * @GUNYAH_VCPU_STATE_READY: the vCPU can run again
 * @GUNYAH_VCPU_STATE_EXPECTS_WAKEUP: waiting for an interrupt (WFI, suspend)
 * @GUNYAH_VCPU_STATE_POWERED_OFF: powered off
 * @GUNYAH_VCPU_STATE_BLOCKED: blocked in the hypervisor
 * @GUNYAH_VCPU_ADDRSPACE_VMMIO_READ: MMIO read to emulate
 * @GUNYAH_VCPU_ADDRSPACE_VMMIO_WRITE: MMIO write to emulate
 * @GUNYAH_VCPU_STATE_FAULT: unrecoverable fault
 * @GUNYAH_VCPU_ADDRSPACE_PAGE_FAULT: access to an IPA without memory
 * @GUNYAH_VCPU_STATE_PSCI_SYSTEM_RESET: the guest asked for a system reset
 */
enum gunyah_vcpu_state {
	GUNYAH_VCPU_STATE_READY = 0,
	GUNYAH_VCPU_STATE_EXPECTS_WAKEUP = 1,
	GUNYAH_VCPU_STATE_POWERED_OFF = 2,
	GUNYAH_VCPU_STATE_BLOCKED = 3,
	GUNYAH_VCPU_ADDRSPACE_VMMIO_READ = 4,
	GUNYAH_VCPU_ADDRSPACE_VMMIO_WRITE = 5,
	GUNYAH_VCPU_STATE_FAULT = 6,
	GUNYAH_VCPU_ADDRSPACE_PAGE_FAULT = 7,
	GUNYAH_VCPU_STATE_PSCI_SYSTEM_RESET = 0x100,
};

/**
 * struct gunyah_hypercall_vcpu_run_resp - result of vcpu_run
 * @state: &enum gunyah_vcpu_state
 * @state_data: state-specific data words
 */
struct gunyah_hypercall_vcpu_run_resp {
	u64 state;
	u64 state_data[3];
};

int gunyah_hypercall_vcpu_run(u64 capid, const u64 *resume_data,
			      struct gunyah_hypercall_vcpu_run_resp *resp);

#endif
