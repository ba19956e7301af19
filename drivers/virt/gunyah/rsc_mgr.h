/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Gunyah Resource Manager: the RPC core (rsc_mgr.c) and the typed RPCs
 * (rsc_mgr_rpc.c).  Wire structures are little-endian and packed.
 */
#ifndef _GUNYAH_RSC_MGR_H
#define _GUNYAH_RSC_MGR_H

#include <linux/gunyah.h>
#include <linux/notifier.h>
#include <linux/types.h>

#define GUNYAH_VMID_INVAL		U16_MAX
#define GUNYAH_MEM_HANDLE_INVAL		U32_MAX

/* Largest request payload the transport sends: 62 fragments of 232 bytes. */
#define GUNYAH_RM_MAX_REQ_SIZE		(62 * 232)

struct gunyah_rm;

/* RPC core (rsc_mgr.c) */
long gunyah_rm_timeout(void);
int gunyah_rm_call(struct gunyah_rm *rm, u32 message_id, const void *req_buf, size_t req_buf_size,
		   void **resp_buf, size_t *resp_buf_size);
int gunyah_rm_notifier_register(struct gunyah_rm *rm, struct notifier_block *nb);
int gunyah_rm_notifier_unregister(struct gunyah_rm *rm, struct notifier_block *nb);
struct device *gunyah_rm_get(struct gunyah_rm *rm);
void gunyah_rm_put(struct gunyah_rm *rm);
struct device *gunyah_rm_device(struct gunyah_rm *rm);
const char *gunyah_rm_error_name(int err);

/**
 * struct gunyah_rm_notification - what notifier callbacks receive as data
 * @payload: the notification's payload (NULL when empty)
 * @size: its size in bytes; check it before reading
 */
struct gunyah_rm_notification {
	const void *payload;
	size_t size;
};

/* Notifications */
#define GUNYAH_RM_NOTIFICATION_VM_EXITED	0x56100001
#define GUNYAH_RM_NOTIFICATION_VM_STATUS	0x56100008
#define GUNYAH_RM_NOTIFICATION_MEM_RELEASED	0x51100012
#define GUNYAH_RM_NOTIFICATION_MEM_ACCEPTED	0x51100013

/**
 * struct gunyah_rm_vm_exited_payload - VM_EXITED notification
 * @vmid: VM that exited
 * @exit_type: why (RM exit type)
 * @exit_reason_size: bytes in @exit_reason
 * @exit_reason: opaque reason words
 */
struct gunyah_rm_vm_exited_payload {
	__le16 vmid;
	__le16 exit_type;
	__le32 exit_reason_size;
	u8 exit_reason[];
} __packed;

/**
 * enum gunyah_rm_vm_status - VM status as the Resource Manager tracks it
 * @GUNYAH_RM_VM_STATUS_NO_STATE: not allocated
 * @GUNYAH_RM_VM_STATUS_INIT: image configured
 * @GUNYAH_RM_VM_STATUS_READY: hypervisor objects created
 * @GUNYAH_RM_VM_STATUS_RUNNING: started
 * @GUNYAH_RM_VM_STATUS_PAUSED: paused
 * @GUNYAH_RM_VM_STATUS_LOAD: VMID allocated, waiting for the image
 * @GUNYAH_RM_VM_STATUS_AUTH: image being authenticated
 * @GUNYAH_RM_VM_STATUS_INIT_FAILED: init or start failed
 * @GUNYAH_RM_VM_STATUS_EXITED: stopped, needs a reset
 * @GUNYAH_RM_VM_STATUS_RESETTING: reset in progress
 * @GUNYAH_RM_VM_STATUS_RESET: reset complete
 */
enum gunyah_rm_vm_status {
	GUNYAH_RM_VM_STATUS_NO_STATE = 0,
	GUNYAH_RM_VM_STATUS_INIT = 1,
	GUNYAH_RM_VM_STATUS_READY = 2,
	GUNYAH_RM_VM_STATUS_RUNNING = 3,
	GUNYAH_RM_VM_STATUS_PAUSED = 4,
	GUNYAH_RM_VM_STATUS_LOAD = 5,
	GUNYAH_RM_VM_STATUS_AUTH = 6,
	GUNYAH_RM_VM_STATUS_INIT_FAILED = 8,
	GUNYAH_RM_VM_STATUS_EXITED = 9,
	GUNYAH_RM_VM_STATUS_RESETTING = 10,
	GUNYAH_RM_VM_STATUS_RESET = 11,
};

/**
 * struct gunyah_rm_vm_status_payload - VM_STATUS notification
 * @vmid: VM whose status changed
 * @reserved: reserved
 * @vm_status: &enum gunyah_rm_vm_status
 * @os_status: guest OS status
 * @app_status: application status
 */
struct gunyah_rm_vm_status_payload {
	__le16 vmid;
	u16 reserved;
	u8 vm_status;
	u8 os_status;
	__le16 app_status;
} __packed;

/**
 * struct gunyah_rm_mem_notif_payload - MEM_RELEASED and MEM_ACCEPTED notifications
 * @mem_handle: the parcel
 * @vmid: the VM that released or accepted it
 * @reserved: reserved
 * @mem_info_tag: the tag given when the parcel was made
 */
struct gunyah_rm_mem_notif_payload {
	__le32 mem_handle;
	__le16 vmid;
	u16 reserved;
	__le32 mem_info_tag;
} __packed;

/* Memory parcels */
#define GUNYAH_RM_ACL_X		BIT(0)
#define GUNYAH_RM_ACL_W		BIT(1)
#define GUNYAH_RM_ACL_R		BIT(2)

/**
 * struct gunyah_rm_mem_acl_entry - one VM's rights on a parcel
 * @vmid: the VM
 * @perms: GUNYAH_RM_ACL_*
 * @reserved: reserved
 */
struct gunyah_rm_mem_acl_entry {
	__le16 vmid;
	u8 perms;
	u8 reserved;
} __packed;

/**
 * struct gunyah_rm_mem_entry - one contiguous range of a parcel
 * @phys_addr: owner's address of the range
 * @size: its size
 */
struct gunyah_rm_mem_entry {
	__le64 phys_addr;
	__le64 size;
} __packed;

/**
 * enum gunyah_rm_mem_type - type of memory in a parcel
 * @GUNYAH_RM_MEM_TYPE_NORMAL: normal memory
 * @GUNYAH_RM_MEM_TYPE_IO: device memory
 */
enum gunyah_rm_mem_type {
	GUNYAH_RM_MEM_TYPE_NORMAL = 0,
	GUNYAH_RM_MEM_TYPE_IO = 1,
};

/**
 * struct gunyah_rm_mem_parcel - a memory parcel
 * @mem_type: &enum gunyah_rm_mem_type
 * @label: label visible to the recipients
 * @n_acl_entries: entries in @acl_entries (1: lend, more: share)
 * @acl_entries: who gets which rights
 * @n_mem_entries: entries in @mem_entries
 * @mem_entries: the memory
 * @mem_handle: set by gunyah_rm_mem_share(), GUNYAH_MEM_HANDLE_INVAL before
 */
struct gunyah_rm_mem_parcel {
	enum gunyah_rm_mem_type mem_type;
	u32 label;
	size_t n_acl_entries;
	struct gunyah_rm_mem_acl_entry *acl_entries;
	size_t n_mem_entries;
	struct gunyah_rm_mem_entry *mem_entries;
	u32 mem_handle;
};

int gunyah_rm_mem_share(struct gunyah_rm *rm, struct gunyah_rm_mem_parcel *parcel);
int gunyah_rm_mem_reclaim(struct gunyah_rm *rm, struct gunyah_rm_mem_parcel *parcel);

/* VM lifecycle */
int gunyah_rm_alloc_vmid(struct gunyah_rm *rm, u16 vmid);
int gunyah_rm_dealloc_vmid(struct gunyah_rm *rm, u16 vmid);
int gunyah_rm_vm_reset(struct gunyah_rm *rm, u16 vmid);
int gunyah_rm_vm_start(struct gunyah_rm *rm, u16 vmid);
int gunyah_rm_vm_stop(struct gunyah_rm *rm, u16 vmid);

/**
 * enum gunyah_rm_vm_auth_mechanism - how the RM authenticates an image
 * @GUNYAH_RM_VM_AUTH_NONE: no authentication
 * @GUNYAH_RM_VM_AUTH_QCOM_PIL_ELF: Qualcomm PIL ELF
 * @GUNYAH_RM_VM_AUTH_QCOM_ANDROID_PVM: Android protected VM firmware
 */
enum gunyah_rm_vm_auth_mechanism {
	GUNYAH_RM_VM_AUTH_NONE = 0,
	GUNYAH_RM_VM_AUTH_QCOM_PIL_ELF = 1,
	GUNYAH_RM_VM_AUTH_QCOM_ANDROID_PVM = 2,
};

int gunyah_rm_vm_configure(struct gunyah_rm *rm, u16 vmid,
			   enum gunyah_rm_vm_auth_mechanism auth_mechanism, u32 mem_handle,
			   u64 image_offset, u64 image_size, u64 dtb_offset, u64 dtb_size);
int gunyah_rm_vm_init(struct gunyah_rm *rm, u16 vmid);
int gunyah_rm_vm_set_boot_context(struct gunyah_rm *rm, u16 vmid, u8 reg_set, u8 reg_index,
				  u64 value);
int gunyah_rm_vm_set_firmware_mem(struct gunyah_rm *rm, u16 vmid,
				  struct gunyah_rm_mem_parcel *parcel, u64 fw_offset, u64 fw_size);
int gunyah_rm_probe_demand_paging(struct gunyah_rm *rm);
bool gunyah_rm_demand_paging(struct gunyah_rm *rm);
int gunyah_rm_host_vmid(struct gunyah_rm *rm, u16 *vmid);
int gunyah_rm_vm_set_demand_paging(struct gunyah_rm *rm, u16 vmid, u32 count,
				   struct gunyah_rm_mem_entry *entries);

/**
 * enum gunyah_rm_range_id - ranges of VM_SET_ADDRESS_LAYOUT
 * @GUNYAH_RM_RANGE_ID_IMAGE: the image (DTB) parcel
 * @GUNYAH_RM_RANGE_ID_FIRMWARE: the firmware
 */
enum gunyah_rm_range_id {
	GUNYAH_RM_RANGE_ID_IMAGE = 0,
	GUNYAH_RM_RANGE_ID_FIRMWARE = 1,
};

int gunyah_rm_vm_set_address_layout(struct gunyah_rm *rm, u16 vmid,
				    enum gunyah_rm_range_id range_id, u64 base_address, u64 size);

/**
 * enum gunyah_resource_type - types of VM_GET_HYP_RESOURCES entries
 * @GUNYAH_RESOURCE_TYPE_BELL_TX: doorbell the caller can ring
 * @GUNYAH_RESOURCE_TYPE_BELL_RX: doorbell the caller receives
 * @GUNYAH_RESOURCE_TYPE_MSGQ_TX: message queue the caller sends on
 * @GUNYAH_RESOURCE_TYPE_MSGQ_RX: message queue the caller receives from
 * @GUNYAH_RESOURCE_TYPE_VCPU: a vCPU of the VM (label = vCPU index)
 * @GUNYAH_RESOURCE_TYPE_MEM_EXTENT: a memory extent (labels 0..3)
 * @GUNYAH_RESOURCE_TYPE_ADDR_SPACE: the VM's address space (label 0)
 */
enum gunyah_resource_type {
	GUNYAH_RESOURCE_TYPE_BELL_TX = 0,
	GUNYAH_RESOURCE_TYPE_BELL_RX = 1,
	GUNYAH_RESOURCE_TYPE_MSGQ_TX = 2,
	GUNYAH_RESOURCE_TYPE_MSGQ_RX = 3,
	GUNYAH_RESOURCE_TYPE_VCPU = 4,
	GUNYAH_RESOURCE_TYPE_MEM_EXTENT = 9,
	GUNYAH_RESOURCE_TYPE_ADDR_SPACE = 10,
};

/**
 * struct gunyah_rm_hyp_resource - one VM_GET_HYP_RESOURCES entry
 * @type: &enum gunyah_resource_type
 * @reserved: reserved
 * @partner_vmid: the VM the resource connects to
 * @resource_handle: RM-internal handle
 * @resource_label: label (meaning depends on @type)
 * @cap_id: capability ID in the caller's capability space
 * @virq_handle: RM-internal handle
 * @virq: interrupt delivered to the caller for this resource (0: none)
 * @base: base address, where relevant
 * @size: size, where relevant
 */
struct gunyah_rm_hyp_resource {
	u8 type;
	u8 reserved;
	__le16 partner_vmid;
	__le32 resource_handle;
	__le32 resource_label;
	__le64 cap_id;
	__le32 virq_handle;
	__le32 virq;
	__le64 base;
	__le64 size;
} __packed;

/**
 * struct gunyah_rm_hyp_resources - VM_GET_HYP_RESOURCES reply
 * @n_entries: number of entries
 * @entries: the resources
 */
struct gunyah_rm_hyp_resources {
	__le32 n_entries;
	struct gunyah_rm_hyp_resource entries[];
} __packed;

int gunyah_rm_get_hyp_resources(struct gunyah_rm *rm, u16 vmid,
				struct gunyah_rm_hyp_resources **resources);
int gunyah_rm_get_vmid(struct gunyah_rm *rm, u16 *vmid);

#endif
