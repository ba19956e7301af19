/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Gunyah test hypervisor: fault injection for the host's error paths.
 *
 * Tests running in the host arm faults through a test-only hypercall
 * (GH_HVC_TEST_CONTROL, a call number real Gunyah does not implement, so
 * the same tests see UNIMPLEMENTED there).  A fault fires on the Nth
 * matching event and then for @count events.
 */
#ifndef HYP_FAULT_H
#define HYP_FAULT_H

#include "hyp.h"

#define GH_HVC_TEST_CONTROL	0x3f00

/* x1 of GH_HVC_TEST_CONTROL */
enum test_control_op {
	TEST_OP_RESET = 0,	/* disarm every fault */
	TEST_OP_ADD_FAULT = 1,	/* x2 target, x3 nth, x4 kind, x5 value, x6 count */
	TEST_OP_FIRED = 2,	/* x1 = faults fired since reset, x2 = still armed */
	TEST_OP_STATS = 3,	/* x1 VMs, x2 parcels, x3 capabilities, x4 free pages */
	TEST_OP_EXITS = 4,	/* x2 enum vcpu_exit_kind: x1 = guest exits of that kind */
	/* the host's stage-2: x1 1 GiB blocks, x2 2 MiB blocks, x3 4 KiB pages, x4 tables */
	TEST_OP_HOST_S2 = 5,
	/* memory zeroed on its way back to the host: x1 bytes, x2 ns spent */
	TEST_OP_SCRUB = 6,
};

enum fault_kind {
	/* RPC faults; target = RM function ID */
	FAULT_RPC_ERROR = 1,		/* reply with RM error @value, skip the RPC */
	FAULT_RPC_TRUNCATE = 2,		/* perform it, reply with a 10-byte message */
	FAULT_RPC_OVERSIZE = 3,		/* perform it, append @value junk bytes */
	FAULT_RPC_BAD_SEQ = 4,		/* perform it, reply with a wrong sequence number */
	FAULT_RPC_NO_REPLY = 5,		/* perform it, never reply */
	FAULT_RPC_BAD_HEADER = 6,	/* perform it, reply with an unknown API version */
	FAULT_RPC_JUNK_FIRST = 7,	/* send a stray continuation and a request first */
	FAULT_RPC_TOO_MANY_FRAGS = 8,	/* reply claiming 63 continuations */
	FAULT_RPC_NOTIFY_BAD_VM = 9,	/* perform it, then notify about a VM that doesn't exist */
	FAULT_RPC_LATE_REPLY = 10,	/* perform it, hold the reply until after the
					 * host's next read of the RM's queue
					 */
	/* Hypercall faults; target = hypercall number */
	FAULT_HVC_ERROR = 16,		/* the call returns error @value */
	FAULT_VCPU_SLOW_EXIT = 17,	/* vcpu_run (0x65) spins @value us before it
					 * lets go of its vCPU
					 */
};

struct fault {
	u32 target;
	u32 kind;
	u32 skip;	/* matching events to let through first */
	u32 count;	/* events to fault */
	u64 value;
};

/* Returns true (and the fault) if an armed fault of one of @kinds fires. */
bool fault_check_rpc(u32 fn, struct fault *out);
bool fault_check_hvc(u32 nr, s64 *err);
void fault_vcpu_exit_delay(void);
void fault_test_control(struct trap_frame *f);

#endif
