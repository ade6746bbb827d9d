/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * range.h - overflow-safe range arithmetic on inclusive last bytes.
 *
 * A range is (base, last) with last the inclusive last byte, so that a range
 * ending at 2^64 is representable (DESIGN.md, "Words"). Every helper that
 * could overflow says so in its return value; none truncates. A fit of
 * size bytes at a inside [b, l] is tested as "l >= a && l - a >= size - 1",
 * which cannot overflow (FreeBSD vmem_fit()).
 */
#ifndef DC_CORE_RANGE_H
#define DC_CORE_RANGE_H

#include <discontig/discontig.h>

#define DC_ADDR_MAX DC_U64_MAX

static inline bool dc_is_pow2(dc_size_t x)
{
	return x && !(x & (x - 1));
}

/* (base, size) -> last: DC_EINVAL for size 0, DC_ERANGE past 2^64 - 1. */
static inline int dc_range_last(dc_addr_t base, dc_size_t size,
				dc_addr_t *last)
{
	if (!size)
		return DC_EINVAL;
	if (size - 1 > DC_ADDR_MAX - base)
		return DC_ERANGE;
	*last = base + (size - 1);
	return DC_OK;
}

/* Round a up to a multiple of align (a power of two); false on overflow. */
static inline bool dc_align_up(dc_addr_t a, dc_size_t align, dc_addr_t *out)
{
	dc_addr_t r = a & ~(align - 1);

	if (r == a) {
		*out = a;
		return true;
	}
	if (r > DC_ADDR_MAX - align)
		return false;
	*out = r + align;
	return true;
}

static inline dc_addr_t dc_align_down(dc_addr_t a, dc_size_t align)
{
	return a & ~(align - 1);
}

static inline bool dc_ranges_overlap(dc_addr_t b1, dc_addr_t l1,
				     dc_addr_t b2, dc_addr_t l2)
{
	return b1 <= l2 && b2 <= l1;
}

/*
 * Lowest a in [b, l] with a % align == 0 and [a, a + size - 1] inside
 * [b, l]. False when none exists.
 */
static inline bool dc_fit_low(dc_addr_t b, dc_addr_t l, dc_size_t size,
			      dc_size_t align, dc_addr_t *out)
{
	dc_addr_t a;

	if (!dc_align_up(b, align, &a) || a > l || l - a < size - 1)
		return false;
	*out = a;
	return true;
}

/* Highest such a. False when none exists. */
static inline bool dc_fit_high(dc_addr_t b, dc_addr_t l, dc_size_t size,
			       dc_size_t align, dc_addr_t *out)
{
	dc_addr_t a;

	if (l < b || l - b < size - 1)
		return false;
	a = dc_align_down(l - (size - 1), align);
	if (a < b)
		return false;
	*out = a;
	return true;
}

#endif /* DC_CORE_RANGE_H */
