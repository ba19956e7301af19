/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Gunyah test hypervisor: raising the host's virtual interrupts.
 *
 * The host drives the physical GICv3 distributor itself; the hypervisor
 * delivers a host vIRQ (an SPI chosen by the hypervisor/RM) by making it
 * pending in the distributor.  The host configures these SPIs as
 * edge-triggered, so each write is one interrupt.
 */
#ifndef HYP_GIC_H
#define HYP_GIC_H

#include "hyp.h"

#define GICD_ISPENDR(n)		(0x200 + 4 * (n))
#define GIC_SPI_FIRST		32
#define GIC_SPI_LAST		287	/* QEMU "virt": 256 SPIs */

static inline void gic_raise_host_spi(u32 intid)
{
	if (intid < GIC_SPI_FIRST || intid > GIC_SPI_LAST)
		return;
	mmio_write32(PLAT_GICD_BASE + GICD_ISPENDR(intid / 32), BIT(intid % 32));
}

#endif
