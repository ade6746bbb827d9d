// SPDX-License-Identifier: BSD-3-Clause
/*
 * test_diff_bitmap.c - the bitmap backend against the tree backend.
 *
 * Two systems with the same page-aligned layout, one on each backend, get
 * the same random history of calls whose addresses, sizes and alignments
 * are whole pages: reserves, allocations in both directions with windows,
 * node preferences and fallback, frees of allocated blocks, double frees,
 * frees of free or partly free memory. On whole pages the bitmap's
 * documented differences (outward/inward rounding, packing) cannot show:
 * every size is a multiple of the page, so last_offset stays 0. So every
 * return code and every address must be equal, and so must the free
 * bytes and free extents; dc_check() runs on both after every step.
 *
 * The one difference left is metadata: the bitmap takes its bitmap pages
 * at dc_finalize. The tree system reserves the same pages right after its
 * own finalize (it has a pool large enough never to steal), and frees
 * that would touch them are not generated (the bitmap answers DC_EBUSY for
 * metadata, the tree would free its reservation).
 *
 * Each run does DC_DIFF_OPS calls (default 100000) with the system
 * default top-down, then bottom-up. The seed is printed; argv[1] (or
 * DC_SEED) replays it.
 */
#include <CUnit/Basic.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define P 0x1000ull
#define LO 0xf0000ull		/* random addresses lie in [LO, HI) */
#define HI 0x3d0000ull
#define MAXBLK 4096

static uint64_t seed0;

/*
 *   0x100000    0x180000    0x200000 0x220000      0x300000  0x340000
 *   | node 0     | node 1    | hole   | node 2       | node 0  | hole
 *   0x380000 0x3c0000
 *   | node 2  |
 */
static const struct {
	int nid;
	dc_addr_t base;
	dc_size_t size;
} layout[] = {
	{ 2, 0x380000, 0x40000 },
	{ 0, 0x100000, 0x80000 },
	{ 1, 0x180000, 0x80000 },
	{ 0, 0x300000, 0x40000 },
	{ 2, 0x220000, 0xe0000 },
};

struct blk {
	dc_addr_t b;
	dc_size_t s;
};

struct diff {
	struct dc_harness t, m;	/* tree, bitmap */
	struct blk meta[16];	/* the bitmap's metadata blocks */
	int nmeta;
	struct blk live[MAXBLK], dead[MAXBLK];
	int nlive, ndead;
	uint64_t rng;
	long op;
	bool failed;
	char what[160];
};

static int meta_collect(void *ctx, int nid, dc_addr_t b, dc_size_t s)
{
	struct diff *d = ctx;

	(void)nid;
	if (d->nmeta < 16)
		d->meta[d->nmeta++] = (struct blk){ b, s };
	return 0;
}

static bool touches_meta(const struct diff *d, dc_addr_t b, dc_size_t s)
{
	for (int i = 0; i < d->nmeta; i++)
		if (b < d->meta[i].b + d->meta[i].s && d->meta[i].b < b + s)
			return true;
	return false;
}

static void mismatch(struct diff *d, const char *fmt, long long x,
		     long long y)
{
	if (d->failed)
		return;
	d->failed = true;
	printf("\n  op %ld (%s): ", d->op, d->what);
	printf(fmt, x, y);
	printf("\n  replay: %s %" PRIu64 "\n", "test_diff_bitmap", seed0);
	CU_FAIL("tree and bitmap differ");
}

/* Both systems pass dc_check and agree on free memory. */
static void compare_state(struct diff *d)
{
	struct dc_stats a, b;
	int ct = dc_check(d->t.sys), cm = dc_check(d->m.sys);

	if (ct || cm) {
		mismatch(d, "dc_check tree %lld bitmap %lld", ct, cm);
		return;
	}
	dc_stats(d->t.sys, DC_NO_NODE, &a);
	dc_stats(d->m.sys, DC_NO_NODE, &b);
	if (a.free != b.free)
		mismatch(d, "free tree %#llx bitmap %#llx", (long long)a.free,
			 (long long)b.free);
	else if (a.free_extents != b.free_extents)
		mismatch(d, "free extents tree %lld bitmap %lld",
			 (long long)a.free_extents, (long long)b.free_extents);
	else if (a.used != b.used + b.metadata)
		mismatch(d, "used tree %#llx bitmap %#llx", (long long)a.used,
			 (long long)(b.used + b.metadata));
}

static void compare_rc(struct diff *d, int rt, int rm)
{
	if (rt != rm)
		mismatch(d, "returned tree %lld bitmap %lld", rt, rm);
}

static uint64_t rnd(struct diff *d, uint64_t n)
{
	return h_rand_below(&d->rng, n);
}

static dc_addr_t rnd_page(struct diff *d)
{
	return LO + rnd(d, (HI - LO) / P) * P;
}

static void remember(struct blk *list, int *n, dc_addr_t b, dc_size_t s)
{
	if (*n < MAXBLK)
		list[(*n)++] = (struct blk){ b, s };
	else
		list[b / P % MAXBLK] = (struct blk){ b, s };
}

static struct blk take(struct blk *list, int *n, int i)
{
	struct blk k = list[i];

	list[i] = list[--*n];
	return k;
}

static void both_reserve(struct diff *d, dc_addr_t b, dc_size_t s)
{
	int rt = dc_reserve(d->t.sys, b, s), rm = dc_reserve(d->m.sys, b, s);

	snprintf(d->what, sizeof(d->what), "reserve %#llx +%#llx",
		 (unsigned long long)b, (unsigned long long)s);
	compare_rc(d, rt, rm);
	if (!rt && !rm)
		remember(d->live, &d->nlive, b, s);
}

static void both_free(struct diff *d, dc_addr_t b, dc_size_t s,
		      const char *kind)
{
	int rt, rm;

	if (touches_meta(d, b, s))
		return;
	rt = dc_free(d->t.sys, b, s);
	rm = dc_free(d->m.sys, b, s);
	snprintf(d->what, sizeof(d->what), "free (%s) %#llx +%#llx", kind,
		 (unsigned long long)b, (unsigned long long)s);
	compare_rc(d, rt, rm);
	if (!rt && !rm)
		remember(d->dead, &d->ndead, b, s);
}

static void both_alloc(struct diff *d)
{
	static const int nids[] = { DC_NO_NODE, 0, 1, 2, 0, 2, 3 };
	struct dc_request q;
	dc_addr_t at = 1, am = 2;
	int rt, rm;

	memset(&q, 0, sizeof(q));
	q.size = (rnd(d, 8) ? 1 + rnd(d, 8) : 1 + rnd(d, 96)) * P;
	switch (rnd(d, 4)) {
	case 0: q.align = 0; break;		/* 64 */
	case 1: q.align = 8; break;
	default: q.align = P << rnd(d, 6); break;
	}
	if (rnd(d, 2))
		q.min_addr = rnd_page(d);
	if (rnd(d, 3) == 0)
		q.max_addr = (q.min_addr ? q.min_addr : LO) +
			     (1 + rnd(d, 256)) * P;
	q.nid = nids[rnd(d, sizeof(nids) / sizeof(nids[0]))];
	q.flags = (unsigned)rnd(d, 16);	/* EXACT, TD, BU, RELAX */
	if (rnd(d, 50) == 0)
		q.flags |= DC_REQ_ZERO;
	rt = dc_alloc(d->t.sys, &q, &at);
	rm = dc_alloc(d->m.sys, &q, &am);
	snprintf(d->what, sizeof(d->what),
		 "alloc %#llx align %#llx [%#llx, %#llx) nid %d flags %#x",
		 (unsigned long long)q.size, (unsigned long long)q.align,
		 (unsigned long long)q.min_addr,
		 (unsigned long long)q.max_addr, q.nid, q.flags);
	compare_rc(d, rt, rm);
	if (!rt && !rm) {
		if (at != am)
			mismatch(d, "address tree %#llx bitmap %#llx",
				 (long long)at, (long long)am);
		remember(d->live, &d->nlive, at, q.size);
	}
}

static void random_step(struct diff *d, bool ready)
{
	unsigned k = (unsigned)rnd(d, 100);
	dc_addr_t b = rnd_page(d);
	dc_size_t s = (1 + rnd(d, 8)) * P;
	struct blk x;

	if (!ready)
		k = k < 50 ? 50 + k % 15 : 65 + k % 35;	/* no alloc */
	if (k < 35) {
		both_alloc(d);
	} else if (k < 60 && d->nlive) {
		x = take(d->live, &d->nlive, (int)rnd(d, (uint64_t)d->nlive));
		both_free(d, x.b, x.s, "block");
	} else if (k < 65 && d->ndead) {
		x = d->dead[rnd(d, (uint64_t)d->ndead)];
		both_free(d, x.b, x.s, "double");
	} else if (k < 80) {
		both_reserve(d, b, s);
	} else if (k < 90) {
		both_free(d, b, s, "random");
	} else if (d->nlive) {
		/* part of a block, or a block and what follows it */
		x = d->live[rnd(d, (uint64_t)d->nlive)];
		if (rnd(d, 2) && x.s > P)
			both_free(d, x.b + P, x.s - P, "tail");
		else
			both_free(d, x.b, x.s + P, "overrun");
	}
	compare_state(d);
}

static void diff_setup(struct diff *d, unsigned cfg_flags)
{
	struct dc_harness *hs[2] = { &d->t, &d->m };

	h_init(&d->t, &dc_backend_tree, 12, 4 << 20, cfg_flags);
	h_init(&d->m, &dc_backend_bitmap, 12, 1 << 20, cfg_flags);
	for (int k = 0; k < 2; k++) {
		for (size_t i = 0; i < sizeof(layout) / sizeof(layout[0]); i++)
			CU_ASSERT_FATAL(h_add(hs[k], layout[i].nid,
					      layout[i].base,
					      layout[i].size) == 0);
		CU_ASSERT_FATAL(dc_set_distance(hs[k]->sys, 0, 2, 30) == 0);
		CU_ASSERT_FATAL(dc_set_distance(hs[k]->sys, 0, 1, 15) == 0);
		CU_ASSERT_FATAL(dc_set_distance(hs[k]->sys, 2, 1, 12) == 0);
	}
}

static void run(unsigned cfg_flags, uint64_t salt)
{
	static struct diff d;
	long ops = h_env("DC_DIFF_OPS", 100000);
	struct dc_stats s;

	memset(&d, 0, sizeof(d));
	d.rng = seed0 ^ salt;
	if (!d.rng)
		d.rng = 1;
	diff_setup(&d, cfg_flags);
	for (d.op = 0; d.op < 300 && !d.failed; d.op++)
		random_step(&d, false);
	CU_ASSERT_FATAL(dc_finalize(d.t.sys) == 0);
	CU_ASSERT_FATAL(dc_finalize(d.m.sys) == 0);
	dc_walk(d.m.sys, DC_NO_NODE, DC_WALK_METADATA, meta_collect, &d);
	CU_ASSERT(d.nmeta == 3);
	for (int i = 0; i < d.nmeta; i++)
		CU_ASSERT(dc_reserve(d.t.sys, d.meta[i].b, d.meta[i].s) == 0);
	compare_state(&d);
	for (; d.op < 300 + ops && !d.failed; d.op++)
		random_step(&d, true);
	dc_stats(d.t.sys, DC_NO_NODE, &s);
	CU_ASSERT_EQUAL(s.steals, 0);	/* else the layouts would differ */
	printf("\n  %ld ops, %" PRIu64 " allocs, %" PRIu64 " frees, %"
	       PRIu64 " failed allocs ", d.op, (uint64_t)s.allocs,
	       (uint64_t)s.frees, (uint64_t)s.failed);
	h_fini(&d.t);
	h_fini(&d.m);
}

/* Expect: identical answers with the system default top-down. */
static void same_answers_top_down(void)
{
	run(DC_CFG_TOP_DOWN, 0x5eed0001);
}

/* Expect: identical answers with the system default bottom-up. */
static void same_answers_bottom_up(void)
{
	run(0, 0x5eed0002);
}

int main(int argc, char **argv)
{
	CU_pSuite su;

	seed0 = h_seed(argc, argv, 1);
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	su = CU_add_suite("bitmap vs tree, whole pages", NULL, NULL);
	CU_add_test(su, "same_answers_top_down", same_answers_top_down);
	CU_add_test(su, "same_answers_bottom_up", same_answers_bottom_up);
	return h_run();
}
