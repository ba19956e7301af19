// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gunyah test hypervisor: fault injection.
 */
#include "cspace.h"
#include "fault.h"
#include "guest.h"
#include "host_s2.h"
#include "hypercalls.h"
#include "page_alloc.h"
#include "rm.h"
#include "spinlock.h"

#define MAX_FAULTS	16

static struct fault faults[MAX_FAULTS];
static struct spinlock fault_lock;
static u64 fired;

/* An armed fault on @target fires: an RPC fault, or a hypercall fault of @hvc_kind. */
static bool fault_fire(bool rpc, u32 target, u32 hvc_kind, struct fault *out)
{
	bool hit = false;

	spin_lock(&fault_lock);
	for (unsigned int i = 0; i < MAX_FAULTS; i++) {
		struct fault *f = &faults[i];

		bool rpc_fault = f->kind < FAULT_HVC_ERROR;

		if (!f->count || f->target != target || rpc != rpc_fault ||
		    (!rpc && f->kind != hvc_kind))
			continue;
		if (f->skip) {
			f->skip--;
			continue;
		}
		f->count--;
		*out = *f;
		fired++;
		hit = true;
		break;
	}
	spin_unlock(&fault_lock);
	return hit;
}

bool fault_check_rpc(u32 fn, struct fault *out)
{
	if (!fault_fire(true, fn, 0, out))
		return false;
	printf("fault injection: RPC %x, kind %u, value %lx\n", fn, out->kind, out->value);
	return true;
}

bool fault_check_hvc(u32 nr, s64 *err)
{
	struct fault f;

	if (!fault_fire(false, nr, FAULT_HVC_ERROR, &f))
		return false;
	printf("fault injection: hypercall %x returns %ld\n", nr, (s64)f.value);
	*err = (s64)f.value;
	return true;
}

/*
 * FAULT_VCPU_SLOW_EXIT: called by vcpu_run just before it lets go of its
 * vCPU, so that what the guest's other vCPUs do meanwhile (a CPU_ON of
 * this one, after its CPU_OFF) meets a vCPU whose run is still ending.
 */
void fault_vcpu_exit_delay(void)
{
	struct fault f;
	u64 start, ticks;

	if (!fault_fire(false, GH_HVC_VCPU_RUN, FAULT_VCPU_SLOW_EXIT, &f))
		return;
	ticks = read_sysreg(cntfrq_el0) / 1000000 * f.value;
	start = read_sysreg(cntpct_el0);
	while (read_sysreg(cntpct_el0) - start < ticks)
		;
}

static bool fault_kind_known(u64 kind)
{
	return kind == FAULT_HVC_ERROR || kind == FAULT_VCPU_SLOW_EXIT ||
	       (kind >= FAULT_RPC_ERROR && kind <= FAULT_RPC_LATE_REPLY);
}

/* The host's stage-2 mappings by size, under rm_lock (which covers changes to it). */
static void host_s2_counts(struct trap_frame *f)
{
	struct pgtable_counts c;

	rm_lock();
	pgtable_count(&host_s2, &c);
	rm_unlock();
	f->x[1] = c.blocks_1g;
	f->x[2] = c.blocks_2m;
	f->x[3] = c.pages;
	f->x[4] = c.tables;
	f->x[0] = GH_ERROR_OK;
}

void fault_test_control(struct trap_frame *f)
{
	unsigned int armed = 0;

	switch (f->x[1]) {
	case TEST_OP_RESET:
		spin_lock(&fault_lock);
		memset(faults, 0, sizeof(faults));
		fired = 0;
		spin_unlock(&fault_lock);
		f->x[0] = GH_ERROR_OK;
		break;
	case TEST_OP_ADD_FAULT:
		if (!f->x[3] || !fault_kind_known(f->x[4])) {
			f->x[0] = GH_ERROR_ARG_INVAL;
			break;
		}
		f->x[0] = GH_ERROR_NORESOURCES;
		spin_lock(&fault_lock);
		for (unsigned int i = 0; i < MAX_FAULTS; i++) {
			if (faults[i].count)
				continue;
			faults[i] = (struct fault){
				.target = (u32)f->x[2], .skip = (u32)f->x[3] - 1,
				.kind = (u32)f->x[4], .value = f->x[5],
				.count = f->x[6] ? (u32)f->x[6] : 1,
			};
			f->x[0] = GH_ERROR_OK;
			break;
		}
		spin_unlock(&fault_lock);
		break;
	case TEST_OP_FIRED:
		spin_lock(&fault_lock);
		for (unsigned int i = 0; i < MAX_FAULTS; i++)
			armed += !!faults[i].count;
		f->x[1] = fired;
		f->x[2] = armed;
		spin_unlock(&fault_lock);
		f->x[0] = GH_ERROR_OK;
		break;
	case TEST_OP_STATS:
		rm_stats(&f->x[1], &f->x[2]);
		f->x[3] = cspace_count();
		f->x[4] = page_alloc_nr_free();
		f->x[0] = GH_ERROR_OK;
		break;
	case TEST_OP_EXITS:
		if (f->x[2] >= NR_VCPU_EXIT_KINDS) {
			f->x[0] = GH_ERROR_ARG_INVAL;
			break;
		}
		f->x[1] = vcpu_exit_count(f->x[2]);
		f->x[0] = GH_ERROR_OK;
		break;
	case TEST_OP_HOST_S2:
		host_s2_counts(f);
		break;
	case TEST_OP_SCRUB:
		rm_lock();
		rm_scrub_stats(&f->x[1], &f->x[2]);
		rm_unlock();
		f->x[0] = GH_ERROR_OK;
		break;
	default:
		f->x[0] = GH_ERROR_ARG_INVAL;
		break;
	}
}
