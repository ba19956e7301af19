/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The few differences between the kernels the drivers build for (6.1 and
 * later), in one place.  The out-of-tree Kbuild detects them in the
 * kernel's headers; in-tree, the current API is used.
 */
#ifndef _GUNYAH_COMPAT_H
#define _GUNYAH_COMPAT_H

#include <linux/eventfd.h>

/* Before 6.8 eventfd_signal() took the count to add. */
#ifdef GUNYAH_EVENTFD_SIGNAL_COUNT
#define gunyah_eventfd_signal(ctx)	eventfd_signal(ctx, 1)
#else
#define gunyah_eventfd_signal(ctx)	eventfd_signal(ctx)
#endif

#endif
