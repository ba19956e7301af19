// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sample Gunyah VMM: runs a Linux kernel or a bare-metal arm64 image in a
 * Gunyah VM.
 *
 *   gunyah-vmm [-m MB] [-c VCPUS] [--share] [-d DTB_OUT]
 *              --kernel Image [--initrd FILE] [--append "ARGS"]
 *   gunyah-vmm [-m MB] [-c VCPUS] [--share] [-d DTB_OUT] IMAGE
 *
 * The guest's memory is a guest_memfd at IPA 0x80000000, lent to the
 * guest (--share: shared with it).  vmm_loader.c places the image, the
 * initrd and the device tree (vmm_fdt.c); the boot vCPU starts at the
 * image's entry with x0 pointing at the device tree.  The first 256 MiB
 * of memory at most go to the Resource Manager as the VM's image; where
 * the RM pages memory in on demand, the rest is only given as the guest
 * touches it.  One thread per vCPU loops on GUNYAH_VCPU_RUN.
 *
 * Devices: the PL011 console (vmm_pl011.c), whose interrupt reaches the
 * guest through an irqfd on the doorbell the device tree binds to its
 * SPI; a notification register that is an ioeventfd (the guest's writes
 * never exit to this VMM, they only count).  Other MMIO reads return 0.
 * The VMM exits when the VM does: 0 if it exited (powered off or asked
 * for a reset), 1 otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/gunyah.h>

#include "vmm.h"

struct vcpu {
	struct vmm *vmm;
	int index;
	int fd;
	struct gunyah_vcpu_run *run;
};

static struct vcpu vcpus[MAX_VCPUS];
static int notify_fd;		/* counts writes to the notification register */

void vmm_die(const char *what)
{
	fprintf(stderr, "gunyah-vmm: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* The UART's interrupt through an irqfd, the notification register an ioeventfd. */
static void add_eventfds(struct vmm *v)
{
	struct gunyah_fn_irqfd_arg irqfd = {
		.label = UART_BELL, .flags = GUNYAH_IRQFD_FLAGS_LEVEL, .fd = vmm_uart_irqfd(v),
	};
	struct gunyah_fn_ioeventfd_arg ioeventfd = { .addr = NOTIFY_BASE, .len = 0 };
	struct gunyah_fn_desc fn = {
		.type = GUNYAH_FN_IRQFD, .arg_size = sizeof(irqfd), .arg = (uintptr_t)&irqfd,
	};

	notify_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (notify_fd < 0)
		vmm_die("eventfd");
	if (ioctl(v->vm, GUNYAH_VM_ADD_FUNCTION, &fn))
		vmm_die("irqfd for the UART");
	ioeventfd.fd = notify_fd;
	fn = (struct gunyah_fn_desc){
		.type = GUNYAH_FN_IOEVENTFD, .arg_size = sizeof(ioeventfd),
		.arg = (uintptr_t)&ioeventfd,
	};
	if (ioctl(v->vm, GUNYAH_VM_ADD_FUNCTION, &fn))
		vmm_die("ioeventfd for the notification register");
}

static void *run_vcpu(void *p)
{
	struct vcpu *c = p;
	struct vmm *v = c->vmm;
	struct gunyah_vcpu_run *run = c->run;

	for (;;) {
		if (ioctl(c->fd, GUNYAH_VCPU_RUN) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "gunyah-vmm: vCPU %d: RUN failed: %s\n", c->index,
				strerror(errno));
			return NULL;
		}
		switch (run->exit_reason) {
		case GUNYAH_VCPU_EXIT_MMIO:
			vmm_mmio(v, run->mmio.phys_addr, run->mmio.is_write, run->mmio.data,
				 run->mmio.len);
			break;
		case GUNYAH_VCPU_EXIT_STATUS:
			if (c->index == 0) {
				pthread_mutex_lock(&v->lock);
				fflush(stdout);
				printf("gunyah-vmm: VM exited: status %u, exit type %u%s\n",
				       run->status.status, run->status.exit_info.type,
				       run->status.exit_info.type == 2 ? " (reset)" : "");
				fflush(stdout);
				v->status = run->status.status;
				pthread_mutex_unlock(&v->lock);
			}
			return NULL;
		case GUNYAH_VCPU_EXIT_PAGE_FAULT:
			fprintf(stderr, "gunyah-vmm: vCPU %d: no memory at %#llx (%s)\n", c->index,
				(unsigned long long)run->page_fault.phys_addr,
				strerror(-run->page_fault.attempt));
			return NULL;
		default:
			break;
		}
	}
}

static void set_boot_reg(struct vmm *v, __u32 set, __u32 index, __u64 value)
{
	struct gunyah_vm_boot_context ctx = {
		.reg = GUNYAH_VM_BOOT_CONTEXT_REG(set, index), .value = value,
	};

	if (ioctl(v->vm, GUNYAH_VM_SET_BOOT_CONTEXT, &ctx))
		vmm_die("GUNYAH_VM_SET_BOOT_CONTEXT");
}

/* The VM, its memory, vCPUs and devices, ready to start. */
static void create_vm(struct vmm *v, bool share)
{
	struct gunyah_map_mem_args map = {
		.guest_addr = GUEST_BASE,
		.flags = (share ? GUNYAH_MEM_FORCE_SHARE : GUNYAH_MEM_FORCE_LEND) |
			 GUNYAH_MEM_ALLOW_RWX,
		.guest_mem_fd = v->gmem,
		.size = v->mem_size,
	};
	struct gunyah_vm_dtb_config dtb = { .guest_phys_addr = v->layout.dtb, .size = DTB_SIZE };
	int dev = open("/dev/gunyah", O_RDWR | O_CLOEXEC);

	if (dev < 0)
		vmm_die("/dev/gunyah");
	v->vm = ioctl(dev, GUNYAH_CREATE_VM, 0);
	if (v->vm < 0)
		vmm_die("GUNYAH_CREATE_VM");
	close(dev);
	if (ioctl(v->vm, GUNYAH_VM_MAP_MEM, &map))
		vmm_die("GUNYAH_VM_MAP_MEM");
	if (ioctl(v->vm, GUNYAH_VM_SET_DTB_CONFIG, &dtb))
		vmm_die("GUNYAH_VM_SET_DTB_CONFIG");
	set_boot_reg(v, REG_SET_PC, 0, v->layout.entry);
	set_boot_reg(v, REG_SET_X, 0, v->layout.dtb);

	for (int i = 0; i < v->nr_vcpus; i++) {
		struct gunyah_fn_vcpu_arg arg = { .id = i };
		struct gunyah_fn_desc fn = {
			.type = GUNYAH_FN_VCPU, .arg_size = sizeof(arg), .arg = (uintptr_t)&arg,
		};
		int size;

		vcpus[i] = (struct vcpu){ .vmm = v, .index = i };
		vcpus[i].fd = ioctl(v->vm, GUNYAH_VM_ADD_FUNCTION, &fn);
		if (vcpus[i].fd < 0)
			vmm_die("adding a vCPU");
		size = ioctl(vcpus[i].fd, GUNYAH_VCPU_MMAP_SIZE);
		vcpus[i].run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
				    vcpus[i].fd, 0);
		if (vcpus[i].run == MAP_FAILED)
			vmm_die("mapping a vCPU's run page");
	}
	add_eventfds(v);
}

/* The guest's memory: a guest_memfd, mapped while the images are loaded. */
static void create_memory(struct vmm *v)
{
	struct gunyah_create_mem_args args = { .flags = GHMF_CLOEXEC, .size = v->mem_size };
	int dev = open("/dev/gunyah", O_RDWR | O_CLOEXEC);

	if (dev < 0)
		vmm_die("/dev/gunyah");
	v->gmem = ioctl(dev, GUNYAH_CREATE_GUEST_MEM, &args);
	if (v->gmem < 0)
		vmm_die("GUNYAH_CREATE_GUEST_MEM");
	close(dev);
	v->mem = mmap(NULL, v->mem_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->gmem, 0);
	if (v->mem == MAP_FAILED)
		vmm_die("mapping guest memory");
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void print_usage(void)
{
	fprintf(stderr,
		"usage: gunyah-vmm [-m MB] [-c VCPUS] [--share] [-d DTB_OUT]\n"
		"                  --kernel Image [--initrd FILE] [--append \"ARGS\"]\n"
		"       gunyah-vmm [-m MB] [-c VCPUS] [--share] [-d DTB_OUT] IMAGE\n"
		"Memory is lent to the guest unless --share.  Ctrl-a x quits.\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct vmm v = { };
	struct vmm_options o;
	pthread_t threads[MAX_VCPUS];
	double t_create, t_start, t_exit;

	vmm_parse_options(&v, &o, argc, argv, MAX_VCPUS, print_usage);
	pthread_mutex_init(&v.lock, NULL);

	create_memory(&v);
	vmm_place_images(&v, &o);
	/* The VMM never touches guest memory again; lent pages must not stay mapped. */
	munmap(v.mem, v.mem_size);
	v.mem = NULL;
	printf("gunyah-vmm: %s, %zu MiB of %s memory, %d vCPU(s)\n",
	       v.layout.is_linux ? "Linux kernel" : "bare-metal image", v.mem_size >> 20,
	       o.share ? "shared" : "lent", v.nr_vcpus);

	vmm_uart_init(&v);
	t_create = now_ms();
	create_vm(&v, o.share);
	if (ioctl(v.vm, GUNYAH_VM_START))
		vmm_die("GUNYAH_VM_START");
	t_start = now_ms();
	fflush(stdout);
	vmm_uart_start_input(&v);

	for (int i = 0; i < v.nr_vcpus; i++)
		pthread_create(&threads[i], NULL, run_vcpu, &vcpus[i]);
	for (int i = 0; i < v.nr_vcpus; i++)
		pthread_join(threads[i], NULL);
	t_exit = now_ms();
	{
		eventfd_t notified = 0;

		eventfd_read(notify_fd, &notified);
		printf("gunyah-vmm: UART interrupts raised through the irqfd: %llu; "
		       "notifications through the ioeventfd: %llu\n",
		       (unsigned long long)vmm_uart_irqs(&v), (unsigned long long)notified);
	}
	/* The VM goes away with its last file. */
	for (int i = 0; i < v.nr_vcpus; i++)
		close(vcpus[i].fd);
	close(v.vm);
	close(v.gmem);
	printf("gunyah-vmm: creating and starting the VM took %.0f ms, ", t_start - t_create);
	printf("running it %.0f ms, ", t_exit - t_start);
	printf("tearing it down %.0f ms\n", now_ms() - t_exit);
	fflush(stdout);
	vmm_console_restore();
	return v.status == GUNYAH_VM_STATUS_EXITED ? 0 : 1;
}
