// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Gunyah twin: a VM on /dev/gunyah whose memory is one guest memory
 * file with two bindings, the image (lent at VM_START as the image parcel)
 * and the data range (paged in on demand, page by page, as the guest
 * touches it; lent, or shared with the host when the layout asks).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/gunyah.h>

#include "bench.h"

struct gunyah_vm_priv {
	int vm, gmem, vcpu;
	struct gunyah_vcpu_run *run;
	long run_size;
};

static int gunyah_dev = -1;

static int gunyah_open(void)
{
	gunyah_dev = open("/dev/gunyah", O_RDWR | O_CLOEXEC);
	return gunyah_dev < 0 ? -errno : 0;
}

static int gunyah_bind(int vm, int gmem, uint64_t gpa, uint64_t off, uint64_t size, bool share)
{
	struct gunyah_map_mem_args a = {
		.guest_addr = gpa, .guest_mem_fd = gmem, .offset = off, .size = size,
		.flags = GUNYAH_MEM_ALLOW_RWX,
	};

	a.flags |= share ? GUNYAH_MEM_FORCE_SHARE : GUNYAH_MEM_FORCE_LEND;
	return ioctl(vm, GUNYAH_VM_MAP_MEM, &a) ? -errno : 0;
}

static void gunyah_destroy(struct bvm *bvm)
{
	struct gunyah_vm_priv *p = bvm->priv;

	if (!p)
		return;
	if (p->run && p->run != MAP_FAILED)
		munmap(p->run, p->run_size);
	if (p->vcpu >= 0)
		close(p->vcpu);
	if (p->vm >= 0)
		close(p->vm);
	if (p->gmem >= 0)
		close(p->gmem);
	free(p);
	bvm->priv = NULL;
}

static int gunyah_create(struct bvm *bvm, const struct vm_layout *l, const void *image,
			 size_t image_len, const void *dtb, size_t dtb_len)
{
	struct gunyah_create_mem_args ma = { .size = l->image_size + l->data_size };
	struct gunyah_vm_dtb_config cfg = {
		.guest_phys_addr = IMAGE_GPA + DTB_OFFSET, .size = dtb_len,
	};
	struct gunyah_fn_vcpu_arg varg = { .id = 0 };
	struct gunyah_fn_desc fn = {
		.type = GUNYAH_FN_VCPU, .arg_size = sizeof(varg), .arg = (uintptr_t)&varg,
	};
	struct gunyah_vm_priv *p = calloc(1, sizeof(*p));
	uint8_t *mem;
	int ret;

	if (!p)
		return -ENOMEM;
	p->vm = -1;
	p->gmem = -1;
	p->vcpu = -1;
	bvm->priv = p;
	p->vm = ioctl(gunyah_dev, GUNYAH_CREATE_VM, 0);
	if (p->vm < 0)
		goto err_errno;
	p->gmem = ioctl(gunyah_dev, GUNYAH_CREATE_GUEST_MEM, &ma);
	if (p->gmem < 0)
		goto err_errno;
	/* The image goes in through a mapping that is gone before the lend. */
	mem = mmap(NULL, l->image_size, PROT_READ | PROT_WRITE, MAP_SHARED, p->gmem, 0);
	if (mem == MAP_FAILED)
		goto err_errno;
	memcpy(mem, image, image_len);
	memcpy(mem + DTB_OFFSET, dtb, dtb_len);
	munmap(mem, l->image_size);
	ret = gunyah_bind(p->vm, p->gmem, IMAGE_GPA, 0, l->image_size, false);
	if (!ret && l->data_size)
		ret = gunyah_bind(p->vm, p->gmem, DATA_GPA, l->image_size, l->data_size,
				  l->data_shared);
	if (ret)
		goto err;
	if (ioctl(p->vm, GUNYAH_VM_SET_DTB_CONFIG, &cfg))
		goto err_errno;
	p->vcpu = ioctl(p->vm, GUNYAH_VM_ADD_FUNCTION, &fn);
	if (p->vcpu < 0)
		goto err_errno;
	p->run_size = ioctl(p->vcpu, GUNYAH_VCPU_MMAP_SIZE);
	if (p->run_size <= 0)
		goto err_errno;
	p->run = mmap(NULL, p->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, p->vcpu, 0);
	if (p->run == MAP_FAILED)
		goto err_errno;
	/* PC is the image base, x0 the device tree: the RM's defaults. */
	if (ioctl(p->vm, GUNYAH_VM_START))
		goto err_errno;
	return 0;
err_errno:
	ret = -errno;
err:
	gunyah_destroy(bvm);
	return ret;
}

static int gunyah_run(struct bvm *bvm)
{
	struct gunyah_vm_priv *p = bvm->priv;
	struct gunyah_vcpu_run *run = p->run;

	bvm_give_answer(bvm, run->mmio.data, sizeof(run->mmio.data));
	do {
		if (ioctl(p->vcpu, GUNYAH_VCPU_RUN) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
	} while (run->exit_reason == GUNYAH_VCPU_EXIT_UNKNOWN);
	if (run->exit_reason != GUNYAH_VCPU_EXIT_MMIO)
		return (int)run->exit_reason;
	bvm_take_exit(bvm, run->mmio.phys_addr, run->mmio.len, run->mmio.is_write,
		      run->mmio.data);
	return 0;
}

static int gunyah_fn(struct bvm *bvm, uint32_t type, void *arg, uint32_t size)
{
	struct gunyah_vm_priv *p = bvm->priv;
	struct gunyah_fn_desc fn = { .type = type, .arg_size = size, .arg = (uintptr_t)arg };

	return ioctl(p->vm, GUNYAH_VM_ADD_FUNCTION, &fn) < 0 ? -errno : 0;
}

static int gunyah_add_ioeventfd(struct bvm *bvm, uint64_t addr, uint32_t len, int efd)
{
	struct gunyah_fn_ioeventfd_arg a = { .addr = addr, .len = len, .fd = efd };

	return gunyah_fn(bvm, GUNYAH_FN_IOEVENTFD, &a, sizeof(a));
}

/* The doorbell of GUEST_DTB whose interrupt is BENCH_SPI. */
static int gunyah_add_irqfd(struct bvm *bvm, int efd)
{
	struct gunyah_fn_irqfd_arg a = { .fd = efd, .label = BENCH_BELL_LABEL };

	return gunyah_fn(bvm, GUNYAH_FN_IRQFD, &a, sizeof(a));
}

/* The test hypervisor counts its scrubbing; its test module shows the count. */
static int64_t gunyah_scrub_ns(void)
{
	unsigned long long bytes, ns;
	FILE *f = fopen("/sys/kernel/debug/gunyah_test/scrub", "r");
	int n;

	if (!f)
		return -errno;
	n = fscanf(f, "%llu %llu", &bytes, &ns);
	fclose(f);
	return n == 2 ? (int64_t)ns : -EIO;
}

const struct twin gunyah_twin = {
	.name = "gunyah",
	.dev = "/dev/gunyah",
	.notes = "guest memory file; image lent at VM_START, data on demand (lent, or shared)",
	.linux_vmm = "gunyah-vmm",
	.open = gunyah_open,
	.create = gunyah_create,
	.run = gunyah_run,
	.destroy = gunyah_destroy,
	.add_ioeventfd = gunyah_add_ioeventfd,
	.add_irqfd = gunyah_add_irqfd,
	.scrub_ns = gunyah_scrub_ns,
};
