// SPDX-License-Identifier: BSD-3-Clause
/*
 * scaling.c - bench scenario 1: one node with n free extents,
 * n = 10^2 .. 10^6: the cost of an alloc/free pair (one page, bottom-up
 * from a random goal), of a reserve (one free page), of a reserve/free
 * pair (both timed), and the metadata each column holds per free extent.
 *
 * Why: the 2001 proposal claimed that extent trees make boot memory cost
 * grow with the number of fragments instead of the size of memory. The
 * layout is the same for every column (free and reserved pages
 * alternate), so the bitmap's span is the one that holds n extents: 2n
 * pages. Building n regions on the array one reserve at a time costs
 * O(n^2), about 3 minutes at 10^6 here. Every column, a peer included,
 * is driven through its struct bench_impl; a peer column (Linux's
 * memblock, which grows its arrays top-down inside the memory it
 * manages) also gets an arena above the layout (tools/bench/peer.c), so
 * that its layout is the same n free pages.
 */
#include "tools/bench/bench.h"

#include <string.h>

#include "tools/util.h"

#define PG 4096ull
#define SC_BASE GiB		/* the node starts at 1 GiB */

struct scaling {
	struct bench *b;
	struct bench_target t;
	uint64_t n;
};

/* A peer's arena: the first GiB boundary a GiB above the layout. */
static uint64_t scaling_arena_base(uint64_t n)
{
	uint64_t end = SC_BASE + (2 * n + 2 * n / 8 / PG + 3) * PG;

	return (end + 2 * GiB - 1) & ~(GiB - 1);
}

/*
 * n free pages alternating with n reserved ones, so every column sees n
 * free extents:
 *
 *   SC_BASE                                               + 2n pages
 *   | free | res | free | res | ... | free | res | bitmap, slack (taken) |
 */
static void scaling_build(struct scaling *c, int col)
{
	uint64_t n = c->n, extra = 2 * n / 8 / PG + 3, i;
	const struct bench_impl *im;
	struct bench_figures fig = { 0 };
	int r;

	bench_open(c->b, &c->t, col, 12, (size_t)(160 * n + 4 * MiB), 0,
		   "scaling");
	im = c->t.col->impl;
	bench_add(&c->t, 0, SC_BASE, (2 * n + extra) * PG, "scaling");
	if (!c->t.col->ops)	/* the largest array, the one it replaces */
		bench_add(&c->t, BENCH_ARENA_NID, scaling_arena_base(n),
			  (96 * n + 2 * MiB) & ~(PG - 1), "scaling");
	bench_finalize(&c->t, "scaling");
	for (i = 0; i < n; i++) {
		r = im->reserve(&c->t, SC_BASE + (2 * i + 1) * PG, PG);
		if (r)
			dc_die("bench", "scaling: reserve %llu: %s",
			       (unsigned long long)i, dc_strerror(r));
		if (!(i & 1023))
			dc_progress("bench: scaling n=%llu: %s building %llu%%",
				    (unsigned long long)n, c->t.col->name,
				    (unsigned long long)(100 * i / n));
	}
	/* the slack above, around the bitmap's own pages (metadata) */
	for (i = 2 * n; i < 2 * n + extra; i++)
		im->reserve(&c->t, SC_BASE + i * PG, PG);
	im->figures(&c->t, &fig);
	if (fig.free_extents != n)
		dc_die("bench", "scaling: %s has %llu free extents, not %llu",
		       c->t.col->name, (unsigned long long)fig.free_extents,
		       (unsigned long long)n);
}

/* k alloc/free pairs: one page, bottom-up from a random goal */
static uint64_t scaling_pair_batch(void *ctx, uint64_t k)
{
	struct scaling *c = ctx;
	const struct bench_impl *im = c->t.col->impl;
	struct dc_request q = { .size = PG, .align = PG, .nid = 0,
				.flags = DC_REQ_BOTTOM_UP | DC_REQ_EXACT_NODE };
	uint64_t t0 = dc_now_ns();
	uint64_t a;

	for (uint64_t i = 0; i < k; i++) {
		q.min_addr = SC_BASE + 2 * PG * bench_rnd(c->b, c->n);
		if (im->alloc(&c->t, &q, &a) || im->free(&c->t, a, PG))
			dc_die("bench", "scaling: alloc/free pair failed");
	}
	return dc_now_ns() - t0;
}

static double scaling_pairs(struct bench *b, int col, void *ctx)
{
	return bench_per_op_ns(b, scaling_pair_batch, ctx, 8, 1000000);
}

/* a step through 0 .. n-1 that visits distinct pages: a prime not
 * dividing n */
static uint64_t scaling_stride(uint64_t n)
{
	static const uint64_t primes[] = { 7919, 7907, 7901, 7883, 104729 };

	for (unsigned i = 0; i < sizeof(primes) / sizeof(primes[0]); i++)
		if (n % primes[i])
			return primes[i] % n ? primes[i] % n : 1;
	return 1;
}

/* k reserves of free pages, timed, then given back untimed */
static uint64_t scaling_reserve_batch(void *ctx, uint64_t k)
{
	struct scaling *c = ctx;
	const struct bench_impl *im = c->t.col->impl;
	uint64_t start = bench_rnd(c->b, c->n), step = scaling_stride(c->n);
	uint64_t t0, ns, i;
	int r;

	t0 = dc_now_ns();
	for (i = 0; i < k; i++) {
		r = im->reserve(&c->t, SC_BASE +
				2 * PG * ((start + i * step) % c->n), PG);
		if (r)
			dc_die("bench", "scaling: reserve: %s", dc_strerror(r));
	}
	ns = dc_now_ns() - t0;
	for (i = 0; i < k; i++)
		im->free(&c->t, SC_BASE + 2 * PG * ((start + i * step) % c->n),
			 PG);
	return ns;
}

/* k reserve/free pairs of free pages, both timed */
static uint64_t scaling_resfree_batch(void *ctx, uint64_t k)
{
	struct scaling *c = ctx;
	const struct bench_impl *im = c->t.col->impl;
	uint64_t start = bench_rnd(c->b, c->n), step = scaling_stride(c->n);
	uint64_t t0 = dc_now_ns(), a;

	for (uint64_t i = 0; i < k; i++) {
		a = SC_BASE + 2 * PG * ((start + i * step) % c->n);
		if (im->reserve(&c->t, a, PG) || im->free(&c->t, a, PG))
			dc_die("bench", "scaling: reserve/free pair failed");
	}
	return dc_now_ns() - t0;
}

static double scaling_resfrees(struct bench *b, int col, void *ctx)
{
	return bench_per_op_ns(b, scaling_resfree_batch, ctx, 8, 1000000);
}

/* Metadata per free extent: a backend's stolen and initial-pool bytes
 * less the node layer's share (as sn1's "backend metadata"), a peer's
 * own figure. Measured on the machine as built. */
static double scaling_meta(struct bench *b, int col, void *ctx)
{
	struct scaling *c = ctx;
	struct bench_figures fig = { 0 };

	c->t.col->impl->figures(&c->t, &fig);
	return (double)(fig.metadata + fig.pool_used - fig.node_share) /
	       (double)c->n;
}

/* ns per reserve of one free page (at most n/4 of them per batch) */
static double scaling_reserves(struct bench *b, int col, void *ctx)
{
	struct scaling *c = ctx;

	return bench_per_op_ns(b, scaling_reserve_batch, ctx, 4,
			       c->n / 4 > 4 ? c->n / 4 : 4);
}

static void scaling_run(struct bench *b)
{
	static const uint64_t full[] = { 100, 1000, 10000, 100000, 1000000 };
	static const uint64_t quick[] = { 100, 1000, 10000 };
	const uint64_t *ns = b->o.quick ? quick : full;
	unsigned count = b->o.quick ? 3 : 5;
	struct scaling c = { .b = b };

	if (b->o.n) {
		if (b->o.n < 4)
			dc_die("--n", "scaling: at least 4");
		ns = &b->o.n;
		count = 1;
	}
	bench_section(b, "1. scaling: one node, n free extents, 4 KiB pages");
	for (unsigned i = 0; i < count; i++) {
		if (b->o.max_n && ns[i] > b->o.max_n)
			continue;
		struct bench_row *rp = bench_row_new(b, "scaling", "alloc+free",
						     "ns/op", ns[i], "n=%llu",
						     (unsigned long long)ns[i]);
		struct bench_row *rr = bench_row_new(b, "scaling", "reserve",
						     "ns/op", ns[i], "n=%llu",
						     (unsigned long long)ns[i]);

		struct bench_row *rf = bench_row_new(b, "scaling",
						     "reserve+free", "ns/op",
						     ns[i], "n=%llu",
						     (unsigned long long)ns[i]);
		struct bench_row *rm = bench_row_new(b, "scaling",
						     "metadata/extent", "B",
						     ns[i], "n=%llu",
						     (unsigned long long)ns[i]);

		for (unsigned col = 0; col < b->ncols; col++) {
			c.n = ns[i];
			b->rng = 0x5ca1ab1e + ns[i];
			scaling_build(&c, (int)col);
			bench_measure(b, rm, (int)col, scaling_meta, &c);
			bench_measure(b, rp, (int)col, scaling_pairs, &c);
			bench_measure(b, rr, (int)col, scaling_reserves, &c);
			bench_measure(b, rf, (int)col, scaling_resfrees, &c);
			bench_close(&c.t);
		}
		bench_emit(b, rp);
		bench_emit(b, rr);
		bench_emit(b, rf);
		bench_emit(b, rm);
	}
}

const struct bench_scenario bench_scaling = {
	"scaling", "one node with n free extents, n = 10^2 .. 10^6: ns per "
	"alloc/free pair, per reserve and per reserve/free pair, metadata "
	"bytes per free extent (--n: that n only)", scaling_run,
};
