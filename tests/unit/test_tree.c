// SPDX-License-Identifier: BSD-3-Clause
/*
 * test_tree.c - CUnit suite for core/tree.c, the augmented AVL extent tree.
 *
 * Every search is compared with a linear scan over a plain sorted array
 * (the oracle), whose fit arithmetic uses 128-bit integers so that it
 * shares no code with core/range.h. Every mutating step is followed by
 * dc_tree_check(), as lib/rbtree_test.c re-derives its invariants.
 *
 * Usage: test_tree [seed]   (the seed of the randomised test; printed)
 */
#include "core/tree.h"

#include <CUnit/Basic.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX64 UINT64_MAX

static uint64_t test_seed;

/* ---------------------------------------------------------------- helpers */

static void ext_set(struct dc_extent *e, dc_addr_t base, dc_addr_t last)
{
	memset(e, 0, sizeof(*e));
	e->base = base;
	e->last = last;
}

static struct dc_extent *tree_add(struct dc_tree *t, struct dc_extent *e,
				  dc_addr_t base, dc_addr_t last)
{
	ext_set(e, base, last);
	dc_tree_insert(t, e);
	return e;
}

static struct dc_window window(dc_addr_t lo, dc_addr_t last, dc_size_t size,
			       dc_size_t align, bool top_down)
{
	struct dc_window w = { .lo = lo, .last = last, .size = size,
			       .align = align, .top_down = top_down };
	return w;
}

/* Fit through the tree; returns the address or the sentinel 0xdead. */
static dc_addr_t fit(const struct dc_tree *t, dc_addr_t lo, dc_addr_t last,
		     dc_size_t size, dc_size_t align, bool top_down,
		     bool *found)
{
	struct dc_window w = window(lo, last, size, align, top_down);
	dc_addr_t a = 0xdead;

	*found = dc_tree_find_fit(t, &w, &a) != NULL;
	return a;
}

/* log2 without libm: integer part by halving, fraction by squaring. */
static double log2_nolibm(double x)
{
	double r = 0, bit = 0.5;
	int i;

	while (x >= 2) {
		x /= 2;
		r += 1;
	}
	for (i = 0; i < 40; i++, bit /= 2) {
		x *= x;
		if (x >= 2) {
			x /= 2;
			r += bit;
		}
	}
	return r;
}

/* Knuth's AVL bound, and the exact one: a height-h AVL tree has at least
 * F(h + 2) - 1 nodes. */
static bool height_within_avl_bound(const struct dc_tree *t)
{
	int h = dc_tree_height(t), i;
	uint64_t f0 = 0, f1 = 1, f;

	for (i = 0; i < h + 2 - 1; i++) {
		f = f0 + f1;
		f0 = f1;
		f1 = f;
	}
	return h <= 1.4405 * log2_nolibm((double)t->count + 2) &&
	       f1 - 1 <= t->count && h <= DC_TREE_MAX_HEIGHT;
}

/* ------------------------------------------------------------- edge cases */

/*
 * |[0 ........ 0xfff]|              ...                        2^64-1
 * Expect: the extent at address 0 fits any alignment, even 2^63, both
 * directions; address 0 is a real answer, not a failure sentinel.
 */
static void find_fit_at_address_zero_any_alignment(void)
{
	struct dc_tree t;
	struct dc_extent e[1];
	bool found;
	dc_addr_t a;

	dc_tree_init(&t);
	tree_add(&t, &e[0], 0, 0xfff);

	a = fit(&t, 0, MAX64, 0x1000, 1ULL << 63, false, &found);
	CU_ASSERT(found);
	CU_ASSERT_EQUAL(a, 0);
	a = fit(&t, 0, MAX64, 0x1000, 1ULL << 63, true, &found);
	CU_ASSERT(found);
	CU_ASSERT_EQUAL(a, 0);
	a = fit(&t, 0, MAX64, 1, 1, true, &found);
	CU_ASSERT(found);
	CU_ASSERT_EQUAL(a, 0xfff);
	a = fit(&t, 1, MAX64, 0x1000, 1, false, &found);
	CU_ASSERT(!found);
	CU_ASSERT_EQUAL(a, 0xdead);	/* out untouched on failure */
	CU_ASSERT_EQUAL(dc_tree_find_le(&t, 0), &e[0]);
	CU_ASSERT_EQUAL(dc_tree_check(&t, true), 0);
}

/*
 *   0x1000   0x1fff                          2^64-4096      2^64-1
 * ...[ 4 KiB  ]........................................[ 4 KiB     ]|
 * Expect: top-down fits end exactly at 2^64-1 without overflow; a window
 * ending below the top clips the extent; bottom-up from above the low
 * extent lands at the top one.
 */
static void find_fit_top_down_at_address_space_top(void)
{
	struct dc_tree t;
	struct dc_extent e[2];
	bool found;
	dc_addr_t a;

	dc_tree_init(&t);
	tree_add(&t, &e[0], MAX64 - 0xfff, MAX64);
	tree_add(&t, &e[1], 0x1000, 0x1fff);
	CU_ASSERT_EQUAL(t.bytes, 0x2000);

	a = fit(&t, 0, MAX64, 0x1000, 0x1000, true, &found);
	CU_ASSERT(found);
	CU_ASSERT_EQUAL(a, MAX64 - 0xfff);
	a = fit(&t, 0, MAX64, 1, 1, true, &found);
	CU_ASSERT(found);
	CU_ASSERT_EQUAL(a, MAX64);
	a = fit(&t, 0, MAX64 - 1, 1, 1, true, &found);
	CU_ASSERT(found);
	CU_ASSERT_EQUAL(a, MAX64 - 1);
	a = fit(&t, 0, MAX64 - 1, 0x1000, 1, true, &found);
	CU_ASSERT(found);
	CU_ASSERT_EQUAL(a, 0x1000);	/* the top one is clipped short */
	a = fit(&t, 0x2000, MAX64, 1, 1, false, &found);
	CU_ASSERT(found);
	CU_ASSERT_EQUAL(a, MAX64 - 0xfff);
	a = fit(&t, MAX64, MAX64, 1, 1, false, &found);
	CU_ASSERT(found);
	CU_ASSERT_EQUAL(a, MAX64);
	a = fit(&t, 0, MAX64, 0x1000, 1ULL << 63, true, &found);
	CU_ASSERT(!found);
	CU_ASSERT_EQUAL(dc_tree_find_le(&t, MAX64), &e[0]);
	CU_ASSERT_EQUAL(dc_tree_check(&t, true), 0);
}

/*
 * [0 ............................................................ 2^64-1]
 * Expect: one extent covering the whole address space; bytes wraps to 0
 * (mod 2^64, as documented); fits of 2^63 at 2^63 alignment at both ends.
 */
static void find_fit_whole_address_space_extent(void)
{
	struct dc_tree t;
	struct dc_extent e[1];
	bool found;
	dc_addr_t a;

	dc_tree_init(&t);
	tree_add(&t, &e[0], 0, MAX64);
	CU_ASSERT_EQUAL(t.bytes, 0);
	CU_ASSERT_EQUAL(e[0].max_span, MAX64);

	a = fit(&t, 0, MAX64, 1ULL << 63, 1ULL << 63, true, &found);
	CU_ASSERT(found);
	CU_ASSERT_EQUAL(a, 1ULL << 63);
	a = fit(&t, 1, MAX64, 1ULL << 63, 1ULL << 63, false, &found);
	CU_ASSERT(found);
	CU_ASSERT_EQUAL(a, 1ULL << 63);
	a = fit(&t, 0, MAX64, MAX64, 1, true, &found);
	CU_ASSERT(found);
	CU_ASSERT_EQUAL(a, 1);
	a = fit(&t, 0, MAX64, MAX64, 2, true, &found);
	CU_ASSERT(found);
	CU_ASSERT_EQUAL(a, 0);
	CU_ASSERT_EQUAL(dc_tree_check(&t, true), 0);
	dc_tree_erase(&t, &e[0]);
	CU_ASSERT_EQUAL(t.bytes, 0);
	CU_ASSERT_EQUAL(t.count, 0);
	CU_ASSERT_EQUAL(dc_tree_check(&t, true), 0);
}

/*
 * ..[0x1001..0x1fff]..[0x3001..0x3fff]..[0x10001..0x1ffff]..
 * Expect: alignment 0x10000 is larger than every extent: only the third
 * one holds a multiple (0x20000 is past it): no fit; out untouched.
 */
static void find_fit_alignment_larger_than_every_extent_fails(void)
{
	struct dc_tree t;
	struct dc_extent e[3];
	bool found;
	dc_addr_t a;

	dc_tree_init(&t);
	tree_add(&t, &e[0], 0x1001, 0x1fff);
	tree_add(&t, &e[1], 0x3001, 0x3fff);
	tree_add(&t, &e[2], 0x10001, 0x1ffff);
	a = fit(&t, 0, MAX64, 1, 0x10000, false, &found);
	CU_ASSERT(!found);
	CU_ASSERT_EQUAL(a, 0xdead);
	a = fit(&t, 0, MAX64, 1, 0x10000, true, &found);
	CU_ASSERT(!found);
	a = fit(&t, 0, MAX64, 1, 1ULL << 63, true, &found);
	CU_ASSERT(!found);
	a = fit(&t, 0, MAX64, 1, 0x1000, true, &found);
	CU_ASSERT(found);
	CU_ASSERT_EQUAL(a, 0x1f000);
	CU_ASSERT_EQUAL(dc_tree_check(&t, true), 0);
}

/*
 * single bytes at 10, 20, 30, ... 990
 * Expect: size 1 fits on any byte; the window [25, 55] gives 30 bottom-up
 * and 50 top-down; size 2 fits nowhere.
 */
static void find_fit_size_one_on_single_byte_extents(void)
{
	struct dc_tree t;
	struct dc_extent e[99];
	bool found;
	dc_addr_t a;
	int i;

	dc_tree_init(&t);
	for (i = 0; i < 99; i++)
		tree_add(&t, &e[i], 10 * (i + 1), 10 * (i + 1));
	a = fit(&t, 25, 55, 1, 1, false, &found);
	CU_ASSERT(found);
	CU_ASSERT_EQUAL(a, 30);
	a = fit(&t, 25, 55, 1, 1, true, &found);
	CU_ASSERT(found);
	CU_ASSERT_EQUAL(a, 50);
	a = fit(&t, 25, 55, 1, 4, true, &found);
	CU_ASSERT(found);
	CU_ASSERT_EQUAL(a, 40);
	a = fit(&t, 0, MAX64, 2, 1, false, &found);
	CU_ASSERT(!found);
	a = fit(&t, 31, 39, 1, 1, false, &found);
	CU_ASSERT(!found);
	CU_ASSERT_EQUAL(dc_tree_check(&t, true), 0);
}

/*
 *       lo=0x1800                 last=0x57ff
 *         |                           |
 * [0x1000 ..... 0x2fff]  [0x4000 .......... 0x7fff]  [0x9000..0xafff]
 * Expect: the window clips both extents; 0x1800 bottom-up (size 0x1000),
 * 0x4800 top-down; size 0x1801 fits only in the clipped second extent;
 * size 0x2000 fits nowhere inside the window.
 */
static void find_fit_window_clips_extents(void)
{
	struct dc_tree t;
	struct dc_extent e[3];
	bool found;
	dc_addr_t a;

	dc_tree_init(&t);
	tree_add(&t, &e[0], 0x1000, 0x2fff);
	tree_add(&t, &e[1], 0x4000, 0x7fff);
	tree_add(&t, &e[2], 0x9000, 0xafff);
	a = fit(&t, 0x1800, 0x57ff, 0x1000, 1, false, &found);
	CU_ASSERT(found);
	CU_ASSERT_EQUAL(a, 0x1800);
	a = fit(&t, 0x1800, 0x57ff, 0x1000, 1, true, &found);
	CU_ASSERT(found);
	CU_ASSERT_EQUAL(a, 0x4800);
	a = fit(&t, 0x1800, 0x57ff, 0x1801, 1, false, &found);
	CU_ASSERT(!found);
	a = fit(&t, 0x1800, 0x57ff, 0x1800, 1, false, &found);
	CU_ASSERT(found);
	CU_ASSERT_EQUAL(a, 0x1800);
	a = fit(&t, 0x1800, 0x57ff, 0x2000, 1, true, &found);
	CU_ASSERT(!found);
	a = fit(&t, 0x5000, 0x4fff, 1, 1, true, &found);	/* empty */
	CU_ASSERT(!found);
	CU_ASSERT_EQUAL(dc_tree_check(&t, true), 0);
}

/*
 * keys 0, 32, 64, ... (2^16 extents of 16 bytes), inserted ascending,
 * then descending into a second tree, then every other one erased.
 * Expect: height <= 1.4405 log2(n + 2) at every size checked.
 */
static void height_stays_within_avl_bound_on_sorted_inserts(void)
{
	const unsigned n = 1u << 16;
	struct dc_extent *e = calloc(n, sizeof(*e));
	struct dc_tree t;
	unsigned i;

	CU_ASSERT_FATAL(e != NULL);
	dc_tree_init(&t);
	for (i = 0; i < n; i++) {
		tree_add(&t, &e[i], 32ULL * i, 32ULL * i + 15);
		if ((i & (i + 1)) == 0)
			CU_ASSERT(height_within_avl_bound(&t));
	}
	CU_ASSERT(height_within_avl_bound(&t));
	CU_ASSERT_EQUAL(dc_tree_check(&t, true), 0);
	CU_ASSERT_EQUAL(t.count, n);
	CU_ASSERT_EQUAL(t.bytes, 16ULL * n);

	for (i = 0; i < n; i += 2)
		dc_tree_erase(&t, &e[i]);
	CU_ASSERT(height_within_avl_bound(&t));
	CU_ASSERT_EQUAL(dc_tree_check(&t, true), 0);

	dc_tree_init(&t);
	for (i = n; i-- > 0;)
		tree_add(&t, &e[i], 32ULL * i, 32ULL * i + 15);
	CU_ASSERT(height_within_avl_bound(&t));
	CU_ASSERT_EQUAL(dc_tree_check(&t, true), 0);
	free(e);
}

/*
 * [0..9] [20..29] [40..49] ... 
 * Expect: find_le gives the extent with the largest base <= addr, NULL
 * below the first; first/last/next/prev walk the order both ways.
 */
static void find_le_and_walk_follow_address_order(void)
{
	struct dc_tree t;
	struct dc_extent e[50];
	struct dc_extent *x;
	int i;

	dc_tree_init(&t);
	for (i = 0; i < 50; i++)
		tree_add(&t, &e[(i * 17) % 50], 20 * ((i * 17) % 50) + 100,
			 20 * ((i * 17) % 50) + 109);
	CU_ASSERT_PTR_NULL(dc_tree_find_le(&t, 99));
	CU_ASSERT_EQUAL(dc_tree_find_le(&t, 100), &e[0]);
	CU_ASSERT_EQUAL(dc_tree_find_le(&t, 119), &e[0]);
	CU_ASSERT_EQUAL(dc_tree_find_le(&t, 120), &e[1]);
	CU_ASSERT_EQUAL(dc_tree_find_le(&t, MAX64), &e[49]);
	for (i = 0, x = dc_tree_first(&t); x; x = dc_tree_next(x), i++)
		CU_ASSERT_EQUAL(x, &e[i]);
	CU_ASSERT_EQUAL(i, 50);
	for (i = 49, x = dc_tree_last(&t); x; x = dc_tree_prev(x), i--)
		CU_ASSERT_EQUAL(x, &e[i]);
	CU_ASSERT_EQUAL(i, -1);
	CU_ASSERT_EQUAL(dc_tree_check(&t, true), 0);
}

/*
 * [100..199] [300..399] [500..599]
 * Expect: resize grows and shrinks in place, max_span follows (a search
 * for the new length finds it at once), bytes follow; erase of the root
 * with two children keeps every invariant.
 */
static void resize_and_erase_keep_max_span(void)
{
	struct dc_tree t;
	struct dc_extent e[3];
	bool found;
	dc_addr_t a;

	dc_tree_init(&t);
	tree_add(&t, &e[0], 100, 199);
	tree_add(&t, &e[1], 300, 399);
	tree_add(&t, &e[2], 500, 599);
	dc_tree_resize(&t, &e[0], 0, 299);
	CU_ASSERT_EQUAL(t.bytes, 500);
	CU_ASSERT_EQUAL(t.root->max_span, 299);
	CU_ASSERT_EQUAL(dc_tree_check(&t, false), 0);
	CU_ASSERT_EQUAL(dc_tree_check(&t, true), 2);	/* touches e[1] */
	a = fit(&t, 0, MAX64, 300, 1, true, &found);
	CU_ASSERT(found);
	CU_ASSERT_EQUAL(a, 0);
	dc_tree_resize(&t, &e[0], 0, 9);
	CU_ASSERT_EQUAL(t.root->max_span, 99);
	CU_ASSERT_EQUAL(dc_tree_check(&t, true), 0);
	dc_tree_erase(&t, t.root);
	CU_ASSERT_EQUAL(t.count, 2);
	CU_ASSERT_EQUAL(dc_tree_check(&t, true), 0);
}

/*
 * Alignment padding, as cache-aligned allocations taken from the tops of
 * extents leave it: 4096 extents of 41 bytes at 128 i + 1, none holding a
 * 64-aligned byte, then one 4 KiB extent at 1 MiB below them all.
 * Expect: the root records (T6) that the longest 64-aligned span is the
 * 4 KiB extent's, and without it that none exists and the longest
 * 8-aligned span is 33 bytes; a top-down request of 24 bytes aligned 64
 * finds 1 MiB + 4096 - 64 (none without the big extent), one aligned 8
 * the topmost padding extent; 34 bytes aligned 8 fit a padding extent
 * exactly, 35 only unaligned.
 */
static void find_fit_skips_alignment_padding(void)
{
	enum { N = 4096 };
	static struct dc_extent e[N + 1];
	struct dc_extent *big;
	struct dc_tree t;
	dc_addr_t base = 0x200000;
	dc_size_t span;
	bool found;
	unsigned c;
	int i;

	dc_tree_init(&t);
	for (i = 0; i < N; i++)
		tree_add(&t, &e[i], base + 128ULL * i + 1,
			 base + 128ULL * i + 41);
	big = tree_add(&t, &e[N], 0x100000, 0x100fff);
	CU_ASSERT_EQUAL_FATAL(dc_tree_check(&t, true), 0);
	CU_ASSERT_EQUAL(t.root->max_span, 0xfff);
	/* class 3 (64 bytes): only the big extent, aligned span 0xfff */
	c = t.root->aslack >> 24 & 0xff;
	CU_ASSERT_EQUAL(c, 0);
	/* with the big extent gone, no extent holds a 64-aligned byte */
	dc_tree_erase(&t, big);
	CU_ASSERT_EQUAL(dc_tree_check(&t, true), 0);
	CU_ASSERT_EQUAL(t.root->aslack >> 24 & 0xff, 0xff);
	/* class 0 (8 bytes): base 128 i + 1 -> 128 i + 8, span 41 - 8 = 33 */
	span = t.root->max_span - (t.root->aslack & 0xff);
	CU_ASSERT_EQUAL(span, 33);
	CU_ASSERT_FALSE(fit(&t, 0, MAX64, 24, 64, true, &found) != 0xdead);
	CU_ASSERT_FALSE(found);
	dc_tree_insert(&t, big);
	CU_ASSERT_EQUAL(fit(&t, 0, MAX64, 24, 64, true, &found),
			0x100000 + 4096 - 64);
	CU_ASSERT_TRUE(found);
	CU_ASSERT_EQUAL(fit(&t, 0, MAX64, 24, 64, false, &found), 0x100000);
	/* aligned 8: the topmost padding extent, 128 (N-1) + 41 - 23 -> 8 */
	CU_ASSERT_EQUAL(fit(&t, 0, MAX64, 24, 8, true, &found),
			(base + 128ULL * (N - 1) + 41 - 23) & ~7ULL);
	CU_ASSERT_EQUAL(fit(&t, 0x200000, MAX64, 24, 8, false, &found),
			base + 8);
	/* 34 bytes aligned 8 just fit (8 .. 41); 35 do not, unaligned they do */
	CU_ASSERT_EQUAL(fit(&t, 0x200000, MAX64, 34, 8, false, &found),
			base + 8);
	CU_ASSERT_EQUAL(fit(&t, 0x200000, MAX64, 35, 8, false, &found), 0xdead);
	CU_ASSERT_FALSE(found);
	CU_ASSERT_EQUAL(fit(&t, 0x200000, MAX64, 35, 1, false, &found),
			base + 1);
}

/*
 * |[0 .. 0xfff]|: one extent that fits a page anywhere in it.
 * Expect: a window of size 0, an alignment of 0 or 3 (not a power of
 * two), and a window that ends before it starts find nothing, and the
 * out address is left alone; the same window with size 1 and alignment
 * 1 finds 0.
 */
static void find_fit_refuses_malformed_windows(void)
{
	struct dc_tree t;
	struct dc_extent e[1];
	bool found;
	dc_addr_t x;

	dc_tree_init(&t);
	tree_add(&t, &e[0], 0, 0xfff);
	x = fit(&t, 0, 0xfff, 0, 1, false, &found);
	CU_ASSERT(!found && x == 0xdead);
	x = fit(&t, 0, 0xfff, 1, 0, false, &found);
	CU_ASSERT(!found && x == 0xdead);
	x = fit(&t, 0, 0xfff, 1, 3, true, &found);
	CU_ASSERT(!found && x == 0xdead);
	x = fit(&t, 0x800, 0x7ff, 1, 1, false, &found);
	CU_ASSERT(!found && x == 0xdead);
	x = fit(&t, 0, 0xfff, 1, 1, false, &found);
	CU_ASSERT(found && x == 0);
	CU_ASSERT_EQUAL(dc_tree_check(&t, true), 0);
}

/* ---------------------------------------------------- corrupted invariants */

static struct dc_extent *corrupt_setup(struct dc_tree *t, struct dc_extent *e,
				       int n)
{
	int i;

	dc_tree_init(t);
	for (i = 0; i < n; i++)
		tree_add(t, &e[i], 1000ULL * i, 1000ULL * i + 99 + i);
	CU_ASSERT_FATAL(dc_tree_check(t, true) == 0);
	return &e[n / 3];
}

/*
 * 100 extents; one node's max_span, height, base, parent link or the
 * tree's count is changed by hand.
 * Expect: dc_tree_check names the broken invariant (3, 4, 6, 1, 4 for a
 * left or right child or the root linked wrongly, 5), the
 * smallest one when several break, and 0 again once repaired.
 */
static void check_reports_corrupted_invariant(void)
{
	struct dc_extent e[100], *x, *save;
	struct dc_tree t;
	dc_addr_t base;

	x = corrupt_setup(&t, e, 100);
	x->max_span++;
	CU_ASSERT_EQUAL(dc_tree_check(&t, false), 3);
	x->max_span--;
	CU_ASSERT_EQUAL(dc_tree_check(&t, false), 0);

	x->height++;
	CU_ASSERT_EQUAL(dc_tree_check(&t, false), 4);
	x->height--;

	x->aslack ^= 1u << 8;	/* class 16 bytes */
	CU_ASSERT_EQUAL(dc_tree_check(&t, false), 6);
	x->aslack ^= 1u << 8;
	CU_ASSERT_EQUAL(dc_tree_check(&t, false), 0);

	/* Overlap with the previous extent also breaks T3 there: 1 wins. */
	base = x->base;
	x->base = dc_tree_prev(x)->last;
	CU_ASSERT_EQUAL(dc_tree_check(&t, false), 1);
	x->base = base;

	x = t.root->left;
	save = x->parent;
	x->parent = x;
	CU_ASSERT_EQUAL(dc_tree_check(&t, false), 4);
	x->parent = save;
	x = t.root->right;
	x->parent = x;		/* a right child that disowns its parent */
	CU_ASSERT_EQUAL(dc_tree_check(&t, false), 4);
	x->parent = t.root;
	t.root->parent = x;	/* a root with a parent */
	CU_ASSERT_EQUAL(dc_tree_check(&t, false), 4);
	t.root->parent = NULL;

	t.count++;
	CU_ASSERT_EQUAL(dc_tree_check(&t, false), 5);
	t.count--;
	t.bytes++;
	CU_ASSERT_EQUAL(dc_tree_check(&t, false), 5);
	t.bytes--;
	CU_ASSERT_EQUAL(dc_tree_check(&t, true), 0);
}

/*
 * [0..99] [100..199]: touching extents.
 * Expect: T2 fails only when the caller asks for maximal extents.
 */
static void check_reports_touching_extents_only_when_maximal(void)
{
	struct dc_tree t;
	struct dc_extent e[2];

	dc_tree_init(&t);
	tree_add(&t, &e[0], 0, 99);
	tree_add(&t, &e[1], 100, 199);
	CU_ASSERT_EQUAL(dc_tree_check(&t, true), 2);
	CU_ASSERT_EQUAL(dc_tree_check(&t, false), 0);
	dc_tree_resize(&t, &e[1], 101, 199);
	CU_ASSERT_EQUAL(dc_tree_check(&t, true), 0);
}

/* --------------------------------------------------------- randomised test */

/*
 * Random disjoint extents (touching allowed: the tree does not merge), a
 * mix of address zones (0, 2^64-1, powers of two, uniform), log-uniform
 * sizes. After every insert, erase or resize: dc_tree_check(t, false),
 * count and bytes against the oracle, and random windows searched in both
 * directions with alignments 1 .. 2^63, plus find_le, all against a linear
 * scan.
 */

#define RT_MAX 512
#define RT_OPS 200000

struct orc_ext {
	dc_addr_t base, last;
	struct dc_extent *e;
};

struct rt {
	uint64_t s;			/* splitmix64 state */
	struct orc_ext orc[RT_MAX];	/* sorted by base */
	int n;
	struct dc_extent ent[RT_MAX];
	struct dc_extent *freelist[RT_MAX];
	int nfree;
	struct dc_tree t;
	long fits_found, fits_none;
};

static uint64_t rt_rand(struct rt *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rt_below(struct rt *r, uint64_t n)	/* n > 0 */
{
	return rt_rand(r) % n;
}

/* A value of log-uniform magnitude below 2^maxbits (maxbits <= 64). */
static uint64_t rt_log(struct rt *r, unsigned maxbits)
{
	unsigned k = (unsigned)rt_below(r, maxbits + 1);

	if (k <= 1)
		return k;
	return (1ULL << (k - 1)) | (rt_rand(r) >> (65 - k));
}

/* Uniform in [lo, hi]. */
static uint64_t rt_between(struct rt *r, uint64_t lo, uint64_t hi)
{
	if (hi - lo == MAX64)
		return rt_rand(r);
	return lo + rt_below(r, hi - lo + 1);
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > MAX64 - b ? MAX64 : a + b;
}

static uint64_t sat_sub(uint64_t a, uint64_t b)
{
	return a < b ? 0 : a - b;
}

/* An interesting address: near 0, near 2^64-1, near a power of two,
 * near an existing extent's edge, or uniform. */
static dc_addr_t rt_addr(struct rt *r)
{
	unsigned k;

	switch (rt_below(r, 6)) {
	case 0:
		return rt_log(r, 16);
	case 1:
		return MAX64 - rt_log(r, 16);
	case 2:
		k = (unsigned)rt_below(r, 64);
		return rt_below(r, 2) ? sat_add(1ULL << k, rt_log(r, 12))
				      : sat_sub(1ULL << k, rt_log(r, 12));
	case 3:
		if (r->n) {
			const struct orc_ext *o = &r->orc[rt_below(r, r->n)];

			return rt_below(r, 2) ? sat_add(o->last, rt_log(r, 10))
					      : sat_sub(o->base, rt_log(r, 10));
		}
		return rt_rand(r);
	default:
		return rt_rand(r);
	}
}

/* Index of the first oracle extent with base > addr. */
static int orc_upper(const struct rt *r, dc_addr_t addr)
{
	int lo = 0, hi = r->n;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (r->orc[mid].base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool rt_insert(struct rt *r)
{
	dc_addr_t base = rt_addr(r), last;
	dc_size_t size = 1 + rt_log(r, rt_below(r, 2) ? 20 : 63);
	struct dc_extent *e;
	int i = orc_upper(r, base);

	if (i > 0 && r->orc[i - 1].last >= base) {
		/* Taken: start in a random gap instead, if it has room. */
		dc_addr_t gl, gr;

		i = (int)rt_below(r, r->n + 1);
		gl = i > 0 ? r->orc[i - 1].last : 0;
		gr = i < r->n ? r->orc[i].base : MAX64;
		if (i > 0 && gl++ == MAX64)
			return false;
		if (i < r->n && gr-- == 0)
			return false;
		if (gl > gr)
			return false;
		base = rt_below(r, 2) ? gl : rt_between(r, gl, gr);
	}
	last = sat_add(base, size - 1);
	if (i < r->n && r->orc[i].base <= last)
		last = r->orc[i].base - 1;
	e = r->freelist[--r->nfree];
	ext_set(e, base, last);
	dc_tree_insert(&r->t, e);
	memmove(&r->orc[i + 1], &r->orc[i], (r->n - i) * sizeof(r->orc[0]));
	r->orc[i] = (struct orc_ext){ base, last, e };
	r->n++;
	return true;
}

static void rt_erase(struct rt *r)
{
	int i = (int)rt_below(r, r->n);

	dc_tree_erase(&r->t, r->orc[i].e);
	r->freelist[r->nfree++] = r->orc[i].e;
	memmove(&r->orc[i], &r->orc[i + 1], (r->n - i - 1) * sizeof(r->orc[0]));
	r->n--;
}

static void rt_resize(struct rt *r)
{
	int i = (int)rt_below(r, r->n);
	struct orc_ext *o = &r->orc[i];
	dc_addr_t gl = i > 0 ? r->orc[i - 1].last + 1 : 0;
	dc_addr_t gr = i + 1 < r->n ? r->orc[i + 1].base - 1 : MAX64;
	dc_addr_t b, l, x;

	if (rt_below(r, 2)) {
		/* Nudge each edge by a small amount, inside the gap. */
		b = rt_below(r, 2) ? sat_sub(o->base, rt_log(r, 12))
				   : sat_add(o->base, rt_log(r, 12));
		l = rt_below(r, 2) ? sat_sub(o->last, rt_log(r, 12))
				   : sat_add(o->last, rt_log(r, 12));
		b = b < gl ? gl : b > gr ? gr : b;
		l = l < gl ? gl : l > gr ? gr : l;
	} else {
		b = rt_between(r, gl, gr);
		l = rt_below(r, 4) ? rt_between(r, gl, gr) : gr;
	}
	if (b > l) {
		x = b;
		b = l;
		l = x;
	}
	dc_tree_resize(&r->t, o->e, b, l);
	o->base = b;
	o->last = l;
}

typedef unsigned __int128 u128;

/* The oracle: a linear scan with 128-bit arithmetic; index or -1. */
static int orc_fit(const struct rt *r, const struct dc_window *w,
		   dc_addr_t *out)
{
	int i;

	for (i = 0; i < r->n; i++) {
		int j = w->top_down ? r->n - 1 - i : i;
		u128 b = r->orc[j].base > w->lo ? r->orc[j].base : w->lo;
		u128 l = r->orc[j].last < w->last ? r->orc[j].last : w->last;
		u128 a;

		if (b + w->size > l + 1)
			continue;
		if (w->top_down)
			a = (l + 1 - w->size) / w->align * w->align;
		else
			a = (b + w->align - 1) / w->align * w->align;
		if (a < b || a + w->size > l + 1)
			continue;
		*out = (dc_addr_t)a;
		return j;
	}
	return -1;
}

static int orc_find_le(const struct rt *r, dc_addr_t addr)
{
	return orc_upper(r, addr) - 1;
}

static struct dc_window rt_window(struct rt *r)
{
	struct dc_window w;
	unsigned k;

	switch (rt_below(r, 4)) {
	case 0:
		w.lo = 0;
		w.last = MAX64;
		break;
	case 1:
		w.lo = rt_addr(r);
		w.last = sat_add(w.lo, rt_log(r, 64));
		break;
	default:
		w.lo = rt_addr(r);
		w.last = rt_addr(r);
		if (w.lo > w.last && rt_below(r, 8)) {
			dc_addr_t x = w.lo;

			w.lo = w.last;
			w.last = x;
		}
		break;
	}
	switch (rt_below(r, 4)) {
	case 0:
		w.size = 1;
		break;
	case 1:
		w.size = r->n ? r->orc[rt_below(r, r->n)].last -
				r->orc[rt_below(r, r->n)].base + 1 : 1;
		if (!w.size)
			w.size = 1;
		break;
	default:
		w.size = 1 + rt_log(r, rt_below(r, 2) ? 16 : 63);
		break;
	}
	k = (unsigned)(rt_below(r, 2) ? rt_below(r, 13) : rt_below(r, 64));
	w.align = 1ULL << k;
	w.top_down = false;
	return w;
}

static bool rt_fail(const struct rt *r, long step, const char *what)
{
	printf("\n  test_tree: seed %" PRIu64 " step %ld: %s\n", test_seed,
	       step, what);
	(void)r;
	return false;
}

static bool rt_queries(struct rt *r, long step)
{
	struct dc_window w = rt_window(r);
	struct dc_extent *got;
	dc_addr_t a, oa, q;
	int dir, j;

	for (dir = 0; dir < 2; dir++) {
		w.top_down = dir;
		a = 0xdeadbeef;
		got = dc_tree_find_fit(&r->t, &w, &a);
		j = orc_fit(r, &w, &oa);
		if (j < 0) {
			r->fits_none++;
			if (got || a != 0xdeadbeef)
				return rt_fail(r, step, "fit where oracle has none");
		} else {
			r->fits_found++;
			if (got != r->orc[j].e || a != oa) {
				printf("\n  window [%#" PRIx64 "-%#" PRIx64
				       "] size %#" PRIx64 " align %#" PRIx64
				       " %s: tree %#" PRIx64 " oracle %#"
				       PRIx64 "\n", w.lo, w.last, w.size,
				       w.align, dir ? "top-down" : "bottom-up",
				       got ? a : 0, oa);
				return rt_fail(r, step, "fit differs");
			}
		}
	}
	q = rt_below(r, 2) ? rt_addr(r) : rt_rand(r);
	j = orc_find_le(r, q);
	if (dc_tree_find_le(&r->t, q) != (j < 0 ? NULL : r->orc[j].e))
		return rt_fail(r, step, "find_le differs");
	return true;
}

static bool rt_walk_matches(const struct rt *r)
{
	struct dc_extent *x;
	int i;

	for (i = 0, x = dc_tree_first(&r->t); x; x = dc_tree_next(x), i++)
		if (i >= r->n || x != r->orc[i].e)
			return false;
	if (i != r->n)
		return false;
	for (i = r->n - 1, x = dc_tree_last(&r->t); x; x = dc_tree_prev(x))
		if (i < 0 || x != r->orc[i--].e)
			return false;
	return i == -1;
}

static void random_ops_match_linear_scan_oracle(void)
{
	struct rt *r = calloc(1, sizeof(*r));
	long step, inserts = 0, erases = 0, resizes = 0;
	int i, target = 16, maxh = 0;
	dc_size_t bytes;

	CU_ASSERT_FATAL(r != NULL);
	r->s = test_seed;
	dc_tree_init(&r->t);
	for (i = 0; i < RT_MAX; i++)
		r->freelist[r->nfree++] = &r->ent[i];

	/* RT_OPS mutations; an insert that finds no room does not count. */
	for (step = 0; inserts + erases + resizes < RT_OPS; step++) {
		uint64_t op = rt_below(r, 100);
		int bad;

		/* Alternate sparse and dense phases. */
		if (step % 10000 == 0)
			target = (int)(rt_below(r, 2) ? 1 + rt_below(r, 32)
						      : rt_between(r, 64, RT_MAX));
		if (r->n == 0 ||
		    (r->n < RT_MAX && op < (r->n < target ? 60u : 30u))) {
			if (rt_insert(r))
				inserts++;
		} else if (op < 70) {
			rt_erase(r);
			erases++;
		} else {
			rt_resize(r);
			resizes++;
		}

		bad = dc_tree_check(&r->t, false);
		if (bad) {
			printf("\n  dc_tree_check = %d\n", bad);
			CU_FAIL_FATAL(rt_fail(r, step, "invariant broken"));
		}
		for (bytes = 0, i = 0; i < r->n; i++)
			bytes += r->orc[i].last - r->orc[i].base + 1;
		if (r->t.count != (dc_size_t)r->n || r->t.bytes != bytes)
			CU_FAIL_FATAL(rt_fail(r, step, "count/bytes differ"));
		if (!rt_queries(r, step) || !rt_queries(r, step))
			CU_FAIL_FATAL("search differs from the oracle");
		if (step % 1000 == 0 && !rt_walk_matches(r))
			CU_FAIL_FATAL(rt_fail(r, step, "walk differs"));
		if (dc_tree_height(&r->t) > maxh)
			maxh = dc_tree_height(&r->t);
	}
	printf("\n  seed %" PRIu64 ": %ld steps (%ld inserts, %ld erases, %ld "
	       "resizes), %ld fits found, %ld none, max height %d ",
	       test_seed, step, inserts, erases, resizes, r->fits_found,
	       r->fits_none, maxh);
	CU_ASSERT(inserts + erases + resizes >= RT_OPS);
	CU_ASSERT_EQUAL(dc_tree_check(&r->t, false), 0);
	free(r);
}

/* ------------------------------------------------------------------ main */

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{ "find_fit_at_address_zero_any_alignment",
		  find_fit_at_address_zero_any_alignment },
		{ "find_fit_refuses_malformed_windows",
		  find_fit_refuses_malformed_windows },
		{ "find_fit_top_down_at_address_space_top",
		  find_fit_top_down_at_address_space_top },
		{ "find_fit_whole_address_space_extent",
		  find_fit_whole_address_space_extent },
		{ "find_fit_alignment_larger_than_every_extent_fails",
		  find_fit_alignment_larger_than_every_extent_fails },
		{ "find_fit_size_one_on_single_byte_extents",
		  find_fit_size_one_on_single_byte_extents },
		{ "find_fit_window_clips_extents",
		  find_fit_window_clips_extents },
		{ "height_stays_within_avl_bound_on_sorted_inserts",
		  height_stays_within_avl_bound_on_sorted_inserts },
		{ "find_le_and_walk_follow_address_order",
		  find_le_and_walk_follow_address_order },
		{ "resize_and_erase_keep_max_span",
		  resize_and_erase_keep_max_span },
		{ "find_fit_skips_alignment_padding",
		  find_fit_skips_alignment_padding },
		{ "check_reports_corrupted_invariant",
		  check_reports_corrupted_invariant },
		{ "check_reports_touching_extents_only_when_maximal",
		  check_reports_touching_extents_only_when_maximal },
		{ "random_ops_match_linear_scan_oracle",
		  random_ops_match_linear_scan_oracle },
	};
	CU_pSuite suite;
	unsigned failures;
	size_t i;

	if (argc > 1) {
		char *end;

		test_seed = strtoull(argv[1], &end, 0);
		if (*end) {
			fprintf(stderr, "usage: %s [seed]\n", argv[0]);
			return 2;
		}
	} else {
		test_seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	}
	printf("test_tree: seed %" PRIu64 " (rerun: %s %" PRIu64 ")\n",
	       test_seed, argv[0], test_seed);

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	suite = CU_add_suite("tree", NULL, NULL);
	if (!suite)
		return 2;
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (!CU_add_test(suite, tests[i].name, tests[i].fn))
			return 2;
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures() +
		   CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failures ? 1 : 0;
}
