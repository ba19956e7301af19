/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Sample Gunyah VMM: what its parts share.
 *
 * gunyah_vmm.c  options, the VM, its memory and vCPU threads
 * kvm_vmm.c     the same on /dev/kvm (kvm-vmm, make bench's twin)
 * vmm_setup.c   what both do alike: options, images, MMIO exits
 * vmm_loader.c  where the image, the initrd and the device tree go
 * vmm_fdt.c     the guest's device tree
 * vmm_pl011.c   the PL011 UART and the console (terminal, standard input)
 */
#ifndef VMM_H
#define VMM_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include <linux/types.h>

#define GUEST_BASE	0x80000000ULL
#define DTB_SIZE	0x10000		/* the tree and the RM's room to grow it */
#define UART_BASE	0x09000000ULL
#define UART_SPI	1		/* INTID 33 */
#define UART_BELL	1		/* doorbell label of the UART's interrupt */
#define NOTIFY_BASE	0x0a000000ULL	/* the notification register */
#define GICD_BASE	0x3fff0000ULL
#define GICR_BASE	0x3fef0000ULL	/* one 128 KiB redistributor per vCPU below GICD */
#define GICR_STRIDE	0x20000ULL
#define MAX_VCPUS	8
#define SZ_2M		0x200000ULL
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
/* The RM is given the image (kernel, initrd, device tree) in one parcel of at most this. */
#define IMAGE_MAX	0x10000000ULL

/* Where the loader put things, as guest physical addresses. */
struct vmm_layout {
	bool is_linux;		/* an arm64 Linux Image, not a raw bare-metal image */
	__u64 entry;
	__u64 kernel_end;	/* end of the kernel's image_size (BSS included) */
	__u64 initrd_start, initrd_end;	/* 0, 0: none */
	__u64 dtb;		/* DTB_SIZE bytes */
};

struct vmm_uart;

struct vmm {
	int vm;
	int gmem;		/* the guest's memory: a guest_memfd */
	__u8 *mem;		/* ... mapped here until the VM starts */
	size_t mem_size;
	int nr_vcpus;
	struct vmm_layout layout;
	const char *bootargs;
	struct vmm_uart *uart;
	pthread_mutex_t lock;	/* the UART's state and standard output */
	int status;
};

/* What the command line asks for besides struct vmm's fields. */
struct vmm_options {
	const char *image, *initrd, *dtb_out;
	bool share;		/* gunyah-vmm: share the memory instead of lending it */
};

static inline __u8 *guest_ptr(struct vmm *v, __u64 gpa)
{
	return v->mem + (gpa - GUEST_BASE);
}

void vmm_die(const char *what);

/* vmm_setup.c */
void vmm_parse_options(struct vmm *v, struct vmm_options *o, int argc, char **argv,
		       int max_vcpus, void (*usage)(void));
void vmm_place_images(struct vmm *v, const struct vmm_options *o);
void vmm_mmio(struct vmm *v, __u64 addr, bool write, __u8 *data, __u32 len);

/* vmm_loader.c */
bool vmm_is_linux_image(const char *path);
void vmm_load(struct vmm *v, const char *image, const char *initrd);

/* vmm_fdt.c */
size_t vmm_build_dtb(struct vmm *v, void *buf, size_t size);

/* vmm_pl011.c */
void vmm_uart_init(struct vmm *v);
__u32 vmm_uart_access(struct vmm *v, __u64 off, bool write, __u32 val);
void vmm_uart_start_input(struct vmm *v);
int vmm_uart_irqfd(struct vmm *v);
bool vmm_uart_irq_raised(struct vmm *v);
__u64 vmm_uart_irqs(struct vmm *v);
void vmm_console_restore(void);

#endif
