/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Interfaces between the Gunyah hypervisor driver and the other drivers of
 * the stack.
 */
#ifndef _GUNYAH_CORE_H
#define _GUNYAH_CORE_H

#include <linux/gunyah.h>

bool gunyah_hypervisor_ready(void);
bool gunyah_api_has_feature(enum gunyah_api_feature feature);

#endif
