/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Physical layout of the QEMU "virt" test platform, shared by the test
 * hypervisor, the harness (through gen-config.sh) and the in-host tests.
 *
 *   0x0000_0000 - 0x4000_0000   devices (GIC, PL011, PCIe, ...)
 *   0x4000_0000 - 0x4100_0000   test hypervisor: code, data, page tables,
 *                               heap; never mapped in the host's stage-2
 *   0x4100_0000 - ...           host RAM: kernel Image at its start, DTB
 *                               and initramfs loaded by QEMU further up
 */
#ifndef GUNYAH_TEST_PLATFORM_H
#define GUNYAH_TEST_PLATFORM_H

#define PLAT_RAM_BASE		0x40000000UL
#define PLAT_HYP_BASE		0x40000000UL
#define PLAT_HYP_SIZE		0x01000000UL
/* Boot configuration block written by the harness (struct hyp_bootcfg). */
#define PLAT_BOOTCFG_ADDR	(PLAT_HYP_BASE + PLAT_HYP_SIZE - 0x1000)
#define PLAT_HOST_KERNEL	0x41000000UL
#define PLAT_HOST_DTB		0x48000000UL
#define PLAT_HOST_INITRD	0x48200000UL
#define PLAT_UART_BASE		0x09000000UL
#define PLAT_GICD_BASE		0x08000000UL
#define PLAT_GICR_BASE		0x080a0000UL
#define PLAT_MAX_CPUS		8

#define BOOTCFG_MAGIC		0x47594e42	/* "BNYG" */
#define BOOTCFG_RM_V17		0		/* v17-level Resource Manager */
#define BOOTCFG_RM_OSS		1		/* open-source release, 12/2023 */

#endif
