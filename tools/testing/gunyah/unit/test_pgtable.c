// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the test hypervisor's stage-2 table code, on the build
 * host: tables live in malloc'd pages and "physical" addresses are their
 * host addresses.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../selftests/gunyah/tap.h"
#include "../hyp/arch/pgtable.h"

#define GIB	BIT_ULL(30)
#define MIB	BIT_ULL(20)
#define KIB	BIT_ULL(10)

static long tables_live;
static long alloc_budget = -1;	/* < 0: unlimited */

static uint64_t *t_alloc(void *ctx)
{
	uint64_t *t;

	if (alloc_budget == 0)
		return NULL;
	if (alloc_budget > 0)
		alloc_budget--;
	t = aligned_alloc(4096, 4096);
	if (t) {
		memset(t, 0, 4096);
		tables_live++;
	}
	return t;
}

static void t_free(void *ctx, uint64_t *t)
{
	tables_live--;
	free(t);
}

static uint64_t t_v2p(void *ctx, uint64_t *t)
{
	return (uint64_t)(uintptr_t)t;
}

static uint64_t *t_p2v(void *ctx, uint64_t pa)
{
	return (uint64_t *)(uintptr_t)pa;
}

static const struct pgtable_ops ops = {
	.alloc_table = t_alloc,
	.free_table = t_free,
	.virt_to_phys = t_v2p,
	.phys_to_virt = t_p2v,
};

static bool maps_to(struct pgtable *pgt, uint64_t ipa, uint64_t pa, uint64_t attr)
{
	uint64_t got_pa, got_attr;

	return pgtable_lookup(pgt, ipa, &got_pa, &got_attr) && got_pa == pa && got_attr == attr;
}

static bool counts_are(const struct pgtable *pgt, uint64_t g, uint64_t m, uint64_t p, uint64_t t)
{
	struct pgtable_counts c;

	pgtable_count(pgt, &c);
	if (c.blocks_1g == g && c.blocks_2m == m && c.pages == p && c.tables == t)
		return true;
	tap_diag("counts: %llu 1G, %llu 2M, %llu 4K, %llu tables",
		 (unsigned long long)c.blocks_1g, (unsigned long long)c.blocks_2m,
		 (unsigned long long)c.pages, (unsigned long long)c.tables);
	return false;
}

/*
 * The host's shape: RAM from 16 MiB into a GiB (the hypervisor's hole
 * below it) up to 2 GiB past it; lending pages splits only their 2 MiB
 * block, and giving them back merges it again.
 */
static void test_counts_split_merge(void)
{
	uint64_t ram = GIB + 16 * MIB, end = 3 * GIB, lent = 2 * GIB + 4 * MIB;
	uint64_t merges;
	struct pgtable pgt;

	tap_check(pgtable_init(&pgt, &ops) == 0 && counts_are(&pgt, 0, 0, 0, 0),
		  "counts: an empty table maps nothing");
	tap_check(pgtable_map(&pgt, ram, ram, end - ram, S2_NORMAL_RWX) == 0 &&
		  counts_are(&pgt, 1, 504, 0, 1),
		  "counts: RAM after a 16 MiB hole is 504 2 MiB blocks and one 1 GiB block");
	tap_check(pgtable_unmap(&pgt, lent + 8 * KIB, 4 * KIB) == 0 &&
		  pgtable_unmap(&pgt, lent + 64 * KIB, 8 * KIB) == 0 &&
		  counts_are(&pgt, 0, 504 + 511, 509, 3),
		  "counts: lending 3 pages splits the 1 GiB block and one 2 MiB block only");
	merges = pgt.merges;
	tap_check(pgtable_map(&pgt, lent + 8 * KIB, lent + 8 * KIB, 4 * KIB, S2_NORMAL_RWX) == 0 &&
		  counts_are(&pgt, 0, 504 + 511, 510, 3) && pgt.merges == merges,
		  "counts: one page back, the block stays split");
	tap_check(pgtable_map(&pgt, lent + 64 * KIB, lent + 64 * KIB, 8 * KIB,
			      S2_NORMAL_RWX) == 0 && counts_are(&pgt, 1, 504, 0, 1) &&
		  pgt.merges == merges + 2,
		  "counts: the last pages back merge the 2 MiB and then the 1 GiB block (%llu)",
		  (unsigned long long)(pgt.merges - merges));
	tap_check(pgtable_unmap(&pgt, ram, 2 * MIB) == 0 && counts_are(&pgt, 1, 503, 0, 1),
		  "counts: unmapping a whole 2 MiB block needs no split");
	pgtable_destroy(&pgt);
	tap_check(tables_live == 0, "counts: destroy frees every table");
}

static void test_blocks_and_split(void)
{
	struct pgtable pgt;

	tap_check(pgtable_init(&pgt, &ops) == 0 && tables_live == 1, "init allocates one root");
	tap_check(pgtable_map(&pgt, GIB, 2 * GIB, GIB, S2_NORMAL_RWX) == 0, "map a 1 GiB block");
	tap_check(tables_live == 1, "1 GiB aligned mapping needs no subtable (%ld)", tables_live);
	tap_check(maps_to(&pgt, GIB + 0x1234, 2 * GIB + 0x1234, S2_NORMAL_RWX),
		  "lookup inside the block translates with offset");
	tap_check(!pgtable_lookup(&pgt, 0x1000, NULL, NULL), "outside the block is unmapped");

	tap_check(pgtable_unmap(&pgt, GIB + 5 * MIB + 8 * KIB, 4 * KIB) == 0,
		  "unmap one page inside the block");
	tap_check(tables_live == 3, "split made a level-2 and a level-3 table (%ld)", tables_live);
	tap_check(!pgtable_lookup(&pgt, GIB + 5 * MIB + 8 * KIB, NULL, NULL),
		  "the unmapped page is gone");
	tap_check(maps_to(&pgt, GIB + 5 * MIB + 4 * KIB, 2 * GIB + 5 * MIB + 4 * KIB,
			  S2_NORMAL_RWX) &&
		  maps_to(&pgt, GIB + 5 * MIB + 12 * KIB, 2 * GIB + 5 * MIB + 12 * KIB,
			  S2_NORMAL_RWX) &&
		  maps_to(&pgt, GIB + 700 * MIB, 2 * GIB + 700 * MIB, S2_NORMAL_RWX),
		  "neighbours keep their translation and attributes after the split");

	tap_check(pgtable_map(&pgt, GIB + 5 * MIB + 8 * KIB, 2 * GIB + 5 * MIB + 8 * KIB, 4 * KIB,
			      S2_NORMAL_RWX) == 0 && tables_live == 1 &&
		  maps_to(&pgt, GIB + 5 * MIB + 8 * KIB, 2 * GIB + 5 * MIB + 8 * KIB,
			  S2_NORMAL_RWX),
		  "mapping the hole back merges the tables into the block again (%ld)",
		  tables_live);
	tap_check(pgtable_unmap(&pgt, GIB + 5 * MIB + 8 * KIB, 4 * KIB) == 0 && tables_live == 3,
		  "split again");
	tap_check(pgtable_map(&pgt, GIB + 5 * MIB + 8 * KIB, 0x1000, 4 * KIB, S2_DEVICE_RW) == 0 &&
		  maps_to(&pgt, GIB + 5 * MIB + 8 * KIB, 0x1000, S2_DEVICE_RW),
		  "remap the hole with other attributes");
	tap_check(pgtable_map(&pgt, GIB, 2 * GIB, GIB, S2_NORMAL_RWX) == 0 && tables_live == 1,
		  "remapping the whole block frees the subtables (%ld)", tables_live);
	tap_check(pgtable_unmap(&pgt, 0, 4 * GIB) == 0 && tables_live == 1 &&
		  !pgtable_lookup(&pgt, GIB, NULL, NULL), "unmap everything");
	pgtable_destroy(&pgt);
	tap_check(tables_live == 0, "destroy frees every table");
}

static void test_bad_arguments(void)
{
	struct pgtable pgt;

	pgtable_init(&pgt, &ops);
	tap_check(pgtable_map(&pgt, 0x800, 0, 4096, S2_NORMAL_RWX) == PGTABLE_EINVAL,
		  "unaligned IPA rejected");
	tap_check(pgtable_map(&pgt, 0, 0x800, 4096, S2_NORMAL_RWX) == PGTABLE_EINVAL,
		  "unaligned PA rejected");
	tap_check(pgtable_map(&pgt, 0, 0, 0, S2_NORMAL_RWX) == PGTABLE_EINVAL, "size 0 rejected");
	tap_check(pgtable_map(&pgt, (1ULL << S2_IPA_BITS) - 4096, 0, 8192, S2_NORMAL_RWX) ==
		  PGTABLE_EINVAL, "mapping past the IPA space rejected");
	tap_check(pgtable_map(&pgt, ~0ULL & ~0xfffULL, 0, 8192, S2_NORMAL_RWX) == PGTABLE_EINVAL,
		  "wrapping range rejected");
	tap_check(pgtable_unmap(&pgt, 0, 0x1800) == PGTABLE_EINVAL,
		  "unaligned unmap size rejected");
	tap_check(!pgtable_lookup(&pgt, 1ULL << S2_IPA_BITS, NULL, NULL),
		  "lookup past the IPA space fails");

	alloc_budget = 1;
	tap_check(pgtable_map(&pgt, 0, 0, 4096, S2_NORMAL_RWX) == PGTABLE_ENOMEM,
		  "table allocation failure reported as ENOMEM");
	alloc_budget = -1;
	pgtable_destroy(&pgt);
	tap_check(tables_live == 0, "nothing leaked after a failed map (%ld)", tables_live);
}

/* Random map/unmap against a page-by-page reference model of 64 MiB. */
static void test_random_against_model(void)
{
	enum { PAGES = 16384 };
	static uint64_t model[PAGES];	/* 0: unmapped, else PA | 1 */
	const uint64_t base = 3 * GIB - 32 * MIB;	/* straddles a 1 GiB boundary */
	struct pgtable pgt;
	unsigned int seed = 12345, bad = 0;

	pgtable_init(&pgt, &ops);
	for (int op = 0; op < 4000; op++) {
		uint64_t first = rand_r(&seed) % PAGES;
		uint64_t n = 1 + rand_r(&seed) % (rand_r(&seed) % 4 ? 16 : 2048);
		bool map = rand_r(&seed) % 3;
		uint64_t pa = (uint64_t)(rand_r(&seed) % 1024) << 21;

		if (first + n > PAGES)
			n = PAGES - first;
		if (map) {
			/* Keep 2 MiB congruence sometimes so that blocks get used. */
			if (rand_r(&seed) % 2)
				pa += (first * 4096) & (2 * MIB - 1);
			if (pgtable_map(&pgt, base + first * 4096, pa, n * 4096, S2_NORMAL_RWX))
				bad++;
			for (uint64_t i = 0; i < n; i++)
				model[first + i] = (pa + i * 4096) | 1;
		} else {
			if (pgtable_unmap(&pgt, base + first * 4096, n * 4096))
				bad++;
			for (uint64_t i = 0; i < n; i++)
				model[first + i] = 0;
		}
	}
	tap_check(bad == 0, "4000 random operations succeed (%u failed)", bad);
	bad = 0;
	for (uint64_t i = 0; i < PAGES; i++) {
		uint64_t pa;
		bool mapped = pgtable_lookup(&pgt, base + i * 4096, &pa, NULL);

		if (mapped != !!model[i] || (mapped && pa != (model[i] & ~1ULL)))
			bad++;
	}
	tap_check(bad == 0, "every page matches the reference model (%u differ)", bad);
	pgtable_unmap(&pgt, base, PAGES * 4096ULL);
	tap_check(tables_live == 1, "unmapping everything frees all subtables (%ld)", tables_live);
	pgtable_destroy(&pgt);
}

int main(void)
{
	tap_begin();
	test_blocks_and_split();
	test_counts_split_merge();
	test_bad_arguments();
	test_random_against_model();
	return tap_finish();
}
