// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gunyah test hypervisor: a Bao-style inter-VM shared-memory channel.
 *
 * With the option on (run.sh --bao), the boot configuration names a
 * carve-out of RAM that is neither the host's nor the hypervisor's, a
 * channel id, the size of that channel's region at the carve-out's start
 * and the host's SPI for it.  The whole carve-out is mapped into the
 * host's stage-2 as normal memory (the host's DT has "bao,ipcshmem" nodes
 * in it).  A guest whose DT has a "bao,ipcshmem" node with that id gets
 * the channel's region mapped at the node's "reg" (its size must be the
 * region's) when the RM reads its DT at VM_INIT, and its
 * "interrupts" SPI becomes the channel's interrupt on its side.  One guest
 * holds the channel at a time, until it is destroyed.
 *
 * Bao's notify hypercall (HVC, x0 = 0xc6000001, x1 = channel id) from the
 * host pulses the guest's SPI (if a guest holds the channel; otherwise the
 * notification is dropped, as an interrupt to a powered-off peer would
 * be); from the guest holding it, it raises the host's SPI.  It returns 0,
 * or SMCCC_RET_NOT_SUPPORTED for any other id or caller.
 */
#include "bao_ipc.h"
#include "gic.h"
#include "guest.h"
#include "host_s2.h"
#include "smccc.h"

static struct {
	struct guest *guest;	/* the guest holding the channel, under guest_lock */
	u32 guest_intid;
} bao;

static bool bao_ipc_enabled(void)
{
	return bootcfg->bao_size != 0;
}

void bao_ipc_init(void)
{
	u64 base = bootcfg->bao_base, size = bootcfg->bao_size;

	if (!bao_ipc_enabled())
		return;
	if (!IS_ALIGNED(base | size, PAGE_SIZE) || base < bootcfg->host_ram_end ||
	    base + size < base || base + size > (1UL << S2_IPA_BITS) ||
	    !bootcfg->bao_chan_size || bootcfg->bao_chan_size > size ||
	    !IS_ALIGNED(bootcfg->bao_chan_size, PAGE_SIZE) ||
	    bootcfg->bao_host_virq < GIC_SPI_FIRST || bootcfg->bao_host_virq > GIC_SPI_LAST)
		panic("bad Bao channel configuration: region %lx size %lx, SPI %u\n", base, size,
		      bootcfg->bao_host_virq);
	if (pgtable_map(&host_s2, base, base, size, S2_NORMAL_RWX | S2_XN))
		panic("cannot map the Bao channel into the host's stage-2\n");
	printf("bao ipcshmem: carve-out %lx-%lx, channel %u at its start (%lx), host SPI %u\n",
	       base, base + size, bootcfg->bao_id, bootcfg->bao_chan_size, bootcfg->bao_host_virq);
}

void bao_ipc_host_call(struct trap_frame *f)
{
	if (!bao_ipc_enabled() || f->x[1] != bootcfg->bao_id) {
		f->x[0] = (u64)SMCCC_RET_NOT_SUPPORTED;
		return;
	}
	guest_lock();
	if (bao.guest)
		guest_vgic_pulse(bao.guest, bao.guest_intid);
	guest_unlock();
	f->x[0] = 0;
}

/* From a running vCPU of @g: it cannot be destroyed meanwhile. */
u64 bao_ipc_guest_call(struct guest *g, u64 id)
{
	struct guest *holder = __atomic_load_n(&bao.guest, __ATOMIC_RELAXED);

	if (!bao_ipc_enabled() || id != bootcfg->bao_id || holder != g)
		return (u64)SMCCC_RET_NOT_SUPPORTED;
	gic_raise_host_spi(bootcfg->bao_host_virq);
	return 0;
}

/*
 * A "bao,ipcshmem" node of the guest's DT (root #address-cells and
 * #size-cells 2): reg = <ipa size> with the configured size, id, and
 * interrupts = <0 spi 1> (an edge-triggered SPI).  Without such a node
 * the guest has no channel; a node that does not fit refuses the VM.
 */
bool bao_ipc_attach(struct guest *g, const struct fdt *fdt)
{
	u32 id, reg[4], irq[3];
	bool ok = true, taken;
	u64 ipa, size;
	int node;

	for (node = fdt_first_subnode(fdt, fdt_root(fdt)); node >= 0;
	     node = fdt_next_subnode(fdt, node))
		if (fdt_prop_string_is(fdt, node, "compatible", "bao,ipcshmem"))
			break;
	if (node < 0)
		return true;
	for (u32 i = 0; i < 4 && ok; i++)
		ok = fdt_prop_u32_index(fdt, node, "reg", i, &reg[i]);
	for (u32 i = 0; i < 3 && ok; i++)
		ok = fdt_prop_u32_index(fdt, node, "interrupts", i, &irq[i]);
	ok = ok && fdt_prop_u32(fdt, node, "id", &id);
	ipa = (u64)reg[0] << 32 | reg[1];
	size = (u64)reg[2] << 32 | reg[3];
	if (!ok || !bao_ipc_enabled() || id != bootcfg->bao_id || size != bootcfg->bao_chan_size ||
	    !IS_ALIGNED(ipa, PAGE_SIZE) || irq[0] != 0 || irq[1] >= VGIC_MAX_SPIS ||
	    (irq[2] & 0xf) != 1) {
		printf("VM %u: bao,ipcshmem node does not match the channel: refused\n", g->vmid);
		return false;
	}
	guest_lock();
	taken = bao.guest;
	guest_unlock();
	if (taken || guest_map(g, ipa, bootcfg->bao_base, size, S2_NORMAL_RWX | S2_XN)) {
		printf("VM %u: Bao channel %u %s\n", g->vmid, id,
		       taken ? "already held by another VM" : "cannot be mapped");
		return false;
	}
	guest_lock();
	if (bao.guest) {
		guest_unlock();
		return false;
	}
	bao.guest = g;
	bao.guest_intid = VGIC_NR_PRIVATE + irq[1];
	guest_unlock();
	return true;
}

/* @g is being destroyed: the channel is free again. */
void bao_ipc_detach(struct guest *g)
{
	guest_lock();
	if (bao.guest == g)
		bao.guest = NULL;
	guest_unlock();
}
