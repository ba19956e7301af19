/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Bare-metal test guest: symbols shared between entry.S and the C code.
 */
#ifndef GUEST_H
#define GUEST_H

#include <stdint.h>

typedef uint32_t u32;
typedef uint64_t u64;

extern char stack_top[];
void secondary_entry(void);
void secondary_loop_entry(void);
void secondary_off_entry(void);
void secondary_loop(void);
void guest_main(void);
void secondary_main(void);
void sync_handler(void);
void irq_handler(void);

static inline u64 smccc_call(u64 fn, u64 a1, u64 a2, u64 a3)
{
	register u64 x0 asm("x0") = fn;
	register u64 x1 asm("x1") = a1;
	register u64 x2 asm("x2") = a2;
	register u64 x3 asm("x3") = a3;

	asm volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
	return x0;
}

#endif
