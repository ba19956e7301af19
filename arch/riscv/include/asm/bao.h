/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Bao hypervisor calls, RISC-V: SBI calls to Bao's vendor extension.
 */
#ifndef _ASM_RISCV_BAO_H
#define _ASM_RISCV_BAO_H

#include <asm/sbi.h>

/* Bao's SBI extension and its shared-memory channel notification. */
#define BAO_SBI_EXT_ID		0x08000ba0
#define BAO_IPCSHMEM_NOTIFY	1

/**
 * bao_ipcshmem_hypercall() - notify the peer VM of a shared-memory channel
 * @id: the channel id (the DT node's "id")
 *
 * Return: the SBI error of the call: 0 on success, a negative SBI error
 * (e.g. SBI_ERR_NOT_SUPPORTED for an unknown channel) otherwise.
 */
static inline long bao_ipcshmem_hypercall(unsigned long id)
{
	struct sbiret ret = sbi_ecall(BAO_SBI_EXT_ID, BAO_IPCSHMEM_NOTIFY, id, 0, 0, 0, 0, 0);

	return ret.error;
}

#endif
