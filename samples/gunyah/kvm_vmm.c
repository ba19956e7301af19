// SPDX-License-Identifier: GPL-2.0-only
/*
 * The sample VMM's KVM twin, for make bench: the same loader, device tree
 * and PL011 console as gunyah-vmm (vmm_loader.c, vmm_fdt.c, vmm_pl011.c),
 * on /dev/kvm instead of /dev/gunyah, so that one Linux guest boot can be
 * timed on both hypervisors with nothing else different.
 *
 *   kvm-vmm [-m MB] [-c VCPUS] [-d DTB_OUT]
 *           --kernel Image [--initrd FILE] [--append "ARGS"]
 *   kvm-vmm [-m MB] [-c VCPUS] [-d DTB_OUT] IMAGE
 *
 * Guest memory is anonymous memory at IPA 0x80000000; the in-kernel GICv3
 * sits where the device tree puts it; vCPUs use PSCI 0.2 (vCPU 0 starts at
 * the image's entry, x0 at the device tree, the others are off until
 * CPU_ON).  The UART's level interrupt is an irqfd with a resample eventfd:
 * when the guest ends it while the UART still raises one, it is raised
 * again.  KVM numbers the vCPUs' MPIDRs 0-15 in Aff0, the device tree four
 * to a cluster: at most four vCPUs.  Exits 0 once the guest powered off or
 * asked for a reset, 1 otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "vmm.h"

#define KVM_MAX_VCPUS	4
#define CORE_REG(x)	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | \
			 (offsetof(struct kvm_regs, x) / sizeof(__u32)))

struct vcpu {
	struct vmm *vmm;
	int index;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool started;		/* @thread exists; under vmm->lock */
};

static struct vcpu vcpus[KVM_MAX_VCPUS];
static int resample_fd;
static int stopping;		/* __atomic: the vCPU threads stop */

void vmm_die(const char *what)
{
	fprintf(stderr, "kvm-vmm: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void set_reg(int fd, __u64 id, __u64 val)
{
	struct kvm_one_reg r = { .id = id, .addr = (uintptr_t)&val };

	if (ioctl(fd, KVM_SET_ONE_REG, &r))
		vmm_die("KVM_SET_ONE_REG");
}

static void gic_attr(int gic, __u32 group, __u64 attr, __u64 *val)
{
	struct kvm_device_attr a = { .group = group, .attr = attr, .addr = (uintptr_t)val };

	if (ioctl(gic, KVM_SET_DEVICE_ATTR, &a))
		vmm_die("KVM_SET_DEVICE_ATTR (GICv3)");
}

/*
 * The guest is done: every other vCPU leaves KVM_RUN (or does not enter it
 * again) and its thread ends.
 */
static void stop_vcpus(struct vmm *v, int self)
{
	pthread_mutex_lock(&v->lock);
	__atomic_store_n(&stopping, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < v->nr_vcpus; i++) {
		if (i == self)
			continue;
		vcpus[i].run->immediate_exit = 1;
		if (vcpus[i].started)
			pthread_kill(vcpus[i].thread, SIGUSR1);
	}
	pthread_mutex_unlock(&v->lock);
}

static void *run_vcpu(void *p)
{
	struct vcpu *c = p;
	struct vmm *v = c->vmm;
	struct kvm_run *run = c->run;

	while (!__atomic_load_n(&stopping, __ATOMIC_ACQUIRE)) {
		if (ioctl(c->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			fprintf(stderr, "kvm-vmm: vCPU %d: KVM_RUN failed: %s\n", c->index,
				strerror(errno));
			break;
		}
		switch (run->exit_reason) {
		case KVM_EXIT_MMIO:
			vmm_mmio(v, run->mmio.phys_addr, run->mmio.is_write, run->mmio.data,
				 run->mmio.len);
			break;
		case KVM_EXIT_SYSTEM_EVENT:
			pthread_mutex_lock(&v->lock);
			fflush(stdout);
			printf("kvm-vmm: VM exited: %s\n",
			       run->system_event.type == KVM_SYSTEM_EVENT_RESET ? "reset" :
			       "powered off");
			fflush(stdout);
			v->status = run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN ||
				    run->system_event.type == KVM_SYSTEM_EVENT_RESET ? 0 : 1;
			pthread_mutex_unlock(&v->lock);
			stop_vcpus(v, c->index);
			return NULL;
		case KVM_EXIT_INTR:
			break;
		default:
			fprintf(stderr, "kvm-vmm: vCPU %d: unexpected exit %u\n", c->index,
				run->exit_reason);
			v->status = 1;
			stop_vcpus(v, c->index);
			return NULL;
		}
	}
	return NULL;
}

/* The guest ended the UART's interrupt: raise it again if the UART still does. */
static void *uart_resample(void *p)
{
	struct vmm *v = p;
	eventfd_t n;

	while (eventfd_read(resample_fd, &n) == 0)
		if (vmm_uart_irq_raised(v))
			eventfd_write(vmm_uart_irqfd(v), 1);
	return NULL;
}

static void create_vm(struct vmm *v)
{
	struct kvm_userspace_memory_region mem = {
		.guest_phys_addr = GUEST_BASE, .memory_size = v->mem_size,
		.userspace_addr = (uintptr_t)v->mem,
	};
	struct kvm_create_device gic = { .type = KVM_DEV_TYPE_ARM_VGIC_V3 };
	__u64 dist = GICD_BASE, redist = GICR_BASE;
	struct kvm_irqfd irqfd = { .gsi = UART_SPI, .flags = KVM_IRQFD_FLAG_RESAMPLE };
	struct kvm_vcpu_init init;
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	long run_size;

	if (kvm < 0)
		vmm_die("/dev/kvm");
	v->vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (v->vm < 0)
		vmm_die("KVM_CREATE_VM");
	if (ioctl(v->vm, KVM_SET_USER_MEMORY_REGION, &mem))
		vmm_die("KVM_SET_USER_MEMORY_REGION");
	run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (run_size <= 0)
		vmm_die("KVM_GET_VCPU_MMAP_SIZE");
	if (ioctl(v->vm, KVM_ARM_PREFERRED_TARGET, &init))
		vmm_die("KVM_ARM_PREFERRED_TARGET");
	for (int i = 0; i < v->nr_vcpus; i++) {
		struct kvm_vcpu_init vi = init;

		vcpus[i] = (struct vcpu){ .vmm = v, .index = i };
		vcpus[i].fd = ioctl(v->vm, KVM_CREATE_VCPU, i);
		if (vcpus[i].fd < 0)
			vmm_die("KVM_CREATE_VCPU");
		vi.features[0] |= 1U << KVM_ARM_VCPU_PSCI_0_2;
		if (i)
			vi.features[0] |= 1U << KVM_ARM_VCPU_POWER_OFF;
		if (ioctl(vcpus[i].fd, KVM_ARM_VCPU_INIT, &vi))
			vmm_die("KVM_ARM_VCPU_INIT");
		vcpus[i].run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
				    vcpus[i].fd, 0);
		if (vcpus[i].run == MAP_FAILED)
			vmm_die("mapping a vCPU's run page");
	}
	close(kvm);
	set_reg(vcpus[0].fd, CORE_REG(regs.pc), v->layout.entry);
	set_reg(vcpus[0].fd, CORE_REG(regs.regs[0]), v->layout.dtb);

	if (ioctl(v->vm, KVM_CREATE_DEVICE, &gic))
		vmm_die("KVM_CREATE_DEVICE (GICv3)");
	gic_attr(gic.fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_DIST, &dist);
	gic_attr(gic.fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_REDIST, &redist);
	gic_attr(gic.fd, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL);

	resample_fd = eventfd(0, EFD_CLOEXEC);
	if (resample_fd < 0)
		vmm_die("eventfd");
	irqfd.fd = vmm_uart_irqfd(v);
	irqfd.resamplefd = resample_fd;
	if (ioctl(v->vm, KVM_IRQFD, &irqfd))
		vmm_die("KVM_IRQFD for the UART");
}

static void print_usage(void)
{
	fprintf(stderr,
		"usage: kvm-vmm [-m MB] [-c VCPUS] [-d DTB_OUT]\n"
		"               --kernel Image [--initrd FILE] [--append \"ARGS\"]\n"
		"       kvm-vmm [-m MB] [-c VCPUS] [-d DTB_OUT] IMAGE\n"
		"At most %d vCPUs; the VMM always has the guest's memory (--share and\n"
		"--lend change nothing).  Ctrl-a x quits.\n", KVM_MAX_VCPUS);
	exit(2);
}

static void on_sigusr1(int sig)
{
	(void)sig;	/* only to interrupt KVM_RUN */
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_sigusr1 };
	struct vmm v = { .gmem = -1, .status = 1 };
	struct vmm_options o;
	pthread_t resampler;

	vmm_parse_options(&v, &o, argc, argv, KVM_MAX_VCPUS, print_usage);
	pthread_mutex_init(&v.lock, NULL);
	sigaction(SIGUSR1, &sa, NULL);

	v.mem = mmap(NULL, v.mem_size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (v.mem == MAP_FAILED)
		vmm_die("guest memory");
	vmm_place_images(&v, &o);
	printf("kvm-vmm: %s, %zu MiB of memory, %d vCPU(s)\n",
	       v.layout.is_linux ? "Linux kernel" : "bare-metal image", v.mem_size >> 20,
	       v.nr_vcpus);

	vmm_uart_init(&v);
	create_vm(&v);
	fflush(stdout);
	vmm_uart_start_input(&v);
	if (pthread_create(&resampler, NULL, uart_resample, &v))
		vmm_die("resample thread");
	for (int i = 0; i < v.nr_vcpus; i++) {
		pthread_mutex_lock(&v.lock);
		if (pthread_create(&vcpus[i].thread, NULL, run_vcpu, &vcpus[i]))
			vmm_die("vCPU thread");
		vcpus[i].started = true;
		pthread_mutex_unlock(&v.lock);
	}
	for (int i = 0; i < v.nr_vcpus; i++)
		pthread_join(vcpus[i].thread, NULL);
	printf("kvm-vmm: UART interrupts raised through the irqfd: %llu\n",
	       (unsigned long long)vmm_uart_irqs(&v));
	/* The VM goes away with its last file; the memory with the mapping. */
	for (int i = 0; i < v.nr_vcpus; i++)
		close(vcpus[i].fd);
	close(v.vm);
	munmap(v.mem, v.mem_size);
	fflush(stdout);
	vmm_console_restore();
	return v.status;
}
