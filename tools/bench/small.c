// SPDX-License-Identifier: BSD-3-Clause
/*
 * small.c - bench scenario 2: a small machine, a PC with 8 to 64 regions
 * (memory fragments plus reservations): the per-op cost of boot-like
 * allocations and reserves. Where the tree must not lose to the arrays
 * memblock uses: few regions, short scans. Every column, a peer
 * included, is driven through its struct bench_impl.
 */
#include "tools/bench/bench.h"

#include "tools/util.h"

#define PG 4096ull

struct small {
	struct bench *b;
	struct bench_target t;
	unsigned regions;
};

/*
 * A PC with 8 GiB: three e820 RAM ranges, split further by 1 MiB holes
 * (every 8 regions one more), and reservations (kernel image, initrd,
 * firmware tables) up to the number of regions, memory plus reserved.
 */
static void small_build(struct small *c, int col)
{
	unsigned holes = (c->regions - 8) / 8, nres, k;
	const struct bench_impl *im;
	uint64_t hi = 4 * GiB;
	int r;

	bench_open(c->b, &c->t, col, 12, 4 * MiB, DC_CFG_TOP_DOWN, "small");
	im = c->t.col->impl;
	bench_add(&c->t, 0, 0x1000, 0x9e000, "small");
	bench_add(&c->t, 0, MiB, 0xbff00000 - MiB, "small");
	bench_add(&c->t, 0, hi, 5 * GiB, "small");
	for (k = 0; k < holes; k++)
		im->remove(&c->t, hi + (k + 1) * (5 * GiB / (holes + 1)), MiB);
	nres = c->regions - 3 - holes;
	r = im->reserve(&c->t, 16 * MiB, 32 * MiB);		/* kernel */
	if (!r && nres > 1)
		r = im->reserve(&c->t, 0x37000000, 64 * MiB);	/* initrd */
	for (k = 2; !r && k < nres; k++)	/* tables, spread out */
		r = im->reserve(&c->t, 2 * GiB + (k - 2) * (GiB / nres),
				PG << (k % 8));
	if (r)
		dc_die("bench", "small: reserve: %s", dc_strerror(r));
	bench_finalize(&c->t, "small");
}

/* k alloc/free pairs of boot-like sizes, on node 0 or any node */
static uint64_t small_pair_batch(void *ctx, uint64_t k)
{
	static const dc_size_t sizes[] = { 64, 512, 4096, 32768, 256 * KiB,
					   2 * MiB };
	struct small *c = ctx;
	const struct bench_impl *im = c->t.col->impl;
	struct dc_request q = { 0 };
	uint64_t t0 = dc_now_ns();
	uint64_t a;

	for (uint64_t n = 0; n < k; n++) {
		unsigned i = (unsigned)bench_rnd(c->b, 6);

		q.size = sizes[i];
		q.align = i == 5 ? 2 * MiB : i >= 2 ? PG : 0;
		q.nid = bench_rnd(c->b, 2) ? 0 : DC_NO_NODE;
		if (im->alloc(&c->t, &q, &a) || im->free(&c->t, a, q.size))
			dc_die("bench", "small: alloc/free pair failed");
	}
	return dc_now_ns() - t0;
}

static double small_pairs(struct bench *b, int col, void *ctx)
{
	return bench_per_op_ns(b, small_pair_batch, ctx, 16, 2000000);
}

/* k reserves of one page in [1 GiB, 1.5 GiB), free of reservations */
static uint64_t small_reserve_batch(void *ctx, uint64_t k)
{
	struct small *c = ctx;
	const struct bench_impl *im = c->t.col->impl;
	uint64_t t0 = dc_now_ns(), ns, i;

	for (i = 0; i < k; i++)
		if (im->reserve(&c->t, GiB + i * 64 * KiB, PG))
			dc_die("bench", "small: reserve failed");
	ns = dc_now_ns() - t0;
	for (i = 0; i < k; i++)
		im->free(&c->t, GiB + i * 64 * KiB, PG);
	return ns;
}

static double small_reserves(struct bench *b, int col, void *ctx)
{
	return bench_per_op_ns(b, small_reserve_batch, ctx, 8, 8192);
}

/* k reserve/free pairs of one page, both timed */
static uint64_t small_resfree_batch(void *ctx, uint64_t k)
{
	struct small *c = ctx;
	const struct bench_impl *im = c->t.col->impl;
	uint64_t t0 = dc_now_ns(), a;

	for (uint64_t i = 0; i < k; i++) {
		a = GiB + (i % 8192) * 64 * KiB;
		if (im->reserve(&c->t, a, PG) || im->free(&c->t, a, PG))
			dc_die("bench", "small: reserve/free pair failed");
	}
	return dc_now_ns() - t0;
}

static double small_resfrees(struct bench *b, int col, void *ctx)
{
	return bench_per_op_ns(b, small_resfree_batch, ctx, 16, 2000000);
}

static void small_run(struct bench *b)
{
	static const unsigned full[] = { 8, 16, 32, 64 };
	unsigned one = (unsigned)b->o.n;
	const unsigned *rs = full;
	unsigned count = 4;
	struct small c = { .b = b };

	if (b->o.n) {
		if (b->o.n < 8 || b->o.n > 4096)
			dc_die("--n", "small: the number of regions, 8 .. 4096");
		rs = &one;
		count = 1;
	}
	bench_section(b, "2. small machine: a PC, 8 GiB, regions = memory + reserved");
	for (unsigned i = 0; i < count; i++) {
		struct bench_row *rp = bench_row_new(b, "small", "alloc+free",
						     "ns/op", rs[i],
						     "regions=%u", rs[i]);
		struct bench_row *rr = bench_row_new(b, "small", "reserve",
						     "ns/op", rs[i],
						     "regions=%u", rs[i]);

		struct bench_row *rf = bench_row_new(b, "small",
						     "reserve+free", "ns/op",
						     rs[i], "regions=%u",
						     rs[i]);

		for (unsigned col = 0; col < b->ncols; col++) {
			c.regions = rs[i];
			b->rng = 0x5a11 + rs[i];
			small_build(&c, (int)col);
			bench_measure(b, rp, (int)col, small_pairs, &c);
			bench_measure(b, rr, (int)col, small_reserves, &c);
			bench_measure(b, rf, (int)col, small_resfrees, &c);
			bench_close(&c.t);
		}
		bench_emit(b, rp);
		bench_emit(b, rr);
		bench_emit(b, rf);
	}
}

const struct bench_scenario bench_small = {
	"small", "a PC with 8 .. 64 regions (--n: that many regions)",
	small_run,
};
