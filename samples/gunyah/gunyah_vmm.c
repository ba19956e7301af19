// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sample Gunyah VMM: runs a bare-metal arm64 image in a Gunyah VM.
 *
 *   gunyah-vmm [-m MEGABYTES] [-c VCPUS] [-l] [-d DTB_OUT] IMAGE
 *
 * The image is loaded at the start of guest memory (IPA 0x80000000) and
 * entered there with x0 pointing at a device tree built here with libfdt
 * (memory, CPUs, PSCI, a GICv3, a PL011 UART, a notification register,
 * and the gunyah-vm-config node the Resource Manager reads).  Memory is
 * shared with the guest, or lent with -l.  One thread per vCPU loops on
 * GUNYAH_VCPU_RUN.
 *
 * The PL011 is emulated on MMIO exits (characters go to standard output);
 * its interrupt (TX empty) reaches the guest through an irqfd on the
 * doorbell the device tree binds to the UART's SPI.  The notification
 * register of a tiny device is an ioeventfd: the guest's writes to it
 * never exit to this VMM, they only count.  Other MMIO reads return 0.
 * The VMM exits when the VM does, with its status.
 */
#include <errno.h>
#include <fcntl.h>
#include <libfdt.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/gunyah.h>

#define GUEST_BASE	0x80000000ULL
#define DTB_SIZE	0x10000
#define UART_BASE	0x09000000ULL
#define UART_SPI	1		/* INTID 33 */
#define UART_DR		0x00
#define UART_FR		0x18
#define UART_IMSC	0x38
#define UART_RIS	0x3c
#define UART_MIS	0x40
#define UART_ICR	0x44
#define UART_FR_RXFE	0x10
#define UART_FR_TXFE	0x80
#define UART_INT_TX	0x20
#define UART_BELL	1		/* doorbell label of the UART's interrupt */
#define NOTIFY_BASE	0x0a000000ULL	/* the notification register */
#define GICD_BASE	0x3fff0000ULL
#define GICR_BASE	0x3fef0000ULL	/* up to MAX_VCPUS redistributors */
#define MAX_VCPUS	8

struct vmm {
	int vm;
	__u8 *mem;
	size_t mem_size;
	int nr_vcpus;
	int vcpu_fd[MAX_VCPUS];
	struct gunyah_vcpu_run *run[MAX_VCPUS];
	pthread_mutex_t out_lock;	/* standard output and the UART's registers */
	__u32 uart_imsc;
	__u32 uart_ris;
	int uart_irqfd;			/* raises the UART's interrupt */
	__u64 uart_irqs;
	int notify_fd;			/* counts writes to the notification register */
	int status;
};

static void die(const char *what)
{
	fprintf(stderr, "gunyah-vmm: %s: %s\n", what, strerror(errno));
	exit(1);
}

#define FDT_CHECK(expr)								\
	do {									\
		int __r = (expr);						\
		if (__r < 0) {							\
			fprintf(stderr, "gunyah-vmm: %s: %s\n", #expr,		\
				fdt_strerror(__r));				\
			exit(1);						\
		}								\
	} while (0)

/* The guest's device tree, at the end of its memory. */
static size_t build_dtb(void *buf, size_t size, __u64 mem_size, int nr_vcpus)
{
	/* SPI UART_SPI, level-sensitive (the PL011's line is a level). */
	fdt32_t uart_irq[3] = { cpu_to_fdt32(0), cpu_to_fdt32(UART_SPI), cpu_to_fdt32(4) };
	__u32 gic_phandle = 1;

	FDT_CHECK(fdt_create(buf, size));
	FDT_CHECK(fdt_finish_reservemap(buf));
	FDT_CHECK(fdt_begin_node(buf, ""));
	FDT_CHECK(fdt_property_u32(buf, "#address-cells", 2));
	FDT_CHECK(fdt_property_u32(buf, "#size-cells", 2));
	FDT_CHECK(fdt_property_string(buf, "compatible", "gunyah,sample-vm"));
	FDT_CHECK(fdt_property_u32(buf, "interrupt-parent", gic_phandle));

	FDT_CHECK(fdt_begin_node(buf, "chosen"));
	FDT_CHECK(fdt_property_string(buf, "stdout-path", "/pl011@9000000"));
	FDT_CHECK(fdt_end_node(buf));

	/* Named "memory" alone: the open-source RM replaces only that node. */
	FDT_CHECK(fdt_begin_node(buf, "memory"));
	FDT_CHECK(fdt_property_string(buf, "device_type", "memory"));
	{
		fdt64_t reg[2] = { cpu_to_fdt64(GUEST_BASE), cpu_to_fdt64(mem_size) };

		FDT_CHECK(fdt_property(buf, "reg", reg, sizeof(reg)));
	}
	FDT_CHECK(fdt_end_node(buf));

	FDT_CHECK(fdt_begin_node(buf, "cpus"));
	FDT_CHECK(fdt_property_u32(buf, "#address-cells", 1));
	FDT_CHECK(fdt_property_u32(buf, "#size-cells", 0));
	for (int i = 0; i < nr_vcpus; i++) {
		char name[16];

		snprintf(name, sizeof(name), "cpu@%d", i);
		FDT_CHECK(fdt_begin_node(buf, name));
		FDT_CHECK(fdt_property_string(buf, "device_type", "cpu"));
		FDT_CHECK(fdt_property_string(buf, "compatible", "arm,armv8"));
		FDT_CHECK(fdt_property_u32(buf, "reg", i));
		FDT_CHECK(fdt_property_string(buf, "enable-method", "psci"));
		FDT_CHECK(fdt_end_node(buf));
	}
	FDT_CHECK(fdt_end_node(buf));

	FDT_CHECK(fdt_begin_node(buf, "psci"));
	FDT_CHECK(fdt_property_string(buf, "compatible", "arm,psci-0.2"));
	FDT_CHECK(fdt_property_string(buf, "method", "hvc"));
	FDT_CHECK(fdt_end_node(buf));

	FDT_CHECK(fdt_begin_node(buf, "intc@3fff0000"));
	FDT_CHECK(fdt_property_string(buf, "compatible", "arm,gic-v3"));
	FDT_CHECK(fdt_property(buf, "interrupt-controller", NULL, 0));
	FDT_CHECK(fdt_property_u32(buf, "#interrupt-cells", 3));
	FDT_CHECK(fdt_property_u32(buf, "phandle", gic_phandle));
	{
		fdt64_t reg[4] = { cpu_to_fdt64(GICD_BASE), cpu_to_fdt64(0x10000),
				   cpu_to_fdt64(GICR_BASE), cpu_to_fdt64(0x20000 * MAX_VCPUS) };

		FDT_CHECK(fdt_property(buf, "reg", reg, sizeof(reg)));
	}
	FDT_CHECK(fdt_end_node(buf));

	FDT_CHECK(fdt_begin_node(buf, "pl011@9000000"));
	FDT_CHECK(fdt_property_string(buf, "compatible", "arm,pl011"));
	{
		fdt64_t reg[2] = { cpu_to_fdt64(UART_BASE), cpu_to_fdt64(0x1000) };

		FDT_CHECK(fdt_property(buf, "reg", reg, sizeof(reg)));
	}
	FDT_CHECK(fdt_property(buf, "interrupts", uart_irq, sizeof(uart_irq)));
	FDT_CHECK(fdt_end_node(buf));

	FDT_CHECK(fdt_begin_node(buf, "notify@a000000"));
	FDT_CHECK(fdt_property_string(buf, "compatible", "gunyah,sample-notify"));
	{
		fdt64_t reg[2] = { cpu_to_fdt64(NOTIFY_BASE), cpu_to_fdt64(0x1000) };

		FDT_CHECK(fdt_property(buf, "reg", reg, sizeof(reg)));
	}
	FDT_CHECK(fdt_end_node(buf));

	FDT_CHECK(fdt_begin_node(buf, "gunyah-vm-config"));
	FDT_CHECK(fdt_property_string(buf, "image-name", "gunyah-sample"));
	FDT_CHECK(fdt_property_string(buf, "os-type", "linux"));
	FDT_CHECK(fdt_begin_node(buf, "memory"));
	FDT_CHECK(fdt_property_u32(buf, "#address-cells", 2));
	FDT_CHECK(fdt_property_u32(buf, "#size-cells", 2));
	FDT_CHECK(fdt_property_u64(buf, "base-address", GUEST_BASE));
	FDT_CHECK(fdt_end_node(buf));
	FDT_CHECK(fdt_begin_node(buf, "vcpus"));
	FDT_CHECK(fdt_property_string(buf, "affinity", "proxy"));
	FDT_CHECK(fdt_end_node(buf));
	/* The doorbell that raises the UART's interrupt in the guest. */
	FDT_CHECK(fdt_begin_node(buf, "vdevices"));
	FDT_CHECK(fdt_property_string(buf, "generate", "/hypervisor"));
	FDT_CHECK(fdt_begin_node(buf, "bell-1"));
	FDT_CHECK(fdt_property_string(buf, "vdevice-type", "doorbell"));
	FDT_CHECK(fdt_property_string(buf, "generate", "/hypervisor/bell-1"));
	FDT_CHECK(fdt_property_u32(buf, "label", UART_BELL));
	FDT_CHECK(fdt_property(buf, "peer-default", NULL, 0));
	FDT_CHECK(fdt_property(buf, "interrupts", uart_irq, sizeof(uart_irq)));
	FDT_CHECK(fdt_end_node(buf));
	FDT_CHECK(fdt_end_node(buf));
	FDT_CHECK(fdt_end_node(buf));

	FDT_CHECK(fdt_end_node(buf));
	FDT_CHECK(fdt_finish(buf));
	return fdt_totalsize(buf);
}

/*
 * The PL011's interrupt line, under out_lock: while an unmasked interrupt
 * is raised, signal the irqfd (the doorbell is level: the guest's
 * acknowledgment lowers it, a new signal raises it again).
 */
static void uart_update_irq(struct vmm *v)
{
	if (v->uart_ris & v->uart_imsc) {
		eventfd_write(v->uart_irqfd, 1);
		v->uart_irqs++;
	}
}

/* A UART register access; returns the value read. */
static __u32 uart_access(struct vmm *v, __u64 off, bool write, __u32 val)
{
	__u32 r = 0;

	pthread_mutex_lock(&v->out_lock);
	switch (off) {
	case UART_DR:
		if (write) {
			putchar(val & 0xff);
			if ((val & 0xff) == '\n')
				fflush(stdout);
			/* The character is gone at once: the TX FIFO is empty again. */
			v->uart_ris |= UART_INT_TX;
			uart_update_irq(v);
		}
		break;
	case UART_FR:
		r = UART_FR_TXFE | UART_FR_RXFE;
		break;
	case UART_IMSC:
		if (write) {
			v->uart_imsc = val & UART_INT_TX;
			uart_update_irq(v);
		}
		r = v->uart_imsc;
		break;
	case UART_RIS:
		r = v->uart_ris;
		break;
	case UART_MIS:
		r = v->uart_ris & v->uart_imsc;
		break;
	case UART_ICR:
		if (write)
			v->uart_ris &= ~val;
		break;
	}
	pthread_mutex_unlock(&v->out_lock);
	return r;
}

/* Emulate one MMIO access of vCPU @i. */
static void mmio(struct vmm *v, int i)
{
	struct gunyah_vcpu_run *run = v->run[i];
	__u64 addr = run->mmio.phys_addr;
	__u32 val = 0;

	memcpy(&val, run->mmio.data, run->mmio.len < 4 ? run->mmio.len : 4);
	if (addr >= UART_BASE && addr < UART_BASE + 0x1000)
		val = uart_access(v, addr - UART_BASE, run->mmio.is_write, val);
	else
		val = 0;	/* anything else reads as 0, writes are ignored */
	if (!run->mmio.is_write) {
		memset(run->mmio.data, 0, sizeof(run->mmio.data));
		memcpy(run->mmio.data, &val, sizeof(val));
	}
}

/* The UART's interrupt through an irqfd, the notification register an ioeventfd. */
static void add_eventfds(struct vmm *v)
{
	struct gunyah_fn_irqfd_arg irqfd = {
		.label = UART_BELL, .flags = GUNYAH_IRQFD_FLAGS_LEVEL,
	};
	struct gunyah_fn_ioeventfd_arg ioeventfd = { .addr = NOTIFY_BASE, .len = 0 };
	struct gunyah_fn_desc fn = { .type = GUNYAH_FN_IRQFD, .arg_size = sizeof(irqfd) };

	v->uart_irqfd = eventfd(0, EFD_CLOEXEC);
	v->notify_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (v->uart_irqfd < 0 || v->notify_fd < 0)
		die("eventfd");
	irqfd.fd = v->uart_irqfd;
	fn.arg = (uintptr_t)&irqfd;
	if (ioctl(v->vm, GUNYAH_VM_ADD_FUNCTION, &fn))
		die("irqfd for the UART");
	ioeventfd.fd = v->notify_fd;
	fn = (struct gunyah_fn_desc){
		.type = GUNYAH_FN_IOEVENTFD, .arg_size = sizeof(ioeventfd),
		.arg = (uintptr_t)&ioeventfd,
	};
	if (ioctl(v->vm, GUNYAH_VM_ADD_FUNCTION, &fn))
		die("ioeventfd for the notification register");
}

struct vcpu_arg {
	struct vmm *vmm;
	int index;
};

static void *run_vcpu(void *p)
{
	struct vcpu_arg *a = p;
	struct vmm *v = a->vmm;
	struct gunyah_vcpu_run *run = v->run[a->index];

	for (;;) {
		if (ioctl(v->vcpu_fd[a->index], GUNYAH_VCPU_RUN) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "gunyah-vmm: vCPU %d: RUN failed: %s\n", a->index,
				strerror(errno));
			return NULL;
		}
		switch (run->exit_reason) {
		case GUNYAH_VCPU_EXIT_MMIO:
			mmio(v, a->index);
			break;
		case GUNYAH_VCPU_EXIT_STATUS:
			if (a->index == 0) {
				pthread_mutex_lock(&v->out_lock);
				fflush(stdout);
				printf("gunyah-vmm: VM exited: status %u, exit type %u\n",
				       run->status.status, run->status.exit_info.type);
				fflush(stdout);
				pthread_mutex_unlock(&v->out_lock);
				v->status = run->status.status;
			}
			return NULL;
		case GUNYAH_VCPU_EXIT_PAGE_FAULT:
			fprintf(stderr, "gunyah-vmm: vCPU %d: no memory at %#llx\n", a->index,
				(unsigned long long)run->page_fault.phys_addr);
			return NULL;
		default:
			break;
		}
	}
}

static void print_usage(void)
{
	fprintf(stderr, "usage: gunyah-vmm [-m MEGABYTES] [-c VCPUS] [-l] [-d DTB_OUT] IMAGE\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct gunyah_vm_dtb_config dtb_cfg;
	struct vcpu_arg args[MAX_VCPUS];
	pthread_t threads[MAX_VCPUS];
	struct gh_userspace_memory_region region;
	const char *dtb_out = NULL;
	struct vmm v = { .nr_vcpus = 1, .mem_size = 16 << 20 };
	bool lend = false;
	size_t dtb_size, image_size;
	int dev, fd, opt;
	ssize_t n;

	while ((opt = getopt(argc, argv, "m:c:ld:")) != -1) {
		switch (opt) {
		case 'm':
			v.mem_size = strtoul(optarg, NULL, 0) << 20;
			break;
		case 'c':
			v.nr_vcpus = atoi(optarg);
			break;
		case 'l':
			lend = true;
			break;
		case 'd':
			dtb_out = optarg;
			break;
		default:
			print_usage();
		}
	}
	if (optind != argc - 1 || v.nr_vcpus < 1 || v.nr_vcpus > MAX_VCPUS ||
	    v.mem_size < (1 << 20))
		print_usage();
	pthread_mutex_init(&v.out_lock, NULL);

	v.mem = mmap(NULL, v.mem_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (v.mem == MAP_FAILED)
		die("guest memory");
	if (lend && (madvise(v.mem, v.mem_size, MADV_DONTFORK) ||
		     madvise(v.mem, v.mem_size, MADV_DONTDUMP)))
		die("madvise");
	fd = open(argv[optind], O_RDONLY);
	if (fd < 0)
		die(argv[optind]);
	n = read(fd, v.mem, v.mem_size - DTB_SIZE);
	if (n <= 0)
		die("reading the image");
	image_size = n;
	close(fd);
	dtb_size = build_dtb(v.mem + v.mem_size - DTB_SIZE, DTB_SIZE, v.mem_size, v.nr_vcpus);
	if (dtb_out) {
		FILE *f = fopen(dtb_out, "w");

		if (!f || fwrite(v.mem + v.mem_size - DTB_SIZE, dtb_size, 1, f) != 1)
			die(dtb_out);
		fclose(f);
	}
	printf("gunyah-vmm: %zu-byte image, %zu MiB of %s memory, %d vCPU(s)\n", image_size,
	       v.mem_size >> 20, lend ? "lent" : "shared", v.nr_vcpus);

	dev = open("/dev/gunyah", O_RDWR | O_CLOEXEC);
	if (dev < 0)
		die("/dev/gunyah");
	v.vm = ioctl(dev, GUNYAH_CREATE_VM, 0);
	if (v.vm < 0)
		die("GUNYAH_CREATE_VM");

	region = (struct gh_userspace_memory_region){
		.label = 0,
		.flags = GH_MEM_ALLOW_READ | GH_MEM_ALLOW_WRITE | GH_MEM_ALLOW_EXEC,
		.guest_phys_addr = GUEST_BASE,
		.memory_size = v.mem_size,
		.userspace_addr = (uintptr_t)v.mem,
	};
	if (ioctl(v.vm, lend ? GH_VM_ANDROID_LEND_USER_MEM : GH_VM_SET_USER_MEM_REGION, &region))
		die("guest memory region");
	/* The whole region: the RM grows the tree there (its overlay). */
	dtb_cfg.guest_phys_addr = GUEST_BASE + v.mem_size - DTB_SIZE;
	dtb_cfg.size = DTB_SIZE;
	if (ioctl(v.vm, GUNYAH_VM_SET_DTB_CONFIG, &dtb_cfg))
		die("GUNYAH_VM_SET_DTB_CONFIG");

	for (int i = 0; i < v.nr_vcpus; i++) {
		struct gunyah_fn_vcpu_arg vcpu = { .id = i };
		struct gunyah_fn_desc fn = {
			.type = GUNYAH_FN_VCPU, .arg_size = sizeof(vcpu), .arg = (uintptr_t)&vcpu,
		};
		int size;

		v.vcpu_fd[i] = ioctl(v.vm, GUNYAH_VM_ADD_FUNCTION, &fn);
		if (v.vcpu_fd[i] < 0)
			die("adding a vCPU");
		size = ioctl(v.vcpu_fd[i], GUNYAH_VCPU_MMAP_SIZE);
		v.run[i] = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, v.vcpu_fd[i], 0);
		if (v.run[i] == MAP_FAILED)
			die("mapping a vCPU's run page");
	}
	add_eventfds(&v);
	if (ioctl(v.vm, GUNYAH_VM_START))
		die("GUNYAH_VM_START");
	fflush(stdout);

	for (int i = 0; i < v.nr_vcpus; i++) {
		args[i] = (struct vcpu_arg){ .vmm = &v, .index = i };
		pthread_create(&threads[i], NULL, run_vcpu, &args[i]);
	}
	for (int i = 0; i < v.nr_vcpus; i++)
		pthread_join(threads[i], NULL);
	{
		eventfd_t notified = 0;

		eventfd_read(v.notify_fd, &notified);
		printf("gunyah-vmm: UART interrupts raised through the irqfd: %llu; "
		       "notifications through the ioeventfd: %llu\n",
		       (unsigned long long)v.uart_irqs, (unsigned long long)notified);
	}

	for (int i = 0; i < v.nr_vcpus; i++)
		close(v.vcpu_fd[i]);
	close(v.vm);
	close(dev);
	return v.status == GUNYAH_VM_STATUS_EXITED ? 0 : 1;
}
