/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Gunyah test hypervisor: bit helpers for code built freestanding and on
 * the development host.  Attribute macros (__noreturn, __aligned,
 * __printf, ...) come from the kernel's own compiler_attributes.h, which
 * the Makefiles force-include.
 */
#ifndef HYP_COMPILER_H
#define HYP_COMPILER_H

#ifndef BIT
#define BIT(n)			(1UL << (n))
#endif
#ifndef BIT_ULL
#define BIT_ULL(n)		(1ULL << (n))
#endif

#endif
