// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gunyah test hypervisor: stage-2 translation table management.
 *
 * Mappings use the largest block that fits (1 GiB at level 1, 2 MiB at
 * level 2, 4 KiB pages at level 3).  A map or unmap that covers part of a
 * block splits it first; a table left empty by an unmap is freed.
 */
#include "pgtable.h"

#define DESC_VALID		1ULL
#define DESC_TABLE		3ULL	/* table at levels 0-2, page at level 3 */
#define DESC_TYPE_MASK		3ULL
#define ENTRIES			512
#define LAST_LEVEL		3

static inline unsigned int level_shift(int level)
{
	return 12 + 9 * (LAST_LEVEL - level);
}

static inline bool is_table(uint64_t desc, int level)
{
	return level < LAST_LEVEL && (desc & DESC_TYPE_MASK) == DESC_TABLE;
}

static uint64_t *table_of(const struct pgtable *pgt, uint64_t desc)
{
	return pgt->ops->phys_to_virt(pgt->ops->ctx, desc & S2_OA_MASK);
}

static uint64_t leaf_desc(uint64_t pa, uint64_t attr, int level)
{
	return (pa & S2_OA_MASK) | (attr & S2_ATTR_MASK & ~DESC_TYPE_MASK) |
	       (level == LAST_LEVEL ? DESC_TABLE : DESC_VALID);
}

static bool table_empty(const uint64_t *t)
{
	for (int i = 0; i < ENTRIES; i++)
		if (t[i] & DESC_VALID)
			return false;
	return true;
}

static void free_tree(struct pgtable *pgt, uint64_t *table, int level)
{
	for (int i = 0; i < ENTRIES; i++)
		if (is_table(table[i], level))
			free_tree(pgt, table_of(pgt, table[i]), level + 1);
	pgt->ops->free_table(pgt->ops->ctx, table);
}

/*
 * Make entry @desc at @level point to a next-level table, splitting a block
 * into equivalent smaller mappings if needed.
 */
static uint64_t *descend(struct pgtable *pgt, uint64_t *desc, int level)
{
	uint64_t *t, old = *desc;
	uint64_t step = 1ULL << level_shift(level + 1);

	if (is_table(old, level))
		return table_of(pgt, old);

	t = pgt->ops->alloc_table(pgt->ops->ctx);
	if (!t)
		return NULL;
	if (old & DESC_VALID) {
		uint64_t pa = old & S2_OA_MASK;

		for (int i = 0; i < ENTRIES; i++)
			t[i] = leaf_desc(pa + i * step, old, level + 1);
	}
	*desc = pgt->ops->virt_to_phys(pgt->ops->ctx, t) | DESC_TABLE;
	return t;
}

/*
 * If @t (a table at @level) maps one contiguous, block-aligned range with
 * the same attributes, return the block descriptor that can replace it.
 */
static uint64_t table_as_block(const uint64_t *t, int level)
{
	uint64_t step = 1ULL << level_shift(level), first = t[0];
	uint64_t pa = first & S2_OA_MASK;

	if (!(first & DESC_VALID) || is_table(first, level) ||
	    (pa & ((step << 9) - 1)))
		return 0;
	for (int i = 1; i < ENTRIES; i++)
		if (t[i] != (first + i * step))
			return 0;
	return leaf_desc(pa, first, level - 1);
}

static int map_level(struct pgtable *pgt, uint64_t *table, int level, uint64_t ipa,
		     uint64_t pa, uint64_t size, uint64_t attr)
{
	unsigned int shift = level_shift(level);
	uint64_t blk = 1ULL << shift;

	while (size) {
		uint64_t *desc = &table[(ipa >> shift) & (ENTRIES - 1)];
		uint64_t chunk = ((ipa & ~(blk - 1)) + blk) - ipa;
		int ret;

		if (chunk > size)
			chunk = size;
		if (chunk == blk && !(pa & (blk - 1)) && level >= S2_START_LEVEL) {
			if (is_table(*desc, level))
				free_tree(pgt, table_of(pgt, *desc), level + 1);
			*desc = leaf_desc(pa, attr, level);
		} else {
			uint64_t *next = descend(pgt, desc, level);

			if (!next)
				return PGTABLE_ENOMEM;
			ret = map_level(pgt, next, level + 1, ipa, pa, chunk, attr);
			if (ret)
				return ret;
			/* Merge a table that became one block again. */
			if (level >= S2_START_LEVEL) {
				uint64_t block = table_as_block(next, level + 1);

				if (block) {
					*desc = block;
					pgt->ops->free_table(pgt->ops->ctx, next);
					pgt->merges++;
				}
			}
		}
		ipa += chunk;
		pa += chunk;
		size -= chunk;
	}
	return 0;
}

static int unmap_level(struct pgtable *pgt, uint64_t *table, int level, uint64_t ipa,
		       uint64_t size)
{
	unsigned int shift = level_shift(level);
	uint64_t blk = 1ULL << shift;

	while (size) {
		uint64_t *desc = &table[(ipa >> shift) & (ENTRIES - 1)];
		uint64_t chunk = ((ipa & ~(blk - 1)) + blk) - ipa;

		if (chunk > size)
			chunk = size;
		if (!(*desc & DESC_VALID)) {
			/* nothing mapped here */
		} else if (chunk == blk) {
			if (is_table(*desc, level))
				free_tree(pgt, table_of(pgt, *desc), level + 1);
			*desc = 0;
		} else {
			uint64_t *next = descend(pgt, desc, level);
			int ret;

			if (!next)
				return PGTABLE_ENOMEM;
			ret = unmap_level(pgt, next, level + 1, ipa, chunk);
			if (ret)
				return ret;
			if (table_empty(next)) {
				*desc = 0;
				pgt->ops->free_table(pgt->ops->ctx, next);
			}
		}
		ipa += chunk;
		size -= chunk;
	}
	return 0;
}

static bool range_ok(uint64_t ipa, uint64_t size)
{
	return !(ipa & 0xfff) && !(size & 0xfff) && size &&
	       ipa + size > ipa && ipa + size <= (1ULL << S2_IPA_BITS);
}

int pgtable_init(struct pgtable *pgt, const struct pgtable_ops *ops)
{
	pgt->ops = ops;
	pgt->merges = 0;
	pgt->root = ops->alloc_table(ops->ctx);
	return pgt->root ? 0 : PGTABLE_ENOMEM;
}

void pgtable_destroy(struct pgtable *pgt)
{
	if (pgt->root)
		free_tree(pgt, pgt->root, S2_START_LEVEL);
	pgt->root = NULL;
}

int pgtable_map(struct pgtable *pgt, uint64_t ipa, uint64_t pa, uint64_t size, uint64_t attr)
{
	if (!range_ok(ipa, size) || (pa & 0xfff) || (pa + size) > S2_OA_MASK + 1)
		return PGTABLE_EINVAL;
	return map_level(pgt, pgt->root, S2_START_LEVEL, ipa, pa, size, attr);
}

int pgtable_unmap(struct pgtable *pgt, uint64_t ipa, uint64_t size)
{
	if (!range_ok(ipa, size))
		return PGTABLE_EINVAL;
	return unmap_level(pgt, pgt->root, S2_START_LEVEL, ipa, size);
}

bool pgtable_lookup(const struct pgtable *pgt, uint64_t ipa, uint64_t *pa, uint64_t *attr)
{
	const uint64_t *table = pgt->root;

	if (ipa >= (1ULL << S2_IPA_BITS))
		return false;
	for (int level = S2_START_LEVEL; level <= LAST_LEVEL; level++) {
		unsigned int shift = level_shift(level);
		uint64_t desc = table[(ipa >> shift) & (ENTRIES - 1)];

		if (!(desc & DESC_VALID))
			return false;
		if (!is_table(desc, level)) {
			if (pa)
				*pa = (desc & S2_OA_MASK & ~((1ULL << shift) - 1)) |
				      (ipa & ((1ULL << shift) - 1));
			if (attr)
				*attr = desc & S2_ATTR_MASK & ~DESC_TYPE_MASK;
			return true;
		}
		table = table_of(pgt, desc);
	}
	return false;
}

static void count_level(const struct pgtable *pgt, const uint64_t *table, int level,
			struct pgtable_counts *c)
{
	for (int i = 0; i < ENTRIES; i++) {
		uint64_t desc = table[i];

		if (!(desc & DESC_VALID))
			continue;
		if (is_table(desc, level)) {
			c->tables++;
			count_level(pgt, table_of(pgt, desc), level + 1, c);
		} else if (level == 1) {
			c->blocks_1g++;
		} else if (level == 2) {
			c->blocks_2m++;
		} else {
			c->pages++;
		}
	}
}

void pgtable_count(const struct pgtable *pgt, struct pgtable_counts *c)
{
	*c = (struct pgtable_counts){ 0 };
	if (pgt->root)
		count_level(pgt, pgt->root, S2_START_LEVEL, c);
}
