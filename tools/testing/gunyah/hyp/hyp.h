/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Gunyah test hypervisor: common definitions.
 */
#ifndef HYP_H
#define HYP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../platform.h"

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;

#define BIT(n)			(1UL << (n))
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a)		(((x) + (a) - 1) & ~((u64)(a) - 1))
#define IS_ALIGNED(x, a)	(((x) & ((u64)(a) - 1)) == 0)
#define PAGE_SIZE		4096UL
#define __noreturn		__attribute__((noreturn))
#define __aligned(x)		__attribute__((aligned(x)))
#define __printf(a, b)		__attribute__((format(printf, a, b)))

/* Registers saved on exception entry from a lower EL; see entry.S. */
struct trap_frame {
	u64 x[31];
	u64 pad;
};

/* Boot configuration written into memory by the harness (see run.sh). */
struct hyp_bootcfg {
	u32 magic;
	u32 rm_profile;
	u64 rm_tx_cap;
	u64 rm_rx_cap;
	u32 rm_tx_virq;
	u32 rm_rx_virq;
	u64 host_ram_end;
	u32 nr_cpus;
	u32 reserved;
};

struct hyp_cpu {
	u64 host_entry;
	u64 host_ctx;
	u32 index;
};

extern struct hyp_cpu hyp_cpus[PLAT_MAX_CPUS];
extern const struct hyp_bootcfg *bootcfg;

/* entry.S */
void __noreturn enter_host(u64 entry, u64 arg, u64 stack_top);
void secondary_entry(void);
u64 hyp_stack_top(u32 cpu);

/* console.c */
void console_putc(char c);
int printf(const char *fmt, ...) __printf(1, 2);
void __noreturn panic(const char *fmt, ...) __printf(1, 2);

/* lib.c */
void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

/* mmu.c */
void mmu_build_tables(void);
void mmu_enable(void);

/* smccc.c */
void smccc_handle(struct trap_frame *f, bool from_smc);

/* psci.c */
bool psci_handle(struct trap_frame *f);

/* traps.c */
void cpu_init_el2(void);

/* host_s2.c */
void host_stage2_init(void);
void host_stage2_fault(struct trap_frame *f, u64 esr, bool iabt);

static inline u32 this_cpu_index(void)
{
	u64 v;

	asm volatile("mrs %0, tpidr_el2" : "=r"(v));
	return ((struct hyp_cpu *)v)->index;
}

#define read_sysreg(r) ({						\
	u64 __v;							\
	asm volatile("mrs %0, " #r : "=r"(__v));			\
	__v;								\
})

#define write_sysreg(v, r)						\
	asm volatile("msr " #r ", %x0" : : "rZ"((u64)(v)))

#define isb()	asm volatile("isb" : : : "memory")
#define dsb(o)	asm volatile("dsb " #o : : : "memory")

#endif
