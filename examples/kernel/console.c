// SPDX-License-Identifier: BSD-3-Clause
/*
 * console.c - the serial report: COM1 (16550 at 0x3f8), a printf.
 *
 * QEMU's -serial stdio puts COM1 on the standard output of
 * scripts/kernel.sh, so this is the whole user interface of the kernel.
 * kprintf() knows what the report needs: %d %u %x with l/ll, %s %c %%,
 * a width, '-' and '0'. Sizes go through sz(), which rotates a few static
 * buffers so that one kprintf() can print several.
 */
#include "kernel.h"

#define COM1 0x3f8

void con_init(void)
{
	outb(COM1 + 1, 0x00);	/* no interrupts */
	outb(COM1 + 3, 0x80);	/* DLAB: divisor follows */
	outb(COM1 + 0, 0x01);	/* 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03);	/* 8N1 */
	outb(COM1 + 2, 0xc7);	/* FIFO on, cleared */
	outb(COM1 + 4, 0x03);	/* DTR, RTS */
}

static void con_putc(char c)
{
	if (c == '\n')
		con_putc('\r');
	while (!(inb(COM1 + 5) & 0x20))	/* transmit holding register empty */
		;
	outb(COM1, (uint8_t)c);
}

/* Digits of v in base (10 or 16) into the end of buf; returns the start. */
static char *fmt_u64(char *end, uint64_t v, unsigned base)
{
	static const char digits[] = "0123456789abcdef";

	*--end = 0;
	do
		*--end = digits[div64_32(&v, base)];
	while (v);
	return end;
}

static void put_field(const char *s, bool neg, int width, bool left,
		      bool zero)
{
	int len = (int)strlen(s) + neg;

	if (neg && zero)
		con_putc('-');
	for (; !left && len < width; width--)
		con_putc(zero ? '0' : ' ');
	if (neg && !zero)
		con_putc('-');
	while (*s)
		con_putc(*s++);
	for (; left && len < width; width--)
		con_putc(' ');
}

void kvprintf(const char *fmt, va_list ap)
{
	char buf[24];

	for (; *fmt; fmt++) {
		bool left = false, zero = false, neg = false;
		int width = 0, longs = 0;
		uint64_t v;

		if (*fmt != '%') {
			con_putc(*fmt);
			continue;
		}
		for (fmt++; *fmt == '-' || *fmt == '0'; fmt++)
			*fmt == '-' ? (left = true) : (zero = true);
		for (; *fmt >= '0' && *fmt <= '9'; fmt++)
			width = width * 10 + (*fmt - '0');
		for (; *fmt == 'l'; fmt++)
			longs++;
		switch (*fmt) {
		case 'd':
			if (longs >= 2) {
				int64_t x = va_arg(ap, long long);

				neg = x < 0, v = neg ? -(uint64_t)x : (uint64_t)x;
			} else {
				long x = longs ? va_arg(ap, long) : va_arg(ap, int);

				neg = x < 0, v = neg ? -(uint64_t)x : (uint64_t)x;
			}
			put_field(fmt_u64(buf + sizeof(buf), v, 10), neg, width,
				  left, zero);
			break;
		case 'u':
		case 'x':
			if (longs >= 2)
				v = va_arg(ap, unsigned long long);
			else
				v = longs ? va_arg(ap, unsigned long)
					  : va_arg(ap, unsigned);
			put_field(fmt_u64(buf + sizeof(buf), v,
					  *fmt == 'x' ? 16 : 10),
				  false, width, left, zero);
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);

			put_field(s ? s : "(null)", false, width, left, false);
			break;
		}
		case 'c':
			con_putc((char)va_arg(ap, int));
			break;
		case '%':
			con_putc('%');
			break;
		default:	/* unknown: show it, do not guess */
			con_putc('%');
			con_putc(*fmt);
			if (!*fmt)
				return;
		}
	}
}

void kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}

/*
 * A size for people, in the largest unit it reaches: exact when that unit
 * divides it ("639 KiB", "6 GiB"), else with one decimal, truncated
 * ("1.5 GiB"); bytes below 1 KiB. No division but by 10.
 */
const char *sz(uint64_t bytes)
{
	static char ring[8][16];
	static unsigned next;
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	char *out = ring[next++ % ARRAY_SIZE(ring)], tmp[24], *p, *q = out;
	unsigned u = 0;
	uint64_t whole, tenth;

	while (u + 1 < ARRAY_SIZE(unit) && bytes >> (10 * (u + 1)))
		u++;
	whole = bytes >> (10 * u);
	tenth = u ? ((bytes & ((1ull << (10 * u)) - 1)) * 10) >> (10 * u) : 0;
	for (p = fmt_u64(tmp + sizeof(tmp), whole, 10); *p;)
		*q++ = *p++;
	if (bytes & ((1ull << (10 * u)) - 1)) {
		*q++ = '.';
		*q++ = (char)('0' + tenth);
	}
	*q++ = ' ';
	for (p = (char *)unit[u]; *p;)
		*q++ = *p++;
	*q = 0;
	return out;
}
