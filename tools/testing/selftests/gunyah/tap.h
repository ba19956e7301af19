/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Minimal TAP output for the Gunyah selftests.
 */
#ifndef GUNYAH_SELFTEST_TAP_H
#define GUNYAH_SELFTEST_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

static unsigned int tap_count, tap_failed;

static inline void tap_begin(void)
{
	printf("TAP version 13\n");
	fflush(stdout);
}

__attribute__((format(printf, 2, 3)))
static inline bool tap_check(bool cond, const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	if (!cond)
		tap_failed++;
	printf("%s %u - ", cond ? "ok" : "not ok", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return cond;
}

__attribute__((format(printf, 1, 2)))
static inline void tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static inline int tap_finish(void)
{
	printf("1..%u\n", tap_count);
	printf("%u passed, %u failed\n", tap_count - tap_failed, tap_failed);
	return tap_failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
