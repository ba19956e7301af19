// SPDX-License-Identifier: GPL-2.0-only
/*
 * The KVM twin: a small VMM on /dev/kvm, written against the UAPI headers.
 * Two memory slots of anonymous memory (image, data; the data range with
 * MADV_NOHUGEPAGE so that pages come one at a time, as on Gunyah), an
 * in-kernel GICv3 like a real VMM has, one vCPU initialised with the
 * preferred target and PSCI 0.2, PC at the image and x0 at the device tree
 * as the Gunyah RM sets them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "bench.h"

/* Where the test guest's device trees put the GICv3 (guest/guest_abi.h) */
#define VGIC_DIST_GPA		0x3fff0000ULL
#define VGIC_REDIST_GPA		0x3fef0000ULL

#define CORE_REG(x)	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | \
			 (offsetof(struct kvm_regs, x) / sizeof(__u32)))

struct kvm_vm_priv {
	int vm, vcpu, gic;
	struct kvm_run *run;
	long run_size;
	void *image, *data;
	uint64_t image_size, data_size;
};

static int kvm_dev = -1;

static int kvm_open(void)
{
	kvm_dev = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm_dev < 0)
		return -errno;
	return ioctl(kvm_dev, KVM_GET_API_VERSION, 0) == KVM_API_VERSION ? 0 : -ENOTSUP;
}

static void kvm_destroy(struct bvm *bvm)
{
	struct kvm_vm_priv *p = bvm->priv;

	if (!p)
		return;
	if (p->run && p->run != MAP_FAILED)
		munmap(p->run, p->run_size);
	if (p->vcpu >= 0)
		close(p->vcpu);
	if (p->gic >= 0)
		close(p->gic);
	if (p->vm >= 0)
		close(p->vm);
	if (p->image && p->image != MAP_FAILED)
		munmap(p->image, p->image_size);
	if (p->data && p->data != MAP_FAILED)
		munmap(p->data, p->data_size);
	free(p);
	bvm->priv = NULL;
}

static int kvm_slot(int vm, uint32_t slot, uint64_t gpa, void *mem, uint64_t size)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot, .guest_phys_addr = gpa, .memory_size = size,
		.userspace_addr = (uintptr_t)mem,
	};

	return ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r) ? -errno : 0;
}

static int kvm_set_reg(int vcpu, uint64_t id, uint64_t v)
{
	struct kvm_one_reg r = { .id = id, .addr = (uintptr_t)&v };

	return ioctl(vcpu, KVM_SET_ONE_REG, &r) ? -errno : 0;
}

static int kvm_gic_attr(int gic, uint32_t group, uint64_t attr, uint64_t *val)
{
	struct kvm_device_attr a = { .group = group, .attr = attr, .addr = (uintptr_t)val };

	return ioctl(gic, KVM_SET_DEVICE_ATTR, &a) ? -errno : 0;
}

/* The in-kernel GICv3; created after the vCPU, initialised before it runs. */
static int kvm_add_gic(struct kvm_vm_priv *p)
{
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_ARM_VGIC_V3 };
	uint64_t dist = VGIC_DIST_GPA, redist = VGIC_REDIST_GPA;
	int ret;

	if (ioctl(p->vm, KVM_CREATE_DEVICE, &cd))
		return -errno;
	p->gic = cd.fd;
	ret = kvm_gic_attr(p->gic, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_DIST, &dist);
	if (!ret)
		ret = kvm_gic_attr(p->gic, KVM_DEV_ARM_VGIC_GRP_ADDR,
				   KVM_VGIC_V3_ADDR_TYPE_REDIST, &redist);
	if (!ret)
		ret = kvm_gic_attr(p->gic, KVM_DEV_ARM_VGIC_GRP_CTRL,
				   KVM_DEV_ARM_VGIC_CTRL_INIT, NULL);
	return ret;
}

static int kvm_create(struct bvm *bvm, const struct vm_layout *l, const void *image,
		      size_t image_len, const void *dtb, size_t dtb_len)
{
	struct kvm_vm_priv *p = calloc(1, sizeof(*p));
	struct kvm_vcpu_init init;
	int ret;

	if (!p)
		return -ENOMEM;
	p->vm = -1;
	p->vcpu = -1;
	p->gic = -1;
	bvm->priv = p;
	p->vm = ioctl(kvm_dev, KVM_CREATE_VM, 0);
	if (p->vm < 0)
		goto err_errno;
	p->image_size = l->image_size;
	p->image = mmap(NULL, l->image_size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p->image == MAP_FAILED)
		goto err_errno;
	memcpy(p->image, image, image_len);
	memcpy((uint8_t *)p->image + DTB_OFFSET, dtb, dtb_len);
	ret = kvm_slot(p->vm, 0, IMAGE_GPA, p->image, l->image_size);
	if (ret)
		goto err;
	if (l->data_size) {
		p->data_size = l->data_size;
		p->data = mmap(NULL, l->data_size, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p->data == MAP_FAILED)
			goto err_errno;
		madvise(p->data, l->data_size, MADV_NOHUGEPAGE);
		ret = kvm_slot(p->vm, 1, DATA_GPA, p->data, l->data_size);
		if (ret)
			goto err;
	}
	p->vcpu = ioctl(p->vm, KVM_CREATE_VCPU, 0);
	if (p->vcpu < 0)
		goto err_errno;
	p->run_size = ioctl(kvm_dev, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (p->run_size <= 0)
		goto err_errno;
	p->run = mmap(NULL, p->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, p->vcpu, 0);
	if (p->run == MAP_FAILED)
		goto err_errno;
	ret = kvm_add_gic(p);
	if (ret)
		goto err;
	if (ioctl(p->vm, KVM_ARM_PREFERRED_TARGET, &init))
		goto err_errno;
	init.features[0] |= 1U << KVM_ARM_VCPU_PSCI_0_2;
	if (ioctl(p->vcpu, KVM_ARM_VCPU_INIT, &init))
		goto err_errno;
	ret = kvm_set_reg(p->vcpu, CORE_REG(regs.pc), IMAGE_GPA);
	if (!ret)
		ret = kvm_set_reg(p->vcpu, CORE_REG(regs.regs[0]), IMAGE_GPA + DTB_OFFSET);
	if (ret)
		goto err;
	return 0;
err_errno:
	ret = -errno;
err:
	kvm_destroy(bvm);
	return ret;
}

static int kvm_run(struct bvm *bvm)
{
	struct kvm_vm_priv *p = bvm->priv;
	struct kvm_run *run = p->run;

	bvm_give_answer(bvm, run->mmio.data, sizeof(run->mmio.data));
	for (;;) {
		if (ioctl(p->vcpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		if (run->exit_reason != KVM_EXIT_INTR)
			break;
	}
	if (run->exit_reason != KVM_EXIT_MMIO)
		return (int)run->exit_reason + 1000;
	bvm_take_exit(bvm, run->mmio.phys_addr, run->mmio.len, run->mmio.is_write,
		      run->mmio.data);
	return 0;
}

static int kvm_add_ioeventfd(struct bvm *bvm, uint64_t addr, uint32_t len, int efd)
{
	struct kvm_vm_priv *p = bvm->priv;
	struct kvm_ioeventfd a = { .addr = addr, .len = len, .fd = efd };

	return ioctl(p->vm, KVM_IOEVENTFD, &a) ? -errno : 0;
}

/* The in-kernel GIC's SPI BENCH_SPI (arm64 KVM: GSI n is SPI n). */
static int kvm_add_irqfd(struct bvm *bvm, int efd)
{
	struct kvm_vm_priv *p = bvm->priv;
	struct kvm_irqfd a = { .fd = efd, .gsi = BENCH_SPI };

	return ioctl(p->vm, KVM_IRQFD, &a) ? -errno : 0;
}

const struct twin kvm_twin = {
	.name = "kvm",
	.dev = "/dev/kvm",
	.notes = "anonymous memory slots (data range MADV_NOHUGEPAGE), in-kernel GICv3, PSCI 0.2",
	.linux_vmm = "kvm-vmm",
	.open = kvm_open,
	.create = kvm_create,
	.run = kvm_run,
	.destroy = kvm_destroy,
	.add_ioeventfd = kvm_add_ioeventfd,
	.add_irqfd = kvm_add_irqfd,
};
