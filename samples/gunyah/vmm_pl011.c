// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sample Gunyah VMM: a PL011 UART for the guest's console.
 *
 * Enough of the PL011 for Linux's amba-pl011 driver and for bare-metal
 * guests: data, flags, the line/baud/control registers (kept, unused), the
 * interrupt mask, raw and masked status and clear registers, and the
 * PrimeCell identification registers the AMBA bus reads.  Transmitted
 * characters go to standard output at once, so the transmit FIFO is
 * always empty and its interrupt (TX) is raised after every write.
 * Characters from standard input fill a 16-entry receive FIFO; while it
 * holds any, the receive and receive-timeout interrupts (RX, RT) are
 * raised.  Input is held back until the guest, with one of those
 * unmasked, has seen the FIFO empty: a driver drains the FIFO before it
 * listens (Linux's does, after unmasking), and what arrived by then would
 * be lost.  The UART's line reaches the guest through a level irqfd: it is
 * signalled whenever an unmasked interrupt is raised.
 *
 * When standard input is a terminal it is put in raw mode, and restored
 * on every way out (exit, a fatal signal).  Ctrl-a x quits the VMM,
 * Ctrl-a Ctrl-a sends a Ctrl-a.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <termios.h>
#include <unistd.h>

#include "vmm.h"

#define UART_DR		0x000
#define UART_FR		0x018
#define UART_IBRD	0x024
#define UART_FBRD	0x028
#define UART_LCRH	0x02c
#define UART_CR		0x030
#define UART_IFLS	0x034
#define UART_IMSC	0x038
#define UART_RIS	0x03c
#define UART_MIS	0x040
#define UART_ICR	0x044
#define UART_ID		0xfe0		/* PeriphID0-3, PCellID0-3 */

#define UART_FR_RXFE	0x10
#define UART_FR_RXFF	0x40
#define UART_FR_TXFE	0x80
#define UART_INT_RX	0x10
#define UART_INT_TX	0x20
#define UART_INT_RT	0x40
#define UART_INT_ALL	0x7ff

#define RX_FIFO		16
#define ESCAPE_CHAR	0x01		/* Ctrl-a */

/* PL011 r1p5, then the PrimeCell identification. */
static const __u8 uart_id[8] = { 0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

struct vmm_uart {
	__u32 imsc, ris;
	__u32 regs[(UART_IFLS - UART_IBRD) / 4 + 1];	/* IBRD to IFLS */
	__u8 rx[RX_FIFO];
	unsigned int rx_head, rx_count;
	pthread_cond_t rx_room;		/* room in the FIFO, or the guest listens */
	bool rx_ready;			/* the guest listens: unmasked RX, saw the FIFO empty */
	int irqfd;
	__u64 irqs;
};

static struct vmm_uart uart;
static struct termios saved_termios;
static bool termios_saved;

/* Raise the line while an unmasked interrupt is pending; under v->lock. */
static void uart_update_irq(struct vmm_uart *u)
{
	if (u->ris & u->imsc) {
		eventfd_write(u->irqfd, 1);
		u->irqs++;
	}
}

static __u32 uart_read_dr(struct vmm_uart *u)
{
	__u32 c;

	if (!u->rx_count)
		return 0;
	c = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % RX_FIFO;
	if (!--u->rx_count)
		u->ris &= ~(UART_INT_RX | UART_INT_RT);
	pthread_cond_signal(&u->rx_room);
	return c;
}

static void uart_write_dr(struct vmm_uart *u, __u32 val)
{
	putchar(val & 0xff);
	/* Prompts end without a newline: nothing waits in the buffer. */
	fflush(stdout);
	/* The character is gone at once: the TX FIFO is empty again. */
	u->ris |= UART_INT_TX;
	uart_update_irq(u);
}

/**
 * vmm_uart_access() - one guest access to the UART's registers
 * @v: the VMM
 * @off: offset in the UART's page
 * @write: a write of @val, else a read
 * @val: the value written
 *
 * Return: the value read (0 for writes and unknown registers).
 */
__u32 vmm_uart_access(struct vmm *v, __u64 off, bool write, __u32 val)
{
	struct vmm_uart *u = v->uart;
	__u32 r = 0;

	pthread_mutex_lock(&v->lock);
	switch (off) {
	case UART_DR:
		if (write)
			uart_write_dr(u, val);
		else
			r = uart_read_dr(u);
		break;
	case UART_FR:
		if (!u->rx_count && (u->imsc & (UART_INT_RX | UART_INT_RT)) && !u->rx_ready) {
			u->rx_ready = true;
			pthread_cond_signal(&u->rx_room);
		}
		r = UART_FR_TXFE;
		r |= u->rx_count ? 0 : UART_FR_RXFE;
		r |= u->rx_count == RX_FIFO ? UART_FR_RXFF : 0;
		break;
	case UART_IBRD ... UART_IFLS:
		if (off % 4)
			break;
		if (write)
			u->regs[(off - UART_IBRD) / 4] = val;
		r = u->regs[(off - UART_IBRD) / 4];
		break;
	case UART_IMSC:
		if (write) {
			u->imsc = val & UART_INT_ALL;
			uart_update_irq(u);
		}
		r = u->imsc;
		break;
	case UART_RIS:
		r = u->ris;
		break;
	case UART_MIS:
		r = u->ris & u->imsc;
		break;
	case UART_ICR:
		/* RX and RT stay raised while the FIFO holds characters. */
		if (write)
			u->ris &= ~(val & ~(u->rx_count ? UART_INT_RX | UART_INT_RT : 0));
		break;
	case UART_ID ... UART_ID + 0x1c:
		if (!(off % 4))
			r = uart_id[(off - UART_ID) / 4];
		break;
	}
	pthread_mutex_unlock(&v->lock);
	return r;
}

/* Queue one received character, waiting for a listening guest and room in the FIFO. */
static void uart_receive(struct vmm *v, __u8 c)
{
	struct vmm_uart *u = v->uart;

	pthread_mutex_lock(&v->lock);
	while (u->rx_count == RX_FIFO || !u->rx_ready)
		pthread_cond_wait(&u->rx_room, &v->lock);
	u->rx[(u->rx_head + u->rx_count++) % RX_FIFO] = c;
	u->ris |= UART_INT_RX | UART_INT_RT;
	uart_update_irq(u);
	pthread_mutex_unlock(&v->lock);
}

static void *uart_input(void *p)
{
	struct vmm *v = p;
	bool escape = false;
	__u8 c;

	for (;;) {
		ssize_t n = read(STDIN_FILENO, &c, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return NULL;	/* end of input: the guest just gets no more */
		if (escape) {
			escape = false;
			if (c == 'x') {
				pthread_mutex_lock(&v->lock);
				fflush(stdout);
				fprintf(stderr, "\r\ngunyah-vmm: quit (Ctrl-a x)\r\n");
				exit(0);
			}
			if (c != ESCAPE_CHAR)
				uart_receive(v, ESCAPE_CHAR);
		} else if (c == ESCAPE_CHAR) {
			escape = true;
			continue;
		}
		uart_receive(v, c);
	}
}

/** vmm_console_restore() - give the terminal its settings back, if they were changed */
void vmm_console_restore(void)
{
	if (termios_saved)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_termios);
}

static void fatal_signal(int sig)
{
	vmm_console_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

/**
 * vmm_uart_init() - the UART in its reset state, its interrupt's eventfd made
 * @v: the VMM
 */
void vmm_uart_init(struct vmm *v)
{
	v->uart = &uart;
	pthread_cond_init(&uart.rx_room, NULL);
	uart.irqfd = eventfd(0, EFD_CLOEXEC);
	if (uart.irqfd < 0)
		vmm_die("eventfd");
}

/** vmm_uart_irqfd() - the eventfd that raises the UART's interrupt in the guest */
int vmm_uart_irqfd(struct vmm *v)
{
	return v->uart->irqfd;
}

/** vmm_uart_irq_raised() - whether the UART raises an unmasked interrupt now */
bool vmm_uart_irq_raised(struct vmm *v)
{
	bool raised;

	pthread_mutex_lock(&v->lock);
	raised = v->uart->ris & v->uart->imsc;
	pthread_mutex_unlock(&v->lock);
	return raised;
}

/** vmm_uart_irqs() - how many times the UART's interrupt was raised */
__u64 vmm_uart_irqs(struct vmm *v)
{
	__u64 n;

	pthread_mutex_lock(&v->lock);
	n = v->uart->irqs;
	pthread_mutex_unlock(&v->lock);
	return n;
}

/**
 * vmm_uart_start_input() - feed standard input to the UART from now on
 * @v: the VMM
 *
 * A terminal is put in raw mode (the guest does the echo and the line
 * editing) and restored on exit and on fatal signals.
 */
void vmm_uart_start_input(struct vmm *v)
{
	static const int sigs[] = { SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGSEGV, SIGABRT };
	pthread_t thread;

	if (isatty(STDIN_FILENO) && !tcgetattr(STDIN_FILENO, &saved_termios)) {
		struct termios raw = saved_termios;

		for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
			signal(sigs[i], fatal_signal);
		termios_saved = true;
		atexit(vmm_console_restore);
		cfmakeraw(&raw);
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw);
	}
	if (pthread_create(&thread, NULL, uart_input, v))
		vmm_die("the console input thread");
	pthread_detach(thread);
}
