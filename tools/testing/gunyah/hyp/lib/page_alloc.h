/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef HYP_PAGE_ALLOC_H
#define HYP_PAGE_ALLOC_H

#include "pgtable.h"

void page_alloc_init(void);
void *page_alloc(void);
void page_free(void *p);
unsigned long page_alloc_nr_free(void);

extern const struct pgtable_ops hyp_pgtable_ops;

#endif
