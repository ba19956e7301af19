// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sample Gunyah VMM: what gunyah-vmm and kvm-vmm do alike before and
 * around their hypervisor's calls: the command line, the guest memory's
 * size, the images and device tree in that memory, and the MMIO exits
 * (the PL011; anything else reads as 0 and ignores writes).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm.h"

/**
 * vmm_parse_options() - the command line both VMMs take
 * @v: the VMM: its vCPU count, memory size and kernel command line are set
 * @o: set to the files and the memory mode asked for
 * @argc: argument count
 * @argv: arguments
 * @max_vcpus: the most vCPUs this VMM runs
 * @usage: prints the usage and exits; called on any error
 *
 * Memory is 16 MiB for a bare-metal image and 256 MiB for Linux unless -m
 * says otherwise.
 */
void vmm_parse_options(struct vmm *v, struct vmm_options *o, int argc, char **argv,
		       int max_vcpus, void (*usage)(void))
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "append", required_argument, NULL, 'a' },
		{ "share", no_argument, NULL, 's' },
		{ "lend", no_argument, NULL, 'l' },
		{ "mem", required_argument, NULL, 'm' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "dtb-out", required_argument, NULL, 'd' },
		{ }
	};
	unsigned long mem_mb = 0;
	int opt;

	*o = (struct vmm_options){ };
	v->nr_vcpus = 1;
	while ((opt = getopt_long(argc, argv, "k:i:a:slm:c:d:", opts, NULL)) != -1) {
		switch (opt) {
		case 'k':
			o->image = optarg;
			break;
		case 'i':
			o->initrd = optarg;
			break;
		case 'a':
			v->bootargs = optarg;
			break;
		case 's':
			o->share = true;
			break;
		case 'l':
			o->share = false;
			break;
		case 'm':
			mem_mb = strtoul(optarg, NULL, 0);
			break;
		case 'c':
			v->nr_vcpus = atoi(optarg);
			break;
		case 'd':
			o->dtb_out = optarg;
			break;
		default:
			usage();
		}
	}
	if (!o->image && optind == argc - 1)
		o->image = argv[optind++];
	if (!o->image || optind != argc || v->nr_vcpus < 1 || v->nr_vcpus > max_vcpus ||
	    (mem_mb && (mem_mb < 1 || mem_mb > (1UL << 20))))
		usage();
	v->mem_size = (mem_mb ? mem_mb : vmm_is_linux_image(o->image) ? 256 : 16) << 20;
}

/**
 * vmm_place_images() - the image, initrd and device tree in guest memory
 * @v: the VMM, its memory mapped at @v->mem
 * @o: its options; the device tree is also written to @o->dtb_out if set
 *
 * A Linux guest without --append gets "console=ttyAMA0 earlycon".
 */
void vmm_place_images(struct vmm *v, const struct vmm_options *o)
{
	size_t dtb_size;

	vmm_load(v, o->image, o->initrd);
	if (v->layout.is_linux && !v->bootargs)
		v->bootargs = "console=ttyAMA0 earlycon";
	dtb_size = vmm_build_dtb(v, guest_ptr(v, v->layout.dtb), DTB_SIZE);
	if (o->dtb_out) {
		FILE *f = fopen(o->dtb_out, "w");

		if (!f || fwrite(guest_ptr(v, v->layout.dtb), dtb_size, 1, f) != 1)
			vmm_die(o->dtb_out);
		fclose(f);
	}
}

/**
 * vmm_mmio() - one MMIO exit: the guest accessed @len bytes at @addr
 * @v: the VMM
 * @addr: guest physical address
 * @write: a write of the bytes at @data, else a read whose answer goes there
 * @data: the exit's data bytes (8 of them)
 * @len: the access size
 */
void vmm_mmio(struct vmm *v, __u64 addr, bool write, __u8 *data, __u32 len)
{
	__u32 val = 0;

	memcpy(&val, data, len < 4 ? len : 4);
	if (addr >= UART_BASE && addr < UART_BASE + 0x1000)
		val = vmm_uart_access(v, addr - UART_BASE, write, val);
	else
		val = 0;
	if (!write) {
		memset(data, 0, 8);
		memcpy(data, &val, sizeof(val));
	}
}
