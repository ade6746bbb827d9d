// SPDX-License-Identifier: BSD-3-Clause
/*
 * test_tree.c - CUnit suite for core/tree.c, the AVL extent tree (an
 * ordered map: insert, erase, resize, find_le, walks, check).
 *
 * Every lookup and walk is compared with a plain sorted array (the
 * oracle). Every mutating step is followed by dc_tree_check(), as
 * lib/rbtree_test.c re-derives its invariants. Fit searches are the
 * extent B-tree's since issue 15; their cases are in test_btree.c.
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
 * |[0 .. 0xfff]|            ...            [2^64-4096 .. 2^64-1]|
 * Expect: find_le at 0 and at 2^64-1 gives the extents at the ends of the
 * address space; 0 is a real base, not "none"; bytes is 0x2000; erasing
 * both leaves an empty tree.
 */
static void find_le_at_address_zero_and_top(void)
{
	struct dc_tree t;
	struct dc_extent e[2];

	dc_tree_init(&t);
	tree_add(&t, &e[0], MAX64 - 0xfff, MAX64);
	tree_add(&t, &e[1], 0, 0xfff);
	CU_ASSERT_EQUAL(t.bytes, 0x2000);
	CU_ASSERT_EQUAL(dc_tree_find_le(&t, 0), &e[1]);
	CU_ASSERT_EQUAL(dc_tree_find_le(&t, 0x1000), &e[1]);
	CU_ASSERT_EQUAL(dc_tree_find_le(&t, MAX64 - 0x1000), &e[1]);
	CU_ASSERT_EQUAL(dc_tree_find_le(&t, MAX64 - 0xfff), &e[0]);
	CU_ASSERT_EQUAL(dc_tree_find_le(&t, MAX64), &e[0]);
	CU_ASSERT_EQUAL(dc_tree_first(&t), &e[1]);
	CU_ASSERT_EQUAL(dc_tree_last(&t), &e[0]);
	CU_ASSERT_PTR_NULL(dc_tree_next(&e[0]));
	CU_ASSERT_PTR_NULL(dc_tree_prev(&e[1]));
	CU_ASSERT_EQUAL(dc_tree_check(&t, true), 0);
	dc_tree_erase(&t, &e[1]);
	CU_ASSERT_PTR_NULL(dc_tree_find_le(&t, MAX64 - 0x1000));
	dc_tree_erase(&t, &e[0]);
	CU_ASSERT_PTR_NULL(dc_tree_find_le(&t, MAX64));
	CU_ASSERT_PTR_NULL(t.root);
	CU_ASSERT_EQUAL(t.bytes, 0);
	CU_ASSERT_EQUAL(dc_tree_check(&t, true), 0);
}

/*
 * [0 ............................................................ 2^64-1]
 * Expect: one extent covering the whole address space; bytes wraps to 0
 * (mod 2^64, as documented) and the check agrees; find_le finds it from
 * both ends; a resize to [1, 2^64-1] and back keeps bytes exact.
 */
static void whole_address_space_extent_wraps_bytes(void)
{
	struct dc_tree t;
	struct dc_extent e[1];

	dc_tree_init(&t);
	tree_add(&t, &e[0], 0, MAX64);
	CU_ASSERT_EQUAL(t.bytes, 0);
	CU_ASSERT_EQUAL(t.count, 1);
	CU_ASSERT_EQUAL(dc_tree_find_le(&t, 0), &e[0]);
	CU_ASSERT_EQUAL(dc_tree_find_le(&t, MAX64), &e[0]);
	CU_ASSERT_EQUAL(dc_tree_check(&t, true), 0);
	dc_tree_resize(&t, &e[0], 1, MAX64);
	CU_ASSERT_EQUAL(t.bytes, MAX64);
	CU_ASSERT_PTR_NULL(dc_tree_find_le(&t, 0));
	CU_ASSERT_EQUAL(dc_tree_check(&t, true), 0);
	dc_tree_resize(&t, &e[0], 0, MAX64);
	CU_ASSERT_EQUAL(t.bytes, 0);
	CU_ASSERT_EQUAL(dc_tree_check(&t, true), 0);
	dc_tree_erase(&t, &e[0]);
	CU_ASSERT_EQUAL(t.bytes, 0);
	CU_ASSERT_EQUAL(t.count, 0);
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
 * below the first; first/last/next/prev walk the order both ways; on
 * the empty tree first, last and find_le are NULL.
 */
static void find_le_and_walk_follow_address_order(void)
{
	struct dc_tree t;
	struct dc_extent e[50];
	struct dc_extent *x;
	int i;

	dc_tree_init(&t);
	CU_ASSERT_PTR_NULL(dc_tree_first(&t));
	CU_ASSERT_PTR_NULL(dc_tree_last(&t));
	CU_ASSERT_PTR_NULL(dc_tree_find_le(&t, ~0ull));
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
 * Expect: resize grows and shrinks in place, moving the base down or up
 * too: find_le and bytes follow at once and the shape (every height) is
 * untouched; erase of the root with two children keeps every invariant.
 */
static void resize_and_erase_keep_order_and_bytes(void)
{
	struct dc_tree t;
	struct dc_extent e[3];
	int32_t h[3];
	int i;

	dc_tree_init(&t);
	tree_add(&t, &e[0], 100, 199);
	tree_add(&t, &e[1], 300, 399);
	tree_add(&t, &e[2], 500, 599);
	for (i = 0; i < 3; i++)
		h[i] = e[i].height;
	dc_tree_resize(&t, &e[0], 0, 299);
	CU_ASSERT_EQUAL(t.bytes, 500);
	CU_ASSERT_EQUAL(dc_tree_find_le(&t, 0), &e[0]);
	CU_ASSERT_EQUAL(dc_tree_find_le(&t, 299), &e[0]);
	CU_ASSERT_EQUAL(dc_tree_find_le(&t, 300), &e[1]);
	CU_ASSERT_EQUAL(dc_tree_check(&t, false), 0);
	CU_ASSERT_EQUAL(dc_tree_check(&t, true), 2);	/* touches e[1] */
	dc_tree_resize(&t, &e[2], 450, 459);
	CU_ASSERT_EQUAL(t.bytes, 410);
	CU_ASSERT_EQUAL(dc_tree_find_le(&t, 449), &e[1]);
	CU_ASSERT_EQUAL(dc_tree_find_le(&t, 450), &e[2]);
	dc_tree_resize(&t, &e[0], 0, 9);
	CU_ASSERT_EQUAL(t.bytes, 120);
	for (i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(e[i].height, h[i]);
	CU_ASSERT_EQUAL(dc_tree_check(&t, true), 0);
	dc_tree_erase(&t, t.root);
	CU_ASSERT_EQUAL(t.count, 2);
	CU_ASSERT_EQUAL(t.bytes, 20);
	CU_ASSERT_EQUAL(dc_tree_first(&t), &e[0]);
	CU_ASSERT_EQUAL(dc_tree_next(&e[0]), &e[2]);
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
 * 100 extents; one node's height, base or parent link, a right child's
 * parent link, the root's parent link, or the tree's count or bytes is
 * changed by hand.
 * Expect: dc_tree_check names the broken invariant (3, 1, 3, 3, 3, 4, 4),
 * the smallest one when several break, and 0 again once repaired.
 */
static void check_reports_corrupted_invariant(void)
{
	struct dc_extent e[100], *x, *save;
	struct dc_tree t;
	dc_addr_t base;

	x = corrupt_setup(&t, e, 100);
	x->height++;
	CU_ASSERT_EQUAL(dc_tree_check(&t, false), 3);
	x->height--;
	CU_ASSERT_EQUAL(dc_tree_check(&t, false), 0);

	/* Overlap with the previous extent also breaks T4 (bytes): 1 wins. */
	base = x->base;
	x->base = dc_tree_prev(x)->last;
	CU_ASSERT_EQUAL(dc_tree_check(&t, false), 1);
	x->base = base;
	CU_ASSERT_EQUAL(dc_tree_check(&t, false), 0);

	/* A parent link to itself: the walk stops at once, no loop. */
	x = t.root->left;
	save = x->parent;
	x->parent = x;
	CU_ASSERT_EQUAL(dc_tree_check(&t, false), 3);
	x->parent = save;
	x = t.root->right;
	x->parent = x;		/* a right child that disowns its parent */
	CU_ASSERT_EQUAL(dc_tree_check(&t, false), 3);
	x->parent = t.root;
	t.root->parent = x;	/* a root with a parent */
	CU_ASSERT_EQUAL(dc_tree_check(&t, false), 3);
	t.root->parent = NULL;

	t.count++;
	CU_ASSERT_EQUAL(dc_tree_check(&t, false), 4);
	x->height++;		/* with T3 broken too: 3 wins */
	CU_ASSERT_EQUAL(dc_tree_check(&t, false), 3);
	x->height--;
	t.count--;
	t.bytes++;
	CU_ASSERT_EQUAL(dc_tree_check(&t, false), 4);
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
 * count and bytes against a sorted array (the oracle), and find_le at
 * random addresses followed by a short walk either way, all against the
 * array; every 1000 steps a whole walk both ways.
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
	long lookups, walked;
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

static int orc_find_le(const struct rt *r, dc_addr_t addr)
{
	return orc_upper(r, addr) - 1;
}

static bool rt_fail(const struct rt *r, long step, const char *what)
{
	printf("\n  test_tree: seed %" PRIu64 " step %ld: %s\n", test_seed,
	       step, what);
	(void)r;
	return false;
}

/* find_le at a random address, then a few steps either way. */
static bool rt_queries(struct rt *r, long step)
{
	dc_addr_t q = rt_below(r, 2) ? rt_addr(r) : rt_rand(r);
	int j = orc_find_le(r, q), steps = (int)rt_below(r, 8), i, s;
	struct dc_extent *x = dc_tree_find_le(&r->t, q);
	bool fwd = rt_below(r, 2) || j < 0;

	r->lookups++;
	if (x != (j < 0 ? NULL : r->orc[j].e))
		return rt_fail(r, step, "find_le differs");
	if (!x)
		x = dc_tree_first(&r->t);
	for (i = j < 0 ? 0 : j, s = 0; x && s < steps; s++) {
		x = fwd ? dc_tree_next(x) : dc_tree_prev(x);
		i += fwd ? 1 : -1;
		if (x != (i >= 0 && i < r->n ? r->orc[i].e : NULL))
			return rt_fail(r, step, "walk from find_le differs");
		r->walked++;
	}
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
	       "resizes), %ld lookups, %ld steps walked, max height %d ",
	       test_seed, step, inserts, erases, resizes, r->lookups,
	       r->walked, maxh);
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
		{ "find_le_at_address_zero_and_top",
		  find_le_at_address_zero_and_top },
		{ "whole_address_space_extent_wraps_bytes",
		  whole_address_space_extent_wraps_bytes },
		{ "height_stays_within_avl_bound_on_sorted_inserts",
		  height_stays_within_avl_bound_on_sorted_inserts },
		{ "find_le_and_walk_follow_address_order",
		  find_le_and_walk_follow_address_order },
		{ "resize_and_erase_keep_order_and_bytes",
		  resize_and_erase_keep_order_and_bytes },
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
