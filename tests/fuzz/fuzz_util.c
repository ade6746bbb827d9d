// SPDX-License-Identifier: BSD-3-Clause
/*
 * fuzz_util.c - input reading, range lists and chunked parsing for the
 * fuzz targets (fuzz.h).
 */
#include "fuzz.h"
#include "tools/sim/lines.h"	/* struct dc_parse_error; nothing to link */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned fz_u8(struct fz_in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

unsigned fz_u16(struct fz_in *in)
{
	unsigned lo = fz_u8(in);

	return lo | fz_u8(in) << 8;
}

uint32_t fz_u32(struct fz_in *in)
{
	uint32_t lo = fz_u16(in);

	return lo | (uint32_t)fz_u16(in) << 16;
}

uint64_t fz_u64(struct fz_in *in)
{
	uint64_t lo = fz_u32(in);

	return lo | (uint64_t)fz_u32(in) << 32;
}

void fz_push(struct fz_ranges *r, dc_addr_t b, dc_addr_t l, int nid)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 32;
		r->v = realloc(r->v, r->cap * sizeof(*r->v));
		if (!r->v)
			fz_fail(__FILE__, __LINE__, "out of memory");
	}
	r->v[r->n++] = (struct fz_range){ b, l, nid };
}

static int cmp_range(const void *a, const void *b)
{
	const struct fz_range *x = a, *y = b;

	return (x->b > y->b) - (x->b < y->b);
}

void fz_sort(struct fz_ranges *r)
{
	if (r->n > 1)
		qsort(r->v, r->n, sizeof(*r->v), cmp_range);
}

void fz_merge(struct fz_ranges *r)
{
	size_t i, k = 0;

	fz_sort(r);
	for (i = 0; i < r->n; i++) {
		if (k && (r->v[i].b <= r->v[k - 1].l ||
			  r->v[i].b - r->v[k - 1].l == 1)) {
			if (r->v[i].l > r->v[k - 1].l)
				r->v[k - 1].l = r->v[i].l;
			continue;
		}
		r->v[k] = r->v[i];
		r->v[k++].nid = 0;
	}
	r->n = k;
}

dc_size_t fz_bytes(const struct fz_ranges *r)
{
	dc_size_t s = 0;

	for (size_t i = 0; i < r->n; i++)
		s += r->v[i].l - r->v[i].b + 1;
	return s;
}

bool fz_covers(const struct fz_ranges *r, dc_addr_t b, dc_addr_t l)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].b <= b && l <= r->v[i].l)
			return true;
	return false;
}

bool fz_equal(const struct fz_ranges *a, const struct fz_ranges *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (a->v[i].b != b->v[i].b || a->v[i].l != b->v[i].l)
			return false;
	return true;
}

void fz_minus(const struct fz_ranges *a, const struct fz_ranges *b,
	      struct fz_ranges *out)
{
	size_t j = 0;

	for (size_t i = 0; i < a->n; i++) {
		dc_addr_t lo = a->v[i].b, hi = a->v[i].l;
		bool done = false;

		while (j < b->n && b->v[j].l < lo)
			j++;
		for (size_t k = j; k < b->n && b->v[k].b <= hi && !done;
		     k++) {
			if (b->v[k].b > lo)
				fz_push(out, lo, b->v[k].b - 1, 0);
			if (b->v[k].l >= hi)
				done = true;
			else
				lo = b->v[k].l + 1;
		}
		if (!done)
			fz_push(out, lo, hi, 0);
	}
}

static int walk_one(void *ctx, int nid, dc_addr_t base, dc_size_t size)
{
	fz_push(ctx, base, base + (size - 1), nid);
	return 0;
}

void fz_walk(const struct dc_system *sys, enum dc_walk_kind kind,
	     struct fz_ranges *out)
{
	dc_walk(sys, DC_NO_NODE, kind, walk_one, out);
}

void fz_free(struct fz_ranges *r)
{
	free(r->v);
	memset(r, 0, sizeof(*r));
}

int fz_feed_chunked(fz_feed_fn feed, void *parser, const char *buf,
		    size_t len, size_t modulus, struct dc_parse_error *err)
{
	size_t chunk = 1 + len % modulus;

	for (size_t off = 0; off < len; off += chunk) {
		size_t n = len - off < chunk ? len - off : chunk;

		if (feed(parser, buf + off, n, err))
			return -1;
	}
	return 0;
}

int fz_same_outcome(int whole, const struct dc_parse_error *ew, int chunked,
		    const struct dc_parse_error *ec)
{
	FZ_CHECK(whole == chunked, "whole %d, chunked %d (%s / %s)", whole,
		 chunked, ew->msg, ec->msg);
	FZ_CHECK(!whole || (ew->line == ec->line && !strcmp(ew->msg, ec->msg)),
		 "errors differ: %lu %s / %lu %s", ew->line, ew->msg,
		 ec->line, ec->msg);
	return whole;
}

void fz_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}
