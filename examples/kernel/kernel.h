/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * kernel.h - what the files of the example kernel share.
 *
 * The kernel is 32-bit (i386, no PAE): it runs with paging on and an
 * identity map of low memory, [0, LOWMEM_END), its direct map. Physical
 * addresses stay 64-bit (dc_addr_t): memory above the direct map, and
 * above 4 GiB, is registered with its node like any other, and the
 * access limit keeps the allocator from ever asking to map it.
 *
 * No libgcc: 64-bit division goes through div64_32() (Linux's do_div()),
 * 64-bit multiplication and shifts are inline on i386.
 */
#ifndef KERNEL_H
#define KERNEL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <discontig/discontig.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE (1u << PAGE_SHIFT)
#define KiB (1ull << 10)
#define MiB (1ull << 20)
#define GiB (1ull << 30)

/* The direct map: i386 Linux's lowmem with the 3G/1G split (896 MiB).
 * The command line's lowmem= may lower it (a multiple of 4 MiB). */
#define LOWMEM_END_DEFAULT (896u << 20)

#define MAX_CPUS 64
#define MAX_FW 64		/* firmware memory map entries */

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- arch.c: i386 ---------------------------------------------------- */

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* Divide *n by d in place, return the remainder (Linux's do_div). */
static inline uint32_t div64_32(uint64_t *n, uint32_t d)
{
	uint32_t hi = (uint32_t)(*n >> 32), lo = (uint32_t)*n;
	uint32_t qhi = hi / d, r = hi % d, qlo;

	__asm__("divl %2" : "=a"(qlo), "=d"(r) : "rm"(d), "a"(lo), "d"(r));
	*n = (uint64_t)qhi << 32 | qlo;
	return r;
}

/* A pointer to a fixed low address (BIOS data), hidden from gcc's
 * -Warray-bounds, which takes small constants for NULL plus offset. */
static inline const void *low_ptr(uintptr_t pa)
{
	const void *p;

	__asm__("" : "=r"(p) : "0"(pa));
	return p;
}

/* The EBDA's base, from the BIOS data area word at 0x40e; 0 if absurd. */
static inline uint32_t bios_ebda(void)
{
	uint32_t e = (uint32_t)*(const uint16_t *)low_ptr(0x40e) << 4;

	return e >= 0x80000 && e < 0xa0000 ? e : 0;
}

/* Registers as boot.S's trap_common leaves them. */
struct trap_frame {
	uint32_t edi, esi, ebp, esp, ebx, edx, ecx, eax;
	uint32_t vector, error, eip, cs, eflags;
};

void arch_init_traps(void);
void arch_map_lowmem(uint32_t end);
uint32_t arch_tsc_khz(void);		/* calibrate */
uint32_t arch_tsc_khz_cached(void);
uint64_t tsc_to_us(uint64_t cycles);
_Noreturn void arch_exit(bool pass);
void trap(struct trap_frame *f);

/* ---- console.c: the serial port -------------------------------------- */

void con_init(void);
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);
const char *sz(uint64_t bytes);	/* "256 MiB", "1.5 GiB", "639 KiB" */

/* ---- lib.c ------------------------------------------------------------ */

void *memset(void *s, int c, size_t n);
void *memcpy(void *restrict d, const void *restrict s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
const char *cmdline_arg(const char *cmdline, const char *key);
uint64_t parse_u64(const char *s);

struct rng { uint64_t s; };
uint64_t rng_next(struct rng *r);
uint64_t rng_below(struct rng *r, uint64_t n);	/* uniform in [0, n) */

/* ---- check bookkeeping (main.c) -------------------------------------- */

extern unsigned failures;
void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define CHECK(cond, ...) ((cond) ? (void)0 : fail(__VA_ARGS__))

#endif /* KERNEL_H */
