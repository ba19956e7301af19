// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gunyah Resource Manager: the typed RPCs.
 *
 * Every function here builds one little-endian request, passes it to the
 * RPC core with gunyah_rm_call() and checks the size of the reply before
 * anything in it is used.  A reply whose size does not match what the RPC
 * defines is reported and turned into -EBADMSG.
 */

#include <linux/build_bug.h>
#include <linux/device.h>
#include <linux/gunyah.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/types.h>

#include "gunyah_platform_hooks.h"
#include "rsc_mgr.h"

/* Message IDs */
#define GUNYAH_RM_RPC_MEM_LEND			0x51000012
#define GUNYAH_RM_RPC_MEM_SHARE			0x51000013
#define GUNYAH_RM_RPC_MEM_RECLAIM		0x51000015
#define GUNYAH_RM_RPC_MEM_APPEND		0x51000018
#define GUNYAH_RM_RPC_VM_ALLOC_VMID		0x56000001
#define GUNYAH_RM_RPC_VM_DEALLOC_VMID		0x56000002
#define GUNYAH_RM_RPC_VM_START			0x56000004
#define GUNYAH_RM_RPC_VM_STOP			0x56000005
#define GUNYAH_RM_RPC_VM_RESET			0x56000006
#define GUNYAH_RM_RPC_VM_CONFIG_IMAGE		0x56000009
#define GUNYAH_RM_RPC_VM_INIT			0x5600000B
#define GUNYAH_RM_RPC_VM_GET_HYP_RESOURCES	0x56000020
#define GUNYAH_RM_RPC_VM_GET_VMID		0x56000024
#define GUNYAH_RM_RPC_VM_SET_BOOT_CONTEXT	0x56000031
#define GUNYAH_RM_RPC_VM_SET_FIRMWARE_MEM	0x56000032
#define GUNYAH_RM_RPC_VM_SET_DEMAND_PAGING	0x56000033
#define GUNYAH_RM_RPC_VM_SET_ADDRESS_LAYOUT	0x56000034

/* Limits of one MEM_LEND/MEM_SHARE/MEM_APPEND message */
#define GUNYAH_RM_MAX_MEM_ENTRIES		512
#define GUNYAH_RM_MAX_ACL_ENTRIES		255

/* MEM_LEND/MEM_SHARE header flags */
#define GUNYAH_RM_MEM_FLAG_APPEND		BIT(1)

/* MEM_RECLAIM flags */
#define GUNYAH_RM_MEM_RECLAIM_FLAG_SANITIZE	BIT(0)

/* MEM_APPEND flags */
#define GUNYAH_RM_MEM_APPEND_FLAG_END		BIT(0)

/* VM_STOP flags and stop reasons */
#define GUNYAH_RM_VM_STOP_FLAG_FORCE_STOP	BIT(0)
#define GUNYAH_RM_VM_STOP_REASON_FORCE_STOP	3

/*
 * Request of the RPCs that only name a VM: VM_ALLOC_VMID, VM_DEALLOC_VMID,
 * VM_START, VM_RESET, VM_INIT and VM_GET_HYP_RESOURCES.
 */
struct gunyah_rm_vm_common_req {
	__le16 vmid;
	__le16 reserved;
} __packed;
static_assert(sizeof(struct gunyah_rm_vm_common_req) == 4);

/* Reply of VM_ALLOC_VMID (for "any" VMID) and of VM_GET_VMID */
struct gunyah_rm_vmid_resp {
	__le16 vmid;
	__le16 reserved;
} __packed;
static_assert(sizeof(struct gunyah_rm_vmid_resp) == 4);

/* VM_STOP request */
struct gunyah_rm_vm_stop_req {
	__le16 vmid;
	u8 flags;
	u8 reserved;
	__le32 stop_reason;
} __packed;
static_assert(sizeof(struct gunyah_rm_vm_stop_req) == 8);

/* VM_CONFIG_IMAGE request */
struct gunyah_rm_vm_config_image_req {
	__le16 vmid;
	__le16 auth_mech;
	__le32 mem_handle;
	__le64 image_offset;
	__le64 image_size;
	__le64 dtb_offset;
	__le64 dtb_size;
} __packed;
static_assert(sizeof(struct gunyah_rm_vm_config_image_req) == 40);

/* VM_SET_BOOT_CONTEXT request */
struct gunyah_rm_vm_set_boot_context_req {
	__le16 vmid;
	u8 reg_set;
	u8 reg_index;
	__le32 reserved;
	__le64 value;
} __packed;
static_assert(sizeof(struct gunyah_rm_vm_set_boot_context_req) == 16);

/* VM_SET_FIRMWARE_MEM request */
struct gunyah_rm_vm_set_firmware_mem_req {
	__le16 vmid;
	__le16 reserved;
	__le32 mem_handle;
	__le64 fw_offset;
	__le64 fw_size;
} __packed;
static_assert(sizeof(struct gunyah_rm_vm_set_firmware_mem_req) == 24);

/* VM_SET_DEMAND_PAGING request: a list of guest address ranges */
struct gunyah_rm_vm_set_demand_paging_req {
	__le16 vmid;
	__le16 reserved;
	__le32 n_ranges;
	struct gunyah_rm_mem_entry ranges[];
} __packed;
static_assert(sizeof(struct gunyah_rm_vm_set_demand_paging_req) == 8);

/* VM_SET_ADDRESS_LAYOUT request */
struct gunyah_rm_vm_set_address_layout_req {
	__le16 vmid;
	__le16 reserved;
	__le32 range_id;
	__le64 base_address;
	__le64 size;
} __packed;
static_assert(sizeof(struct gunyah_rm_vm_set_address_layout_req) == 24);

/*
 * MEM_LEND/MEM_SHARE request, part one: the fixed header and the ACL
 * section.  It is followed by a struct gunyah_rm_mem_sgl_section and a
 * struct gunyah_rm_mem_attr_section.
 */
struct gunyah_rm_mem_share_req {
	u8 mem_type;
	u8 reserved0;
	u8 flags;
	u8 reserved1;
	__le32 label;
	__le16 n_acl_entries;
	__le16 reserved2;
	struct gunyah_rm_mem_acl_entry acl_entries[];
} __packed;
static_assert(sizeof(struct gunyah_rm_mem_share_req) == 12);

/* SGL section of MEM_LEND/MEM_SHARE */
struct gunyah_rm_mem_sgl_section {
	__le16 n_entries;
	__le16 reserved;
	struct gunyah_rm_mem_entry entries[];
} __packed;
static_assert(sizeof(struct gunyah_rm_mem_sgl_section) == 4);

/* Attribute section of MEM_LEND/MEM_SHARE; no attributes are ever sent */
struct gunyah_rm_mem_attr_section {
	__le16 n_entries;
	__le16 reserved;
} __packed;
static_assert(sizeof(struct gunyah_rm_mem_attr_section) == 4);

/* Reply of MEM_LEND/MEM_SHARE */
struct gunyah_rm_mem_share_resp {
	__le32 mem_handle;
} __packed;
static_assert(sizeof(struct gunyah_rm_mem_share_resp) == 4);

/* MEM_APPEND request: handle, flags, then an SGL section */
struct gunyah_rm_mem_append_req {
	__le32 mem_handle;
	u8 flags;
	u8 reserved0[3];
	__le16 n_entries;
	__le16 reserved1;
	struct gunyah_rm_mem_entry entries[];
} __packed;
static_assert(sizeof(struct gunyah_rm_mem_append_req) == 12);

/* MEM_RECLAIM request */
struct gunyah_rm_mem_reclaim_req {
	__le32 mem_handle;
	u8 flags;
	u8 reserved[3];
} __packed;
static_assert(sizeof(struct gunyah_rm_mem_reclaim_req) == 8);

static_assert(sizeof(struct gunyah_rm_mem_acl_entry) == 4);
static_assert(sizeof(struct gunyah_rm_mem_entry) == 16);
static_assert(sizeof(struct gunyah_rm_hyp_resource) == 44);
static_assert(sizeof(struct gunyah_rm_hyp_resources) == 4);

/* The largest first message of a parcel must fit in one request. */
static_assert(sizeof(struct gunyah_rm_mem_share_req) +
	      GUNYAH_RM_MAX_ACL_ENTRIES * sizeof(struct gunyah_rm_mem_acl_entry) +
	      sizeof(struct gunyah_rm_mem_sgl_section) +
	      GUNYAH_RM_MAX_MEM_ENTRIES * sizeof(struct gunyah_rm_mem_entry) +
	      sizeof(struct gunyah_rm_mem_attr_section) <= GUNYAH_RM_MAX_REQ_SIZE);
static_assert(sizeof(struct gunyah_rm_mem_append_req) +
	      GUNYAH_RM_MAX_MEM_ENTRIES * sizeof(struct gunyah_rm_mem_entry) <=
	      GUNYAH_RM_MAX_REQ_SIZE);

/* Name of an RPC, for error messages */
static const char *gunyah_rm_rpc_name(u32 message_id)
{
	switch (message_id) {
	case GUNYAH_RM_RPC_MEM_LEND:
		return "MEM_LEND";
	case GUNYAH_RM_RPC_MEM_SHARE:
		return "MEM_SHARE";
	case GUNYAH_RM_RPC_MEM_RECLAIM:
		return "MEM_RECLAIM";
	case GUNYAH_RM_RPC_MEM_APPEND:
		return "MEM_APPEND";
	case GUNYAH_RM_RPC_VM_ALLOC_VMID:
		return "VM_ALLOC_VMID";
	case GUNYAH_RM_RPC_VM_DEALLOC_VMID:
		return "VM_DEALLOC_VMID";
	case GUNYAH_RM_RPC_VM_START:
		return "VM_START";
	case GUNYAH_RM_RPC_VM_STOP:
		return "VM_STOP";
	case GUNYAH_RM_RPC_VM_RESET:
		return "VM_RESET";
	case GUNYAH_RM_RPC_VM_CONFIG_IMAGE:
		return "VM_CONFIG_IMAGE";
	case GUNYAH_RM_RPC_VM_INIT:
		return "VM_INIT";
	case GUNYAH_RM_RPC_VM_GET_HYP_RESOURCES:
		return "VM_GET_HYP_RESOURCES";
	case GUNYAH_RM_RPC_VM_GET_VMID:
		return "VM_GET_VMID";
	case GUNYAH_RM_RPC_VM_SET_BOOT_CONTEXT:
		return "VM_SET_BOOT_CONTEXT";
	case GUNYAH_RM_RPC_VM_SET_FIRMWARE_MEM:
		return "VM_SET_FIRMWARE_MEM";
	case GUNYAH_RM_RPC_VM_SET_DEMAND_PAGING:
		return "VM_SET_DEMAND_PAGING";
	case GUNYAH_RM_RPC_VM_SET_ADDRESS_LAYOUT:
		return "VM_SET_ADDRESS_LAYOUT";
	default:
		return "unknown RPC";
	}
}

/*
 * Call an RPC whose reply payload has exactly @resp_size bytes and copy the
 * reply to @resp (which may be NULL when @resp_size is 0).
 */
static int gunyah_rm_call_fixed(struct gunyah_rm *rm, u32 message_id, const void *req,
				size_t req_size, void *resp, size_t resp_size)
{
	size_t buf_size = 0;
	void *buf = NULL;
	int ret;

	ret = gunyah_rm_call(rm, message_id, req, req_size, &buf, &buf_size);
	if (ret)
		return ret;

	if (buf_size != resp_size) {
		dev_err_ratelimited(gunyah_rm_device(rm),
				    "%s: reply of %zu bytes, expected %zu\n",
				    gunyah_rm_rpc_name(message_id), buf_size, resp_size);
		kfree(buf);
		return -EBADMSG;
	}

	if (resp_size)
		memcpy(resp, buf, resp_size);
	kfree(buf);
	return 0;
}

/* Call an RPC whose reply payload is empty. */
static int gunyah_rm_call_noresp(struct gunyah_rm *rm, u32 message_id, const void *req,
				 size_t req_size)
{
	return gunyah_rm_call_fixed(rm, message_id, req, req_size, NULL, 0);
}

/* Call an RPC that takes a struct gunyah_rm_vm_common_req and replies with nothing. */
static int gunyah_rm_vm_common_call(struct gunyah_rm *rm, u32 message_id, u16 vmid)
{
	struct gunyah_rm_vm_common_req req = {
		.vmid = cpu_to_le16(vmid),
	};

	return gunyah_rm_call_noresp(rm, message_id, &req, sizeof(req));
}

/* How many times a MEM_RECLAIM left unanswered is sent again. */
#define RM_RECLAIM_RETRIES	2

/*
 * A lent parcel comes back zeroed: what the guest had alone is not the
 * host's to read.  The open-source RM scrubs only when asked to.
 */
static int gunyah_rm_reclaim_handle(struct gunyah_rm *rm, u32 mem_handle, bool sanitize)
{
	struct gunyah_rm_mem_reclaim_req req = {
		.mem_handle = cpu_to_le32(mem_handle),
		.flags = sanitize ? GUNYAH_RM_MEM_RECLAIM_FLAG_SANITIZE : 0,
	};

	return gunyah_rm_call_noresp(rm, GUNYAH_RM_RPC_MEM_RECLAIM, &req, sizeof(req));
}

/*
 * Add @n_entries SGL entries to the parcel under construction @mem_handle,
 * at most GUNYAH_RM_MAX_MEM_ENTRIES per MEM_APPEND; the last one carries END.
 */
static int gunyah_rm_mem_append(struct gunyah_rm *rm, u32 mem_handle,
				const struct gunyah_rm_mem_entry *entries, size_t n_entries)
{
	struct gunyah_rm_mem_append_req *req;
	size_t chunk;
	int ret = 0;

	req = kzalloc(struct_size(req, entries, GUNYAH_RM_MAX_MEM_ENTRIES), GFP_KERNEL);
	if (!req)
		return -ENOMEM;

	req->mem_handle = cpu_to_le32(mem_handle);

	while (n_entries) {
		chunk = min_t(size_t, n_entries, GUNYAH_RM_MAX_MEM_ENTRIES);

		req->flags = chunk == n_entries ? GUNYAH_RM_MEM_APPEND_FLAG_END : 0;
		req->n_entries = cpu_to_le16(chunk);
		memcpy(req->entries, entries, flex_array_size(req, entries, chunk));

		ret = gunyah_rm_call_noresp(rm, GUNYAH_RM_RPC_MEM_APPEND, req,
					    struct_size(req, entries, chunk));
		if (ret)
			break;

		entries += chunk;
		n_entries -= chunk;
	}

	kfree(req);
	return ret;
}

static int gunyah_rm_mem_share_parcel(struct gunyah_rm *rm, struct gunyah_rm_mem_parcel *parcel)
{
	struct gunyah_rm_mem_attr_section *attr;
	struct gunyah_rm_mem_sgl_section *sgl;
	struct gunyah_rm_mem_share_resp resp;
	struct gunyah_rm_mem_share_req *req;
	size_t n_acl = parcel->n_acl_entries;
	size_t n_mem = parcel->n_mem_entries;
	size_t acl_size, sgl_size, req_size;
	size_t n_first;
	u32 message_id, mem_handle;
	int ret, reclaim_ret;

	if (!n_acl || n_acl > GUNYAH_RM_MAX_ACL_ENTRIES || !n_mem ||
	    !parcel->acl_entries || !parcel->mem_entries)
		return -EINVAL;

	if (parcel->mem_type != GUNYAH_RM_MEM_TYPE_NORMAL &&
	    parcel->mem_type != GUNYAH_RM_MEM_TYPE_IO)
		return -EINVAL;

	n_first = min_t(size_t, n_mem, GUNYAH_RM_MAX_MEM_ENTRIES);

	acl_size = struct_size(req, acl_entries, n_acl);
	sgl_size = struct_size(sgl, entries, n_first);
	req_size = size_add(size_add(acl_size, sgl_size), sizeof(*attr));
	if (req_size > GUNYAH_RM_MAX_REQ_SIZE)
		return -E2BIG;

	req = kzalloc(req_size, GFP_KERNEL);
	if (!req)
		return -ENOMEM;

	req->mem_type = parcel->mem_type;
	req->flags = n_mem > n_first ? GUNYAH_RM_MEM_FLAG_APPEND : 0;
	req->label = cpu_to_le32(parcel->label);
	req->n_acl_entries = cpu_to_le16(n_acl);
	memcpy(req->acl_entries, parcel->acl_entries,
	       flex_array_size(req, acl_entries, n_acl));

	sgl = (void *)req + acl_size;
	sgl->n_entries = cpu_to_le16(n_first);
	memcpy(sgl->entries, parcel->mem_entries, flex_array_size(sgl, entries, n_first));

	attr = (void *)sgl + sgl_size;
	attr->n_entries = cpu_to_le16(0);

	message_id = n_acl == 1 ? GUNYAH_RM_RPC_MEM_LEND : GUNYAH_RM_RPC_MEM_SHARE;
	ret = gunyah_rm_call_fixed(rm, message_id, req, req_size, &resp, sizeof(resp));
	kfree(req);
	if (ret)
		return ret;

	mem_handle = le32_to_cpu(resp.mem_handle);

	if (n_mem > n_first) {
		ret = gunyah_rm_mem_append(rm, mem_handle, parcel->mem_entries + n_first,
					   n_mem - n_first);
		if (ret) {
			reclaim_ret = gunyah_rm_reclaim_handle(rm, mem_handle, n_acl == 1);
			if (reclaim_ret)
				dev_err(gunyah_rm_device(rm),
					"failed to reclaim incomplete parcel %#x: %d\n",
					mem_handle, reclaim_ret);
			return ret;
		}
	}

	parcel->mem_handle = mem_handle;
	return 0;
}

/**
 * gunyah_rm_mem_share() - Give other VMs access to a memory parcel
 * @rm: Resource Manager
 * @parcel: the parcel; its mem_handle is set on success
 *
 * Sends MEM_LEND when the parcel's ACL has a single entry (the memory is
 * taken away from this VM) and MEM_SHARE otherwise.  SGL entries beyond the
 * first GUNYAH_RM_MAX_MEM_ENTRIES follow in MEM_APPEND messages; if one of
 * those fails the incomplete parcel is reclaimed.
 *
 * Return: 0 on success, -EINVAL for a malformed parcel, another negative
 * errno if the Resource Manager refused or could not be reached.
 */
int gunyah_rm_mem_share(struct gunyah_rm *rm, struct gunyah_rm_mem_parcel *parcel)
{
	int ret;

	/* The platform may have to be told first, and may refuse. */
	ret = gunyah_rm_platform_pre_mem_share(rm, parcel);
	if (ret)
		return ret;
	ret = gunyah_rm_mem_share_parcel(rm, parcel);
	/* Unless the RM's answer was lost, the memory is the host's again. */
	if (ret && ret != -EINTR && ret != -ETIMEDOUT && ret != -EBADMSG && ret != -EIO)
		gunyah_rm_platform_post_mem_reclaim(rm, parcel);
	return ret;
}

/**
 * gunyah_rm_mem_reclaim() - Take a parcel back from the VMs it was given to
 * @rm: Resource Manager
 * @parcel: the parcel; its mem_handle becomes GUNYAH_MEM_HANDLE_INVAL on success
 *
 * A lent parcel (one ACL entry, normal memory) is reclaimed with SANITIZE:
 * it comes back zeroed.  A shared one keeps its contents.
 *
 * An RM that does not answer in time may still be at it (scrubbing a large
 * parcel is slow): the request is sent again, up to RM_RECLAIM_RETRIES
 * times.  The RM answers requests in order, so the answer to a repeated
 * request comes once the earlier ones are done, and HANDLE_INVALID then
 * means that one of them took the parcel back.
 *
 * Return: 0 on success or a negative errno (for instance when a recipient
 * still has the parcel accepted).
 */
int gunyah_rm_mem_reclaim(struct gunyah_rm *rm, struct gunyah_rm_mem_parcel *parcel)
{
	bool sanitize = parcel->n_acl_entries == 1 &&
			parcel->mem_type == GUNYAH_RM_MEM_TYPE_NORMAL;
	int ret, tries = 0;

	ret = gunyah_rm_reclaim_handle(rm, parcel->mem_handle, sanitize);
	while (ret == -ETIMEDOUT && tries++ < RM_RECLAIM_RETRIES) {
		dev_warn(gunyah_rm_device(rm),
			 "no answer to the reclaim of parcel %#x in time: asking again\n",
			 parcel->mem_handle);
		ret = gunyah_rm_reclaim_handle(rm, parcel->mem_handle, sanitize);
		if (ret == -ESTALE)
			ret = 0;	/* an earlier request did it */
	}
	if (ret)
		return ret;

	parcel->mem_handle = GUNYAH_MEM_HANDLE_INVAL;
	gunyah_rm_platform_post_mem_reclaim(rm, parcel);
	return 0;
}

/**
 * gunyah_rm_alloc_vmid() - Allocate a VMID for a new VM
 * @rm: Resource Manager
 * @vmid: the VMID wanted, or 0 to let the Resource Manager choose one
 *
 * Return: the allocated VMID (>= 0) or a negative errno.
 */
int gunyah_rm_alloc_vmid(struct gunyah_rm *rm, u16 vmid)
{
	struct gunyah_rm_vm_common_req req = {
		.vmid = cpu_to_le16(vmid),
	};
	struct gunyah_rm_vmid_resp resp;
	int ret;

	if (vmid) {
		ret = gunyah_rm_call_noresp(rm, GUNYAH_RM_RPC_VM_ALLOC_VMID, &req, sizeof(req));
		return ret ? ret : vmid;
	}

	ret = gunyah_rm_call_fixed(rm, GUNYAH_RM_RPC_VM_ALLOC_VMID, &req, sizeof(req),
				   &resp, sizeof(resp));
	if (ret)
		return ret;

	return le16_to_cpu(resp.vmid);
}

/**
 * gunyah_rm_dealloc_vmid() - Free a VMID
 * @rm: Resource Manager
 * @vmid: VMID of a VM that was never configured or has been reset
 *
 * Return: 0 on success or a negative errno.
 */
int gunyah_rm_dealloc_vmid(struct gunyah_rm *rm, u16 vmid)
{
	return gunyah_rm_vm_common_call(rm, GUNYAH_RM_RPC_VM_DEALLOC_VMID, vmid);
}

/**
 * gunyah_rm_vm_reset() - Reset a VM, releasing its hypervisor objects
 * @rm: Resource Manager
 * @vmid: the VM
 *
 * The Resource Manager replies before the reset is complete; completion is
 * announced with a VM_STATUS notification (GUNYAH_RM_VM_STATUS_RESET).
 *
 * Return: 0 if the reset was started or a negative errno.
 */
int gunyah_rm_vm_reset(struct gunyah_rm *rm, u16 vmid)
{
	return gunyah_rm_vm_common_call(rm, GUNYAH_RM_RPC_VM_RESET, vmid);
}

/**
 * gunyah_rm_vm_start() - Start a VM
 * @rm: Resource Manager
 * @vmid: a VM in the READY state
 *
 * Return: 0 on success or a negative errno.
 */
int gunyah_rm_vm_start(struct gunyah_rm *rm, u16 vmid)
{
	return gunyah_rm_vm_common_call(rm, GUNYAH_RM_RPC_VM_START, vmid);
}

/**
 * gunyah_rm_vm_stop() - Force a running VM to stop
 * @rm: Resource Manager
 * @vmid: the VM
 *
 * The VM is stopped at once; the Resource Manager then sends a VM_EXITED
 * notification for it.
 *
 * Return: 0 on success or a negative errno.
 */
int gunyah_rm_vm_stop(struct gunyah_rm *rm, u16 vmid)
{
	struct gunyah_rm_vm_stop_req req = {
		.vmid = cpu_to_le16(vmid),
		.flags = GUNYAH_RM_VM_STOP_FLAG_FORCE_STOP,
		.stop_reason = cpu_to_le32(GUNYAH_RM_VM_STOP_REASON_FORCE_STOP),
	};

	return gunyah_rm_call_noresp(rm, GUNYAH_RM_RPC_VM_STOP, &req, sizeof(req));
}

/**
 * gunyah_rm_vm_configure() - Tell the Resource Manager where a VM's image is
 * @rm: Resource Manager
 * @vmid: the VM
 * @auth_mechanism: how the image is authenticated
 * @mem_handle: parcel holding the image and the VM's device tree
 * @image_offset: offset of the image in the parcel
 * @image_size: size of the image
 * @dtb_offset: offset of the device tree in the parcel
 * @dtb_size: size of the device tree
 *
 * Return: 0 on success or a negative errno.
 */
int gunyah_rm_vm_configure(struct gunyah_rm *rm, u16 vmid,
			   enum gunyah_rm_vm_auth_mechanism auth_mechanism, u32 mem_handle,
			   u64 image_offset, u64 image_size, u64 dtb_offset, u64 dtb_size)
{
	struct gunyah_rm_vm_config_image_req req = {
		.vmid = cpu_to_le16(vmid),
		.auth_mech = cpu_to_le16(auth_mechanism),
		.mem_handle = cpu_to_le32(mem_handle),
		.image_offset = cpu_to_le64(image_offset),
		.image_size = cpu_to_le64(image_size),
		.dtb_offset = cpu_to_le64(dtb_offset),
		.dtb_size = cpu_to_le64(dtb_size),
	};

	return gunyah_rm_call_noresp(rm, GUNYAH_RM_RPC_VM_CONFIG_IMAGE, &req, sizeof(req));
}

/**
 * gunyah_rm_vm_init() - Create the hypervisor objects of a configured VM
 * @rm: Resource Manager
 * @vmid: the VM
 *
 * Return: 0 on success (the VM is then READY) or a negative errno.
 */
int gunyah_rm_vm_init(struct gunyah_rm *rm, u16 vmid)
{
	return gunyah_rm_vm_common_call(rm, GUNYAH_RM_RPC_VM_INIT, vmid);
}

/**
 * gunyah_rm_vm_set_boot_context() - Set a register of a VM's boot vCPU
 * @rm: Resource Manager
 * @vmid: the VM
 * @reg_set: register set (general-purpose, PC or SP)
 * @reg_index: register within @reg_set
 * @value: initial value of the register
 *
 * Return: 0 on success or a negative errno.
 */
int gunyah_rm_vm_set_boot_context(struct gunyah_rm *rm, u16 vmid, u8 reg_set, u8 reg_index,
				  u64 value)
{
	struct gunyah_rm_vm_set_boot_context_req req = {
		.vmid = cpu_to_le16(vmid),
		.reg_set = reg_set,
		.reg_index = reg_index,
		.value = cpu_to_le64(value),
	};

	return gunyah_rm_call_noresp(rm, GUNYAH_RM_RPC_VM_SET_BOOT_CONTEXT, &req, sizeof(req));
}

/**
 * gunyah_rm_vm_set_firmware_mem() - Tell the Resource Manager where a VM's firmware is
 * @rm: Resource Manager
 * @vmid: the VM
 * @parcel: parcel holding the firmware (already shared or lent)
 * @fw_offset: offset of the firmware in the parcel
 * @fw_size: size of the firmware
 *
 * Return: 0 on success or a negative errno.
 */
int gunyah_rm_vm_set_firmware_mem(struct gunyah_rm *rm, u16 vmid,
				  struct gunyah_rm_mem_parcel *parcel, u64 fw_offset, u64 fw_size)
{
	struct gunyah_rm_vm_set_firmware_mem_req req = {
		.vmid = cpu_to_le16(vmid),
		.mem_handle = cpu_to_le32(parcel->mem_handle),
		.fw_offset = cpu_to_le64(fw_offset),
		.fw_size = cpu_to_le64(fw_size),
	};

	return gunyah_rm_call_noresp(rm, GUNYAH_RM_RPC_VM_SET_FIRMWARE_MEM, &req, sizeof(req));
}

/**
 * gunyah_rm_vm_set_demand_paging() - Declare the demand-paged ranges of a VM
 * @rm: Resource Manager
 * @vmid: the VM
 * @count: number of ranges in @entries
 * @entries: guest address ranges whose memory the host provides on demand
 *
 * Return: 0 on success, -EINVAL if @count is 0, -E2BIG if the ranges do not
 * fit in one request, another negative errno on failure.
 */
int gunyah_rm_vm_set_demand_paging(struct gunyah_rm *rm, u16 vmid, u32 count,
				   struct gunyah_rm_mem_entry *entries)
{
	struct gunyah_rm_vm_set_demand_paging_req *req;
	size_t req_size;
	int ret;

	if (!count || !entries)
		return -EINVAL;

	req_size = struct_size(req, ranges, count);
	if (req_size > GUNYAH_RM_MAX_REQ_SIZE)
		return -E2BIG;

	req = kzalloc(req_size, GFP_KERNEL);
	if (!req)
		return -ENOMEM;

	req->vmid = cpu_to_le16(vmid);
	req->n_ranges = cpu_to_le32(count);
	memcpy(req->ranges, entries, flex_array_size(req, ranges, count));

	ret = gunyah_rm_call_noresp(rm, GUNYAH_RM_RPC_VM_SET_DEMAND_PAGING, req, req_size);
	kfree(req);
	return ret;
}

/**
 * gunyah_rm_probe_demand_paging() - Ask whether the Resource Manager pages guests on demand
 * @rm: Resource Manager
 *
 * Sends VM_SET_DEMAND_PAGING for no VM (VMID GUNYAH_VMID_INVAL, no ranges),
 * which changes nothing: an RM without the call answers UNIMPLEMENTED, one
 * with it refuses the VMID or the empty request.
 *
 * Return: 1 if the RM knows the call, 0 if it does not, or a negative errno
 * if no answer came (killed, timed out, a malformed reply): unknown.
 */
int gunyah_rm_probe_demand_paging(struct gunyah_rm *rm)
{
	struct gunyah_rm_vm_set_demand_paging_req req = {
		.vmid = cpu_to_le16(GUNYAH_VMID_INVAL),
	};
	int ret;

	ret = gunyah_rm_call_noresp(rm, GUNYAH_RM_RPC_VM_SET_DEMAND_PAGING, &req, sizeof(req));
	if (ret == -EOPNOTSUPP)
		return 0;
	/* Any refusal the RM can answer shows it knows the call. */
	return !ret || gunyah_rm_error_name(ret) ? 1 : ret;
}

/**
 * gunyah_rm_vm_set_address_layout() - Tell the Resource Manager where a range sits
 * @rm: Resource Manager
 * @vmid: the VM
 * @range_id: which range
 * @base_address: guest address of the range
 * @size: size of the range
 *
 * Return: 0 on success or a negative errno.
 */
int gunyah_rm_vm_set_address_layout(struct gunyah_rm *rm, u16 vmid,
				    enum gunyah_rm_range_id range_id, u64 base_address, u64 size)
{
	struct gunyah_rm_vm_set_address_layout_req req = {
		.vmid = cpu_to_le16(vmid),
		.range_id = cpu_to_le32(range_id),
		.base_address = cpu_to_le64(base_address),
		.size = cpu_to_le64(size),
	};

	return gunyah_rm_call_noresp(rm, GUNYAH_RM_RPC_VM_SET_ADDRESS_LAYOUT, &req, sizeof(req));
}

/**
 * gunyah_rm_get_hyp_resources() - Get the hypervisor resources of a VM
 * @rm: Resource Manager
 * @vmid: the VM
 * @resources: set on success to the resource table, which the caller frees
 *             with kfree()
 *
 * Return: 0 on success or a negative errno (-EBADMSG for a malformed reply).
 */
int gunyah_rm_get_hyp_resources(struct gunyah_rm *rm, u16 vmid,
				struct gunyah_rm_hyp_resources **resources)
{
	struct gunyah_rm_vm_common_req req = {
		.vmid = cpu_to_le16(vmid),
	};
	struct gunyah_rm_hyp_resources *resp;
	size_t resp_size = 0;
	void *buf = NULL;
	size_t expected;
	u32 n_entries;
	int ret;

	ret = gunyah_rm_call(rm, GUNYAH_RM_RPC_VM_GET_HYP_RESOURCES, &req, sizeof(req),
			     &buf, &resp_size);
	if (ret)
		return ret;

	if (resp_size < sizeof(*resp)) {
		dev_err_ratelimited(gunyah_rm_device(rm),
				    "%s: reply of %zu bytes, expected at least %zu\n",
				    gunyah_rm_rpc_name(GUNYAH_RM_RPC_VM_GET_HYP_RESOURCES),
				    resp_size, sizeof(*resp));
		kfree(buf);
		return -EBADMSG;
	}

	resp = buf;
	n_entries = le32_to_cpu(resp->n_entries);
	/* Saturates to SIZE_MAX on overflow, which never matches resp_size. */
	expected = struct_size(resp, entries, n_entries);
	if (resp_size != expected) {
		dev_err_ratelimited(gunyah_rm_device(rm),
				    "%s: reply of %zu bytes for %u entries\n",
				    gunyah_rm_rpc_name(GUNYAH_RM_RPC_VM_GET_HYP_RESOURCES),
				    resp_size, n_entries);
		kfree(buf);
		return -EBADMSG;
	}

	*resources = resp;
	return 0;
}

/**
 * gunyah_rm_get_vmid() - Get the VMID of the VM this driver runs in
 * @rm: Resource Manager
 * @vmid: set to the VMID on success
 *
 * Return: 0 on success or a negative errno.
 */
int gunyah_rm_get_vmid(struct gunyah_rm *rm, u16 *vmid)
{
	struct gunyah_rm_vmid_resp resp;
	int ret;

	ret = gunyah_rm_call_fixed(rm, GUNYAH_RM_RPC_VM_GET_VMID, NULL, 0, &resp, sizeof(resp));
	if (ret)
		return ret;

	*vmid = le16_to_cpu(resp.vmid);
	return 0;
}
