/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Minimal TAP output for the Gunyah selftests.
 */
#ifndef GUNYAH_SELFTEST_TAP_H
#define GUNYAH_SELFTEST_TAP_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static unsigned int tap_count, tap_failed, tap_skipped;

static inline void tap_begin(void)
{
	printf("TAP version 13\n");
	fflush(stdout);
}

static inline bool tap_line(bool cond)
{
	tap_count++;
	if (!cond)
		tap_failed++;
	printf("%s %u - ", cond ? "ok" : "not ok", tap_count);
	return cond;
}

/* Report one assertion; the description is a printf format. */
#define tap_check(cond, fmt, ...)						\
	({									\
		bool ok_ = tap_line(cond);					\
										\
		printf(fmt "\n", ##__VA_ARGS__);				\
		fflush(stdout);							\
		ok_;								\
	})

/* A TAP comment line. */
#define tap_diag(fmt, ...)							\
	do {									\
		printf("# " fmt "\n", ##__VA_ARGS__);				\
		fflush(stdout);							\
	} while (0)

/* A check that cannot run here, and why: neither passed nor failed. */
#define tap_skip(fmt, ...)							\
	do {									\
		tap_count++;							\
		tap_skipped++;							\
		printf("ok %u - # SKIP " fmt "\n", tap_count, ##__VA_ARGS__);	\
		fflush(stdout);							\
	} while (0)

static inline int tap_finish(void)
{
	printf("1..%u\n", tap_count);
	printf("%u passed, %u failed", tap_count - tap_failed - tap_skipped, tap_failed);
	if (tap_skipped)
		printf(", %u skipped", tap_skipped);
	printf("\n");
	return tap_failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
