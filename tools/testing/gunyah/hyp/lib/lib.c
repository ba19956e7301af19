// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gunyah test hypervisor: the few C library routines the compiler may call.
 *
 * The hypervisor scrubs and copies whole guest parcels (hundreds of MiB for
 * a Linux guest) while the calling CPU waits: both routines move eight
 * bytes at a time where alignment allows, and memset() clears whole
 * cache blocks with DC ZVA when it writes zeroes.
 */
#include "hyp.h"

/* Bytes DC ZVA clears, or 0 if it is prohibited. */
static size_t zva_block(void)
{
	u64 dczid = read_sysreg(dczid_el0);

	return dczid & BIT(4) ? 0 : 4UL << (dczid & 0xf);
}

void *memset(void *s, int c, size_t n)
{
	u8 *p = s;
	u64 word = 0x0101010101010101ULL * (u8)c;
	size_t zva = c ? 0 : zva_block();

	while (n && ((uintptr_t)p & 7)) {
		*p++ = (u8)c;
		n--;
	}
	if (zva) {
		while (n >= 8 && ((uintptr_t)p & (zva - 1))) {
			*(u64 *)p = 0;
			p += 8;
			n -= 8;
		}
		for (; n >= zva; p += zva, n -= zva)
			asm volatile("dc zva, %0" : : "r"(p) : "memory");
	}
	for (; n >= 8; p += 8, n -= 8)
		*(u64 *)p = word;
	while (n--)
		*p++ = (u8)c;
	return s;
}

void *memcpy(void *d, const void *s, size_t n)
{
	u8 *dp = d;
	const u8 *sp = s;

	if (!(((uintptr_t)dp ^ (uintptr_t)sp) & 7)) {
		while (n && ((uintptr_t)dp & 7)) {
			*dp++ = *sp++;
			n--;
		}
		for (; n >= 8; dp += 8, sp += 8, n -= 8)
			*(u64 *)dp = *(const u64 *)sp;
	}
	while (n--)
		*dp++ = *sp++;
	return d;
}
