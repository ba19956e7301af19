// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gunyah hypercalls for arm64: SMCCC vendor-hyp calls issued with HVC #0.
 *
 * Each wrapper puts its arguments in x1.., the function ID in x0, and turns
 * the hypervisor's error word into an errno with gunyah_error_remap().
 * Calls with at most three results use the SMCCC 1.1 helper (the
 * hypervisor preserves x4 and up); the others use the SMCCC 1.2 helper.
 */
#include <linux/arm-smccc.h>
#include <linux/module.h>
#include <linux/gunyah.h>
#include <linux/uuid.h>

/* {c1d58fcd-a453-5fdb-9265-ce36673d5f14} */
static const uuid_t gunyah_uuid = UUID_INIT(0xc1d58fcd, 0xa453, 0x5fdb, 0x92, 0x65, 0xce, 0x36,
					    0x67, 0x3d, 0x5f, 0x14);

/**
 * arch_is_gunyah_guest() - whether Linux runs as a VM under Gunyah
 *
 * Asks for the vendor-specific hypervisor UID through the SMCCC conduit
 * and compares it with Gunyah's.
 *
 * Return: true if the hypervisor identifies itself as Gunyah.
 */
bool arch_is_gunyah_guest(void)
{
	struct arm_smccc_res res;
	uuid_t uuid;
	u32 *up;

	arm_smccc_1_1_invoke(ARM_SMCCC_VENDOR_HYP_CALL_UID_FUNC_ID, &res);
	if ((long)res.a0 == SMCCC_RET_NOT_SUPPORTED)
		return false;

	up = (u32 *)&uuid.b[0];
	up[0] = lower_32_bits(res.a0);
	up[1] = lower_32_bits(res.a1);
	up[2] = lower_32_bits(res.a2);
	up[3] = lower_32_bits(res.a3);

	return uuid_equal(&uuid, &gunyah_uuid);
}
EXPORT_SYMBOL_GPL(arch_is_gunyah_guest);

#define GUNYAH_HYPERCALL(fn)						\
	ARM_SMCCC_CALL_VAL(ARM_SMCCC_FAST_CALL, ARM_SMCCC_SMC_64,	\
			   ARM_SMCCC_OWNER_VENDOR_HYP, 0x8000 | (fn))

#define GUNYAH_HYPERCALL_HYP_IDENTIFY		GUNYAH_HYPERCALL(0x00)
#define GUNYAH_HYPERCALL_BELL_SEND		GUNYAH_HYPERCALL(0x12)
#define GUNYAH_HYPERCALL_BELL_SET_MASK		GUNYAH_HYPERCALL(0x15)
#define GUNYAH_HYPERCALL_MSGQ_SEND		GUNYAH_HYPERCALL(0x1b)
#define GUNYAH_HYPERCALL_MSGQ_RECV		GUNYAH_HYPERCALL(0x1c)
#define GUNYAH_HYPERCALL_ADDRSPACE_MAP		GUNYAH_HYPERCALL(0x2b)
#define GUNYAH_HYPERCALL_ADDRSPACE_UNMAP	GUNYAH_HYPERCALL(0x2c)
#define GUNYAH_HYPERCALL_MEMEXTENT_DONATE	GUNYAH_HYPERCALL(0x61)
#define GUNYAH_HYPERCALL_VCPU_RUN		GUNYAH_HYPERCALL(0x65)

/**
 * gunyah_hypercall_hyp_identify() - identify the hypervisor
 * @hyp_identity: filled with the API information and feature flags
 *
 * The caller must have checked arch_is_gunyah_guest() first.
 */
void gunyah_hypercall_hyp_identify(struct gunyah_hypercall_hyp_identify_resp *hyp_identity)
{
	struct arm_smccc_res res;

	arm_smccc_1_1_hvc(GUNYAH_HYPERCALL_HYP_IDENTIFY, &res);

	hyp_identity->api_info = res.a0;
	hyp_identity->flags[0] = res.a1;
	hyp_identity->flags[1] = res.a2;
	hyp_identity->flags[2] = res.a3;
}
EXPORT_SYMBOL_GPL(gunyah_hypercall_hyp_identify);

/**
 * gunyah_hypercall_bell_send() - ring a doorbell
 * @capid: capability of the doorbell's sending end
 * @new_flags: flags to OR into the doorbell
 * @old_flags: if not NULL, receives the flags before the OR
 *
 * Return: 0 or a negative errno.
 */
int gunyah_hypercall_bell_send(u64 capid, u64 new_flags, u64 *old_flags)
{
	struct arm_smccc_res res;

	arm_smccc_1_1_hvc(GUNYAH_HYPERCALL_BELL_SEND, capid, new_flags, 0, &res);

	if (res.a0 == GUNYAH_ERROR_OK && old_flags)
		*old_flags = res.a1;

	return gunyah_error_remap(res.a0);
}
EXPORT_SYMBOL_GPL(gunyah_hypercall_bell_send);

/**
 * gunyah_hypercall_bell_set_mask() - configure a doorbell's masks
 * @capid: capability of the doorbell
 * @enable_mask: flags that assert the doorbell's interrupt
 * @ack_mask: flags cleared automatically when the interrupt is asserted
 *
 * Return: 0 or a negative errno.
 */
int gunyah_hypercall_bell_set_mask(u64 capid, u64 enable_mask, u64 ack_mask)
{
	struct arm_smccc_res res;

	arm_smccc_1_1_hvc(GUNYAH_HYPERCALL_BELL_SET_MASK, capid, enable_mask, ack_mask, 0, &res);

	return gunyah_error_remap(res.a0);
}
EXPORT_SYMBOL_GPL(gunyah_hypercall_bell_set_mask);

/**
 * gunyah_hypercall_msgq_send() - send a message on a message queue
 * @capid: capability of the queue's sending end
 * @size: message size in bytes
 * @buff: message (a kernel virtual address; the hypervisor copies it)
 * @tx_flags: GUNYAH_HYPERCALL_MSGQ_TX_FLAGS_*
 * @ready: set to whether the queue can take another message
 *
 * Return: 0 or a negative errno; -EIO if the queue was full.
 */
int gunyah_hypercall_msgq_send(u64 capid, size_t size, void *buff, u64 tx_flags, bool *ready)
{
	struct arm_smccc_res res;

	arm_smccc_1_1_hvc(GUNYAH_HYPERCALL_MSGQ_SEND, capid, size, (uintptr_t)buff, tx_flags, 0,
			  &res);

	if (res.a0 == GUNYAH_ERROR_OK)
		*ready = !!res.a1;

	return gunyah_error_remap(res.a0);
}
EXPORT_SYMBOL_GPL(gunyah_hypercall_msgq_send);

/**
 * gunyah_hypercall_msgq_recv() - receive a message from a message queue
 * @capid: capability of the queue's receiving end
 * @buff: destination buffer (kernel virtual address)
 * @size: size of @buff
 * @recv_size: set to the size of the message received
 * @ready: set to whether more messages are queued
 *
 * Return: 0 or a negative errno; -EIO if the queue was empty.
 */
int gunyah_hypercall_msgq_recv(u64 capid, void *buff, size_t size, size_t *recv_size,
			       bool *ready)
{
	struct arm_smccc_res res;

	arm_smccc_1_1_hvc(GUNYAH_HYPERCALL_MSGQ_RECV, capid, (uintptr_t)buff, size, 0, &res);

	if (res.a0 == GUNYAH_ERROR_OK) {
		*recv_size = res.a1;
		*ready = !!res.a2;
	}

	return gunyah_error_remap(res.a0);
}
EXPORT_SYMBOL_GPL(gunyah_hypercall_msgq_recv);

/**
 * gunyah_hypercall_addrspace_map() - map part of a memory extent
 * @info: address space, extent, IPA, attributes, flags, offset and size
 *
 * Return: 0 or a negative errno.
 */
int gunyah_hypercall_addrspace_map(const struct gunyah_map_info *info)
{
	struct arm_smccc_1_2_regs args = {
		.a0 = GUNYAH_HYPERCALL_ADDRSPACE_MAP,
		.a1 = info->addrspace_capid,
		.a2 = info->extent_capid,
		.a3 = info->vbase,
		.a4 = info->attrs,
		.a5 = info->flags,
		.a6 = info->offset,
		.a7 = info->size,
		/* a8 is reserved and must be zero */
	};
	struct arm_smccc_1_2_regs res;

	arm_smccc_1_2_hvc(&args, &res);

	return gunyah_error_remap(res.a0);
}
EXPORT_SYMBOL_GPL(gunyah_hypercall_addrspace_map);

/**
 * gunyah_hypercall_addrspace_unmap() - unmap part of a memory extent
 * @info: as for gunyah_hypercall_addrspace_map(); @info->attrs is unused
 *
 * Return: 0 or a negative errno.
 */
int gunyah_hypercall_addrspace_unmap(const struct gunyah_map_info *info)
{
	struct arm_smccc_1_2_regs args = {
		.a0 = GUNYAH_HYPERCALL_ADDRSPACE_UNMAP,
		.a1 = info->addrspace_capid,
		.a2 = info->extent_capid,
		.a3 = info->vbase,
		.a4 = info->flags,
		.a5 = info->offset,
		.a6 = info->size,
		/* a7 is reserved and must be zero */
	};
	struct arm_smccc_1_2_regs res;

	arm_smccc_1_2_hvc(&args, &res);

	return gunyah_error_remap(res.a0);
}
EXPORT_SYMBOL_GPL(gunyah_hypercall_addrspace_unmap);

/**
 * gunyah_hypercall_memextent_donate() - move memory between extents
 * @options: donate type (&enum gunyah_memextent_donate_type) and flags
 * @from_capid: extent giving the memory
 * @to_capid: extent receiving the memory
 * @offset: physical address of the range (extents are based at 0)
 * @size: size of the range
 *
 * Return: 0 or a negative errno.
 */
int gunyah_hypercall_memextent_donate(u32 options, u64 from_capid, u64 to_capid, u64 offset,
				      u64 size)
{
	struct arm_smccc_res res;

	arm_smccc_1_1_hvc(GUNYAH_HYPERCALL_MEMEXTENT_DONATE, options, from_capid, to_capid, offset,
			  size, 0, &res);

	return gunyah_error_remap(res.a0);
}
EXPORT_SYMBOL_GPL(gunyah_hypercall_memextent_donate);

/**
 * gunyah_hypercall_vcpu_run() - run a proxy-scheduled vCPU
 * @capid: capability of the vCPU
 * @resume_data: three words answering the previous exit
 * @resp: receives the vCPU's run state and its data
 *
 * Return: 0 or a negative errno; -EAGAIN asks the caller to retry.
 */
int gunyah_hypercall_vcpu_run(u64 capid, const u64 *resume_data,
			      struct gunyah_hypercall_vcpu_run_resp *resp)
{
	struct arm_smccc_1_2_regs args = {
		.a0 = GUNYAH_HYPERCALL_VCPU_RUN,
		.a1 = capid,
		.a2 = resume_data[0],
		.a3 = resume_data[1],
		.a4 = resume_data[2],
		/* a5 is reserved and must be zero */
	};
	struct arm_smccc_1_2_regs res;

	arm_smccc_1_2_hvc(&args, &res);
	if (res.a0 == GUNYAH_ERROR_OK) {
		resp->state = res.a1;
		resp->state_data[0] = res.a2;
		resp->state_data[1] = res.a3;
		resp->state_data[2] = res.a4;
	}

	return gunyah_error_remap(res.a0);
}
EXPORT_SYMBOL_GPL(gunyah_hypercall_vcpu_run);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Gunyah hypercalls for arm64");
