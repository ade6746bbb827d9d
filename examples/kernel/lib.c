// SPDX-License-Identifier: BSD-3-Clause
/*
 * lib.c - the kernel's own C library: the three memory functions the
 * allocator links against (DESIGN.md, "Freestanding rule"), a few string
 * helpers for the command line, and the test's random numbers.
 *
 * memset and memcpy move 32-bit words where they can: under TCG every
 * store is emulated, and the buddy test fills most of low memory.
 */
#include "kernel.h"

void *memset(void *s, int c, size_t n)
{
	uint8_t *p = s;
	uint32_t w = (uint8_t)c * 0x01010101u;
	size_t words;

	for (; n && ((uintptr_t)p & 3); n--)
		*p++ = (uint8_t)c;
	words = n >> 2;
	__asm__ volatile("rep stosl" : "+D"(p), "+c"(words) : "a"(w)
			 : "memory");
	for (n &= 3; n; n--)
		*p++ = (uint8_t)c;
	return s;
}

void *memcpy(void *restrict d, const void *restrict s, size_t n)
{
	uint8_t *dp = d;
	const uint8_t *sp = s;
	size_t words = n >> 2;

	__asm__ volatile("rep movsl" : "+D"(dp), "+S"(sp), "+c"(words)
			 : : "memory");
	for (n &= 3; n; n--)
		*dp++ = *sp++;
	return d;
}

void *memmove(void *d, const void *s, size_t n)
{
	uint8_t *dp = d;
	const uint8_t *sp = s;

	if (dp <= sp || dp >= sp + n)
		return memcpy(d, s, n);
	while (n--)
		dp[n] = sp[n];
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *p = a, *q = b;

	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p < *q ? -1 : 1;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* The value of "key=value" in a space-separated command line, or NULL. */
const char *cmdline_arg(const char *cmdline, const char *key)
{
	size_t k = strlen(key);
	const char *p = cmdline;

	while (p && *p) {
		while (*p == ' ')
			p++;
		if (!memcmp(p, key, k) && p[k] == '=')
			return p + k + 1;
		while (*p && *p != ' ')
			p++;
	}
	return NULL;
}

/* A decimal or 0x number with an optional K, M or G suffix. */
uint64_t parse_u64(const char *s)
{
	uint64_t v = 0;
	unsigned base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, s += 2;
	for (;; s++) {
		unsigned d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && (*s | 32) >= 'a' && (*s | 32) <= 'f')
			d = (unsigned)((*s | 32) - 'a' + 10);
		else
			break;
		v = v * base + d;
	}
	switch (*s) {
	case 'G': v <<= 10; /* fall through */
	case 'M': v <<= 10; /* fall through */
	case 'K': v <<= 10;
	}
	return v;
}

/* xorshift64*: small, good enough, and replayable from the printed seed. */
uint64_t rng_next(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dull;
}

/* Uniform in [0, n), n > 0, by rejection: no 64-bit division. */
uint64_t rng_below(struct rng *r, uint64_t n)
{
	unsigned bits = 64 - (unsigned)__builtin_clzll(n);
	uint64_t v;

	if (n == 1)
		return 0;
	do
		v = rng_next(r) >> (64 - bits);
	while (v >= n);
	return v;
}
