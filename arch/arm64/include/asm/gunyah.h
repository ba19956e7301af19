/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * arm64 hooks of the Gunyah driver stack.
 */
#ifndef _ASM_GUNYAH_H
#define _ASM_GUNYAH_H

#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <dt-bindings/interrupt-controller/arm-gic.h>

/* Extended SPI specifier type (GICv3.1), missing from older headers. */
#ifndef GIC_ESPI
#define GIC_ESPI	2
#endif

/**
 * arch_gunyah_fill_irq_fwspec_params() - describe a Gunyah virq to the GIC
 * @virq: interrupt number from a Resource Manager resource (a GIC INTID)
 * @fwspec: filled with a 3-cell GIC specifier, edge rising
 *
 * Gunyah delivers resource interrupts as SPIs or extended SPIs; anything
 * else cannot come from the Resource Manager.
 *
 * Return: 0, or -EINVAL for an INTID that is not an (extended) SPI.
 */
static inline int arch_gunyah_fill_irq_fwspec_params(u32 virq, struct irq_fwspec *fwspec)
{
	if (virq >= 32 && virq <= 1019) {
		fwspec->param[0] = GIC_SPI;
		fwspec->param[1] = virq - 32;
	} else if (virq >= 4096 && virq <= 5119) {
		fwspec->param[0] = GIC_ESPI;
		fwspec->param[1] = virq - 4096;
	} else {
		return -EINVAL;
	}
	fwspec->param[2] = IRQ_TYPE_EDGE_RISING;
	fwspec->param_count = 3;
	return 0;
}

#endif
