// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gunyah test hypervisor: the few C library routines the compiler may call.
 */
#include "hyp.h"

void *memset(void *s, int c, size_t n)
{
	u8 *p = s;

	while (n--)
		*p++ = (u8)c;
	return s;
}

void *memcpy(void *d, const void *s, size_t n)
{
	u8 *dp = d;
	const u8 *sp = s;

	while (n--)
		*dp++ = *sp++;
	return d;
}
