/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Differences between the kernel versions the out-of-tree build supports
 * (6.1 and later).  Nothing else in the stack tests LINUX_VERSION_CODE.
 */
#ifndef _GUNYAH_COMPAT_H
#define _GUNYAH_COMPAT_H

#include <linux/platform_device.h>
#include <linux/version.h>

/*
 * platform_driver.remove returns void from 6.11 on (.remove_new from 6.3
 * to 6.10, an int before).  Define the remove function as returning void
 * and declare it with GUNYAH_PLATFORM_REMOVE(fn) after
 * DEFINE_GUNYAH_PLATFORM_REMOVE(fn).
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
#define DEFINE_GUNYAH_PLATFORM_REMOVE(fn)
#define GUNYAH_PLATFORM_REMOVE(fn)	.remove = (fn)
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
#define DEFINE_GUNYAH_PLATFORM_REMOVE(fn)
#define GUNYAH_PLATFORM_REMOVE(fn)	.remove_new = (fn)
#else
#define DEFINE_GUNYAH_PLATFORM_REMOVE(fn)					\
	static int fn##_compat(struct platform_device *pdev)		\
	{								\
		fn(pdev);						\
		return 0;						\
	}
#define GUNYAH_PLATFORM_REMOVE(fn)	.remove = fn##_compat
#endif

#endif
