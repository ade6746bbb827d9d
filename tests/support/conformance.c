// SPDX-License-Identifier: BSD-3-Clause
/*
 * test_conformance.c - the backend conformance suite: the public API's
 * promises (DESIGN.md, "Exact meanings"), checked through the public API
 * only, on the backend named by argv[1], in both directions and with the
 * memory placed at address 0 and at the very top of the address space.
 *
 * The standard layout, offsets from B (B = 0, or B = 2^64 - 0x80000 so
 * that node 9's fragment ends exactly at 2^64):
 *
 *   0x10000      0x30000  0x40000  0x50000      0x60000           0x80000
 *   | node 2      | node 5 | hole   | node 2     | node 9            |
 *
 * Page granularity (the bitmap backend) makes exactly two differences
 * here, both written once in gran_*() below: the backend's own bitmap
 * takes the top page of each node at dc_finalize, and a range it takes is
 * whole pages.
 *
 * The same code runs in two places (DESIGN.md, "Embedding"): as the
 * CUnit program tests/unit/test_conformance.c, on simulated memory, and
 * in kernel context in the Linux module examples/linux/, where B is the
 * physical address of a block of pages the module owns and phys_to_virt
 * is __va(). It therefore uses only check.h and harness_core.h. Cases
 * marked DC_T_HOST_ONLY need address space a module cannot own; the
 * module skips them and counts them as skipped.
 */
#include "conformance.h"
#include "harness_core.h"

#define P 0x1000ull
#define TOP_BASE DC_CONFORMANCE_TOP_BASE

static const struct dc_backend_ops *ops;
static dc_addr_t B;		/* where the layout starts */
static unsigned dflags;		/* DC_CFG_TOP_DOWN or 0 */

void dc_conformance_setup(const struct dc_backend_ops *backend,
			  dc_addr_t base, unsigned flags)
{
	ops = backend;
	B = base;
	dflags = flags;
}

/* --- the page-granularity differences, in one place --------------------- */

/* Top page of each node is the bitmap's (BOOTMEM24.md: the bitmap is
 * placed in the node's own memory at finalize, and steals go top-down). */
static dc_addr_t gran_node_end(dc_addr_t end)
{
	return ops->page_granular ? end - P : end;
}

/* Bytes a range of size takes: the bitmap takes whole pages. */
static dc_size_t gran_taken(dc_size_t size)
{
	return ops->page_granular ? (size + P - 1) / P * P : size;
}

/* --- fixtures ----------------------------------------------------------- */

static struct dc_harness H;

static void layout(struct dc_harness *h)
{
	T_ASSERT_FATAL(h_add(h, 2, B + 0x10000, 0x20000) == 0);
	T_ASSERT_FATAL(h_add(h, 5, B + 0x30000, 0x10000) == 0);
	T_ASSERT_FATAL(h_add(h, 2, B + 0x50000, 0x10000) == 0);
	T_ASSERT_FATAL(h_add(h, 9, B + 0x60000, 0x20000) == 0);
}

static void std_init(void)
{
	h_init(&H, ops, 12, 1 << 20, dflags);
	layout(&H);
}

static void std_ready(void)
{
	std_init();
	T_ASSERT_FATAL(dc_finalize(H.sys) == 0);
}

static void done(void)
{
	T_ASSERT(dc_check(H.sys) == 0);
	T_ASSERT(h_accounting_ok(H.sys));
	h_fini(&H);
}

static int alloc(dc_size_t size, dc_size_t align, dc_addr_t min,
		 dc_addr_t max, int nid, unsigned flags, dc_addr_t *out)
{
	struct dc_request q = { size, align, min, max, nid, flags };

	return dc_alloc(H.sys, &q, out);
}

/* A call that must fail with err and change nothing observable. */
#define EXPECT_UNCHANGED(err, call) H_EXPECT_UNCHANGED(H.sys, err, call)

/* --- argument validation ------------------------------------------------ */

/* Expect: size 0 is DC_EINVAL for every call that takes a size. */
static void size_zero_returns_einval_unchanged(void)
{
	dc_addr_t a = 7;

	std_init();
	EXPECT_UNCHANGED(DC_EINVAL, dc_add_memory(H.sys, 1, B + 0x90000, 0));
	EXPECT_UNCHANGED(DC_EINVAL, dc_reserve(H.sys, B + 0x10000, 0));
	EXPECT_UNCHANGED(DC_EINVAL, dc_remove_memory(H.sys, B + 0x10000, 0));
	T_ASSERT_FATAL(dc_finalize(H.sys) == 0);
	EXPECT_UNCHANGED(DC_EINVAL, alloc(0, 0, 0, 0, DC_NO_NODE, 0, &a));
	EXPECT_UNCHANGED(DC_EINVAL, dc_free(H.sys, B + 0x10000, 0));
	T_ASSERT_EQUAL(a, 7);	/* out-pointer untouched */
	done();
}

/* Expect: align 0 means 64; align 3 is DC_EINVAL; align 2^63 is valid and
 * fits only at 0 or 2^63. */
static void align_zero_three_and_2_63(void)
{
	dc_addr_t a = 0;

	std_ready();
	T_ASSERT_EQUAL(alloc(100, 0, 0, 0, DC_NO_NODE, DC_REQ_BOTTOM_UP, &a), 0);
	T_ASSERT_EQUAL(a % 64, 0);
	T_ASSERT_EQUAL(a, B + 0x10000);
	EXPECT_UNCHANGED(DC_EINVAL, alloc(100, 3, 0, 0, DC_NO_NODE, 0, &a));
	/* no multiple of 2^63 lies in the layout, at 0 or at the top */
	EXPECT_UNCHANGED(DC_ENOMEM, alloc(P, 1ull << 63, 0, 0, DC_NO_NODE, 0,
					  &a));
	done();
}

/* Expect: alignment larger than all memory finds nothing (memory does not
 * start at 0), unless the layout starts at a multiple of it. */
static void alignment_larger_than_memory_returns_enomem(void)
{
	dc_addr_t a = 0;

	std_ready();
	EXPECT_UNCHANGED(DC_ENOMEM, alloc(P, 1ull << 40, 0, 0, DC_NO_NODE, 0,
					  &a));
	done();
}

/* Expect: min >= max (max != 0) is DC_EINVAL; both directions too. */
static void min_above_max_and_both_directions_return_einval(void)
{
	dc_addr_t a = 0;

	std_ready();
	EXPECT_UNCHANGED(DC_EINVAL, alloc(P, P, B + 0x40000, B + 0x20000,
					  DC_NO_NODE, 0, &a));
	EXPECT_UNCHANGED(DC_EINVAL, alloc(P, P, 0, 0, DC_NO_NODE,
					  DC_REQ_TOP_DOWN | DC_REQ_BOTTOM_UP,
					  &a));
	EXPECT_UNCHANGED(DC_EINVAL, alloc(P, P, 0, 0, DC_NO_NODE, 1u << 9, &a));
	EXPECT_UNCHANGED(DC_EINVAL, alloc(P, P, 0, 0, DC_MAX_NODES, 0, &a));
	EXPECT_UNCHANGED(DC_EINVAL, alloc(P, P, 0, 0, -2, 0, &a));
	EXPECT_UNCHANGED(DC_EINVAL, dc_alloc(H.sys, NULL, &a));
	done();
}

/* Expect: a range past 2^64 - 1 is DC_ERANGE everywhere. */
static void range_that_wraps_returns_erange(void)
{
	dc_addr_t a = 0;

	std_init();
	EXPECT_UNCHANGED(DC_ERANGE, dc_add_memory(H.sys, 1, 0ull - P, 2 * P));
	EXPECT_UNCHANGED(DC_ERANGE, dc_reserve(H.sys, 0ull - 1, 2));
	EXPECT_UNCHANGED(DC_ERANGE, dc_remove_memory(H.sys, 0ull - 1, 2));
	T_ASSERT_FATAL(dc_finalize(H.sys) == 0);
	EXPECT_UNCHANGED(DC_ERANGE, dc_free(H.sys, 0ull - P, P + 1));
	EXPECT_UNCHANGED(DC_ERANGE, alloc(2 * P, P, 0ull - P, 0, DC_NO_NODE, 0,
					  &a));
	done();
}

/* Expect: NULL system and never-initialised system are DC_EINVAL. */
static void null_and_uninitialised_system_return_einval(void)
{
	struct dc_system *raw = h_zalloc(sizeof(*raw));
	struct dc_stats s;
	dc_addr_t a;

	T_ASSERT_EQUAL(dc_add_memory(NULL, 0, 0, P), DC_EINVAL);
	T_ASSERT_EQUAL(dc_add_memory(raw, 0, 0, P), DC_EINVAL);
	T_ASSERT_EQUAL(dc_finalize(raw), DC_EINVAL);
	T_ASSERT_EQUAL(dc_stats(raw, DC_NO_NODE, &s), DC_EINVAL);
	T_ASSERT_EQUAL(dc_check(NULL), DC_EINVAL);
	T_ASSERT_EQUAL(dc_alloc(NULL, NULL, &a), DC_EINVAL);
	T_ASSERT_EQUAL(dc_init(raw, NULL, NULL), DC_EINVAL);
	T_ASSERT_STRING_NOT_EQUAL(dc_strerror(DC_ENOSPC), "unknown error");
	T_ASSERT_STRING_EQUAL(dc_strerror(-99), "unknown error");
	h_free(raw);
}

/* --- the top and bottom of the address space ---------------------------- */

/*
 * Expect: a fragment ending exactly at 2^64 is accepted; its last byte can
 * be reserved (and is then used); top-down allocation returns the very top.
 *
 *   2^64 - 0x4000                 2^64
 *   | node 7 .......................|
 */
static void fragment_ending_at_2_64_top_down_and_last_byte(void)
{
	dc_addr_t a = 0, top = 0ull - 0x4000;

	h_init(&H, ops, 12, 1 << 20, dflags);
	T_ASSERT_FATAL(h_add(&H, 7, top, 0x4000) == 0);
	T_ASSERT_EQUAL(dc_node_of(H.sys, 0ull - 1), 7);
	T_ASSERT_EQUAL(dc_reserve(H.sys, 0ull - 1, 1), 0);
	T_ASSERT_EQUAL(dc_reserve(H.sys, 0ull - 1, 1), DC_EBUSY);
	T_ASSERT_FATAL(dc_finalize(H.sys) == 0);
	T_ASSERT_EQUAL(alloc(P, P, 0, 0, DC_NO_NODE, DC_REQ_TOP_DOWN, &a), 0);
	/* the last page holds the reserved byte; the bitmap takes the next */
	T_ASSERT_EQUAL(a, gran_node_end(0ull - P) - P);
	T_ASSERT_EQUAL(dc_free(H.sys, a, P), 0);
	done();
}

/* Expect: memory at address 0: bottom-up returns 0 for align 2^63. */
static void memory_at_zero_bottom_up_returns_zero(void)
{
	dc_addr_t a = 1;

	h_init(&H, ops, 12, 1 << 20, dflags);
	T_ASSERT_FATAL(h_add(&H, 0, 0, 0x8000) == 0);
	T_ASSERT_FATAL(dc_finalize(H.sys) == 0);
	T_ASSERT_EQUAL(alloc(P, 1ull << 63, 0, 0, 0, DC_REQ_BOTTOM_UP, &a), 0);
	T_ASSERT_EQUAL(a, 0);
	done();
}


/* --- registration ------------------------------------------------------- */

/* Expect: overlap is DC_EEXIST; adjacent fragments of one node merge into
 * one (fragments == 1); a different node's adjacent fragment does not. */
static void adjacent_fragments_of_one_node_merge(void)
{
	struct dc_stats s;

	h_init(&H, ops, 12, 1 << 20, dflags);
	T_ASSERT(h_add(&H, 3, B + 0x20000, 0x10000) == 0);
	T_ASSERT(h_add(&H, 3, B + 0x10000, 0x10000) == 0);	/* left */
	T_ASSERT(h_add(&H, 3, B + 0x40000, 0x10000) == 0);
	T_ASSERT(h_add(&H, 3, B + 0x30000, 0x10000) == 0);	/* middle */
	T_ASSERT(h_add(&H, 4, B + 0x50000, 0x10000) == 0);	/* other node */
	EXPECT_UNCHANGED(DC_EEXIST, dc_add_memory(H.sys, 4, B + 0x4f000, P));
	EXPECT_UNCHANGED(DC_EEXIST, dc_add_memory(H.sys, 3, B + 0x8000, 0x9000));
	T_ASSERT(dc_stats(H.sys, 3, &s) == 0);
	T_ASSERT_EQUAL(s.fragments, 1);
	T_ASSERT_EQUAL(s.memory, 0x40000);
	T_ASSERT_EQUAL(h_walk_count(H.sys, DC_NO_NODE, DC_WALK_MEMORY), 2);
	T_ASSERT_EQUAL(h_walk_count(H.sys, 3, DC_WALK_FREE), 1);
	done();
}

/* Expect: sparse node ids 0, 33, 255 and DC_MAX_NODES - 1 all work;
 * DC_MAX_NODES and -1 are DC_EINVAL. */
static void sparse_node_ids_work(void)
{
	static const int ids[] = { 0, 33, 255, DC_MAX_NODES - 1 };
	dc_addr_t a;

	h_init(&H, ops, 12, 1 << 20, dflags);
	for (int i = 0; i < 4; i++)
		T_ASSERT(h_add(&H, ids[i], B + 0x10000 * (i + 1), 0x10000) == 0);
	EXPECT_UNCHANGED(DC_EINVAL, dc_add_memory(H.sys, DC_MAX_NODES, 0, P));
	EXPECT_UNCHANGED(DC_EINVAL, dc_add_memory(H.sys, -1, 0, P));
	T_ASSERT_FATAL(dc_finalize(H.sys) == 0);
	for (int i = 0; i < 4; i++) {
		T_ASSERT_EQUAL(alloc(P, P, 0, 0, ids[i], DC_REQ_EXACT_NODE, &a), 0);
		T_ASSERT_EQUAL(dc_node_of(H.sys, a), ids[i]);
	}
	done();
}

/* Expect: fragments of four nodes interleaved and added in random order
 * give the same map (node_of of every fragment) in every order. */
static void interleaved_fragments_in_random_order(void)
{
	uint64_t seed = 12345;
	int order[16];

	for (int round = 0; round < 8; round++) {
		h_init(&H, ops, 12, 1 << 20, dflags);
		for (int i = 0; i < 16; i++)
			order[i] = i;
		for (int i = 15; i > 0; i--) {
			int j = (int)h_rand_below(&seed, (uint64_t)i + 1), t;

			t = order[i], order[i] = order[j], order[j] = t;
		}
		for (int i = 0; i < 16; i++)	/* fragment k: node k % 4 */
			T_ASSERT(h_add(&H, order[i] % 4 * 10,
					B + order[i] * 0x8000, 0x8000) == 0);
		for (int k = 0; k < 16; k++)
			T_ASSERT_EQUAL(dc_node_of(H.sys, B + k * 0x8000 + 5),
					k % 4 * 10);
		if (B)
			T_ASSERT_EQUAL(dc_node_of(H.sys, B - 1), DC_ENOENT);
		T_ASSERT_EQUAL(h_walk_count(H.sys, DC_NO_NODE, DC_WALK_MEMORY), 16);
		T_ASSERT_FATAL(dc_finalize(H.sys) == 0);
		done();
	}
}

/* Expect: remove_memory splits a fragment; busy bytes are DC_EBUSY,
 * unregistered ones DC_ENOENT; READY is DC_ESTATE. */
static void remove_memory_splits_and_refuses_used(void)
{
	struct dc_stats s;

	std_init();
	T_ASSERT(dc_remove_memory(H.sys, B + 0x18000, 0x8000) == 0);
	T_ASSERT(dc_stats(H.sys, 2, &s) == 0);
	T_ASSERT_EQUAL(s.fragments, 3);
	T_ASSERT_EQUAL(s.memory, 0x28000);
	T_ASSERT_EQUAL(dc_node_of(H.sys, B + 0x18000), DC_ENOENT);
	T_ASSERT(dc_reserve(H.sys, B + 0x30000, P) == 0);
	EXPECT_UNCHANGED(DC_EBUSY, dc_remove_memory(H.sys, B + 0x2f000, 2 * P));
	EXPECT_UNCHANGED(DC_ENOENT, dc_remove_memory(H.sys, B + 0x3f000, 2 * P));
	T_ASSERT(dc_finalize(H.sys) == 0);
	EXPECT_UNCHANGED(DC_ESTATE, dc_remove_memory(H.sys, B + 0x60000, P));
	done();
}

/* --- reserve and free --------------------------------------------------- */

/*
 * Expect: one reservation crosses three nodes and is split among them;
 * one that runs into a hole is DC_ENOENT; the same range frees in one call.
 *
 *   0x10000    0x20000    0x30000    0x40000
 *   | node 2    | node 5   | node 9   | hole
 *           [=====reserve=====]
 */
static void reservation_crossing_three_nodes(void)
{
	struct dc_stats s2, s5, s9;

	h_init(&H, ops, 12, 1 << 20, dflags);
	T_ASSERT(h_add(&H, 2, B + 0x10000, 0x10000) == 0);
	T_ASSERT(h_add(&H, 5, B + 0x20000, 0x10000) == 0);
	T_ASSERT(h_add(&H, 9, B + 0x30000, 0x10000) == 0);
	EXPECT_UNCHANGED(DC_ENOENT, dc_reserve(H.sys, B + 0x3f000, 2 * P));
	T_ASSERT_EQUAL(dc_reserve(H.sys, B + 0x1f000, 0x12000), 0);
	dc_stats(H.sys, 2, &s2);
	dc_stats(H.sys, 5, &s5);
	dc_stats(H.sys, 9, &s9);
	T_ASSERT_EQUAL(s2.used, P);
	T_ASSERT_EQUAL(s5.used, 0x10000);
	T_ASSERT_EQUAL(s9.used, P);
	EXPECT_UNCHANGED(DC_EBUSY, dc_reserve(H.sys, B + 0x10000, 0x10000));
	T_ASSERT_EQUAL(dc_free(H.sys, B + 0x1f000, 0x12000), 0);
	dc_stats(H.sys, 5, &s5);
	T_ASSERT_EQUAL(s5.used, 0);
	T_ASSERT_FATAL(dc_finalize(H.sys) == 0);
	done();
}

/*
 * Expect: a call whose pieces leave a node and come back to it is exact
 * (in SETUP, where no node has a bitmap at the top of its memory yet):
 * all of node 2's first fragment (its whole free extent goes), node 5's,
 * then the head of node 2's second fragment are reserved, and freed, in
 * one call each. (The tree backend keeps what a probe found for the call
 * that follows it; here the first piece changes node 2's tree between the
 * third piece's probe and its reserve, so that must not be used.) Over
 * several pieces DC_ENOENT (the range ends in a hole) outranks DC_EBUSY
 * (its first piece is used), wherever they lie.
 *
 *   0x10000    0x20000    0x30000         0x50000
 *   | node 2    | node 5   | node 2         | hole
 *   [=========reserve=========]
 */
static void reservation_leaving_and_returning_to_a_node(void)
{
	struct dc_stats s2, s5;

	h_init(&H, ops, 12, 1 << 20, dflags);
	T_ASSERT_FATAL(h_add(&H, 2, B + 0x10000, 0x10000) == 0);
	T_ASSERT_FATAL(h_add(&H, 5, B + 0x20000, 0x10000) == 0);
	T_ASSERT_FATAL(h_add(&H, 2, B + 0x30000, 0x20000) == 0);
	T_ASSERT_EQUAL(dc_reserve(H.sys, B + 0x10000, 0x24000), 0);
	dc_stats(H.sys, 2, &s2);
	dc_stats(H.sys, 5, &s5);
	T_ASSERT_EQUAL(s2.used, 0x14000);
	T_ASSERT_EQUAL(s5.used, 0x10000);
	T_ASSERT_EQUAL(dc_check(H.sys), 0);
	EXPECT_UNCHANGED(DC_ENOENT, dc_reserve(H.sys, B + 0x10000, 0x50000));
	EXPECT_UNCHANGED(DC_EBUSY, dc_reserve(H.sys, B + 0x10000, 0x40000));
	EXPECT_UNCHANGED(DC_ENOENT, dc_free(H.sys, B + 0x10000, 0x25000));
	T_ASSERT_EQUAL(dc_free(H.sys, B + 0x10000, 0x24000), 0);
	dc_stats(H.sys, 2, &s2);
	dc_stats(H.sys, 5, &s5);
	T_ASSERT_EQUAL(s2.used, 0);
	T_ASSERT_EQUAL(s5.used, 0);
	T_ASSERT_FATAL(dc_finalize(H.sys) == 0);
	done();
}

/* Expect: a double free is DC_ENOENT, a free of never-registered bytes is
 * DC_ENOENT, a free that is only partly used is DC_ENOENT. */
static void double_free_returns_enoent_unchanged(void)
{
	dc_addr_t a;

	std_ready();
	T_ASSERT_FATAL(alloc(2 * P, P, 0, 0, 2, 0, &a) == 0);
	T_ASSERT_EQUAL(dc_free(H.sys, a, 2 * P), 0);
	EXPECT_UNCHANGED(DC_ENOENT, dc_free(H.sys, a, 2 * P));
	EXPECT_UNCHANGED(DC_ENOENT, dc_free(H.sys, B + 0x40000, P));
	T_ASSERT_FATAL(alloc(P, P, 0, 0, 2, 0, &a) == 0);
	/* the page below a is free (top-down) or not memory (bottom-up) */
	EXPECT_UNCHANGED(DC_ENOENT, dc_free(H.sys, a - P, 2 * P));
	done();
}

/* Expect: 1-byte allocations work, are distinct, and are each used. */
static void one_byte_allocations(void)
{
	dc_addr_t a[8];
	struct dc_stats s;

	std_ready();
	for (int i = 0; i < 8; i++) {
		T_ASSERT_EQUAL(alloc(1, 1, 0, 0, 9, DC_REQ_EXACT_NODE |
				      DC_REQ_BOTTOM_UP, &a[i]), 0);
		for (int j = 0; j < i; j++)
			T_ASSERT(a[i] != a[j]);
	}
	dc_stats(H.sys, 9, &s);
	/* byte-exact: 8 bytes; bitmap: 2.4 packs sub-page allocations into
	 * a shared page, so 8 bytes take one page */
	T_ASSERT_EQUAL(s.used, gran_taken(8));
	done();
}

/* --- allocation policy -------------------------------------------------- */

/* Expect: top-down gives the highest fit of the node, bottom-up the
 * lowest; the default follows DC_CFG_TOP_DOWN. */
static void direction_picks_highest_or_lowest(void)
{
	dc_addr_t a;

	std_ready();
	T_ASSERT_EQUAL(alloc(P, P, 0, 0, 2, DC_REQ_TOP_DOWN | DC_REQ_EXACT_NODE,
			      &a), 0);
	T_ASSERT_EQUAL(a, gran_node_end(B + 0x60000) - P);
	T_ASSERT_EQUAL(alloc(P, P, 0, 0, 2, DC_REQ_BOTTOM_UP |
			      DC_REQ_EXACT_NODE, &a), 0);
	T_ASSERT_EQUAL(a, B + 0x10000);
	T_ASSERT_EQUAL(alloc(P, P, 0, 0, 5, DC_REQ_EXACT_NODE, &a), 0);
	T_ASSERT_EQUAL(a, dflags ? gran_node_end(B + 0x40000) - P :
				    B + 0x30000);
	done();
}

/* Expect: [min, max) windows are honoured exactly; an allocation never
 * straddles two fragments (node 2 | node 5 at 0x30000). */
static void window_is_exact_and_no_fit_straddles_fragments(void)
{
	dc_addr_t a;

	std_ready();
	T_ASSERT_EQUAL(alloc(P, P, B + 0x20000, B + 0x22000, DC_NO_NODE,
			      DC_REQ_TOP_DOWN, &a), 0);
	T_ASSERT_EQUAL(a, B + 0x21000);
	T_ASSERT_EQUAL(alloc(P, P, B + 0x20000, B + 0x22000, DC_NO_NODE,
			      DC_REQ_BOTTOM_UP, &a), 0);
	T_ASSERT_EQUAL(a, B + 0x20000);
	EXPECT_UNCHANGED(DC_ENOMEM, alloc(P, P, B + 0x20000, B + 0x22000,
					  DC_NO_NODE, 0, &a));
	/* 2 pages in [0x2f000, 0x31000): node 2 | node 5 */
	EXPECT_UNCHANGED(DC_ENOMEM, alloc(2 * P, P, B + 0x2f000, B + 0x31000,
					  DC_NO_NODE, 0, &a));
	done();
}

/* Expect: node 2 has one page left, a request for two falls back to the
 * nearest node (distance 12 to node 9 beats 30 to node 5);
 * DC_REQ_EXACT_NODE refuses; ties go to the lower nid. */
static void fallback_by_distance_then_exact_node(void)
{
	dc_addr_t a;

	std_init();
	T_ASSERT(dc_set_distance(H.sys, 2, 9, 12) == 0);
	T_ASSERT(dc_set_distance(H.sys, 2, 5, 30) == 0);
	EXPECT_UNCHANGED(DC_EINVAL, dc_set_distance(H.sys, 2, 5, 0));
	EXPECT_UNCHANGED(DC_EINVAL, dc_set_distance(H.sys, 2, DC_MAX_NODES, 1));
	T_ASSERT(dc_reserve(H.sys, B + 0x10000, 0x20000) == 0);
	T_ASSERT(dc_reserve(H.sys, B + 0x50000, 0xf000) == 0);
	T_ASSERT_FATAL(dc_finalize(H.sys) == 0);
	EXPECT_UNCHANGED(DC_ENOMEM, alloc(2 * P, P, 0, 0, 2, DC_REQ_EXACT_NODE,
					  &a));
	T_ASSERT_EQUAL(alloc(2 * P, P, 0, 0, 2, 0, &a), 0);
	T_ASSERT_EQUAL(dc_node_of(H.sys, a), 9);
	T_ASSERT(dc_set_distance(H.sys, 2, 9, 30) == DC_ESTATE);
	done();

	std_init();	/* equal distances: the lower nid wins */
	T_ASSERT(dc_reserve(H.sys, B + 0x10000, 0x20000) == 0);
	T_ASSERT(dc_reserve(H.sys, B + 0x50000, 0xf000) == 0);
	T_ASSERT_FATAL(dc_finalize(H.sys) == 0);
	T_ASSERT_EQUAL(alloc(2 * P, P, 0, 0, 2, 0, &a), 0);
	T_ASSERT_EQUAL(dc_node_of(H.sys, a), 5);
	done();
}

/* Expect: DC_REQ_RELAX_MIN retries from 0 when nothing fits above min. */
static void relax_min_retries_from_zero(void)
{
	dc_addr_t a;

	std_ready();
	EXPECT_UNCHANGED(DC_ENOMEM, alloc(0x10000, P, B + 0x70000, 0, 2,
					  DC_REQ_EXACT_NODE, &a));
	T_ASSERT_EQUAL(alloc(0x10000, P, B + 0x70000, 0, 2,
			      DC_REQ_EXACT_NODE | DC_REQ_RELAX_MIN |
			      DC_REQ_BOTTOM_UP, &a), 0);
	T_ASSERT_EQUAL(a, B + 0x10000);
	done();
}

/* Expect: DC_NO_NODE searches all memory at once: the highest fit of all
 * nodes top-down, the lowest bottom-up. */
static void no_node_searches_all_memory(void)
{
	dc_addr_t a;

	std_ready();
	T_ASSERT_EQUAL(alloc(P, P, 0, 0, DC_NO_NODE, DC_REQ_TOP_DOWN, &a), 0);
	T_ASSERT_EQUAL(a, gran_node_end(B + 0x80000) - P);
	T_ASSERT_EQUAL(alloc(P, P, 0, 0, DC_NO_NODE, DC_REQ_BOTTOM_UP, &a), 0);
	T_ASSERT_EQUAL(a, B + 0x10000);
	done();
}

/* Expect: DC_REQ_ZERO zeroes the bytes. */
static void zero_flag_zeroes(void)
{
	dc_addr_t a;
	unsigned char *v;

	std_ready();
	T_ASSERT_FATAL(alloc(3 * P, P, 0, 0, 9, 0, &a) == 0);
	v = h_virt(&H, a, 3 * P);
	T_ASSERT_FATAL(v != NULL);
	if (v)
		memset(v, 0xa5, 3 * P);
	T_ASSERT(dc_free(H.sys, a, 3 * P) == 0);
	T_ASSERT_FATAL(alloc(3 * P, P, a, a + 3 * P, 9, DC_REQ_ZERO, &a) == 0);
	for (int i = 0; v && i < 3 * (int)P; i++)
		if (v[i]) {
			T_FAIL("byte not zeroed");
			break;
		}
	done();
}

/* --- metadata ----------------------------------------------------------- */

/*
 * Expect: pool exhaustion at every step of SETUP: with a pool of k bytes
 * for k growing, each call either succeeds or fails with DC_ENOSPC and
 * changes nothing; the sequence eventually completes.
 */
static void pool_exhaustion_at_every_step_of_setup(void)
{
	bool completed = false;

	for (size_t pool = 0; pool <= 16384 && !completed; pool += 64) {
		bool ok = true;

		h_init(&H, ops, 12, pool, dflags);
		h_back(&H, 0, B + 0x10000, 0x70000);
#define STEP(call)                                                        \
	do {                                                              \
		struct dc_snapshot *a_ = h_snap_new(H.sys), *b_;          \
		int r_;                                                   \
		r_ = (call);                                              \
		if (r_) {                                                 \
			b_ = h_snap_new(H.sys);                           \
			T_ASSERT_EQUAL(r_, DC_ENOSPC);                    \
			T_ASSERT(h_snap_same(a_, b_));                    \
			h_snap_del(b_);                                   \
			ok = false;                                       \
		}                                                         \
		h_snap_del(a_);                                           \
	} while (0)
		STEP(dc_add_memory(H.sys, 2, B + 0x10000, 0x20000));
		if (ok) STEP(dc_add_memory(H.sys, 5, B + 0x30000, 0x10000));
		if (ok) STEP(dc_add_memory(H.sys, 2, B + 0x50000, 0x10000));
		if (ok) STEP(dc_add_memory(H.sys, 9, B + 0x60000, 0x20000));
		if (ok) STEP(dc_set_distance(H.sys, 2, 9, 15));
		if (ok) STEP(dc_add_memory(H.sys, 11, B + 0x40000, 0x8000));
		if (ok) STEP(dc_reserve(H.sys, B + 0x11000, P));
		if (ok) STEP(dc_reserve(H.sys, B + 0x2f000, 0x2000));
		if (ok) STEP(dc_remove_memory(H.sys, B + 0x61000, P));
		if (ok) STEP(dc_free(H.sys, B + 0x11000, P));
		if (ok) STEP(dc_finalize(H.sys));
#undef STEP
		completed = ok;
		T_ASSERT(dc_check(H.sys) == 0);
		h_fini(&H);
	}
	T_ASSERT(completed);
}

struct meta_ctx {
	dc_addr_t b;
	dc_size_t s;
	int nid;
};

static int first_meta(void *ctx, int nid, dc_addr_t base, dc_size_t size)
{
	struct meta_ctx *m = ctx;

	m->b = base, m->s = size, m->nid = nid;
	return 1;
}

/*
 * Expect: with a tiny pool, allocations after finalize steal pages from
 * their own node (metadata local, counted, shown by the walk), until
 * memory runs out; then DC_ENOMEM (or DC_ENOSPC) with nothing changed;
 * freeing metadata is DC_EBUSY; everything still adds up.
 */
static void stealing_after_finalize_until_memory_runs_out(void)
{
	struct meta_ctx m = { 0, 0, -1 };
	struct dc_stats s;
	dc_addr_t a;
	int r = 0, n = 0;

	/* 4 KiB, not 2: the tree backend's first extent of each of the
	 * three nodes takes a 512-byte B-tree leaf (issue 15) */
	h_init(&H, ops, 12, 4096, dflags);
	layout(&H);
	T_ASSERT_FATAL(dc_finalize(H.sys) == 0);
	/* 64 bytes at 128-byte alignment: each leaves a 64-byte hole that
	 * no later request fits, so every one adds a free extent */
	while (!r) {
		r = alloc(64, 128, 0, 0, 9, DC_REQ_EXACT_NODE, &a);
		if (r)
			break;
		if (++n % 64 == 0)
			T_ASSERT_FATAL(dc_check(H.sys) == 0);
	}
	T_ASSERT(r == DC_ENOMEM || r == DC_ENOSPC);
	T_ASSERT(dc_stats(H.sys, 9, &s) == 0);
	T_ASSERT(s.metadata > 0);
	T_ASSERT(dc_walk(H.sys, 9, DC_WALK_METADATA, first_meta, &m) == 1);
	T_ASSERT_EQUAL(m.nid, 9);
	T_ASSERT_EQUAL(dc_node_of(H.sys, m.b), 9);
	EXPECT_UNCHANGED(DC_EBUSY, dc_free(H.sys, m.b, P));
	EXPECT_UNCHANGED(r, alloc(64, 128, 0, 0, 9, DC_REQ_EXACT_NODE, &a));
	done();
}

/* --- phases and hand-over ----------------------------------------------- */

struct rel_ctx {
	dc_addr_t last_end;
	int last_nid;
	dc_size_t bytes;
	bool ok;
};

static void rel_fn(void *ctx, int nid, dc_addr_t base, unsigned order)
{
	struct rel_ctx *c = ctx;
	dc_size_t size = P << order;

	if (order > DC_MAX_ORDER || base % size)
		c->ok = false;
	if (nid < c->last_nid || (nid == c->last_nid && base < c->last_end))
		c->ok = false;	/* ascending per node, nodes ascending */
	c->last_nid = nid;
	c->last_end = base + size;
	c->bytes += size;
}

/*
 * Expect: dc_release_all hands every whole free page as naturally aligned
 * blocks (order <= DC_MAX_ORDER), ascending, nodes ascending; partial
 * pages stay free; afterwards RETIRED allows only read-only calls; then
 * dc_release_metadata; GONE allows only dc_stats.
 */
static void release_all_then_metadata_and_wrong_phases(void)
{
	struct rel_ctx c = { 0, -1, 0, true };
	struct dc_stats s;
	dc_size_t rel = 0, relm = 0;
	dc_addr_t a;

	std_ready();
	T_ASSERT(alloc(100, 1, 0, 0, 2, DC_REQ_BOTTOM_UP, &a) == 0);
	T_ASSERT(dc_release_all(H.sys, NULL, NULL, &rel) == DC_EINVAL);
	T_ASSERT(dc_release_metadata(H.sys, rel_fn, &c, &rel) == DC_ESTATE);
	T_ASSERT(dc_release_all(H.sys, rel_fn, &c, &rel) == 0);
	T_ASSERT(c.ok);
	T_ASSERT_EQUAL(rel, c.bytes);
	T_ASSERT(dc_stats(H.sys, DC_NO_NODE, &s) == 0);
	T_ASSERT_EQUAL(s.released, rel);
	T_ASSERT_EQUAL(s.page_handoffs, rel / P);
	/* the rest of the page that holds the 100 bytes stays free */
	T_ASSERT_EQUAL(s.free, P - gran_taken(100));
	T_ASSERT(dc_check(H.sys) == 0);
	T_ASSERT(h_accounting_ok(H.sys));
	T_ASSERT_EQUAL(dc_node_of(H.sys, a), 2);
	T_ASSERT_EQUAL(dc_reserve(H.sys, a, 1), DC_ESTATE);
	T_ASSERT_EQUAL(dc_free(H.sys, a, 100), DC_ESTATE);
	T_ASSERT_EQUAL(alloc(P, P, 0, 0, 2, 0, &a), DC_ESTATE);
	T_ASSERT_EQUAL(dc_finalize(H.sys), DC_ESTATE);
	T_ASSERT_EQUAL(dc_release_all(H.sys, rel_fn, &c, NULL), DC_ESTATE);
	T_ASSERT_EQUAL(dc_add_memory(H.sys, 1, 0, P), DC_ESTATE);
	c = (struct rel_ctx){ 0, -1, 0, true };
	T_ASSERT(dc_release_metadata(H.sys, rel_fn, &c, &relm) == 0);
	T_ASSERT(c.ok);
	T_ASSERT_EQUAL(relm, c.bytes);
	T_ASSERT(dc_stats(H.sys, DC_NO_NODE, &s) == 0);
	T_ASSERT_EQUAL(s.metadata, 0);
	T_ASSERT_EQUAL(s.released, rel + relm);
	T_ASSERT_EQUAL(s.memory, s.used + s.metadata + s.free + s.released);
	T_ASSERT_EQUAL(dc_check(H.sys), DC_ESTATE);
	T_ASSERT_EQUAL(dc_node_of(H.sys, a), DC_ESTATE);
	T_ASSERT_EQUAL(h_walk_count(H.sys, DC_NO_NODE, DC_WALK_FREE), 0);
	T_ASSERT_EQUAL(dc_release_metadata(H.sys, rel_fn, &c, NULL), DC_ESTATE);
	h_fini(&H);
}

/* Expect: in SETUP, dc_alloc / release are DC_ESTATE; finalize twice is
 * DC_ESTATE; add_memory and set_distance after finalize are DC_ESTATE. */
static void every_call_in_setup_and_ready_wrong_phase(void)
{
	dc_addr_t a;
	struct rel_ctx c = { 0, -1, 0, true };

	std_init();
	EXPECT_UNCHANGED(DC_ESTATE, alloc(P, P, 0, 0, DC_NO_NODE, 0, &a));
	EXPECT_UNCHANGED(DC_ESTATE, dc_release_all(H.sys, rel_fn, &c, NULL));
	EXPECT_UNCHANGED(DC_ESTATE, dc_release_metadata(H.sys, rel_fn, &c, NULL));
	T_ASSERT_FATAL(dc_finalize(H.sys) == 0);
	EXPECT_UNCHANGED(DC_ESTATE, dc_finalize(H.sys));
	EXPECT_UNCHANGED(DC_ESTATE, dc_add_memory(H.sys, 1, B + 0x90000, P));
	EXPECT_UNCHANGED(DC_ESTATE, dc_set_distance(H.sys, 2, 5, 11));
	EXPECT_UNCHANGED(DC_ESTATE, dc_release_metadata(H.sys, rel_fn, &c, NULL));
	done();
}

/* Expect: walks are ascending, maximal, and partition memory into used,
 * metadata and free. */
static void walks_partition_memory(void)
{
	dc_addr_t a;
	struct dc_stats s;

	std_ready();
	for (int i = 0; i < 10; i++)
		T_ASSERT(alloc(P + 8 * i, 8, 0, 0, i % 2 ? 2 : 9, 0, &a) == 0);
	T_ASSERT(dc_stats(H.sys, DC_NO_NODE, &s) == 0);
	T_ASSERT_EQUAL(h_walk_bytes(H.sys, DC_NO_NODE, DC_WALK_MEMORY), s.memory);
	T_ASSERT_EQUAL(h_walk_bytes(H.sys, DC_NO_NODE, DC_WALK_USED), s.used);
	T_ASSERT_EQUAL(h_walk_bytes(H.sys, DC_NO_NODE, DC_WALK_METADATA),
			s.metadata);
	if (!ops->page_granular)
		T_ASSERT_EQUAL(h_walk_bytes(H.sys, DC_NO_NODE, DC_WALK_FREE),
				s.free);
	EXPECT_UNCHANGED(DC_EINVAL, dc_walk(H.sys, 3, DC_WALK_FREE, first_meta,
					    NULL));
	EXPECT_UNCHANGED(DC_EINVAL, dc_walk(H.sys, 2, (enum dc_walk_kind)9,
					    first_meta, NULL));
	done();
}

/* --- registration ------------------------------------------------------- */

/* --- what a kernel needs (issue "A library a real kernel can take") ----- */

#define MiB (1ull << 20)
#define GiB (1ull << 30)

/* Where a layout of a few GiB starts: so that it ends at 2^64 in the
 * suites at the top, else where the standard layout does (0, or the
 * module's block of pages). */
static dc_addr_t big_base(dc_size_t span)
{
	return B == TOP_BASE ? 0 - span : B;
}

/* Fill the (small) initial pool in SETUP with single-byte reservations,
 * two pages apart, on a node of its own (nid 30, 64 MiB from base), until
 * it refuses: afterwards a call that needs entries must steal. 64 MiB,
 * not 16 as with the AVL's 64-byte extents: the tree backend's B-tree
 * keeps 31 extents in a 512-byte leaf (issue 15), so 2048 reservations
 * took 35 KiB and a 64 KiB pool never ran dry; 8192 take 135 KiB. */
static void exhaust_pool(dc_addr_t base)
{
	T_ASSERT_FATAL(h_add(&H, 30, base, 64 * MiB) == 0);
	for (dc_addr_t a = base + 1; a < base + 64 * MiB; a += 2 * P)
		if (dc_reserve(H.sys, a, 1) == DC_ENOSPC)
			return;
	T_FAIL("the pool never ran dry");
}

static struct dc_stats stats_of(int nid)
{
	struct dc_stats s;

	T_ASSERT_FATAL(dc_stats(H.sys, nid, &s) == 0);
	return s;
}

/*
 *   node 5: [0x30000, 0x40000) all reserved in SETUP (firmware)
 *   node 2 (nearest to 5), node 9 (farther) as in the standard layout
 *   then, the pool empty, single bytes of node 5 freed two apart until
 *   node 5 needs metadata:
 *
 *   0x30000                                               0x40000
 *   |u.u.u.u.u.u.u.u.u.u.u.u ...                                |
 *     ^ 1 byte free at 0x30001 + 2i: node 5 never has a free page
 *
 * Expect: dc_finalize succeeds. Node 5 comes to need metadata on every
 * backend: the bitmap at finalize; the tree and the array once their
 * spares (B-tree nodes, issue 15; array slots and what the pool still
 * had) are spent, after about 30 and 500 frees. It comes from node 2,
 * the nearest node with free memory, and counts as node 5's remote steal
 * and node 2's metadata; nothing is taken from node 5 or 9.
 */
static void node_with_all_memory_reserved_gets_metadata_from_nearest(void)
{
	struct meta_ctx m = { 0, 0, -1 };

	h_init(&H, ops, 12, 64 << 10, dflags);
	layout(&H);
	T_ASSERT(dc_set_distance(H.sys, 5, 2, 12) == 0);
	T_ASSERT(dc_set_distance(H.sys, 5, 9, 40) == 0);
	T_ASSERT(dc_reserve(H.sys, B + 0x30000, 0x10000) == 0);
	exhaust_pool(B + 0x1000000);
	T_ASSERT_FATAL(dc_finalize(H.sys) == 0);
	for (dc_addr_t a = B + 0x30001;
	     a < B + 0x40000 && !stats_of(5).remote_steals; a += 2)
		T_ASSERT_FATAL(dc_free(H.sys, a, 1) == 0);
	T_ASSERT(stats_of(5).remote_steals >= 1);
	T_ASSERT_EQUAL(stats_of(5).metadata, 0);
	T_ASSERT_EQUAL(stats_of(5).steals, 0);	/* nothing taken from 5 */
	T_ASSERT_EQUAL(stats_of(9).remote_steals, 0);
	T_ASSERT(stats_of(2).metadata > 0);
	T_ASSERT(dc_walk(H.sys, 2, DC_WALK_METADATA, first_meta, &m) == 1);
	T_ASSERT_EQUAL(dc_node_of(H.sys, m.b), 2);
	done();
}

/*
 *   node 0 [0, 64 MiB), node 1 [64 MiB, 4 GiB + 64 MiB); a kernel that
 *   maps only the first 64 MiB: the access limit, and a phys_to_virt that
 *   refuses the rest. (Node 0 is small so that a 32-bit host can back it:
 *   scripts/cross.sh runs this on -m32.)
 *
 * Expect: with the limit set, every steal (node 1's bitmap at finalize,
 * or its entries) and zeroed allocation calls phys_to_virt about once;
 * node 1's metadata comes from node 0, below the limit. Without the
 * limit, a refusal is found by search: at most 2 x 64 calls for the
 * first steal, then once per steal again (the learned limit).
 */
static void access_limit_bounds_phys_to_virt_calls(void)
{
	const dc_size_t LIMIT = 64 * MiB;
	dc_addr_t base = big_base(8 * GiB), a;
	size_t calls, steals;

	for (int set = 1; set >= 0; set--) {
		h_init(&H, ops, 12, 64 << 10, dflags);
		T_ASSERT_FATAL(h_add(&H, 0, base, LIMIT) == 0);
		T_ASSERT_FATAL(h_add(&H, 1, base + LIMIT, 4 * GiB) == 0);
		H.refuse_from = base + LIMIT;
		if (set)
			T_ASSERT(dc_set_access_limit(H.sys, base + LIMIT) == 0);
		exhaust_pool(base + 7 * GiB);
		H.p2v_calls = 0;
		T_ASSERT_FATAL(dc_finalize(H.sys) == 0);
		/* cache-line allocations that each leave a hole: every 64 of
		 * them need a steal of node 1's entries */
		for (int i = 0; i < 4000; i++)
			T_ASSERT_FATAL(alloc(64, 128, 0, 0, 1,
					      DC_REQ_EXACT_NODE, &a) == 0);
		calls = H.p2v_calls;
		steals = stats_of(DC_NO_NODE).steals;
		T_ASSERT(steals > 0);
		T_ASSERT(calls <= steals + (set ? 2 : 2 * 64));
		/* all of it below the limit, on node 0 */
		T_ASSERT_EQUAL(stats_of(1).metadata, 0);
		T_ASSERT(stats_of(1).remote_steals > 0);
		/* a zeroed request lands below the limit */
		H.p2v_calls = 0;
		T_ASSERT_FATAL(alloc(P, P, 0, 0, DC_NO_NODE,
				      DC_REQ_ZERO | DC_REQ_TOP_DOWN, &a) == 0);
		T_ASSERT(a + P <= base + LIMIT);
		T_ASSERT(H.p2v_calls <= (set ? 1 : 2 * 64 + 1));
		done();
	}
}

/*
 *   node 0 [0, 1 MiB), node 1 [1 MiB, 2 MiB); access limit at 1 MiB + 8 KiB
 *
 * Expect: a zeroed request without max_addr never returns memory at or
 * above the limit, and succeeds while mappable memory fits (node 1's
 * first two pages, node 0); a request that fits only above the limit is
 * DC_ENOMEM with nothing changed, and fits there without DC_REQ_ZERO.
 */
static void zeroed_requests_stay_below_access_limit(void)
{
	dc_addr_t base = big_base(4 * MiB), a;

	h_init(&H, ops, 12, 1 << 20, dflags);
	T_ASSERT_FATAL(h_add(&H, 0, base, MiB) == 0);
	T_ASSERT_FATAL(h_add(&H, 1, base + MiB, MiB) == 0);
	T_ASSERT(dc_set_access_limit(H.sys, base + MiB + 2 * P) == 0);
	T_ASSERT_FATAL(dc_finalize(H.sys) == 0);
	T_ASSERT_EQUAL(alloc(P, P, 0, 0, 1, DC_REQ_ZERO | DC_REQ_TOP_DOWN,
			      &a), 0);
	T_ASSERT_EQUAL(a, base + MiB + (ops->page_granular ? 0 : P));
	T_ASSERT_EQUAL(alloc(P, P, 0, 0, 1, DC_REQ_ZERO | DC_REQ_EXACT_NODE,
			      &a), ops->page_granular ? DC_ENOMEM : 0);
	EXPECT_UNCHANGED(DC_ENOMEM, alloc(P, P, base + MiB + 2 * P, 0, 1,
					  DC_REQ_ZERO | DC_REQ_EXACT_NODE,
					  &a));
	T_ASSERT_EQUAL(alloc(P, P, base + MiB + 2 * P, 0, 1,
			      DC_REQ_EXACT_NODE, &a), 0);
	T_ASSERT(a >= base + MiB + 2 * P);
	/* falls back to node 0, below the limit */
	T_ASSERT_EQUAL(alloc(64 * P, P, 0, 0, 1, DC_REQ_ZERO, &a), 0);
	T_ASSERT_EQUAL(dc_node_of(H.sys, a), 0);
	/* raised: node 1 maps again */
	T_ASSERT(dc_set_access_limit(H.sys, 0) == 0);
	T_ASSERT_EQUAL(alloc(P, P, 0, 0, 1, DC_REQ_ZERO | DC_REQ_EXACT_NODE,
			      &a), 0);
	done();
}

/*
 *   0x10000 |node 2 .. |node 5| hole |node 2| node 9 | 0x80000
 *            ^^ [0, 0x10000) below: a hole; firmware ranges overlap it
 *
 * Expect: dc_reserve_loose reserves the free bytes of a range that covers
 * holes, reservations and metadata, and says how many became used; doing
 * it again reserves nothing and still succeeds.
 */
static void loose_reservations_skip_holes_used_and_metadata(void)
{
	dc_size_t newly = 7, used0;
	dc_addr_t a;

	std_ready();
	T_ASSERT(dc_reserve(H.sys, B + 0x12000, 0x1000) == 0);
	/* [B, 0x18000): a hole, 0x8000 of node 2 of which 0x1000 used */
	EXPECT_UNCHANGED(DC_ENOENT, dc_reserve(H.sys, B, 0x18000));
	used0 = stats_of(DC_NO_NODE).used;
	T_ASSERT_EQUAL(dc_reserve_loose(H.sys, B, 0x18000, &newly), 0);
	T_ASSERT_EQUAL(newly, 0x7000);
	T_ASSERT_EQUAL(stats_of(DC_NO_NODE).used, used0 + 0x7000);
	T_ASSERT_EQUAL(dc_reserve_loose(H.sys, B, 0x18000, &newly), 0);
	T_ASSERT_EQUAL(newly, 0);
	/* across the hole between nodes 5 and 2, with metadata inside:
	 * (the bitmap's top page of node 5 is metadata) */
	T_ASSERT_EQUAL(dc_reserve_loose(H.sys, B + 0x3f000, 0x12000, &newly),
			0);
	T_ASSERT_EQUAL(newly, (ops->page_granular ? 0 : P) + P);
	EXPECT_UNCHANGED(DC_ERANGE, dc_reserve_loose(H.sys, 0 - P, 2 * P,
						     NULL));
	EXPECT_UNCHANGED(DC_EINVAL, dc_reserve_loose(H.sys, B, 0, NULL));
	T_ASSERT_EQUAL(alloc(P, P, 0, 0, 2, DC_REQ_EXACT_NODE, &a), 0);
	T_ASSERT(a >= B + 0x18000);
	done();
}

/*
 *   one fragment of node 0 [0x10000, 0x80000), a reservation at 0x40000
 *
 * Expect: dc_set_node splits the fragment at the range's edges, the used
 * bytes move with their memory, neighbours of the new node merge; moving
 * it back merges everything into one fragment again; holes are skipped.
 */
static void set_node_splits_merges_and_moves_used_bytes(void)
{
	h_init(&H, ops, 12, 1 << 20, dflags);
	T_ASSERT_FATAL(h_add(&H, 0, B + 0x10000, 0x70000) == 0);
	T_ASSERT(dc_reserve(H.sys, B + 0x40000, 0x2000) == 0);
	T_ASSERT(dc_set_node(H.sys, B + 0x30000, 0x20000, 4) == 0);
	T_ASSERT_EQUAL(stats_of(0).fragments, 2);
	T_ASSERT_EQUAL(stats_of(4).fragments, 1);
	T_ASSERT_EQUAL(stats_of(4).memory, 0x20000);
	T_ASSERT_EQUAL(stats_of(4).used, 0x2000);
	T_ASSERT_EQUAL(stats_of(0).used, 0);
	T_ASSERT_EQUAL(dc_node_of(H.sys, B + 0x40000), 4);
	T_ASSERT_EQUAL(dc_node_of(H.sys, B + 0x2ffff), 0);
	/* the used bytes are still used: a second reserve is refused */
	EXPECT_UNCHANGED(DC_EBUSY, dc_reserve(H.sys, B + 0x41000, 1));
	/* next to it: merges with node 4's fragment */
	T_ASSERT(dc_set_node(H.sys, B + 0x50000, 0x8000, 4) == 0);
	T_ASSERT_EQUAL(stats_of(4).fragments, 1);
	T_ASSERT_EQUAL(stats_of(4).memory, 0x28000);
	/* a range over a hole and memory of several nodes: all to 0 */
	T_ASSERT(dc_set_node(H.sys, B, 0x80000, 0) == 0);
	T_ASSERT_EQUAL(stats_of(0).fragments, 1);
	T_ASSERT_EQUAL(stats_of(0).memory, 0x70000);
	T_ASSERT_EQUAL(stats_of(0).used, 0x2000);
	T_ASSERT_EQUAL(stats_of(4).memory, 0);	/* memoryless, still there */
	T_ASSERT(dc_free(H.sys, B + 0x40000, 0x2000) == 0);
	EXPECT_UNCHANGED(DC_EINVAL, dc_set_node(H.sys, B, P, DC_MAX_NODES));
	EXPECT_UNCHANGED(DC_EINVAL, dc_set_node(H.sys, B, 0, 1));
	T_ASSERT_FATAL(dc_finalize(H.sys) == 0);
	EXPECT_UNCHANGED(DC_ESTATE, dc_set_node(H.sys, B, P, 1));
	done();
}

/*
 *   nodes 2, 5, 9 of the standard layout; node 7 without memory
 *   (dc_add_node), distances from 7: 9 at 15, 5 at 17, 2 at 30
 *
 * Expect: a request naming node 7 falls back to 9, then 5, then 2 as
 * each fills up; with DC_REQ_EXACT_NODE it is DC_ENOMEM; a node that was
 * never created falls back by default distances (lowest nid first).
 */
static void cpu_only_node_falls_back_in_distance_order(void)
{
	dc_addr_t a;

	std_init();
	T_ASSERT(dc_add_node(H.sys, 7) == 0);
	T_ASSERT(dc_add_node(H.sys, 7) == 0);	/* twice: no error */
	T_ASSERT(dc_set_distance(H.sys, 7, 9, 15) == 0);
	T_ASSERT(dc_set_distance(H.sys, 7, 5, 17) == 0);
	T_ASSERT(dc_set_distance(H.sys, 7, 2, 30) == 0);
	T_ASSERT_FATAL(dc_finalize(H.sys) == 0);
	T_ASSERT_EQUAL(alloc(P, P, 0, 0, 7, 0, &a), 0);
	T_ASSERT_EQUAL(dc_node_of(H.sys, a), 9);
	T_ASSERT_EQUAL(alloc(gran_node_end(0x20000) - P, P, 0, 0, 7, 0, &a),
			0);
	T_ASSERT_EQUAL(dc_node_of(H.sys, a), 9);
	T_ASSERT_EQUAL(alloc(P, P, 0, 0, 7, 0, &a), 0);
	T_ASSERT_EQUAL(dc_node_of(H.sys, a), 5);
	EXPECT_UNCHANGED(DC_ENOMEM, alloc(P, P, 0, 0, 7, DC_REQ_EXACT_NODE,
					  &a));
	T_ASSERT_EQUAL(alloc(P, P, 0, 0, 11, 0, &a), 0);	/* never made */
	T_ASSERT_EQUAL(dc_node_of(H.sys, a), 2);
	EXPECT_UNCHANGED(DC_ENOMEM, alloc(P, P, 0, 0, 11, DC_REQ_EXACT_NODE,
					  &a));
	T_ASSERT(stats_of(7).memory == 0 && stats_of(7).allocs == 0);
	done();
}


/* --- a NUMA machine's own memory ---------------------------------------- */

static int machine_index(const struct h_machine *m, int nid)
{
	for (int i = 0; i < m->nnodes; i++)
		if (m->nids[i] == nid)
			return i;
	return -1;
}

static int machine_dist(const struct h_machine *m, int from, int to)
{
	int i = machine_index(m, from), j = machine_index(m, to);

	return i < 0 || j < 0 ? -1 : m->dist[i][j];
}

/* Does [a, a + size) lie in one chunk of nid (any nid if DC_NO_NODE)? */
static bool machine_holds(const struct h_machine *m, int nid, dc_addr_t a,
			  dc_size_t size)
{
	for (int i = 0; i < m->nchunks; i++) {
		const struct h_chunk *c = &m->chunk[i];

		if ((nid == DC_NO_NODE || c->nid == nid) && a >= c->base &&
		    a - c->base <= c->size && size <= c->size - (a - c->base))
			return true;
	}
	return false;
}

/* The distance from nid to the nearest node that has memory. */
static int machine_nearest_memory(const struct h_machine *m, int nid)
{
	int best = -1;

	for (int i = 0; i < m->nchunks; i++) {
		int d = machine_dist(m, nid, m->chunk[i].nid);

		if (d >= 0 && (best < 0 || d < best))
			best = d;
	}
	return best;
}

struct machine_rel_ctx {
	const struct h_machine *m;
	dc_size_t bytes;
	bool ok;
};

static void machine_rel(void *ctx, int nid, dc_addr_t base, unsigned order)
{
	struct machine_rel_ctx *c = ctx;

	c->bytes += P << order;
	if (!machine_holds(c->m, nid, base, P << order))
		c->ok = false;
}

/* One node with memory: an exact request lands in its own chunks, and
 * DC_REQ_ZERO zeroes what was written through phys_to_virt. */
static void machine_node_serves_itself(const struct h_machine *m, int nid)
{
	dc_addr_t a;
	unsigned char *v;

	T_ASSERT_FATAL(alloc(2 * P, P, 0, 0, nid, DC_REQ_EXACT_NODE, &a) == 0);
	T_ASSERT_EQUAL(dc_node_of(H.sys, a), nid);
	T_ASSERT(machine_holds(m, nid, a, 2 * P));
	v = h_virt(&H, a, 2 * P);
	T_ASSERT_FATAL(v != NULL);
	if (!v)
		return;
	memset(v, 0xa5, 2 * P);
	T_ASSERT(dc_free(H.sys, a, 2 * P) == 0);
	T_ASSERT_FATAL(alloc(2 * P, P, a, a + 2 * P, nid,
			     DC_REQ_ZERO | DC_REQ_EXACT_NODE, &a) == 0);
	for (int i = 0; i < 2 * (int)P; i++)
		if (v[i]) {
			T_FAIL("byte not zeroed");
			break;
		}
}

/*
 * The machine of h_machine(): in the Linux module, chunks of pages the
 * module took from every online node, with their real nids and
 * node_distance(); in user space a simulated one of the same shape.
 *
 *   | n0 |   | n1 |   | n3 |   | n0 |   | n1 | ...   (registered in
 *   this interleaved order; the holes are pages the module did not take)
 *
 * Expect: every node with memory serves an exact request from its own
 * chunks, zeroed when asked; a node without memory (CPU-only) falls back
 * to a nearest node with memory, and is DC_ENOMEM when exact;
 * dc_release_all hands over only pages of the chunks, each under the nid
 * of its chunk, no more than was free.
 */
static void machine_nodes_serve_their_own_memory(void)
{
	const struct h_machine *m = h_machine();
	struct machine_rel_ctx c = { m, 0, true };
	struct dc_stats s;
	dc_size_t rel = 0;
	dc_addr_t a;

	h_init(&H, ops, 12, 1 << 20, dflags);
	for (int i = 0; i < m->nchunks; i++)
		T_ASSERT_FATAL(h_add(&H, m->chunk[i].nid, m->chunk[i].base,
				     m->chunk[i].size) == 0);
	for (int i = 0; i < m->nnodes; i++) {
		T_ASSERT(dc_add_node(H.sys, m->nids[i]) == 0);
		for (int j = 0; j < m->nnodes; j++)
			if (i != j)
				T_ASSERT(dc_set_distance(H.sys, m->nids[i],
							 m->nids[j],
							 m->dist[i][j]) == 0);
	}
	/* the first page, as a kernel image would be */
	T_ASSERT(dc_reserve(H.sys, m->chunk[0].base, P) == 0);
	T_ASSERT_FATAL(dc_finalize(H.sys) == 0);
	for (int i = 0; i < m->nnodes; i++) {
		int nid = m->nids[i];

		if (machine_nearest_memory(m, nid) == m->dist[i][i]) {
			machine_node_serves_itself(m, nid);
			continue;
		}
		T_ASSERT_EQUAL(alloc(P, P, 0, 0, nid, 0, &a), 0);
		T_ASSERT_EQUAL(machine_dist(m, nid, dc_node_of(H.sys, a)),
			       machine_nearest_memory(m, nid));
		EXPECT_UNCHANGED(DC_ENOMEM, alloc(P, P, 0, 0, nid,
						  DC_REQ_EXACT_NODE, &a));
	}
	T_ASSERT(dc_stats(H.sys, DC_NO_NODE, &s) == 0);
	T_ASSERT(dc_release_all(H.sys, machine_rel, &c, &rel) == 0);
	T_ASSERT(c.ok);
	T_ASSERT_EQUAL(rel, c.bytes);
	T_ASSERT(rel > 0 && rel <= s.free);
	done();
}

#define CASE(f, flags) { #f, f, flags }
const struct dc_t_case dc_conformance_cases[] = {
	CASE(size_zero_returns_einval_unchanged, 0),
	CASE(align_zero_three_and_2_63, 0),
	CASE(alignment_larger_than_memory_returns_enomem, 0),
	CASE(min_above_max_and_both_directions_return_einval, 0),
	CASE(range_that_wraps_returns_erange, 0),
	CASE(null_and_uninitialised_system_return_einval, 0),
	CASE(fragment_ending_at_2_64_top_down_and_last_byte, DC_T_HOST_ONLY),
	CASE(memory_at_zero_bottom_up_returns_zero, DC_T_HOST_ONLY),
	CASE(adjacent_fragments_of_one_node_merge, 0),
	CASE(sparse_node_ids_work, 0),
	CASE(interleaved_fragments_in_random_order, 0),
	CASE(remove_memory_splits_and_refuses_used, 0),
	CASE(reservation_crossing_three_nodes, 0),
	CASE(reservation_leaving_and_returning_to_a_node, 0),
	CASE(double_free_returns_enoent_unchanged, 0),
	CASE(one_byte_allocations, 0),
	CASE(direction_picks_highest_or_lowest, 0),
	CASE(window_is_exact_and_no_fit_straddles_fragments, 0),
	CASE(fallback_by_distance_then_exact_node, 0),
	CASE(relax_min_retries_from_zero, 0),
	CASE(no_node_searches_all_memory, 0),
	CASE(zero_flag_zeroes, 0),
	CASE(pool_exhaustion_at_every_step_of_setup, 0),
	CASE(stealing_after_finalize_until_memory_runs_out, 0),
	CASE(release_all_then_metadata_and_wrong_phases, 0),
	CASE(every_call_in_setup_and_ready_wrong_phase, 0),
	CASE(walks_partition_memory, 0),
	/* 80 MiB: the layout and a 64 MiB node to exhaust the pool on */
	CASE(node_with_all_memory_reserved_gets_metadata_from_nearest,
	     DC_T_HOST_ONLY),
	/* 8 GiB */
	CASE(access_limit_bounds_phys_to_virt_calls, DC_T_HOST_ONLY),
	CASE(zeroed_requests_stay_below_access_limit, 0),
	CASE(loose_reservations_skip_holes_used_and_metadata, 0),
	CASE(set_node_splits_merges_and_moves_used_bytes, 0),
	CASE(cpu_only_node_falls_back_in_distance_order, 0),
	CASE(machine_nodes_serve_their_own_memory, 0),
};
#undef CASE

const size_t dc_conformance_ncases =
	sizeof(dc_conformance_cases) / sizeof(dc_conformance_cases[0]);
