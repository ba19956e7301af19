// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sample guest: greets through the VMM's emulated PL011 UART, brings its
 * other vCPUs up with PSCI CPU_ON (each says hello too) and powers the VM
 * off with PSCI SYSTEM_OFF.
 */
#include "hello.h"

#define UART_DR			0x09000000UL
#define PSCI_CPU_ON		0xc4000003UL
#define PSCI_CPU_OFF		0x84000002UL
#define PSCI_AFFINITY_INFO	0xc4000004UL
#define PSCI_SYSTEM_OFF		0x84000008UL
#define MAX_VCPUS		8

static void putc_uart(char c)
{
	asm volatile("strb %w0, [%1]" : : "r"(c), "r"(UART_DR) : "memory");
}

static void puts_uart(const char *s)
{
	while (*s)
		putc_uart(*s++);
}

static void put_dec(u64 v)
{
	char buf[20];
	int n = 0;

	do {
		buf[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	while (n)
		putc_uart(buf[--n]);
}

static u64 mpidr(void)
{
	u64 v;

	asm volatile("mrs %0, mpidr_el1" : "=r"(v));
	return v & 0xff;
}

void secondary_main(void)
{
	puts_uart("Hello from vCPU ");
	put_dec(mpidr());
	puts_uart("\n");
	smccc_call(PSCI_CPU_OFF, 0, 0, 0);
}

void hello_main(void)
{
	unsigned int up = 1;

	puts_uart("Hello from a Gunyah guest! (vCPU 0)\n");
	for (u64 cpu = 1; cpu < MAX_VCPUS; cpu++) {
		u64 stack = (u64)stack_top + 0x1000 * (cpu + 1);

		if (smccc_call(PSCI_CPU_ON, cpu, (u64)secondary_entry, stack))
			break;		/* no such vCPU */
		/* One greeting at a time: wait for the vCPU to turn itself off. */
		while (smccc_call(PSCI_AFFINITY_INFO, cpu, 0, 0) == 0)
			;
		up++;
	}
	puts_uart("All ");
	put_dec(up);
	puts_uart(" vCPU(s) said hello; powering off.\n");
	smccc_call(PSCI_SYSTEM_OFF, 0, 0, 0);
}
