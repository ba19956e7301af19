/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Gunyah test hypervisor: stage-2 translation tables (4 KiB granule,
 * 39-bit IPA, walk starting at level 1).  Pure logic, also built on the
 * development host for unit tests.
 */
#ifndef HYP_PGTABLE_H
#define HYP_PGTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compiler.h"

/* Error returns (negative, errno-like values). */
#define PGTABLE_EINVAL		(-22)
#define PGTABLE_ENOMEM		(-12)

#define S2_IPA_BITS		39
#define S2_START_LEVEL		1

/* Stage-2 descriptor attribute bits. */
#define S2_MEMATTR_DEVICE	(0x1ULL << 2)	/* Device-nGnRE */
#define S2_MEMATTR_NORMAL	(0xfULL << 2)	/* Normal, inner/outer WB */
#define S2_AP_R			BIT_ULL(6)
#define S2_AP_W			BIT_ULL(7)
#define S2_SH_INNER		(3ULL << 8)
#define S2_AF			BIT_ULL(10)
#define S2_XN			BIT_ULL(54)

#define S2_ATTR_MASK		(0xfffULL | (0x3ffULL << 52))
#define S2_OA_MASK		0x0000fffffffff000ULL

#define S2_NORMAL_RWX		(S2_MEMATTR_NORMAL | S2_AP_R | S2_AP_W | S2_SH_INNER | S2_AF)
#define S2_DEVICE_RW		(S2_MEMATTR_DEVICE | S2_AP_R | S2_AP_W | S2_AF | S2_XN)

struct pgtable_ops {
	/* Return a zeroed, page-aligned 4 KiB table, or NULL. */
	uint64_t *(*alloc_table)(void *ctx);
	void (*free_table)(void *ctx, uint64_t *table);
	/* Translate between a table's address and its physical address. */
	uint64_t (*virt_to_phys)(void *ctx, uint64_t *table);
	uint64_t *(*phys_to_virt)(void *ctx, uint64_t pa);
	void *ctx;
};

struct pgtable {
	uint64_t *root;
	const struct pgtable_ops *ops;
	/*
	 * Tables replaced by a block since init: the caller invalidates the
	 * TLB for the range when this moves (a walk may have cached them).
	 */
	uint64_t merges;
};

/* What a table maps: leaf entries by size, and tables below the root. */
struct pgtable_counts {
	uint64_t blocks_1g;
	uint64_t blocks_2m;
	uint64_t pages;
	uint64_t tables;
};

int pgtable_init(struct pgtable *pgt, const struct pgtable_ops *ops);
void pgtable_destroy(struct pgtable *pgt);
/* Map [ipa, ipa + size) to [pa, pa + size) with @attr; 4 KiB aligned. */
int pgtable_map(struct pgtable *pgt, uint64_t ipa, uint64_t pa, uint64_t size, uint64_t attr);
/* Unmap [ipa, ipa + size); unmapped holes are fine. */
int pgtable_unmap(struct pgtable *pgt, uint64_t ipa, uint64_t size);
/* Translate @ipa; returns false if it is not mapped. */
bool pgtable_lookup(const struct pgtable *pgt, uint64_t ipa, uint64_t *pa, uint64_t *attr);
/* Count @pgt's valid leaf entries by size and its tables below the root. */
void pgtable_count(const struct pgtable *pgt, struct pgtable_counts *c);

#endif
