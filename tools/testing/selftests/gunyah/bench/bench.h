/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Side-by-side benchmark of Gunyah and KVM: one bare-metal guest payload
 * (the selftests' test guest, MMU off), one set of guest commands, two
 * VMMs ("twins") that differ only in the ioctls they make.
 *
 * bench.c holds the measurements and the table of paths; gunyah_twin.c
 * and kvm_twin.c the two VMMs behind struct twin.
 */
#ifndef GUNYAH_BENCH_H
#define GUNYAH_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define BENCH_PAGE		4096ULL
#define MiB			(1024ULL * 1024)

/* Guest physical layout, the same for both twins. */
#define IMAGE_GPA		0x80000000ULL	/* test guest image; the guest's PC */
#define DTB_OFFSET		0x80000ULL	/* device tree, x0 = IMAGE_GPA + DTB_OFFSET */
#define DATA_GPA		0x90000000ULL	/* memory the guest touches and loads */

#define GUEST_BIN		"/tests/data/test-guest.bin"
/* Doorbell label 1 of this DT raises SPI 10 (INTID 42), edge-triggered. */
#define GUEST_DTB		"/tests/data/guest-irq.dtb"
#define BENCH_SPI		10
#define BENCH_BELL_LABEL	1

/**
 * struct vm_layout - memory of a benchmark VM
 * @image_size: bytes at IMAGE_GPA holding the image and the device tree
 * @data_size: bytes at DATA_GPA, none of them touched by the host (0: none)
 * @data_shared: the host keeps access to the data (Gunyah: a shared binding
 *               instead of a lent one; KVM's memory always is)
 */
struct vm_layout {
	uint64_t image_size;
	uint64_t data_size;
	bool data_shared;
};

/**
 * struct mmio_exit - the VMM's view of one MMIO exit, shared by the twins
 * @addr: guest physical address
 * @data: written bytes, or the answer to a read (little-endian)
 * @len: access size in bytes
 * @is_write: the guest wrote
 */
struct mmio_exit {
	uint64_t addr;
	uint64_t data;
	uint32_t len;
	bool is_write;
};

struct bvm;

/**
 * struct twin - one VMM
 * @name: "gunyah" or "kvm"
 * @dev: character device that must exist for this twin
 * @notes: how the twin builds its VM, for the report
 * @open: open @dev; 0 or -errno
 * @create: build and start (if the ABI has a start) a VM with one vCPU at
 *          IMAGE_GPA, x0 pointing at the device tree; 0 or -errno
 * @run: enter the guest until the next exit; for an MMIO read exit, the
 *       previous answer in @vm->mmio.data is handed to the guest first.
 *       0 on an MMIO exit (in @vm->mmio), else -errno or a positive exit
 *       reason of the twin's own ABI
 * @destroy: close every fd and unmap everything of @vm
 * @add_ioeventfd: have guest writes of @len bytes to @addr signal @efd in
 *                 the kernel, before the VM runs; 0 or -errno
 * @add_irqfd: have signals of @efd raise the guest's SPI BENCH_SPI (an edge);
 *             0 or -errno
 * @linux_vmm: the VMM program that boots a Linux guest on this twin's
 *             hypervisor (same options, loader, device tree and console)
 * @scrub_ns: nanoseconds the hypervisor has spent since boot zeroing memory
 *            on its way back to the host, or -errno if it cannot tell;
 *            NULL if the twin's memory is never scrubbed
 */
struct twin {
	const char *name;
	const char *dev;
	const char *notes;
	const char *linux_vmm;
	int (*open)(void);
	int (*create)(struct bvm *vm, const struct vm_layout *l, const void *image,
		      size_t image_len, const void *dtb, size_t dtb_len);
	int (*run)(struct bvm *vm);
	void (*destroy)(struct bvm *vm);
	int (*add_ioeventfd)(struct bvm *vm, uint64_t addr, uint32_t len, int efd);
	int (*add_irqfd)(struct bvm *vm, int efd);
	int64_t (*scrub_ns)(void);
};

/**
 * struct bvm - a benchmark VM
 * @twin: its VMM
 * @layout: its memory
 * @mmio: the last MMIO exit
 * @answer_read: the last exit was a read whose answer is in @mmio.data
 * @exits: MMIO exits seen so far
 * @priv: the twin's state
 */
struct bvm {
	const struct twin *twin;
	struct vm_layout layout;
	struct mmio_exit mmio;
	bool answer_read;
	uint64_t exits;
	void *priv;
};

/* Before a run: hand the guest the answer to its last MMIO read, if any. */
static inline void bvm_give_answer(struct bvm *vm, void *data, size_t size)
{
	if (vm->answer_read)
		memcpy(data, &vm->mmio.data,
		       size < sizeof(vm->mmio.data) ? size : sizeof(vm->mmio.data));
	vm->answer_read = false;
}

/* After a run: the MMIO exit the twin's run page describes. */
static inline void bvm_take_exit(struct bvm *vm, uint64_t addr, uint32_t len, bool is_write,
				 const void *data)
{
	vm->mmio.addr = addr;
	vm->mmio.len = len;
	vm->mmio.is_write = is_write;
	vm->mmio.data = 0;
	if (is_write)
		memcpy(&vm->mmio.data, data,
		       len < sizeof(vm->mmio.data) ? len : sizeof(vm->mmio.data));
}

extern const struct twin gunyah_twin;
extern const struct twin kvm_twin;

#endif
