// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gunyah test hypervisor: console output on the platform PL011, shared
 * with the host.  Every line is prefixed so that the harness can tell the
 * hypervisor's messages from the host's.
 */
#include <stdarg.h>

#include "hyp.h"
#include "spinlock.h"

#define UART_DR		0x00
#define UART_FR		0x18
#define UART_FR_TXFF	BIT(5)

static struct spinlock console_lock;

void console_putc(char c)
{
	while (mmio_read32(PLAT_UART_BASE + UART_FR) & UART_FR_TXFF)
		;
	mmio_write32(PLAT_UART_BASE + UART_DR, (u32)c);
}

static void put_num(u64 v, unsigned int base, int width, char pad, bool neg)
{
	char buf[24];
	int n = 0;

	do {
		buf[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg)
		buf[n++] = '-';
	while (n < width--)
		console_putc(pad);
	while (n)
		console_putc(buf[--n]);
}

static void vprint(const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		int width = 0, lng = 0;
		char pad = ' ';
		u64 v;

		if (*fmt != '%') {
			if (*fmt == '\n')
				console_putc('\r');
			console_putc(*fmt);
			continue;
		}
		fmt++;
		if (*fmt == '0')
			pad = '0';
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l') {
			lng++;
			fmt++;
		}
		switch (*fmt) {
		case 'd': {
			s64 s = lng ? va_arg(ap, s64) : va_arg(ap, int);

			put_num(s < 0 ? -(u64)s : (u64)s, 10, width, pad, s < 0);
			break;
		}
		case 'u':
		case 'x':
			v = lng ? va_arg(ap, u64) : va_arg(ap, unsigned int);
			put_num(v, *fmt == 'u' ? 10 : 16, width, pad, false);
			break;
		case 'p':
			console_putc('0');
			console_putc('x');
			put_num((u64)va_arg(ap, void *), 16, width, pad, false);
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);

			while (*s)
				console_putc(*s++);
			break;
		}
		case 'c':
			console_putc((char)va_arg(ap, int));
			break;
		case '%':
			console_putc('%');
			break;
		default:
			console_putc('?');
			break;
		}
	}
}

int printf(const char *fmt, ...)
{
	va_list ap;

	spin_lock(&console_lock);
	va_start(ap, fmt);
	vprint("gunyah-hyp: ", ap);
	vprint(fmt, ap);
	va_end(ap);
	spin_unlock(&console_lock);
	return 0;
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint("gunyah-hyp: PANIC: ", ap);
	vprint(fmt, ap);
	va_end(ap);
	for (;;)
		asm volatile("wfe");
}
