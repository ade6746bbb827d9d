// SPDX-License-Identifier: BSD-3-Clause
/*
 * test_btree.c - CUnit suite for core/btree.c, the extent B-tree.
 *
 * Every search is compared with a plain sorted array (the oracle): every
 * find_fit with a linear scan of it in 128-bit arithmetic (scan_fit()),
 * which shares no code with core/range.h or core/btree.c, and must agree
 * to the byte. The edge cases of fit searches (address 0, the top of the
 * address space, alignments larger than every extent, windows that clip)
 * came from test_tree.c when core/tree.c lost dc_tree_find_fit(), with
 * their expectations unchanged. dc_btree_check() runs after mutating
 * steps (all of them while the tree is small, every multi-level split or
 * merge always). Nodes come from a counting allocator that can be told to
 * run dry, so the promised worst cases (dc_btree_need()) and failure
 * atomicity are measured, not assumed.
 *
 * Usage: test_btree [seed [ops]]   (DC_SEED, DC_OPS; the seed is printed)
 */
#include "core/btree.h"

#include <CUnit/Basic.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define MAX64 UINT64_MAX
#define NS DC_BTREE_NODE_SIZE

static uint64_t seed0;
static long nops;

/* ------------------------------------------------------ counting allocator */

struct talloc {
	long gets, puts, live, peak;
	long budget;		/* gets left before get() fails; < 0: no limit */
};

static void *ta_get(void *ctx)
{
	struct talloc *ta = ctx;
	void *n;

	if (!ta->budget)
		return NULL;
	if (ta->budget > 0)
		ta->budget--;
	n = aligned_alloc(64, NS);
	CU_ASSERT_FATAL(n != NULL);
	memset(n, 0xa5, NS);	/* the tree must not read what it did not write */
	ta->gets++;
	if (++ta->live > ta->peak)
		ta->peak = ta->live;
	return n;
}

static void ta_put(void *ctx, void *n)
{
	struct talloc *ta = ctx;

	memset(n, 0x5a, NS);
	free(n);
	ta->puts++;
	ta->live--;
}

static struct dc_btree_alloc ta_alloc(struct talloc *ta)
{
	struct dc_btree_alloc a = { ta_get, ta_put, ta };

	memset(ta, 0, sizeof(*ta));
	ta->budget = -1;
	return a;
}

/* Erase everything; the allocator must then hold no node. */
static void bt_clear(struct dc_btree *t, const struct dc_btree_alloc *a)
{
	struct dc_btree_cur c;

	while (dc_btree_first(t, &c))
		dc_btree_erase(t, a, &c);
	CU_ASSERT_EQUAL(t->height, 0);
	CU_ASSERT_PTR_NULL(t->root);
	CU_ASSERT_EQUAL(((struct talloc *)a->ctx)->live, 0);
}

static void bt_add(struct dc_btree *t, const struct dc_btree_alloc *a,
		   dc_addr_t base, dc_addr_t last, uint32_t val)
{
	CU_ASSERT_EQUAL_FATAL(dc_btree_insert(t, a, NULL, base, last, val), 0);
}

static struct dc_window window(dc_addr_t lo, dc_addr_t last, dc_size_t size,
			       dc_size_t align, bool top_down)
{
	struct dc_window w = { .lo = lo, .last = last, .size = size,
			       .align = align, .top_down = top_down };
	return w;
}

/* Fit through the B-tree; the address, or the sentinel 0xdead. */
static dc_addr_t fit(const struct dc_btree *t, dc_addr_t lo, dc_addr_t last,
		     dc_size_t size, dc_size_t align, bool top_down,
		     bool *found)
{
	struct dc_window w = window(lo, last, size, align, top_down);
	struct dc_btree_cur c;
	dc_addr_t a = 0xdead;

	*found = dc_btree_find_fit(t, &w, &c, &a);
	if (*found)
		CU_ASSERT(c.base <= a && a - c.base <= c.last - c.base);
	return a;
}

/* ------------------------------------------------------------- edge cases */

/*
 * |[0 .. 0xfff]|: one extent that fits a page anywhere in it.
 * Expect: a window of size 0, an alignment of 0 or 3 (not a power of
 * two), and a window that ends before it starts find nothing, and the
 * out address is left alone; the same window with size 1 and alignment
 * 1 finds 0.
 */
static void fit_refuses_malformed_windows(void)
{
	struct talloc ta;
	struct dc_btree_alloc a = ta_alloc(&ta);
	struct dc_btree t;
	bool found;
	dc_addr_t x;

	dc_btree_init(&t, DC_BTREE_PLAIN);
	bt_add(&t, &a, 0, 0xfff, 0);
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
	CU_ASSERT_EQUAL(dc_btree_check(&t, true), 0);
	bt_clear(&t, &a);
}

/*
 * |[0 ........ 0xfff]|              ...           [2^64-4096 .. 2^64-1]|
 * Expect: the extent at 0 fits any alignment, even 2^63; top-down fits
 * end exactly at 2^64-1; a window ending below the top clips it; find_le
 * at 0 and 2^64-1; address 0 is an answer, not a failure.
 */
static void fit_at_address_zero_and_top(void)
{
	struct talloc ta;
	struct dc_btree_alloc a = ta_alloc(&ta);
	struct dc_btree t;
	struct dc_btree_cur c;
	bool found;
	dc_addr_t x;

	dc_btree_init(&t, DC_BTREE_PLAIN);
	bt_add(&t, &a, MAX64 - 0xfff, MAX64, 0);
	bt_add(&t, &a, 0, 0xfff, 0);
	CU_ASSERT_EQUAL(t.bytes, 0x2000);
	x = fit(&t, 0, MAX64, 0x1000, 1ULL << 63, false, &found);
	CU_ASSERT(found && x == 0);
	x = fit(&t, 0, MAX64, 0x1000, 1ULL << 63, true, &found);
	CU_ASSERT(found && x == 0);
	x = fit(&t, 0, MAX64, 1, 1, true, &found);
	CU_ASSERT(found && x == MAX64);
	x = fit(&t, 0, MAX64 - 1, 0x1000, 1, true, &found);
	CU_ASSERT(found && x == 0);	/* the top one is clipped short */
	x = fit(&t, 1, MAX64, 0x1000, 0x1000, false, &found);
	CU_ASSERT(found && x == MAX64 - 0xfff);
	x = fit(&t, MAX64, MAX64, 1, 1, false, &found);
	CU_ASSERT(found && x == MAX64);
	x = fit(&t, 1, MAX64 - 1, 0x1000, 1, false, &found);
	CU_ASSERT(!found && x == 0xdead);	/* out untouched */
	CU_ASSERT(dc_btree_find_le(&t, 0, &c) && c.base == 0 && c.last == 0xfff);
	CU_ASSERT(dc_btree_find_le(&t, MAX64, &c) && c.last == MAX64);
	CU_ASSERT_FALSE(dc_btree_next(&t, &c));
	CU_ASSERT_EQUAL(c.last, MAX64);	/* unchanged at the end */
	CU_ASSERT_EQUAL(dc_btree_check(&t, true), 0);
	bt_clear(&t, &a);
}

/*
 * |[0 ........ 0xfff]|              ...                        2^64-1
 * Expect: the extent at address 0 fits any alignment, even 2^63, both
 * directions; address 0 is a real answer, not a failure sentinel; a
 * window starting at 1 leaves no room, and the out-pointer untouched.
 */
static void fit_at_address_zero_any_alignment(void)
{
	struct talloc ta;
	struct dc_btree_alloc a = ta_alloc(&ta);
	struct dc_btree t;
	struct dc_btree_cur c;
	bool found;
	dc_addr_t x;

	dc_btree_init(&t, DC_BTREE_PLAIN);
	bt_add(&t, &a, 0, 0xfff, 0);
	x = fit(&t, 0, MAX64, 0x1000, 1ULL << 63, false, &found);
	CU_ASSERT(found && x == 0);
	x = fit(&t, 0, MAX64, 0x1000, 1ULL << 63, true, &found);
	CU_ASSERT(found && x == 0);
	x = fit(&t, 0, MAX64, 1, 1, true, &found);
	CU_ASSERT(found && x == 0xfff);
	x = fit(&t, 1, MAX64, 0x1000, 1, false, &found);
	CU_ASSERT(!found && x == 0xdead);	/* out untouched on failure */
	CU_ASSERT(dc_btree_find_le(&t, 0, &c) && c.base == 0 && c.last == 0xfff);
	CU_ASSERT_EQUAL(dc_btree_check(&t, true), 0);
	bt_clear(&t, &a);
}

/*
 *   0x1000   0x1fff                          2^64-4096      2^64-1
 * ...[ 4 KiB  ]........................................[ 4 KiB     ]|
 * Expect: top-down fits end exactly at 2^64-1 without overflow; a window
 * ending below the top clips the extent; bottom-up from above the low
 * extent lands at the top one; alignment 2^63 fits neither.
 */
static void fit_top_down_at_address_space_top(void)
{
	struct talloc ta;
	struct dc_btree_alloc a = ta_alloc(&ta);
	struct dc_btree t;
	struct dc_btree_cur c;
	bool found;
	dc_addr_t x;

	dc_btree_init(&t, DC_BTREE_PLAIN);
	bt_add(&t, &a, MAX64 - 0xfff, MAX64, 0);
	bt_add(&t, &a, 0x1000, 0x1fff, 0);
	CU_ASSERT_EQUAL(t.bytes, 0x2000);
	x = fit(&t, 0, MAX64, 0x1000, 0x1000, true, &found);
	CU_ASSERT(found && x == MAX64 - 0xfff);
	x = fit(&t, 0, MAX64, 1, 1, true, &found);
	CU_ASSERT(found && x == MAX64);
	x = fit(&t, 0, MAX64 - 1, 1, 1, true, &found);
	CU_ASSERT(found && x == MAX64 - 1);
	x = fit(&t, 0, MAX64 - 1, 0x1000, 1, true, &found);
	CU_ASSERT(found && x == 0x1000);	/* the top one is clipped short */
	x = fit(&t, 0x2000, MAX64, 1, 1, false, &found);
	CU_ASSERT(found && x == MAX64 - 0xfff);
	x = fit(&t, MAX64, MAX64, 1, 1, false, &found);
	CU_ASSERT(found && x == MAX64);
	x = fit(&t, 0, MAX64, 0x1000, 1ULL << 63, true, &found);
	CU_ASSERT(!found && x == 0xdead);
	CU_ASSERT(dc_btree_find_le(&t, MAX64, &c) && c.base == MAX64 - 0xfff);
	CU_ASSERT_EQUAL(dc_btree_check(&t, true), 0);
	bt_clear(&t, &a);
}

/*
 * [0 ............................................................ 2^64-1]
 * Expect, in a plain and in a valued tree: bytes wraps to 0 (mod 2^64);
 * fits of 2^63 at 2^63 alignment at both ends; a fit of 2^64 - 1 bytes
 * (at 1, or at 0 when aligned 2); erase leaves an empty tree.
 */
static void whole_address_space_extent(void)
{
	struct talloc ta;
	struct dc_btree_alloc a = ta_alloc(&ta);
	struct dc_btree t;
	bool found;
	dc_addr_t x;

	for (int kind = 0; kind < 2; kind++) {
		dc_btree_init(&t, kind ? DC_BTREE_VALUED : DC_BTREE_PLAIN);
		bt_add(&t, &a, 0, MAX64, kind ? 7 : 0);
		CU_ASSERT_EQUAL(t.bytes, 0);
		CU_ASSERT_EQUAL(t.count, 1);
		x = fit(&t, 0, MAX64, 1ULL << 63, 1ULL << 63, true, &found);
		CU_ASSERT(found && x == 1ULL << 63);
		x = fit(&t, 1, MAX64, 1ULL << 63, 1ULL << 63, false, &found);
		CU_ASSERT(found && x == 1ULL << 63);
		x = fit(&t, 0, MAX64, MAX64, 1, true, &found);
		CU_ASSERT(found && x == 1);
		x = fit(&t, 0, MAX64, MAX64, 2, true, &found);
		CU_ASSERT(found && x == 0);
		CU_ASSERT_EQUAL(dc_btree_check(&t, true), 0);
		bt_clear(&t, &a);
		CU_ASSERT_EQUAL(t.bytes, 0);
		CU_ASSERT_EQUAL(t.count, 0);
		CU_ASSERT_EQUAL(dc_btree_check(&t, true), 0);
	}
}

/*
 * ..[0x1001..0x1fff]..[0x3001..0x3fff]..[0x10001..0x1ffff]..
 * Expect: alignment 0x10000 is larger than every extent: only the third
 * one holds a multiple (0x20000 is past it): no fit either way, out
 * untouched; none at 2^63 either; alignment 0x1000 fits at 0x1f000.
 */
static void fit_alignment_larger_than_every_extent_fails(void)
{
	struct talloc ta;
	struct dc_btree_alloc a = ta_alloc(&ta);
	struct dc_btree t;
	bool found;
	dc_addr_t x;

	dc_btree_init(&t, DC_BTREE_PLAIN);
	bt_add(&t, &a, 0x1001, 0x1fff, 0);
	bt_add(&t, &a, 0x3001, 0x3fff, 0);
	bt_add(&t, &a, 0x10001, 0x1ffff, 0);
	x = fit(&t, 0, MAX64, 1, 0x10000, false, &found);
	CU_ASSERT(!found && x == 0xdead);
	x = fit(&t, 0, MAX64, 1, 0x10000, true, &found);
	CU_ASSERT(!found && x == 0xdead);
	x = fit(&t, 0, MAX64, 1, 1ULL << 63, true, &found);
	CU_ASSERT(!found && x == 0xdead);
	x = fit(&t, 0, MAX64, 1, 0x1000, true, &found);
	CU_ASSERT(found && x == 0x1f000);
	CU_ASSERT_EQUAL(dc_btree_check(&t, true), 0);
	bt_clear(&t, &a);
}

/*
 * single bytes at 10, 20, 30, ... 990 (99 extents: several leaves)
 * Expect: size 1 fits on any byte; the window [25, 55] gives 30 bottom-up
 * and 50 top-down, 40 top-down aligned 4; size 2 fits nowhere, nor size 1
 * in the gap [31, 39].
 */
static void fit_size_one_on_single_byte_extents(void)
{
	struct talloc ta;
	struct dc_btree_alloc a = ta_alloc(&ta);
	struct dc_btree t;
	bool found;
	dc_addr_t x;

	dc_btree_init(&t, DC_BTREE_PLAIN);
	for (int i = 0; i < 99; i++)
		bt_add(&t, &a, 10ULL * (i + 1), 10ULL * (i + 1), 0);
	CU_ASSERT(t.height >= 2);
	x = fit(&t, 25, 55, 1, 1, false, &found);
	CU_ASSERT(found && x == 30);
	x = fit(&t, 25, 55, 1, 1, true, &found);
	CU_ASSERT(found && x == 50);
	x = fit(&t, 25, 55, 1, 4, true, &found);
	CU_ASSERT(found && x == 40);
	x = fit(&t, 0, MAX64, 2, 1, false, &found);
	CU_ASSERT(!found && x == 0xdead);
	x = fit(&t, 31, 39, 1, 1, false, &found);
	CU_ASSERT(!found && x == 0xdead);
	CU_ASSERT_EQUAL(dc_btree_check(&t, true), 0);
	bt_clear(&t, &a);
}

/*
 *       lo=0x1800                 last=0x57ff
 *         |                           |
 * [0x1000 ..... 0x2fff]  [0x4000 .......... 0x7fff]  [0x9000..0xafff]
 * Expect: the window clips both extents; 0x1800 bottom-up (size 0x1000),
 * 0x4800 top-down; size 0x1800 fits the first clipped extent exactly,
 * 0x1801 neither; size 0x2000 fits nowhere inside the window; an empty
 * window (last < lo) fits nothing.
 */
static void fit_window_clips_extents(void)
{
	struct talloc ta;
	struct dc_btree_alloc a = ta_alloc(&ta);
	struct dc_btree t;
	bool found;
	dc_addr_t x;

	dc_btree_init(&t, DC_BTREE_PLAIN);
	bt_add(&t, &a, 0x1000, 0x2fff, 0);
	bt_add(&t, &a, 0x4000, 0x7fff, 0);
	bt_add(&t, &a, 0x9000, 0xafff, 0);
	x = fit(&t, 0x1800, 0x57ff, 0x1000, 1, false, &found);
	CU_ASSERT(found && x == 0x1800);
	x = fit(&t, 0x1800, 0x57ff, 0x1000, 1, true, &found);
	CU_ASSERT(found && x == 0x4800);
	x = fit(&t, 0x1800, 0x57ff, 0x1801, 1, false, &found);
	CU_ASSERT(!found && x == 0xdead);
	x = fit(&t, 0x1800, 0x57ff, 0x1800, 1, false, &found);
	CU_ASSERT(found && x == 0x1800);
	x = fit(&t, 0x1800, 0x57ff, 0x2000, 1, true, &found);
	CU_ASSERT(!found && x == 0xdead);
	x = fit(&t, 0x5000, 0x4fff, 1, 1, true, &found);	/* empty */
	CU_ASSERT(!found && x == 0xdead);
	CU_ASSERT_EQUAL(dc_btree_check(&t, true), 0);
	bt_clear(&t, &a);
}

/*
 * 4096 padding extents of 41 bytes at 128 i + 1 (no 64-aligned byte),
 * and one 4 KiB extent at 1 MiB below them (from the AVL's suite).
 * Expect: 24 bytes aligned 64 fit only the big extent (none without it);
 * aligned 8 they fit the topmost padding extent; 34 bytes aligned 8 fit a
 * padding extent exactly, 35 only unaligned.
 */
static void fit_skips_alignment_padding(void)
{
	enum { N = 4096 };
	struct talloc ta;
	struct dc_btree_alloc a = ta_alloc(&ta);
	struct dc_btree t;
	struct dc_btree_cur c;
	dc_addr_t base = 0x200000;
	bool found;

	dc_btree_init(&t, DC_BTREE_PLAIN);
	for (int i = 0; i < N; i++)
		bt_add(&t, &a, base + 128ULL * i + 1, base + 128ULL * i + 41, 0);
	CU_ASSERT_EQUAL(dc_btree_check(&t, true), 0);
	fit(&t, 0, MAX64, 24, 64, true, &found);
	CU_ASSERT_FALSE(found);
	fit(&t, 0, MAX64, 1, 128, false, &found);
	CU_ASSERT_FALSE(found);
	bt_add(&t, &a, 0x100000, 0x100fff, 0);
	CU_ASSERT_EQUAL(fit(&t, 0, MAX64, 24, 64, true, &found),
			0x100000 + 4096 - 64);
	CU_ASSERT_TRUE(found);
	CU_ASSERT_EQUAL(fit(&t, 0, MAX64, 24, 64, false, &found), 0x100000);
	CU_ASSERT_EQUAL(fit(&t, 0, MAX64, 24, 8, true, &found),
			(base + 128ULL * (N - 1) + 41 - 23) & ~7ULL);
	CU_ASSERT_EQUAL(fit(&t, 0x200000, MAX64, 24, 8, false, &found),
			base + 8);
	CU_ASSERT_EQUAL(fit(&t, 0x200000, MAX64, 34, 8, false, &found),
			base + 8);
	CU_ASSERT_EQUAL(fit(&t, 0x200000, MAX64, 35, 8, false, &found),
			0xdead);
	CU_ASSERT_FALSE(found);
	CU_ASSERT_EQUAL(fit(&t, 0x200000, MAX64, 35, 1, false, &found),
			base + 1);
	CU_ASSERT(dc_btree_find_le(&t, 0x100fff, &c) && c.base == 0x100000);
	dc_btree_erase(&t, &a, &c);
	fit(&t, 0, MAX64, 24, 64, false, &found);
	CU_ASSERT_FALSE(found);
	CU_ASSERT_EQUAL(dc_btree_check(&t, true), 0);
	bt_clear(&t, &a);
}

/*
 * [100..109] [120..129] ... 200 extents inserted in a scrambled order.
 * Expect: find_le gives the extent with the largest base <= addr; below
 * the first it fails and leaves the cursor before it, so next gives it;
 * first/next and last/prev walk the order both ways, and step off the
 * ends with the cursor unchanged.
 */
static void find_le_and_walk_follow_address_order(void)
{
	enum { N = 200 };
	struct talloc ta;
	struct dc_btree_alloc a = ta_alloc(&ta);
	struct dc_btree t;
	struct dc_btree_cur c;
	int i, k;

	dc_btree_init(&t, DC_BTREE_VALUED);
	for (i = 0; i < N; i++) {
		k = (i * 17) % N;
		bt_add(&t, &a, 20 * k + 100, 20 * k + 109, (uint32_t)k);
	}
	CU_ASSERT(t.height >= 2);
	CU_ASSERT_FALSE(dc_btree_find_le(&t, 99, &c));
	CU_ASSERT(dc_btree_next(&t, &c) && c.base == 100 && c.val == 0);
	CU_ASSERT(dc_btree_find_le(&t, 100, &c) && c.base == 100);
	CU_ASSERT(dc_btree_find_le(&t, 119, &c) && c.base == 100);
	CU_ASSERT(dc_btree_find_le(&t, 120, &c) && c.base == 120 && c.val == 1);
	CU_ASSERT(dc_btree_find_le(&t, MAX64, &c) && c.val == N - 1);
	for (i = 0, k = dc_btree_first(&t, &c); k; k = dc_btree_next(&t, &c))
		CU_ASSERT(c.base == 20ULL * i + 100 && c.val == (uint32_t)i++);
	CU_ASSERT_EQUAL(i, N);
	CU_ASSERT_EQUAL(c.val, N - 1);
	for (i = N - 1, k = dc_btree_last(&t, &c); k; k = dc_btree_prev(&t, &c))
		CU_ASSERT(c.last == 20ULL * i + 109 && c.val == (uint32_t)i--);
	CU_ASSERT_EQUAL(i, -1);
	CU_ASSERT_EQUAL(c.val, 0);
	CU_ASSERT_EQUAL(dc_btree_check(&t, true), 0);
	bt_clear(&t, &a);
	CU_ASSERT_FALSE(dc_btree_first(&t, &c));
	CU_ASSERT_FALSE(dc_btree_last(&t, &c));
	CU_ASSERT_FALSE(dc_btree_find_le(&t, 5, &c));
	CU_ASSERT_FALSE(dc_btree_next(&t, &c));
}

/*
 * [100..199] [300..399] [500..599], then 100 more to the right.
 * Expect: resize grows and shrinks in place, the cursor stays valid and
 * its copy follows; a grown extent is found by a fit of its new length;
 * growing the first extent of a leaf downwards keeps find_le exact (B7).
 */
static void resize_keeps_cursor_and_separators(void)
{
	struct talloc ta;
	struct dc_btree_alloc a = ta_alloc(&ta);
	struct dc_btree t;
	struct dc_btree_cur c;
	bool found;

	dc_btree_init(&t, DC_BTREE_PLAIN);
	for (int i = 0; i < 103; i++)
		bt_add(&t, &a, 200ULL * i + 100, 200ULL * i + 199, 0);
	CU_ASSERT(dc_btree_find_le(&t, 150, &c) && c.base == 100);
	dc_btree_resize(&t, &c, 0, 299);
	CU_ASSERT(c.base == 0 && c.last == 299);
	CU_ASSERT_EQUAL(t.bytes, 103 * 100 + 200);
	CU_ASSERT_EQUAL(dc_btree_check(&t, false), 0);
	CU_ASSERT_EQUAL(dc_btree_check(&t, true), 2);	/* touches the next */
	CU_ASSERT(dc_btree_next(&t, &c) && c.base == 300);
	CU_ASSERT(dc_btree_prev(&t, &c) && c.base == 0);
	CU_ASSERT_EQUAL(fit(&t, 0, MAX64, 300, 1, true, &found), 0);
	dc_btree_resize(&t, &c, 0, 9);
	CU_ASSERT_EQUAL(dc_btree_check(&t, true), 0);
	/* every extent moves its base down by 50: separators must follow */
	for (int i = 102; i >= 1; i--) {
		CU_ASSERT_FATAL(dc_btree_find_le(&t, 200ULL * i + 100, &c));
		dc_btree_resize(&t, &c, 200ULL * i + 50, c.last);
		CU_ASSERT(dc_btree_find_le(&t, 200ULL * i + 50, &c) &&
			  c.base == 200ULL * i + 50);
		CU_ASSERT(dc_btree_find_le(&t, 200ULL * i + 49, &c) &&
			  c.base != 200ULL * i + 50);
	}
	CU_ASSERT_EQUAL(dc_btree_check(&t, true), 0);
	bt_clear(&t, &a);
}

/* ------------------------------------------------------------ take, give */

static uint64_t rlog(uint64_t *rng, unsigned maxbits);

/* The extents of t, in order, as "base-last:val " text (for small trees). */
static void bt_text(const struct dc_btree *t, char *buf, size_t len)
{
	struct dc_btree_cur c;
	size_t k = 0;
	bool ok;

	buf[0] = 0;
	for (ok = dc_btree_first(t, &c); ok && k < len; ok = dc_btree_next(t, &c))
		k += (size_t)snprintf(buf + k, len - k, "%" PRIu64 "-%" PRIu64
				      ":%u ", c.base, c.last, c.val);
}

/*
 * [100 ........................ 199]   take 100-119, 190-199, 150-159
 * Expect: the left edge moves, the right edge moves, the middle splits
 * (the right piece keeps the value 7); taking a whole extent erases it.
 * Then give: 160-169 touches only its right neighbour... after a gap
 * the four merges: both sides, left only, right only, none; a neighbour
 * with another value does not merge; an overlap is DC_EEXIST.
 */
static void take_has_four_shapes_and_give_merges(void)
{
	struct talloc ta;
	struct dc_btree_alloc a = ta_alloc(&ta);
	struct dc_btree t;
	struct dc_btree_cur c;
	char buf[256];

	dc_btree_init(&t, DC_BTREE_VALUED);
	CU_ASSERT_EQUAL(dc_btree_give(&t, &a, 100, 199, 7), 0);
	CU_ASSERT(dc_btree_find_le(&t, 100, &c));
	CU_ASSERT_EQUAL(dc_btree_take(&t, &a, &c, 100, 119), 0);
	CU_ASSERT(dc_btree_find_le(&t, 190, &c));
	CU_ASSERT_EQUAL(dc_btree_take(&t, &a, &c, 190, 199), 0);
	CU_ASSERT(dc_btree_find_le(&t, 150, &c));
	CU_ASSERT_EQUAL(dc_btree_take(&t, &a, &c, 150, 159), 0);
	bt_text(&t, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "120-149:7 160-189:7 ");
	CU_ASSERT(dc_btree_find_le(&t, 170, &c));
	CU_ASSERT_EQUAL(dc_btree_take(&t, &a, &c, 160, 189), 0);
	bt_text(&t, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "120-149:7 ");

	CU_ASSERT_EQUAL(dc_btree_give(&t, &a, 160, 169, 7), 0);	/* none */
	CU_ASSERT_EQUAL(dc_btree_give(&t, &a, 150, 159, 7), 0);	/* both */
	CU_ASSERT_EQUAL(dc_btree_give(&t, &a, 170, 179, 7), 0);	/* left */
	CU_ASSERT_EQUAL(dc_btree_give(&t, &a, 110, 119, 7), 0);	/* right */
	CU_ASSERT_EQUAL(dc_btree_give(&t, &a, 180, 189, 8), 0);	/* other */
	CU_ASSERT_EQUAL(dc_btree_give(&t, &a, 100, 109, 6), 0);	/* other */
	bt_text(&t, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "100-109:6 110-179:7 180-189:8 ");
	CU_ASSERT_EQUAL(dc_btree_give(&t, &a, 189, 195, 8), DC_EEXIST);
	CU_ASSERT_EQUAL(dc_btree_give(&t, &a, 0, 100, 6), DC_EEXIST);
	CU_ASSERT_EQUAL(dc_btree_give(&t, &a, 150, 150, 7), DC_EEXIST);
	bt_text(&t, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "100-109:6 110-179:7 180-189:8 ");
	CU_ASSERT_EQUAL(dc_btree_check(&t, false), 0);
	bt_clear(&t, &a);
}

/*
 * A byte-level oracle: N bytes next to address 0 or 2^64 - 1, each absent
 * or present with a value (0 in a plain tree, 0..2 in a valued one).
 * Expect: the tree's extents are exactly the maximal runs of present
 * bytes of one value, after random gives (into gaps, some overlapping:
 * DC_EEXIST) and takes (any sub-range of an extent), some short of nodes
 * (DC_ENOSPC, nothing changed); compared after every split or merge past
 * a leaf, every change of height and every 512 steps.
 */
static int aug_exact(const struct dc_btree *t);

#define TG_N 65536u
#define TG_NONE 0xffffffffu

struct tg {
	uint32_t *val;		/* TG_N values, TG_NONE where absent */
	dc_addr_t off;		/* address of byte 0 */
	struct dc_btree t;
	struct talloc ta;
	struct dc_btree_alloc a;
	uint64_t rng;
	long gives, takes, eexist, enospc;
};

/* The tree against the runs of the oracle. */
static bool tg_same(const struct tg *g)
{
	struct dc_btree_cur c;
	uint32_t i = 0, j;
	bool ok = dc_btree_first(&g->t, &c);

	for (;;) {
		while (i < TG_N && g->val[i] == TG_NONE)
			i++;
		if (i == TG_N)
			return !ok;
		for (j = i; j + 1 < TG_N && g->val[j + 1] == g->val[i]; j++)
			;
		if (!ok || c.base != g->off + i || c.last != g->off + j ||
		    (g->t.kind && c.val != g->val[i]))
			return false;
		ok = dc_btree_next(&g->t, &c);
		i = j + 1;
	}
}

static bool tg_step(struct tg *g)
{
	uint32_t b = (uint32_t)h_rand_below(&g->rng, TG_N), l, i, v;
	struct dc_btree_cur c;
	dc_size_t count = g->t.count;
	bool dry = !h_rand_below(&g->rng, 16);
	int err, want;

	v = g->t.kind ? (uint32_t)h_rand_below(&g->rng, 3) : 0;
	if (g->val[b] == TG_NONE || h_rand_below(&g->rng, 8) == 0) {
		/* give [b, l]: into the gap, or across something */
		l = b + (uint32_t)rlog(&g->rng, 8);
		l = l >= TG_N ? TG_N - 1 : l;
		for (want = 0, i = b; i <= l; i++)
			want |= g->val[i] != TG_NONE;
		g->ta.budget = dry ? 0 : -1;
		err = dc_btree_give(&g->t, &g->a, g->off + b, g->off + l, v);
		g->ta.budget = -1;
		if (want)
			return err == DC_EEXIST && ++g->eexist;
		if (err == DC_ENOSPC && dry)
			return g->t.count == count && ++g->enospc;
		for (i = b; i <= l; i++)
			g->val[i] = v;
		return !err && ++g->gives;
	}
	/* take a sub-range of the extent holding b */
	v = g->val[b];
	for (i = b; i > 0 && g->val[i - 1] == v; i--)
		;
	for (l = b; l + 1 < TG_N && g->val[l + 1] == v; l++)
		;
	b = i + (uint32_t)h_rand_below(&g->rng, l - i + 1);
	l = b + (uint32_t)h_rand_below(&g->rng, l - b + 1);
	if (!dc_btree_find_le(&g->t, g->off + b, &c))
		return false;
	g->ta.budget = dry ? 0 : -1;
	err = dc_btree_take(&g->t, &g->a, &c, g->off + b, g->off + l);
	g->ta.budget = -1;
	if (err == DC_ENOSPC && dry)
		return g->t.count == count && ++g->enospc;
	for (i = b; i <= l; i++)
		g->val[i] = TG_NONE;
	return !err && ++g->takes;
}

static void take_and_give_keep_runs_maximal(void)
{
	long steps = nops / 5 < 1000 ? 1000 : nops / 5;
	struct tg g;

	for (int run = 0; run < 4; run++) {
		memset(&g, 0, sizeof(g));
		g.val = malloc(TG_N * sizeof(*g.val));
		CU_ASSERT_FATAL(g.val != NULL);
		memset(g.val, 0xff, TG_N * sizeof(*g.val));
		g.off = run & 1 ? 0 - (dc_addr_t)TG_N : 0;
		g.rng = seed0 ^ (0x7a6e + (uint64_t)run);
		g.a = ta_alloc(&g.ta);
		dc_btree_init(&g.t, run & 2 ? DC_BTREE_VALUED : DC_BTREE_PLAIN);
		for (long s = 0; s < steps; s++) {
			long live = g.ta.live, g0 = g.ta.gets;
			unsigned need = dc_btree_need(&g.t, 1);
			int h0 = g.t.height;

			if (!tg_step(&g)) {
				printf("\n  run %d step %ld: wrong result; replay "
				       "with DC_SEED=%" PRIu64 "\n", run, s, seed0);
				CU_FAIL_FATAL("take/give differ from the oracle");
			}
			if (g.ta.gets - g0 > (long)need)
				CU_FAIL_FATAL("take/give took more than promised");
			if ((((g.ta.live - live) * (g.ta.live - live) >= 4 ||
			      g.t.height != h0 || s % 512 == 0) &&
			     (dc_btree_check(&g.t, !g.t.kind) || !tg_same(&g))) ||
			    (s % 4096 == 0 && aug_exact(&g.t))) {
				printf("\n  run %d step %ld; replay with DC_SEED=%"
				       PRIu64 "\n", run, s, seed0);
				CU_FAIL_FATAL("tree differs from the oracle");
			}
		}
		CU_ASSERT(tg_same(&g));
		CU_ASSERT(g.gives > steps / 8 && g.takes > steps / 8 &&
			  g.eexist > 0 && g.enospc > 0);
		printf("\n  run %d: %ld gives, %ld takes, %ld overlaps, %ld short "
		       "of nodes, %" PRIu64 " extents, height %d ", run, g.gives,
		       g.takes, g.eexist, g.enospc, g.t.count, g.t.height);
		bt_clear(&g.t, &g.a);
		free(g.val);
	}
}

/* ------------------------------------------- structure, fill, node counts */

/* A deterministic permutation of 0..n-1 (n > 0), seeded. */
static uint64_t *perm(uint64_t n, uint64_t *rng)
{
	uint64_t *p = malloc(n * sizeof(*p)), i, j, x;

	CU_ASSERT_FATAL(p != NULL);
	for (i = 0; i < n; i++)
		p[i] = i;
	for (i = n - 1; i > 0; i--) {
		j = h_rand_below(rng, i + 1);
		x = p[i];
		p[i] = p[j];
		p[j] = x;
	}
	return p;
}

/*
 * Check after a step that split or merged (the node count moved), while
 * the tree is small, after every step that split or merged past the leaf
 * or changed the height, and every 4096 steps.
 */
static bool structural_check(const struct dc_btree *t, const struct talloc *ta,
			     long live0, int h0, long step)
{
	long d = ta->live - live0;

	if (!(d && t->count < 20000) && d * d < 4 && t->height == h0 &&
	    step % 4096)
		return true;
	return dc_btree_check(t, true) == 0;
}

/*
 * n extents [32 i, 32 i + 15], inserted ascending, descending or in random
 * order, then erased in random order down to nothing.
 * Expect: every insert takes at most dc_btree_need(t, 1) nodes and every
 * erase none; the tree is valid after every split or merge that crossed a
 * level or changed the height (and every one below 20000 extents); the height reaches 5; ascending (plain) and descending (valued)
 * inserts fill the leaves (< 20 and < 25 bytes an extent), random ones
 * (plain) to < 32; at the end the tree is empty and every node is back.
 */
static void splits_and_merges_at_every_level(void)
{
	const uint64_t n = 200000;
	struct talloc ta;
	struct dc_btree_alloc a = ta_alloc(&ta);
	uint64_t rng = seed0 ^ 0x5eed, *order, *del, i, k;
	struct dc_btree t;
	struct dc_btree_cur c;
	int maxh, pattern, h0;
	long g0, live0;
	unsigned need;

	for (pattern = 0; pattern < 3; pattern++) {
		order = perm(n, &rng);
		del = perm(n, &rng);
		dc_btree_init(&t, pattern == 1 ? DC_BTREE_VALUED : DC_BTREE_PLAIN);
		maxh = 0;
		for (i = 0; i < n; i++) {
			k = pattern == 0 ? i : pattern == 1 ? n - 1 - i : order[i];
			need = dc_btree_need(&t, 1);
			g0 = ta.gets;
			live0 = ta.live;
			h0 = t.height;
			bt_add(&t, &a, 32 * k, 32 * k + 15, (uint32_t)k);
			if (ta.gets - g0 > (long)need)
				CU_FAIL_FATAL("insert took more than dc_btree_need");
			if (!structural_check(&t, &ta, live0, h0, (long)i))
				CU_FAIL_FATAL("invariant broken after insert");
			if (t.height > maxh)
				maxh = t.height;
		}
		CU_ASSERT_EQUAL(dc_btree_check(&t, true), 0);
		CU_ASSERT(maxh >= 5);
		printf("\n  pattern %d: %" PRIu64 " extents, height %d, %.1f "
		       "bytes an extent ", pattern, n, maxh,
		       (double)ta.live * NS / (double)n);
		/* a full plain leaf: NS / CAP_PLAIN bytes an extent (16.5 with
		 * 512-byte nodes), a valued one NS / CAP_VALUED (20.5) */
		CU_ASSERT((double)ta.live * NS / (double)n <
			  (pattern == 0 ? 20 : pattern == 1 ? 25 : 32));
		for (i = 0; i < n; i++) {
			CU_ASSERT_FATAL(dc_btree_find_le(&t, 32 * del[i], &c) &&
					c.base == 32 * del[i]);
			CU_ASSERT(pattern != 1 || c.val == del[i]);
			g0 = ta.gets;
			live0 = ta.live;
			h0 = t.height;
			ta.budget = 0;
			dc_btree_erase(&t, &a, &c);
			ta.budget = -1;
			if (ta.gets != g0)
				CU_FAIL_FATAL("erase took a node");
			if (!structural_check(&t, &ta, live0, h0, (long)i))
				CU_FAIL_FATAL("invariant broken after erase");
		}
		CU_ASSERT_EQUAL(t.count, 0);
		CU_ASSERT_EQUAL(t.height, 0);
		CU_ASSERT_EQUAL(ta.live, 0);
		CU_ASSERT_EQUAL(dc_btree_check(&t, true), 0);
		free(order);
		free(del);
	}
}

/* A cheap fingerprint of the whole tree: every extent, in order. */
static uint64_t bt_digest(const struct dc_btree *t)
{
	struct dc_btree_cur c;
	uint64_t h = 1469598103934665603ULL;
	bool ok;

	for (ok = dc_btree_first(t, &c); ok; ok = dc_btree_next(t, &c))
		h = (h ^ c.base ^ c.last * 31 ^ c.val * 7ULL) * 1099511628211ULL;
	return h ^ t->count ^ t->bytes * 3 ^ (uint64_t)t->height << 56;
}

/*
 * Inserts ascending (every path full: splits at every level, new roots)
 * and in random order, each tried first with 0, 1, 2 ... nodes available
 * until it succeeds.
 * Expect: every attempt short of what it needs fails with DC_ENOSPC and
 * changes nothing (digest, check, nodes held); the attempt that succeeds
 * had at most dc_btree_need(t, 1) nodes, and the new-root case needs
 * exactly height + 1.
 */
static void insert_short_of_nodes_fails_unchanged(void)
{
	struct talloc ta;
	struct dc_btree_alloc a = ta_alloc(&ta);
	uint64_t rng = seed0 ^ 0xa70, *order, d, k;
	struct dc_btree t;
	long budget, live, roots = 0;
	unsigned need;
	int r;

	for (int pattern = 0; pattern < 2; pattern++) {
		order = perm(6000, &rng);
		dc_btree_init(&t, pattern ? DC_BTREE_VALUED : DC_BTREE_PLAIN);
		for (uint64_t i = 0; i < 6000; i++) {
			k = pattern ? order[i] : i;
			need = dc_btree_need(&t, 1);
			d = t.count < 400 || i % 16 == 0 ? bt_digest(&t) : 0;
			live = ta.live;
			for (budget = 0;; budget++) {
				int h = t.height;

				ta.budget = budget;
				r = dc_btree_insert(&t, &a, NULL, 64 * k,
						    64 * k + 31, (uint32_t)k);
				ta.budget = -1;
				if (!r) {
					roots += t.height > h;
					if (t.height > h)
						CU_ASSERT_EQUAL(budget, (long)need);
					break;
				}
				CU_ASSERT_EQUAL_FATAL(r, DC_ENOSPC);
				CU_ASSERT_EQUAL_FATAL(ta.live, live);
				if (d)
					CU_ASSERT_FATAL(bt_digest(&t) == d);
				if (budget >= (long)need)
					CU_FAIL_FATAL("needs more than promised");
			}
			if (t.count < 400 || i % 64 == 0)
				CU_ASSERT_EQUAL_FATAL(dc_btree_check(&t, true), 0);
		}
		CU_ASSERT_EQUAL(dc_btree_check(&t, true), 0);
		bt_clear(&t, &a);
		free(order);
	}
	CU_ASSERT(roots >= 6);
}

/*
 * The bench layout of issue 15: one 16 GiB node, N = 10^5 one-page
 * reservations at distinct random pages, made in random order, each
 * taking its page out of the free extent that holds it (resize, and an
 * insert placed by the resized extent's cursor).
 * Expect: N + 1 free extents (no two reserved pages adjacent by
 * construction) in at most 32 bytes each, internal nodes included.
 */
static void scattered_reservations_cost_under_32_bytes(void)
{
	const uint64_t n = 100000, pages = 16ULL << 18, base = 1ULL << 30;
	struct talloc ta;
	struct dc_btree_alloc a = ta_alloc(&ta);
	uint64_t rng = seed0 ^ 0xb17e, *slot, pg;
	struct dc_btree t;
	struct dc_btree_cur c;
	double per;

	/* n distinct pages, never adjacent: page 2 s + 1 of a random slot s */
	slot = perm(pages / 2 - 1, &rng);
	dc_btree_init(&t, DC_BTREE_PLAIN);
	bt_add(&t, &a, base, base + (pages << 12) - 1, 0);
	for (uint64_t i = 0; i < n; i++) {
		pg = base + ((2 * slot[i] + 1) << 12);
		CU_ASSERT_FATAL(dc_btree_find_le(&t, pg, &c) && c.last > pg);
		{
			dc_addr_t l = c.last;

			/* as the tree backend will: the cursor of the resized
			 * extent places the insert, no second descent */
			dc_btree_resize(&t, &c, c.base, pg - 1);
			CU_ASSERT_EQUAL_FATAL(dc_btree_insert(&t, &a, &c, pg + 4096,
							      l, 0), 0);
		}
	}
	CU_ASSERT_EQUAL(t.count, n + 1);
	CU_ASSERT_EQUAL(dc_btree_check(&t, true), 0);
	per = (double)ta.live * NS / (double)t.count;
	printf("\n  %" PRIu64 " extents in %ld nodes: %.1f bytes an extent, "
	       "height %d ", t.count, ta.live, per, t.height);
	CU_ASSERT(per <= 32);
	bt_clear(&t, &a);
	free(slot);
}

/* ---------------------------------------------------- corrupted invariants */

/* Byte offsets of the layout drawn in core/btree.h. */
#define FAN DC_BTREE_FANOUT
#define IN_KEY 8
#define IN_MAX (8 + 8 * FAN)
#define IN_SLACK (8 + 16 * FAN)
#define IN_CHILD (8 + 20 * FAN)
#define LF_BASE 8
#define LF_LAST (8 + 8 * DC_BTREE_CAP_PLAIN)

static unsigned char *nb(struct dc_btree_node *n)
{
	return (unsigned char *)n;
}

static struct dc_btree_node *kid(struct dc_btree_node *n, int i)
{
	struct dc_btree_node *k;

	memcpy(&k, nb(n) + IN_CHILD + 8 * i, sizeof(k));
	return k;
}

/*
 * The augmentation by brute force (B3, B6, B7), from the extents alone and
 * not through core/btree.c's own bt_sum(), which dc_btree_check() uses:
 * for each internal entry, the first base, the longest span and, for
 * each class A = 8 << c, max minus the longest A-aligned span
 * (last - align_up(base, A)) of the child's subtree, 0x40 when no
 * extent there holds an A-aligned byte.
 */
struct aug {
	uint64_t first, max, best[4];
	bool seen, any[4];
};

static void aug_gather(const struct dc_btree *t, struct dc_btree_node *n,
		       unsigned lv, struct aug *g)
{
	uint64_t b, l, a, al;

	for (unsigned i = 0; i < nb(n)[0]; i++) {
		if (lv) {
			aug_gather(t, kid(n, (int)i), lv - 1, g);
			continue;
		}
		memcpy(&b, nb(n) + LF_BASE + 8 * i, 8);
		memcpy(&l, nb(n) + 8 + 8 * t->cap + 8 * i, 8);
		if (!g->seen)
			g->first = b;
		g->seen = true;
		g->max = l - b > g->max ? l - b : g->max;
		for (unsigned c = 0; c < 4; c++) {
			al = 8ULL << c;
			a = b + (-b & (al - 1));	/* wraps below b: none */
			if (a >= b && a <= l && (!g->any[c] ||
						 l - a > g->best[c])) {
				g->best[c] = l - a;
				g->any[c] = true;
			}
		}
	}
}

/* 0, or what dc_btree_check() would name: 3 (max), 6 (slack), 7 (key). */
static int aug_node(const struct dc_btree *t, struct dc_btree_node *n,
		    unsigned lv)
{
	uint64_t key, max;
	int r;

	for (unsigned i = 0; lv && i < nb(n)[0]; i++) {
		struct aug g = { 0 };

		aug_gather(t, kid(n, (int)i), lv - 1, &g);
		memcpy(&key, nb(n) + IN_KEY + 8 * i, 8);
		memcpy(&max, nb(n) + IN_MAX + 8 * i, 8);
		if (max != g.max)
			return 3;
		for (unsigned c = 0; c < 4; c++)
			if (nb(n)[IN_SLACK + 4 * i + c] !=
			    (g.any[c] ? g.max - g.best[c] : 0x40))
				return 6;
		if (key != g.first)
			return 7;
		r = aug_node(t, kid(n, (int)i), lv - 1);
		if (r)
			return r;
	}
	return 0;
}

static int aug_exact(const struct dc_btree *t)
{
	return t->root ? aug_node(t, t->root, t->height - 1u) : 0;
}

/*
 * 2000 extents (height 3 or more); fields of the root, an inner node and a leaf
 * changed by hand, one at a time, then put back.
 * Expect: dc_btree_check names the broken invariant: 1 (overlap), 3
 * (max), 4 (count, level, a child
 * pointing back at the root: no endless walk), 5 (count), 6 (slack), 7
 * (key); 0 again after each repair.
 */
static void check_reports_corrupted_invariant(void)
{
	struct talloc ta;
	struct dc_btree_alloc a = ta_alloc(&ta);
	struct dc_btree t;
	struct dc_btree_node *root, *in, *leaf, *save;
	unsigned char b;
	uint64_t v;

	dc_btree_init(&t, DC_BTREE_PLAIN);
	for (int i = 0; i < 2000; i++)
		bt_add(&t, &a, 1000ULL * i, 1000ULL * i + 99 + i % 50, 0);
	CU_ASSERT_FATAL(dc_btree_check(&t, true) == 0 && t.height >= 3);
	CU_ASSERT_EQUAL(aug_exact(&t), 0);
	root = t.root;
	in = kid(root, 1);
	leaf = in;
	while (nb(leaf)[1])
		leaf = kid(leaf, 1);

	memcpy(&v, nb(leaf) + LF_BASE + 8, 8);	/* base[1] := last[0] */
	memcpy(nb(leaf) + LF_BASE + 8, nb(leaf) + LF_LAST, 8);
	CU_ASSERT_EQUAL(dc_btree_check(&t, false), 1);
	memcpy(nb(leaf) + LF_BASE + 8, &v, 8);
	CU_ASSERT_EQUAL(dc_btree_check(&t, true), 0);

	memcpy(&v, nb(in) + IN_MAX, 8);
	v++;
	memcpy(nb(in) + IN_MAX, &v, 8);
	CU_ASSERT_EQUAL(dc_btree_check(&t, true), 3);
	CU_ASSERT_EQUAL(aug_exact(&t), 3);
	v--;
	memcpy(nb(in) + IN_MAX, &v, 8);

	b = nb(in)[0];
	nb(in)[0] = FAN / 2 - 1;	/* below half: B4 */
	CU_ASSERT_EQUAL(dc_btree_check(&t, true), 4);
	nb(in)[0] = 200;		/* past the capacity: not read */
	CU_ASSERT_EQUAL(dc_btree_check(&t, true), 4);
	nb(in)[0] = b;
	nb(leaf)[1] = 1;		/* a leaf that claims a level */
	CU_ASSERT_EQUAL(dc_btree_check(&t, true), 4);
	nb(leaf)[1] = 0;
	save = kid(in, 0);
	memcpy(nb(in) + IN_CHILD, &root, sizeof(root));	/* a cycle */
	CU_ASSERT_EQUAL(dc_btree_check(&t, true), 4);
	memcpy(nb(in) + IN_CHILD, &save, sizeof(save));
	CU_ASSERT_EQUAL(dc_btree_check(&t, true), 0);

	t.count++;
	CU_ASSERT_EQUAL(dc_btree_check(&t, true), 5);
	t.count--;
	t.bytes--;
	CU_ASSERT_EQUAL(dc_btree_check(&t, true), 5);
	t.bytes++;

	nb(in)[IN_SLACK + 1] ^= 1;	/* class 16 of child 0 */
	CU_ASSERT_EQUAL(dc_btree_check(&t, true), 6);
	CU_ASSERT_EQUAL(aug_exact(&t), 6);
	nb(in)[IN_SLACK + 1] ^= 1;

	memcpy(&v, nb(root) + IN_KEY + 8, 8);
	v--;
	memcpy(nb(root) + IN_KEY + 8, &v, 8);
	CU_ASSERT_EQUAL(dc_btree_check(&t, true), 7);
	CU_ASSERT_EQUAL(aug_exact(&t), 7);
	v++;
	memcpy(nb(root) + IN_KEY + 8, &v, 8);
	CU_ASSERT_EQUAL(dc_btree_check(&t, true), 0);

	t.height++;
	CU_ASSERT_EQUAL(dc_btree_check(&t, true), 4);
	t.height--;
	bt_clear(&t, &a);
}

/*
 * The tree of check_reports_corrupted_invariant(); several fields broken
 * at once, and an empty tree whose fields disagree.
 * Expect: the smallest broken number wins whichever the walk meets first:
 * 7 (root key) then 3 (max of the inner node below it) gives 3, and a
 * leaf with too few entries found after that (4) still gives 3; a
 * missing child or a height past DC_BTREE_MAX_HEIGHT is 4; a leaf extent
 * ending before it starts is 1. An empty tree with a root, a count or
 * bytes is 4, 5, 5; each is 0 again once repaired.
 */
static void check_reports_smallest_of_several(void)
{
	struct talloc ta;
	struct dc_btree_alloc a = ta_alloc(&ta);
	struct dc_btree t, e;
	struct dc_btree_node *root, *in, *leaf, *save, *none = NULL, lone;
	uint64_t key, max, last, base;
	unsigned char cnt;
	unsigned h;

	dc_btree_init(&t, DC_BTREE_PLAIN);
	for (int i = 0; i < 2000; i++)
		bt_add(&t, &a, 1000ULL * i, 1000ULL * i + 99 + i % 50, 0);
	CU_ASSERT_FATAL(dc_btree_check(&t, true) == 0 && t.height >= 3);
	CU_ASSERT_EQUAL(aug_exact(&t), 0);
	root = t.root;
	in = kid(root, 1);
	leaf = in;
	while (nb(leaf)[1])
		leaf = kid(leaf, 1);

	memcpy(&key, nb(root) + IN_KEY + 8, 8);
	key--;
	memcpy(nb(root) + IN_KEY + 8, &key, 8);
	CU_ASSERT_EQUAL(dc_btree_check(&t, true), 7);
	memcpy(&max, nb(in) + IN_MAX, 8);
	max++;
	memcpy(nb(in) + IN_MAX, &max, 8);
	CU_ASSERT_EQUAL(dc_btree_check(&t, true), 3);
	cnt = nb(leaf)[0];
	nb(leaf)[0] = 0;
	CU_ASSERT_EQUAL(dc_btree_check(&t, true), 3);
	nb(leaf)[0] = cnt;
	max--;
	memcpy(nb(in) + IN_MAX, &max, 8);
	key++;
	memcpy(nb(root) + IN_KEY + 8, &key, 8);
	CU_ASSERT_EQUAL(dc_btree_check(&t, true), 0);

	save = kid(in, 0);
	memcpy(nb(in) + IN_CHILD, &none, sizeof(none));
	CU_ASSERT_EQUAL(dc_btree_check(&t, true), 4);
	memcpy(nb(in) + IN_CHILD, &save, sizeof(save));
	h = t.height;
	t.height = DC_BTREE_MAX_HEIGHT + 1;
	CU_ASSERT_EQUAL(dc_btree_check(&t, true), 4);
	t.height = h;
	CU_ASSERT_EQUAL(dc_btree_check(&t, true), 0);

	leaf = t.root;
	while (nb(leaf)[1])
		leaf = kid(leaf, 0);
	memcpy(&last, nb(leaf) + LF_LAST, 8);
	memcpy(&base, nb(leaf) + LF_BASE, 8);
	last++;
	memcpy(nb(leaf) + LF_BASE, &last, 8);	/* base[0] past last[0] */
	CU_ASSERT_EQUAL(dc_btree_check(&t, false), 1);
	memcpy(nb(leaf) + LF_BASE, &base, 8);
	CU_ASSERT_EQUAL(dc_btree_check(&t, true), 0);
	bt_clear(&t, &a);

	dc_btree_init(&e, DC_BTREE_PLAIN);
	CU_ASSERT_EQUAL(dc_btree_check(&e, true), 0);
	e.root = &lone;		/* never read: the height says empty */
	CU_ASSERT_EQUAL(dc_btree_check(&e, true), 4);
	e.root = NULL;
	e.count = 1;
	CU_ASSERT_EQUAL(dc_btree_check(&e, true), 5);
	e.count = 0;
	e.bytes = 1;
	CU_ASSERT_EQUAL(dc_btree_check(&e, true), 5);
	e.bytes = 0;
	CU_ASSERT_EQUAL(dc_btree_check(&e, true), 0);
}

/*
 * [0..99] [100..199]: touching extents.
 * Expect: B2 fails only when the caller asks for maximal extents; a
 * resize that opens a gap repairs it.
 */
static void check_reports_touching_extents_only_when_maximal(void)
{
	struct talloc ta;
	struct dc_btree_alloc a = ta_alloc(&ta);
	struct dc_btree t;
	struct dc_btree_cur c;

	dc_btree_init(&t, DC_BTREE_PLAIN);
	bt_add(&t, &a, 100, 199, 0);
	bt_add(&t, &a, 0, 99, 0);
	CU_ASSERT_EQUAL(dc_btree_check(&t, true), 2);
	CU_ASSERT_EQUAL(dc_btree_check(&t, false), 0);
	CU_ASSERT(dc_btree_find_le(&t, 100, &c));
	dc_btree_resize(&t, &c, 101, 199);
	CU_ASSERT_EQUAL(dc_btree_check(&t, true), 0);
	bt_clear(&t, &a);
}

/* ---------------------------- find_fit against a linear scan, extent sets */

/* One extent of a sorted array, the oracle of every search. */
struct orc {
	dc_addr_t base, last;
	uint32_t val;
};

/* Index of the first extent of o[0..n) with base > addr. */
static int sorted_upper(const struct orc *o, int n, dc_addr_t addr)
{
	int lo = 0, hi = n;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (o[mid].base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

typedef unsigned __int128 u128;

/*
 * The oracle of every fit: the lowest (or highest) aligned fit inside the
 * window, by trying each extent of the sorted array o[0..n) in turn, in
 * 128-bit arithmetic so that it shares no code with core/range.h or
 * core/btree.c. Only the window bounds the scan (a bisection finds the
 * first extent that may reach into it, and the scan ends past its far
 * edge); no extent is skipped for its length or alignment. Returns the
 * index of the extent holding the fit, or -1.
 */
static int scan_fit(const struct orc *o, int n, const struct dc_window *w,
		    dc_addr_t *out)
{
	int i = sorted_upper(o, n, w->top_down ? w->last : w->lo) - 1;

	if (!w->top_down && i < 0)
		i = 0;
	for (; i >= 0 && i < n; i += w->top_down ? -1 : 1) {
		u128 b = o[i].base > w->lo ? o[i].base : w->lo;
		u128 l = o[i].last < w->last ? o[i].last : w->last;
		u128 x;

		if (w->top_down ? o[i].last < w->lo : o[i].base > w->last)
			break;
		if (b + w->size > l + 1)
			continue;
		if (w->top_down)
			x = (l + 1 - w->size) / w->align * w->align;
		else
			x = (b + w->align - 1) / w->align * w->align;
		if (x < b || x + w->size > l + 1)
			continue;
		*out = (dc_addr_t)x;
		return i;
	}
	return -1;
}

static uint64_t rlog(uint64_t *rng, unsigned maxbits)	/* < 2^maxbits */
{
	unsigned k = (unsigned)h_rand_below(rng, maxbits + 1);

	if (k <= 1)
		return k;
	return (1ULL << (k - 1)) | (h_rand(rng) >> (65 - k));
}

static dc_size_t ralign(uint64_t *rng)
{
	switch (h_rand_below(rng, 4)) {
	case 0:
		return 1ULL << h_rand_below(rng, 64);
	case 1:
		return 1ULL << (3 + h_rand_below(rng, 4));	/* 8 .. 64 */
	default:
		return 1ULL << h_rand_below(rng, 13);
	}
}

/* Append [base, last] (above every extent so far) to the tree and the
 * array; its value is its index. */
static void set_add(struct dc_btree *t, const struct dc_btree_alloc *a,
		    struct orc *o, int *n, dc_addr_t base, dc_addr_t last)
{
	bt_add(t, a, base, last, (uint32_t)*n);
	o[*n] = (struct orc){ base, last, (uint32_t)*n };
	++*n;
}

/*
 * Random extent sets of four shapes: pages and their multiples (what the
 * tree backend holds), alignment padding (1..63 bytes at odd addresses),
 * log-uniform sizes anywhere in the address space, and a few extents
 * near 0 and 2^64 - 1. For each, thousands of random windows, sizes
 * (1 .. 2^63) and alignments (1 .. 2^63), both directions.
 * Expect: dc_btree_find_fit() and a linear scan of the same extents
 * (scan_fit()) return the same extent (and value, in a valued tree) and
 * the same address, or both none.
 */
static void find_fit_matches_linear_scan_on_random_sets(void)
{
	struct talloc ta;
	struct dc_btree_alloc a = ta_alloc(&ta);
	uint64_t rng = seed0 ^ 0xf17, pos, size, gap;
	long agree = 0, found = 0;
	struct dc_btree t;
	struct dc_btree_cur c;
	struct orc *o;
	int no;

	o = calloc(20000, sizeof(*o));
	CU_ASSERT_FATAL(o != NULL);
	for (int set = 0; set < 40; set++) {
		int shape = set % 4, n = 1 + (int)rlog(&rng, 14);

		if (n > 20000)
			n = 20000;
		dc_btree_init(&t, shape & 1 ? DC_BTREE_VALUED : DC_BTREE_PLAIN);
		no = 0;
		pos = shape == 3 ? 0 : h_rand(&rng) >> 8;
		for (int i = 0; i < n; i++) {
			switch (shape) {
			case 0:		/* pages */
				gap = 4096 * (1 + h_rand_below(&rng, 4));
				size = 4096 * (1 + rlog(&rng, 6));
				break;
			case 1:		/* padding */
				gap = 64 * (1 + h_rand_below(&rng, 3)) +
				      h_rand_below(&rng, 64);
				size = 1 + h_rand_below(&rng, 63);
				break;
			case 2:		/* anything */
				gap = 1 + rlog(&rng, 40);
				size = 1 + rlog(&rng, 36);
				break;
			default:	/* low, then high */
				gap = 1 + rlog(&rng, 12);
				size = 1 + rlog(&rng, 12);
				if (i == n / 2)
					gap = MAX64 - pos - 8192 * (dc_size_t)
					      (n - i) - h_rand_below(&rng, 64);
				break;
			}
			if (gap > MAX64 - pos || size > MAX64 - pos - gap)
				break;
			pos += gap;
			set_add(&t, &a, o, &no, pos, pos + size - 1);
			pos += size;
		}
		if (shape == 3 && pos < MAX64 - 4)
			set_add(&t, &a, o, &no, MAX64 - 3, MAX64);
		CU_ASSERT_FATAL(dc_btree_check(&t, true) == 0);
		CU_ASSERT_EQUAL(aug_exact(&t), 0);
		for (int q = 0; q < 4000; q++) {
			struct dc_window w;
			dc_addr_t x1 = 0xdead, x2 = 0xdead;
			bool f1;
			int j = (int)h_rand_below(&rng, (uint64_t)no), e;

			w.lo = h_rand_below(&rng, 3) ? o[j].base -
			       h_rand_below(&rng, 100) : h_rand(&rng);
			if (!h_rand_below(&rng, 4))
				w.lo = 0;
			w.last = h_rand_below(&rng, 3) ? MAX64 :
				 w.lo + rlog(&rng, 64);
			if (w.last < w.lo)
				w.last = MAX64;
			w.size = h_rand_below(&rng, 2) ? 1 + rlog(&rng, 16) :
				 o[h_rand_below(&rng, (uint64_t)no)].last -
				 o[j].base + 1 - h_rand_below(&rng, 2);
			if (!w.size)
				w.size = 1;
			if (!h_rand_below(&rng, 32))
				w.size = 1ULL << 63;
			w.align = ralign(&rng);
			w.top_down = h_rand_below(&rng, 2);
			f1 = dc_btree_find_fit(&t, &w, &c, &x1);
			e = scan_fit(o, no, &w, &x2);
			if (f1 != (e >= 0) || x1 != x2 ||
			    (e >= 0 && (c.base != o[e].base ||
					c.last != o[e].last ||
					c.val != (t.kind ? o[e].val : 0)))) {
				printf("\n  set %d q %d: window [%#" PRIx64 "-%#"
				       PRIx64 "] size %#" PRIx64 " align %#"
				       PRIx64 " %s: btree %#" PRIx64 " scan %#"
				       PRIx64 "; replay with DC_SEED=%" PRIu64
				       "\n", set, q, w.lo, w.last, w.size,
				       w.align, w.top_down ? "down" : "up",
				       x1, x2, seed0);
				CU_FAIL_FATAL("find_fit differs from the scan");
			}
			agree++;
			found += f1;
		}
		bt_clear(&t, &a);
	}
	printf("\n  %ld queries agree, %ld with a fit ", agree, found);
	CU_ASSERT(found > agree / 8 && found < agree - agree / 8);
	free(o);
}

/* --------------------------------------------------------- randomised test */

/*
 * The module alone at DC_OPS (default 10^6) operations against a sorted
 * array: inserts into random gaps (addresses near 0, 2^64 - 1, powers of
 * two, other extents' edges, or anywhere; touching allowed), placed by a
 * descent or by a cursor on either neighbour (a failed insert keeps its
 * cursor valid: the retry uses it), erases,
 * resizes through a cursor (which must stay valid), and after each step
 * find_le, a short walk either way, and find_fit in both directions with
 * random windows, sizes and alignments up to 2^63, each compared with a
 * linear scan of the array (scan_fit()). Two B-trees, one plain and one
 * valued, follow the same steps. The size of the set wanders between a
 * few and several thousand extents, so the height moves between 1 and 5.
 */

#define RT_MAX 12000

struct rt {
	uint64_t rng;
	struct orc o[RT_MAX];
	int n;
	dc_size_t bytes;
	struct dc_btree t[2];		/* plain, valued */
	struct talloc ta[2];
	struct dc_btree_alloc a[2];
	long step, fits, nofits, enospc;
	int maxh;
};

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > MAX64 - b ? MAX64 : a + b;
}

static uint64_t sat_sub(uint64_t a, uint64_t b)
{
	return a < b ? 0 : a - b;
}

static uint64_t rt_between(struct rt *r, uint64_t lo, uint64_t hi)
{
	if (hi - lo == MAX64)
		return h_rand(&r->rng);
	return lo + h_rand_below(&r->rng, hi - lo + 1);
}

static dc_addr_t rt_addr(struct rt *r)
{
	unsigned k;

	switch (h_rand_below(&r->rng, 6)) {
	case 0:
		return rlog(&r->rng, 16);
	case 1:
		return MAX64 - rlog(&r->rng, 16);
	case 2:
		k = (unsigned)h_rand_below(&r->rng, 64);
		return h_rand_below(&r->rng, 2) ?
		       sat_add(1ULL << k, rlog(&r->rng, 12)) :
		       sat_sub(1ULL << k, rlog(&r->rng, 12));
	case 3:
		if (r->n) {
			const struct orc *o = &r->o[h_rand_below(&r->rng,
							(uint64_t)r->n)];

			return h_rand_below(&r->rng, 2) ?
			       sat_add(o->last, rlog(&r->rng, 10)) :
			       sat_sub(o->base, rlog(&r->rng, 10));
		}
		return h_rand(&r->rng);
	default:
		return h_rand(&r->rng);
	}
}

static int orc_upper(const struct rt *r, dc_addr_t addr)
{
	return sorted_upper(r->o, r->n, addr);
}

static bool rt_fail(const struct rt *r, const char *what)
{
	printf("\n  test_btree: step %ld: %s; replay with DC_SEED=%" PRIu64
	       "\n", r->step, what, seed0);
	return false;
}

/*
 * Where an insert starts: no hint (a descent), or a cursor on the
 * neighbour before (find_le), after (find_le, then next), or before the
 * first extent. False if the lookup itself is wrong.
 */
static bool rt_hint(struct rt *r, int k, dc_addr_t base,
		    struct dc_btree_cur *c, struct dc_btree_cur **hint)
{
	bool le;

	*hint = NULL;
	if (!r->t[k].count || !h_rand_below(&r->rng, 3))
		return true;
	le = dc_btree_find_le(&r->t[k], base, c);
	if (le && c->base >= base)
		return false;
	if (h_rand_below(&r->rng, 2))
		dc_btree_next(&r->t[k], c);	/* the successor, if any */
	*hint = c;
	return true;
}

/* Insert into both B-trees, sometimes short of nodes first. */
static bool rt_bt_insert(struct rt *r, dc_addr_t base, dc_addr_t last,
			 uint32_t val)
{
	for (int k = 0; k < 2; k++) {
		struct talloc *ta = &r->ta[k];
		unsigned need = dc_btree_need(&r->t[k], 1);
		long g0, live = ta->live;
		dc_size_t count = r->t[k].count;
		struct dc_btree_cur c, *hint;
		int err;

		if (!rt_hint(r, k, base, &c, &hint))
			return rt_fail(r, "find_le before insert");
		if (!h_rand_below(&r->rng, 64)) {
			ta->budget = (long)h_rand_below(&r->rng, need);
			err = dc_btree_insert(&r->t[k], &r->a[k], hint, base,
					      last, val);
			ta->budget = -1;
			if (!err)
				continue;	/* it needed no more */
			r->enospc++;
			if (err != DC_ENOSPC || ta->live != live ||
			    r->t[k].count != count ||
			    dc_btree_check(&r->t[k], false))
				return rt_fail(r, "failed insert changed");
		}
		g0 = ta->gets;
		if (dc_btree_insert(&r->t[k], &r->a[k], hint, base, last, val))
			return rt_fail(r, "insert failed");
		if (ta->gets - g0 > (long)need)
			return rt_fail(r, "insert took more than promised");
	}
	return true;
}

static int rt_insert(struct rt *r)
{
	dc_addr_t base = rt_addr(r), last, gl, gr;
	dc_size_t size = 1 + rlog(&r->rng, h_rand_below(&r->rng, 2) ? 20 : 63);
	uint32_t val = (uint32_t)h_rand(&r->rng);
	int i = orc_upper(r, base);

	if (i > 0 && r->o[i - 1].last >= base) {
		/* taken: start in a random gap instead, if it has room */
		i = (int)h_rand_below(&r->rng, (uint64_t)r->n + 1);
		gl = i > 0 ? r->o[i - 1].last : 0;
		gr = i < r->n ? r->o[i].base : MAX64;
		if ((i > 0 && gl++ == MAX64) || (i < r->n && gr-- == 0) ||
		    gl > gr)
			return 0;
		base = h_rand_below(&r->rng, 2) ? gl : rt_between(r, gl, gr);
	}
	last = sat_add(base, size - 1);
	if (i < r->n && r->o[i].base <= last)
		last = r->o[i].base - 1;
	if (!rt_bt_insert(r, base, last, val))
		return -1;
	memmove(&r->o[i + 1], &r->o[i], (size_t)(r->n - i) * sizeof(r->o[0]));
	r->o[i] = (struct orc){ base, last, val };
	r->n++;
	r->bytes += last - base + 1;
	return 1;
}

static bool rt_erase(struct rt *r)
{
	int i = (int)h_rand_below(&r->rng, (uint64_t)r->n);
	struct dc_btree_cur c;

	for (int k = 0; k < 2; k++) {
		long g0 = r->ta[k].gets;

		if (!dc_btree_find_le(&r->t[k], r->o[i].base, &c) ||
		    c.base != r->o[i].base || c.last != r->o[i].last)
			return rt_fail(r, "find_le before erase");
		r->ta[k].budget = 0;
		dc_btree_erase(&r->t[k], &r->a[k], &c);
		r->ta[k].budget = -1;
		if (r->ta[k].gets != g0)
			return rt_fail(r, "erase took a node");
	}
	r->bytes -= r->o[i].last - r->o[i].base + 1;
	memmove(&r->o[i], &r->o[i + 1], (size_t)(r->n - i - 1) * sizeof(r->o[0]));
	r->n--;
	return true;
}

static bool rt_resize(struct rt *r)
{
	int i = (int)h_rand_below(&r->rng, (uint64_t)r->n);
	struct orc *o = &r->o[i];
	dc_addr_t gl = i > 0 ? r->o[i - 1].last + 1 : 0;
	dc_addr_t gr = i + 1 < r->n ? r->o[i + 1].base - 1 : MAX64;
	dc_addr_t b, l, x;
	struct dc_btree_cur c;

	if (h_rand_below(&r->rng, 2)) {
		b = h_rand_below(&r->rng, 2) ? sat_sub(o->base, rlog(&r->rng, 12))
					     : sat_add(o->base, rlog(&r->rng, 12));
		l = h_rand_below(&r->rng, 2) ? sat_sub(o->last, rlog(&r->rng, 12))
					     : sat_add(o->last, rlog(&r->rng, 12));
		b = b < gl ? gl : b > gr ? gr : b;
		l = l < gl ? gl : l > gr ? gr : l;
	} else {
		b = rt_between(r, gl, gr);
		l = h_rand_below(&r->rng, 4) ? rt_between(r, gl, gr) : gr;
	}
	if (b > l) {
		x = b;
		b = l;
		l = x;
	}
	for (int k = 0; k < 2; k++) {
		long g0 = r->ta[k].gets;

		if (!dc_btree_find_le(&r->t[k], o->base, &c) || c.base != o->base)
			return rt_fail(r, "find_le before resize");
		r->ta[k].budget = 0;
		dc_btree_resize(&r->t[k], &c, b, l);
		r->ta[k].budget = -1;
		if (r->ta[k].gets != g0 || c.base != b || c.last != l ||
		    c.val != (k ? o->val : 0))
			return rt_fail(r, "resize: cursor or nodes");
		/* the cursor stays valid: its neighbours are the oracle's */
		if (i + 1 < r->n && (!dc_btree_next(&r->t[k], &c) ||
				     c.base != r->o[i + 1].base ||
				     !dc_btree_prev(&r->t[k], &c) || c.base != b))
			return rt_fail(r, "cursor after resize");
	}
	r->bytes += (l - b) - (o->last - o->base);
	o->base = b;
	o->last = l;
	return true;
}

static struct dc_window rt_window(struct rt *r)
{
	struct dc_window w;

	switch (h_rand_below(&r->rng, 4)) {
	case 0:
		w.lo = 0;
		w.last = MAX64;
		break;
	case 1:
		w.lo = rt_addr(r);
		w.last = sat_add(w.lo, rlog(&r->rng, 64));
		break;
	default:
		w.lo = rt_addr(r);
		w.last = rt_addr(r);
		if (w.lo > w.last && h_rand_below(&r->rng, 8)) {
			dc_addr_t x = w.lo;

			w.lo = w.last;
			w.last = x;
		}
		break;
	}
	switch (h_rand_below(&r->rng, 4)) {
	case 0:
		w.size = 1;
		break;
	case 1:
		w.size = r->n ? r->o[h_rand_below(&r->rng, (uint64_t)r->n)].last -
				r->o[h_rand_below(&r->rng, (uint64_t)r->n)].base + 1
			      : 1;
		if (!w.size)
			w.size = 1;
		break;
	default:
		w.size = 1 + rlog(&r->rng, h_rand_below(&r->rng, 2) ? 16 : 63);
		break;
	}
	w.align = ralign(&r->rng);
	w.top_down = false;
	return w;
}

static bool rt_queries(struct rt *r)
{
	struct dc_window w = rt_window(r);
	struct dc_btree_cur c;
	dc_addr_t x, y, q;
	int j, k, steps;

	for (int dir = 0; dir < 2; dir++) {
		const struct orc *o;

		w.top_down = dir;
		y = 0xbeef;
		j = scan_fit(r->o, r->n, &w, &y);
		o = j < 0 ? NULL : &r->o[j];
		for (k = 0; k < 2; k++) {
			x = 0xdead;
			if (dc_btree_find_fit(&r->t[k], &w, &c, &x) != (o != NULL) ||
			    (o ? x != y || c.base != o->base || c.last != o->last ||
				 c.val != (k ? o->val : 0)
			       : x != 0xdead)) {
				printf("\n  window [%#" PRIx64 "-%#" PRIx64
				       "] size %#" PRIx64 " align %#" PRIx64
				       " %s: btree %#" PRIx64 " scan %#" PRIx64
				       "\n", w.lo, w.last, w.size, w.align,
				       dir ? "top-down" : "bottom-up", x, y);
				return rt_fail(r, "find_fit differs");
			}
		}
		r->fits += o != NULL;
		r->nofits += o == NULL;
	}
	/* find_le at a random address, then a few steps either way */
	q = h_rand_below(&r->rng, 2) ? rt_addr(r) : h_rand(&r->rng);
	j = orc_upper(r, q) - 1;
	steps = (int)h_rand_below(&r->rng, 20);
	for (k = 0; k < 2; k++) {
		int i = j, s;
		bool ok = dc_btree_find_le(&r->t[k], q, &c), fwd;

		if (ok != (j >= 0) || (ok && (c.base != r->o[j].base ||
					      c.last != r->o[j].last ||
					      c.val != (k ? r->o[j].val : 0))))
			return rt_fail(r, "find_le differs");
		if (!r->n)
			continue;
		fwd = h_rand_below(&r->rng, 2) || j < 0;
		for (s = 0; s < steps; s++) {
			ok = fwd ? dc_btree_next(&r->t[k], &c)
				 : dc_btree_prev(&r->t[k], &c);
			i += fwd ? 1 : -1;
			if (ok != (i >= 0 && i < r->n))
				return rt_fail(r, "walk ends differ");
			if (!ok)
				break;
			if (c.base != r->o[i].base || c.last != r->o[i].last)
				return rt_fail(r, "walk differs");
		}
	}
	return true;
}

static bool rt_walk_matches(const struct rt *r, int k)
{
	struct dc_btree_cur c;
	bool ok;
	int i = 0;

	for (ok = dc_btree_first(&r->t[k], &c); ok;
	     ok = dc_btree_next(&r->t[k], &c), i++)
		if (i >= r->n || c.base != r->o[i].base ||
		    c.last != r->o[i].last || c.val != (k ? r->o[i].val : 0))
			return false;
	if (i != r->n)
		return false;
	for (i = r->n - 1, ok = dc_btree_last(&r->t[k], &c); ok;
	     ok = dc_btree_prev(&r->t[k], &c))
		if (i < 0 || c.base != r->o[i--].base)
			return false;
	return i == -1;
}

static void random_ops_match_sorted_array(void)
{
	struct rt *r = calloc(1, sizeof(*r));
	long inserts = 0, erases = 0, resizes = 0;
	int target = 16, phase = 0, res;

	CU_ASSERT_FATAL(r != NULL);
	r->rng = seed0;
	for (int k = 0; k < 2; k++) {
		r->a[k] = ta_alloc(&r->ta[k]);
		dc_btree_init(&r->t[k], k ? DC_BTREE_VALUED : DC_BTREE_PLAIN);
	}

	for (r->step = 0; inserts + erases + resizes < nops; r->step++) {
		uint64_t op = h_rand_below(&r->rng, 100);
		long moved[2];

		for (int k = 0; k < 2; k++)
			moved[k] = r->ta[k].gets + r->ta[k].puts;

		/* sparse and dense phases; now and then a large one, which
		 * grows fast and lasts four times as long (height 4): the
		 * second phase always, so that a short run (DC_OPS=10^5
		 * under the sanitizers) reaches height 4 too */
		if (r->step % 5000 == 0 && --phase <= 0) {
			uint64_t z = h_rand_below(&r->rng, 8);

			if (r->step == 5000)
				z = 7;

			target = (int)(z < 3 ? 1 + h_rand_below(&r->rng, 40) :
				       z < 7 ? 40 + h_rand_below(&r->rng, 800) :
					       RT_MAX / 2 + h_rand_below(&r->rng,
								RT_MAX / 2));
			phase = z < 7 ? 1 : 4;
		}
		if (!r->n || (r->n < RT_MAX &&
			      op < (r->n >= target ? 30u :
				    target > 800 ? 90u : 60u))) {
			res = rt_insert(r);
			if (res < 0)
				CU_FAIL_FATAL("insert");
			inserts += res;
		} else if (op < 70) {
			if (!rt_erase(r))
				CU_FAIL_FATAL("erase");
			erases++;
		} else {
			if (!rt_resize(r))
				CU_FAIL_FATAL("resize");
			resizes++;
		}
		for (int k = 0; k < 2; k++) {
			int bad = 0;

			if (r->n < 600 || r->step % 256 == 0 ||
			    r->ta[k].gets + r->ta[k].puts - moved[k] >= 2)
				bad = dc_btree_check(&r->t[k], false);
			if (bad) {
				printf("\n  dc_btree_check (%s) = %d\n",
				       k ? "valued" : "plain", bad);
				CU_FAIL_FATAL(rt_fail(r, "invariant broken"));
			}
			if (r->t[k].count != (dc_size_t)r->n ||
			    r->t[k].bytes != r->bytes)
				CU_FAIL_FATAL(rt_fail(r, "count/bytes differ"));
			if (r->step % 2000 == 0 && !rt_walk_matches(r, k))
				CU_FAIL_FATAL(rt_fail(r, "walk differs"));
			if (r->t[k].height > r->maxh)
				r->maxh = r->t[k].height;
		}
		if (!rt_queries(r))
			CU_FAIL_FATAL("search differs");
	}
	printf("\n  %ld steps (%ld inserts, %ld erases, %ld resizes, %ld "
	       "short of nodes), %ld fits, %ld none, max height %d ", r->step,
	       inserts, erases, resizes, r->enospc, r->fits, r->nofits,
	       r->maxh);
	CU_ASSERT(r->maxh >= 4);
	for (int k = 0; k < 2; k++) {
		CU_ASSERT_EQUAL(dc_btree_check(&r->t[k], false), 0);
		CU_ASSERT(rt_walk_matches(r, k));
		bt_clear(&r->t[k], &r->a[k]);
	}
	free(r);
}

/* ------------------------------------------------------------------ main */

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{ "fit_at_address_zero_and_top", fit_at_address_zero_and_top },
		{ "fit_at_address_zero_any_alignment",
		  fit_at_address_zero_any_alignment },
		{ "fit_top_down_at_address_space_top",
		  fit_top_down_at_address_space_top },
		{ "fit_refuses_malformed_windows",
		  fit_refuses_malformed_windows },
		{ "whole_address_space_extent", whole_address_space_extent },
		{ "fit_alignment_larger_than_every_extent_fails",
		  fit_alignment_larger_than_every_extent_fails },
		{ "fit_size_one_on_single_byte_extents",
		  fit_size_one_on_single_byte_extents },
		{ "fit_window_clips_extents", fit_window_clips_extents },
		{ "fit_skips_alignment_padding", fit_skips_alignment_padding },
		{ "find_le_and_walk_follow_address_order",
		  find_le_and_walk_follow_address_order },
		{ "resize_keeps_cursor_and_separators",
		  resize_keeps_cursor_and_separators },
		{ "take_has_four_shapes_and_give_merges",
		  take_has_four_shapes_and_give_merges },
		{ "take_and_give_keep_runs_maximal",
		  take_and_give_keep_runs_maximal },
		{ "splits_and_merges_at_every_level",
		  splits_and_merges_at_every_level },
		{ "insert_short_of_nodes_fails_unchanged",
		  insert_short_of_nodes_fails_unchanged },
		{ "scattered_reservations_cost_under_32_bytes",
		  scattered_reservations_cost_under_32_bytes },
		{ "check_reports_corrupted_invariant",
		  check_reports_corrupted_invariant },
		{ "check_reports_smallest_of_several",
		  check_reports_smallest_of_several },
		{ "check_reports_touching_extents_only_when_maximal",
		  check_reports_touching_extents_only_when_maximal },
		{ "find_fit_matches_linear_scan_on_random_sets",
		  find_fit_matches_linear_scan_on_random_sets },
		{ "random_ops_match_sorted_array",
		  random_ops_match_sorted_array },
	};
	CU_pSuite suite;

	seed0 = h_seed(argc, argv, 1);
	nops = argc > 2 ? strtol(argv[2], NULL, 0) : h_env("DC_OPS", 1000000);
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	suite = CU_add_suite("btree", NULL, NULL);
	if (!suite)
		return 2;
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (!CU_add_test(suite, tests[i].name, tests[i].fn))
			return 2;
	return h_run();
}
