// SPDX-License-Identifier: BSD-3-Clause
/*
 * test_bitmap24.c - the "2.4 behaviour" suite of the bitmap backend.
 *
 * Every expected address here is computed by hand from shared/BOOTMEM24.md
 * (the rules of Linux 2.4's mm/bootmem.c) and from the documented
 * differences in backends/bitmap.c; each case draws its layout and states
 * what it expects. Everything goes through the public API on a system
 * whose simulated memory is backed by the host (tests/support/harness.h).
 *
 * The last case is randomised (seed printed; argv[1] or DC_SEED replays
 * it) and checks invariants only.
 *
 * Page size 4 KiB. Unless a case says otherwise, the layout is one node:
 *
 *   B0 = 0x100000                                  0x13f000   0x140000
 *   | node 0: 64 pages, free                        | bitmap  |
 *
 * 64 pages need 8 bytes of bitmap: one page, placed top-down at finalize
 * (metadata steals are top-down, core/pool.c), so page 63 is metadata.
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

#define P 0x1000ull
#define B0 0x100000ull
#define BU (DC_REQ_EXACT_NODE | DC_REQ_BOTTOM_UP)
#define TD (DC_REQ_EXACT_NODE | DC_REQ_TOP_DOWN)

static struct dc_harness H;

static void init_node0(void)
{
	h_init(&H, &dc_backend_bitmap, 12, 1 << 20, 0);
	CU_ASSERT_FATAL(h_add(&H, 0, B0, 64 * P) == 0);
}

static void ready_node0(void)
{
	init_node0();
	CU_ASSERT_FATAL(dc_finalize(H.sys) == 0);
}

static void done(void)
{
	CU_ASSERT_EQUAL(dc_check(H.sys), 0);
	CU_ASSERT(h_accounting_ok(H.sys));
	h_fini(&H);
}

static int al(dc_size_t size, dc_size_t align, dc_addr_t min, dc_addr_t max,
	      int nid, unsigned flags, dc_addr_t *out)
{
	struct dc_request q = { size, align, min, max, nid, flags };

	return dc_alloc(H.sys, &q, out);
}

/* Allocate on node 0 and expect address want. */
#define EXPECT_ALLOC(want, size, align, min, max, flags)                  \
	do {                                                              \
		dc_addr_t a_ = 0;                                         \
		CU_ASSERT_EQUAL(al(size, align, min, max, 0, flags, &a_), 0); \
		CU_ASSERT_EQUAL(a_, (dc_addr_t)(want));                   \
		if (a_ != (dc_addr_t)(want))                              \
			printf("\n  got %#llx want %#llx\n",              \
			       (unsigned long long)a_,                    \
			       (unsigned long long)(want));               \
		CU_ASSERT_EQUAL(dc_check(H.sys), 0);                      \
	} while (0)

/* A call that must fail with err and change nothing observable. */
#define EXPECT_UNCHANGED(err, call) H_EXPECT_UNCHANGED(H.sys, err, call)

static struct dc_stats st(int nid)
{
	struct dc_stats s;

	memset(&s, 0, sizeof(s));
	CU_ASSERT(dc_stats(H.sys, nid, &s) == 0);
	return s;
}

/* --- packing (BOOTMEM24.md step 6) ---------------------------------------- */

/*
 *   page 0 (B0)
 *   |A 100|pad|B 200     |C 64|   free ...       |  page 1: free
 *   0     100 128        328  392                4096
 *
 * Expect: B packs at round_up(100, 64) = 128 and C at round_up(328, 8) =
 * 328, all three in page 0; one page is used.
 */
static void packing_small_allocation_after_partial_page(void)
{
	ready_node0();
	EXPECT_ALLOC(B0, 100, 64, 0, 0, BU);
	EXPECT_ALLOC(B0 + 128, 200, 64, 0, 0, BU);
	EXPECT_ALLOC(B0 + 328, 64, 8, 0, 0, BU);
	CU_ASSERT_EQUAL(st(0).used, P);
	CU_ASSERT_EQUAL(st(0).free, 62 * P);
	done();
}

/*
 *   page 0            page 1                 page 2
 *   |A 100|..|B ...   |... B (1032 bytes)|C  |  free
 *   0        128      0x1000      0x1408 0x1410
 *
 * Expect: B (5000 bytes) begins in page 0 at 128 (room 3968) and runs on
 * for ceil((5000 - 3968) / P) = 1 new page; last_offset = 1032, so C (10
 * bytes, align 16) packs at page 1 + round_up(1032, 16) = 0x1410.
 */
static void packing_runs_on_into_the_next_page(void)
{
	ready_node0();
	EXPECT_ALLOC(B0, 100, 64, 0, 0, BU);
	EXPECT_ALLOC(B0 + 128, 5000, 64, 0, 0, BU);
	CU_ASSERT_EQUAL(st(0).used, 2 * P);
	EXPECT_ALLOC(B0 + P + 1040, 10, 16, 0, 0, BU);
	CU_ASSERT_EQUAL(st(0).used, 2 * P);
	done();
}

/*
 *   page 0                         page 1
 *   |A 100|..|B 3968 ends at 4096| |C 100| free
 *
 * Expect: B fills page 0 exactly (size == room: no new page, last_offset
 * = 0), so C is not packed and takes page 1. Likewise after a one-page
 * allocation (last_offset = P mod P = 0).
 */
static void no_packing_after_allocation_ending_on_page_boundary(void)
{
	ready_node0();
	EXPECT_ALLOC(B0, 100, 64, 0, 0, BU);
	EXPECT_ALLOC(B0 + 128, 3968, 64, 0, 0, BU);
	CU_ASSERT_EQUAL(st(0).used, P);
	EXPECT_ALLOC(B0 + P, 100, 64, 0, 0, BU);
	CU_ASSERT_EQUAL(st(0).used, 2 * P);
	/* page 1 is partly used (100): a whole page after it ends on a
	 * page boundary... */
	EXPECT_ALLOC(B0 + 2 * P, P, P, 0, 0, BU);
	/* ...so the next small one is not packed */
	EXPECT_ALLOC(B0 + 3 * P, 8, 8, 0, 0, BU);
	CU_ASSERT_EQUAL(st(0).used, 4 * P);
	done();
}

/*
 *   page 0       page 1           page 2
 *   |A 5000 .....|.. 904 |D 100|  | free
 *
 * Expect: last_offset = 5000 mod P = 904 after a multi-page allocation,
 * so a small one packs into its tail at 0x1000 + round_up(904, 64) =
 * 0x13c0.
 */
static void small_allocation_packs_into_tail_of_big_one(void)
{
	ready_node0();
	EXPECT_ALLOC(B0, 5000, 64, 0, 0, BU);
	EXPECT_ALLOC(B0 + P + 960, 100, 64, 0, 0, BU);
	CU_ASSERT_EQUAL(st(0).used, 2 * P);
	done();
}

/*
 *   page 0      1         2        3       4         5       6
 *   |A 100|   |reserved| |C 100| |free | |reserved| |D 5000 ......|
 *
 * Expect: packing applies only when the first fit begins on the page right
 * after last_pos. With page 1 reserved, C's fit is page 2: not packed.
 * D needs ceil(5000 / P) = 2 whole pages for the scan even though page
 * 2's tail plus page 3 would hold it (2.4 scans before it packs): pages
 * 3-4 fail (4 is reserved), the fit is 5-6, not right after page 2.
 */
static void packing_only_when_fit_follows_the_partial_page(void)
{
	ready_node0();
	EXPECT_ALLOC(B0, 100, 64, 0, 0, BU);
	CU_ASSERT_EQUAL(dc_reserve(H.sys, B0 + P, P), 0);
	EXPECT_ALLOC(B0 + 2 * P, 100, 64, 0, 0, BU);
	CU_ASSERT_EQUAL(dc_reserve(H.sys, B0 + 4 * P, P), 0);
	EXPECT_ALLOC(B0 + 5 * P, 5000, 64, 0, 0, BU);
	CU_ASSERT_EQUAL(st(0).used, 6 * P);	/* pages 0-2, 4-6 */
	done();
}

/*
 *   page 0          page 1          page 2          page 4
 *   |A 100|         |B 100|         |C 100 (4096)|  |D (align 8192)
 *   min = B0 + P ---^
 *
 * Expect: B's fit is page 1 = last_pos + 1, but the packed address B0 +
 * 128 lies below min_addr: not packed, B = B0 + P. C with align = P packs
 * at round_up(100, 4096) = 4096, i.e. room 0: it runs on into page 2 and
 * begins there. D with align 8192 > P never packs; the grid is even pages
 * and page 2 is taken, so D = page 4.
 */
static void packing_respects_window_and_alignment(void)
{
	ready_node0();
	EXPECT_ALLOC(B0, 100, 64, 0, 0, BU);
	EXPECT_ALLOC(B0 + P, 100, 64, B0 + P, 0, BU);
	EXPECT_ALLOC(B0 + 2 * P, 100, P, 0, 0, BU);
	EXPECT_ALLOC(B0 + 4 * P, 100, 2 * P, 0, 0, BU);
	CU_ASSERT_EQUAL(st(0).used, 4 * P);
	done();
}

/*
 *   page 0 (100 + 100 packed)        page 1
 *   |A 100|..|B 100|                 | free
 *
 * Expect: freeing A or B alone frees nothing (free rounds inward; the page
 * is shared) and succeeds; freeing the whole page then frees it, and a
 * second free of it is DC_ENOENT (BUG() in 2.4). The partial page is then
 * forgotten: the next small allocation starts page 0 afresh.
 */
static void free_of_packed_allocation_frees_nothing(void)
{
	ready_node0();
	EXPECT_ALLOC(B0, 100, 64, 0, 0, BU);
	EXPECT_ALLOC(B0 + 128, 100, 64, 0, 0, BU);
	CU_ASSERT_EQUAL(dc_free(H.sys, B0 + 128, 100), 0);
	CU_ASSERT_EQUAL(dc_free(H.sys, B0, 100), 0);
	CU_ASSERT_EQUAL(st(0).used, P);
	CU_ASSERT_EQUAL(dc_free(H.sys, B0, P), 0);
	CU_ASSERT_EQUAL(st(0).used, 0);
	EXPECT_UNCHANGED(DC_ENOENT, dc_free(H.sys, B0, P));
	EXPECT_UNCHANGED(DC_ENOENT, dc_free(H.sys, B0 + 64, 1));
	EXPECT_ALLOC(B0, 100, 64, 0, 0, BU);
	done();
}

/*
 *   page 0
 *   |x|y|z| ...
 *
 * Expect: a 1-byte allocation takes a whole page; further 1-byte
 * allocations with align 1 pack next to it.
 */
static void one_byte_allocation_takes_a_page(void)
{
	ready_node0();
	EXPECT_ALLOC(B0, 1, 1, 0, 0, BU);
	CU_ASSERT_EQUAL(st(0).used, P);
	EXPECT_ALLOC(B0 + 1, 1, 1, 0, 0, BU);
	EXPECT_ALLOC(B0 + 2, 1, 1, 0, 0, BU);
	CU_ASSERT_EQUAL(st(0).used, P);
	done();
}

/*
 *   0x13c000      0x13d000      0x13e000     0x13f000
 *   | B 100|C 100 | A 100       | reserved   | bitmap
 *
 * Expect: top-down takes the highest fit: A = 0x13d000, then B = 0x13c000
 * (the fit lies below A, not right after it: no packing, a page each).
 * After A's page is freed whole, the highest fit is 0x13d000, which is
 * the page right after last_pos (B's page): C packs into B's page at
 * round_up(100, 64) = 128. This is the only way top-down packs.
 */
static void top_down_packs_only_right_after_last_pos(void)
{
	ready_node0();
	CU_ASSERT_EQUAL(dc_reserve(H.sys, 0x13e000, P), 0);
	EXPECT_ALLOC(0x13d000, 100, 64, 0, 0, TD);
	EXPECT_ALLOC(0x13c000, 100, 64, 0, 0, TD);
	CU_ASSERT_EQUAL(st(0).used, 3 * P);
	CU_ASSERT_EQUAL(dc_free(H.sys, 0x13d000, P), 0);
	EXPECT_ALLOC(0x13c000 + 128, 100, 64, 0, 0, TD);
	CU_ASSERT_EQUAL(st(0).used, 2 * P);
	done();
}

/* --- the restart from 0 (step 5) and the grid (steps 2-4) ------------------ */

/*
 *   B0                  B0 + 0x20000 (goal)              0x13f000
 *   | free              | reserved ........................| bitmap
 *
 * Expect: with the goal as min_addr nothing fits (DC_ENOMEM, unchanged);
 * DC_REQ_RELAX_MIN is 2.4's rescan from 0 and finds B0. A goal above all
 * memory (SN1, Wildfire) gives the lowest free address too. A goal inside
 * free memory is a hard lower bound, rounded up to a page: B0 + 0x10800
 * gives B0 + 0x11000 (2.4 rounded down to B0 + 0x10000 for align < P).
 */
static void restart_from_zero_is_relax_min(void)
{
	dc_addr_t a = 0;

	ready_node0();
	CU_ASSERT_EQUAL(dc_reserve(H.sys, B0 + 0x20000, 0x1f000), 0);
	EXPECT_UNCHANGED(DC_ENOMEM, al(P, P, B0 + 0x20000, 0, 0, BU, &a));
	EXPECT_ALLOC(B0, P, P, B0 + 0x20000, 0, BU | DC_REQ_RELAX_MIN);
	EXPECT_ALLOC(B0 + P, P, P, 0x10000000, 0, BU | DC_REQ_RELAX_MIN);
	EXPECT_ALLOC(B0 + 0x11000, 64, 64, B0 + 0x10800, 0, BU);
	done();
}

/*
 *   node 0: [0x103000, 0x143000), 64 pages, bitmap at 0x142000
 *
 *   0x103000 0x104000      0x108000      0x10c000      0x110000  0x114000
 *   |        |A            |reserved     |B            |C? 0x111 |C
 *                                                       reserved
 *
 * Expect: alignment is absolute (2.4.22): align 0x4000 gives 0x104000,
 * not the node start 0x103000 (2.4.16 aligned relative to it). The scan
 * steps over the grid: 0x108000 is reserved -> 0x10c000; two pages at
 * 0x110000 cross reserved 0x111000 -> 0x114000. Top-down: the highest
 * grid point whose pages are free, 0x140000, then with 2 pages at align
 * 0x8000: 0x140000 is taken -> 0x138000.
 */
static void step_grid_is_absolute_alignment(void)
{
	h_init(&H, &dc_backend_bitmap, 12, 1 << 20, 0);
	CU_ASSERT_FATAL(h_add(&H, 0, 0x103000, 64 * P) == 0);
	CU_ASSERT_FATAL(dc_finalize(H.sys) == 0);
	EXPECT_ALLOC(0x104000, P, 0x4000, 0, 0, BU);
	CU_ASSERT_EQUAL(dc_reserve(H.sys, 0x108000, P), 0);
	EXPECT_ALLOC(0x10c000, P, 0x4000, 0, 0, BU);
	CU_ASSERT_EQUAL(dc_reserve(H.sys, 0x111000, P), 0);
	EXPECT_ALLOC(0x114000, 2 * P, 0x4000, 0, 0, BU);
	EXPECT_ALLOC(0x140000, P, 0x4000, 0, 0, TD);
	EXPECT_ALLOC(0x138000, 2 * P, 0x8000, 0, 0, TD);
	done();
}

/* --- rounding of reserve and free ---------------------------------------- */

/*
 *   page     0          1          2
 *   reserve      [=======================]      B0 + 0x800 .. B0 + 0x27ff
 *   taken    [==========|==========|==========] outward: pages 0-2
 *   free         [=======================]      inward: page 1 only
 *
 * Expect: 3 pages used after the reserve, 2 after the free of the same
 * range; page 1 is free again (a second free touching it is DC_ENOENT);
 * page 0 can be freed whole; a free of half of page 2 frees nothing.
 */
static void free_rounds_inward(void)
{
	ready_node0();
	CU_ASSERT_EQUAL(dc_reserve(H.sys, B0 + 0x800, 0x2000), 0);
	CU_ASSERT_EQUAL(st(0).used, 3 * P);
	CU_ASSERT_EQUAL(dc_free(H.sys, B0 + 0x800, 0x2000), 0);
	CU_ASSERT_EQUAL(st(0).used, 2 * P);
	EXPECT_UNCHANGED(DC_ENOENT, dc_free(H.sys, B0 + 0x800, 0x2000));
	CU_ASSERT_EQUAL(dc_free(H.sys, B0, P), 0);
	CU_ASSERT_EQUAL(st(0).used, P);
	CU_ASSERT_EQUAL(dc_free(H.sys, B0 + 0x2000, 0x800), 0);
	CU_ASSERT_EQUAL(st(0).used, P);
	done();
}

/*
 *   page   0        1         2          3          4
 *          |        |  x      |y         |         z|z
 *
 * Expect (SETUP, the list is page-rounded at once): 1 byte at B0 + 0x1800
 * takes page 1; 1 byte at B0 + 0x1000 is the same page: DC_EBUSY (2.4's
 * "page reserved twice"); 1 byte at B0 + 0x2000 takes page 2. A free of 1
 * byte rounds inward to nothing. After finalize the same holds: 2 bytes
 * at B0 + 0x2fff touch page 2 -> DC_EBUSY; 2 bytes at B0 + 0x3fff take
 * pages 3 and 4.
 */
static void reserve_rounds_outward(void)
{
	init_node0();
	CU_ASSERT_EQUAL(dc_reserve(H.sys, B0 + 0x1800, 1), 0);
	CU_ASSERT_EQUAL(st(0).used, P);
	EXPECT_UNCHANGED(DC_EBUSY, dc_reserve(H.sys, B0 + 0x1000, 1));
	CU_ASSERT_EQUAL(dc_reserve(H.sys, B0 + 0x2000, 1), 0);
	CU_ASSERT_EQUAL(st(0).used, 2 * P);
	CU_ASSERT_EQUAL(dc_free(H.sys, B0 + 0x1800, 1), 0);
	CU_ASSERT_EQUAL(st(0).used, 2 * P);
	CU_ASSERT_EQUAL(dc_check(H.sys), 0);
	CU_ASSERT_FATAL(dc_finalize(H.sys) == 0);
	CU_ASSERT_EQUAL(st(0).used, 2 * P);
	EXPECT_UNCHANGED(DC_EBUSY, dc_reserve(H.sys, B0 + 0x2fff, 2));
	CU_ASSERT_EQUAL(dc_reserve(H.sys, B0 + 0x3fff, 2), 0);
	CU_ASSERT_EQUAL(st(0).used, 4 * P);
	done();
}

/* --- holes and edges ------------------------------------------------------ */

struct range_ctx {
	dc_addr_t b[16];
	dc_size_t s[16];
	int n;
};

static int collect(void *ctx, int nid, dc_addr_t b, dc_size_t s)
{
	struct range_ctx *c = ctx;

	(void)nid;
	if (c->n < 16) {
		c->b[c->n] = b;
		c->s[c->n] = s;
	}
	c->n++;
	return 0;
}

/*
 *   0x100000   0x110000  0x120000  0x130000        0x180000  0x190000
 *   | node 0    | hole    | node 1  |   hole        | node 0  |
 *
 * Node 0's bitmap spans 144 pages (24 bytes, one page at 0x18f000); the
 * hole and node 1's memory inside its span stay set.
 * Expect: allocating page after page from node 0 yields exactly its 31
 * free pages, each inside one of its fragments, then DC_ENOMEM.
 */
static void holes_inside_span_are_never_allocated(void)
{
	dc_addr_t a;
	int count = 0;

	h_init(&H, &dc_backend_bitmap, 12, 1 << 20, 0);
	CU_ASSERT_FATAL(h_add(&H, 0, 0x100000, 0x10000) == 0);
	CU_ASSERT_FATAL(h_add(&H, 1, 0x120000, 0x10000) == 0);
	CU_ASSERT_FATAL(h_add(&H, 0, 0x180000, 0x10000) == 0);
	CU_ASSERT_FATAL(dc_finalize(H.sys) == 0);
	CU_ASSERT_EQUAL(st(0).metadata, P);
	while (al(P, P, 0, 0, 0, BU, &a) == 0) {
		CU_ASSERT((a >= 0x100000 && a < 0x110000) ||
			  (a >= 0x180000 && a < 0x18f000));
		count++;
	}
	CU_ASSERT_EQUAL(count, 31);
	CU_ASSERT_EQUAL(st(0).free, 0);
	CU_ASSERT_EQUAL(st(0).used, 31 * P);
	CU_ASSERT_EQUAL(st(1).used, 0);
	CU_ASSERT_EQUAL(st(1).free, 15 * P);
	done();
}

/*
 *   0x100000 0x100800                         0x10f000 0x10f800
 *   |  ....  |  whole pages 0x101..0x10e  ... |  ....  |
 *     edge                          bitmap 0x10e000   edge
 *
 * Expect: the partial pages at both fragment edges are never free (2.4
 * freed RAM with PFN_UP/PFN_DOWN): 12 whole pages free (14 minus the
 * bitmap's), their 2 x 0x800 bytes count as used; a reserve or free of
 * edge bytes succeeds and changes nothing.
 */
static void partial_pages_at_fragment_edges_stay_taken(void)
{
	struct range_ctx c = { .n = 0 };
	struct dc_snapshot s0, s1;

	h_init(&H, &dc_backend_bitmap, 12, 1 << 20, 0);
	CU_ASSERT_FATAL(h_add(&H, 0, 0x100800, 0xf000) == 0);
	CU_ASSERT_EQUAL(st(0).free, 14 * P);
	CU_ASSERT_EQUAL(st(0).used, 0x1000);
	CU_ASSERT_FATAL(dc_finalize(H.sys) == 0);
	CU_ASSERT_EQUAL(st(0).free, 13 * P);
	CU_ASSERT_EQUAL(st(0).used, 0x1000);
	CU_ASSERT_EQUAL(st(0).metadata, P);
	dc_walk(H.sys, 0, DC_WALK_FREE, collect, &c);
	CU_ASSERT_EQUAL(c.n, 1);
	CU_ASSERT_EQUAL(c.b[0], 0x101000);
	CU_ASSERT_EQUAL(c.s[0], 13 * P);
	h_snap(H.sys, &s0);
	CU_ASSERT_EQUAL(dc_reserve(H.sys, 0x100800, 0x800), 0);
	CU_ASSERT_EQUAL(dc_free(H.sys, 0x10f000, 0x800), 0);
	h_snap(H.sys, &s1);
	s1.total.frees = s0.total.frees;	/* the free was counted */
	s1.node[0].frees = s0.node[0].frees;
	CU_ASSERT(h_snap_equal(&s0, &s1));
	h_snap_free(&s0);
	h_snap_free(&s1);
	done();
}

/* --- the bitmap itself ----------------------------------------------------- */

/*
 *   0          0x100000           0x10000000         0x100fd000 0x10100000
 *   | node 0   |  hole  ..........| node 0 ..........| bitmap   |
 *
 * The span is 0x10100 = 65792 pages: ceil(65792 / 64) * 8 = 8224 bytes,
 * three pages, placed top-down.
 * Expect: metadata = 3 pages, walked as one block; dc_free and dc_reserve
 * on it are DC_EBUSY; the highest allocation lies below it.
 */
static void bitmap_pages_are_metadata(void)
{
	struct range_ctx c = { .n = 0 };
	dc_addr_t a;

	h_init(&H, &dc_backend_bitmap, 12, 1 << 20, 0);
	CU_ASSERT_FATAL(h_add(&H, 0, 0, 0x100000) == 0);
	CU_ASSERT_FATAL(h_add(&H, 0, 0x10000000, 0x100000) == 0);
	CU_ASSERT_FATAL(dc_finalize(H.sys) == 0);
	CU_ASSERT_EQUAL(st(0).metadata, 3 * P);
	CU_ASSERT_EQUAL(st(0).used, 0);
	dc_walk(H.sys, 0, DC_WALK_METADATA, collect, &c);
	CU_ASSERT_EQUAL(c.n, 1);
	CU_ASSERT_EQUAL(c.b[0], 0x100fd000);
	CU_ASSERT_EQUAL(c.s[0], 3 * P);
	EXPECT_UNCHANGED(DC_EBUSY, dc_free(H.sys, 0x100fd000, P));
	EXPECT_UNCHANGED(DC_EBUSY, dc_free(H.sys, 0x100fe800, 16));
	EXPECT_UNCHANGED(DC_EBUSY, dc_reserve(H.sys, 0x100ff000, P));
	CU_ASSERT_EQUAL(al(P, P, 0, 0, 0, TD, &a), 0);
	CU_ASSERT_EQUAL(a, 0x100fc000);
	done();
}

/*
 *   node 0: 0x100000 .. 0x140000 (a reservation at B0 + P in SETUP)
 *   node 1: 0x1000000 +P ..... hole of ~4 GiB ..... 0x100000000 +P
 *
 * Node 1 spans 0xff001 pages: its bitmap needs 130568 bytes (32 pages) and
 * it has 2. 2.4 would have failed to boot; here the bitmap goes to the
 * nearest node with room (DESIGN.md, "Metadata always has somewhere to
 * go"). Expect: with node 0 reserved down to 22 free pages no node has
 * room: dc_finalize is DC_ENOSPC, node 0 (finalized first) is undone, and
 * everything observable is as before, still SETUP. Once node 0 has room,
 * finalize succeeds: node 1's bitmap is node 0's metadata and a remote
 * steal of node 1, and node 0's SETUP reservation is still there.
 */
static void bitmap_goes_to_nearest_node_with_room_else_enospc(void)
{
	dc_addr_t a;

	init_node0();
	CU_ASSERT_EQUAL(dc_reserve(H.sys, B0 + P, P), 0);
	CU_ASSERT_EQUAL(dc_reserve(H.sys, B0 + 2 * P, 40 * P), 0);
	CU_ASSERT_FATAL(h_add(&H, 1, 0x1000000, P) == 0);
	CU_ASSERT_FATAL(h_add(&H, 1, 0x100000000ull, P) == 0);
	EXPECT_UNCHANGED(DC_ENOSPC, dc_finalize(H.sys));
	CU_ASSERT_EQUAL(dc_phase(H.sys), DC_SETUP);
	CU_ASSERT_EQUAL(st(0).used, 41 * P);
	CU_ASSERT_EQUAL(st(0).metadata, 0);
	CU_ASSERT_EQUAL(dc_check(H.sys), 0);
	CU_ASSERT_EQUAL(dc_free(H.sys, B0 + 2 * P, 40 * P), 0);
	CU_ASSERT_FATAL(dc_finalize(H.sys) == 0);
	CU_ASSERT_EQUAL(st(0).metadata, 33 * P);	/* its own page, node 1's */
	CU_ASSERT_EQUAL(st(1).metadata, 0);
	CU_ASSERT_EQUAL(st(1).remote_steals, 1);
	CU_ASSERT_EQUAL(st(0).remote_steals, 0);
	CU_ASSERT_EQUAL(st(0).used, P);
	EXPECT_UNCHANGED(DC_EBUSY, dc_reserve(H.sys, B0 + P, 1));
	CU_ASSERT_EQUAL(al(P, P, 0, 0, 0, BU, &a), 0);
	CU_ASSERT_EQUAL(a, B0);
	CU_ASSERT_EQUAL(al(P, P, 0, 0, 0, BU, &a), 0);
	CU_ASSERT_EQUAL(a, B0 + 2 * P);
	/* node 1's two pages are all it has: both free */
	CU_ASSERT_EQUAL(st(1).free, 2 * P);
	done();
}

/* --- randomised: invariants under byte-level calls --------------------------- */

static uint64_t seed0;

/*
 *   0x100800      0x138000  0x148123   0x150000      0x170320  0x180000
 *   | node 0      | node 1   |   hole   | node 0 ...   |  hole   | node 2
 *
 * Unaligned fragment edges, byte-sized and sub-page calls (so packing,
 * outward and inward rounding all happen), SETUP then READY, both
 * default directions. Expect: dc_check() == 0 and memory = used +
 * metadata + free + released after every call, and a call that fails
 * changes nothing observable.
 */
static void random_byte_calls_keep_invariants(void)
{
	dc_addr_t blk[256], a, b;
	dc_size_t bs[256], s;
	struct dc_snapshot s0, s1;
	uint64_t r = seed0;
	int nb, res, k;

	for (int round = 0; round < 16; round++) {
		h_init(&H, &dc_backend_bitmap, 12, 1 << 20,
		       round & 1 ? DC_CFG_TOP_DOWN : 0);
		CU_ASSERT_FATAL(h_add(&H, 0, 0x100800, 0x37800) == 0);
		CU_ASSERT_FATAL(h_add(&H, 1, 0x138000, 0x10123) == 0);
		CU_ASSERT_FATAL(h_add(&H, 0, 0x150000, 0x20320) == 0);
		CU_ASSERT_FATAL(h_add(&H, 2, 0x180000, 0x8000) == 0);
		nb = 0;
		for (int op = 0; op < 2000; op++) {
			struct dc_request q;

			if (op == 100)
				CU_ASSERT_FATAL(dc_finalize(H.sys) == 0);
			k = (int)h_rand_below(&r, 100);
			b = 0x100000 + h_rand_below(&r, 0x90000);
			s = 1 + h_rand_below(&r, h_rand_below(&r, 2) ? 64 :
					     0x5000);
			h_snap(H.sys, &s0);
			if (k < 35 && op > 100) {
				q = (struct dc_request){
					s,
					h_rand_below(&r, 2) ?
						1ull << h_rand_below(&r, 15) : 0,
					h_rand_below(&r, 3) ? 0 : b, 0,
					(int)h_rand_below(&r, 4) - 1,
					(unsigned)h_rand_below(&r, 16)
				};
				res = dc_alloc(H.sys, &q, &a);
				if (!res && nb < 256)
					blk[nb] = a, bs[nb++] = s;
			} else if (k < 60 && nb) {
				int i = (int)h_rand_below(&r, (uint64_t)nb);

				res = dc_free(H.sys, blk[i], bs[i]);
				nb--;
				blk[i] = blk[nb], bs[i] = bs[nb];
			} else if (k < 85) {
				res = dc_reserve(H.sys, b, s);
				if (!res && nb < 256)
					blk[nb] = b, bs[nb++] = s;
			} else {
				res = dc_free(H.sys, b, s);
			}
			h_snap(H.sys, &s1);
			if (res) {	/* failed: unchanged but for counters */
				s1.total.failed = s0.total.failed;
				for (int i = 0; i < s1.nnodes; i++)
					s1.node[i].failed = s0.node[i].failed;
				CU_ASSERT(h_snap_equal(&s0, &s1));
			}
			h_snap_free(&s0);
			h_snap_free(&s1);
			k = dc_check(H.sys);
			CU_ASSERT_EQUAL(k, 0);
			CU_ASSERT(h_accounting_ok(H.sys));
			if (k || !h_accounting_ok(H.sys)) {
				printf("\n  round %d op %d: check %d\n", round,
				       op, k);
				break;
			}
		}
		h_fini(&H);
	}
}

/* Expect: dc_backend_find knows the backend, which is page-granular. */
static void backend_is_named_bitmap(void)
{
	CU_ASSERT_PTR_EQUAL(dc_backend_find("bitmap"), &dc_backend_bitmap);
	CU_ASSERT(dc_backend_bitmap.page_granular);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} tests[] = {
#define T(f) { #f, f }
		T(backend_is_named_bitmap),
		T(packing_small_allocation_after_partial_page),
		T(packing_runs_on_into_the_next_page),
		T(no_packing_after_allocation_ending_on_page_boundary),
		T(small_allocation_packs_into_tail_of_big_one),
		T(packing_only_when_fit_follows_the_partial_page),
		T(packing_respects_window_and_alignment),
		T(free_of_packed_allocation_frees_nothing),
		T(one_byte_allocation_takes_a_page),
		T(top_down_packs_only_right_after_last_pos),
		T(restart_from_zero_is_relax_min),
		T(step_grid_is_absolute_alignment),
		T(free_rounds_inward),
		T(reserve_rounds_outward),
		T(holes_inside_span_are_never_allocated),
		T(partial_pages_at_fragment_edges_stay_taken),
		T(bitmap_pages_are_metadata),
		T(bitmap_goes_to_nearest_node_with_room_else_enospc),
		T(random_byte_calls_keep_invariants),
#undef T
	};
	CU_pSuite su;

	/* the hand-computed cases use no randomness; the last one does */
	seed0 = h_seed(argc, argv, 1);
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	su = CU_add_suite("bitmap: 2.4 behaviour", NULL, NULL);
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		CU_add_test(su, tests[i].name, tests[i].fn);
	return h_run();
}
