// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sample Gunyah VMM: the guest's device tree, built with libfdt.
 *
 * Memory, the CPUs (PSCI), a GICv3, the architected timer, a PL011 UART
 * with its clock, the notification register, /chosen (console, command
 * line, initrd) and the gunyah-vm-config node the Resource Manager reads:
 * the memory base, proxy-scheduled vCPUs and the doorbell that raises the
 * UART's interrupt.  The open-source RM replaces the node named "memory"
 * and fills in the GIC's registers; it needs the GIC node itself.
 */
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>

#include "vmm.h"

#define GIC_PHANDLE	1
#define CLK_PHANDLE	2
#define IRQ_TYPE_SPI	0
#define IRQ_TYPE_PPI	1
#define IRQ_LEVEL_HIGH	4

#define FDT_CHECK(expr)								\
	do {									\
		int __r = (expr);						\
		if (__r < 0) {							\
			fprintf(stderr, "gunyah-vmm: %s: %s\n", #expr,		\
				fdt_strerror(__r));				\
			exit(1);						\
		}								\
	} while (0)

static void prop_reg(void *fdt, __u64 base, __u64 size)
{
	fdt64_t reg[2] = { cpu_to_fdt64(base), cpu_to_fdt64(size) };

	FDT_CHECK(fdt_property(fdt, "reg", reg, sizeof(reg)));
}

static void prop_irq(void *fdt, const char *name, __u32 type, __u32 nr)
{
	fdt32_t irq[3] = { cpu_to_fdt32(type), cpu_to_fdt32(nr), cpu_to_fdt32(IRQ_LEVEL_HIGH) };

	FDT_CHECK(fdt_property(fdt, name, irq, sizeof(irq)));
}

static void add_chosen(struct vmm *v, void *fdt)
{
	FDT_CHECK(fdt_begin_node(fdt, "chosen"));
	FDT_CHECK(fdt_property_string(fdt, "stdout-path", "/pl011@9000000"));
	if (v->bootargs)
		FDT_CHECK(fdt_property_string(fdt, "bootargs", v->bootargs));
	if (v->layout.initrd_end) {
		FDT_CHECK(fdt_property_u64(fdt, "linux,initrd-start", v->layout.initrd_start));
		FDT_CHECK(fdt_property_u64(fdt, "linux,initrd-end", v->layout.initrd_end));
	}
	FDT_CHECK(fdt_end_node(fdt));
}

static void add_cpus(struct vmm *v, void *fdt)
{
	FDT_CHECK(fdt_begin_node(fdt, "cpus"));
	FDT_CHECK(fdt_property_u32(fdt, "#address-cells", 1));
	FDT_CHECK(fdt_property_u32(fdt, "#size-cells", 0));
	for (int i = 0; i < v->nr_vcpus; i++) {
		/* Four CPUs per cluster, as on phones: Aff1 is the cluster, Aff0 the core. */
		__u32 mpidr = (i / 4) << 8 | (i % 4);
		char name[16];

		snprintf(name, sizeof(name), "cpu@%x", mpidr);
		FDT_CHECK(fdt_begin_node(fdt, name));
		FDT_CHECK(fdt_property_string(fdt, "device_type", "cpu"));
		FDT_CHECK(fdt_property_string(fdt, "compatible", "arm,armv8"));
		FDT_CHECK(fdt_property_u32(fdt, "reg", mpidr));
		FDT_CHECK(fdt_property_string(fdt, "enable-method", "psci"));
		FDT_CHECK(fdt_end_node(fdt));
	}
	FDT_CHECK(fdt_end_node(fdt));

	FDT_CHECK(fdt_begin_node(fdt, "psci"));
	FDT_CHECK(fdt_property(fdt, "compatible", "arm,psci-1.0\0arm,psci-0.2",
			       sizeof("arm,psci-1.0\0arm,psci-0.2")));
	FDT_CHECK(fdt_property_string(fdt, "method", "hvc"));
	FDT_CHECK(fdt_end_node(fdt));
}

static void add_gic_and_timer(struct vmm *v, void *fdt)
{
	FDT_CHECK(fdt_begin_node(fdt, "intc@3fff0000"));
	FDT_CHECK(fdt_property_string(fdt, "compatible", "arm,gic-v3"));
	FDT_CHECK(fdt_property(fdt, "interrupt-controller", NULL, 0));
	FDT_CHECK(fdt_property_u32(fdt, "#interrupt-cells", 3));
	FDT_CHECK(fdt_property_u32(fdt, "phandle", GIC_PHANDLE));
	{
		fdt64_t reg[4] = { cpu_to_fdt64(GICD_BASE), cpu_to_fdt64(0x10000),
				   cpu_to_fdt64(GICR_BASE),
				   cpu_to_fdt64(GICR_STRIDE * v->nr_vcpus) };

		FDT_CHECK(fdt_property(fdt, "reg", reg, sizeof(reg)));
	}
	FDT_CHECK(fdt_end_node(fdt));

	/* Secure and non-secure physical, virtual and hypervisor timers: PPIs 13, 14, 11, 10. */
	FDT_CHECK(fdt_begin_node(fdt, "timer"));
	FDT_CHECK(fdt_property_string(fdt, "compatible", "arm,armv8-timer"));
	{
		static const __u32 ppi[] = { 13, 14, 11, 10 };
		fdt32_t irqs[12];

		for (int i = 0; i < 4; i++) {
			irqs[3 * i] = cpu_to_fdt32(IRQ_TYPE_PPI);
			irqs[3 * i + 1] = cpu_to_fdt32(ppi[i]);
			irqs[3 * i + 2] = cpu_to_fdt32(IRQ_LEVEL_HIGH);
		}
		FDT_CHECK(fdt_property(fdt, "interrupts", irqs, sizeof(irqs)));
	}
	FDT_CHECK(fdt_property(fdt, "always-on", NULL, 0));
	FDT_CHECK(fdt_end_node(fdt));
}

static void add_devices(void *fdt)
{
	FDT_CHECK(fdt_begin_node(fdt, "apb-pclk"));
	FDT_CHECK(fdt_property_string(fdt, "compatible", "fixed-clock"));
	FDT_CHECK(fdt_property_u32(fdt, "#clock-cells", 0));
	FDT_CHECK(fdt_property_u32(fdt, "clock-frequency", 24000000));
	FDT_CHECK(fdt_property_u32(fdt, "phandle", CLK_PHANDLE));
	FDT_CHECK(fdt_end_node(fdt));

	FDT_CHECK(fdt_begin_node(fdt, "pl011@9000000"));
	FDT_CHECK(fdt_property(fdt, "compatible", "arm,pl011\0arm,primecell",
			       sizeof("arm,pl011\0arm,primecell")));
	prop_reg(fdt, UART_BASE, 0x1000);
	/* The PL011's line is a level. */
	prop_irq(fdt, "interrupts", IRQ_TYPE_SPI, UART_SPI);
	{
		fdt32_t clk[2] = { cpu_to_fdt32(CLK_PHANDLE), cpu_to_fdt32(CLK_PHANDLE) };

		FDT_CHECK(fdt_property(fdt, "clocks", clk, sizeof(clk)));
	}
	FDT_CHECK(fdt_property(fdt, "clock-names", "uartclk\0apb_pclk",
			       sizeof("uartclk\0apb_pclk")));
	FDT_CHECK(fdt_end_node(fdt));

	FDT_CHECK(fdt_begin_node(fdt, "notify@a000000"));
	FDT_CHECK(fdt_property_string(fdt, "compatible", "gunyah,sample-notify"));
	prop_reg(fdt, NOTIFY_BASE, 0x1000);
	FDT_CHECK(fdt_end_node(fdt));
}

static void add_vm_config(void *fdt)
{
	FDT_CHECK(fdt_begin_node(fdt, "gunyah-vm-config"));
	FDT_CHECK(fdt_property_string(fdt, "image-name", "gunyah-sample"));
	FDT_CHECK(fdt_property_string(fdt, "os-type", "linux"));
	FDT_CHECK(fdt_begin_node(fdt, "memory"));
	FDT_CHECK(fdt_property_u32(fdt, "#address-cells", 2));
	FDT_CHECK(fdt_property_u32(fdt, "#size-cells", 2));
	FDT_CHECK(fdt_property_u64(fdt, "base-address", GUEST_BASE));
	FDT_CHECK(fdt_end_node(fdt));
	FDT_CHECK(fdt_begin_node(fdt, "vcpus"));
	FDT_CHECK(fdt_property_string(fdt, "affinity", "proxy"));
	FDT_CHECK(fdt_end_node(fdt));
	/* The doorbell that raises the UART's interrupt in the guest. */
	FDT_CHECK(fdt_begin_node(fdt, "vdevices"));
	FDT_CHECK(fdt_property_string(fdt, "generate", "/hypervisor"));
	FDT_CHECK(fdt_begin_node(fdt, "bell-1"));
	FDT_CHECK(fdt_property_string(fdt, "vdevice-type", "doorbell"));
	FDT_CHECK(fdt_property_string(fdt, "generate", "/hypervisor/bell-1"));
	FDT_CHECK(fdt_property_u32(fdt, "label", UART_BELL));
	FDT_CHECK(fdt_property(fdt, "peer-default", NULL, 0));
	prop_irq(fdt, "interrupts", IRQ_TYPE_SPI, UART_SPI);
	FDT_CHECK(fdt_end_node(fdt));
	FDT_CHECK(fdt_end_node(fdt));
	FDT_CHECK(fdt_end_node(fdt));
}

/**
 * vmm_build_dtb() - write the guest's device tree
 * @v: the VMM, its layout known
 * @buf: where
 * @size: room at @buf
 *
 * Return: the size of the tree.
 */
size_t vmm_build_dtb(struct vmm *v, void *buf, size_t size)
{
	FDT_CHECK(fdt_create(buf, size));
	FDT_CHECK(fdt_finish_reservemap(buf));
	FDT_CHECK(fdt_begin_node(buf, ""));
	FDT_CHECK(fdt_property_u32(buf, "#address-cells", 2));
	FDT_CHECK(fdt_property_u32(buf, "#size-cells", 2));
	FDT_CHECK(fdt_property_string(buf, "compatible", "gunyah,sample-vm"));
	FDT_CHECK(fdt_property_u32(buf, "interrupt-parent", GIC_PHANDLE));

	add_chosen(v, buf);
	/* Named "memory" alone: the open-source RM replaces only that node. */
	FDT_CHECK(fdt_begin_node(buf, "memory"));
	FDT_CHECK(fdt_property_string(buf, "device_type", "memory"));
	prop_reg(buf, GUEST_BASE, v->mem_size);
	FDT_CHECK(fdt_end_node(buf));
	add_cpus(v, buf);
	add_gic_and_timer(v, buf);
	add_devices(buf);
	add_vm_config(buf);

	FDT_CHECK(fdt_end_node(buf));
	FDT_CHECK(fdt_finish(buf));
	return fdt_totalsize(buf);
}
