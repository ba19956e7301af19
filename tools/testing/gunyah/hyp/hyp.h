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

#include "compiler.h"

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define IS_ALIGNED(x, a)	(((x) & ((a) - 1)) == 0)
#define PAGE_SIZE		4096UL

static inline u64 align_up(u64 x, u64 a)
{
	return (x + a - 1) & ~(a - 1);
}

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
	/*
	 * The Bao-style channel (core/bao_ipc.c): a carve-out the host
	 * maps (size 0: no channel), channel bao_id's region at its start.
	 */
	u64 bao_base;
	u64 bao_size;
	u32 bao_id;
	u32 bao_host_virq;
	u64 bao_chan_size;
};

/* Layout known to switch.S: keep the first fields where they are. */
struct vcpu_ctx;
struct hyp_cpu {
	u64 host_entry;			/* 0 */
	u64 host_ctx;			/* 8 */
	u32 index;			/* 16 */
	u32 gic_ready;			/* 20: hypervisor PPI configured */
	struct vcpu_ctx *guest_ctx;	/* 24: vCPU running here */
	u64 el2_regs[12];		/* 32: x19-x30 around guest_enter */
	u64 el2_sp;			/* 128 */
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
	do {								\
		u64 __w = (u64)(v);					\
		asm volatile("msr " #r ", %x0" : : "rZ"(__w));		\
	} while (0)

static inline void isb(void)
{
	asm volatile("isb" : : : "memory");
}

static inline void dsb_ish(void)
{
	asm volatile("dsb ish" : : : "memory");
}

static inline void dsb_nsh(void)
{
	asm volatile("dsb nsh" : : : "memory");
}

static inline u32 mmio_read32(u64 addr)
{
	u32 v;

	asm volatile("ldr %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline void mmio_write32(u64 addr, u32 v)
{
	asm volatile("str %w0, [%1]" : : "rZ"(v), "r"(addr) : "memory");
}

#endif
