/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Gunyah test hypervisor: the built-in Resource Manager.
 *
 * The RM talks to the host over two message queues, exactly as a real RM
 * VM would: requests in on "rm_tx" (host to RM), replies and notifications
 * out on "rm_rx" (RM to host).  It runs inside the hypervisor, under
 * rm_lock, whenever the host pushes a request; rm_lock also covers the
 * message queues.
 *
 *   rm_transport.c  RPC framing: fragments, reassembly, replies, outbox
 *   rm_vm.c         VM lifecycle RPCs and the VM state machine
 *   rm_mem.c        memory parcels (lend, share, append, reclaim)
 */
#ifndef HYP_RM_H
#define HYP_RM_H

#include "hyp.h"
#include "msgq.h"

#define RM_MSG_SIZE		240
#define RM_HDR_SIZE		8
#define RM_FRAG_PAYLOAD		(RM_MSG_SIZE - RM_HDR_SIZE)
#define RM_MAX_CONTINUATIONS	62
#define RM_MAX_MSG		((RM_MAX_CONTINUATIONS + 1) * RM_FRAG_PAYLOAD)

#define RM_API_BYTE		0x21
#define RM_TYPE_CONTINUATION	0
#define RM_TYPE_REQUEST		1
#define RM_TYPE_REPLY		2
#define RM_TYPE_NOTIFICATION	3

#define HOST_VMID		3
#define RM_VMID_FIRST		0x80
#define RM_MAX_VMS		64

/* RM error codes */
#define RM_OK			0x0
#define RM_ERROR_UNIMPLEMENTED	0xffffffffU
#define RM_ERROR_NOMEM		0x1
#define RM_ERROR_NORESOURCE	0x2
#define RM_ERROR_DENIED		0x3
#define RM_ERROR_MSG_INVALID	0x4
#define RM_ERROR_BUSY		0x5
#define RM_ERROR_ARG_INVALID	0x6
#define RM_ERROR_HANDLE_INVALID	0x7
#define RM_ERROR_VALIDATE_FAILED 0x8
#define RM_ERROR_MAP_FAILED	0x9
#define RM_ERROR_MEM_INVALID	0xa
#define RM_ERROR_MEM_INUSE	0xb
#define RM_ERROR_VMID_INVALID	0xd
#define RM_ERROR_VM_STATE	0x14

/* RPC function IDs */
#define RM_MEM_LEND			0x51000012
#define RM_MEM_SHARE			0x51000013
#define RM_MEM_RECLAIM			0x51000015
#define RM_MEM_APPEND			0x51000018
#define RM_VM_ALLOC_VMID		0x56000001
#define RM_VM_DEALLOC_VMID		0x56000002
#define RM_VM_START			0x56000004
#define RM_VM_STOP			0x56000005
#define RM_VM_RESET			0x56000006
#define RM_VM_CONFIG_IMAGE		0x56000009
#define RM_VM_INIT			0x5600000b
#define RM_VM_GET_HYP_RESOURCES		0x56000020
#define RM_VM_GET_VMID			0x56000024
#define RM_VM_SET_BOOT_CONTEXT		0x56000031
#define RM_VM_SET_FIRMWARE_MEM		0x56000032
#define RM_VM_SET_DEMAND_PAGING		0x56000033
#define RM_VM_SET_ADDRESS_LAYOUT	0x56000034

/* Notifications */
#define RM_NOTIF_VM_EXITED		0x56100001
#define RM_NOTIF_VM_STATUS		0x56100008
#define RM_NOTIF_MEM_RELEASED		0x51100012
#define RM_NOTIF_MEM_ACCEPTED		0x51100013

/* VM status */
enum rm_vm_status {
	VM_STATUS_NO_STATE = 0,
	VM_STATUS_INIT = 1,
	VM_STATUS_READY = 2,
	VM_STATUS_RUNNING = 3,
	VM_STATUS_LOAD = 5,
	VM_STATUS_INIT_FAILED = 8,
	VM_STATUS_EXITED = 9,
	VM_STATUS_RESETTING = 10,
	VM_STATUS_RESET = 11,
};

/* One request being answered. */
struct rm_request {
	u16 seq;
	u32 fn;
	const u8 *payload;
	size_t len;
};

void rm_init(void);
void rm_lock(void);
void rm_unlock(void);
struct msgq *rm_host_queue(u64 capid, bool *host_sends);
void rm_rx_after_recv(void);
bool rm_oss_profile(void);

/* rm_transport.c */
void rm_reply(const struct rm_request *req, u32 err, const void *payload, size_t len);
void rm_notify(u32 fn, const void *payload, size_t len);

struct rm_parcel;

/* rm_vm.c: returns false if @req->fn is not a VM RPC */
bool rm_vm_request(const struct rm_request *req);
void rm_vm_refused(const struct rm_request *req, u32 error);
bool rm_vm_exists(u16 vmid);
void rm_vm_parcel_gone(const struct rm_parcel *p);
void rm_stats(u64 *vms, u64 *parcels);

/* rm_mem.c */
bool rm_mem_request(const struct rm_request *req);
struct rm_parcel *rm_parcel_get(u32 handle, u16 owner);
u64 rm_parcel_size(const struct rm_parcel *p);
bool rm_parcel_read(const struct rm_parcel *p, u64 offset, void *buf, size_t len);
unsigned int rm_parcel_count(void);
void rm_parcels_accept(u16 vmid, bool accept);
s64 rm_page_donate(u64 pa, bool lend);
s64 rm_pages_return(u64 pa, u64 size, bool lend);
bool rm_page_given(u64 pa, bool lend);
void rm_scrub_stats(u64 *bytes, u64 *ns);
struct guest;
int rm_parcel_map(struct rm_parcel *p, u16 vmid, struct guest *g, u64 ipa);

static inline u16 get_le16(const u8 *p)
{
	return (u16)(p[0] | p[1] << 8);
}

static inline u32 get_le32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static inline u64 get_le64(const u8 *p)
{
	return (u64)get_le32(p) | (u64)get_le32(p + 4) << 32;
}

static inline void put_le16(u8 *p, u16 v)
{
	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
}

static inline void put_le32(u8 *p, u32 v)
{
	put_le16(p, (u16)v);
	put_le16(p + 2, (u16)(v >> 16));
}

static inline void put_le64(u8 *p, u64 v)
{
	put_le32(p, (u32)v);
	put_le32(p + 4, (u32)(v >> 32));
}

#endif
