// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the test hypervisor's virtual GICv3 model, on the build
 * host: everything is configured through the guest's MMIO view, as a guest
 * would, and the list registers are read as the hardware would get them.
 */
#include <stdint.h>
#include <string.h>

#include "../../selftests/gunyah/tap.h"
#include "../hyp/arch/vgic.h"

#define DIST		0x3fff0000ULL
#define REDIST		0x3ff70000ULL
#define SGI_FRAME	0x10000

static struct vgic vg;
static struct vgic_irq spis[VGIC_MAX_SPIS];
static uint32_t acks[8], nr_acks;

static uint64_t rd(uint32_t vcpu, uint64_t ipa, uint32_t size)
{
	uint64_t v = 0;

	vgic_mmio(&vg, vcpu, ipa, false, size, &v);
	return v;
}

static uint32_t wr(uint32_t vcpu, uint64_t ipa, uint32_t size, uint64_t v)
{
	return vgic_mmio(&vg, vcpu, ipa, true, size, &v);
}

static void on_ack(struct vgic *g, uint32_t intid)
{
	if (nr_acks < 8)
		acks[nr_acks++] = intid;
}

/* A guest's set-up of SPI @intid: group 1, priority, edge/level, routed, enabled. */
static void spi_setup(uint32_t intid, uint8_t prio, bool edge, uint64_t route)
{
	uint32_t n = intid / 32, b = intid % 32;
	uint32_t cfg = rd(0, DIST + 0xc00 + 4 * (intid / 16), 4);

	wr(0, DIST + 0x80 + 4 * n, 4, rd(0, DIST + 0x80 + 4 * n, 4) | 1U << b);
	wr(0, DIST + 0x400 + intid, 1, prio);
	cfg &= ~(2U << 2 * (intid % 16));
	wr(0, DIST + 0xc00 + 4 * (intid / 16), 4, cfg | (edge ? 2U << 2 * (intid % 16) : 0));
	wr(0, DIST + 0x6000 + 8 * intid, 8, route);
	wr(0, DIST + 0x100 + 4 * n, 4, 1U << b);
}

static void reset(uint32_t nr_vcpus)
{
	static const uint64_t mpidr[] = { 0x0, 0x1, 0x100, 0x101 };

	vgic_init(&vg, nr_vcpus, 64, mpidr, DIST, REDIST, spis);
	vg.acked = on_ack;
	nr_acks = 0;
	wr(0, DIST, 4, 0x2);	/* EnableGrp1 */
}

static uint32_t lr_intid(uint64_t lr)
{
	return (uint32_t)lr;
}

static void test_registers(void)
{
	reset(4);
	tap_check(rd(0, DIST + 0x4, 4) == (2 | 3 << 5 | 9 << 19), "GICD_TYPER: 96 INTIDs, 4 CPUs");
	tap_check(rd(0, DIST, 4) == (0x2 | 0x10 | 0x40), "GICD_CTLR: EnableGrp1, ARE, DS");
	tap_check(rd(0, DIST + 0xffe8, 4) == 0x30 && rd(0, REDIST + 0xffe8, 4) == 0x30,
		  "PIDR2 says GICv3 for distributor and redistributor");
	tap_check((rd(0, REDIST + 0x8, 8) & 0x10) == 0 &&
		  (rd(3, REDIST + 3 * 0x20000 + 0x8, 8) & 0x10) &&
		  rd(3, REDIST + 3 * 0x20000 + 0x8, 8) >> 32 == 0x101,
		  "GICR_TYPER: Last only on the 4th, affinity 0.0.1.1");
	tap_check(rd(2, REDIST + 2 * 0x20000 + 0xc, 4) == 0x100,
		  "GICR_TYPER upper half read alone");
	tap_check(rd(1, REDIST + 0x20000 + 0x14, 4) == 6, "GICR_WAKER: asleep at reset");
	wr(1, REDIST + 0x20000 + 0x14, 4, 0);
	tap_check(rd(1, REDIST + 0x20000 + 0x14, 4) == 0,
		  "  ... awake once ProcessorSleep is cleared");
	tap_check(vgic_is_mmio(&vg, DIST + 0xfffc) && vgic_is_mmio(&vg, REDIST + 4 * 0x20000 - 4) &&
		  !vgic_is_mmio(&vg, REDIST - 4) && !vgic_is_mmio(&vg, DIST + 0x10000),
		  "frames begin and end where they should");
	wr(0, DIST + 0x400 + 40, 1, 0xa0);
	tap_check(rd(0, DIST + 0x400 + 40, 4) == 0xa0, "IPRIORITYR byte write, word read");
	tap_check(rd(0, DIST + 0x400 + 4, 4) == 0, "private priorities read as zero in GICD");
	wr(0, DIST + 0x6000 + 8 * 40, 4, 0x101);
	wr(0, DIST + 0x6000 + 8 * 40 + 4, 4, 0);
	tap_check(rd(0, DIST + 0x6000 + 8 * 40, 8) == 0x101, "IROUTER in two 32-bit halves");
}

static void test_enable_and_route(void)
{
	uint64_t lr[VGIC_NR_LRS];
	uint32_t k;

	reset(4);
	spi_setup(40, 0x80, true, 0x100);	/* to vCPU 2 */
	k = vgic_pulse(&vg, 0, 40);
	tap_check(k == 1U << 2, "edge SPI routed to 0.0.1.0 kicks vCPU 2 (%#x)", k);
	vgic_flush_lrs(&vg, 0, lr);
	tap_check(lr[0] == 0, "  ... vCPU 0 gets nothing");
	vgic_flush_lrs(&vg, 2, lr);
	tap_check(lr_intid(lr[0]) == 40 && (lr[0] & VGIC_LR_STATE_MASK) == VGIC_LR_STATE_PENDING &&
		  (lr[0] & VGIC_LR_GROUP1) && (lr[0] >> 48 & 0xff) == 0x80,
		  "  ... vCPU 2 lists it pending, group 1, priority 0x80");
	vgic_sync_lrs(&vg, 2, lr);	/* not taken yet */
	wr(0, DIST + 0x180 + 4, 4, 1U << 8);
	tap_check(!vgic_has_pending(&vg, 2), "ICENABLER: no longer deliverable");
	tap_check(rd(0, DIST + 0x200 + 4, 4) & 1U << 8, "  ... but still pending (ISPENDR)");
	k = wr(0, DIST + 0x100 + 4, 4, 1U << 8);
	tap_check(k == 1U << 2 && vgic_has_pending(&vg, 2), "ISENABLER again: delivered (%#x)", k);
	wr(0, DIST + 0x280 + 4, 4, 1U << 8);
	tap_check(!vgic_has_pending(&vg, 2), "ICPENDR clears it");
	k = wr(0, DIST + 0x200 + 4, 4, 1U << 8);
	tap_check(k == 1U << 2, "ISPENDR sets it (%#x)", k);
	k = wr(0, DIST + 0x6000 + 8 * 40, 8, 0x1);
	tap_check(k == 1U << 1 && vgic_target(&vg, 40) == 1, "re-routed by IROUTER to vCPU 1");
	wr(0, DIST + 0x6000 + 8 * 40, 8, 1ULL << 31);
	tap_check(vgic_target(&vg, 40) == 0, "1-of-N routing goes to vCPU 0");
	wr(0, DIST + 0x6000 + 8 * 40, 8, 0x10000);
	tap_check(vgic_target(&vg, 40) == VGIC_MAX_VCPUS && !vgic_has_pending(&vg, 0),
		  "an affinity no vCPU has: nobody takes it");
	wr(0, DIST, 4, 0);
	wr(0, DIST + 0x6000 + 8 * 40, 8, 0);
	tap_check(!vgic_has_pending(&vg, 0), "GICD_CTLR.EnableGrp1 clear: held back");
	k = wr(0, DIST, 4, 2);
	tap_check(k == 1 && vgic_has_pending(&vg, 0), "  ... and delivered once set (%#x)", k);
}

static void test_priority_and_overflow(void)
{
	static const uint8_t prio[] = { 0x90, 0x10, 0xa0, 0x30, 0x20, 0x80 };
	uint64_t lr[VGIC_NR_LRS];
	bool more;

	reset(1);
	for (uint32_t i = 0; i < 6; i++) {
		spi_setup(50 + i, prio[i], true, 0);
		vgic_pulse(&vg, 0, 50 + i);
	}
	more = vgic_flush_lrs(&vg, 0, lr);
	tap_check(more, "6 pending, 4 list registers: more waiting");
	tap_check(lr_intid(lr[0]) == 51 && lr_intid(lr[1]) == 54 && lr_intid(lr[2]) == 53 &&
		  lr_intid(lr[3]) == 55, "the 4 of highest priority, in order (%u %u %u %u)",
		  lr_intid(lr[0]), lr_intid(lr[1]), lr_intid(lr[2]), lr_intid(lr[3]));
	/* The guest takes and ends all four. */
	memset(lr, 0, sizeof(lr));
	vgic_sync_lrs(&vg, 0, lr);
	more = vgic_flush_lrs(&vg, 0, lr);
	tap_check(!more && lr_intid(lr[0]) == 50 && lr_intid(lr[1]) == 52 && lr[2] == 0,
		  "the next entry lists the other two");
	/* Taken but not ended: active, listed first on the next entry. */
	lr[0] = (lr[0] & ~VGIC_LR_STATE_MASK) | VGIC_LR_STATE_ACTIVE;
	lr[1] = 0;
	vgic_sync_lrs(&vg, 0, lr);
	vgic_pulse(&vg, 0, 51);
	vgic_flush_lrs(&vg, 0, lr);
	tap_check(lr_intid(lr[0]) == 50 && (lr[0] & VGIC_LR_STATE_MASK) == VGIC_LR_STATE_ACTIVE &&
		  lr_intid(lr[1]) == 51, "an active interrupt stays listed first, before priority");
}

static void test_edge_and_level(void)
{
	uint64_t lr[VGIC_NR_LRS];
	uint32_t k;

	reset(1);
	spi_setup(60, 0x40, false, 0);	/* level */
	k = vgic_set_line(&vg, 0, 60, true);
	tap_check(k == 1, "level SPI line high: pending");
	vgic_flush_lrs(&vg, 0, lr);
	lr[0] = 0;			/* taken and ended, line still high */
	vgic_sync_lrs(&vg, 0, lr);
	tap_check(vgic_has_pending(&vg, 0) && nr_acks == 1 && acks[0] == 60,
		  "ended while the line is high: pending again, the ack was reported");
	vgic_set_line(&vg, 0, 60, false);
	tap_check(!vgic_has_pending(&vg, 0), "line low: no longer pending");

	spi_setup(61, 0x40, true, 0);	/* edge */
	vgic_set_line(&vg, 0, 61, true);
	vgic_set_line(&vg, 0, 61, true);
	vgic_flush_lrs(&vg, 0, lr);
	lr[0] = (lr[0] & ~VGIC_LR_STATE_MASK) | VGIC_LR_STATE_ACTIVE;
	vgic_sync_lrs(&vg, 0, lr);
	tap_check(!vgic_has_pending(&vg, 0),
		  "edge SPI: one edge, taken once; the line held high makes no second one");
	vgic_set_line(&vg, 0, 61, false);
	vgic_flush_lrs(&vg, 0, lr);
	vgic_pulse(&vg, 0, 61);		/* while listed active */
	lr[0] = 0;
	vgic_sync_lrs(&vg, 0, lr);
	tap_check(vgic_has_pending(&vg, 0), "an edge while it was active is not lost");
}

static void test_sgi(void)
{
	uint64_t lr[VGIC_NR_LRS];
	uint32_t k;

	reset(4);
	for (uint32_t c = 0; c < 4; c++)
		wr(c, REDIST + c * 0x20000 + SGI_FRAME + 0x80, 4, 0xffff);	/* group 1 */
	tap_check(rd(1, REDIST + 0x20000 + SGI_FRAME + 0x100, 4) == 0,
		  "SGIs are disabled at reset (GICR_ISENABLER0 reads 0)");
	k = vgic_send_sgi(&vg, 0, 4ULL << 24 | 2);
	tap_check(k == 0 && !vgic_has_pending(&vg, 1) &&
		  rd(1, REDIST + 0x20000 + SGI_FRAME + 0x200, 4) == 1U << 4,
		  "an SGI to a vCPU that has not enabled it: pending there, kicks nobody");
	k = wr(1, REDIST + 0x20000 + SGI_FRAME + 0x100, 4, 1U << 4);
	tap_check(k == 1U << 1 && vgic_has_pending(&vg, 1),
		  "  ... enabled there, it kicks vCPU 1 (%#x)", k);
	wr(1, REDIST + 0x20000 + SGI_FRAME + 0x280, 4, 1U << 4);	/* ICPENDR0 */
	for (uint32_t c = 0; c < 4; c++)
		wr(c, REDIST + c * 0x20000 + SGI_FRAME + 0x100, 4, 0xffff);	/* enabled */
	k = vgic_send_sgi(&vg, 0, 3ULL << 24 | 1);
	tap_check(k == 1, "SGI 3 to self (Aff 0.0.0, target list bit 0)");
	k = vgic_send_sgi(&vg, 0, 5ULL << 24 | 1ULL << 16 | 2);
	tap_check(k == 1U << 3, "SGI 5 to 0.0.1.1 (%#x)", k);
	k = vgic_send_sgi(&vg, 1, 7ULL << 24 | 1ULL << 40);
	tap_check(k == (1U | 1U << 2 | 1U << 3), "SGI 7 to all but self (%#x)", k);
	vgic_flush_lrs(&vg, 3, lr);
	tap_check(lr_intid(lr[0]) == 5 && lr_intid(lr[1]) == 7, "vCPU 3 lists SGIs 5 and 7");
	wr(2, REDIST + 2 * 0x20000 + SGI_FRAME + 0x180, 4, 1U << 9);
	k = vgic_send_sgi(&vg, 0, 9ULL << 24 | 1ULL << 16 | 1);
	tap_check(k == 0, "a disabled SGI kicks nobody");
	wr(0, REDIST + SGI_FRAME + 0xc00, 4, 0);
	tap_check(rd(0, REDIST + SGI_FRAME + 0xc00, 4) == 0xaaaaaaaa, "SGIs stay edge-triggered");
	wr(0, REDIST + SGI_FRAME + 0x400 + 27, 1, 0x50);
	tap_check(rd(0, REDIST + SGI_FRAME + 0x418, 4) >> 24 == 0x50,
		  "PPI 27 priority via SGI_base");
	wr(0, REDIST + SGI_FRAME + 0x80, 4, 0xffff | 1U << 27);
	wr(0, REDIST + SGI_FRAME + 0x100, 4, 1U << 27);
	k = vgic_pulse(&vg, 0, 27);
	tap_check(k == 1 && !vgic_has_pending(&vg, 1), "PPI 27 of vCPU 0 is vCPU 0's alone");
}

int main(void)
{
	tap_begin();
	test_registers();
	test_enable_and_route();
	test_priority_and_overflow();
	test_edge_and_level();
	test_sgi();
	return tap_finish();
}
