// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sample Gunyah VMM: where the image, the initrd and the device tree go.
 *
 * An arm64 Linux Image (Documentation/arch/arm64/booting.rst) is placed
 * text_offset bytes above the 2 MiB aligned start of guest memory, with
 * image_size bytes (its BSS included) kept free for it; the initrd follows
 * on the next 2 MiB boundary and the device tree region on the next page.
 * All three stay in the first IMAGE_MAX bytes: the Resource Manager gets
 * them in one parcel, the rest of memory is paged in as the guest touches it.
 *
 * Anything without the Image header is a raw bare-metal image: loaded at
 * the start of guest memory, with the device tree at the top of it.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm.h"

#define ARM64_IMAGE_MAGIC	0x644d5241	/* "ARM\x64" */
#define PAGE_SIZE		4096ULL

/* The arm64 Image header: the first 64 bytes of the kernel, little-endian. */
struct arm64_image_header {
	__u32 code0, code1;
	__u64 text_offset;
	__u64 image_size;
	__u64 flags;
	__u64 res2, res3, res4;
	__u32 magic;
	__u32 res5;
};

static __u64 align_up(__u64 x, __u64 a)
{
	return (x + a - 1) & ~(a - 1);
}

/* Read all of @path into guest memory at @gpa, at most @room bytes; returns its size. */
static size_t load_file(struct vmm *v, const char *path, __u64 gpa, __u64 room)
{
	struct stat st;
	size_t done = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st))
		vmm_die(path);
	if ((__u64)st.st_size > room) {
		fprintf(stderr, "gunyah-vmm: %s: %lld bytes do not fit in the %llu bytes left\n",
			path, (long long)st.st_size, (unsigned long long)room);
		exit(1);
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, guest_ptr(v, gpa) + done, st.st_size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			vmm_die(path);
		done += n;
	}
	close(fd);
	return done;
}

static bool read_image_header(const char *path, struct arm64_image_header *h)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool ok;

	if (fd < 0)
		vmm_die(path);
	ok = read(fd, h, sizeof(*h)) == sizeof(*h) && le32toh(h->magic) == ARM64_IMAGE_MAGIC;
	close(fd);
	return ok;
}

/**
 * vmm_is_linux_image() - whether @path starts with the arm64 Image header
 * @path: the image
 */
bool vmm_is_linux_image(const char *path)
{
	struct arm64_image_header h;

	return read_image_header(path, &h);
}

/**
 * vmm_load() - load the image (and the initrd) into guest memory
 * @v: the VMM, its memory mapped
 * @image: a Linux Image or a raw image
 * @initrd: an initrd for Linux, or NULL
 *
 * Fills @v->layout; exits on what does not fit.
 */
void vmm_load(struct vmm *v, const char *image, const char *initrd)
{
	struct vmm_layout *l = &v->layout;
	__u64 end = GUEST_BASE + v->mem_size, image_end, size;
	struct arm64_image_header h;

	if (v->mem_size < IMAGE_MAX)
		image_end = end;
	else
		image_end = GUEST_BASE + IMAGE_MAX;
	memset(l, 0, sizeof(*l));
	if (!read_image_header(image, &h)) {
		if (initrd) {
			fprintf(stderr, "gunyah-vmm: %s has no arm64 Image header: no initrd\n",
				image);
			exit(2);
		}
		l->entry = GUEST_BASE;
		l->dtb = end - DTB_SIZE;
		size = load_file(v, image, GUEST_BASE, l->dtb - GUEST_BASE);
		l->kernel_end = GUEST_BASE + size;
		return;
	}

	l->is_linux = true;
	/* Kernels before 3.17 leave image_size 0 and expect text_offset 0x80000. */
	if (!le64toh(h.image_size))
		h.text_offset = htole64(0x80000);
	l->entry = GUEST_BASE + le64toh(h.text_offset);
	size = load_file(v, image, l->entry, image_end - l->entry);
	l->kernel_end = l->entry + (h.image_size ? le64toh(h.image_size) : size);
	l->dtb = align_up(l->kernel_end, PAGE_SIZE);
	if (initrd) {
		l->initrd_start = align_up(l->kernel_end, SZ_2M);
		if (l->initrd_start > image_end)
			l->initrd_start = image_end;
		size = load_file(v, initrd, l->initrd_start, image_end - l->initrd_start);
		l->initrd_end = l->initrd_start + size;
		l->dtb = align_up(l->initrd_end, PAGE_SIZE);
	}
	if (l->dtb + DTB_SIZE > image_end) {
		fprintf(stderr, "gunyah-vmm: kernel, initrd and device tree need %llu MiB, ",
			(unsigned long long)(l->dtb + DTB_SIZE - GUEST_BASE) >> 20);
		fprintf(stderr, "more than the %llu MiB of the image\n",
			(unsigned long long)(image_end - GUEST_BASE) >> 20);
		exit(1);
	}
}
